//===- LowerShape.cpp - Data movement, concat and reductions --------------===//
//
// Ops that only move values compute in whatever type their input already
// has: an INT8 result keeps the input's scale (no requantization), and a
// float input stays float rather than being cast to int8 and back.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

/// The input of a data movement op: int8 values and values a float op
/// produced (bf16/f16) move as they are, whatever the op's mode; f32 values
/// (network inputs, or results in F32 mode) and weights are converted to
/// the mode unless the mode is F32.
FailureOr<Value> movedInput(Operation *op, LoweringContext &ctx, QuantMode mode,
                            Value input) {
  if (isQuantized(input))
    return input;
  if (ctx.isWeight(input))
    return ctx.operandIn(input, mode, op);
  FloatType type = getFloatType(input);
  if (!type || (type.isF32() && mode != QuantMode::F32))
    return ctx.operandIn(input, mode, op);
  return input;
}

/// The result type of a moved value: the top result's shape, the input's
/// element type.
Type movedType(Operation *op, Value input, unsigned result = 0) {
  return withElementType(op->getResult(result).getType(),
                         getElementType(input));
}

template <typename TpuOpT, typename TopOpT, typename BuildFn>
LoweringResult lowerMove(TopOpT op, LoweringContext &ctx, QuantMode mode,
                         BuildFn build) {
  auto in = movedInput(op, ctx, mode, op.getInput());
  if (failed(in))
    return failure();
  Value out = build(*in, movedType(op, *in));
  return lowered({out});
}

LoweringResult lowerReshapeLike(Operation *op, LoweringContext &ctx,
                                QuantMode mode) {
  auto in = movedInput(op, ctx, mode, op->getOperand(0));
  if (failed(in))
    return failure();
  return lowered({ctx.builder().create<ReshapeOp>(ctx.nameLoc(op),
                                                  movedType(op, *in), *in)});
}

LoweringResult lowerPermute(top::PermuteOp op, LoweringContext &ctx,
                            QuantMode mode) {
  return lowerMove<PermuteOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<PermuteOp>(ctx.nameLoc(op), type, in,
                                           op.getOrderAttr());
  });
}

LoweringResult lowerSlice(top::SliceOp op, LoweringContext &ctx,
                          QuantMode mode) {
  return lowerMove<SliceOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<SliceOp>(ctx.nameLoc(op), type, in,
                                         op.getStartsAttr(), op.getEndsAttr(),
                                         op.getStepsAttr(), op.getAxesAttr());
  });
}

/// Split is one slice per result, named after the results.
LoweringResult lowerSplit(top::SplitOp op, LoweringContext &ctx,
                          QuantMode mode) {
  auto in = movedInput(op, ctx, mode, op.getInput());
  if (failed(in))
    return failure();
  OpBuilder &b = ctx.builder();
  int64_t rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
  // I64Attr getters return uint64_t: a negative axis needs a signed view.
  auto axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  SmallVector<Value> results;
  int64_t start = 0;
  for (auto [i, size] : llvm::enumerate(op.getSplitSize())) {
    Value result = op->getResult(i);
    Value slice = b.create<SliceOp>(
        top::makeNameLoc(ctx.getContext(), top::getTensorName(result)),
        movedType(op, *in, i), *in, b.getDenseI64ArrayAttr({start}),
        b.getDenseI64ArrayAttr({start + size}), b.getDenseI64ArrayAttr({1}),
        b.getDenseI64ArrayAttr({axis}));
    results.push_back(slice);
    start += size;
  }
  return lowered(results);
}

LoweringResult lowerTile(top::TileOp op, LoweringContext &ctx, QuantMode mode) {
  return lowerMove<TileOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<TileOp>(ctx.nameLoc(op), type, in,
                                        op.getRepeatsAttr());
  });
}

/// Expand is a reshape to the output rank (when it grows) and a tile.
LoweringResult lowerExpand(top::ExpandOp op, LoweringContext &ctx,
                           QuantMode mode) {
  auto in = movedInput(op, ctx, mode, op.getInput());
  if (failed(in))
    return failure();
  OpBuilder &b = ctx.builder();
  auto outShape = top::getShape(op.getOutput());
  SmallVector<int64_t> inShape(top::getShape(*in));
  Value x = *in;
  if (inShape.size() < outShape.size()) {
    inShape.insert(inShape.begin(), outShape.size() - inShape.size(), 1);
    x = b.create<ReshapeOp>(
        top::makeNameLoc(ctx.getContext(),
                         ctx.uniqueName(top::getOpName(op) + "_reshape")),
        withElementType(RankedTensorType::get(inShape, getElementType(x)),
                        getElementType(x)),
        x);
  }
  SmallVector<int64_t> repeats;
  for (auto [i, o] : llvm::zip(inShape, outShape))
    repeats.push_back(i == o ? 1 : o);
  return lowered({b.create<TileOp>(ctx.nameLoc(op), movedType(op, x), x,
                                   b.getDenseI64ArrayAttr(repeats))});
}

