//===- OutputDecodeTest.cpp - Output thresholds chosen for the decode -----===//
//
// The search's error of each candidate is checked against a direct
// computation: fakeQuantizeActivation, then the decode, then the squared
// difference (the direct one rounds dequantized values to float, hence the
// 1e-5 relative tolerance). A tensor of background logits with a few scores
// must get a threshold well under its abs max, and YOLO output shapes map
// to the decodes their heads use.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Calibration/OutputDecode.h"
#include "tpuc/Quant/Calibration/FakeQuant.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace tpuc;
using namespace tpuc::calibration;
using llvm::Error;
using tpuc::accuracy::YoloStyle;

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Expectation of the softmax of `bins` values in bin units.
double softmaxExpectation(const float *v, int bins, int stride) {
  double top = v[0];
  for (int b = 1; b < bins; ++b)
    top = std::max(top, double(v[b * stride]));
  double sum = 0, weighted = 0;
  for (int b = 0; b < bins; ++b) {
    double e = std::exp(v[b * stride] - top);
    sum += e;
    weighted += e * b;
  }
  return weighted / sum;
}

Tensor randomTensor(std::vector<int64_t> shape, float lo, float hi,
                    unsigned seed) {
  Tensor t(shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float &v : t.data)
    v = dist(rng);
  return t;
}

double absMaxOf(const Tensor &t) {
  double m = 0;
  for (float v : t.data)
    m = std::max(m, double(std::fabs(v)));
  return m;
}

TEST(DecodedThresholdSearch, SigmoidErrorsMatchADirectComputation) {
  Tensor x = randomTensor({1, 6, 3, 4}, -15.0f, 5.0f, 1);
  // Channels 1..4 only: the others must not count.
  OutputDecode decode{1, {{1, 5, 0}}};
  DecodedThresholdSearch search(decode, absMaxOf(x));
  ASSERT_FALSE(static_cast<bool>(search.addSample(x)));
  for (int k : {0, 10, 31, 63}) {
    Tensor q = x;
    fakeQuantizeActivation(x.ptr(), q.ptr(), x.numel(), search.candidate(k));
    double expected = 0;
    for (int64_t c = 1; c < 5; ++c)
      for (int64_t i = 0; i < 12; ++i) {
        double d = sigmoid(q.data[c * 12 + i]) - sigmoid(x.data[c * 12 + i]);
        expected += d * d;
      }
    EXPECT_NEAR(search.error(k), expected, 1e-9 + 1e-5 * expected) << k;
  }
}

TEST(DecodedThresholdSearch, SoftmaxExpectationErrorsMatchADirectComputation) {
  // Two sides of 4 bins, 5 pixels.
  Tensor x = randomTensor({1, 8, 1, 5}, -6.0f, 9.0f, 2);
  OutputDecode decode{1, {{0, 8, 4}}};
  DecodedThresholdSearch search(decode, absMaxOf(x));
  ASSERT_FALSE(static_cast<bool>(search.addSample(x)));
  for (int k : {2, 20, 63}) {
    Tensor q = x;
    fakeQuantizeActivation(x.ptr(), q.ptr(), x.numel(), search.candidate(k));
    double expected = 0;
    for (int side = 0; side < 2; ++side)
      for (int i = 0; i < 5; ++i) {
        double d = softmaxExpectation(&q.data[side * 20 + i], 4, 5) -
                   softmaxExpectation(&x.data[side * 20 + i], 4, 5);
        expected += d * d;
      }
    EXPECT_NEAR(search.error(k), expected, 1e-9 + 1e-5 * expected) << k;
  }
}

TEST(DecodedThresholdSearch, BackgroundLogitsGiveAThresholdUnderTheAbsMax) {
  // Mostly background at -25..-8 (sigmoid ~0), a few scores in -2..4: the
  // levels belong to the scores, so the threshold ends far below 25.
  Tensor x = randomTensor({1, 1, 100, 100}, -25.0f, -8.0f, 3);
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> score(-2.0f, 4.0f);
  for (size_t i = 0; i < x.data.size(); i += 20)
    x.data[i] = score(rng);
  DecodedThresholdSearch search(OutputDecode{1, {{0, 1, 0}}}, absMaxOf(x));
  ASSERT_FALSE(static_cast<bool>(search.addSample(x)));
  double best = search.best();
  EXPECT_GT(best, 4.0);
  EXPECT_LT(best, 12.0);
  // It is the candidate of the smallest error.
  int chosen = -1;
  for (int k = 0; k < DecodedThresholdSearch::kCandidates; ++k)
    if (search.candidate(k) == best)
      chosen = k;
  ASSERT_GE(chosen, 0);
  for (int k = 0; k < DecodedThresholdSearch::kCandidates; ++k)
    EXPECT_LE(search.error(chosen), search.error(k)) << k;
}

TEST(DecodedThresholdSearch, RangesOutsideTheOutputAreErrors) {
  Tensor x({1, 4, 2, 2});
  DecodedThresholdSearch wide(OutputDecode{1, {{0, 5, 0}}}, 1.0);
  Error err = wide.addSample(x);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "channels [0, 5) do not fit an output of 4 channels");
  // 4 channels are not groups of 3 bins.
  DecodedThresholdSearch ragged(OutputDecode{1, {{0, 4, 3}}}, 1.0);
  err = ragged.addSample(x);
  ASSERT_TRUE(static_cast<bool>(err));
  consumeError(std::move(err));
  DecodedThresholdSearch axis(OutputDecode{4, {{0, 1, 0}}}, 1.0);
  err = axis.addSample(x);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_NE(llvm::toString(std::move(err)).find("axis 4"), std::string::npos);
}

