//===- KLDivergenceTest.cpp - Histograms and the KL threshold search ------===//
//
// The histogram and the KL search are checked against straightforward
// re-implementations written from the reference's description (explicit P
// and Q arrays, division instead of a multiplication by the inverse width),
// on uniform, gaussian and laplace (with outliers) samples.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Calibration/KLDivergence.h"
#include "tpuc/Quant/Calibration/Histogram.h"

#include "gtest/gtest.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace tpuc::calibration;

namespace {

/// |x| binned as the reference describes it, zeros excluded.
std::vector<uint64_t> referenceHistogram(const std::vector<float> &values,
                                         int64_t bins) {
  double absMax = 0;
  for (float v : values)
    absMax = std::max(absMax, std::fabs(static_cast<double>(v)));
  std::vector<uint64_t> hist(bins, 0);
  double width = absMax / (bins - 1);
  for (float v : values) {
    double a = std::fabs(static_cast<double>(v));
    if (a == 0)
      continue;
    int64_t bin = static_cast<int64_t>(std::floor(a / width + 0.5));
    ++hist[std::min(bin, bins - 1)];
  }
  return hist;
}

/// KL of candidate i with explicit distributions.
double referenceKL(const std::vector<double> &hist, int64_t i) {
  const int64_t levels = 128;
  std::vector<double> p(hist.begin(), hist.begin() + i);
  p[i - 1] += std::accumulate(hist.begin() + i, hist.end(), 0.0);
  double pTotal = std::accumulate(p.begin(), p.end(), 0.0);
  for (double &v : p)
    v /= pTotal;
  std::vector<double> q(i, 0.0);
  const int64_t per = i / levels;
  for (int64_t g = 0; g < levels; ++g) {
    double sum = 0;
    int nonEmpty = 0;
    for (int64_t j = g * per; j < (g + 1) * per; ++j) {
      sum += hist[j];
      nonEmpty += hist[j] != 0;
    }
    for (int64_t j = g * per; j < (g + 1) * per; ++j)
      q[j] = hist[j] != 0 ? sum / nonEmpty : 0.0;
  }
  double qTotal = std::accumulate(q.begin(), q.end(), 0.0);
  for (double &v : q)
    v /= qTotal;
  double kl = 0;
  for (int64_t j = 0; j < i; ++j)
    if (p[j] > 0)
      kl += p[j] * (std::log10(p[j] + 1e-30) - std::log10(q[j] + 1e-30));
  return kl;
}

/// The winning bin count of the reference search.
int64_t referenceSearch(const std::vector<uint64_t> &counts) {
  std::vector<double> hist(counts.begin(), counts.end());
  hist.resize((hist.size() + 127) / 128 * 128, 0.0);
  int64_t best = 0;
  double bestKL = INFINITY;
  for (int64_t i = 128; i <= static_cast<int64_t>(hist.size()); i += 128) {
    double kl = referenceKL(hist, i);
    if (kl < bestKL) {
      bestKL = kl;
      best = i;
    }
  }
  return best;
}

TensorStats statsOf(const std::vector<float> &values, int64_t bins) {
  TensorStats stats;
  stats.addRange(values.data(), values.size());
  stats.startHistogram(bins);
  stats.addHistogram(values.data(), values.size());
  return stats;
}

/// Checks the histogram against the reference binning (a value exactly on
/// a bin edge may land on either side) and the search against the
/// reference search; returns the threshold.
double checkAgainstReference(const std::vector<float> &values) {
  const int64_t bins = 2048;
  TensorStats stats = statsOf(values, bins);
  std::vector<uint64_t> expected = referenceHistogram(values, bins);
  uint64_t moved = 0;
  for (int64_t b = 0; b < bins; ++b)
    moved += std::llabs(static_cast<long long>(stats.histogram()[b]) -
                        static_cast<long long>(expected[b]));
  EXPECT_LE(moved, 2u);
  EXPECT_EQ(std::accumulate(stats.histogram().begin(), stats.histogram().end(),
                            uint64_t(0)),
            std::accumulate(expected.begin(), expected.end(), uint64_t(0)));

  KLSearchResult result =
      searchKLThreshold(stats.histogram(), stats.binWidth());
  std::vector<uint64_t> counts(stats.histogram().begin(),
                               stats.histogram().end());
  EXPECT_EQ(result.bins, referenceSearch(counts));
  EXPECT_DOUBLE_EQ(result.threshold, result.bins * stats.binWidth());
  for (int64_t i = 128; i <= bins; i += 128) {
    std::vector<double> hist(counts.begin(), counts.end());
    EXPECT_NEAR(klDivergenceAt(stats.histogram(), i), referenceKL(hist, i),
                1e-9)
        << "candidate " << i;
  }
  return std::min(result.threshold, stats.absMax());
}

TEST(KLDivergence, UniformKeepsTheWholeRange) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  std::vector<float> values(200000);
  for (float &v : values)
    v = dist(rng);
  double threshold = checkAgainstReference(values);
  // Nothing is an outlier: the search takes all 2048 bins, just past the
  // max, which the caller clamps to.
  TensorStats stats = statsOf(values, 2048);
  EXPECT_EQ(searchKLThreshold(stats.histogram(), stats.binWidth()).bins, 2048);
  EXPECT_DOUBLE_EQ(threshold, stats.absMax());
}

