//===- TpuVerifiers.cpp - Type and quantization checks of Tpu ops ---------===//
//
// A Tpu op is either INT8 (its result has a uniform quantized type) or float
// (bf16, f16 or f32). The checks here tie the integer parameters to that
// choice and to the chip in `top.chip`, so that a hand-written or corrupted
// module is rejected with a message instead of computing garbage.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"

using namespace mlir;

namespace tpuc::tpu {
namespace {

bool isNone(Value v) { return !v || isa<NoneType>(v.getType()); }

/// Element types every Tpu tensor may have on the module's chip.
LogicalResult verifyChipTypes(Operation *op) {
  const ChipInfo *chip = getChip(op);
  if (!chip)
    return success();
  auto check = [&](Type type, StringRef what) -> LogicalResult {
    Type element = getElementType(type);
    if (auto q = dyn_cast<quant::UniformQuantizedType>(element)) {
      if (chip->family == ChipFamily::CV18xx && q.getZeroPoint() != 0)
        return op->emitOpError()
               << what << " has zero point " << q.getZeroPoint() << " but "
               << chip->name << " computes symmetric int8 only";
      return success();
    }
    FloatType f = getFloatType(type);
    if (f && f.isF16() && !chip->hasF16)
      return op->emitOpError()
             << what << " is f16 but " << chip->name << " has no f16 unit";
    // f32 tensors on CV18xx exist only at the model boundary: the inputs
    // and outputs of casts.
    if (f && f.isF32() && !chip->hasF32 && !isa<CastOp>(op))
      return op->emitOpError() << what << " is f32 but " << chip->name
                               << " computes f32 only in casts at the model "
                                  "boundary";
    return success();
  };
  for (Value result : op->getResults())
    if (failed(check(result.getType(), "result")))
      return failure();
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    // Weights are checked by the ops that read them (f32 biases are fine).
    if (isNone(operand) || operand.getDefiningOp<top::WeightOp>())
      continue;
    if (failed(check(operand.getType(), "operand #" + std::to_string(i))))
      return failure();
  }
  return success();
}

/// INT8 ops need integer activations; float ops the result's float type.
LogicalResult verifyActivation(Operation *op, Value operand, StringRef what) {
  bool int8 = isQuantized(op->getResult(0));
  if (int8) {
    if (!isInt8Storage(operand.getType()))
      return op->emitOpError()
             << "is INT8 but its " << what << " is " << getElementType(operand)
             << ", not an int8 type";
    return success();
  }
  FloatType want = getFloatType(op->getResult(0));
  if (!want)
    return op->emitOpError()
           << "result type " << getElementType(op->getResult(0))
           << " is neither int8 nor bf16/f16/f32";
  FloatType got = getFloatType(operand);
  if (got != want)
    return op->emitOpError() << "computes in " << want << " but its " << what
                             << " is " << getElementType(operand);
  return success();
}

/// Per-channel (or single) requantization parameters of INT8 compute ops.
LogicalResult verifyRequant(Operation *op, std::optional<ArrayRef<int64_t>> mul,
                            std::optional<ArrayRef<int64_t>> shift,
                            StringRef quantMode, int64_t channels) {
  bool int8 = isQuantized(op->getResult(0));
  if (!int8) {
    if (mul || shift)
      return op->emitOpError(
          "has multiplier/rshift but computes in a float type");
    return success();
  }
  if (!mul || !shift)
    return op->emitOpError("is INT8 but has no multiplier/rshift");
  if (mul->size() != shift->size())
    return op->emitOpError() << "has " << mul->size() << " multipliers but "
                             << shift->size() << " shifts";
  if (mul->size() != 1 && static_cast<int64_t>(mul->size()) != channels)
    return op->emitOpError() << "has " << mul->size()
                             << " multipliers, expected 1 or " << channels;
  bool qdm = quantMode == "QDM";
  // BM1684X applies QDM scales >= 1 with a left shift (a negative rshift);
  // CV18xx has none.
  const ChipInfo *chip = getChip(op);
  int64_t minShift =
      qdm && (!chip || chip->family != ChipFamily::CV18xx) ? -31 : 0;
  for (auto [m, s] : llvm::zip(*mul, *shift)) {
    if (s < minShift || s > 63)
      return op->emitOpError()
             << "rshift " << s << " is outside [" << minShift << ", 63]";
    if (qdm && (m < 0 || m > INT32_MAX))
      return op->emitOpError()
             << "QDM multiplier " << m << " is outside [0, 2^31)";
    if (!qdm && (m < -128 || m > 127))
      return op->emitOpError()
             << "multiplier " << m << " does not fit the int8 multiplier";
  }
  return success();
}

LogicalResult verifyConvLike(Operation *op, Value input, Value filter,
                             Value bias, int64_t outChannels,
                             std::optional<ArrayRef<int64_t>> mul,
                             std::optional<ArrayRef<int64_t>> shift,
                             StringRef quantMode) {
  if (failed(verifyChipTypes(op)) ||
      failed(verifyActivation(op, input, "input")))
    return failure();
  auto inType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  if (inType.getRank() != 4 || filterType.getRank() != 4)
    return op->emitOpError() << "needs rank-4 input and filter, got "
                             << top::shapeToString(inType.getShape()) << " and "
                             << top::shapeToString(filterType.getShape());
  bool int8 = isQuantized(op->getResult(0));
  Type filterElement = getElementType(filter);
  if (int8) {
    if (!isInt8Storage(filter.getType()))
      return op->emitOpError()
             << "is INT8 but its filter is " << filterElement << ", not si8";
    if (!isNone(bias) && !getElementType(bias).isInteger(32))
      return op->emitOpError() << "is INT8 but its bias is "
                               << getElementType(bias) << ", not si32";
  } else {
    FloatType want = getFloatType(op->getResult(0));
    if (getFloatType(filter) != want)
      return op->emitOpError() << "computes in " << want
                               << " but its filter is " << filterElement;
    if (!isNone(bias) && !getFloatType(bias))
      return op->emitOpError()
             << "bias must be float, got " << getElementType(bias);
  }
  if (!isNone(bias) &&
      cast<ShapedType>(bias.getType()).getNumElements() != outChannels)
    return op->emitOpError()
           << "bias has " << cast<ShapedType>(bias.getType()).getNumElements()
           << " elements, expected " << outChannels;
  return verifyRequant(op, mul, shift, quantMode, outChannels);
}

/// Ops whose operands are all activations computed like the result.
LogicalResult verifyPlainOperands(Operation *op, unsigned count = ~0u) {
  if (failed(verifyChipTypes(op)))
    return failure();
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    if (i >= count)
      break;
    if (failed(verifyActivation(op, operand, "operand #" + std::to_string(i))))
      return failure();
  }
  return success();
}

