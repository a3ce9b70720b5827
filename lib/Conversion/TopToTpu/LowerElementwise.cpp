//===- LowerElementwise.cpp - Binary and scalar arithmetic ----------------===//
//
// INT8 binary ops bring their inputs to the output scale with int8
// multipliers and one shared right shift; constant operands are quantized
// with their own scale. Ops the integer units cannot compute (Div by a
// tensor, Where) run in the chip's float mode.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"
#include "tpuc/Quant/Lut.h"

#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

struct Operands {
  Value lhs, rhs;
};

FailureOr<Operands> getOperands(Operation *op, LoweringContext &ctx,
                                QuantMode mode, Value lhs, Value rhs) {
  auto l = ctx.operandIn(lhs, mode, op);
  if (failed(l))
    return failure();
  auto r = ctx.operandIn(rhs, mode, op);
  if (failed(r))
    return failure();
  return Operands{*l, *r};
}

Type resultTypeOf(Operation *op, LoweringContext &ctx, QuantMode mode) {
  return ctx.resultType(op->getResult(0).getType(), mode);
}

/// Add and Sub: `m0 * lhs +- m1 * rhs >> rshift`.
template <typename TpuOpT, typename TopOpT>
LoweringResult lowerAddSub(TopOpT op, LoweringContext &ctx, QuantMode mode,
                           bool doRelu, double reluLimit) {
  auto operands = getOperands(op, ctx, mode, op.getLhs(), op.getRhs());
  if (failed(operands))
    return failure();
  OpBuilder &b = ctx.builder();
  Type type = resultTypeOf(op, ctx, mode);
  DenseI64ArrayAttr multipliers;
  int64_t rshift = 0;
  if (mode == QuantMode::INT8) {
    double sy = getUniformType(type).getScale();
    auto [m, shift] = quantmath::getInt8Multipliers(
        {getUniformType(operands->lhs).getScale() / sy,
         getUniformType(operands->rhs).getScale() / sy});
    multipliers = b.getDenseI64ArrayAttr(m);
    rshift = shift;
  }
  Value out = b.create<TpuOpT>(
      ctx.nameLoc(op), type, operands->lhs, operands->rhs,
      b.getBoolAttr(doRelu), b.getF64FloatAttr(reluLimit), multipliers,
      b.getI64IntegerAttr(rshift), b.getStringAttr("HalfAwayFromZero"));
  return lowered({out});
}

LoweringResult lowerAdd(top::AddOp op, LoweringContext &ctx, QuantMode mode) {
  return lowerAddSub<AddOp>(op, ctx, mode, op.getDoRelu(),
                            op.getReluLimit().convertToDouble());
}

LoweringResult lowerSub(top::SubOp op, LoweringContext &ctx, QuantMode mode) {
  return lowerAddSub<SubOp>(op, ctx, mode, false, -1.0);
}

/// `lhs * rhs`, where `rhs` may be replaced by constant data.
LoweringResult buildMul(Operation *op, LoweringContext &ctx, QuantMode mode,
                        Value lhs, Value rhs) {
  auto operands = getOperands(op, ctx, mode, lhs, rhs);
  if (failed(operands))
    return failure();
  OpBuilder &b = ctx.builder();
  Type type = resultTypeOf(op, ctx, mode);
  DenseI64ArrayAttr multiplier, rshift;
  if (mode == QuantMode::INT8) {
    double qscale = getUniformType(operands->lhs).getScale() *
                    getUniformType(operands->rhs).getScale() /
                    getUniformType(type).getScale();
    auto params = quantmath::getInt8MultiplierShift(qscale);
    multiplier = b.getDenseI64ArrayAttr({params.multiplier});
    rshift = b.getDenseI64ArrayAttr({params.rshift});
  }
  Value out = b.create<MulOp>(
      ctx.nameLoc(op), type, operands->lhs, operands->rhs, b.getBoolAttr(false),
      b.getF64FloatAttr(-1.0), multiplier, rshift,
      b.getStringAttr("MultiplierShift"), b.getStringAttr("HalfAwayFromZero"));
  return lowered({out});
}