LoweringResult lowerPad(top::PadOp op, LoweringContext &ctx, QuantMode mode) {
  return lowerMove<PadOp>(op, ctx, mode, [&](Value in, Type type) {
    double val = op.getVal().convertToDouble();
    if (auto q = getUniformType(in))
      val = quantmath::saturate(
          quantmath::roundToInt(val / q.getScale(),
                                quantmath::RoundMode::HalfAwayFromZero) +
              q.getZeroPoint(),
          q.getStorageTypeMin(), q.getStorageTypeMax());
    OpBuilder &b = ctx.builder();
    return b.create<PadOp>(ctx.nameLoc(op), type, in, op.getPaddingsAttr(),
                           b.getF64FloatAttr(val), op.getModeAttr());
  });
}

LoweringResult lowerUpsample(top::UpsampleOp op, LoweringContext &ctx,
                             QuantMode mode) {
  return lowerMove<UpsampleOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<UpsampleOp>(
        ctx.nameLoc(op), type, in, op.getScaleHAttr(), op.getScaleWAttr());
  });
}

LoweringResult lowerInterp(top::InterpOp op, LoweringContext &ctx,
                           QuantMode mode) {
  return lowerMove<InterpOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<InterpOp>(
        ctx.nameLoc(op), type, in, op.getModeAttr(), op.getCoordModeAttr(),
        op.getScaleHAttr(), op.getScaleWAttr(), op.getNearestModeAttr());
  });
}

LoweringResult lowerDepth2Space(top::Depth2SpaceOp op, LoweringContext &ctx,
                                QuantMode mode) {
  return lowerMove<Depth2SpaceOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<Depth2SpaceOp>(
        ctx.nameLoc(op), type, in, op.getBlockHAttr(), op.getBlockWAttr(),
        op.getIs_CRDAttr(), op.getIsInversedAttr());
  });
}

LoweringResult lowerGather(top::GatherOp op, LoweringContext &ctx,
                           QuantMode mode) {
  if (!ctx.isWeight(op.getIndices()))
    return op.emitOpError("Gather needs constant indices");
  return lowerMove<GatherOp>(op, ctx, mode, [&](Value in, Type type) {
    return ctx.builder().create<GatherOp>(ctx.nameLoc(op), type, in,
                                          op.getIndices(), op.getAxisAttr());
  });
}

/// INT8 inputs of another scale are requantized inside the concat.
LoweringResult lowerConcat(top::ConcatOp op, LoweringContext &ctx,
                           QuantMode mode) {
  OpBuilder &b = ctx.builder();
  Type type = ctx.resultType(op.getOutput().getType(), mode);
  SmallVector<Value> inputs;
  DenseI64ArrayAttr multipliers, rshifts;
  if (mode == QuantMode::INT8) {
    auto outQ = getUniformType(type);
    SmallVector<int64_t> m, s;
    for (Value input : op.getInputs()) {
      auto in = ctx.operandIn(input, mode, op);
      if (failed(in))
        return failure();
      auto inQ = getUniformType(*in);
      if (inQ.getScale() == outQ.getScale()) {
        m.push_back(1);
        s.push_back(0);
      } else {
        auto params =
            quantmath::getInt8MultiplierShift(inQ.getScale() / outQ.getScale());
        m.push_back(params.multiplier);
        s.push_back(params.rshift);
      }
      inputs.push_back(*in);
    }
    multipliers = b.getDenseI64ArrayAttr(m);
    rshifts = b.getDenseI64ArrayAttr(s);
  } else {
    for (Value input : op.getInputs()) {
      auto in = ctx.operandIn(input, mode, op);
      if (failed(in))
        return failure();
      inputs.push_back(*in);
    }
  }
  return lowered({b.create<ConcatOp>(
      ctx.nameLoc(op), type, inputs, op.getAxisAttr(), multipliers, rshifts,
      b.getStringAttr("HalfAwayFromZero"), op.getDoReluAttr(),
      op.getReluLimitAttr())});
}