/// Data movement: the result has the input's exact element type (scale and
/// zero point included), so stored values move unchanged.
LogicalResult verifySameElementType(Operation *op, Value input) {
  if (failed(verifyChipTypes(op)))
    return failure();
  Type in = getElementType(input), out = getElementType(op->getResult(0));
  if (isQuantized(input) || isQuantized(op->getResult(0))) {
    if (in != out)
      return op->emitOpError() << "moves data, so its result type " << out
                               << " must equal its input's " << in;
    return success();
  }
  if (getFloatType(input) != getFloatType(op->getResult(0)))
    return op->emitOpError() << "moves data, so its result type " << out
                             << " must be its input's " << in;
  return success();
}

/// Int8 multipliers of multi-input ops, one per input.
LogicalResult verifyMultiInput(Operation *op,
                               std::optional<ArrayRef<int64_t>> multipliers,
                               int64_t rshift, size_t inputs) {
  if (failed(verifyPlainOperands(op)))
    return failure();
  bool int8 = isQuantized(op->getResult(0));
  if (!int8) {
    if (multipliers)
      return op->emitOpError("has multipliers but computes in a float type");
    return success();
  }
  if (!multipliers || multipliers->size() != inputs)
    return op->emitOpError()
           << "is INT8 and needs " << inputs << " multipliers";
  for (int64_t m : *multipliers)
    if (m < -128 || m > 127)
      return op->emitOpError()
             << "multiplier " << m << " does not fit the int8 multiplier";
  if (rshift < 0 || rshift > 31)
    return op->emitOpError() << "rshift " << rshift << " is outside [0, 31]";
  return success();
}

