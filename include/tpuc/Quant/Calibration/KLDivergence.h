//===- KLDivergence.h - KL-divergence threshold search -----------*- C++
//-*-===//
//
// The reference's threshold search over a histogram of |x| (bin j holds the
// values around j * width). The histogram is zero-padded to a multiple of
// `targetBins` (128 levels for INT8). For every candidate i = 128, 256, ...:
//  - P is the first i bins with the mass of bins >= i added to bin i-1,
//    divided by the total count;
//  - Q merges the first i bins into 128 groups of i/128 bins and spreads each
//    group's count evenly over its non-empty bins (empty bins stay empty),
//    divided by the count of the first i bins;
//  - KL = sum P * (log10(P + 1e-30) - log10(Q + 1e-30)).
// The candidate with the smallest KL (the first one on ties) gives the
// threshold i * width.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_KLDIVERGENCE_H
#define TPUC_QUANT_CALIBRATION_KLDIVERGENCE_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace tpuc::calibration {

struct KLSearchResult {
  /// The winning candidate's bin count i (a multiple of targetBins).
  int64_t bins = 0;
  /// i * binWidth; callers clamp it to the tensor's abs max.
  double threshold = 0;
  /// Its divergence.
  double divergence = 0;
};

/// KL of one candidate `i` (a multiple of `targetBins`, at most the padded
/// histogram size); exposed for tests.
double klDivergenceAt(llvm::ArrayRef<uint64_t> hist, int64_t i,
                      int64_t targetBins = 128);

/// The search above. An empty or all-zero histogram gives bins = 0,
/// threshold = 0.
KLSearchResult searchKLThreshold(llvm::ArrayRef<uint64_t> hist, double binWidth,
                                 int64_t targetBins = 128);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_KLDIVERGENCE_H
