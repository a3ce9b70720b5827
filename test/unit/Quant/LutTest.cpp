//===- LutTest.cpp - Int8 lookup tables and bf16 slope tables -------------===//
//
// buildInt8Lut is checked entry by entry against a direct evaluation written
// here (real value of the code, the function, division by the output scale,
// rounding half away from zero, saturation), including the placement of
// negative codes and non-finite results. The bf16 slope tables are checked
// against the function they interpolate.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Lut.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace tpuc::quantmath;

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// The table entry a direct evaluation gives for `code`.
int64_t directEntry(const Int8Format &in, const Int8Format &out,
                    const std::function<double(double)> &f, int64_t code) {
  double y = f((code - in.zeroPoint) * in.scale) / out.scale + out.zeroPoint;
  if (std::isnan(y))
    return out.zeroPoint;
  if (std::isinf(y))
    return y > 0 ? out.qmax() : out.qmin();
  // Half away from zero, written out instead of std::round.
  double r = y < 0 ? -std::floor(-y + 0.5) : std::floor(y + 0.5);
  return std::min<double>(std::max<double>(r, out.qmin()), out.qmax());
}

void expectDirect(const Int8Format &in, const Int8Format &out,
                  const std::function<double(double)> &f, const char *what) {
  std::vector<int64_t> table = buildInt8Lut(in, out, f);
  ASSERT_EQ(table.size(), 256u);
  for (int64_t code = in.qmin(); code <= in.qmax(); ++code) {
    // Signed code c lives at entry c & 255: -1 at 255, -128 at 128.
    int64_t index = code < 0 ? code + 256 : code;
    EXPECT_EQ(table[index], directEntry(in, out, f, code))
        << what << ": code " << code;
  }
}

TEST(LutTest, IdentityKeepsCodes) {
  Int8Format s8{0.05, 0, true};
  std::vector<int64_t> table = buildInt8Lut(s8, s8, [](double x) { return x; });
  for (int64_t code = -128; code <= 127; ++code)
    EXPECT_EQ(table[code & 255], code);
  Int8Format u8{0.05, 0, false};
  table = buildInt8Lut(u8, u8, [](double x) { return x; });
  for (int64_t code = 0; code <= 255; ++code)
    EXPECT_EQ(table[code], code);
}

TEST(LutTest, TiesRoundAwayFromZero) {
  // Halving with equal scales: code 3 -> 1.5 -> 2, code -3 -> -1.5 -> -2,
  // code 1 -> 0.5 -> 1, code -1 -> -0.5 -> -1.
  Int8Format s8{0.25, 0, true};
  std::vector<int64_t> table =
      buildInt8Lut(s8, s8, [](double x) { return 0.5 * x; });
  EXPECT_EQ(table[3], 2);
  EXPECT_EQ(table[256 - 3], -2);
  EXPECT_EQ(table[1], 1);
  EXPECT_EQ(table[255], -1);
}

TEST(LutTest, SigmoidSignedToSigned) {
  // CV18xx: input threshold 8 (scale 8/127), output [-1, 1] (scale 1/127).
  expectDirect({8.0 / 127, 0, true}, {1.0 / 127, 0, true}, sigmoid, "sigmoid");
  // Spot checks by hand: code 0 is sigmoid(0) = 0.5 -> 63.5 -> 64; code 127
  // is sigmoid(8) = 0.99966 -> 126.96 -> 127; code -128 is sigmoid(-8.063)
  // = 0.000315 -> 0.04 -> 0.
  auto table =
      buildInt8Lut({8.0 / 127, 0, true}, {1.0 / 127, 0, true}, sigmoid);
  EXPECT_EQ(table[0], 64);
  EXPECT_EQ(table[127], 127);
  EXPECT_EQ(table[128], 0);
}

TEST(LutTest, UnsignedAndAsymmetricFormats) {
  // BM1684X: u8 input [0, 6] (scale 6/255) to u8 output, and asymmetric
  // formats with zero points on both sides.
  auto silu = [](double x) { return x * sigmoid(x); };
  expectDirect({6.0 / 255, 0, false}, {6.0 / 255, 0, false}, silu, "u8");
  expectDirect({0.03, -20, true}, {0.02, 37, true}, silu, "asym i8");
  expectDirect({0.03, 12, false}, {0.02, -90, true}, silu, "u8 -> i8");
  // A negative output of an unsigned format saturates at 0.
  auto table =
      buildInt8Lut({0.1, 0, true}, {0.1, 0, false}, [](double x) { return x; });
  EXPECT_EQ(table[255], 0); // code -1
  EXPECT_EQ(table[127], 127);
}

TEST(LutTest, NonFiniteResults) {
  Int8Format s8{0.1, 0, true};
  // log(0) = -inf saturates low, log of negatives is NaN -> the zero point,
  // 1/0 = +inf saturates high.
  auto table = buildInt8Lut(s8, s8, [](double x) { return std::log(x); });
  EXPECT_EQ(table[0], -128);
  EXPECT_EQ(table[255], 0);
  expectDirect(
      s8, s8, [](double x) { return std::log(x); }, "log");
  table = buildInt8Lut(s8, s8, [](double x) { return 1.0 / x; });
  EXPECT_EQ(table[0], 127);
  Int8Format asym{0.1, 5, true};
  table = buildInt8Lut(s8, asym, [](double x) { return std::sqrt(x); });
  EXPECT_EQ(table[255], 5); // sqrt(-0.1) is NaN: the zero point
}