LogicalResult verifyFloatOnly(Operation *op) {
  if (isQuantized(op->getResult(0)))
    return op->emitOpError("computes in float modes only, not INT8");
  return verifyPlainOperands(op);
}

} // namespace

//===----------------------------------------------------------------------===//
// NN ops
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  auto filter = cast<RankedTensorType>(getFilter().getType());
  if (getKernelShape().size() != 2 || getStrides().size() != 2 ||
      getDilations().size() != 2 || getPads().size() != 4)
    return emitOpError("needs 2 kernel/stride/dilation values and 4 pads");
  if (static_cast<int64_t>(getGroup()) < 1)
    return emitOpError("group must be positive");
  return verifyConvLike(*this, getInput(), getFilter(), getBias(),
                        filter.getRank() ? filter.getDimSize(0) : 0,
                        getMultiplier(), getRshift(), getQuantMode());
}

LogicalResult DeconvOp::verify() {
  if (getKernelShape().size() != 2 || getStrides().size() != 2 ||
      getDilations().size() != 2 || getPads().size() != 4)
    return emitOpError("needs 2 kernel/stride/dilation values and 4 pads");
  if (static_cast<int64_t>(getGroup()) < 1)
    return emitOpError("group must be positive");
  auto out = cast<RankedTensorType>(getOutput().getType());
  return verifyConvLike(*this, getInput(), getFilter(), getBias(),
                        out.getRank() == 4 ? out.getDimSize(1) : 0,
                        getMultiplier(), getRshift(), getQuantMode());
}

LogicalResult MatMulOp::verify() {
  if (failed(verifyChipTypes(*this)) ||
      failed(verifyActivation(*this, getInput(), "input")))
    return failure();
  bool int8 = isQuantized(getOutput());
  if (int8 && !isInt8Storage(getRight().getType()))
    return emitOpError() << "is INT8 but its right operand is "
                         << getElementType(getRight());
  if (!int8 && getFloatType(getRight()) != getFloatType(getOutput()))
    return emitOpError() << "computes in " << getFloatType(getOutput())
                         << " but its right operand is "
                         << getElementType(getRight());
  if (int8 && !isNone(getBias()) && !getElementType(getBias()).isInteger(32))
    return emitOpError() << "is INT8 but its bias is "
                         << getElementType(getBias());
  auto out = cast<RankedTensorType>(getOutput().getType());
  int64_t columns = out.getRank() ? out.getShape().back() : 1;
  return verifyRequant(*this, getMultiplier(), getRshift(), getQuantMode(),
                       columns);
}

LogicalResult Pool2DOp::verify() {
  if (getKernelShape().size() != 2 || getStrides().size() != 2 ||
      getPads().size() != 4)
    return emitOpError("needs 2 kernel/stride values and 4 pads");
  if (cast<RankedTensorType>(getInput().getType()).getRank() != 4)
    return emitOpError("needs a rank-4 input");
  if (auto dilations = getDilations()) {
    if (dilations->size() != 2 ||
        llvm::any_of(*dilations, [](int64_t d) { return d < 1; }))
      return emitOpError("needs 2 positive dilations");
    if (getPoolMode() != "Max")
      return emitOpError("dilations apply to max pooling only");
  }
  if (getPoolMode() == "Max") {
    if (getMultiplier() || getRshift())
      return emitOpError("max pooling takes no multiplier/rshift");
    return verifySameElementType(*this, getInput());
  }
  if (failed(verifyPlainOperands(*this)))
    return failure();
  return verifyRequant(*this, getMultiplier(), getRshift(), getQuantMode(), 1);
}

