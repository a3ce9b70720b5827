//===- LowerPool.cpp - Max, average, global and adaptive pooling ----------===//
//
// Max pooling moves values (INT8 keeps the input's scale). INT8 average
// pooling sums each window and multiplies by one int8 multiplier that folds
// in the window size, so it is exact only when every window has the same
// divisor: no padding (or padding counted), no partial ceil-mode windows.
// Other average pools run in the chip's float mode.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;

namespace tpuc::tpu {
namespace {

struct PoolWindow {
  SmallVector<int64_t, 2> kernel, strides;
  SmallVector<int64_t, 4> pads;
  /// Max pooling only; empty when every dilation is 1.
  SmallVector<int64_t, 2> dilations;
  bool ceilMode = false, countIncludePad = false;
};

/// Pools of rank-3 inputs run as 2-D pools of height 1.
PoolWindow toPool2D(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> pads) {
  PoolWindow w;
  if (kernel.size() == 1) {
    w.kernel = {1, kernel[0]};
    w.strides = {1, strides[0]};
    w.pads = {0, pads.size() == 2 ? pads[0] : 0, 0,
              pads.size() == 2 ? pads[1] : 0};
    return w;
  }
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides.assign(strides.begin(), strides.end());
  if (pads.empty())
    w.pads = {0, 0, 0, 0};
  else
    w.pads.assign(pads.begin(), pads.end());
  return w;
}

/// Whether every window of the pool divides by kh * kw.
bool hasUniformDivisor(const PoolWindow &w, ArrayRef<int64_t> inShape,
                       ArrayRef<int64_t> outShape) {
  bool padded = llvm::any_of(w.pads, [](int64_t p) { return p != 0; });
  if (padded && !w.countIncludePad)
    return false;
  for (int i = 0; i < 2; ++i) {
    int64_t span = inShape[2 + i] + w.pads[i] + w.pads[2 + i];
    // The last window must lie inside the (padded) input.
    if ((outShape[2 + i] - 1) * w.strides[i] + w.kernel[i] > span)
      return false;
  }
  return true;
}

Value reshapeValue(LoweringContext &ctx, Value value, ArrayRef<int64_t> shape,
                   StringRef name) {
  return ctx.builder().create<ReshapeOp>(
      top::makeNameLoc(ctx.getContext(), ctx.uniqueName(name)),
      RankedTensorType::get(shape, getElementType(value)), value);
}

SmallVector<int64_t> with2DHeight(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> out(shape.begin(), shape.end());
  if (out.size() == 3)
    out.insert(out.begin() + 2, 1);
  return out;
}

LoweringResult buildPool(Operation *op, LoweringContext &ctx, QuantMode mode,
                         bool isMax, PoolWindow window, bool doRelu,
                         double reluLimit) {
  OpBuilder &b = ctx.builder();
  Value input = op->getOperand(0);
  auto topType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = topType.getRank();
  if (rank != 3 && rank != 4)
    return op->emitOpError("pooling is lowered for 1-D and 2-D inputs only");
  SmallVector<int64_t> inShape = with2DHeight(top::getShape(input));
  SmallVector<int64_t> outShape = with2DHeight(topType.getShape());

  Value x;
  Type resultElement;
  DenseI64ArrayAttr multiplier, rshift;
  if (isMax) {
    // As data movement: int8 and float producers' values stay as they are.
    if (isQuantized(input) ||
        (getFloatType(input) && !getFloatType(input).isF32()) ||
        mode == QuantMode::F32) {
      x = input;
    } else {
      auto in = ctx.operandIn(input, mode, op);
      if (failed(in))
        return failure();
      x = *in;
    }
    resultElement = getElementType(x);
  } else {
    if (mode == QuantMode::INT8 &&
        !hasUniformDivisor(window, inShape, outShape))
      return cannotLower();
    auto in = ctx.operandIn(input, mode, op);
    if (failed(in))
      return failure();
    x = *in;
    resultElement = getElementType(ctx.resultType(topType, mode));
    if (mode == QuantMode::INT8) {
      double qscale =
          getUniformType(x).getScale() /
          (cast<quant::UniformQuantizedType>(resultElement).getScale() *
           double(window.kernel[0] * window.kernel[1]));
      auto params = quantmath::getInt8MultiplierShift(qscale);
      multiplier = b.getDenseI64ArrayAttr({params.multiplier});
      rshift = b.getDenseI64ArrayAttr({params.rshift});
    }
  }
  std::string name = top::getOpName(op);
  if (rank == 3)
    x = reshapeValue(ctx, x, inShape, name + "_to2d");
  Location loc = rank == 3 ? top::makeNameLoc(ctx.getContext(),
                                              ctx.uniqueName(name + "_pool2d"))
                           : ctx.nameLoc(op);
  Value out = b.create<Pool2DOp>(
      loc, RankedTensorType::get(outShape, resultElement), x,
      b.getStringAttr(isMax ? "Max" : "Avg"),
      b.getDenseI64ArrayAttr(window.kernel),
      b.getDenseI64ArrayAttr(window.strides),
      b.getDenseI64ArrayAttr(window.pads),
      window.dilations.empty() ? DenseI64ArrayAttr()
                               : b.getDenseI64ArrayAttr(window.dilations),
      b.getBoolAttr(window.ceilMode), b.getBoolAttr(window.countIncludePad),
      b.getBoolAttr(doRelu), b.getF64FloatAttr(reluLimit), multiplier, rshift,
      b.getStringAttr("MultiplierShift"), b.getStringAttr("HalfAwayFromZero"));
  if (rank == 3)
    out = b.create<ReshapeOp>(
        ctx.nameLoc(op),
        RankedTensorType::get(topType.getShape(), resultElement), out);
  return lowered({out});
}

template <typename TopOpT>
LoweringResult lowerPool(TopOpT op, LoweringContext &ctx, QuantMode mode,
                         bool isMax) {
  PoolWindow window =
      toPool2D(op.getKernelShape(), op.getStrides(), op.getPads());
  window.ceilMode = op.getCeilMode();
  window.countIncludePad = op.getCountIncludePad();
  if constexpr (std::is_same_v<TopOpT, top::MaxPoolOp>) {
    // Dilated windows as top.MaxPool's; 1-D pools get a height dilation 1.
    if (auto dilations = op.getDilations()) {
      if (llvm::any_of(*dilations, [](int64_t d) { return d != 1; })) {
        window.dilations.assign(dilations->begin(), dilations->end());
        if (window.dilations.size() == 1)
          window.dilations.insert(window.dilations.begin(), 1);
      }
    }
  }
  return buildPool(op, ctx, mode, isMax, window, op.getDoRelu(),
                   op.getReluLimit().convertToDouble());
}

LoweringResult lowerGlobalAvgPool(top::GlobalAvgPoolOp op, LoweringContext &ctx,
                                  QuantMode mode) {
  auto shape = top::getShape(op.getInput());
  if (shape.size() != 4 && shape.size() != 3)
    return op.emitOpError("global pooling is lowered for 1-D and 2-D inputs");
  PoolWindow window;
  window.kernel = shape.size() == 4
                      ? SmallVector<int64_t, 2>{shape[2], shape[3]}
                      : SmallVector<int64_t, 2>{1, shape[2]};
  window.strides = {1, 1};
  window.pads = {0, 0, 0, 0};
  return buildPool(op, ctx, mode, false, window, false, -1.0);
}

LoweringResult lowerAdaptiveAvgPool(top::AdaptiveAvgPoolOp op,
                                    LoweringContext &ctx, QuantMode mode) {
  auto in = top::getShape(op.getInput());
  auto out = top::getShape(op.getOutput());
  if (in.size() != 4)
    return op.emitOpError("adaptive pooling is lowered for 2-D inputs only");
  PoolWindow window;
  for (int i = 2; i < 4; ++i) {
    if (out[i] <= 0 || in[i] % out[i] != 0)
      return op.emitOpError()
             << "adaptive pooling from " << in[i] << " to " << out[i]
             << " has windows of different sizes, which the chips cannot "
                "compute";
    window.kernel.push_back(in[i] / out[i]);
    window.strides.push_back(in[i] / out[i]);
  }
  window.pads = {0, 0, 0, 0};
  return buildPool(op, ctx, mode, false, window, false, -1.0);
}

} // namespace

void registerPoolLowerings(LoweringRegistry &registry) {
  registry.add<top::MaxPoolOp>(
      [](top::MaxPoolOp op, LoweringContext &ctx, QuantMode mode) {
        return lowerPool(op, ctx, mode, /*isMax=*/true);
      });
  registry.add<top::AvgPoolOp>(
      [](top::AvgPoolOp op, LoweringContext &ctx, QuantMode mode) {
        return lowerPool(op, ctx, mode, /*isMax=*/false);
      });
  registry.add<top::GlobalAvgPoolOp>(lowerGlobalAvgPool);
  registry.add<top::AdaptiveAvgPoolOp>(lowerAdaptiveAvgPool);
}

} // namespace tpuc::tpu
