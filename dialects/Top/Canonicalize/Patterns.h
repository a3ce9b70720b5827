//===- Patterns.h - Top canonicalization patterns, shared parts -*- C++ -*-===//
//
// Each op's getCanonicalizationPatterns adds the patterns in which it is the
// producer being fused into (Conv for BatchNorm, Relu, Mul...), so a pattern
// is registered once even when several ops could reach it.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_DIALECTS_TOP_CANONICALIZE_PATTERNS_H
#define TPUC_DIALECTS_TOP_CANONICALIZE_PATTERNS_H

#include "tpuc/Dialect/Top/TopOps.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <vector>

namespace tpuc::top {

/// The data of `value` when it is an f32 top.Weight whose data is at hand
/// (inline or in the module's weight file). Missing data makes a pattern
/// not apply rather than fail, so the canonicalizer stays silent about it.
std::optional<std::vector<float>> getFoldableWeightData(mlir::Value value);

/// Whether a Conv or Deconv can absorb an op applied to its result: the
/// result has that single use, no relu was fused yet (the absorbed op would
/// otherwise act before the relu), the filter is a top.Weight and the bias a
/// top.Weight or none.
bool canAbsorbIntoConvWeights(mlir::Operation *conv);

/// A relu the absorbed op applied after itself, to be kept on the conv.
struct ReluSetting {
  bool doRelu = false;
  double limit = -1.0;
};

/// Folds `y[n, c, ...] * scale[c] + shift[c]` (empty `scale` = all ones,
/// empty `shift` = all zeros) into the filter and bias of `conv` (a ConvOp
/// or DeconvOp accepted by canAbsorbIntoConvWeights), then replaces
/// `absorbed`, whose only input is the conv result, by the conv. The conv
/// takes `absorbed`'s name, because that is the tensor users see, and its
/// relu. New weights are named `<conv name>_<suffix>_filter` / `_bias`.
/// Fails without changing anything when the weights cannot be read or do
/// not match the output channels.
mlir::LogicalResult foldChannelAffineIntoConv(
    mlir::PatternRewriter &rewriter, mlir::Operation *conv,
    mlir::Operation *absorbed, llvm::ArrayRef<float> scale,
    llvm::ArrayRef<float> shift, ReluSetting relu, llvm::StringRef suffix);

/// Relu and Clip(min = 0) fused into a producing `ProducerOp` (ConvOp,
/// DeconvOp, MatMulOp or AddOp).
template <typename ProducerOp>
void populateFuseReluPatterns(mlir::RewritePatternSet &patterns);

/// Mul, Add, MulConst and AddConst by per-channel constants folded into a
/// preceding Conv's filter and bias.
void populateFoldScaleIntoConvPatterns(mlir::RewritePatternSet &patterns);

/// x * relu6(x + 3) / 6 and x * HardSigmoid(x) into HardSwish.
void populateFuseHardSwishPatterns(mlir::RewritePatternSet &patterns);

} // namespace tpuc::top

#endif // TPUC_DIALECTS_TOP_CANONICALIZE_PATTERNS_H
