//===- TpuNNKernels.cpp - Conv2D, Deconv, MatMul and Pool2D ---------------===//
//
// INT8 accumulations run through the float Top kernels on the integer codes
// (minus the input zero point). A float sum of integer products is exact as
// long as every partial sum stays below 2^24, so the input channels (or the
// reduction dim) are split into chunks small enough for that, and the chunk
// results are added in int64. Requantization then follows the chip's integer
// arithmetic exactly (quantmath::applyQdm / applyMultiplierShift).
//
//===----------------------------------------------------------------------===//

#include "TpuKernelUtils.h"
#include "TpuVector.h"

#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

/// The largest |x - zp| of a code of `in` (128 for i8, 255 for u8 with zero
/// point 0, up to 255 with other zero points).
int64_t maxCentered(const Storage &in) {
  if (!in.quantized)
    return 128;
  return std::max(std::abs(in.qmin - in.zeroPoint),
                  std::abs(in.qmax - in.zeroPoint));
}

/// The largest |x * w| of an int8 product after zero points: w in
/// [-128, 127].
int64_t maxProduct(const Storage &in) { return maxCentered(in) * 128; }

/// How many products may be summed in float without losing exactness.
int64_t exactTerms(const Storage &in) {
  return (int64_t(1) << 24) / maxProduct(in);
}

/// `tensor` with `zeroPoint` subtracted from every element, in `storage`
/// unless the zero point is 0 (then `tensor` itself).
const Tensor &centered(const Tensor &tensor, int64_t zeroPoint,
                       Tensor &storage) {
  if (zeroPoint == 0)
    return tensor;
  storage = tensor;
  for (float &v : storage.data)
    v -= static_cast<float>(zeroPoint);
  return storage;
}

/// Channels [begin, end) of each of `groups` consecutive groups of
/// `perGroup` channels along `axis`, concatenated: the channels chunk
/// [begin, end) of every group of a grouped convolution reads.
Tensor sliceGroups(const Tensor &tensor, int64_t axis, int64_t groups,
                   int64_t perGroup, int64_t begin, int64_t end) {
  SmallVector<int64_t, 4> shape(tensor.shape.begin(), tensor.shape.end());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= shape[i];
  for (int64_t i = axis + 1; i < static_cast<int64_t>(shape.size()); ++i)
    inner *= shape[i];
  int64_t dim = shape[axis], width = end - begin;
  shape[axis] = groups * width;
  Tensor out(shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t g = 0; g < groups; ++g)
      std::copy(tensor.ptr() + (o * dim + g * perGroup + begin) * inner,
                tensor.ptr() + (o * dim + g * perGroup + end) * inner,
                out.ptr() + (o * groups + g) * width * inner);
  return out;
}

/// Channels [begin, end) of dim `axis`.
Tensor sliceAxis(const Tensor &tensor, int64_t axis, int64_t begin,
                 int64_t end) {
  return sliceGroups(tensor, axis, 1, tensor.shape[axis], begin, end);
}

/// Attributes of `op` for a shadow Top op computing the plain accumulation:
/// no relu (applied after requantization).
SmallVector<NamedAttribute> accumulationAttrs(Operation *op) {
  SmallVector<NamedAttribute> attrs;
  for (NamedAttribute attr : op->getAttrs())
    if (attr.getName() != "do_relu")
      attrs.push_back(attr);
  return attrs;
}

/// sum(x * w) of a Conv2D/Deconv on integer codes, as partial sums over
/// channel chunks (floats holding exact integers) to be added in int64.
/// `inputAxis` is the filter dim that runs over input channels.
LogicalResult accumulateWindow(Operation *op, StringRef topName,
                               const Tensor &input, const Tensor &filter,
                               int64_t filterInputAxis, int64_t group,
                               const Storage &in, ArrayRef<int64_t> outShape,
                               std::vector<Tensor> &parts) {
  SmallVector<NamedAttribute> attrs = accumulationAttrs(op);
  int64_t channels = input.dim(1);
  int64_t taps = filter.dim(2) * filter.dim(3);
  int64_t perGroup = channels / std::max<int64_t>(group, 1);
  int64_t limit = exactTerms(in);
  auto run = [&](const Tensor &x, const Tensor &w, Tensor &out) {
    KernelArgs args;
    args.inputs = {&x, &w, nullptr};
    args.outputs = llvm::MutableArrayRef<Tensor>(&out, 1);
    return runAsTop(op, topName, attrs, args);
  };
  parts.clear();
  if (perGroup * taps <= limit) {
    parts.emplace_back(outShape);
    return run(input, filter, parts.back());
  }
  // Chunk k of the channels of every group runs as one grouped convolution
  // (a Conv filter's dim 1 already holds one group's channels; a Deconv
  // filter's dim 0 holds all of them, like the input).
  int64_t groups = std::max<int64_t>(group, 1);
  int64_t filterGroups = filterInputAxis == 0 ? groups : 1;
  int64_t chunk = std::max<int64_t>(1, limit / taps);
  for (int64_t begin = 0; begin < perGroup; begin += chunk) {
    int64_t end = std::min(perGroup, begin + chunk);
    Tensor x = sliceGroups(input, 1, groups, perGroup, begin, end);
    Tensor w = sliceGroups(filter, filterInputAxis, filterGroups, perGroup,
                           begin, end);
    parts.emplace_back(outShape);
    if (failed(run(x, w, parts.back())))
      return failure();
  }
  return success();
}