LoweringResult lowerMul(top::MulOp op, LoweringContext &ctx, QuantMode mode) {
  return buildMul(op, ctx, mode, op.getLhs(), op.getRhs());
}

/// Division by a constant is a product with its reciprocal; by a tensor it
/// needs the float units.
LoweringResult lowerDiv(top::DivOp op, LoweringContext &ctx, QuantMode mode) {
  if (auto data = ctx.weightData(op.getRhs())) {
    std::vector<float> reciprocal;
    for (float v : *data)
      reciprocal.push_back(1.0f / v);
    auto shape = top::getShape(op.getRhs());
    auto f32 = RankedTensorType::get(shape, Float32Type::get(ctx.getContext()));
    Value weight = ctx.builder().create<top::WeightOp>(
        top::makeNameLoc(
            ctx.getContext(),
            ctx.uniqueName(top::getTensorName(op.getRhs()) + "_reciprocal")),
        f32,
        cast<ElementsAttr>(
            DenseElementsAttr::get(f32, llvm::ArrayRef(reciprocal))));
    return buildMul(op, ctx, mode, op.getLhs(), weight);
  }
  if (mode == QuantMode::INT8)
    return cannotLower();
  auto operands = getOperands(op, ctx, mode, op.getLhs(), op.getRhs());
  if (failed(operands))
    return failure();
  Value out =
      ctx.builder().create<DivOp>(ctx.nameLoc(op), resultTypeOf(op, ctx, mode),
                                  operands->lhs, operands->rhs);
  return lowered({out});
}

LoweringResult lowerPowTensor(top::PowTensorOp op, LoweringContext &ctx,
                              QuantMode mode) {
  if (mode == QuantMode::INT8)
    return cannotLower();
  auto operands = getOperands(op, ctx, mode, op.getLhs(), op.getRhs());
  if (failed(operands))
    return failure();
  Value out = ctx.builder().create<PowTensorOp>(ctx.nameLoc(op),
                                                resultTypeOf(op, ctx, mode),
                                                operands->lhs, operands->rhs);
  return lowered({out});
}

/// Max, Min: INT8 inputs are requantized to the output's type so that the
/// stored integers compare like the values.
template <typename TpuOpT, typename TopOpT>
LoweringResult lowerMaxMin(TopOpT op, LoweringContext &ctx, QuantMode mode) {
  Type type = resultTypeOf(op, ctx, mode);
  Value lhs, rhs;
  if (mode == QuantMode::INT8) {
    auto q = getUniformType(type);
    auto l = ctx.operandAs(op.getLhs(), q, op);
    auto r = ctx.operandAs(op.getRhs(), q, op);
    if (failed(l) || failed(r))
      return failure();
    lhs = *l;
    rhs = *r;
  } else {
    auto operands = getOperands(op, ctx, mode, op.getLhs(), op.getRhs());
    if (failed(operands))
      return failure();
    lhs = operands->lhs;
    rhs = operands->rhs;
  }
  Value out = ctx.builder().create<TpuOpT>(ctx.nameLoc(op), type, lhs, rhs);
  return lowered({out});
}

LoweringResult lowerCompare(top::CompareOp op, LoweringContext &ctx,
                            QuantMode mode) {
  OpBuilder &b = ctx.builder();
  auto outShape = cast<RankedTensorType>(op.getOutput().getType());
  if (mode == QuantMode::INT8) {
    auto l = ctx.operandIn(op.getLhs(), mode, op);
    if (failed(l))
      return failure();
    auto common = getUniformType(*l);
    auto r = ctx.operandAs(op.getRhs(), common, op);
    if (failed(r))
      return failure();
    // 0 and 1 stored exactly: an int8 of scale 1.
    Type type = withElementType(outShape,
                                getSymmetricInt8Type(ctx.getContext(), 127.0));
    Value out =
        b.create<CompareOp>(ctx.nameLoc(op), type, *l, *r, op.getModeAttr());
    return lowered({out});
  }
  auto operands = getOperands(op, ctx, mode, op.getLhs(), op.getRhs());
  if (failed(operands))
    return failure();
  Value out = b.create<CompareOp>(
      ctx.nameLoc(op), withElementType(outShape, ctx.floatType(mode)),
      operands->lhs, operands->rhs, op.getModeAttr());
  return lowered({out});
}

