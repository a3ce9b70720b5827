//===- FoldConstChains.cpp - AddConst/MulConst chains and identities ------===//
//
// (x + a) + b = x + (a + b) and (x * a) * b = x * (a * b); adding 0 or
// multiplying by 1 is the identity; dividing by a constant is multiplying
// by its reciprocal. A relu on the inner op would act between
// the two constants, so only the outer op may carry one. Also holds the
// AddConst and MulConst canonicalizer lists.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include <cmath>

using namespace mlir;
using namespace tpuc::top;

namespace {

/// `OuterOp(InnerOp(x, a), b)` with the same op kind becomes
/// `OuterOp(x, combine(a, b))`, keeping the outer op's name and relu.
template <typename ConstOp, double (*combine)(double, double)>
struct FoldConstChain : OpRewritePattern<ConstOp> {
  using OpRewritePattern<ConstOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ConstOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().template getDefiningOp<ConstOp>();
    if (!inner || inner.getDoRelu() || !inner->hasOneUse())
      return failure();
    double value = combine(inner.getConstVal().convertToDouble(),
                           outer.getConstVal().convertToDouble());
    rewriter.modifyOpInPlace(outer, [&] {
      outer.getInputMutable().assign(inner.getInput());
      outer.setConstValAttr(rewriter.getF64FloatAttr(value));
    });
    rewriter.eraseOp(inner);
    return success();
  }
};

/// `ConstOp(x, identity)` without relu is x.
template <typename ConstOp, int identity>
struct RemoveIdentityConst : OpRewritePattern<ConstOp> {
  using OpRewritePattern<ConstOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ConstOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getDoRelu() || op.getConstVal().convertToDouble() != identity ||
        op.getInput().getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// A float Div by a constant whose elements are all one value c (broadcast
/// without changing the result shape) is MulConst(x, 1/c): the reciprocal
/// differs from the quotient by at most an ulp, and MulConst joins the
/// constant chains and fusions above.
struct DivByConstToMulConst : OpRewritePattern<DivOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DivOp div,
                                PatternRewriter &rewriter) const override {
    Value x = div.getLhs();
    auto type = dyn_cast<RankedTensorType>(div.getType());
    if (!type || !type.getElementType().isF32() || x.getType() != type)
      return failure();
    auto data = getFoldableWeightData(div.getRhs());
    if (!data || data->empty())
      return failure();
    float divisor = data->front();
    if (divisor == 0.0f || !std::isfinite(divisor) ||
        llvm::any_of(*data, [&](float v) { return v != divisor; }))
      return failure();
    rewriter.replaceOpWithNewOp<MulConstOp>(
        div, type, x, llvm::APFloat(1.0 / divisor), /*do_relu=*/false,
        llvm::APFloat(-1.0));
    return success();
  }
};

double add(double a, double b) { return a + b; }
double multiply(double a, double b) { return a * b; }

} // namespace

void AddConstOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results
      .add<FoldConstChain<AddConstOp, add>, RemoveIdentityConst<AddConstOp, 0>>(
          context);
}

void MulConstOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<FoldConstChain<MulConstOp, multiply>,
              RemoveIdentityConst<MulConstOp, 1>>(context);
  populateFuseHardSwishPatterns(results);
}

void DivOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<DivByConstToMulConst>(context);
}
