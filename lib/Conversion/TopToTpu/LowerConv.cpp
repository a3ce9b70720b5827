//===- LowerConv.cpp - Conv, Deconv and BatchNorm to tpu.Conv2D/Deconv ----===//
//
// INT8 convolutions use per-output-channel int8 filters and an int32 bias.
// For channel c the accumulator sum(x_q * w_q) + b_q is scaled by qscale_c =
// s_x * s_w[c] / s_y, decomposed into a QDM multiplier and right shift.
// The filter is quantized against the qscale actually representable, so the
// rounding of the multiplier does not bias the result, and qscale is raised
// where a large bias would overflow int32.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

/// Window attributes of a 2-D convolution (1-D ones get a height of 1).
struct Window2D {
  SmallVector<int64_t, 2> kernel, strides, dilations;
  SmallVector<int64_t, 4> pads;
};

Window2D toWindow2D(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  Window2D w;
  if (kernel.size() == 1) {
    w.kernel = {1, kernel[0]};
    w.strides = {1, strides.empty() ? 1 : strides[0]};
    w.dilations = {1, dilations.empty() ? 1 : dilations[0]};
    int64_t begin = pads.size() == 2 ? pads[0] : 0;
    int64_t end = pads.size() == 2 ? pads[1] : 0;
    w.pads = {0, begin, 0, end};
    return w;
  }
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides.assign(strides.begin(), strides.end());
  if (dilations.empty())
    w.dilations = {1, 1};
  else
    w.dilations.assign(dilations.begin(), dilations.end());
  if (pads.empty())
    w.pads = {0, 0, 0, 0};
  else
    w.pads.assign(pads.begin(), pads.end());
  return w;
}

/// [a, b, c] -> [a, b, 1, c] for 1-D convolutions.
SmallVector<int64_t> insertHeight(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> out(shape.begin(), shape.end());
  out.insert(out.begin() + 2, 1);
  return out;
}

Value reshapeTo(LoweringContext &ctx, Value value, ArrayRef<int64_t> shape,
                StringRef name) {
  auto type =
      withElementType(RankedTensorType::get(shape, getElementType(value)),
                      getElementType(value));
  return ctx.builder().create<ReshapeOp>(
      top::makeNameLoc(ctx.getContext(), ctx.uniqueName(name)), type, value);
}

/// Quantized filter, bias and requantization of a convolution whose output
/// channel `c` reads filter elements `channelOf(i) == c`.
struct QuantizedConv {
  std::vector<int64_t> filter, bias;
  SmallVector<int64_t> multiplier, rshift;
};

QuantizedConv quantizeConv(const LoweringContext &ctx, ArrayRef<float> filter,
                           const std::optional<std::vector<float>> &bias,
                           int64_t outChannels,
                           const std::function<int64_t(size_t)> &channelOf,
                           double sx, double sy) {
  std::vector<double> wmax(outChannels, 0.0);
  for (size_t i = 0; i < filter.size(); ++i)
    wmax[channelOf(i)] =
        std::max(wmax[channelOf(i)], double(std::fabs(filter[i])));
  QuantizedConv q;
  std::vector<double> actual(outChannels);
  for (int64_t c = 0; c < outChannels; ++c) {
    double sw = wmax[c] > 0 ? wmax[c] / 127.0 : 1e-8;
    double qscale = sx * sw / sy;
    if (bias) {
      // |b / (sy * qscale)| must stay within int32, with a margin.
      double needed = std::fabs((*bias)[c]) / (sy * 2147483647.0 * 0.998);
      qscale = std::max(qscale, needed);
    }
    auto params = quantmath::getQdmMultiplierShift(qscale, !ctx.isCV18xx());
    if (params.multiplier == 0) // a scale below 2^-94: the channel is 0
      params = {1 << 30, 63};
    q.multiplier.push_back(params.multiplier);
    q.rshift.push_back(params.rshift);
    actual[c] = quantmath::getQdmScale(params);
  }
  q.filter.resize(filter.size());
  for (size_t i = 0; i < filter.size(); ++i) {
    int64_t c = channelOf(i);
    q.filter[i] = quantmath::saturateInt8(
        quantmath::roundToInt(double(filter[i]) * sx / (sy * actual[c]),
                              quantmath::RoundMode::HalfToEven));
  }
  if (bias) {
    q.bias.resize(outChannels);
    for (int64_t c = 0; c < outChannels; ++c)
      q.bias[c] = quantmath::saturateInt32(
          quantmath::roundToInt(double((*bias)[c]) / (sy * actual[c]),
                                quantmath::RoundMode::HalfAwayFromZero));
  }
  return q;
}