LoweringResult lowerWhere(top::WhereOp op, LoweringContext &ctx,
                          QuantMode mode) {
  if (mode == QuantMode::INT8)
    return cannotLower();
  auto cond = ctx.operandIn(op.getCond(), mode, op);
  auto x = ctx.operandIn(op.getX(), mode, op);
  auto y = ctx.operandIn(op.getY(), mode, op);
  if (failed(cond) || failed(x) || failed(y))
    return failure();
  Value out = ctx.builder().create<WhereOp>(
      ctx.nameLoc(op), resultTypeOf(op, ctx, mode), *cond, *x, *y);
  return lowered({out});
}

LoweringResult lowerMulConst(top::MulConstOp op, LoweringContext &ctx,
                             QuantMode mode) {
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  OpBuilder &b = ctx.builder();
  Type type = resultTypeOf(op, ctx, mode);
  double c = op.getConstVal().convertToDouble();
  DenseI64ArrayAttr multiplier, rshift;
  if (mode == QuantMode::INT8) {
    auto params = quantmath::getInt8MultiplierShift(
        c * getUniformType(*in).getScale() / getUniformType(type).getScale());
    multiplier = b.getDenseI64ArrayAttr({params.multiplier});
    rshift = b.getDenseI64ArrayAttr({params.rshift});
  }
  Value out = b.create<MulConstOp>(
      ctx.nameLoc(op), type, *in, op.getConstValAttr(), op.getDoReluAttr(),
      op.getReluLimitAttr(), multiplier, rshift,
      b.getStringAttr("MultiplierShift"), b.getStringAttr("HalfAwayFromZero"));
  return lowered({out});
}

LoweringResult lowerAddConst(top::AddConstOp op, LoweringContext &ctx,
                             QuantMode mode) {
  double c = op.getConstVal().convertToDouble();
  bool doRelu = op.getDoRelu();
  double limit = op.getReluLimit().convertToDouble();
  if (mode == QuantMode::INT8) {
    // A lookup table is exact for any unary function of an int8 input.
    auto in = ctx.operandIn(op.getInput(), mode, op);
    if (failed(in))
      return failure();
    Type type = resultTypeOf(op, ctx, mode);
    auto inQ = getUniformType(*in), outQ = getUniformType(type);
    auto table = quantmath::buildInt8Lut(
        {inQ.getScale(), inQ.getZeroPoint(), inQ.isSigned()},
        {outQ.getScale(), outQ.getZeroPoint(), outQ.isSigned()}, [&](double x) {
          double y = x + c;
          if (doRelu)
            y = std::max(y, 0.0);
          if (doRelu && limit >= 0)
            y = std::min(y, limit);
          return y;
        });
    Value weight = ctx.createInt8Weight(top::getOpName(op), "table", {256},
                                        table, !outQ.isSigned());
    Value out = ctx.builder().create<LutOp>(ctx.nameLoc(op), type, *in, weight);
    return lowered({out});
  }
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  Value out = ctx.builder().create<AddConstOp>(
      ctx.nameLoc(op), resultTypeOf(op, ctx, mode), *in, op.getConstValAttr(),
      op.getDoReluAttr(), op.getReluLimitAttr());
  return lowered({out});
}

} // namespace

void registerElementwiseLowerings(LoweringRegistry &registry) {
  registry.add<top::AddOp>(lowerAdd);
  registry.add<top::SubOp>(lowerSub);
  registry.add<top::MulOp>(lowerMul);
  registry.add<top::DivOp>(lowerDiv);
  registry.add<top::PowTensorOp>(lowerPowTensor);
  registry.add<top::MaxOp>(lowerMaxMin<MaxOp, top::MaxOp>);
  registry.add<top::MinOp>(lowerMaxMin<MinOp, top::MinOp>);
  registry.add<top::CompareOp>(lowerCompare);
  registry.add<top::WhereOp>(lowerWhere);
  registry.add<top::MulConstOp>(lowerMulConst);
  registry.add<top::AddConstOp>(lowerAddConst);
}

} // namespace tpuc::tpu
