//===- FoldScaleIntoConv.cpp - Per-channel affine ops into conv weights ---===//
//
// A conv followed by a per-output-channel multiply and/or add computes
// `conv(x) * s[c] + t[c]`, which is the conv with filter `w * s[c]` and bias
// `b * s[c] + t[c]`. This file holds that rewrite, shared with the BatchNorm
// fold, and the patterns folding Mul/Add/MulConst/AddConst into a Conv.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "tpuc/Dialect/Top/TopWeights.h"

using namespace mlir;

namespace tpuc::top {

std::optional<std::vector<float>> getFoldableWeightData(Value value) {
  auto weight = value.getDefiningOp<WeightOp>();
  if (!weight)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(weight.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  if (!weight.getValueAttr()) {
    auto module = weight->getParentOfType<ModuleOp>();
    WeightStore *store = module ? getWeightStore(module) : nullptr;
    if (!store || !store->contains(weight.getTensorName()))
      return std::nullopt;
  }
  auto data = readWeightAsFloat(weight);
  if (failed(data) ||
      static_cast<int64_t>(data->size()) != type.getNumElements())
    return std::nullopt;
  return std::move(*data);
}

static bool hasFusedRelu(Operation *conv) {
  if (auto op = dyn_cast<ConvOp>(conv))
    return op.getDoRelu();
  if (auto op = dyn_cast<DeconvOp>(conv))
    return op.getDoRelu();
  return false;
}

bool canAbsorbIntoConvWeights(Operation *conv) {
  if (!conv || !isa<ConvOp, DeconvOp>(conv) || hasFusedRelu(conv))
    return false;
  if (!conv->getResult(0).hasOneUse())
    return false;
  Value filter = conv->getOperand(1);
  Value bias = conv->getOperand(2);
  return filter.getDefiningOp<WeightOp>() &&
         (isa<NoneType>(bias.getType()) || bias.getDefiningOp<WeightOp>());
}

/// The output channel each filter element contributes to, or failure when
/// the filter does not match `numChannels`. Conv filters are
/// `[oc, ic/group, k...]`; Deconv filters are `[ic, oc/group, k...]`, where
/// input channel i belongs to group i / (ic/group).
static FailureOr<std::vector<int64_t>>
getFilterChannels(Operation *conv, ArrayRef<int64_t> filterShape,
                  int64_t numChannels) {
  int64_t numElements = ShapedType::getNumElements(filterShape);
  if (filterShape.size() < 2 || numElements == 0 || numChannels <= 0)
    return failure();
  std::vector<int64_t> channels(numElements);
  if (isa<ConvOp>(conv)) {
    if (filterShape[0] != numChannels)
      return failure();
    int64_t perChannel = numElements / numChannels;
    for (int64_t i = 0; i < numElements; ++i)
      channels[i] = i / perChannel;
    return channels;
  }
  int64_t group = static_cast<int64_t>(cast<DeconvOp>(conv).getGroup());
  int64_t inChannels = filterShape[0];
  int64_t outPerGroup = filterShape[1];
  if (group <= 0 || inChannels % group != 0 ||
      outPerGroup * group != numChannels)
    return failure();
  int64_t inPerGroup = inChannels / group;
  int64_t kernelSize = numElements / (inChannels * outPerGroup);
  for (int64_t i = 0; i < numElements; ++i) {
    int64_t in = i / (outPerGroup * kernelSize);
    int64_t out = (i / kernelSize) % outPerGroup;
    channels[i] = (in / inPerGroup) * outPerGroup + out;
  }
  return channels;
}

template <typename ConvLikeOp>
static void setFusedRelu(PatternRewriter &rewriter, ConvLikeOp conv,
                         ReluSetting relu) {
  conv.setDoRelu(true);
  conv.setReluLimitAttr(rewriter.getF64FloatAttr(relu.limit));
}

LogicalResult foldChannelAffineIntoConv(PatternRewriter &rewriter,
                                        Operation *conv, Operation *absorbed,
                                        ArrayRef<float> scale,
                                        ArrayRef<float> shift, ReluSetting relu,
                                        StringRef suffix) {
  Value output = conv->getResult(0);
  if (absorbed->getResult(0).getType() != output.getType())
    return failure();
  ArrayRef<int64_t> outShape = getShape(output);
  if (outShape.size() < 2 || ShapedType::isDynamic(outShape[1]))
    return failure();
  int64_t numChannels = outShape[1];
  if ((!scale.empty() && static_cast<int64_t>(scale.size()) != numChannels) ||
      (!shift.empty() && static_cast<int64_t>(shift.size()) != numChannels))
    return failure();
  auto module = conv->getParentOfType<ModuleOp>();
  if (!module)
    return failure();

  // Read and compute everything before touching the IR, so that a failure
  // leaves it unchanged.
  Value filter = conv->getOperand(1);
  std::optional<std::vector<float>> newFilter;
  if (!scale.empty()) {
    newFilter = getFoldableWeightData(filter);
    if (!newFilter)
      return failure();
    auto channels = getFilterChannels(conv, getShape(filter), numChannels);
    if (failed(channels))
      return failure();
    for (size_t i = 0; i < newFilter->size(); ++i)
      (*newFilter)[i] *= scale[(*channels)[i]];
  }

  Value bias = conv->getOperand(2);
  bool hasBias = !isa<NoneType>(bias.getType());
  std::vector<float> newBias(numChannels, 0.0f);
  if (hasBias) {
    auto data = getFoldableWeightData(bias);
    if (!data || static_cast<int64_t>(data->size()) != numChannels)
      return failure();
    newBias = std::move(*data);
  }
  bool needsBias = hasBias;
  for (int64_t c = 0; c < numChannels; ++c) {
    double value = newBias[c];
    if (!scale.empty())
      value *= scale[c];
    if (!shift.empty()) {
      value += shift[c];
      needsBias |= shift[c] != 0.0f;
    }
    newBias[c] = static_cast<float>(value);
  }

  std::string convName = getOpName(conv);
  if (convName.empty())
    convName = conv->getName().stripDialect().lower();
  std::string baseName = convName + "_" + suffix.str();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(conv);
  Value filterWeight, biasWeight;
  if (newFilter)
    filterWeight = createWeight(rewriter, module, baseName + "_filter",
                                getShape(filter), *newFilter);
  if (needsBias)
    biasWeight = createWeight(rewriter, module, baseName + "_bias",
                              {numChannels}, newBias);

  rewriter.modifyOpInPlace(conv, [&] {
    if (filterWeight)
      conv->setOperand(1, filterWeight);
    if (biasWeight)
      conv->setOperand(2, biasWeight);
    conv->setLoc(absorbed->getLoc());
    if (!relu.doRelu)
      return;
    if (auto op = dyn_cast<ConvOp>(conv))
      setFusedRelu(rewriter, op, relu);
    else
      setFusedRelu(rewriter, cast<DeconvOp>(conv), relu);
  });
  rewriter.replaceOp(absorbed, conv->getResults());
  return success();
}

namespace {

/// One value per output channel of `convOutput` when `weight` is a foldable
/// top.Weight holding a scalar or a per-channel vector shaped to broadcast
/// along dim 1 only ([1, C, 1, 1], [C, 1, 1], ...).
std::optional<std::vector<float>> getPerChannelValues(Value weight,
                                                      Value convOutput) {
  ArrayRef<int64_t> outShape = getShape(convOutput);
  ArrayRef<int64_t> shape = getShape(weight);
  if (outShape.size() < 2 || ShapedType::isDynamic(outShape[1]) ||
      shape.size() > outShape.size())
    return std::nullopt;
  int64_t numChannels = outShape[1];
  auto data = getFoldableWeightData(weight);
  if (!data)
    return std::nullopt;
  if (data->size() == 1)
    return std::vector<float>(numChannels, data->front());
  // Right-aligned as in numpy broadcasting: the weight's dim aligned with
  // the channel dim must hold the channels, all others must be 1.
  int64_t channelDim = static_cast<int64_t>(shape.size()) -
                       static_cast<int64_t>(outShape.size()) + 1;
  if (channelDim < 0)
    return std::nullopt;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (shape[i] != (i == channelDim ? numChannels : 1))
      return std::nullopt;
  return data;
}

/// The Conv producing one operand of a binary op, the other being a
/// per-channel weight.
struct ConvAndChannelValues {
  ConvOp conv;
  std::vector<float> values;
};

std::optional<ConvAndChannelValues> matchConvAndWeight(Value lhs, Value rhs) {
  for (auto [convSide, weightSide] :
       {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    auto conv = convSide.getDefiningOp<ConvOp>();
    if (!conv || !canAbsorbIntoConvWeights(conv))
      continue;
    if (auto values = getPerChannelValues(weightSide, convSide))
      return ConvAndChannelValues{conv, std::move(*values)};
  }
  return std::nullopt;
}

struct FoldMulIntoConv : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    auto match = matchConvAndWeight(mul.getLhs(), mul.getRhs());
    if (!match)
      return failure();
    return foldChannelAffineIntoConv(rewriter, match->conv, mul, match->values,
                                     {}, {}, "mul");
  }
};

struct FoldAddIntoConv : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    auto match = matchConvAndWeight(add.getLhs(), add.getRhs());
    if (!match)
      return failure();
    ReluSetting relu{add.getDoRelu(), add.getReluLimit().convertToDouble()};
    return foldChannelAffineIntoConv(rewriter, match->conv, add, {},
                                     match->values, relu, "add");
  }
};

