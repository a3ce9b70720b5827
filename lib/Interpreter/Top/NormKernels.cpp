//===- NormKernels.cpp - BatchNorm, LayerNorm and Softmax kernels ---------===//
//
// Plain loops: these ops are memory bound and cheap next to the
// convolutions, and loops keep the optional gamma/beta/weight/bias and
// broadcast rules simple. Statistics accumulate in double.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

namespace tpuc {
namespace {

LogicalResult runBatchNorm(top::BatchNormOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  if (input.rank() < 2)
    return op.emitOpError() << "needs an input of rank >= 2, got "
                            << top::shapeToString(input.shape);
  int64_t channels = input.dim(1);
  const char *names[] = {"input", "mean", "variance", "gamma", "beta"};
  for (unsigned i = 1; i < 5; ++i)
    if (args.has(i) && args.in(i).numel() != channels)
      return op.emitOpError() << names[i] << " has " << args.in(i).numel()
                              << " elements, expected " << channels;
  if (!args.has(1) || !args.has(2))
    return op.emitOpError() << "needs mean and variance";
  const Tensor &mean = args.in(1), &variance = args.in(2);
  const Tensor *gamma = args.has(3) ? args.inputs[3] : nullptr;
  const Tensor *beta = args.has(4) ? args.inputs[4] : nullptr;
  double epsilon = op.getEpsilon().convertToDouble();

  // y = x * scale + shift per channel.
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; ++c) {
    double s = 1.0 / std::sqrt(static_cast<double>(variance.data[c]) + epsilon);
    if (gamma)
      s *= gamma->data[c];
    scale[c] = static_cast<float>(s);
    shift[c] =
        static_cast<float>((beta ? beta->data[c] : 0.0) - mean.data[c] * s);
  }
  int64_t planes = input.dim(0) * channels;
  int64_t planeSize = planes ? input.numel() / planes : 0;
#pragma omp parallel for if (input.numel() > 65536)
  for (int64_t p = 0; p < planes; ++p) {
    int64_t c = p % channels;
    const float *in = input.ptr() + p * planeSize;
    float *out = output.ptr() + p * planeSize;
    for (int64_t i = 0; i < planeSize; ++i)
      out[i] = in[i] * scale[c] + shift[c];
  }
  return success();
}

/// `t` broadcast (numpy rules, right-aligned) to `shape`, flattened; fails
/// when it does not broadcast.
FailureOr<std::vector<float>> expandTo(const Tensor &t,
                                       ArrayRef<int64_t> shape) {
  // Leading 1s beyond the target rank carry no data.
  ArrayRef<int64_t> dims(t.shape);
  while (dims.size() > shape.size() && dims.front() == 1)
    dims = dims.drop_front();
  if (dims.size() > shape.size())
    return failure();
  size_t offset = shape.size() - dims.size();
  llvm::SmallVector<int64_t, 4> strides(shape.size(), 0);
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(dims.size()) - 1; i >= 0; --i) {
    if (dims[i] != 1 && dims[i] != shape[offset + i])
      return failure();
    strides[offset + i] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
  int64_t count = Tensor::numelOf(shape);
  std::vector<float> expanded(count);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rest = flat, source = 0;
    for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
      source += (rest % shape[i]) * strides[i];
      rest /= shape[i];
    }
    expanded[flat] = t.data[source];
  }
  return expanded;
}

