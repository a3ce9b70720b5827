//===- Histogram.cpp - Streaming statistics of one activation tensor ------===//

#include "tpuc/Quant/Calibration/Histogram.h"
#include "Parallel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace tpuc::calibration {

namespace {
struct RangePart {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  double sum = 0;
  int64_t count = 0, zeros = 0, nonFinite = 0;
};
} // namespace

static int isFinite(float x) { return std::fabs(x) <= FLT_MAX; }

static RangePart rangeOf(const float *p, int64_t n) {
  RangePart part;
  float mn = part.min, mx = part.max;
  double sum = 0;
  int64_t zeros = 0, nonFinite = 0;
  // The vector loop assumes finite values; a chunk with inf or NaN is redone
  // below, which is rare enough not to matter.
#pragma omp simd reduction(min : mn) reduction(max : mx)                       \
    reduction(+ : sum, zeros, nonFinite)
  for (int64_t i = 0; i < n; ++i) {
    float x = p[i];
    mn = std::min(mn, x);
    mx = std::max(mx, x);
    sum += x;
    zeros += x == 0.0f;
    nonFinite += !isFinite(x);
  }
  if (nonFinite == 0) {
    part.min = mn;
    part.max = mx;
    part.sum = sum;
    part.count = n;
    part.zeros = zeros;
    return part;
  }
  for (int64_t i = 0; i < n; ++i) {
    float x = p[i];
    if (!isFinite(x)) {
      ++part.nonFinite;
      continue;
    }
    part.min = std::min(part.min, x);
    part.max = std::max(part.max, x);
    part.sum += x;
    ++part.count;
    part.zeros += x == 0.0f;
  }
  return part;
}

void TensorStats::addRange(const float *data, int64_t n) {
  elementsPerSample_ = n;
  std::vector<RangePart> parts(numChunks(n));
  forEachChunk(n, [&](int64_t c, int64_t begin, int64_t end) {
    parts[c] = rangeOf(data + begin, end - begin);
  });
  for (const RangePart &part : parts) {
    if (part.count) {
      min_ = std::min(min_, static_cast<double>(part.min));
      max_ = std::max(max_, static_cast<double>(part.max));
    }
    sum_ += part.sum;
    count_ += part.count;
    zeros_ += part.zeros;
    nonFinite_ += part.nonFinite;
  }
}

double TensorStats::absMax() const {
  return count_ ? std::max(std::fabs(min_), std::fabs(max_)) : 0.0;
}

double TensorStats::meanAbsDeviation() const {
  return absDeviationCount_ ? absDeviationSum_ / absDeviationCount_ : 0.0;
}

void TensorStats::startHistogram(int64_t bins, bool absDeviation) {
  bins = std::max<int64_t>(bins, 2);
  hist_.assign(bins, 0);
  width_ = absMax() / static_cast<double>(bins - 1);
  absDeviation_ = absDeviation;
  absDeviationSum_ = 0;
  absDeviationCount_ = 0;
}

/// Bins one chunk into four interleaved sub-histograms of `stride` counters
/// each (consecutive values often fall into the same bin, and one counter
/// would serialize on its own increments). Index `bins` collects the values
/// that are not counted: zeros and non-finite values.
static void binChunk(const float *p, int64_t n, double inverseWidth,
                     float limit, int32_t bins, uint32_t *local,
                     int64_t stride) {
  constexpr int64_t kBlock = 256;
  int32_t index[kBlock];
  const double sink = bins + 0.5;
  uint32_t *h0 = local, *h1 = local + stride, *h2 = local + 2 * stride,
           *h3 = local + 3 * stride;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t m = std::min(kBlock, n - start);
    const float *x = p + start;
    // Branch-free so that it vectorizes. Clamping to the abs max keeps the
    // conversion away from NaN and inf and the bin at most bins - 1 (the
    // product is at most (bins - 1) * (1 + 2^-52)); uncounted values get
    // `sink`, which converts to `bins`.
#pragma omp simd
    for (int64_t k = 0; k < m; ++k) {
      float a = std::fabs(x[k]);
      int counted = (a > 0.0f) & (a <= FLT_MAX);
      float clamped = a < limit ? a : limit;
      double position = static_cast<double>(clamped) * inverseWidth + 0.5;
      index[k] = static_cast<int32_t>(counted ? position : sink);
    }
    int64_t k = 0;
    for (; k + 4 <= m; k += 4) {
      ++h0[index[k]];
      ++h1[index[k + 1]];
      ++h2[index[k + 2]];
      ++h3[index[k + 3]];
    }
    for (; k < m; ++k)
      ++h0[index[k]];
  }
}

static void absDeviationOf(const float *p, int64_t n, double mean, double &sum,
                           int64_t &count) {
  double s = 0;
  int64_t c = 0;
#pragma omp simd reduction(+ : s, c)
  for (int64_t i = 0; i < n; ++i) {
    bool finite = isFinite(p[i]);
    s += finite ? std::fabs(static_cast<double>(p[i]) - mean) : 0.0;
    c += finite;
  }
  sum = s;
  count = c;
}

void TensorStats::addHistogram(const float *data, int64_t n) {
  const int64_t chunks = numChunks(n);
  if (absDeviation_) {
    std::vector<double> sums(chunks);
    std::vector<int64_t> counts(chunks);
    const double center = mean();
    forEachChunk(n, [&](int64_t c, int64_t begin, int64_t end) {
      absDeviationOf(data + begin, end - begin, center, sums[c], counts[c]);
    });
    for (int64_t c = 0; c < chunks; ++c) {
      absDeviationSum_ += sums[c];
      absDeviationCount_ += counts[c];
    }
  }
  // Everything is zero: nothing to bin (zeros are not counted).
  if (!(width_ > 0) || hist_.empty())
    return;
  const int32_t bins = static_cast<int32_t>(hist_.size());
  const int64_t stride = bins + 1;
  const double inverseWidth = 1.0 / width_;
  const float limit = static_cast<float>(absMax());
  // Counts are integers, so merging the threads' histograms in any order
  // gives the same result.
#pragma omp parallel if (chunks > 1)
  {
    std::vector<uint32_t> local(4 * stride, 0);
#pragma omp for schedule(static)
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t begin = c * kChunkSize;
      int64_t end = std::min(begin + kChunkSize, n);
      binChunk(data + begin, end - begin, inverseWidth, limit, bins,
               local.data(), stride);
    }
#pragma omp critical(tpuc_calibration_histogram)
    for (int32_t b = 0; b < bins; ++b)
      hist_[b] += static_cast<uint64_t>(local[b]) + local[stride + b] +
                  local[2 * stride + b] + local[3 * stride + b];
  }
}

} // namespace tpuc::calibration
