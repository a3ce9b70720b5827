//===- QuantMathTest.cpp - Integer arithmetic of quantized ops ------------===//
//
// The rounding shifts, requantization and parameter derivations that both
// the lowering and the Tpu interpreter use. Expected values are computed by
// hand in the comments (ties, negative values, every rounding mode) or from
// an exact reference in long double (64-bit mantissa, so products of an
// int32 and a 31-bit multiplier are exact).
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/QuantMath.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace tpuc::quantmath;

namespace {

constexpr RoundMode kAllModes[] = {
    RoundMode::HalfUp, RoundMode::HalfAwayFromZero, RoundMode::HalfToEven,
    RoundMode::TowardsZero, RoundMode::Down};

struct ShiftCase {
  int64_t x;
  int64_t shift;
  // Expected results for HalfUp, HalfAwayFromZero, HalfToEven, TowardsZero,
  // Down.
  int64_t expected[5];
};

// x / 2^shift, worked out by hand:
//   5/2 = 2.5, -5/2 = -2.5, 7/2 = 3.5, -7/2 = -3.5, 3/2 = 1.5, -3/2 = -1.5
//   (ties: HalfUp goes to +inf, HalfAwayFromZero away from 0, HalfToEven to
//   the even neighbour);
//   5/4 = 1.25, -5/4 = -1.25, 7/4 = 1.75, -7/4 = -1.75 (no ties: the three
//   "half" modes agree, TowardsZero truncates, Down floors);
//   exact quotients are unchanged by every mode.
const ShiftCase kShiftCases[] = {
    {5, 1, {3, 3, 2, 2, 2}},
    {-5, 1, {-2, -3, -2, -2, -3}},
    {7, 1, {4, 4, 4, 3, 3}},
    {-7, 1, {-3, -4, -4, -3, -4}},
    {3, 1, {2, 2, 2, 1, 1}},
    {-3, 1, {-1, -2, -2, -1, -2}},
    {5, 2, {1, 1, 1, 1, 1}},
    {-5, 2, {-1, -1, -1, -1, -2}},
    {7, 2, {2, 2, 2, 1, 1}},
    {-7, 2, {-2, -2, -2, -1, -2}},
    {-8, 2, {-2, -2, -2, -2, -2}},
    {12, 2, {3, 3, 3, 3, 3}},
    {0, 5, {0, 0, 0, 0, 0}},
    {-1, 5, {0, 0, 0, 0, -1}},
    // -16/32 = -0.5: a tie below zero.
    {-16, 5, {0, -1, 0, 0, -1}},
    // 2^40 + 2^9 = (2^30 + 0.5) * 2^10: a tie far from the small values.
    {(int64_t(1) << 40) + 512,
     10,
     {(1 << 30) + 1, (1 << 30) + 1, 1 << 30, 1 << 30, 1 << 30}},
    // -(2^40 + 3 * 2^9) / 2^10 = -(2^30 + 1.5).
    {-((int64_t(1) << 40) + 3 * 512),
     10,
     {-(1 << 30) - 1, -(1 << 30) - 2, -(1 << 30) - 2, -(1 << 30) - 1,
      -(1 << 30) - 2}},
};

TEST(QuantMathTest, RightShiftRoundEveryMode) {
  for (const ShiftCase &c : kShiftCases)
    for (int m = 0; m < 5; ++m)
      EXPECT_EQ(rightShiftRound(c.x, c.shift, kAllModes[m]), c.expected[m])
          << c.x << " >> " << c.shift << " in "
          << stringifyRoundMode(kAllModes[m]).str();
}

TEST(QuantMathTest, RightShiftRoundZeroAndNegativeShift) {
  for (RoundMode mode : kAllModes) {
    EXPECT_EQ(rightShiftRound(-37, 0, mode), -37);
    // A negative shift multiplies: -37 * 2^3.
    EXPECT_EQ(rightShiftRound(-37, -3, mode), -296);
    EXPECT_EQ(rightShiftRound(5, -1, mode), 10);
  }
}

TEST(QuantMathTest, RightShiftRoundMatchesRoundToInt) {
  // x / 2^s is exact in a double for these ranges, so the integer shift and
  // the double rounding must agree in every mode.
  std::mt19937_64 engine(7);
  std::uniform_int_distribution<int64_t> value(-(int64_t(1) << 40), int64_t(1)
                                                                        << 40);
  std::uniform_int_distribution<int64_t> shiftDist(1, 12);
  for (int i = 0; i < 20000; ++i) {
    int64_t x = value(engine), s = shiftDist(engine);
    if (i % 4 == 0) // force a tie
      x = (x >> s << s) + (int64_t(1) << (s - 1));
    double exact = std::ldexp(double(x), -int(s));
    for (RoundMode mode : kAllModes)
      ASSERT_EQ(rightShiftRound(x, s, mode), roundToInt(exact, mode))
          << x << " >> " << s << " in " << stringifyRoundMode(mode).str();
  }
}

TEST(QuantMathTest, RoundToIntEveryMode) {
  // The same table as the shifts, on the quotients themselves.
  for (const ShiftCase &c : kShiftCases) {
    if (std::abs(c.x) > (int64_t(1) << 50))
      continue;
    double v = std::ldexp(double(c.x), -int(c.shift));
    for (int m = 0; m < 5; ++m)
      EXPECT_EQ(roundToInt(v, kAllModes[m]), c.expected[m])
          << v << " in " << stringifyRoundMode(kAllModes[m]).str();
  }
  EXPECT_EQ(roundToInt(-0.4, RoundMode::Down), -1);
  EXPECT_EQ(roundToInt(-0.4, RoundMode::TowardsZero), 0);
  EXPECT_EQ(roundToInt(0.49999999, RoundMode::HalfUp), 0);
}

TEST(QuantMathTest, RoundModeNames) {
  for (RoundMode mode : kAllModes)
    EXPECT_EQ(symbolizeRoundMode(stringifyRoundMode(mode)), mode);
  EXPECT_FALSE(symbolizeRoundMode("HalfDown").has_value());
}

TEST(QuantMathTest, Saturate) {
  EXPECT_EQ(saturateInt8(200), 127);
  EXPECT_EQ(saturateInt8(-129), -128);
  EXPECT_EQ(saturateInt8(-5), -5);
  EXPECT_EQ(saturateUInt8(-1), 0);
  EXPECT_EQ(saturateUInt8(256), 255);
  EXPECT_EQ(saturateInt32(int64_t(1) << 40), INT32_MAX);
  EXPECT_EQ(saturateInt32(-(int64_t(1) << 40)), INT32_MIN);
}

//===----------------------------------------------------------------------===//
// QDM
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, QdmByHand) {
  // multiplier 2^30 is 0.5: 100 * 0.5 = 50, then >> 2 = 12.5 -> 13 (HalfUp)
  // or 12 (HalfToEven).
  EXPECT_EQ(applyQdm(100, 1 << 30, 2, RoundMode::HalfUp), 13);
  EXPECT_EQ(applyQdm(100, 1 << 30, 2, RoundMode::HalfToEven), 12);
  // -100 * 0.5 = -50, >> 2 = -12.5 -> -12 (HalfUp), -13 (away from zero).
  EXPECT_EQ(applyQdm(-100, 1 << 30, 2, RoundMode::HalfUp), -12);
  EXPECT_EQ(applyQdm(-100, 1 << 30, 2, RoundMode::HalfAwayFromZero), -13);
  // The first step rounds half up: 3 * 0.5 = 1.5 -> 2, and -3 * 0.5 = -1.5
  // -> -1, whatever the final mode.
  EXPECT_EQ(applyQdm(3, 1 << 30, 0, RoundMode::HalfAwayFromZero), 2);
  EXPECT_EQ(applyQdm(-3, 1 << 30, 0, RoundMode::HalfAwayFromZero), -1);
  // The accumulator saturates to int32 first: (2^31 - 1) * (2^31 - 1) / 2^31
  // = 2^31 - 2 + 2^-31 -> 2^31 - 2.
  EXPECT_EQ(applyQdm(int64_t(1) << 40, INT32_MAX, 0, RoundMode::HalfUp),
            INT32_MAX - 1);
}

