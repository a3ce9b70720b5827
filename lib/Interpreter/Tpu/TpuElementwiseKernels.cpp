//===- TpuElementwiseKernels.cpp - Arithmetic and activations -------------===//

#include "TpuKernelUtils.h"
#include "TpuVector.h"

#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Interpreter/Broadcast.h"
#include "tpuc/Quant/Lut.h"

#include <cmath>
#include <tuple>

using namespace mlir;

namespace tpuc::tpu {
namespace {

/// Float modes compute as the Top op and round to the result type.
LogicalResult runFloat(Operation *op, StringRef topName, KernelArgs &args) {
  if (failed(runAsTop(op, topName, args)))
    return failure();
  roundToStorage(op->getResult(0), args.out());
  return success();
}

bool sameShape(const Tensor &a, const Tensor &b) {
  return ArrayRef<int64_t>(a.shape) == ArrayRef<int64_t>(b.shape);
}

/// out = f(lhs, rhs) over numpy-broadcast operands as `runs` runs of
/// `inner` elements, in each of which an operand is either contiguous or a
/// single repeated value (per-channel scales, biases, SE gates).
struct BroadcastRuns {
  int64_t runs = 0, inner = 0;
  bool lhsScalar = false, rhsScalar = false;
  std::optional<BroadcastIndexer> lhs, rhs;
};

/// The runs, or nullopt when the shapes do not broadcast to `out` (the
/// Top kernels then report it).
std::optional<BroadcastRuns> broadcastRuns(ArrayRef<int64_t> lhs,
                                           ArrayRef<int64_t> rhs,
                                           ArrayRef<int64_t> out) {
  size_t rank = out.size();
  if (lhs.size() > rank || rhs.size() > rank)
    return std::nullopt;
  auto dimOf = [&](ArrayRef<int64_t> shape, size_t d) {
    size_t offset = rank - shape.size();
    return d < offset ? int64_t(1) : shape[d - offset];
  };
  for (size_t d = 0; d < rank; ++d) {
    int64_t l = dimOf(lhs, d), r = dimOf(rhs, d);
    if ((l != out[d] && l != 1) || (r != out[d] && r != 1) ||
        out[d] != std::max(l, r))
      return std::nullopt;
  }
  // The longest suffix of dims over which each operand is one thing:
  // contiguous (its dims equal the result's) or broadcast (all 1).
  enum Kind { Unknown, Full, Broadcast };
  Kind lk = Unknown, rk = Unknown;
  size_t k = rank;
  for (; k > 0; --k) {
    size_t d = k - 1;
    if (out[d] == 1)
      continue;
    Kind l = dimOf(lhs, d) == out[d] ? Full : Broadcast;
    Kind r = dimOf(rhs, d) == out[d] ? Full : Broadcast;
    if ((lk != Unknown && l != lk) || (rk != Unknown && r != rk))
      break;
    lk = l;
    rk = r;
  }
  BroadcastRuns runs;
  runs.inner = Tensor::numelOf(out.drop_front(k));
  runs.runs = runs.inner == 0 ? 0 : Tensor::numelOf(out) / runs.inner;
  runs.lhsScalar = lk == Broadcast;
  runs.rhsScalar = rk == Broadcast;
  runs.lhs.emplace(lhs, out);
  runs.rhs.emplace(rhs, out);
  return runs;
}

/// Calls fn(lhsOffset, rhsOffset, outOffset, parallelInside) for each run:
/// long runs one after another, each split between the threads; short
/// ones shared between the threads.
template <typename F> void forEachRun(const BroadcastRuns &b, F fn) {
  if (b.runs == 1 || b.inner >= (1 << 15)) {
    for (int64_t r = 0; r < b.runs; ++r)
      fn((*b.lhs)(r * b.inner), (*b.rhs)(r * b.inner), r * b.inner, true);
    return;
  }
#pragma omp parallel for if (b.runs * b.inner > (1 << 16))
  for (int64_t r = 0; r < b.runs; ++r)
    fn((*b.lhs)(r * b.inner), (*b.rhs)(r * b.inner), r * b.inner, false);
}

/// The Int8Arith of an op's result storage, rounding and relu.
vec::Int8Arith int8ArithFor(Operation *op, const Storage &out, bool doRelu,
                            double reluLimit) {
  vec::Int8Arith p;
  p.mode = getRoundMode(op);
  p.zp = out.zeroPoint;
  p.qmin = out.qmin;
  p.qmax = out.qmax;
  std::tie(p.lo, p.hi) = vec::reluBounds(out, doRelu, reluLimit);
  return p;
}

/// An INT8 binary op by runs; an error on `op` when the shapes do not
/// broadcast to the result.
LogicalResult int8Binary(Operation *op, vec::Int8Arith p, KernelArgs &args) {
  const Tensor &a = args.in(0), &b = args.in(1);
  Tensor &y = args.out();
  auto runs = broadcastRuns(a.shape, b.shape, y.shape);
  if (!runs)
    return op->emitOpError()
           << "operands " << tpuc::top::shapeToString(a.shape) << " and "
           << tpuc::top::shapeToString(b.shape) << " do not broadcast to "
           << tpuc::top::shapeToString(y.shape);
  // A repeated lhs becomes the rhs: the sum and the product are symmetric
  // once the multipliers and zero points swap too.
  vec::Int8Arith swapped = p;
  std::swap(swapped.za, swapped.zb);
  std::swap(swapped.m0, swapped.m1);
  if (p.product)
    swapped.m0 = swapped.m1 = p.m0;
  bool swap = runs->lhsScalar && !runs->rhsScalar;
  forEachRun(*runs, [&](int64_t lo, int64_t ro, int64_t oo, bool parallel) {
    if (swap)
      vec::int8Arith(swapped, b.ptr() + ro, a.ptr() + lo, y.ptr() + oo,
                     runs->inner, /*bScalar=*/true, parallel);
    else
      vec::int8Arith(p, a.ptr() + lo, b.ptr() + ro, y.ptr() + oo, runs->inner,
                     runs->rhsScalar, parallel);
  });
  return success();
}

/// A float-mode op computed as its Top kernel and rounded, by runs (`b`
/// null: a scalar operand `constant`); false when this does not apply (the
/// Top kernel then runs).
bool floatElementwise(Operation *op, vec::FloatOp kind, bool doRelu,
                      float reluLimit, KernelArgs &args,
                      std::optional<float> constant = std::nullopt) {
  Storage out = getStorage(op->getResult(0));
  if (out.quantized || out.integer || !args.has(0) ||
      (!constant && !args.has(1)))
    return false;
  vec::FloatArith p;
  p.op = kind;
  p.doRelu = doRelu;
  p.reluLimit = reluLimit;
  p.bf16 = out.bf16;
  p.f16 = out.f16;
  const Tensor &a = args.in(0);
  Tensor &y = args.out();
  if (constant) {
    if (!sameShape(a, y))
      return false;
    vec::floatArith(p, a.ptr(), false, &*constant, true, y.ptr(), y.numel());
    return true;
  }
  const Tensor &b = args.in(1);
  // The Top kernels want the result to be exactly the operands' broadcast
  // shape, without extra leading 1s.
  if (y.rank() != std::max(a.rank(), b.rank()))
    return false;
  auto runs = broadcastRuns(a.shape, b.shape, y.shape);
  if (!runs)
    return false;
  forEachRun(*runs, [&](int64_t lo, int64_t ro, int64_t oo, bool parallel) {
    vec::floatArith(p, a.ptr() + lo, runs->lhsScalar, b.ptr() + ro,
                    runs->rhsScalar, y.ptr() + oo, runs->inner, parallel);
  });
  return true;
}

template <typename OpT>
LogicalResult runAddSub(OpT op, KernelArgs &args, StringRef topName,
                        int64_t sign) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized) {
    // top.Add applies the relu, top.Sub has none.
    if (floatElementwise(
            op, sign > 0 ? vec::FloatOp::Add : vec::FloatOp::Sub,
            sign > 0 && op.getDoRelu(),
            static_cast<float>(op.getReluLimit().convertToDouble()), args))
      return success();
    return runFloat(op, topName, args);
  }
  auto m = *op.getMultipliers();
  vec::Int8Arith p = int8ArithFor(op, out, op.getDoRelu(),
                                  op.getReluLimit().convertToDouble());
  p.za = getStorage(op.getLhs()).zeroPoint;
  p.zb = getStorage(op.getRhs()).zeroPoint;
  p.m0 = m[0];
  p.m1 = sign * m[1];
  p.shift = op.getRshift();
  return int8Binary(op, p, args);
}

