//===- TpuElementwiseKernels.cpp - Arithmetic and activations -------------===//

#include "TpuKernelUtils.h"

#include "tpuc/Interpreter/Broadcast.h"
#include "tpuc/Quant/Lut.h"

#include <cmath>

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

/// out[i] = fn(lhs code - zp, rhs code - zp) for broadcast operands.
template <typename F>
void binaryInt8(const Tensor &lhs, const Tensor &rhs, const Storage &ls,
                const Storage &rs, Tensor &out, F fn) {
  BroadcastIndexer li(lhs.shape, out.shape), ri(rhs.shape, out.shape);
  int64_t n = out.numel();
#pragma omp parallel for if (n > (1 << 16))
  for (int64_t i = 0; i < n; ++i) {
    int64_t a = static_cast<int64_t>(lhs.data[li(i)]) - ls.zeroPoint;
    int64_t b = static_cast<int64_t>(rhs.data[ri(i)]) - rs.zeroPoint;
    out.data[i] = static_cast<float>(fn(a, b));
  }
}

template <typename OpT>
LogicalResult runAddSub(OpT op, KernelArgs &args, StringRef topName,
                        int64_t sign) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized) {
    if (failed(runFloat(op, topName, args)))
      return failure();
    return success();
  }
  auto m = *op.getMultipliers();
  int64_t m0 = m[0], m1 = sign * m[1], shift = op.getRshift();
  quantmath::RoundMode mode = getRoundMode(op);
  binaryInt8(
      args.in(0), args.in(1), getStorage(op.getLhs()), getStorage(op.getRhs()),
      args.out(), [&](int64_t a, int64_t b) {
        int64_t q = quantmath::rightShiftRound(m0 * a + m1 * b, shift, mode);
        return quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax);
      });
  applyQuantizedRelu(out, op.getDoRelu(), op.getReluLimit().convertToDouble(),
                     args.out());
  return success();
}

LogicalResult runMul(MulOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized)
    return runFloat(op, "top.Mul", args);
  int64_t m = (*op.getMultiplier())[0], shift = (*op.getRshift())[0];
  quantmath::RoundMode mode = getRoundMode(op);
  binaryInt8(
      args.in(0), args.in(1), getStorage(op.getLhs()), getStorage(op.getRhs()),
      args.out(), [&](int64_t a, int64_t b) {
        int64_t q = quantmath::applyMultiplierShift(a * b, m, shift, mode);
        return quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax);
      });
  applyQuantizedRelu(out, op.getDoRelu(), op.getReluLimit().convertToDouble(),
                     args.out());
  return success();
}

LogicalResult runMulConst(MulConstOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized)
    return runFloat(op, "top.MulConst", args);
  Storage in = getStorage(op.getInput());
  int64_t m = (*op.getMultiplier())[0], shift = (*op.getRshift())[0];
  quantmath::RoundMode mode = getRoundMode(op);
  const Tensor &x = args.in(0);
  Tensor &y = args.out();
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t a = static_cast<int64_t>(x.data[i]) - in.zeroPoint;
    int64_t q = quantmath::applyMultiplierShift(a, m, shift, mode);
    y.data[i] = static_cast<float>(
        quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax));
  }
  applyQuantizedRelu(out, op.getDoRelu(), op.getReluLimit().convertToDouble(),
                     y);
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

LogicalResult runActive(ActiveOp op, KernelArgs &args) {
  auto fn = activeFunction(op);
  if (!fn)
    return op.emitOpError() << "has no implementation of " << op.getMode();
  Storage out = getStorage(op.getOutput());
  const Tensor &x = args.in(0);
  Tensor &y = args.out();
  int64_t n = y.numel();
#pragma omp parallel for if (n > (1 << 15))
  for (int64_t i = 0; i < n; ++i)
    y.data[i] = out.store(fn(x.data[i]));
  return success();
}

LogicalResult runLut(LutOp op, KernelArgs &args) {
  const Tensor &x = args.in(0), &table = args.in(1);
  Tensor &y = args.out();
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
  registry.add<ReluOp>(runRelu);
  registry.add<PReluOp>(runPRelu);
  registry.add<ActiveOp>(runActive);
  registry.add<LutOp>(runLut);
  registry.add<LutBF16Op>(runLutBF16);
  // On stored codes of one scale (INT8) or on floats these are the Top ops.
  for (auto [tpuName, topName] :
       {std::pair<StringRef, StringRef>{DivOp::getOperationName(), "top.Div"},
        {PowTensorOp::getOperationName(), "top.PowTensor"},
        {MaxOp::getOperationName(), "top.Max"},
        {MinOp::getOperationName(), "top.Min"},
        {CompareOp::getOperationName(), "top.Compare"},
        {WhereOp::getOperationName(), "top.Where"},
        {AddConstOp::getOperationName(), "top.AddConst"}})
    registry.add(tpuName, [topName = topName](Operation *op, KernelArgs &args) {
      return runFloat(op, topName, args);
    });
}

} // namespace tpuc::tpu
