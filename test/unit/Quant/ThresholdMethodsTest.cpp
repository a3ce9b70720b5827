//===- ThresholdMethodsTest.cpp - Non-KL thresholds and fake quantization -===//

#include "tpuc/Quant/Calibration/ThresholdMethods.h"
#include "tpuc/Quant/Calibration/FakeQuant.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace tpuc::calibration;

namespace {

TensorStats statsOf(const std::vector<float> &values, int64_t bins,
                    bool absDeviation = false) {
  TensorStats stats;
  stats.addRange(values.data(), values.size());
  stats.startHistogram(bins, absDeviation);
  stats.addHistogram(values.data(), values.size());
  return stats;
}

TEST(ThresholdMethods, Names) {
  EXPECT_EQ(parseCalibrationMethod("kld"), CalibrationMethod::KL);
  EXPECT_EQ(parseCalibrationMethod("use_kl"), CalibrationMethod::KL);
  EXPECT_EQ(parseCalibrationMethod("use_max"), CalibrationMethod::Max);
  EXPECT_EQ(parseCalibrationMethod("use_percentile9999"),
            CalibrationMethod::Percentile9999);
  EXPECT_EQ(parseCalibrationMethod("mse"), CalibrationMethod::MSE);
  EXPECT_EQ(parseCalibrationMethod("use_aciq_gauss"),
            CalibrationMethod::AciqGauss);
  EXPECT_EQ(parseCalibrationMethod("aciq_laplace"),
            CalibrationMethod::AciqLaplace);
  EXPECT_EQ(parseCalibrationMethod("kl_divergence"), std::nullopt);
  for (auto method :
       {CalibrationMethod::KL, CalibrationMethod::Max,
        CalibrationMethod::Percentile9999, CalibrationMethod::MSE,
        CalibrationMethod::AciqGauss, CalibrationMethod::AciqLaplace})
    EXPECT_EQ(parseCalibrationMethod(getCalibrationMethodName(method)), method);
}

TEST(ThresholdMethods, PercentileGrowsAcrossTensors) {
  EXPECT_DOUBLE_EQ(percentileForTensor(0, 11), 99.99);
  EXPECT_DOUBLE_EQ(percentileForTensor(10, 11), 99.999999);
  EXPECT_NEAR(percentileForTensor(5, 11), (99.99 + 99.999999) / 2, 1e-9);
}

TEST(ThresholdMethods, PercentileWithinOneBin) {
  // 0, 1, ..., 9999: the p-th percentile is p/100 * 9999.
  std::vector<float> values(10000);
  for (int i = 0; i < 10000; ++i)
    values[i] = static_cast<float>(i);
  TensorStats stats = statsOf(values, 2048);
  for (double percent : {50.0, 90.0, 99.99}) {
    double expected = percent / 100 * 9999;
    EXPECT_NEAR(percentileThreshold(stats, percent), expected, stats.binWidth())
        << percent;
  }
  EXPECT_DOUBLE_EQ(percentileThreshold(stats, 100.0), 9999.0);
  // Mostly zeros: low percentiles are 0.
  std::vector<float> sparse(1000, 0.0f);
  sparse[7] = 5.0f;
  EXPECT_EQ(percentileThreshold(statsOf(sparse, 2048), 99.0), 0.0);
}

TEST(ThresholdMethods, AciqFormulas) {
  std::vector<float> values = {-1.0f, 3.0f, 0.5f, 2.0f};
  TensorStats stats = statsOf(values, 16, /*absDeviation=*/true);
  const double pi = std::acos(-1.0);
  double sigma = 4.0 * 0.5 * 0.35 * (1 + std::sqrt(pi * std::log(4.0))) /
                 std::sqrt(2 * std::log(4.0));
  EXPECT_NEAR(aciqGaussThreshold(stats), 3.92403337 * sigma, 1e-9);
  double mean = 4.5 / 4;
  double b = (std::fabs(-1.0 - mean) + std::fabs(3.0 - mean) +
              std::fabs(0.5 - mean) + std::fabs(2.0 - mean)) /
             4;
  EXPECT_NEAR(aciqLaplaceThreshold(stats), 9.89675982 * b, 1e-9);
}

TEST(ThresholdMethods, MseIsAFixedPointOfOctav) {
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> values(200000);
  for (float &v : values)
    v = dist(rng);
  TensorStats stats = statsOf(values, 2048);
  double s = mseThreshold(stats);
  // The OCTAV update evaluated directly on the values returns (about) s.
  double clippedSum = 0, clipped = 0, kept = 0;
  for (float v : values) {
    double a = std::fabs(v);
    if (a > s) {
      clippedSum += a;
      ++clipped;
    } else {
      ++kept;
    }
  }
  double next = clippedSum / (std::pow(4.0, -8) / 3.0 * kept + clipped);
  EXPECT_NEAR(next, s, 0.02 * s);
  EXPECT_GT(s, 2.5);
  EXPECT_LT(s, stats.absMax());
}

TEST(FakeQuant, ActivationsRoundToEvenAndClip) {
  // Threshold 127: the scale is 1, so values round to integers in
  // [-128, 127].
  std::vector<float> in = {0.5f,   1.5f,   2.5f,    -0.5f, -1.5f,
                           126.6f, 300.0f, -300.0f, 3.2f};
  std::vector<float> out(in.size());
  fakeQuantizeActivation(in.data(), out.data(), in.size(), 127.0);
  EXPECT_EQ(out, (std::vector<float>{0.0f, 2.0f, 2.0f, -0.0f, -2.0f, 127.0f,
                                     127.0f, -128.0f, 3.0f}));
  // In place, threshold 1: steps of 1/127.
  std::vector<float> x = {0.5f, 1.0f};
  fakeQuantizeActivation(x.data(), x.data(), x.size(), 1.0);
  EXPECT_FLOAT_EQ(x[0], 64.0f / 127.0f);
  EXPECT_FLOAT_EQ(x[1], 1.0f);
}

TEST(FakeQuant, WeightsPerChannel) {
  tpuc::Tensor weight(llvm::ArrayRef<int64_t>{2, 3});
  weight.data = {1.0f, -0.5f, 0.25f, 100.0f, 1.0f, -40.0f};
  tpuc::Tensor q = fakeQuantizeWeight(weight, 0);
  // Channel 0: max 1, exact in steps of 1/127 only for 1.0.
  EXPECT_FLOAT_EQ(q.data[0], 1.0f);
  EXPECT_FLOAT_EQ(q.data[1], -64.0f / 127.0f);
  EXPECT_FLOAT_EQ(q.data[2], 32.0f / 127.0f);
  // Channel 1: max 100, 1.0 becomes one step.
  EXPECT_FLOAT_EQ(q.data[3], 100.0f);
  EXPECT_FLOAT_EQ(q.data[4], 100.0f / 127.0f);
  EXPECT_FLOAT_EQ(q.data[5], -5100.0f / 127.0f);
  // Per tensor: channel 0's small values vanish against 100.
  tpuc::Tensor t = fakeQuantizeWeight(weight, -1);
  EXPECT_FLOAT_EQ(t.data[2], 0.0f);
  EXPECT_FLOAT_EQ(t.data[0], 100.0f / 127.0f);
}

} // namespace
