//===- TpuUtils.cpp - Storage types and chips of Tpu tensors --------------===//

#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Dialect/Top/TopOps.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace tpuc::tpu {

const ChipInfo *getChip(ModuleOp module) {
  auto chip = module->getAttrOfType<StringAttr>(top::TopDialect::kChipAttr);
  return chip ? lookupChip(chip.getValue()) : nullptr;
}

const ChipInfo *getChip(Operation *op) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op)
                                  : op->getParentOfType<ModuleOp>();
  return module ? getChip(module) : nullptr;
}

std::optional<QuantMode> getMode(ModuleOp module) {
  auto mode = module->getAttrOfType<StringAttr>(top::TopDialect::kModeAttr);
  return mode ? symbolizeQuantMode(mode.getValue()) : std::nullopt;
}

bool isAsymmetric(ModuleOp module) {
  auto flag = module->getAttrOfType<BoolAttr>(top::TopDialect::kAsymmetricAttr);
  return flag && flag.getValue();
}

Type getElementType(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType();
  return type;
}

quant::UniformQuantizedType getUniformType(Type type) {
  return dyn_cast<quant::UniformQuantizedType>(getElementType(type));
}

FloatType getFloatType(Type type) {
  Type element = getElementType(type);
  if (auto calibrated = dyn_cast<quant::CalibratedQuantizedType>(element))
    element = calibrated.getExpressedType();
  return dyn_cast<FloatType>(element);
}

std::optional<std::pair<double, double>> getCalibratedRange(Type type) {
  auto calibrated =
      dyn_cast<quant::CalibratedQuantizedType>(getElementType(type));
  if (!calibrated)
    return std::nullopt;
  return std::make_pair(calibrated.getMin(), calibrated.getMax());
}

quant::UniformQuantizedType getSymmetricInt8Type(MLIRContext *ctx,
                                                 double threshold,
                                                 bool isUnsigned) {
  // A zero threshold (a tensor that is always 0) still needs a positive
  // scale; any value represents it exactly.
  double th = threshold > 0 ? threshold : 1e-5;
  Type f32 = Float32Type::get(ctx);
  if (isUnsigned)
    return quant::UniformQuantizedType::get(
        0, IntegerType::get(ctx, 8), f32, th / 255.0, 0, 0, 255);
  return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                          IntegerType::get(ctx, 8), f32,
                                          th / 127.0, 0, -128, 127);
}

quant::UniformQuantizedType getAsymmetricInt8Type(MLIRContext *ctx,
                                                  double min, double max) {
  // The range must contain 0 so that zero padding is exact.
  min = std::min(min, 0.0);
  max = std::max(max, 0.0);
  if (max - min < 1e-5)
    max = min + 1e-5;
  bool isUnsigned = min >= 0;
  int64_t qmin = isUnsigned ? 0 : -128, qmax = isUnsigned ? 255 : 127;
  double scale = (max - min) / double(qmax - qmin);
  double zeroPoint = qmin - min / scale;
  int64_t zp = static_cast<int64_t>(std::round(zeroPoint));
  zp = std::clamp<int64_t>(zp, qmin, qmax);
  Type f32 = Float32Type::get(ctx);
  return quant::UniformQuantizedType::get(
      isUnsigned ? 0 : quant::QuantizationFlags::Signed,
      IntegerType::get(ctx, 8), f32, scale, zp, qmin, qmax);
}

RankedTensorType withElementType(Type type, Type element) {
  auto ranked = cast<RankedTensorType>(type);
  return RankedTensorType::get(ranked.getShape(), element);
}

bool isInt8Storage(Type type) {
  Type element = getElementType(type);
  if (auto q = dyn_cast<quant::UniformQuantizedType>(element))
    return q.getStorageTypeIntegralWidth() == 8;
  return element.isInteger(8);
}

} // namespace tpuc::tpu