/// The sum of `parts` (+ bias[c]) requantized per channel, plus the zero
/// point, saturated, relu applied. Channel c of element i is
/// (i / inner) % channels.
LogicalResult requantize(Operation *op, ArrayRef<Tensor> parts,
                         const std::optional<std::vector<int64_t>> &bias,
                         ArrayRef<int64_t> multiplier, ArrayRef<int64_t> rshift,
                         bool qdm, int64_t channels, int64_t inner,
                         const Storage &out, bool doRelu, double reluLimit,
                         Tensor &result) {
  auto rq =
      vec::makeRequant(op, multiplier, rshift, qdm, bias ? &*bias : nullptr,
                       channels, out, doRelu, reluLimit);
  if (failed(rq))
    return op->emitOpError() << "has too few multipliers, rshifts or biases "
                                "for "
                             << channels << " channels";
  int64_t n = result.numel();
  SmallVector<const float *, 4> sums;
  for (const Tensor &part : parts)
    sums.push_back(part.ptr());
  vec::requantize(*rq, sums.data(), static_cast<int>(sums.size()),
                  n / std::max<int64_t>(channels * inner, 1), channels, inner,
                  result.ptr());
  return success();
}

template <typename OpT>
LogicalResult runWindowOp(OpT op, KernelArgs &args, StringRef topName,
                          int64_t filterInputAxis) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized) {
    if (failed(runAsTop(op, topName, args)))
      return failure();
    roundToStorage(op.getOutput(), args.out());
    return success();
  }
  Storage in = getStorage(op.getInput());
  Tensor storage;
  const Tensor &x = centered(args.in(0), in.zeroPoint, storage);
  std::vector<Tensor> sums;
  if (failed(accumulateWindow(op, topName, x, args.in(1), filterInputAxis,
                              op.getGroup(), in, args.out().shape, sums)))
    return failure();
  std::optional<std::vector<int64_t>> bias;
  if (args.has(2)) {
    auto raw = readIntWeight(op.getBias());
    if (failed(raw))
      return op.emitOpError("INT8 bias must be a weight");
    bias = std::move(*raw);
  }
  auto shape = args.out().shape;
  int64_t inner = shape[2] * shape[3];
  return requantize(op, sums, bias, *op.getMultiplier(), *op.getRshift(),
                    op.getQuantMode() == "QDM", shape[1], inner, out,
                    op.getDoRelu(), op.getReluLimit().convertToDouble(),
                    args.out());
}

