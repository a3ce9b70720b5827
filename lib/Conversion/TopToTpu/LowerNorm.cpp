//===- LowerNorm.cpp - Softmax and normalizations, float only -------------===//
//
// These ops divide by data-dependent sums, which int8 arithmetic cannot do
// exactly: INT8 requests fall back to the chip's float mode.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;

namespace tpuc::tpu {
namespace {

LoweringResult lowerSoftmax(top::SoftmaxOp op, LoweringContext &ctx,
                            QuantMode mode) {
  if (mode == QuantMode::INT8)
    return cannotLower();
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  return lowered({ctx.builder().create<SoftmaxOp>(
      ctx.nameLoc(op), ctx.resultType(op.getOutput().getType(), mode), *in,
      op.getAxisAttr(), op.getLogAttr())});
}

/// Scale and shift of a norm in the mode's float type (none stays none).
FailureOr<Value> normParam(Operation *op, LoweringContext &ctx, Value param,
                           QuantMode mode) {
  if (isa<NoneType>(param.getType()))
    return param;
  auto data = ctx.weightData(param);
  if (!data)
    return op->emitOpError("normalization weights must be constant");
  return ctx.createFloatWeight(top::getTensorName(param),
                               stringifyQuantMode(mode).lower(),
                               top::getShape(param), *data, mode);
}

template <typename TpuOpT, typename TopOpT, typename BuildFn>
LoweringResult lowerNorm(TopOpT op, LoweringContext &ctx, QuantMode mode,
                         BuildFn build) {
  if (mode == QuantMode::INT8)
    return cannotLower();
  auto in = ctx.operandIn(op.getInput(), mode, op);
  auto weight = normParam(op, ctx, op.getWeight(), mode);
  auto bias = normParam(op, ctx, op.getBias(), mode);
  if (failed(in) || failed(weight) || failed(bias))
    return failure();
  return lowered({build(ctx.resultType(op.getOutput().getType(), mode), *in,
                        *weight, *bias)});
}

} // namespace

void registerNormLowerings(LoweringRegistry &registry) {
  registry.add<top::SoftmaxOp>(lowerSoftmax);
  registry.add<top::LayerNormOp>([](top::LayerNormOp op, LoweringContext &ctx,
                                    QuantMode mode) {
    return lowerNorm<LayerNormOp>(
        op, ctx, mode, [&](Type type, Value in, Value w, Value b) -> Value {
          return ctx.builder().create<LayerNormOp>(ctx.nameLoc(op), type, in, w,
                                                   b, op.getAxisAttr(),
                                                   op.getEpsAttr());
        });
  });
  registry.add<top::InstanceNormOp>([](top::InstanceNormOp op,
                                       LoweringContext &ctx, QuantMode mode) {
    return lowerNorm<InstanceNormOp>(
        op, ctx, mode, [&](Type type, Value in, Value w, Value b) -> Value {
          return ctx.builder().create<InstanceNormOp>(ctx.nameLoc(op), type, in,
                                                      w, b, op.getEpsAttr());
        });
  });
}

} // namespace tpuc::tpu