/// The common part of Conv and Deconv lowering. `filterChannel` maps a
/// filter element to its output channel.
/// Everything a Conv/Deconv lowering needs besides the op.
struct WindowOpParts {
  bool isDeconv = false;
  Value input, filter, bias;
  Window2D window;
  int64_t group = 1;
  SmallVector<int64_t> outputPadding;
  bool doRelu = false;
  double reluLimit = -1.0;
  /// The Top result type (shape and calibrated range) to produce.
  RankedTensorType topType;
  /// Name the convolution `<op>_conv2d` because a reshape takes the op's
  /// name.
  bool reshapeResult = false;
};

LoweringResult lowerWindowOp(Operation *op, LoweringContext &ctx,
                             QuantMode mode, const WindowOpParts &parts) {
  OpBuilder &b = ctx.builder();
  bool isDeconv = parts.isDeconv;
  Value input = parts.input, filterValue = parts.filter, biasValue = parts.bias;
  const Window2D &window = parts.window;
  int64_t group = parts.group;
  ArrayRef<int64_t> outputPadding = parts.outputPadding;
  bool doRelu = parts.doRelu;
  double reluLimit = parts.reluLimit;
  RankedTensorType topType = parts.topType;
  auto filterType = cast<RankedTensorType>(filterValue.getType());
  bool is1D = filterType.getRank() == 3;
  auto filterData = ctx.weightData(filterValue);
  std::optional<std::vector<float>> biasData;
  if (biasValue && !isa<NoneType>(biasValue.getType())) {
    biasData = ctx.weightData(biasValue);
    if (!biasData)
      return op->emitOpError("bias must be a constant weight");
  }
  // Filters computed at run time can only run in float.
  if (!filterData && mode == QuantMode::INT8)
    return cannotLower();

  SmallVector<int64_t> filterShape(filterType.getShape());
  if (is1D)
    filterShape = insertHeight(filterShape);
  int64_t outChannels = isDeconv ? filterShape[1] * group : filterShape[0];

  auto in = ctx.operandIn(input, mode, op);
  if (failed(in))
    return failure();
  Value x = *in;
  std::string name = top::getOpName(op);
  if (is1D)
    x = reshapeTo(ctx, x, insertHeight(top::getShape(x)), name + "_to2d");
  SmallVector<int64_t> outShape(topType.getShape());
  if (is1D)
    outShape = insertHeight(outShape);
  Type resultType = withElementType(
      RankedTensorType::get(outShape, Float32Type::get(ctx.getContext())),
      getElementType(ctx.resultType(topType, mode)));

  Value filter, bias = ctx.none();
  DenseI64ArrayAttr multiplier, rshift;
  StringRef quantMode = "MultiplierShift", roundMode = "HalfAwayFromZero";
  if (mode == QuantMode::INT8) {
    auto inType = getUniformType(x);
    auto outType = getUniformType(resultType);
    // Output channel of filter element i: [oc, ic/g, kh, kw] for Conv,
    // [ic, oc/g, kh, kw] for Deconv (input channel ic belongs to group
    // ic / (ic_total / g)).
    int64_t spatial = filterShape[2] * filterShape[3];
    int64_t dim1 = filterShape[1];
    int64_t icPerGroup = filterShape[0] / std::max<int64_t>(group, 1);
    auto channelOf = [&](size_t i) -> int64_t {
      int64_t outer = static_cast<int64_t>(i) / (dim1 * spatial);
      if (!isDeconv)
        return outer;
      int64_t inner = (static_cast<int64_t>(i) / spatial) % dim1;
      return (outer / icPerGroup) * dim1 + inner;
    };
    QuantizedConv q =
        quantizeConv(ctx, *filterData, biasData, outChannels, channelOf,
                     inType.getScale(), outType.getScale());
    filter = ctx.createInt8Weight(name, "filter_i8", filterShape, q.filter);
    if (biasData)
      bias = ctx.createInt32Weight(name, "bias_i32", {outChannels}, q.bias);
    multiplier = b.getDenseI64ArrayAttr(q.multiplier);
    rshift = b.getDenseI64ArrayAttr(q.rshift);
    quantMode = "QDM";
    roundMode = "HalfUp";
  } else {
    if (filterData) {
      filter = ctx.createFloatWeight(
          name, "filter_" + std::string(stringifyQuantMode(mode).lower()),
          filterShape, *filterData, mode);
    } else {
      auto f = ctx.operandIn(filterValue, mode, op);
      if (failed(f))
        return failure();
      filter = is1D ? reshapeTo(ctx, *f, filterShape, name + "_filter2d") : *f;
    }
    // Biases stay f32: the accumulator is f32 on every chip.
    if (biasData)
      bias = ctx.createFloatWeight(name, "bias_f32", {outChannels}, *biasData,
                                   QuantMode::F32);
  }

  bool reshaped = is1D || parts.reshapeResult;
  Location loc = reshaped ? top::makeNameLoc(ctx.getContext(),
                                             ctx.uniqueName(name + "_conv2d"))
                          : ctx.nameLoc(op);
  Value out;
  if (isDeconv) {
    DenseI64ArrayAttr outPad;
    if (!outputPadding.empty()) {
      SmallVector<int64_t> padding(outputPadding.begin(), outputPadding.end());
      if (is1D)
        padding.insert(padding.begin(), 0);
      outPad = b.getDenseI64ArrayAttr(padding);
    }
    out = b.create<DeconvOp>(
        loc, resultType, x, filter, bias, b.getDenseI64ArrayAttr(window.kernel),
        b.getDenseI64ArrayAttr(window.strides),
        b.getDenseI64ArrayAttr(window.pads),
        b.getDenseI64ArrayAttr(window.dilations), outPad,
        b.getI64IntegerAttr(group), b.getBoolAttr(doRelu),
        b.getF64FloatAttr(reluLimit), multiplier, rshift,
        b.getStringAttr(quantMode), b.getStringAttr(roundMode));
  } else {
    out = b.create<Conv2DOp>(
        loc, resultType, x, filter, bias, b.getDenseI64ArrayAttr(window.kernel),
        b.getDenseI64ArrayAttr(window.strides),
        b.getDenseI64ArrayAttr(window.pads),
        b.getDenseI64ArrayAttr(window.dilations), b.getI64IntegerAttr(group),
        b.getBoolAttr(doRelu), b.getF64FloatAttr(reluLimit), multiplier, rshift,
        b.getStringAttr(quantMode), b.getStringAttr(roundMode));
  }
  if (is1D)
    out = b.create<ReshapeOp>(
        ctx.nameLoc(op), withElementType(topType, getElementType(out)), out);
  return lowered({out});
}