/// The exact value acc * m / 2^(31 + rshift).
long double exactQdm(int64_t acc, int64_t m, int64_t rshift) {
  return std::ldexp(static_cast<long double>(acc) * m, -int(31 + rshift));
}

TEST(QuantMathTest, QdmAgainstExactValue) {
  // Two roundings (2^-31 step half up, then the shift) stay within half a
  // unit of the exact value plus half a unit of the first rounding scaled
  // down by the shift.
  std::mt19937_64 engine(11);
  std::uniform_int_distribution<int64_t> accDist(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int64_t> small(-100000, 100000);
  std::uniform_int_distribution<int64_t> mDist(int64_t(1) << 30,
                                               (int64_t(1) << 31) - 1);
  std::uniform_int_distribution<int64_t> shiftDist(0, 24);
  for (int i = 0; i < 50000; ++i) {
    int64_t acc = i % 2 ? accDist(engine) : small(engine);
    int64_t m = mDist(engine), s = shiftDist(engine);
    long double exact = exactQdm(acc, m, s);
    long double bound = s == 0 ? 0.5L : 0.5L + std::ldexp(0.5L, -int(s));
    for (RoundMode mode : {RoundMode::HalfUp, RoundMode::HalfAwayFromZero,
                           RoundMode::HalfToEven}) {
      int64_t q = applyQdm(acc, m, s, mode);
      ASSERT_LE(std::fabs(static_cast<long double>(q) - exact), bound)
          << "acc " << acc << " m " << m << " rshift " << s;
    }
  }
}

TEST(QuantMathTest, QdmLeftShiftKeepsPrecision) {
  // BM1684X gives scales >= 1 a negative rshift (a left shift). Shifting the
  // accumulator left before the 2^-31 multiply keeps the result within half
  // a unit of acc * m / 2^(31 + rshift); shifting the rounded product left
  // afterwards would multiply its rounding error by 2^-rshift.
  std::mt19937_64 engine(13);
  std::uniform_int_distribution<int64_t> accDist(-50000, 50000);
  std::uniform_int_distribution<int64_t> mDist(int64_t(1) << 30,
                                               (int64_t(1) << 31) - 1);
  for (int i = 0; i < 20000; ++i) {
    int64_t acc = accDist(engine), m = mDist(engine);
    int64_t s = -(1 + i % 8);
    long double exact = exactQdm(acc, m, s);
    int64_t q = applyQdm(acc, m, s, RoundMode::HalfUp);
    ASSERT_LE(std::fabs(static_cast<long double>(q) - exact), 0.5L)
        << "acc " << acc << " m " << m << " rshift " << s;
  }
  // By hand: qscale 4 is m = 2^30, rshift -3. 3 * 4 = 12 exactly (rounding
  // 3 * 0.5 first would give 2 * 8 = 16).
  EXPECT_EQ(applyQdm(3, 1 << 30, -3, RoundMode::HalfUp), 12);
  EXPECT_EQ(applyQdm(-3, 1 << 30, -3, RoundMode::HalfUp), -12);
}

TEST(QuantMathTest, QdmParametersRoundTrip) {
  // qscale = m / 2^(31 + rshift) with m in [2^30, 2^31): rounding m to an
  // integer costs at most 0.5 / 2^30 = 2^-31 relative.
  std::mt19937_64 engine(17);
  std::uniform_real_distribution<double> logScale(-40.0, -1e-9);
  for (int i = 0; i < 20000; ++i) {
    double q = std::exp2(logScale(engine));
    if (q >= 0.999999) // clamped without a left shift, checked below
      continue;
    MultiplierShift p = getQdmMultiplierShift(q);
    ASSERT_GE(p.multiplier, int64_t(1) << 30) << q;
    ASSERT_LT(p.multiplier, int64_t(1) << 31) << q;
    ASSERT_GE(p.rshift, 0) << q;
    ASSERT_LE(std::fabs(getQdmScale(p) - q) / q, std::ldexp(1.0, -31)) << q;
  }
  // With left shifts (BM1684X) scales up to 2^20 round trip as well.
  std::uniform_real_distribution<double> large(0.0, 20.0);
  for (int i = 0; i < 5000; ++i) {
    double q = std::exp2(large(engine));
    MultiplierShift p = getQdmMultiplierShift(q, /*allowLeftShift=*/true);
    ASSERT_GE(p.multiplier, int64_t(1) << 30) << q;
    ASSERT_LT(p.multiplier, int64_t(1) << 31) << q;
    ASSERT_LE(p.rshift, 0) << q;
    ASSERT_LE(std::fabs(getQdmScale(p) - q) / q, std::ldexp(1.0, -31)) << q;
  }
}

TEST(QuantMathTest, QdmParametersByHand) {
  // 0.25 / 127 = 0.001968503937 = 0.503937007874 * 2^-8:
  // m = round(0.503937007874 * 2^31) = 1082196484, rshift = 8.
  MultiplierShift p = getQdmMultiplierShift(0.25 / 127);
  EXPECT_EQ(p.multiplier, 1082196484);
  EXPECT_EQ(p.rshift, 8);
  // 0.75 = 0.75 * 2^0: m = 0.75 * 2^31 = 1610612736, rshift 0.
  p = getQdmMultiplierShift(0.75);
  EXPECT_EQ(p.multiplier, 1610612736);
  EXPECT_EQ(p.rshift, 0);
  // CV18xx has no left shift: 3.0 is clamped to 0.999999,
  // m = round(0.999999 * 2^31) = round(2147481500.516) = 2147481501, rshift 0.
  p = getQdmMultiplierShift(3.0);
  EXPECT_EQ(p.multiplier, 2147481501);
  EXPECT_EQ(p.rshift, 0);
  // BM1684X: 3.0 = 0.75 * 2^2, so m = 1610612736 and rshift = -2.
  p = getQdmMultiplierShift(3.0, true);
  EXPECT_EQ(p.multiplier, 1610612736);
  EXPECT_EQ(p.rshift, -2);
  // A mantissa that rounds up to 2^31 is renormalized:
  // 0.5 * (1 - 2^-34) -> m = 2^31 -> 2^30 with one shift less (rshift 0).
  p = getQdmMultiplierShift(0.5 * (1 - std::ldexp(1.0, -34)));
  EXPECT_EQ(p.multiplier, int64_t(1) << 30);
  EXPECT_EQ(p.rshift, 0);
  // Nothing to represent: zero, negative, NaN, and scales below 2^-94.
  for (double q : {0.0, -0.5, std::nan(""), 1e-30}) {
    p = getQdmMultiplierShift(q);
    EXPECT_EQ(p.multiplier, 0) << q;
  }
}

//===----------------------------------------------------------------------===//
// Int8 multipliers
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, Int8MultiplierByHand) {
  struct Case {
    double q;
    int64_t multiplier, rshift;
  };
  // The largest shift whose rounded multiplier still fits 127:
  //   0.5:   0.5 * 2^7 = 64, 0.5 * 2^8 = 128 too big  -> (64, 7)
  //   0.75:  96 at 2^7, 192 at 2^8                     -> (96, 7)
  //   1.0:   64 at 2^6                                 -> (64, 6)
  //   0.99:  126.72 -> 127 at 2^7                      -> (127, 7)
  //   0.997: 127.6 -> 128 at 2^7 does not fit; 63.8 -> 64 at 2^6 -> (64, 6)
  //   -0.3:  76.8 -> 77 at 2^8, 153.6 at 2^9           -> (-77, 8)
  //   200:   too large for any shift                   -> (127, 0)
  //   0.001: 2^16 * 0.001 = 65.536 -> 66, 2^17 -> 131  -> (66, 16)
  const Case cases[] = {{0.5, 64, 7},    {0.75, 96, 7},  {1.0, 64, 6},
                        {0.99, 127, 7},  {0.997, 64, 6}, {-0.3, -77, 8},
                        {200.0, 127, 0}, {0.001, 66, 16}};
  for (const Case &c : cases) {
    MultiplierShift p = getInt8MultiplierShift(c.q);
    EXPECT_EQ(p.multiplier, c.multiplier) << c.q;
    EXPECT_EQ(p.rshift, c.rshift) << c.q;
  }
  EXPECT_EQ(getInt8MultiplierShift(0.0).multiplier, 0);
  // A larger multiplier bound: 0.75 * 2^8 = 192 fits 255.
  MultiplierShift p = getInt8MultiplierShift(0.75, 255);
  EXPECT_EQ(p.multiplier, 192);
  EXPECT_EQ(p.rshift, 8);
}

