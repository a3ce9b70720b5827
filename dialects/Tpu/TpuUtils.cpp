//===- TpuUtils.cpp - Storage types and chips of Tpu tensors --------------===//

#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;

namespace tpuc::tpu {

const ChipInfo *getChip(ModuleOp module) {
  auto chip = module->getAttrOfType<StringAttr>(top::TopDialect::kChipAttr);
  return chip ? lookupChip(chip.getValue()) : nullptr;
}

const ChipInfo *getChip(Operation *op) {
  auto module =
      isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
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

quant::UniformQuantizedType
getSymmetricInt8Type(MLIRContext *ctx, double threshold, bool isUnsigned) {
  // A zero threshold (a tensor that is always 0) still needs a positive
  // scale; any value represents it exactly.
  double th = threshold > 0 ? threshold : 1e-5;
  Type f32 = Float32Type::get(ctx);
  if (isUnsigned)
    return quant::UniformQuantizedType::get(0, IntegerType::get(ctx, 8), f32,
                                            th / 255.0, 0, 0, 255);
  return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                          IntegerType::get(ctx, 8), f32,
                                          th / 127.0, 0, -128, 127);
}

quant::UniformQuantizedType getAsymmetricInt8Type(MLIRContext *ctx, double min,
                                                  double max) {
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

static NpyArray makeU16Array(DType dtype, llvm::ArrayRef<float> values,
                             uint16_t (*encode)(float)) {
  NpyArray array;
  array.dtype = dtype;
  array.shape = {static_cast<int64_t>(values.size())};
  array.bytes.resize(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t bits = encode(values[i]);
    std::memcpy(&array.bytes[2 * i], &bits, 2);
  }
  return array;
}

NpyArray makeBf16Array(llvm::ArrayRef<float> values) {
  return makeU16Array(DType::U16, values, floatToBf16);
}

NpyArray makeF16Array(llvm::ArrayRef<float> values) {
  return makeU16Array(DType::F16, values, floatToHalf);
}

NpyArray makeInt8Array(llvm::ArrayRef<int64_t> values, bool isUnsigned) {
  std::vector<float> data(values.begin(), values.end());
  return NpyArray::fromFloat(data, {static_cast<int64_t>(values.size())},
                             isUnsigned ? DType::U8 : DType::I8);
}

NpyArray makeInt32Array(llvm::ArrayRef<int64_t> values) {
  // int32 values above 2^24 do not survive a trip through float.
  NpyArray array;
  array.dtype = DType::I32;
  array.shape = {static_cast<int64_t>(values.size())};
  array.bytes.resize(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t v = std::clamp<int64_t>(values[i], INT32_MIN, INT32_MAX);
    int32_t narrow = static_cast<int32_t>(v);
    std::memcpy(&array.bytes[4 * i], &narrow, 4);
  }
  return array;
}

/// Values of an array by value (bf16/f16 bits decoded), for inline weights.
static std::vector<float> decodeValues(const NpyArray &array) {
  if (array.dtype != DType::U16 && array.dtype != DType::F16)
    return array.toFloat();
  std::vector<float> values(array.numel());
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t bits;
    std::memcpy(&bits, &array.bytes[2 * i], 2);
    values[i] =
        array.dtype == DType::U16 ? bf16ToFloat(bits) : halfToFloat(bits);
  }
  return values;
}

Value createWeight(OpBuilder &builder, ModuleOp module, StringRef name,
                   ArrayRef<int64_t> shape, Type element, NpyArray array) {
  MLIRContext *ctx = module.getContext();
  array.shape.assign(shape.begin(), shape.end());
  auto type = RankedTensorType::get(shape, element);
  top::WeightStore *store = top::getWeightStore(module);
  if (!store) {
    ElementsAttr attr;
    if (array.dtype == DType::I32) {
      // Exact, unlike a float: biases use all 32 bits.
      std::vector<int32_t> values(array.numel());
      std::memcpy(values.data(), array.bytes.data(), values.size() * 4);
      attr = cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get(shape, IntegerType::get(ctx, 32)),
          llvm::ArrayRef(values)));
    } else {
      std::vector<float> values = decodeValues(array);
      attr = cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get(shape, Float32Type::get(ctx)),
          llvm::ArrayRef(values)));
    }
    return builder.create<top::WeightOp>(top::makeNameLoc(ctx, name), type,
                                         attr);
  }
  store->set(name, std::move(array));
  return builder.create<top::WeightOp>(top::makeNameLoc(ctx, name), type,
                                       ElementsAttr());
}

} // namespace tpuc::tpu
