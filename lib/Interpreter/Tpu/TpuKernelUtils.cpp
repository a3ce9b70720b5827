//===- TpuKernelUtils.cpp - Helpers shared by the Tpu kernels -------------===//

#include "TpuKernelUtils.h"
#include "TpuVector.h"

#include "tpuc/Dialect/Top/TopWeights.h"

#include <cmath>
#include <cstring>
#include <tuple>

using namespace mlir;

namespace tpuc::tpu {

float Storage::store(double value) const {
  if (quantized) {
    if (std::isnan(value))
      return static_cast<float>(zeroPoint);
    double clamped = std::min(std::max(value, double(qmin)), double(qmax));
    return static_cast<float>(
        quantmath::roundToInt(clamped, quantmath::RoundMode::HalfAwayFromZero));
  }
  if (integer)
    return static_cast<float>(std::trunc(value));
  float f = static_cast<float>(value);
  if (bf16)
    return quantmath::roundToBf16(f);
  if (f16)
    return quantmath::roundToF16(f);
  return f;
}

Storage getStorage(Value value) {
  Storage s;
  if (auto q = getUniformType(value)) {
    s.quantized = true;
    s.scale = q.getScale();
    s.zeroPoint = q.getZeroPoint();
    s.qmin = q.getStorageTypeMin();
    s.qmax = q.getStorageTypeMax();
    return s;
  }
  if (FloatType f = getFloatType(value)) {
    s.bf16 = f.isBF16();
    s.f16 = f.isF16();
    return s;
  }
  s.integer = isa<IntegerType>(getElementType(value));
  return s;
}

void roundToStorage(Value value, Tensor &tensor) {
  Storage s = getStorage(value);
  if (!s.quantized && !s.bf16 && !s.f16 && !s.integer)
    return;
  vec::store(s, tensor.ptr(), tensor.ptr(), tensor.numel());
}

LogicalResult runAsTop(Operation *op, StringRef topName,
                       ArrayRef<NamedAttribute> attrs, KernelArgs &args) {
  const KernelFn *kernel = getKernelRegistry().lookup(topName);
  if (!kernel)
    return op->emitOpError() << "has no " << topName << " kernel to run on";
  // The shadow op reads block arguments of the operand types, so that it
  // never appears among the users of the real values.
  Block block;
  SmallVector<Value> operands;
  for (Value operand : op->getOperands())
    operands.push_back(block.addArgument(operand.getType(), op->getLoc()));
  OperationState state(op->getLoc(), topName);
  state.addOperands(operands);
  state.addTypes(op->getResultTypes());
  state.addAttributes(attrs);
  Operation *shadow = Operation::create(state);
  block.push_back(shadow);
  LogicalResult result = (*kernel)(shadow, args);
  return result;
}

LogicalResult runAsTop(Operation *op, StringRef topName, KernelArgs &args) {
  return runAsTop(op, topName, op->getAttrs(), args);
}

quantmath::RoundMode getRoundMode(Operation *op) {
  if (auto mode = op->getAttrOfType<StringAttr>("round_mode"))
    if (auto parsed = quantmath::symbolizeRoundMode(mode.getValue()))
      return *parsed;
  return quantmath::RoundMode::HalfAwayFromZero;
}

void applyQuantizedRelu(const Storage &storage, bool doRelu, double reluLimit,
                        Tensor &tensor) {
  if (!doRelu)
    return;
  float lo = static_cast<float>(storage.zeroPoint);
  float hi = static_cast<float>(storage.qmax);
  if (reluLimit >= 0)
    hi = std::min(hi, static_cast<float>(std::round(reluLimit / storage.scale) +
                                         storage.zeroPoint));
  float *data = tensor.ptr();
  int64_t n = tensor.numel();
#pragma omp parallel for if (n > (1 << 16))
  for (int64_t i = 0; i < n; ++i)
    data[i] = std::min(std::max(data[i], lo), hi);
}

namespace vec {
FailureOr<Requant> makeRequant(Operation *op, ArrayRef<int64_t> multiplier,
                               ArrayRef<int64_t> rshift, bool qdm,
                               const std::vector<int64_t> *bias,
                               int64_t channels, const Storage &out,
                               bool doRelu, double reluLimit) {
  bool perChannel = multiplier.size() > 1;
  size_t needed = perChannel ? static_cast<size_t>(channels) : 1;
  if (multiplier.size() < needed || rshift.size() < needed ||
      (bias && bias->size() != 1 && bias->size() < size_t(channels)))
    return failure();
  Requant rq;
  rq.qdm = qdm;
  rq.mode = getRoundMode(op);
  rq.zeroPoint = out.zeroPoint;
  rq.qmin = out.qmin;
  rq.qmax = out.qmax;
  for (int64_t c = 0; c < channels; ++c) {
    size_t k = perChannel ? c : 0;
    rq.multiplier.push_back(multiplier[k]);
    rq.rshift.push_back(rshift[k]);
    rq.bias.push_back(!bias ? 0 : (*bias)[bias->size() == 1 ? 0 : c]);
  }
  std::tie(rq.lo, rq.hi) = reluBounds(out, doRelu, reluLimit);
  return rq;
}

std::pair<int64_t, int64_t> reluBounds(const Storage &out, bool doRelu,
                                       double reluLimit) {
  if (!doRelu)
    return {out.qmin, out.qmax};
  // applyQuantizedRelu's bounds, which are floats holding integers.
  float lo = static_cast<float>(out.zeroPoint);
  float hi = static_cast<float>(out.qmax);
  if (reluLimit >= 0)
    hi = std::min(hi, static_cast<float>(std::round(reluLimit / out.scale) +
                                         out.zeroPoint));
  return {static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
}
} // namespace vec

FailureOr<std::vector<int64_t>> readIntWeight(Value value) {
  auto weight = value.getDefiningOp<top::WeightOp>();
  if (!weight)
    return failure();
  auto array = top::readWeight(weight);
  if (failed(array))
    return failure();
  std::vector<int64_t> out(array->numel());
  if (array->dtype == DType::I32) {
    for (size_t i = 0; i < out.size(); ++i) {
      int32_t v;
      std::memcpy(&v, &array->bytes[4 * i], 4);
      out[i] = v;
    }
    return out;
  }
  if (array->dtype == DType::I64) {
    std::memcpy(out.data(), array->bytes.data(), out.size() * 8);
    return out;
  }
  std::vector<float> values = array->toFloat();
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<int64_t>(std::llround(values[i]));
  return out;
}

} // namespace tpuc::tpu
