//===- CompareTest.cpp - Similarity metrics against hand-computed values --===//

#include "tpuc/Support/Compare.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace tpuc;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

TEST(Compare, IdenticalTensors) {
  std::vector<float> a = {1, -2, 3.5f};
  Similarity s = computeSimilarity(a, a);
  EXPECT_EQ(s.cosine, 1.0);
  EXPECT_EQ(s.euclidean, 1.0);
  EXPECT_EQ(s.sqnrDb, kInf);
  EXPECT_EQ(s.maxAbsDiff, 0.0);
}

TEST(Compare, HandComputedExample) {
  // a = (1,2,3), b = (1,2,4): a·b = 17, |a|² = 14, |b|² = 21,
  // a-b = (0,0,-1), (a+b)/2 = (1,2,3.5) with |.|² = 17.25.
  Similarity s = computeSimilarity({1, 2, 3}, {1, 2, 4});
  EXPECT_NEAR(s.cosine, 0.9914601339836673, 1e-15);    // 17/sqrt(294)
  EXPECT_NEAR(s.euclidean, 0.7592282938284616, 1e-15); // 1-1/sqrt(17.25)
  EXPECT_NEAR(s.sqnrDb, 11.46128035678238, 1e-12);     // 10 log10(14)
  EXPECT_EQ(s.maxAbsDiff, 1.0);
}

TEST(Compare, OrthogonalAndOpposite) {
  // Orthogonal: |a-b| = sqrt(2), |(a+b)/2| = sqrt(0.5), so 1 - 2.
  Similarity s = computeSimilarity({1, 0}, {0, 1});
  EXPECT_EQ(s.cosine, 0.0);
  EXPECT_NEAR(s.euclidean, -1.0, 1e-15);
  EXPECT_NEAR(s.sqnrDb, -3.010299956639812, 1e-12); // 10 log10(1/2)
  EXPECT_EQ(s.maxAbsDiff, 1.0);

  // b = -a: the mean is zero while the difference is not.
  s = computeSimilarity({1, -2}, {-1, 2});
  EXPECT_EQ(s.cosine, -1.0);
  EXPECT_EQ(s.euclidean, -kInf);
  EXPECT_NEAR(s.sqnrDb, -6.020599913279624, 1e-12); // 10 log10(5/20)
  EXPECT_EQ(s.maxAbsDiff, 4.0);
}

TEST(Compare, ZeroTensors) {
  Similarity s = computeSimilarity({0, 0, 0}, {0, -0.0f, 0});
  EXPECT_EQ(s.cosine, 1.0);
  EXPECT_EQ(s.euclidean, 1.0);
  EXPECT_EQ(s.sqnrDb, kInf);

  // All-zero reference: no shared direction, all of b is noise.
  s = computeSimilarity({0, 0}, {3, 4});
  EXPECT_EQ(s.cosine, 0.0);
  EXPECT_EQ(s.euclidean, -1.0); // 1 - 5 / 2.5
  EXPECT_EQ(s.sqnrDb, -kInf);
  EXPECT_EQ(s.maxAbsDiff, 4.0);

  s = computeSimilarity({3, 4}, {0, 0});
  EXPECT_EQ(s.cosine, 0.0);
  EXPECT_EQ(s.euclidean, -1.0);
  EXPECT_EQ(s.sqnrDb, 0.0);
}

TEST(Compare, EmptyTensorsAreEqual) {
  Similarity s = computeSimilarity({}, {});
  EXPECT_EQ(s.cosine, 1.0);
  EXPECT_EQ(s.euclidean, 1.0);
  EXPECT_EQ(s.sqnrDb, kInf);
  EXPECT_EQ(s.maxAbsDiff, 0.0);
}

TEST(Compare, NaNPropagates) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Similarity s = computeSimilarity({1, nan, 3}, {1, 2, 3});
  EXPECT_TRUE(std::isnan(s.cosine));
  EXPECT_TRUE(std::isnan(s.euclidean));
  EXPECT_TRUE(std::isnan(s.sqnrDb));
  EXPECT_TRUE(std::isnan(s.maxAbsDiff));
  // A NaN before a large difference is not forgotten either.
  s = computeSimilarity({nan, 0}, {0, 100});
  EXPECT_TRUE(std::isnan(s.maxAbsDiff));
}

TEST(Compare, CosineStaysInRange) {
  std::vector<float> a(1000);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = 0.1f + 1e-3f * float(i % 7);
  std::vector<float> b = a;
  b[17] = std::nextafter(b[17], 1.0f);
  Similarity s = computeSimilarity(a, b);
  EXPECT_LE(s.cosine, 1.0);
  EXPECT_GT(s.cosine, 0.999999);
}

TEST(Compare, AccumulatesInDouble) {
  // |a|² = 4096² + 1 = 2^24 + 1, which float accumulation rounds to 2^24.
  Similarity s = computeSimilarity({4096, 1}, {4096, 0});
  EXPECT_NEAR(s.sqnrDb, 72.24719921821516, 1e-11); // 10 log10(2^24 + 1)
  EXPECT_EQ(s.maxAbsDiff, 1.0);
}

} // namespace