/// MulConst / AddConst on a Conv result; `isScale` selects which side of
/// the affine map the constant goes to.
template <typename ConstOp, bool isScale>
struct FoldConstIntoConv : OpRewritePattern<ConstOp> {
  using OpRewritePattern<ConstOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstOp op,
                                PatternRewriter &rewriter) const override {
    auto conv = op.getInput().template getDefiningOp<ConvOp>();
    if (!conv || !canAbsorbIntoConvWeights(conv))
      return failure();
    ArrayRef<int64_t> outShape = getShape(conv.getOutput());
    if (outShape.size() < 2 || ShapedType::isDynamic(outShape[1]))
      return failure();
    std::vector<float> values(outShape[1], op.getConstVal().convertToDouble());
    ReluSetting relu{op.getDoRelu(), op.getReluLimit().convertToDouble()};
    if (isScale)
      return foldChannelAffineIntoConv(rewriter, conv, op, values, {}, relu,
                                       "mul");
    return foldChannelAffineIntoConv(rewriter, conv, op, {}, values, relu,
                                     "add");
  }
};

} // namespace

void populateFoldScaleIntoConvPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<FoldMulIntoConv, FoldAddIntoConv,
               FoldConstIntoConv<MulConstOp, true>,
               FoldConstIntoConv<AddConstOp, false>>(ctx);
}

} // namespace tpuc::top
