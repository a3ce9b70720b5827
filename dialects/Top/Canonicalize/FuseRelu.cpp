//===- FuseRelu.cpp - Relu and Clip(0, max) into their producer -----------===//
//
// Conv, Deconv, MatMul and Add apply an optional relu themselves
// (`do_relu`, bounded by `relu_limit` when it is >= 0), so a separate Relu
// or a Clip with min 0 on their result is folded into them. Also holds the
// MatMul and Add canonicalizer lists.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

using namespace mlir;

namespace tpuc::top {
namespace {

/// Moves `activation`, a relu bounded by `limit` (none when < 0), into
/// `producer`, which takes the activation's name.
template <typename ProducerOp>
LogicalResult fuseReluInto(PatternRewriter &rewriter, ProducerOp producer,
                           Operation *activation, double limit) {
  if (!producer || producer.getDoRelu() ||
      !producer->getResult(0).hasOneUse() ||
      producer->getResult(0).getType() != activation->getResult(0).getType())
    return failure();
  rewriter.modifyOpInPlace(producer, [&] {
    producer.setDoRelu(true);
    producer.setReluLimitAttr(rewriter.getF64FloatAttr(limit));
    producer->setLoc(activation->getLoc());
  });
  rewriter.replaceOp(activation, producer->getResults());
  return success();
}

template <typename ProducerOp>
struct FuseReluIntoProducer : OpRewritePattern<ReluOp> {
  using OpRewritePattern<ReluOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    return fuseReluInto(rewriter,
                        relu.getInput().template getDefiningOp<ProducerOp>(),
                        relu, relu.getReluLimit().convertToDouble());
  }
};

template <typename ProducerOp>
struct FuseClipIntoProducer : OpRewritePattern<ClipOp> {
  using OpRewritePattern<ClipOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp clip,
                                PatternRewriter &rewriter) const override {
    double min = clip.getMin().convertToDouble();
    double max = clip.getMax().convertToDouble();
    // A negative relu_limit means "unbounded", so Clip(0, max < 0) (a
    // constant) has no relu equivalent.
    if (min != 0.0 || !(max >= 0.0))
      return failure();
    return fuseReluInto(rewriter,
                        clip.getInput().template getDefiningOp<ProducerOp>(),
                        clip, max);
  }
};

} // namespace

template <typename ProducerOp>
void populateFuseReluPatterns(RewritePatternSet &patterns) {
  patterns
      .add<FuseReluIntoProducer<ProducerOp>, FuseClipIntoProducer<ProducerOp>>(
          patterns.getContext());
}

template void populateFuseReluPatterns<ConvOp>(RewritePatternSet &);
template void populateFuseReluPatterns<DeconvOp>(RewritePatternSet &);
template void populateFuseReluPatterns<MatMulOp>(RewritePatternSet &);
template void populateFuseReluPatterns<AddOp>(RewritePatternSet &);

void MatMulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  populateFuseReluPatterns<MatMulOp>(results);
}

void AddOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  populateFuseReluPatterns<AddOp>(results);
}

} // namespace tpuc::top