WindowOpParts windowParts(Operation *op, Value input, Value filter, Value bias,
                          const Window2D &window, int64_t group, bool doRelu,
                          double reluLimit) {
  WindowOpParts parts;
  parts.input = input;
  parts.filter = filter;
  parts.bias = bias;
  parts.window = window;
  parts.group = group;
  parts.doRelu = doRelu;
  parts.reluLimit = reluLimit;
  parts.topType = cast<RankedTensorType>(op->getResult(0).getType());
  return parts;
}

LoweringResult lowerConv(top::ConvOp op, LoweringContext &ctx, QuantMode mode) {
  Window2D window = toWindow2D(op.getKernelShape(), op.getStrides(),
                               op.getPads(), op.getDilations());
  return lowerWindowOp(op, ctx, mode,
                       windowParts(op, op.getInput(), op.getFilter(),
                                   op.getBias(), window, op.getGroup(),
                                   op.getDoRelu(),
                                   op.getReluLimit().convertToDouble()));
}

LoweringResult lowerDeconv(top::DeconvOp op, LoweringContext &ctx,
                           QuantMode mode) {
  Window2D window = toWindow2D(op.getKernelShape(), op.getStrides(),
                               op.getPads(), op.getDilations());
  WindowOpParts parts = windowParts(
      op, op.getInput(), op.getFilter(), op.getBias(), window, op.getGroup(),
      op.getDoRelu(), op.getReluLimit().convertToDouble());
  parts.isDeconv = true;
  if (auto padding = op.getOutputPadding())
    parts.outputPadding.assign(padding->begin(), padding->end());
  return lowerWindowOp(op, ctx, mode, parts);
}