LogicalResult SoftmaxOp::verify() {
  if (isQuantized(getOutput()))
    return emitOpError("computes in float modes only, not INT8");
  if (failed(verifyChipTypes(*this)) ||
      failed(verifyActivation(*this, getInput(), "input")))
    return failure();
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  // I64Attr getters return uint64_t: compare as signed.
  auto axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range";
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult AddOp::verify() {
  return verifyMultiInput(*this, getMultipliers(), getRshift(), 2);
}
LogicalResult SubOp::verify() {
  return verifyMultiInput(*this, getMultipliers(), getRshift(), 2);
}
LogicalResult MulOp::verify() {
  if (failed(verifyPlainOperands(*this)))
    return failure();
  return verifyRequant(*this, getMultiplier(), getRshift(), getQuantMode(), 1);
}
LogicalResult DivOp::verify() { return verifyFloatOnly(*this); }
LogicalResult PowTensorOp::verify() { return verifyFloatOnly(*this); }

/// Max/Min/Compare in INT8 compare stored integers, which is only meaningful
/// when both inputs have one scale.
static LogicalResult verifySameScaleInputs(Operation *op) {
  if (failed(verifyPlainOperands(op)))
    return failure();
  if (isQuantized(op->getOperand(0)) &&
      getElementType(op->getOperand(0)) != getElementType(op->getOperand(1)))
    return op->emitOpError()
           << "compares stored int8 values, so both inputs need one type; "
              "got "
           << getElementType(op->getOperand(0)) << " and "
           << getElementType(op->getOperand(1));
  return success();
}

LogicalResult MaxOp::verify() { return verifySameScaleInputs(*this); }
LogicalResult MinOp::verify() { return verifySameScaleInputs(*this); }
LogicalResult CompareOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  if (isQuantized(getLhs()) &&
      getElementType(getLhs()) != getElementType(getRhs()))
    return emitOpError() << "compares stored int8 values, so both inputs "
                            "need one type; got "
                         << getElementType(getLhs()) << " and "
                         << getElementType(getRhs());
  return success();
}

LogicalResult WhereOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  if (failed(verifyActivation(*this, getX(), "x")) ||
      failed(verifyActivation(*this, getY(), "y")))
    return failure();
  return success();
}

LogicalResult MulConstOp::verify() {
  if (failed(verifyPlainOperands(*this)))
    return failure();
  return verifyRequant(*this, getMultiplier(), getRshift(), getQuantMode(), 1);
}

LogicalResult AddConstOp::verify() { return verifyFloatOnly(*this); }

LogicalResult ReluOp::verify() {
  return verifySameElementType(*this, getInput());
}

LogicalResult PReluOp::verify() {
  if (failed(verifyChipTypes(*this)) ||
      failed(verifyActivation(*this, getInput(), "input")))
    return failure();
  auto in = cast<RankedTensorType>(getInput().getType());
  int64_t channels = in.getRank() >= 2 ? in.getDimSize(1) : 1;
  if (cast<ShapedType>(getSlope().getType()).getNumElements() != channels)
    return emitOpError() << "slope needs " << channels << " values";
  if (isQuantized(getOutput()) && !isInt8Storage(getSlope().getType()))
    return emitOpError("is INT8 but its slope is not si8");
  auto rshift = static_cast<int64_t>(getRshift());
  auto rshiftPos = static_cast<int64_t>(getRshiftPos());
  if (rshift < 0 || rshift > 31 || rshiftPos < 0 || rshiftPos > 31)
    return emitOpError("shifts must lie in [0, 31]");
  return success();
}