LogicalResult runMul(MulOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized) {
    // top.Mul has no relu.
    if (floatElementwise(op, vec::FloatOp::Mul, false, -1.0f, args))
      return success();
    return runFloat(op, "top.Mul", args);
  }
  vec::Int8Arith p = int8ArithFor(op, out, op.getDoRelu(),
                                  op.getReluLimit().convertToDouble());
  p.za = getStorage(op.getLhs()).zeroPoint;
  p.zb = getStorage(op.getRhs()).zeroPoint;
  p.m0 = (*op.getMultiplier())[0];
  p.shift = (*op.getRshift())[0];
  p.product = true;
  return int8Binary(op, p, args);
}

LogicalResult runMulConst(MulConstOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized) {
    // As top.MulConst: x * float(c), with the relu.
    if (floatElementwise(
            op, vec::FloatOp::Mul, op.getDoRelu(),
            static_cast<float>(op.getReluLimit().convertToDouble()), args,
            static_cast<float>(op.getConstVal().convertToDouble())))
      return success();
    return runFloat(op, "top.MulConst", args);
  }
  Storage in = getStorage(op.getInput());
  // (x - zp) * m >> shift, saturated, relu applied.
  vec::Int8Arith p = int8ArithFor(op, out, op.getDoRelu(),
                                  op.getReluLimit().convertToDouble());
  p.za = in.zeroPoint;
  p.m0 = (*op.getMultiplier())[0];
  p.shift = (*op.getRshift())[0];
  vec::int8Arith(p, args.in(0).ptr(), nullptr, args.out().ptr(),
                 args.out().numel());
  return success();
}

