//===- FoldIdentityShapes.cpp - Reshape/Permute chains and identities -----===//
//
// Reshapes and permutes only move data, so a chain of them collapses into
// one op, and one that leaves the tensor as it was disappears. Also holds
// the Reshape and Permute canonicalizer lists.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

using namespace mlir;
using namespace tpuc::top;

namespace {

bool isIdentityOrder(ArrayRef<int64_t> order) {
  for (int64_t i = 0, e = order.size(); i < e; ++i)
    if (order[i] != i)
      return false;
  return true;
}

/// A Reshape between equal static shapes.
struct RemoveIdentityReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInput().getType() != op.getType() ||
        !op.getType().hasStaticShape())
      return failure();
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// Reshape(Reshape(x)) reads x directly; the inner Reshape stays only if it
/// has other users.
struct FoldReshapeChain : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    // A 0 in `shape` copies an input dim, which changes meaning with the
    // input; spell the (known) result shape out instead.
    std::optional<ArrayRef<int64_t>> shape = outer.getShape();
    bool copiesInputDims = shape && llvm::is_contained(*shape, 0);
    if (copiesInputDims && !outer.getType().hasStaticShape())
      return failure();
    rewriter.modifyOpInPlace(outer, [&] {
      outer.getInputMutable().assign(inner.getInput());
      if (copiesInputDims)
        outer.setShape(outer.getType().getShape());
    });
    return success();
  }
};

/// A Permute whose order keeps every dim in place.
struct RemoveIdentityPermute : OpRewritePattern<PermuteOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PermuteOp op,
                                PatternRewriter &rewriter) const override {
    if (!isIdentityOrder(op.getOrder()) ||
        op.getInput().getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// Permute(Permute(x, inner), outer) = Permute(x, composed) with
/// composed[i] = inner[outer[i]]: output dim i is the inner result's dim
/// outer[i], which is x's dim inner[outer[i]].
struct FoldPermuteChain : OpRewritePattern<PermuteOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PermuteOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<PermuteOp>();
    if (!inner)
      return failure();
    ArrayRef<int64_t> innerOrder = inner.getOrder();
    ArrayRef<int64_t> outerOrder = outer.getOrder();
    if (innerOrder.size() != outerOrder.size())
      return failure();
    SmallVector<int64_t> composed;
    for (int64_t dim : outerOrder) {
      if (dim < 0 || dim >= static_cast<int64_t>(innerOrder.size()))
        return failure();
      composed.push_back(innerOrder[dim]);
    }
    Value input = inner.getInput();
    if (isIdentityOrder(composed) && input.getType() == outer.getType()) {
      rewriter.replaceOp(outer, input);
      return success();
    }
    rewriter.modifyOpInPlace(outer, [&] {
      outer.getInputMutable().assign(input);
      outer.setOrder(composed);
    });
    return success();
  }
};

} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<RemoveIdentityReshape, FoldReshapeChain>(context);
}

void PermuteOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<RemoveIdentityPermute, FoldPermuteChain>(context);
}
