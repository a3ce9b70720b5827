//===- TopFlops.cpp - FLOPs of compute-heavy Top ops ----------------------===//
//
// A multiply-add counts as two FLOPs. The count needs static shapes: ops with
// unknown dims report 0 rather than a guess (run --shape-infer first).
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"

using namespace mlir;
using namespace tpuc::top;

namespace {

/// Element count of a statically shaped value, or nullopt.
std::optional<int64_t> staticElements(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return type.getNumElements();
}

int64_t product(ArrayRef<int64_t> values) {
  int64_t n = 1;
  for (int64_t v : values)
    n *= v;
  return n;
}

bool hasBias(Value bias) { return isa<RankedTensorType>(bias.getType()); }

template <typename PoolOpT> int64_t poolFlops(PoolOpT op) {
  std::optional<int64_t> out = staticElements(op.getOutput());
  if (!out)
    return 0;
  return *out * product(op.getKernelShape());
}

} // namespace

int64_t ConvOp::getFLOPs() {
  std::optional<int64_t> out = staticElements(getOutput());
  int64_t inPerGroup = getFilter().getType().getDimSize(1);
  if (!out || ShapedType::isDynamic(inPerGroup))
    return 0;
  // Each output element accumulates over ic/group x kernel inputs.
  int64_t macs = *out * inPerGroup * product(getKernelShape());
  return 2 * macs + (hasBias(getBias()) ? *out : 0);
}

int64_t DeconvOp::getFLOPs() {
  std::optional<int64_t> in = staticElements(getInput());
  std::optional<int64_t> out = staticElements(getOutput());
  int64_t outPerGroup = getFilter().getType().getDimSize(1);
  if (!in || !out || ShapedType::isDynamic(outPerGroup))
    return 0;
  // Each input element is scattered into oc/group x kernel outputs.
  int64_t macs = *in * outPerGroup * product(getKernelShape());
  return 2 * macs + (hasBias(getBias()) ? *out : 0);
}

int64_t MatMulOp::getFLOPs() {
  std::optional<int64_t> out = staticElements(getOutput());
  ArrayRef<int64_t> lhs = getInput().getType().getShape();
  if (!out || lhs.empty())
    return 0;
  int64_t k =
      getLeftTranspose() && lhs.size() >= 2 ? lhs[lhs.size() - 2] : lhs.back();
  if (ShapedType::isDynamic(k))
    return 0;
  // Output elements are batch x M x N, each a K-long dot product.
  return 2 * *out * k + (hasBias(getBias()) ? *out : 0);
}

int64_t MaxPoolOp::getFLOPs() { return poolFlops(*this); }

int64_t AvgPoolOp::getFLOPs() { return poolFlops(*this); }

int64_t MaxPoolWithIndicesOp::getFLOPs() { return poolFlops(*this); }

int64_t ReduceOp::getFLOPs() {
  // Every input element is combined once.
  return staticElements(getInput()).value_or(0);
}
