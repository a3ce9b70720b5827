//===- Bootstrap.h - Confidence intervals by resampling images --*- C++ -*-===//
//
// A mAP or top-1 measured on a hundred images moves by tenths of a point
// when a few images change, so the difference between two stages is only
// meaningful next to its uncertainty. The paired bootstrap estimates it:
// draw as many images as the dataset has, with replacement, evaluate both
// stages on the same draw, and repeat; the spread of the central 95 % of
// the resampled values gives the interval printed. Pairing (the same
// draw for both stages) keeps what the stages share out of the delta's
// interval. The interval is the basic one, the resampled quantiles
// reflected around the full dataset's value, because mAP over a resample is
// biased (on COCO128 by about +0.02 for YOLOv5n).
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_ACCURACY_BOOTSTRAP_H
#define TPUC_QUANT_ACCURACY_BOOTSTRAP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <vector>

namespace tpuc::accuracy {

/// How many times each of `numImages` images is drawn in resample `index`
/// of the sequence `seed` names: numImages draws with replacement. The same
/// (seed, index) gives the same counts on every platform.
std::vector<uint32_t> resampleCounts(size_t numImages, uint64_t seed,
                                     uint64_t index);

/// The value below which a fraction `q` (0..1) of `values` lies, linearly
/// interpolated between order statistics (numpy's default percentile).
double quantile(std::vector<double> values, double q);

struct Interval {
  double low = 0, high = 0;
};

struct PairedBootstrap {
  size_t resamples = 0;
  /// Per metric: the interval of each stage and of second - first (second
  /// and delta stay empty for one stage).
  std::vector<Interval> first, second, delta;
};

/// `metrics(stage, counts)` evaluates stage 0 (or 1, when `numStages` is 2)
/// on the images weighted by `counts` and returns its metrics (the same
/// number every call). It is called from several threads at once, and once
/// with every count 1 for the estimate. The intervals are basic bootstrap
/// intervals at `confidence` (e.g. 0.95). The result depends only on the
/// arguments, not on the thread count.
PairedBootstrap pairedBootstrap(size_t numImages, int numStages,
                                size_t resamples, double confidence,
                                uint64_t seed,
                                llvm::function_ref<std::vector<double>(
                                    int stage, llvm::ArrayRef<uint32_t> counts)>
                                    metrics);

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_BOOTSTRAP_H
