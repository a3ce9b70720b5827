//===- FuseSiLU.cpp - x * sigmoid(x) into SiLU ----------------------------===//
//
// Exporters spell SiLU/Swish as a Sigmoid and a Mul; one SiLU op is cheaper
// to run and lets later stages use a dedicated kernel. Also holds the Mul
// canonicalizer list.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

using namespace mlir;
using namespace tpuc::top;

namespace {

struct FuseSigmoidMulToSiLU : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    Value lhs = mul.getLhs(), rhs = mul.getRhs();
    for (auto [input, gate] : {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
      auto sigmoid = gate.getDefiningOp<SigmoidOp>();
      // The sigmoid must go away with the Mul, or nothing is saved; the
      // result type must be the input's, i.e. no broadcasting.
      if (!sigmoid || sigmoid.getInput() != input || !gate.hasOneUse() ||
          mul.getType() != input.getType())
        continue;
      // Created at the Mul's location, so SiLU keeps the Mul's name.
      rewriter.replaceOpWithNewOp<SiLUOp>(mul, mul.getType(), input);
      return success();
    }
    return failure();
  }
};

} // namespace

void MulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<FuseSigmoidMulToSiLU>(context);
  populateFuseHardSwishPatterns(results);
}