TEST(QuantMathTest, Int8MultiplierRelativeError) {
  // The chosen multiplier is at least 64 (the next shift would exceed 127),
  // so rounding costs at most 0.5 / 64 = 1/128 relative.
  std::mt19937_64 engine(19);
  std::uniform_real_distribution<double> logScale(-22.0, 6.9);
  for (int i = 0; i < 20000; ++i) {
    double q = std::exp2(logScale(engine)) * (i % 2 ? -1 : 1);
    MultiplierShift p = getInt8MultiplierShift(q);
    ASSERT_LE(std::abs(p.multiplier), 127) << q;
    ASSERT_GE(p.rshift, 0) << q;
    ASSERT_LE(p.rshift, 31) << q;
    double actual = std::ldexp(double(p.multiplier), -int(p.rshift));
    ASSERT_LE(std::fabs(actual - q) / std::fabs(q), 1.0 / 128) << q;
  }
}

TEST(QuantMathTest, Int8MultipliersShareOneShift) {
  // The shift comes from the largest |scale|: 0.9 -> 115 at 2^7 (230 at 2^8
  // does not fit). Then 0.3 * 2^7 = 38.4 -> 38, -0.9 * 2^7 = -115.2 -> -115.
  auto [m, shift] = getInt8Multipliers({0.3, -0.9});
  EXPECT_EQ(shift, 7);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], 38);
  EXPECT_EQ(m[1], -115);
  // 0.5 and 0.25: shift 7 from 0.5, multipliers 64 and 32.
  auto [m2, shift2] = getInt8Multipliers({0.5, 0.25});
  EXPECT_EQ(shift2, 7);
  EXPECT_EQ(m2[0], 64);
  EXPECT_EQ(m2[1], 32);
}