TEST(KLDivergence, GaussianKeepsThreeSigma) {
  std::mt19937 rng(2);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> values(500000);
  for (float &v : values)
    v = dist(rng);
  double threshold = checkAgainstReference(values);
  // With this many values even the far tail fills its bins sparsely, and
  // Q, which spreads each group over its non-empty bins, follows it: the
  // 16-candidate search keeps (almost) the whole range, well past 3 sigma.
  TensorStats stats = statsOf(values, 2048);
  EXPECT_LE(threshold, stats.absMax());
  EXPECT_GT(threshold, 3.0);
}

TEST(KLDivergence, LaplaceWithOutliersIgnoresThem) {
  std::mt19937 rng(3);
  std::exponential_distribution<float> magnitude(1.0f);
  std::bernoulli_distribution sign(0.5);
  std::vector<float> values(300000);
  for (float &v : values)
    v = sign(rng) ? magnitude(rng) : -magnitude(rng);
  for (int k = 0; k < 20; ++k)
    values[k * 1000] = k % 2 ? 100.0f : -90.0f;
  double threshold = checkAgainstReference(values);
  EXPECT_LT(threshold, 20.0);
  EXPECT_GT(threshold, 2.0);
}

TEST(KLDivergence, PadsShortHistograms) {
  // 200 bins pad to 256: candidates 128 and 256.
  std::vector<uint64_t> hist(200, 0);
  for (int j = 0; j < 200; ++j)
    hist[j] = 1000;
  KLSearchResult result = searchKLThreshold(hist, 0.5);
  EXPECT_EQ(result.bins, 256);
  EXPECT_DOUBLE_EQ(result.threshold, 128.0);
  EXPECT_EQ(searchKLThreshold(std::vector<uint64_t>(300, 0), 1.0).bins, 0);
}

TEST(Histogram, RangeStatisticsIgnoreNonFiniteValues) {
  std::vector<float> values = {0.0f, -2.5f, 1.0f, INFINITY, NAN, 0.0f, 3.0f};
  TensorStats stats;
  stats.addRange(values.data(), values.size());
  EXPECT_EQ(stats.min(), -2.5);
  EXPECT_EQ(stats.max(), 3.0);
  EXPECT_EQ(stats.absMax(), 3.0);
  EXPECT_EQ(stats.finiteCount(), 5u);
  EXPECT_EQ(stats.zeroCount(), 2u);
  EXPECT_EQ(stats.nonFiniteCount(), 2u);
  EXPECT_DOUBLE_EQ(stats.mean(), 1.5 / 5);
  stats.startHistogram(4, /*absDeviation=*/true);
  stats.addHistogram(values.data(), values.size());
  // width 1: 1.0 -> bin 1, 2.5 -> bin 3 (floor(3.0)), 3.0 -> bin 3.
  EXPECT_EQ(
      std::vector<uint64_t>(stats.histogram().begin(), stats.histogram().end()),
      (std::vector<uint64_t>{0, 1, 0, 2}));
  double mean = 0.3;
  double dev = (2 * mean + std::fabs(-2.5 - mean) + std::fabs(1.0 - mean) +
                std::fabs(3.0 - mean)) /
               5;
  EXPECT_NEAR(stats.meanAbsDeviation(), dev, 1e-12);
}

TEST(Histogram, AllZerosHasAnEmptyHistogram) {
  std::vector<float> values(1000, 0.0f);
  TensorStats stats = statsOf(values, 2048);
  EXPECT_EQ(stats.absMax(), 0.0);
  EXPECT_EQ(std::accumulate(stats.histogram().begin(), stats.histogram().end(),
                            uint64_t(0)),
            0u);
}

TEST(Histogram, SameResultOnAnyThreadCount) {
  std::mt19937 rng(4);
  std::normal_distribution<float> dist(0.5f, 2.0f);
  std::vector<float> values(1 << 20);
  for (float &v : values)
    v = dist(rng);
  int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  TensorStats one = statsOf(values, 2048);
  omp_set_num_threads(3);
  TensorStats three = statsOf(values, 2048);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.mean(), three.mean());
  EXPECT_EQ(one.min(), three.min());
  EXPECT_EQ(one.max(), three.max());
  EXPECT_TRUE(std::equal(one.histogram().begin(), one.histogram().end(),
                         three.histogram().begin()));
}

TEST(Histogram, MatchesTheBinFormula) {
  // Values on and around bin centres and edges of width 0.5.
  std::vector<float> values = {2.0f, 0.1f, 0.25f, 0.26f, 0.74f, 0.76f, 1.9f};
  TensorStats stats = statsOf(values, 5);
  ASSERT_DOUBLE_EQ(stats.binWidth(), 0.5);
  std::vector<uint64_t> expected(5, 0);
  for (float v : values)
    ++expected[histogramBin(v, 2.0, 5)];
  EXPECT_EQ(
      std::vector<uint64_t>(stats.histogram().begin(), stats.histogram().end()),
      expected);
  EXPECT_EQ(histogramBin(0.1f, 2.0, 5), 0);
  EXPECT_EQ(histogramBin(0.26f, 2.0, 5), 1);
  EXPECT_EQ(histogramBin(2.0f, 2.0, 5), 4);
}

} // namespace