TEST(DecodeInPlace, SigmoidsAndDflProbabilities) {
  // [1, 6, 1, 2]: channels 0..3 one DFL side of 4 bins, 4 a sigmoid, 5
  // outside every range.
  Tensor x = randomTensor({1, 6, 1, 2}, -4.0f, 4.0f, 5);
  Tensor y = x;
  OutputDecode decode{1, {{0, 4, 4}, {4, 5, 0}}};
  ASSERT_FALSE(static_cast<bool>(decodeInPlace(decode, y.shape, y.ptr())));
  for (int i = 0; i < 2; ++i) {
    double top = -1e9, sum = 0;
    for (int b = 0; b < 4; ++b)
      top = std::max(top, double(x.data[b * 2 + i]));
    for (int b = 0; b < 4; ++b)
      sum += std::exp(x.data[b * 2 + i] - top);
    for (int b = 0; b < 4; ++b)
      EXPECT_NEAR(y.data[b * 2 + i], std::exp(x.data[b * 2 + i] - top) / sum,
                  1e-6);
    EXPECT_NEAR(y.data[8 + i], sigmoid(x.data[8 + i]), 1e-6);
    EXPECT_EQ(y.data[10 + i], x.data[10 + i]);
  }
  Error err = decodeInPlace(OutputDecode{1, {{0, 7, 0}}}, y.shape, y.ptr());
  ASSERT_TRUE(static_cast<bool>(err));
  consumeError(std::move(err));
}

TEST(YoloOutputDecodes, YoloV5HeadsAreSigmoidsEverywhere) {
  auto decodes = getYoloOutputDecodes(
      YoloStyle::V5, {{1, 255, 80, 80}, {1, 255, 40, 40}, {1, 255, 20, 20}},
      640, 640);
  ASSERT_TRUE(static_cast<bool>(decodes)) << toString(decodes.takeError());
  ASSERT_EQ(decodes->size(), 3u);
  for (const OutputDecode &d : *decodes) {
    ASSERT_EQ(d.ranges.size(), 1u);
    EXPECT_EQ(d.axis, 1);
    EXPECT_EQ(d.ranges[0].begin, 0);
    EXPECT_EQ(d.ranges[0].end, 255);
    EXPECT_EQ(d.ranges[0].softmaxBins, 0);
  }
}

TEST(YoloOutputDecodes, AnchorsDoNotMatterForTheDecode) {
  // Stride 4 has no default anchors, and [B,A,H,W,5+nc] heads may have any
  // count: the values are sigmoids either way.
  auto decodes = getYoloOutputDecodes(
      YoloStyle::V5, {{1, 4, 16, 16, 7}, {1, 4, 8, 8, 7}}, 64, 64);
  ASSERT_TRUE(static_cast<bool>(decodes)) << toString(decodes.takeError());
  ASSERT_EQ(decodes->size(), 2u);
  EXPECT_EQ((*decodes)[0].ranges[0].end, 4);
}

TEST(YoloOutputDecodes, YoloV8BoxesAreDflAndClassesSigmoids) {
  // Separate box and class convs at stride 8, 16 and 32 of a 64x64 input.
  auto decodes = getYoloOutputDecodes(YoloStyle::V8,
                                      {{1, 64, 8, 8},
                                       {1, 2, 8, 8},
                                       {1, 64, 4, 4},
                                       {1, 2, 4, 4},
                                       {1, 64, 2, 2},
                                       {1, 2, 2, 2}},
                                      64, 64);
  ASSERT_TRUE(static_cast<bool>(decodes)) << toString(decodes.takeError());
  ASSERT_EQ(decodes->size(), 6u);
  for (size_t i = 0; i < 6; i += 2) {
    ASSERT_EQ((*decodes)[i].ranges.size(), 1u);
    EXPECT_EQ((*decodes)[i].ranges[0].end, 64);
    EXPECT_EQ((*decodes)[i].ranges[0].softmaxBins, 16);
    ASSERT_EQ((*decodes)[i + 1].ranges.size(), 1u);
    EXPECT_EQ((*decodes)[i + 1].ranges[0].end, 2);
    EXPECT_EQ((*decodes)[i + 1].ranges[0].softmaxBins, 0);
  }
  // Box and classes concatenated: one tensor, two ranges.
  auto joined = getYoloOutputDecodes(
      YoloStyle::V8, {{1, 66, 8, 8}, {1, 66, 4, 4}, {1, 66, 2, 2}}, 64, 64);
  ASSERT_TRUE(static_cast<bool>(joined)) << toString(joined.takeError());
  ASSERT_EQ((*joined)[0].ranges.size(), 2u);
  EXPECT_EQ((*joined)[0].ranges[1].begin, 64);
  EXPECT_EQ((*joined)[0].ranges[1].end, 66);
}

TEST(YoloOutputDecodes, DecodedOutputsAreErrors) {
  auto decodes =
      getYoloOutputDecodes(YoloStyle::V5, {{1, 25200, 85}}, 640, 640);
  ASSERT_FALSE(static_cast<bool>(decodes));
  EXPECT_NE(toString(decodes.takeError()).find("already decoded"),
            std::string::npos);
}

} // namespace