LogicalResult ActiveOp::verify() {
  if (failed(verifyFloatOnly(*this)))
    return failure();
  size_t want = 0;
  StringRef mode = getMode();
  if (mode == "HardSigmoid" || mode == "Clip")
    want = 2;
  else if (mode == "Elu" || mode == "Pow" || mode == "LeakyRelu")
    want = 1;
  size_t got = getCoeffs() ? getCoeffs()->size() : 0;
  if (got != want)
    return emitOpError() << mode << " takes " << want << " coefficients, got "
                         << got;
  return success();
}

LogicalResult LutOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  if (!isInt8Storage(getInput().getType()) ||
      !isInt8Storage(getOutput().getType()))
    return emitOpError("maps int8 codes to int8 values: input and result "
                       "must be 8-bit");
  if (cast<ShapedType>(getTable().getType()).getNumElements() != 256)
    return emitOpError("table needs 256 entries");
  if (!isInt8Storage(getTable().getType()))
    return emitOpError("table must hold 8-bit values");
  return success();
}

LogicalResult LutBF16Op::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  FloatType out = getFloatType(getOutput());
  if (!out || !out.isBF16())
    return emitOpError("result must be bf16");
  if (!getFloatType(getInput()) || !getFloatType(getInput()).isBF16())
    return emitOpError("input must be bf16");
  for (Value table : {getTable(), getSlope()})
    if (cast<ShapedType>(table.getType()).getNumElements() != 256 ||
        !getFloatType(table) || !getFloatType(table).isBF16())
      return emitOpError("tables must be 256 bf16 values");
  if (!(getMinRange().convertToDouble() < getMaxRange().convertToDouble()))
    return emitOpError("min_range must be below max_range");
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = cast<ShapedType>(getInput().getType());
  auto out = cast<ShapedType>(getOutput().getType());
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError() << "cannot reshape "
                         << top::shapeToString(in.getShape()) << " to "
                         << top::shapeToString(out.getShape());
  return verifySameElementType(*this, getInput());
}

LogicalResult PermuteOp::verify() {
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  if (static_cast<int64_t>(getOrder().size()) != rank)
    return emitOpError() << "order has " << getOrder().size()
                         << " entries for a rank-" << rank << " input";
  return verifySameElementType(*this, getInput());
}

LogicalResult SliceOp::verify() {
  size_t n = getAxes().size();
  if (getStarts().size() != n || getEnds().size() != n ||
      getSteps().size() != n)
    return emitOpError("starts, ends, steps and axes need equal lengths");
  if (llvm::is_contained(getSteps(), 0))
    return emitOpError("steps must be non-zero");
  return verifySameElementType(*this, getInput());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  if (failed(verifyPlainOperands(*this)))
    return failure();
  bool int8 = isQuantized(getOutput());
  if (!int8) {
    if (getMultipliers() || getRshifts())
      return emitOpError("has multipliers but computes in a float type");
    return success();
  }
  size_t n = getInputs().size();
  if (!getMultipliers() || !getRshifts() || getMultipliers()->size() != n ||
      getRshifts()->size() != n)
    return emitOpError() << "is INT8 and needs " << n
                         << " multipliers and rshifts";
  for (auto [m, s] : llvm::zip(*getMultipliers(), *getRshifts())) {
    if (m < -128 || m > 127)
      return emitOpError() << "multiplier " << m
                           << " does not fit the int8 multiplier";
    if (s < 0 || s > 31)
      return emitOpError() << "rshift " << s << " is outside [0, 31]";
  }
  return success();
}

