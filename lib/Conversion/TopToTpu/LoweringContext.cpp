//===- LoweringContext.cpp - Casts, types and weights of the lowering -----===//

#include "Lowering.h"

#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Support/NameList.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace tpuc::tpu {

LoweringContext::LoweringContext(ModuleOp module, const ChipInfo &chip,
                                 QuantMode defaultMode, bool asymmetric,
                                 llvm::StringMap<QuantMode> qtable)
    : module_(module), chip_(chip), defaultMode_(defaultMode),
      floatMode_(getDefaultFloatMode(chip)),
      asymmetric_(asymmetric && chip.hasAsymmetricInt8),
      qtable_(std::move(qtable)), builder_(module.getContext()) {
  module.walk([&](Operation *op) {
    std::string name = top::getOpName(op);
    if (!name.empty())
      usedNames_.insert(name);
  });
  // A module lowered for BM1684X in F32 falls back to F32, not F16.
  if (defaultMode == QuantMode::F32 || defaultMode == QuantMode::BF16 ||
      defaultMode == QuantMode::F16)
    floatMode_ = defaultMode;
}

QuantMode LoweringContext::requestedMode(Operation *op) const {
  QuantMode mode = defaultMode_;
  auto it = qtable_.find(top::getOpName(op));
  if (it != qtable_.end())
    mode = it->second;
  if (mode == QuantMode::F16 && !chip_.hasF16)
    mode = QuantMode::BF16;
  if (mode == QuantMode::F32 && !chip_.hasF32)
    mode = QuantMode::BF16;
  return mode;
}

void LoweringContext::noteFallback(Operation *op, QuantMode mode,
                                   StringRef reason) {
  std::string type = op->getName().stripDialect().str();
  fallbacks_[type].push_back(top::getOpName(op));
  fallbackReasons_[type] = (stringifyQuantMode(mode) + ": " + reason).str();
}

