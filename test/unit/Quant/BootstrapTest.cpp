//===- BootstrapTest.cpp - Weighted metrics and bootstrap intervals -------===//
//
// A resample is evaluated by counting each image as often as it is drawn;
// that must equal evaluating a dataset holding the copies, including the
// tie order of equal scores. The intervals are checked where they are known
// exactly (identical stages, a constant shift) and for determinism.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Accuracy/Bootstrap.h"
#include "tpuc/Quant/Accuracy/ClassificationMetrics.h"
#include "tpuc/Quant/Accuracy/DetectionMetrics.h"

#include "gtest/gtest.h"

#include <atomic>
#include <numeric>

using namespace tpuc::accuracy;

namespace {

struct ImageCase {
  std::vector<GroundTruth> objects;
  std::vector<Detection> detections;
};

/// Three images with two classes, misses, false positives and scores that
/// tie across images (0.8 and 0.6).
std::vector<ImageCase> images() {
  return {
      {{{Box{0, 0, 10, 10}, 0}, {Box{20, 20, 40, 40}, 1}},
       {{Box{0, 0, 10, 10}, 0.8f, 0},
        {Box{50, 50, 60, 60}, 0.6f, 0},
        {Box{21, 20, 40, 41}, 0.9f, 1}}},
      {{{Box{0, 0, 10, 10}, 0}, {Box{30, 30, 35, 35}, 0}},
       {{Box{30, 30, 35, 36}, 0.8f, 0}, {Box{1, 0, 11, 10}, 0.6f, 0}}},
      {{}, {{Box{5, 5, 9, 9}, 0.8f, 1}, {Box{0, 0, 4, 4}, 0.7f, 0}}},
  };
}

DetectionEvaluator evaluate(const std::vector<ImageCase> &cases,
                            const std::vector<size_t> &order) {
  DetectionEvaluator e;
  for (size_t i : order)
    e.addImage(cases[i].objects, cases[i].detections);
  return e;
}

void expectSameMetrics(const DetectionMetrics &a, const DetectionMetrics &b) {
  EXPECT_EQ(a.numImages, b.numImages);
  EXPECT_EQ(a.numGroundTruth, b.numGroundTruth);
  EXPECT_EQ(a.numDetections, b.numDetections);
  EXPECT_EQ(a.numClasses, b.numClasses);
  EXPECT_DOUBLE_EQ(a.map50, b.map50);
  EXPECT_DOUBLE_EQ(a.map75, b.map75);
  EXPECT_DOUBLE_EQ(a.map50to95, b.map50to95);
}

TEST(BootstrapTest, CountsOfOneAreTheDataset) {
  DetectionEvaluator e = evaluate(images(), {0, 1, 2});
  expectSameMetrics(e.compute({1, 1, 1}), e.compute());
  // The case is not trivial: mAP strictly between 0 and 1.
  EXPECT_GT(e.compute().map50to95, 0.1);
  EXPECT_LT(e.compute().map50to95, 0.9);
  EXPECT_LT(e.compute().map50, 1.0);
}

TEST(BootstrapTest, CountsEqualCopiesOfTheImages) {
  std::vector<ImageCase> cases = images();
  DetectionEvaluator e = evaluate(cases, {0, 1, 2});
  // Image 0 twice, image 1 left out, image 2 three times: the copies come
  // right after the image, as a resample's tie order puts them.
  expectSameMetrics(e.compute({2, 0, 3}),
                    evaluate(cases, {0, 0, 2, 2, 2}).compute());
  expectSameMetrics(e.compute({0, 3, 1}),
                    evaluate(cases, {1, 1, 1, 2}).compute());
  // Left out entirely: no images, no classes.
  DetectionMetrics none = e.compute({0, 0, 0});
  EXPECT_EQ(none.numImages, 0u);
  EXPECT_EQ(none.numClasses, 0u);
  EXPECT_DOUBLE_EQ(none.map50, 0.0);
}

TEST(BootstrapTest, MergedOrderIsAStableSortOfAllImages) {
  // Equal scores across images rank in image order: adding the images in
  // another order may change AP, so the merge must follow addImage order.
  std::vector<ImageCase> cases = images();
  DetectionEvaluator forward = evaluate(cases, {0, 1, 2});
  DetectionEvaluator twice = evaluate(cases, {0, 1, 2, 0, 1, 2});
  expectSameMetrics(twice.compute({1, 1, 1, 0, 0, 0}), forward.compute());
  expectSameMetrics(twice.compute({0, 0, 0, 1, 1, 1}), forward.compute());
}

TEST(BootstrapTest, TopKCounts) {
  TopKAccuracy acc;
  acc.add({0.9f, 0.1f}, 0);                         // rank 0
  acc.add({0.1f, 0.9f}, 0);                         // rank 1
  acc.add({0.2f, 0.1f, 0.3f, 0.4f, 0.5f, 0.6f}, 0); // rank 4
  auto [top1, top5] = acc.topK({1, 1, 1});
  EXPECT_DOUBLE_EQ(top1, acc.top1());
  EXPECT_DOUBLE_EQ(top5, acc.top5());
  std::tie(top1, top5) = acc.topK({3, 1, 0});
  EXPECT_DOUBLE_EQ(top1, 0.75);
  EXPECT_DOUBLE_EQ(top5, 1.0);
}

TEST(BootstrapTest, ResampleCountsAreDrawsWithReplacement) {
  std::vector<uint32_t> a = resampleCounts(50, 7, 3);
  EXPECT_EQ(std::accumulate(a.begin(), a.end(), 0u), 50u);
  EXPECT_EQ(a, resampleCounts(50, 7, 3));
  EXPECT_NE(a, resampleCounts(50, 7, 4));
  EXPECT_NE(a, resampleCounts(50, 8, 3));
  // Some image is drawn twice or more, so some other is left out.
  EXPECT_NE(std::count(a.begin(), a.end(), 0u), 0);
}

TEST(BootstrapTest, QuantileInterpolatesLikeNumpy) {
  // numpy.percentile([4, 1, 3, 2], [0, 25, 50, 100]) = 1, 1.75, 2.5, 4.
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(quantile({}, 0.5), 0.0);
}

/// The mean of per-image values under the counts, plus `shift`.
std::vector<double> weightedMean(llvm::ArrayRef<double> values,
                                 llvm::ArrayRef<uint32_t> counts,
                                 double shift) {
  double sum = 0, n = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i] * counts[i];
    n += counts[i];
  }
  return {sum / n + shift};
}