TEST(LutTest, RandomFunctionsAgainstDirect) {
  std::mt19937 engine(29);
  std::uniform_real_distribution<double> scale(0.001, 0.2);
  std::uniform_int_distribution<int64_t> zp(-30, 30);
  for (int i = 0; i < 50; ++i) {
    Int8Format in{scale(engine), zp(engine), true};
    Int8Format out{scale(engine), zp(engine), i % 2 == 0};
    if (!out.isSigned)
      out.zeroPoint = std::abs(out.zeroPoint);
    expectDirect(
        in, out, [](double x) { return std::tanh(x) * 3 - 0.2; }, "tanh");
  }
}

//===----------------------------------------------------------------------===//
// bf16 slope tables
//===----------------------------------------------------------------------===//

TEST(LutTest, Bf16TableHoldsBf16Samples) {
  Bf16SlopeTable t = buildBf16SlopeTable(sigmoid, -12, 12);
  ASSERT_EQ(t.values.size(), 256u);
  ASSERT_EQ(t.slopes.size(), 256u);
  double step = 24.0 / 256;
  for (int k = 0; k < 256; ++k) {
    // Every entry is a bf16 value, the sample of x_k = -12 + k * step.
    EXPECT_EQ(roundToBf16(t.values[k]), t.values[k]);
    EXPECT_EQ(roundToBf16(t.slopes[k]), t.slopes[k]);
    EXPECT_EQ(t.values[k], roundToBf16(float(sigmoid(-12 + k * step)))) << k;
    // At a grid point the fraction is 0: the sample itself.
    EXPECT_EQ(evalBf16SlopeTable(t.values.data(), t.slopes.data(), -12, 12,
                                 float(-12 + k * step)),
              t.values[k])
        << k;
  }
}

TEST(LutTest, Bf16SigmoidWithinBf16Precision) {
  // Three bf16 roundings (sample, product, sum) of at most 2^-8 relative
  // each (bf16 has 8 significant bits), plus the interpolation error of a
  // 0.094-wide segment (below |f''| * h^2 / 8 = 0.1 * 0.0088 / 8 = 1.1e-4),
  // give at most 3 * 2^-8 * |f| + 2e-4 absolute.
  Bf16SlopeTable t = buildBf16SlopeTable(sigmoid, -12, 12);
  std::mt19937 engine(31);
  std::uniform_real_distribution<float> dist(-12.0f, 12.0f);
  double worst = 0;
  for (int i = 0; i < 100000; ++i) {
    float x = roundToBf16(dist(engine));
    double want = sigmoid(x);
    double got =
        evalBf16SlopeTable(t.values.data(), t.slopes.data(), -12, 12, x);
    double bound = 3 * std::ldexp(1.0, -8) * want + 2e-4;
    worst = std::max(worst, std::fabs(got - want));
    ASSERT_LE(std::fabs(got - want), bound) << "x " << x;
  }
  // The table is useful: the worst error is a few bf16 steps of 0.5-1.
  EXPECT_LT(worst, 0.008);
}

TEST(LutTest, Bf16SlopeTableEndsAreExtended) {
  // Beyond the range the end segments continue linearly:
  // y = values[k] + slopes[k] * (x - x_k) with k clamped to 0 or 255.
  auto tanhFn = [](double x) { return std::tanh(x); };
  Bf16SlopeTable t = buildBf16SlopeTable(tanhFn, -4, 4);
  const float *v = t.values.data(), *s = t.slopes.data();
  float x255 = -4 + 255 * (8.0f / 256);
  EXPECT_EQ(evalBf16SlopeTable(v, s, -4, 4, -4.5f),
            roundToBf16(v[0] + roundToBf16(s[0] * roundToBf16(-0.5f))));
  EXPECT_EQ(
      evalBf16SlopeTable(v, s, -4, 4, 6.0f),
      roundToBf16(v[255] + roundToBf16(s[255] * roundToBf16(6.0f - x255))));
  // Sigmoid's end slopes on [-12, 12] are ~6e-6, so even far inputs stay
  // within 0.001 of 0 and 1.
  Bf16SlopeTable sig = buildBf16SlopeTable(sigmoid, -12, 12);
  for (float x : {-40.0f, -13.0f, 13.0f, 40.0f}) {
    float y =
        evalBf16SlopeTable(sig.values.data(), sig.slopes.data(), -12, 12, x);
    EXPECT_NEAR(y, sigmoid(x), 1e-3) << x;
  }
  // NaN input reads segment 0 instead of indexing out of the table.
  float y = evalBf16SlopeTable(v, s, -4, 4, std::nanf(""));
  EXPECT_TRUE(std::isnan(y));
}

} // namespace