LogicalResult runLayerNorm(top::LayerNormOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  auto axis = top::normalizeAxis(op, op.getAxis(), input.rank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normShape =
      ArrayRef<int64_t>(input.shape).drop_front(*axis);
  int64_t inner = Tensor::numelOf(normShape);
  if (inner == 0 || input.numel() == 0)
    return success();
  int64_t outer = input.numel() / inner;
  std::vector<float> weight, bias;
  for (auto [index, values, name] : {std::make_tuple(1u, &weight, "weight"),
                                     std::make_tuple(2u, &bias, "bias")}) {
    if (!args.has(index))
      continue;
    auto expanded = expandTo(args.in(index), normShape);
    if (failed(expanded))
      return op.emitOpError()
             << name << " " << top::shapeToString(args.in(index).shape)
             << " does not broadcast to the normalized shape "
             << top::shapeToString(normShape);
    *values = std::move(*expanded);
  }
  double eps = op.getEps().convertToDouble();
#pragma omp parallel for if (input.numel() > 65536)
  for (int64_t o = 0; o < outer; ++o) {
    const float *in = input.ptr() + o * inner;
    float *out = output.ptr() + o * inner;
    double sum = 0.0;
    for (int64_t i = 0; i < inner; ++i)
      sum += in[i];
    double mean = sum / inner;
    double squares = 0.0;
    for (int64_t i = 0; i < inner; ++i)
      squares += (in[i] - mean) * (in[i] - mean);
    double invStd = 1.0 / std::sqrt(squares / inner + eps);
    for (int64_t i = 0; i < inner; ++i) {
      double y = (in[i] - mean) * invStd;
      if (!weight.empty())
        y *= weight[i];
      if (!bias.empty())
        y += bias[i];
      out[i] = static_cast<float>(y);
    }
  }
  return success();
}

LogicalResult runInstanceNorm(top::InstanceNormOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  if (input.rank() < 2)
    return op.emitOpError() << "needs an input of rank >= 2, got "
                            << top::shapeToString(input.shape);
  int64_t channels = input.dim(1);
  for (unsigned i = 1; i < 3; ++i)
    if (args.has(i) && args.in(i).numel() != channels)
      return op.emitOpError()
             << (i == 1 ? "weight" : "bias") << " has " << args.in(i).numel()
             << " elements, expected " << channels;
  const Tensor *weight = args.has(1) ? args.inputs[1] : nullptr;
  const Tensor *bias = args.has(2) ? args.inputs[2] : nullptr;
  double eps = op.getEps().convertToDouble();
  int64_t planes = input.dim(0) * channels;
  int64_t planeSize = planes ? input.numel() / planes : 0;
#pragma omp parallel for if (input.numel() > 65536)
  for (int64_t p = 0; p < planes; ++p) {
    int64_t c = p % channels;
    const float *in = input.ptr() + p * planeSize;
    float *out = output.ptr() + p * planeSize;
    double sum = 0, sumSq = 0;
    for (int64_t i = 0; i < planeSize; ++i)
      sum += in[i];
    double mean = planeSize ? sum / planeSize : 0;
    for (int64_t i = 0; i < planeSize; ++i)
      sumSq += (in[i] - mean) * (in[i] - mean);
    double scale = 1.0 / std::sqrt((planeSize ? sumSq / planeSize : 0) + eps);
    if (weight)
      scale *= weight->data[c];
    double shift = bias ? bias->data[c] : 0.0;
    for (int64_t i = 0; i < planeSize; ++i)
      out[i] = static_cast<float>((in[i] - mean) * scale + shift);
  }
  return success();
}

LogicalResult runSoftmax(top::SoftmaxOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  auto axis = top::normalizeAxis(op, op.getAxis(), input.rank());
  if (failed(axis))
    return failure();
  int64_t length = input.dim(*axis);
  int64_t inner =
      Tensor::numelOf(ArrayRef<int64_t>(input.shape).drop_front(*axis + 1));
  if (input.numel() == 0)
    return success();
  int64_t outer = input.numel() / (length * inner);
  bool logSoftmax = op.getLog();
  // One independent softmax per (outer, inner) pair, strided by `inner`;
  // subtracting the max keeps exp() from overflowing.
#pragma omp parallel for collapse(2) if (input.numel() > 65536)
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float *in = input.ptr() + o * length * inner + i;
      float *out = output.ptr() + o * length * inner + i;
      float maxValue = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < length; ++j)
        maxValue = std::max(maxValue, in[j * inner]);
      double sum = 0.0;
      for (int64_t j = 0; j < length; ++j) {
        float e = std::exp(in[j * inner] - maxValue);
        if (!logSoftmax)
          out[j * inner] = e;
        sum += e;
      }
      if (logSoftmax) {
        float logSum = static_cast<float>(std::log(sum));
        for (int64_t j = 0; j < length; ++j)
          out[j * inner] = in[j * inner] - maxValue - logSum;
      } else {
        float scale = static_cast<float>(1.0 / sum);
        for (int64_t j = 0; j < length; ++j)
          out[j * inner] *= scale;
      }
    }
  }
  return success();
}

} // namespace

void registerTopNormKernels(KernelRegistry &registry) {
  registry.add<top::BatchNormOp>(runBatchNorm);
  registry.add<top::LayerNormOp>(runLayerNorm);
  registry.add<top::InstanceNormOp>(runInstanceNorm);
  registry.add<top::SoftmaxOp>(runSoftmax);
}

} // namespace tpuc
