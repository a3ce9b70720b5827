//===- Bootstrap.cpp - Confidence intervals by resampling images ----------===//

#include "tpuc/Quant/Accuracy/Bootstrap.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace tpuc::accuracy {

std::vector<uint32_t> resampleCounts(size_t numImages, uint64_t seed,
                                     uint64_t index) {
  // mt19937_64's output is fixed by the standard, unlike the distributions;
  // the modulo's bias (numImages / 2^64) is negligible.
  std::seed_seq sequence{
      static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
      static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32)};
  std::mt19937_64 engine(sequence);
  std::vector<uint32_t> counts(numImages, 0);
  for (size_t draw = 0; draw < numImages; ++draw)
    ++counts[engine() % numImages];
  return counts;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  double position = std::clamp(q, 0.0, 1.0) * double(values.size() - 1);
  size_t below = static_cast<size_t>(std::floor(position));
  size_t above = std::min(below + 1, values.size() - 1);
  double fraction = position - double(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

PairedBootstrap pairedBootstrap(
    size_t numImages, int numStages, size_t resamples, double confidence,
    uint64_t seed,
    llvm::function_ref<std::vector<double>(int, llvm::ArrayRef<uint32_t>)>
        metrics) {
  PairedBootstrap result;
  result.resamples = resamples;
  if (numImages == 0 || resamples == 0)
    return result;
  const int stages = numStages == 2 ? 2 : 1;
  // values[stage][r] holds every metric of resample r.
  std::vector<std::vector<std::vector<double>>> values(
      stages, std::vector<std::vector<double>>(resamples));
  const int64_t count = static_cast<int64_t>(resamples);
#pragma omp parallel for schedule(dynamic, 4)
  for (int64_t r = 0; r < count; ++r) {
    std::vector<uint32_t> counts = resampleCounts(numImages, seed, r);
    for (int stage = 0; stage < stages; ++stage)
      values[stage][r] = metrics(stage, counts);
  }
  const std::vector<uint32_t> everyImage(numImages, 1);
  std::vector<std::vector<double>> estimate;
  for (int stage = 0; stage < stages; ++stage)
    estimate.push_back(metrics(stage, everyImage));
  const double tail = (1 - confidence) / 2;
  // The basic (reverse percentile) interval [2e - q_high, 2e - q_low]: mAP
  // over a resample is biased (classes with few objects drop out or double),
  // and reflecting the quantiles around the estimate e removes that bias,
  // where the plain percentile interval would carry it over.
  auto interval = [&](double point, auto value) {
    std::vector<double> samples(resamples);
    for (size_t r = 0; r < resamples; ++r)
      samples[r] = value(r);
    return Interval{2 * point - quantile(samples, 1 - tail),
                    2 * point - quantile(samples, tail)};
  };
  for (size_t m = 0; m < estimate[0].size(); ++m) {
    result.first.push_back(
        interval(estimate[0][m], [&](size_t r) { return values[0][r][m]; }));
    if (stages == 1)
      continue;
    result.second.push_back(
        interval(estimate[1][m], [&](size_t r) { return values[1][r][m]; }));
    result.delta.push_back(
        interval(estimate[1][m] - estimate[0][m],
                 [&](size_t r) { return values[1][r][m] - values[0][r][m]; }));
  }
  return result;
}

} // namespace tpuc::accuracy