std::string LoweringContext::fallbackSummary() const {
  std::vector<std::string> parts;
  size_t total = 0;
  for (const auto &[type, names] : fallbacks_) {
    total += names.size();
    parts.push_back(type + " x" + std::to_string(names.size()) + " (" +
                    fallbackReasons_.at(type) + "; " +
                    joinFirstNames(names, 3) + ")");
  }
  if (parts.empty())
    return "";
  return std::to_string(total) +
         " ops are not INT8: " + llvm::join(parts, "; ");
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

FloatType LoweringContext::floatType(QuantMode mode) const {
  MLIRContext *ctx = getContext();
  switch (mode) {
  case QuantMode::BF16:
    return BFloat16Type::get(ctx);
  case QuantMode::F16:
    return Float16Type::get(ctx);
  default:
    return Float32Type::get(ctx);
  }
}

quant::UniformQuantizedType LoweringContext::int8Type(double min,
                                                      double max) const {
  if (asymmetric_)
    return getAsymmetricInt8Type(getContext(), min, max);
  double th = std::max(std::fabs(min), std::fabs(max));
  // Non-negative tensors use the whole u8 range where the chip has it.
  bool isUnsigned = !isCV18xx() && min >= 0;
  return getSymmetricInt8Type(getContext(), th, isUnsigned);
}

Type LoweringContext::resultType(Type topType, QuantMode mode) const {
  auto ranked = cast<RankedTensorType>(topType);
  auto range = getCalibratedRange(topType);
  if (mode == QuantMode::INT8) {
    if (!range)
      return nullptr;
    return withElementType(ranked, int8Type(range->first, range->second));
  }
  Type element = floatType(mode);
  if (range)
    element = quant::CalibratedQuantizedType::get(element, range->first,
                                                  range->second);
  return withElementType(ranked, element);
}

quant::UniformQuantizedType LoweringContext::int8TypeOf(Value value) const {
  if (auto q = getUniformType(value))
    return q;
  if (auto range = getCalibratedRange(value))
    return int8Type(range->first, range->second);
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

std::string LoweringContext::uniqueName(StringRef base,
                                        top::WeightStore *store) {
  std::string name = base.str();
  for (int i = 1; usedNames_.contains(name) || (store && store->contains(name));
       ++i)
    name = (base + "_" + llvm::Twine(i)).str();
  usedNames_.insert(name);
  return name;
}

Location LoweringContext::nameLoc(Operation *op, StringRef suffix) {
  return top::makeNameLoc(getContext(), top::getOpName(op) + suffix.str());
}

Value LoweringContext::none() {
  if (!none_) {
    auto main = *module_.getOps<func::FuncOp>().begin();
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(&main.getBody().front());
    none_ = builder_.create<top::NoneOp>(builder_.getUnknownLoc(),
                                         builder_.getNoneType());
  }
  return none_;
}

static std::string typeSuffix(Type type) {
  Type element = getElementType(type);
  if (auto q = dyn_cast<quant::UniformQuantizedType>(element))
    return q.isSigned() ? "i8" : "u8";
  FloatType f = getFloatType(type);
  if (f && f.isBF16())
    return "bf16";
  if (f && f.isF16())
    return "f16";
  return "f32";
}

Value LoweringContext::createCast(Value value, Type type, StringRef suffix) {
  auto key = std::make_pair(value, type);
  auto it = casts_.find(key);
  if (it != casts_.end())
    return it->second;
  std::string name = top::getTensorName(value);
  if (name.empty())
    name = "input";
  std::string unique = uniqueName(name + "_" + suffix.str());
  Value cast = builder_.create<CastOp>(top::makeNameLoc(getContext(), unique),
                                       type, value);
  casts_[key] = cast;
  return cast;
}

FailureOr<Value> LoweringContext::operandIn(Value value, QuantMode mode,
                                            Operation *user) {
  if (!value || isa<NoneType>(value.getType()))
    return value;
  auto ranked = dyn_cast<RankedTensorType>(value.getType());
  if (!ranked)
    return user->emitOpError() << "operand is not a ranked tensor";
  if (mode == QuantMode::INT8) {
    if (isQuantized(value))
      return value;
    if (auto data = weightData(value)) {
      // A constant operand gets its own symmetric scale.
      double th = 0;
      for (float v : *data)
        th = std::max(th, double(std::fabs(v)));
      auto type = getSymmetricInt8Type(getContext(), th);
      std::vector<int64_t> codes;
      for (float v : *data)
        codes.push_back(quantmath::saturateInt8(quantmath::roundToInt(
            v / type.getScale(), quantmath::RoundMode::HalfAwayFromZero)));
      auto array =
          NpyArray::fromFloat(std::vector<float>(codes.begin(), codes.end()),
                              ranked.getShape(), DType::I8);
      return createWeight(top::getTensorName(value), "i8", ranked.getShape(),
                          type, std::move(array));
    }
    auto type = int8TypeOf(value);
    if (!type)
      return user->emitOpError()
             << "computes in INT8 but its input '" << top::getTensorName(value)
             << "' has no calibrated range (is it in the calibration table?)";
    return createCast(value, withElementType(ranked, type),
                      typeSuffix(withElementType(ranked, type)));
  }
  FloatType want = floatType(mode);
  if (auto data = weightData(value))
    return createFloatWeight(top::getTensorName(value),
                             typeSuffix(withElementType(ranked, want)),
                             ranked.getShape(), *data, mode);
  if (getFloatType(value) == want)
    return value;
  // Keep the range so that a later int8 consumer can be fed from the float
  // tensor without losing the calibration.
  Type element = want;
  if (auto q = getUniformType(value))
    element = quant::CalibratedQuantizedType::get(
        want, (q.getStorageTypeMin() - q.getZeroPoint()) * q.getScale(),
        (q.getStorageTypeMax() - q.getZeroPoint()) * q.getScale());
  else if (auto range = getCalibratedRange(value))
    element =
        quant::CalibratedQuantizedType::get(want, range->first, range->second);
  Type type = withElementType(ranked, element);
  return createCast(value, type, typeSuffix(type));
}

FailureOr<Value> LoweringContext::operandAs(Value value,
                                            quant::UniformQuantizedType type,
                                            Operation *user) {
  auto in = operandIn(value, QuantMode::INT8, user);
  if (failed(in))
    return failure();
  auto inType = getUniformType(*in);
  if (inType == type)
    return *in;
  auto ranked = cast<RankedTensorType>(in->getType());
  auto key = std::make_pair(*in, Type(withElementType(ranked, type)));
  auto it = casts_.find(key);
  if (it != casts_.end())
    return it->second;
  // Requantize with an int8 multiplier, zero points handled by the op.
  double qscale = inType.getScale() / type.getScale();
  auto params = quantmath::getInt8MultiplierShift(qscale);
  Value out = builder_.create<RequantOp>(
      top::makeNameLoc(getContext(),
                       uniqueName(top::getTensorName(*in) + "_requant")),
      withElementType(ranked, type), *in,
      builder_.getDenseI64ArrayAttr({params.multiplier}),
      builder_.getDenseI64ArrayAttr({params.rshift}),
      builder_.getStringAttr("MultiplierShift"),
      builder_.getStringAttr("HalfAwayFromZero"));
  casts_[key] = out;
  return out;
}

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

bool LoweringContext::isWeight(Value value) const {
  return value && value.getDefiningOp<top::WeightOp>();
}

std::optional<std::vector<float>>
LoweringContext::weightData(Value value) const {
  auto weight = value ? value.getDefiningOp<top::WeightOp>() : nullptr;
  if (!weight)
    return std::nullopt;
  // Only f32 weights are original data; lowered ones (int8, bf16) are read
  // by their own ops.
  if (!getElementType(weight.getOutput()).isF32())
    return std::nullopt;
  auto data = top::readWeightAsFloat(weight);
  if (failed(data))
    return std::nullopt;
  return std::move(*data);
}

Value LoweringContext::createWeight(StringRef base, StringRef suffix,
                                    ArrayRef<int64_t> shape, Type element,
                                    NpyArray array) {
  std::string name =
      uniqueName((base + "_" + suffix).str(), top::getWeightStore(module_));
  return tpu::createWeight(builder_, module_, name, shape, element,
                           std::move(array));
}

Value LoweringContext::createFloatWeight(StringRef base, StringRef suffix,
                                         ArrayRef<int64_t> shape,
                                         ArrayRef<float> data, QuantMode mode) {
  NpyArray array = mode == QuantMode::BF16  ? makeBf16Array(data)
                   : mode == QuantMode::F16 ? makeF16Array(data)
                                            : NpyArray::fromFloat(data, shape);
  return createWeight(base, suffix, shape, floatType(mode), std::move(array));
}

Value LoweringContext::createInt8Weight(StringRef base, StringRef suffix,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> data,
                                        bool isUnsigned) {
  Type element = IntegerType::get(getContext(), 8,
                                  isUnsigned ? IntegerType::Unsigned
                                             : IntegerType::Signed);
  return createWeight(base, suffix, shape, element,
                      makeInt8Array(data, isUnsigned));
}

Value LoweringContext::createInt32Weight(StringRef base, StringRef suffix,
                                         ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> data) {
  Type element = IntegerType::get(getContext(), 32, IntegerType::Signed);
  return createWeight(base, suffix, shape, element, makeInt32Array(data));
}

double quantizedReluLimit(double limit, quant::UniformQuantizedType type) {
  return limit < 0 ? -1.0
                   : std::round(limit / type.getScale()) + type.getZeroPoint();
}

} // namespace tpuc::tpu