LoweringResult lowerReduce(top::ReduceOp op, LoweringContext &ctx,
                           QuantMode mode) {
  StringRef kind = op.getMode();
  OpBuilder &b = ctx.builder();
  if (kind == "ReduceMax" || kind == "ReduceMin") {
    return lowerMove<ReduceOp>(op, ctx, mode, [&](Value in, Type type) {
      return b.create<ReduceOp>(ctx.nameLoc(op), type, in, op.getAxesAttr(),
                                op.getKeepdimsAttr(), op.getModeAttr(),
                                DenseI64ArrayAttr(), DenseI64ArrayAttr(),
                                b.getStringAttr("MultiplierShift"),
                                b.getStringAttr("HalfAwayFromZero"));
    });
  }
  bool integral = kind == "ReduceMean" || kind == "ReduceSum";
  if (mode == QuantMode::INT8 && !integral)
    return cannotLower();
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  Type type = ctx.resultType(op.getOutput().getType(), mode);
  DenseI64ArrayAttr multiplier, rshift;
  if (mode == QuantMode::INT8) {
    int64_t inCount = cast<ShapedType>(in->getType()).getNumElements();
    int64_t outCount = cast<ShapedType>(type).getNumElements();
    double count = kind == "ReduceMean" ? double(inCount) / outCount : 1.0;
    auto params = quantmath::getInt8MultiplierShift(
        getUniformType(*in).getScale() /
        (getUniformType(type).getScale() * count));
    multiplier = b.getDenseI64ArrayAttr({params.multiplier});
    rshift = b.getDenseI64ArrayAttr({params.rshift});
  }
  return lowered({b.create<ReduceOp>(
      ctx.nameLoc(op), type, *in, op.getAxesAttr(), op.getKeepdimsAttr(),
      op.getModeAttr(), multiplier, rshift, b.getStringAttr("MultiplierShift"),
      b.getStringAttr("HalfAwayFromZero"))});
}

/// Indices are produced as int32 (bf16 could not hold them exactly).
LoweringResult lowerArg(top::ArgOp op, LoweringContext &ctx, QuantMode mode) {
  auto in = movedInput(op, ctx, mode, op.getInput());
  if (failed(in))
    return failure();
  Type type = withElementType(
      op.getOutput().getType(),
      IntegerType::get(ctx.getContext(), 32, IntegerType::Signed));
  return lowered({ctx.builder().create<ArgOp>(
      ctx.nameLoc(op), type, *in, op.getAxisAttr(), op.getKeepdimsAttr(),
      op.getModeAttr(), op.getSelectLastIndexAttr())});
}

/// A float-to-float Cast is the identity in the chip's type; integer
/// results come from shape computations that import folds away.
LoweringResult lowerCast(top::CastOp op, LoweringContext &ctx, QuantMode mode) {
  Type out = getElementType(op.getOutput());
  if (!isa<FloatType>(out) && !isa<quant::CalibratedQuantizedType>(out))
    return op.emitOpError()
           << "casts to " << out << ", which the chips do not compute";
  auto in = movedInput(op, ctx, mode, op.getInput());
  if (failed(in))
    return failure();
  return lowered({*in});
}

} // namespace

void registerShapeLowerings(LoweringRegistry &registry) {
  for (StringRef name :
       {top::ReshapeOp::getOperationName(), top::FlattenOp::getOperationName(),
        top::SqueezeOp::getOperationName(),
        top::UnsqueezeOp::getOperationName()})
    registry.add(name, lowerReshapeLike);
  registry.add<top::PermuteOp>(lowerPermute);
  registry.add<top::SliceOp>(lowerSlice);
  registry.add<top::SplitOp>(lowerSplit);
  registry.add<top::TileOp>(lowerTile);
  registry.add<top::ExpandOp>(lowerExpand);
  registry.add<top::PadOp>(lowerPad);
  registry.add<top::UpsampleOp>(lowerUpsample);
  registry.add<top::InterpOp>(lowerInterp);
  registry.add<top::Depth2SpaceOp>(lowerDepth2Space);
  registry.add<top::GatherOp>(lowerGather);
  registry.add<top::ConcatOp>(lowerConcat);
  registry.add<top::ReduceOp>(lowerReduce);
  registry.add<top::ArgOp>(lowerArg);
  registry.add<top::CastOp>(lowerCast);
}

} // namespace tpuc::tpu
