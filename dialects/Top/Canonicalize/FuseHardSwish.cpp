//===- FuseHardSwish.cpp - Exported hard-swish spellings into HardSwish ---===//
//
// Exporters without a HardSwish op spell it x * relu6(x + 3) / 6 (Paddle,
// TensorFlow) or x * HardSigmoid(x) (PyTorch before opset 14). As one op it
// is one kernel and, in BF16, one rounding instead of four or five; INT8
// sees one table either way.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include <cmath>

using namespace mlir;
using namespace tpuc::top;

namespace {

/// Whether `gate` is Clip(AddConst(x, 3), 0, 6), both used only here.
bool isRelu6OfXPlus3(Value gate, Value x) {
  auto clip = gate.getDefiningOp<ClipOp>();
  if (!clip || !gate.hasOneUse() || clip.getMin().convertToDouble() != 0.0 ||
      clip.getMax().convertToDouble() != 6.0)
    return false;
  auto add = clip.getInput().getDefiningOp<AddConstOp>();
  return add && add.getInput() == x && !add.getDoRelu() &&
         add.getConstVal().convertToDouble() == 3.0 && add->hasOneUse();
}

/// `MulConst(Mul(x, relu6(x + 3)), c)` is `MulConst(HardSwish(x), 6c)`, or
/// HardSwish(x) alone when 6c is 1. The constant may already hold a
/// following scale folded into the 1/6.
struct FuseRelu6HardSwish : OpRewritePattern<MulConstOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulConstOp scale,
                                PatternRewriter &rewriter) const override {
    auto mul = scale.getInput().getDefiningOp<MulOp>();
    if (!mul || !mul->hasOneUse())
      return failure();
    for (auto [x, gate] : {std::pair(mul.getLhs(), mul.getRhs()),
                           std::pair(mul.getRhs(), mul.getLhs())}) {
      if (mul.getType() != x.getType() || !isRelu6OfXPlus3(gate, x))
        continue;
      double rest = 6.0 * scale.getConstVal().convertToDouble();
      if (std::fabs(rest - 1.0) < 1e-6 && !scale.getDoRelu()) {
        rewriter.replaceOpWithNewOp<HardSwishOp>(scale, scale.getType(), x);
        return success();
      }
      // The product keeps its name on the HardSwish.
      Value swish =
          rewriter.create<HardSwishOp>(mul.getLoc(), mul.getType(), x);
      rewriter.modifyOpInPlace(scale, [&] {
        scale.getInputMutable().assign(swish);
        scale.setConstValAttr(rewriter.getF64FloatAttr(rest));
      });
      rewriter.eraseOp(mul);
      return success();
    }
    return failure();
  }
};

/// `Mul(x, HardSigmoid(x; alpha = 1/6, beta = 1/2))` is HardSwish(x).
struct FuseHardSigmoidHardSwish : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, gate] : {std::pair(mul.getLhs(), mul.getRhs()),
                           std::pair(mul.getRhs(), mul.getLhs())}) {
      auto hardSigmoid = gate.getDefiningOp<HardSigmoidOp>();
      // alpha is 1/6 as float32 in exported models.
      if (!hardSigmoid || hardSigmoid.getInput() != x || !gate.hasOneUse() ||
          mul.getType() != x.getType() ||
          std::fabs(hardSigmoid.getAlpha().convertToDouble() - 1.0 / 6.0) >
              1e-6 ||
          hardSigmoid.getBeta().convertToDouble() != 0.5)
        continue;
      rewriter.replaceOpWithNewOp<HardSwishOp>(mul, mul.getType(), x);
      return success();
    }
    return failure();
  }
};

} // namespace

namespace tpuc::top {

void populateFuseHardSwishPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseRelu6HardSwish, FuseHardSigmoidHardSwish>(
      patterns.getContext());
}

} // namespace tpuc::top
