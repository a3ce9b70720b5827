//===- KLDivergence.cpp - KL-divergence threshold search ------------------===//

#include "tpuc/Quant/Calibration/KLDivergence.h"

#include <cmath>
#include <limits>
#include <vector>

namespace tpuc::calibration {

static uint64_t countAt(llvm::ArrayRef<uint64_t> hist, int64_t j) {
  return j < static_cast<int64_t>(hist.size()) ? hist[j] : 0;
}

static double klDivergence(llvm::ArrayRef<uint64_t> hist, int64_t i,
                           int64_t targetBins, double total, double outliers) {
  const double first = total - outliers;
  const int64_t groupSize = i / targetBins;
  double kl = 0;
  for (int64_t g = 0; g < targetBins; ++g) {
    const int64_t start = g * groupSize;
    double groupSum = 0;
    int64_t nonEmpty = 0;
    for (int64_t j = start; j < start + groupSize; ++j) {
      uint64_t h = countAt(hist, j);
      groupSum += static_cast<double>(h);
      nonEmpty += h != 0;
    }
    const double q = nonEmpty && first > 0 ? groupSum / nonEmpty / first : 0;
    for (int64_t j = start; j < start + groupSize; ++j) {
      uint64_t h = countAt(hist, j);
      double p = static_cast<double>(h) + (j == i - 1 ? outliers : 0.0);
      if (p == 0)
        continue;
      p /= total;
      double qj = h ? q : 0.0;
      kl += p * (std::log10(p + 1e-30) - std::log10(qj + 1e-30));
    }
  }
  return kl;
}

double klDivergenceAt(llvm::ArrayRef<uint64_t> hist, int64_t i,
                      int64_t targetBins) {
  double total = 0, outliers = 0;
  for (int64_t j = 0; j < static_cast<int64_t>(hist.size()); ++j) {
    total += static_cast<double>(hist[j]);
    if (j >= i)
      outliers += static_cast<double>(hist[j]);
  }
  if (total == 0 || targetBins <= 0 || i < targetBins)
    return 0;
  return klDivergence(hist, i, targetBins, total, outliers);
}

KLSearchResult searchKLThreshold(llvm::ArrayRef<uint64_t> hist, double binWidth,
                                 int64_t targetBins) {
  KLSearchResult result;
  if (targetBins <= 0)
    return result;
  const int64_t size = static_cast<int64_t>(hist.size());
  const int64_t padded = (size + targetBins - 1) / targetBins * targetBins;
  // suffix[j] = count of bins >= j, for the outliers of every candidate.
  std::vector<double> suffix(size + 1, 0.0);
  for (int64_t j = size - 1; j >= 0; --j)
    suffix[j] = suffix[j + 1] + static_cast<double>(hist[j]);
  const double total = suffix[0];
  if (total == 0)
    return result;
  double best = std::numeric_limits<double>::infinity();
  for (int64_t i = targetBins; i <= padded; i += targetBins) {
    double outliers = i < size ? suffix[i] : 0.0;
    double kl = klDivergence(hist, i, targetBins, total, outliers);
    if (kl < best) {
      best = kl;
      result.bins = i;
    }
  }
  result.divergence = best;
  result.threshold = static_cast<double>(result.bins) * binWidth;
  return result;
}

} // namespace tpuc::calibration