TEST(BootstrapTest, PairedIntervals) {
  std::vector<double> perImage(40);
  for (size_t i = 0; i < perImage.size(); ++i)
    perImage[i] = double((i * 37) % 11) / 10.0;
  auto same = pairedBootstrap(perImage.size(), 2, 200, 0.95, 1,
                              [&](int, llvm::ArrayRef<uint32_t> c) {
                                return weightedMean(perImage, c, 0);
                              });
  ASSERT_EQ(same.delta.size(), 1u);
  EXPECT_DOUBLE_EQ(same.delta[0].low, 0.0);
  EXPECT_DOUBLE_EQ(same.delta[0].high, 0.0);
  EXPECT_LT(same.first[0].low, same.first[0].high);

  // Stage 1 is stage 0 plus 0.25 on every image: the paired delta is
  // exactly 0.25, while each stage alone spreads.
  auto shifted =
      pairedBootstrap(perImage.size(), 2, 200, 0.95, 1,
                      [&](int stage, llvm::ArrayRef<uint32_t> c) {
                        return weightedMean(perImage, c, stage ? 0.25 : 0.0);
                      });
  EXPECT_NEAR(shifted.delta[0].low, 0.25, 1e-12);
  EXPECT_NEAR(shifted.delta[0].high, 0.25, 1e-12);
  EXPECT_NEAR(shifted.second[0].low - shifted.first[0].low, 0.25, 1e-12);
  // The estimate (the mean over all images) lies inside its interval.
  double mean = weightedMean(perImage, std::vector<uint32_t>(40, 1), 0)[0];
  EXPECT_LT(shifted.first[0].low, mean);
  EXPECT_GT(shifted.first[0].high, mean);
  // Deterministic, and no resamples means no interval.
  auto again =
      pairedBootstrap(perImage.size(), 2, 200, 0.95, 1,
                      [&](int stage, llvm::ArrayRef<uint32_t> c) {
                        return weightedMean(perImage, c, stage ? 0.25 : 0.0);
                      });
  EXPECT_EQ(again.first[0].low, shifted.first[0].low);
  EXPECT_EQ(again.first[0].high, shifted.first[0].high);
  EXPECT_TRUE(
      pairedBootstrap(0, 2, 200, 0.95, 1, [&](int, llvm::ArrayRef<uint32_t> c) {
        return weightedMean(perImage, c, 0);
      }).first.empty());
}

TEST(BootstrapTest, OneStageEvaluatesOnlyStageZero) {
  std::vector<double> perImage(30);
  for (size_t i = 0; i < perImage.size(); ++i)
    perImage[i] = double((i * 7) % 5) / 4.0;
  std::atomic<int> stageOneCalls{0};
  auto one = pairedBootstrap(perImage.size(), 1, 100, 0.95, 3,
                             [&](int stage, llvm::ArrayRef<uint32_t> c) {
                               if (stage != 0)
                                 ++stageOneCalls;
                               return weightedMean(perImage, c, 0);
                             });
  EXPECT_EQ(stageOneCalls.load(), 0);
  ASSERT_EQ(one.first.size(), 1u);
  EXPECT_TRUE(one.second.empty());
  EXPECT_TRUE(one.delta.empty());
  // The same draws as a two-stage run: the same interval for stage 0.
  auto two = pairedBootstrap(perImage.size(), 2, 100, 0.95, 3,
                             [&](int, llvm::ArrayRef<uint32_t> c) {
                               return weightedMean(perImage, c, 0);
                             });
  EXPECT_EQ(one.first[0].low, two.first[0].low);
  EXPECT_EQ(one.first[0].high, two.first[0].high);
}

} // namespace