LogicalResult runRelu(ReluOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized)
    return runFloat(op, "top.Relu", args);
  args.out().data = args.in(0).data;
  applyQuantizedRelu(out, true, op.getReluLimit().convertToDouble(),
                     args.out());
  return success();
}

LogicalResult runPRelu(PReluOp op, KernelArgs &args) {
  Storage in = getStorage(op.getInput()), out = getStorage(op.getOutput());
  const Tensor &x = args.in(0), &slope = args.in(1);
  Tensor &y = args.out();
  int64_t channels = x.rank() >= 2 ? x.dim(1) : 1;
  int64_t inner = 1;
  for (int64_t d = 2; d < x.rank(); ++d)
    inner *= x.dim(d);
  quantmath::RoundMode mode = quantmath::RoundMode::HalfAwayFromZero;
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t c = (i / inner) % channels;
    if (!out.quantized) {
      float v = x.data[i];
      y.data[i] = out.store(v < 0 ? double(v) * slope.data[c] : v);
      continue;
    }
    int64_t a = static_cast<int64_t>(x.data[i]) - in.zeroPoint;
    int64_t q =
        a < 0
            ? quantmath::applyMultiplierShift(
                  a, static_cast<int64_t>(slope.data[c]), op.getRshift(), mode)
            : quantmath::applyMultiplierShift(a, op.getMultiplierPos(),
                                              op.getRshiftPos(), mode);
    y.data[i] = static_cast<float>(
        quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax));
  }
  return success();
}

double erfGelu(double x) {
  return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
}

