//===- FoldBatchNorm.cpp - BatchNorm into a preceding Conv/Deconv ---------===//
//
// Inference BatchNorm is `(y - mean) / sqrt(var + eps) * gamma + beta` per
// channel, an affine map the producing conv's filter and bias can absorb.
// Also holds the Conv and Deconv canonicalizer lists.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include <cmath>

using namespace mlir;
using namespace tpuc::top;

namespace {

template <typename ConvLikeOp>
struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvLikeOp>();
    if (!conv || !canAbsorbIntoConvWeights(conv))
      return failure();
    ArrayRef<int64_t> shape = getShape(bn.getOutput());
    if (shape.size() < 2 || ShapedType::isDynamic(shape[1]))
      return failure();
    size_t numChannels = shape[1];

    auto mean = getFoldableWeightData(bn.getMean());
    auto variance = getFoldableWeightData(bn.getVariance());
    if (!mean || !variance || mean->size() != numChannels ||
        variance->size() != numChannels)
      return failure();
    // Absent gamma/beta mean 1/0; present ones must be foldable weights.
    std::optional<std::vector<float>> gamma, beta;
    if (!isa<NoneType>(bn.getGamma().getType())) {
      gamma = getFoldableWeightData(bn.getGamma());
      if (!gamma || gamma->size() != numChannels)
        return failure();
    }
    if (!isa<NoneType>(bn.getBeta().getType())) {
      beta = getFoldableWeightData(bn.getBeta());
      if (!beta || beta->size() != numChannels)
        return failure();
    }

    double epsilon = bn.getEpsilon().convertToDouble();
    std::vector<float> scale(numChannels), shift(numChannels);
    for (size_t c = 0; c < numChannels; ++c) {
      double denominator = (*variance)[c] + epsilon;
      // Keep a BatchNorm that yields inf/nan rather than bake it in.
      if (!(denominator > 0.0))
        return failure();
      double channelScale =
          (gamma ? (*gamma)[c] : 1.0) / std::sqrt(denominator);
      scale[c] = static_cast<float>(channelScale);
      shift[c] = static_cast<float>((beta ? (*beta)[c] : 0.0) -
                                    (*mean)[c] * channelScale);
    }
    return foldChannelAffineIntoConv(rewriter, conv, bn, scale, shift, {},
                                     "bn");
  }
};

} // namespace

void ConvOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<FoldBatchNormIntoConv<ConvOp>>(context);
  populateFuseReluPatterns<ConvOp>(results);
  populateFoldScaleIntoConvPatterns(results);
}

void DeconvOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldBatchNormIntoConv<DeconvOp>>(context);
  populateFuseReluPatterns<DeconvOp>(results);
}