//===----------------------------------------------------------------------===//
// bf16 / f16 rounding
//===----------------------------------------------------------------------===//

TEST(QuantMathTest, Bf16TiesToEven) {
  // bf16 keeps 7 mantissa bits: neighbours of 1 are 1 and 1 + 2^-7.
  // 1 + 2^-8 is the tie: the even neighbour is 1.
  EXPECT_EQ(roundToBf16(1.0f + std::ldexp(1.0f, -8)), 1.0f);
  // 1 + 3 * 2^-8 lies between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
  EXPECT_EQ(roundToBf16(1.0f + 3 * std::ldexp(1.0f, -8)),
            1.0f + std::ldexp(1.0f, -6));
  // Just above the tie rounds up.
  EXPECT_EQ(roundToBf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)),
            1.0f + std::ldexp(1.0f, -7));
  EXPECT_EQ(roundToBf16(-(1.0f + std::ldexp(1.0f, -8))), -1.0f);
  // Values already in bf16 are unchanged.
  EXPECT_EQ(roundToBf16(0.15625f), 0.15625f);
  // The largest finite bf16 is (2 - 2^-7) * 2^127; the float max rounds up
  // into infinity.
  EXPECT_TRUE(std::isinf(roundToBf16(std::numeric_limits<float>::max())));
  EXPECT_TRUE(std::isnan(roundToBf16(std::nanf(""))));
}