/// The function of a tpu.Active, in double.
std::function<double(double)> activeFunction(ActiveOp op) {
  StringRef mode = op.getMode();
  SmallVector<double, 2> c;
  if (auto coeffs = op.getCoeffs())
    c.assign(coeffs->begin(), coeffs->end());
  auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  auto softplus = [](double x) { return x > 30 ? x : std::log1p(std::exp(x)); };
  if (mode == "Sigmoid")
    return sigmoid;
  if (mode == "SiLU")
    return [sigmoid](double x) { return x * sigmoid(x); };
  if (mode == "Tanh")
    return [](double x) { return std::tanh(x); };
  if (mode == "Exp")
    return [](double x) { return std::exp(x); };
  if (mode == "Log")
    return [](double x) { return std::log(x); };
  if (mode == "Sqrt")
    return [](double x) { return std::sqrt(x); };
  if (mode == "Rsqrt")
    return [](double x) { return 1.0 / std::sqrt(x); };
  if (mode == "Reciprocal")
    return [](double x) { return 1.0 / x; };
  if (mode == "Abs")
    return [](double x) { return std::fabs(x); };
  if (mode == "Erf")
    return [](double x) { return std::erf(x); };
  if (mode == "GELU")
    return erfGelu;
  if (mode == "GELUTanh")
    return [](double x) {
      return 0.5 * x *
             (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    };
  if (mode == "Mish")
    return [softplus](double x) { return x * std::tanh(softplus(x)); };
  if (mode == "Softplus")
    return softplus;
  if (mode == "HardSigmoid")
    return [a = c[0], b = c[1]](double x) {
      return std::clamp(a * x + b, 0.0, 1.0);
    };
  if (mode == "HardSwish")
    return [](double x) { return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0); };
  if (mode == "Elu")
    return [a = c[0]](double x) { return x > 0 ? x : a * std::expm1(x); };
  if (mode == "Pow")
    return [e = c[0]](double x) { return std::pow(x, e); };
  if (mode == "LeakyRelu")
    return [a = c[0]](double x) { return x >= 0 ? x : a * x; };
  if (mode == "Clip")
    return [lo = c[0], hi = c[1]](double x) {
      return std::min(std::max(x, lo), hi);
    };
  return nullptr;
}

/// Appends the bytes of `value` to a cache key.
template <typename T> void appendKey(std::string &key, const T &value) {
  key.append(reinterpret_cast<const char *>(&value), sizeof(value));
}

void appendStorageKey(std::string &key, const Storage &s) {
  appendKey(key, s.quantized);
  appendKey(key, s.scale);
  appendKey(key, s.zeroPoint);
  appendKey(key, s.qmin);
  appendKey(key, s.qmax);
  appendKey(key, s.bf16);
  appendKey(key, s.f16);
  appendKey(key, s.integer);
}

/// A 16-bit float input type takes only 65536 values: unary functions of
/// such inputs are looked up in a table of the function's value at each of
/// them (built once per distinct function, vec::Table16) instead of being
/// evaluated per element.
std::optional<bool> table16Kind(Value input) {
  Storage s = getStorage(input);
  if (s.quantized || s.integer || (!s.bf16 && !s.f16))
    return std::nullopt;
  return s.bf16;
}

LogicalResult runActive(ActiveOp op, KernelArgs &args) {
  auto fn = activeFunction(op);
  if (!fn)
    return op.emitOpError() << "has no implementation of " << op.getMode();
  Storage out = getStorage(op.getOutput());
  const Tensor &x = args.in(0);
  Tensor &y = args.out();
  int64_t n = y.numel();
  auto stored = [fn, out](float v) { return out.store(fn(v)); };
  if (std::optional<bool> bf16 = table16Kind(op.getInput());
      bf16 && n >= (1 << 12)) {
    std::string key = "active/" + op.getMode().str();
    if (auto coeffs = op.getCoeffs())
      for (double c : *coeffs)
        appendKey(key, c);
    key += '/';
    appendStorageKey(key, out);
    vec::getTable16(key, *bf16, stored)->apply(x.ptr(), y.ptr(), n);
    return success();
  }
#pragma omp parallel for if (n > (1 << 15))
  for (int64_t i = 0; i < n; ++i)
    y.data[i] = stored(x.data[i]);
  return success();
}

