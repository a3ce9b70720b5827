//===- Histogram.h - Streaming statistics of one activation tensor -*- C++ -*-//
//
// Calibration sees every activation tensor once per sample and keeps only
// these statistics, so memory does not grow with the number of samples.
// Pass 1 gathers the range; pass 2 bins |x| into `bins` bins of width
// absMax / (bins - 1), bin = floor(|x| / width + 0.5), zeros excluded (the
// reference's binning, so that thresholds match tables made there).
//
// Every reduction is split into fixed-size chunks whose partial results are
// combined in chunk order, so the statistics do not depend on the number of
// threads. Non-finite values (inf, NaN) are counted and otherwise ignored.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_HISTOGRAM_H
#define TPUC_QUANT_CALIBRATION_HISTOGRAM_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace tpuc::calibration {

class TensorStats {
public:
  /// Pass 1: min, max, sum and counts of one sample's values.
  void addRange(const float *data, int64_t n);

  /// Ends pass 1 and prepares a histogram of `bins` bins (at least 2) over
  /// [0, absMax()]. With `absDeviation`, pass 2 also sums |x - mean()|.
  void startHistogram(int64_t bins, bool absDeviation = false);
  /// Pass 2: adds one sample's |x| to the histogram.
  void addHistogram(const float *data, int64_t n);

  /// Finite values seen in pass 1 (0 when there were none).
  double min() const { return count_ ? min_ : 0.0; }
  double max() const { return count_ ? max_ : 0.0; }
  double absMax() const;
  double mean() const { return count_ ? sum_ / count_ : 0.0; }
  /// Mean of |x - mean()| over pass 2's finite values.
  double meanAbsDeviation() const;
  uint64_t finiteCount() const { return count_; }
  uint64_t zeroCount() const { return zeros_; }
  uint64_t nonFiniteCount() const { return nonFinite_; }
  /// Values per sample (the tensor's element count).
  int64_t elementsPerSample() const { return elementsPerSample_; }

  /// The histogram of pass 2 and the width of its bins.
  llvm::ArrayRef<uint64_t> histogram() const { return hist_; }
  double binWidth() const { return width_; }

private:
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double sum_ = 0;
  uint64_t count_ = 0, zeros_ = 0, nonFinite_ = 0;
  int64_t elementsPerSample_ = 0;

  std::vector<uint64_t> hist_;
  double width_ = 0;
  bool absDeviation_ = false;
  double absDeviationSum_ = 0;
  uint64_t absDeviationCount_ = 0;
};

/// Histogram bin of |x| for a bin width's inverse (the formula above,
/// clamped to the last bin); exposed for tests.
inline int64_t histogramBin(float absValue, double inverseWidth, int64_t bins) {
  int64_t bin = static_cast<int64_t>(absValue * inverseWidth + 0.5);
  return bin < bins ? bin : bins - 1;
}

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_HISTOGRAM_H