TEST(QuantMathTest, F16TiesToEven) {
  // f16 keeps 10 mantissa bits: 1 + 2^-11 is the tie between 1 and
  // 1 + 2^-10, and goes to 1.
  EXPECT_EQ(roundToF16(1.0f + std::ldexp(1.0f, -11)), 1.0f);
  // 1 + 3 * 2^-11 goes to the even 1 + 2^-9.
  EXPECT_EQ(roundToF16(1.0f + 3 * std::ldexp(1.0f, -11)),
            1.0f + std::ldexp(1.0f, -9));
  // 65504 is the largest f16; 65520 is the tie with 2^16 and overflows.
  EXPECT_EQ(roundToF16(65504.0f), 65504.0f);
  EXPECT_TRUE(std::isinf(roundToF16(65520.0f)));
  // The smallest subnormal is 2^-24; 2^-25 is a tie with 0 and goes to 0.
  EXPECT_EQ(roundToF16(std::ldexp(1.0f, -24)), std::ldexp(1.0f, -24));
  EXPECT_EQ(roundToF16(std::ldexp(1.0f, -25)), 0.0f);
}

TEST(QuantMathTest, Bf16RoundingIsNearest) {
  // Against a direct search of the two bf16 neighbours.
  std::mt19937 engine(23);
  std::uniform_real_distribution<float> dist(-1000.0f, 1000.0f);
  for (int i = 0; i < 20000; ++i) {
    float x = dist(engine);
    float r = roundToBf16(x);
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    uint32_t loBits = bits & 0xffff0000u, hiBits = loBits + 0x10000u;
    float lo, hi;
    std::memcpy(&lo, &loBits, 4);
    std::memcpy(&hi, &hiBits, 4);
    ASSERT_TRUE(r == lo || r == hi) << x;
    ASSERT_LE(std::fabs(r - x), std::fabs((r == lo ? hi : lo) - x)) << x;
  }
}

} // namespace