LogicalResult runMatMul(MatMulOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized) {
    if (failed(runAsTop(op, "top.MatMul", args)))
      return failure();
    roundToStorage(op.getOutput(), args.out());
    return success();
  }
  Storage in = getStorage(op.getInput());
  Storage right = getStorage(op.getRight());
  Tensor xStorage, wStorage;
  const Tensor &x = centered(args.in(0), in.zeroPoint, xStorage);
  const Tensor &w = centered(args.in(1), right.zeroPoint, wStorage);
  const Tensor &lhs = args.in(0);
  int64_t k = op.getLeftTranspose() ? lhs.dim(-2) : lhs.dim(-1);
  int64_t perTerm = maxCentered(in) * maxCentered(right);
  int64_t limit = (int64_t(1) << 24) / perTerm;
  SmallVector<NamedAttribute> attrs = accumulationAttrs(op);
  std::vector<Tensor> sums;
  int64_t chunk = lhs.rank() >= 2 && w.rank() >= 2 ? limit : k;
  for (int64_t begin = 0; begin < k; begin += chunk) {
    int64_t end = std::min(k, begin + chunk);
    Tensor xSlice, wSlice;
    if (k > chunk) {
      xSlice =
          sliceAxis(x, x.rank() - (op.getLeftTranspose() ? 2 : 1), begin, end);
      wSlice =
          sliceAxis(w, w.rank() - (op.getRightTranspose() ? 1 : 2), begin, end);
    }
    sums.emplace_back(args.out().shape);
    KernelArgs part;
    part.inputs = {k > chunk ? &xSlice : &x, k > chunk ? &wSlice : &w, nullptr};
    part.outputs = llvm::MutableArrayRef<Tensor>(&sums.back(), 1);
    if (failed(runAsTop(op, "top.MatMul", attrs, part)))
      return failure();
  }
  if (sums.empty()) // k == 0: only the bias
    sums.emplace_back(args.out().shape);
  std::optional<std::vector<int64_t>> bias;
  if (args.has(2)) {
    auto raw = readIntWeight(op.getBias());
    if (failed(raw))
      return op.emitOpError("INT8 bias must be a weight");
    bias = std::move(*raw);
  }
  // Per-column parameters and biases index the last dim.
  int64_t columns = args.out().shape.empty() ? 1 : args.out().shape.back();
  return requantize(op, sums, bias, *op.getMultiplier(), *op.getRshift(),
                    op.getQuantMode() == "QDM", columns, 1, out, op.getDoRelu(),
                    op.getReluLimit().convertToDouble(), args.out());
}

/// INT8 average pooling: the integer window sum times one multiplier.
LogicalResult runAvgPoolInt8(Pool2DOp op, KernelArgs &args) {
  Storage in = getStorage(op.getInput()), out = getStorage(op.getOutput());
  const Tensor &x = args.in(0);
  Tensor &y = args.out();
  auto k = op.getKernelShape(), s = op.getStrides(), p = op.getPads();
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  int64_t oh = y.dim(2), ow = y.dim(3);
  int64_t m = (*op.getMultiplier())[0], shift = (*op.getRshift())[0];
  quantmath::RoundMode mode = getRoundMode(op);
#pragma omp parallel for if (n * c > 8)
  for (int64_t nc = 0; nc < n * c; ++nc) {
    const float *src = x.ptr() + nc * h * w;
    float *dst = y.ptr() + nc * oh * ow;
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        int64_t sum = 0;
        for (int64_t di = 0; di < k[0]; ++di) {
          int64_t r = i * s[0] - p[0] + di;
          if (r < 0 || r >= h)
            continue;
          for (int64_t dj = 0; dj < k[1]; ++dj) {
            int64_t col = j * s[1] - p[1] + dj;
            if (col >= 0 && col < w)
              sum += static_cast<int64_t>(src[r * w + col]) - in.zeroPoint;
          }
        }
        int64_t q = quantmath::applyMultiplierShift(sum, m, shift, mode);
        dst[i * ow + j] = static_cast<float>(
            quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax));
      }
  }
  applyQuantizedRelu(out, op.getDoRelu(), op.getReluLimit().convertToDouble(),
                     y);
  return success();
}

LogicalResult runPool2D(Pool2DOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  bool isMax = op.getPoolMode() == "Max";
  if (out.quantized && !isMax)
    return runAvgPoolInt8(op, args);
  StringRef topName = isMax ? "top.MaxPool" : "top.AvgPool";
  if (!out.quantized) {
    if (failed(runAsTop(op, topName, args)))
      return failure();
    roundToStorage(op.getOutput(), args.out());
    return success();
  }
  // Max of stored codes; relu clamps at the zero point afterwards.
  if (failed(runAsTop(op, topName, accumulationAttrs(op), args)))
    return failure();
  applyQuantizedRelu(out, op.getDoRelu(), op.getReluLimit().convertToDouble(),
                     args.out());
  return success();
}

} // namespace

void registerTpuNNKernels(KernelRegistry &registry) {
  registry.add<Conv2DOp>([](Conv2DOp op, KernelArgs &args) {
    return runWindowOp(op, args, "top.Conv", /*filterInputAxis=*/1);
  });
  registry.add<DeconvOp>([](DeconvOp op, KernelArgs &args) {
    return runWindowOp(op, args, "top.Deconv", /*filterInputAxis=*/0);
  });
  registry.add<MatMulOp>(runMatMul);
  registry.add<Pool2DOp>(runPool2D);
}

} // namespace tpuc::tpu