/// BatchNorm that canonicalization could not fold into a convolution is a
/// per-channel affine map: a depthwise 1x1 convolution.
LoweringResult lowerBatchNorm(top::BatchNormOp op, LoweringContext &ctx,
                              QuantMode mode) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  if (inType.getRank() < 2 || inType.getRank() > 4)
    return op.emitOpError("BatchNorm needs a rank 2 to 4 input");
  auto mean = ctx.weightData(op.getMean());
  auto var = ctx.weightData(op.getVariance());
  auto gamma = ctx.weightData(op.getGamma());
  auto beta = ctx.weightData(op.getBeta());
  if (!mean || !var)
    return op.emitOpError("mean and variance must be constant weights");
  int64_t channels = inType.getDimSize(1);
  std::vector<float> scale(channels), shift(channels);
  double eps = op.getEpsilon().convertToDouble();
  for (int64_t c = 0; c < channels; ++c) {
    double g = gamma ? (*gamma)[c] : 1.0, be = beta ? (*beta)[c] : 0.0;
    double s = g / std::sqrt(double((*var)[c]) + eps);
    scale[c] = static_cast<float>(s);
    shift[c] = static_cast<float>(be - double((*mean)[c]) * s);
  }
  OpBuilder &b = ctx.builder();
  std::string name = top::getOpName(op);
  auto f32 = Float32Type::get(ctx.getContext());
  Value filter = b.create<top::WeightOp>(
      top::makeNameLoc(ctx.getContext(), ctx.uniqueName(name + "_scale")),
      RankedTensorType::get({channels, 1, 1, 1}, f32),
      cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get({channels, 1, 1, 1}, f32),
          llvm::ArrayRef(scale))));
  Value bias = b.create<top::WeightOp>(
      top::makeNameLoc(ctx.getContext(), ctx.uniqueName(name + "_shift")),
      RankedTensorType::get({channels}, f32),
      cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get({channels}, f32), llvm::ArrayRef(shift))));
  SmallVector<int64_t> shape4(inType.getShape());
  while (shape4.size() < 4)
    shape4.push_back(1);
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  Value x = *in;
  if (inType.getRank() != 4)
    x = reshapeTo(ctx, x, shape4, name + "_to4d");
  WindowOpParts parts = windowParts(
      op, x, filter, bias, toWindow2D({1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}),
      channels, false, -1.0);
  auto topType = cast<RankedTensorType>(op.getOutput().getType());
  parts.topType = RankedTensorType::get(shape4, topType.getElementType());
  parts.reshapeResult = inType.getRank() != 4;
  auto conv = lowerWindowOp(op, ctx, mode, parts);
  if (failed(conv) || !*conv || !parts.reshapeResult)
    return conv;
  Value out = (**conv)[0];
  out = b.create<ReshapeOp>(ctx.nameLoc(op),
                            withElementType(topType, getElementType(out)), out);
  return lowered({out});
}

} // namespace

void registerConvLowerings(LoweringRegistry &registry) {
  registry.add<top::ConvOp>(lowerConv);
  registry.add<top::DeconvOp>(lowerDeconv);
  registry.add<top::BatchNormOp>(lowerBatchNorm);
}

} // namespace tpuc::tpu