LogicalResult runLut(LutOp op, KernelArgs &args) {
  const Tensor &x = args.in(0), &table = args.in(1);
  Tensor &y = args.out();
  if (table.numel() >= 256) {
    vec::lookup256(table.ptr(), x.ptr(), y.ptr(), y.numel());
    return success();
  }
  for (int64_t i = 0; i < y.numel(); ++i)
    y.data[i] = table.data[static_cast<int64_t>(x.data[i]) & 255];
  return success();
}

LogicalResult runLutBF16(LutBF16Op op, KernelArgs &args) {
  const Tensor &x = args.in(0);
  const float *values = args.in(1).ptr(), *slopes = args.in(2).ptr();
  double lo = op.getMinRange().convertToDouble();
  double hi = op.getMaxRange().convertToDouble();
  Tensor &y = args.out();
  int64_t n = y.numel();
  if (n >= (1 << 12) && args.in(1).numel() == 256 &&
      args.in(2).numel() == 256) {
    std::vector<float> v(values, values + 256), s(slopes, slopes + 256);
    std::string key = "lutbf16/";
    key.append(reinterpret_cast<const char *>(values), 256 * sizeof(float));
    key.append(reinterpret_cast<const char *>(slopes), 256 * sizeof(float));
    appendKey(key, lo);
    appendKey(key, hi);
    auto fn = [v = std::move(v), s = std::move(s), lo, hi](float in) {
      return quantmath::evalBf16SlopeTable(v.data(), s.data(), lo, hi, in);
    };
    vec::getTable16(key, table16Kind(op.getInput()).value_or(true), fn)
        ->apply(x.ptr(), y.ptr(), n);
    return success();
  }
#pragma omp parallel for if (n > (1 << 15))
  for (int64_t i = 0; i < n; ++i)
    y.data[i] =
        quantmath::evalBf16SlopeTable(values, slopes, lo, hi, x.data[i]);
  return success();
}

} // namespace

void registerTpuElementwiseKernels(KernelRegistry &registry) {
  registry.add<AddOp>([](AddOp op, KernelArgs &args) {
    return runAddSub(op, args, "top.Add", 1);
  });
  registry.add<SubOp>([](SubOp op, KernelArgs &args) {
    return runAddSub(op, args, "top.Sub", -1);
  });
  registry.add<MulOp>(runMul);
  registry.add<MulConstOp>(runMulConst);
  registry.add<AddConstOp>([](AddConstOp op, KernelArgs &args) {
    // As top.AddConst: x + float(c), with the relu.
    if (floatElementwise(
            op, vec::FloatOp::Add, op.getDoRelu(),
            static_cast<float>(op.getReluLimit().convertToDouble()), args,
            static_cast<float>(op.getConstVal().convertToDouble())))
      return success();
    return runFloat(op, "top.AddConst", args);
  });
  registry.add<ReluOp>(runRelu);
  registry.add<PReluOp>(runPRelu);
  registry.add<ActiveOp>(runActive);
  registry.add<LutOp>(runLut);
  registry.add<LutBF16Op>(runLutBF16);
  // On stored codes of one scale (INT8) or on floats these are the Top ops.
  for (auto [tpuName, topName] : {
           std::pair<StringRef, StringRef>{DivOp::getOperationName(),
                                           "top.Div"},
           {PowTensorOp::getOperationName(), "top.PowTensor"},
           {MaxOp::getOperationName(), "top.Max"},
           {MinOp::getOperationName(), "top.Min"},
           {CompareOp::getOperationName(), "top.Compare"},
           {WhereOp::getOperationName(), "top.Where"},
       })
    registry.add(tpuName, [topName = topName](Operation *op, KernelArgs &args) {
      return runFloat(op, topName, args);
    });
}

} // namespace tpuc::tpu
