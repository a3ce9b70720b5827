//===- Compare.cpp - Numeric similarity of tensors ------------------------===//

#include "tpuc/Support/Compare.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace tpuc {

Similarity computeSimilarity(llvm::ArrayRef<float> a, llvm::ArrayRef<float> b) {
  assert(a.size() == b.size() && "similarity of differently sized tensors");
  // A product of two floats is exact in double, and double sums over
  // millions of elements do not drift the way float accumulation would.
  double dot = 0, normA = 0, normB = 0, normDiff = 0, normMean = 0;
  double maxAbsDiff = 0;
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    double x = a[i], y = b[i];
    double diff = x - y, mean = (x + y) / 2;
    dot += x * y;
    normA += x * x;
    normB += y * y;
    normDiff += diff * diff;
    normMean += mean * mean;
    // Once NaN, the maximum stays NaN rather than hiding it.
    if (!std::isnan(maxAbsDiff) && !(std::fabs(diff) <= maxAbsDiff))
      maxAbsDiff = std::fabs(diff);
  }

  Similarity s;
  s.maxAbsDiff = maxAbsDiff;
  const double inf = std::numeric_limits<double>::infinity();

  // Exactly one all-zero side shares no direction with the other: 0.
  if (normA == 0 && normB == 0)
    s.cosine = 1;
  else if (normA == 0 || normB == 0)
    s.cosine = 0;
  else
    s.cosine = std::clamp(dot / std::sqrt(normA * normB), -1.0, 1.0);

  // a == -b (non-zero) has a zero mean: the distance is infinitely larger.
  if (normDiff == 0)
    s.euclidean = 1;
  else if (normMean == 0)
    s.euclidean = -inf;
  else
    s.euclidean = 1 - std::sqrt(normDiff) / std::sqrt(normMean);

  // log10(0) gives -inf for an all-zero reference, which is the right limit.
  s.sqnrDb = normDiff == 0 ? inf : 10 * std::log10(normA / normDiff);
  return s;
}

} // namespace tpuc