LogicalResult TileOp::verify() {
  return verifySameElementType(*this, getInput());
}
LogicalResult PadOp::verify() {
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  if (static_cast<int64_t>(getPaddings().size()) != 2 * rank)
    return emitOpError() << "needs " << 2 * rank << " paddings";
  return verifySameElementType(*this, getInput());
}
LogicalResult UpsampleOp::verify() {
  if (static_cast<int64_t>(getScaleH()) < 1 ||
      static_cast<int64_t>(getScaleW()) < 1)
    return emitOpError("scales must be positive");
  return verifySameElementType(*this, getInput());
}
LogicalResult InterpOp::verify() {
  if (getScaleH().convertToDouble() <= 0 || getScaleW().convertToDouble() <= 0)
    return emitOpError("scales must be positive");
  return verifySameElementType(*this, getInput());
}
LogicalResult Depth2SpaceOp::verify() {
  if (static_cast<int64_t>(getBlockH()) < 1 ||
      static_cast<int64_t>(getBlockW()) < 1)
    return emitOpError("block sizes must be positive");
  return verifySameElementType(*this, getInput());
}
LogicalResult GatherOp::verify() {
  return verifySameElementType(*this, getInput());
}
LogicalResult SwapChannelOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  if (in.getRank() < 2 ||
      static_cast<int64_t>(getChannelOrder().size()) != in.getDimSize(1))
    return emitOpError("channel_order needs one entry per channel");
  for (int64_t c : getChannelOrder())
    if (c < 0 || c >= in.getDimSize(1))
      return emitOpError() << "channel " << c << " does not exist";
  return verifySameElementType(*this, getInput());
}

LogicalResult ReduceOp::verify() {
  StringRef mode = getMode();
  bool int8 = isQuantized(getOutput());
  if (mode == "ReduceMax" || mode == "ReduceMin") {
    if (getMultiplier() || getRshift())
      return emitOpError() << mode << " takes no multiplier/rshift";
    return verifySameElementType(*this, getInput());
  }
  if (int8 && mode != "ReduceMean" && mode != "ReduceSum")
    return emitOpError() << mode << " computes in float modes only";
  if (failed(verifyPlainOperands(*this)))
    return failure();
  return verifyRequant(*this, getMultiplier(), getRshift(), getQuantMode(), 1);
}

LogicalResult ArgOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Type conversions
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  Type in = getElementType(getInput()), out = getElementType(getOutput());
  bool inOk = isQuantized(getInput()) || getFloatType(getInput());
  bool outOk = isQuantized(getOutput()) || getFloatType(getOutput());
  if (!inOk || !outOk)
    return emitOpError() << "converts between int8 and float types, not " << in
                         << " to " << out;
  if (cast<ShapedType>(getInput().getType()).getShape() !=
      cast<ShapedType>(getOutput().getType()).getShape())
    return emitOpError("keeps the shape");
  return success();
}

LogicalResult RequantOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  if (!isQuantized(getInput()) || !isQuantized(getOutput()))
    return emitOpError("rescales int8 to int8");
  return verifyRequant(*this, getMultiplier(), getRshift(), getQuantMode(), 1);
}

LogicalResult ScaleLutOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  auto in = cast<RankedTensorType>(getInput().getType());
  if (in.getRank() < 2)
    return emitOpError("needs channels in dim 1");
  if (!isInt8Storage(getInput().getType()) ||
      !isInt8Storage(getOutput().getType()))
    return emitOpError("maps 8-bit pixels to int8");
  if (cast<ShapedType>(getTable().getType()).getNumElements() !=
      256 * in.getDimSize(1))
    return emitOpError("table needs 256 entries per channel");
  return success();
}

LogicalResult ScaleOp::verify() {
  if (failed(verifyChipTypes(*this)))
    return failure();
  if (isQuantized(getOutput()))
    return emitOpError("computes in float modes only, not INT8");
  auto in = cast<RankedTensorType>(getInput().getType());
  int64_t channels = in.getRank() >= 2 ? in.getDimSize(1) : 1;
  for (Value v : {getScale(), getBias()})
    if (cast<ShapedType>(v.getType()).getNumElements() != channels)
      return emitOpError() << "scale and bias need " << channels << " values";
  return success();
}

} // namespace tpuc::tpu
