//===- ActivationAccuracyTest.cpp - Vectorized exp and its users ----------===//
//
// Exp, Sigmoid, SiLU and Tanh use a vectorizable exp instead of libm's. These
// tests sweep float inputs over the whole range where the results are
// neither 0, 1 nor inf, plus the special values, and compare with the
// functions evaluated in double.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>

using namespace tpuc;
using namespace tpuc::test;

namespace {

/// Every `step`-th float bit pattern between `lo` and `hi` (same sign), plus
/// the ends: dense sampling that covers every exponent.
std::vector<float> floatsBetween(float lo, float hi, uint32_t step) {
  std::vector<float> values;
  auto bits = [](float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return b;
  };
  uint32_t a = bits(lo), b = bits(hi);
  if (a > b)
    std::swap(a, b);
  for (uint64_t i = a; i <= b; i += step) {
    uint32_t u = static_cast<uint32_t>(i);
    float v;
    std::memcpy(&v, &u, 4);
    values.push_back(v);
  }
  values.push_back(lo);
  values.push_back(hi);
  return values;
}

Tensor run(const char *op, const std::vector<float> &values) {
  Tensor x;
  x.shape = {static_cast<int64_t>(values.size())};
  x.data = values;
  KernelResult result = runOp(op, {x}, "", {tensorType(x.shape)});
  EXPECT_TRUE(result.ok) << result.error;
  return result.ok ? result.outputs[0] : Tensor();
}

/// Largest error in units of the last place of the float nearest the exact
/// value (for subnormal results, of the smallest subnormal).
double maxUlpError(const std::vector<float> &inputs, const Tensor &outputs,
                   const std::function<double(double)> &exact,
                   float *worstInput) {
  double worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    double want = exact(inputs[i]);
    double got = outputs.data[i];
    if (std::isinf(want) || std::isnan(want))
      continue;
    double ulp = std::numeric_limits<float>::denorm_min();
    if (std::fabs(want) >= std::numeric_limits<float>::min()) {
      int exponent;
      std::frexp(want, &exponent);
      ulp = std::ldexp(1.0, exponent - 24);
    }
    double err = std::fabs(got - want) / ulp;
    if (err > worst) {
      worst = err;
      *worstInput = inputs[i];
    }
  }
  return worst;
}

TEST(ActivationAccuracy, ExpIsWithinTwoUlpEverywhere) {
  std::vector<float> x = floatsBetween(-104.0f, -1e-30f, 997);
  std::vector<float> positive = floatsBetween(1e-30f, 88.72f, 997);
  x.insert(x.end(), positive.begin(), positive.end());
  Tensor y = run("top.Exp", x);
  ASSERT_EQ(y.numel(), static_cast<int64_t>(x.size()));
  float worstInput = 0;
  double ulps = maxUlpError(
      x, y, [](double v) { return std::exp(v); }, &worstInput);
  EXPECT_LE(ulps, 2.0) << "at x = " << worstInput;
}

TEST(ActivationAccuracy, ExpSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f,    -0.0f,  inf,    -inf,   88.73f,  1e30f,
                          -105.0f, -1e30f, 88.72f, -87.5f, -103.5f, 1.0f};
  Tensor y = run("top.Exp", x);
  ASSERT_EQ(y.numel(), static_cast<int64_t>(x.size()));
  EXPECT_EQ(y.data[0], 1.0f);
  EXPECT_EQ(y.data[1], 1.0f);
  EXPECT_EQ(y.data[2], inf);
  EXPECT_EQ(y.data[3], 0.0f);
  EXPECT_EQ(y.data[4], inf);
  EXPECT_EQ(y.data[5], inf);
  EXPECT_EQ(y.data[6], 0.0f);
  EXPECT_EQ(y.data[7], 0.0f);
  // Near overflow, and results in the subnormal range, stay accurate.
  auto exact = [&](int i) { return std::exp(static_cast<double>(x[i])); };
  EXPECT_NEAR(y.data[8], exact(8), exact(8) * 3e-7);
  EXPECT_NEAR(y.data[9], exact(9), exact(9) * 3e-7);
  EXPECT_NEAR(y.data[10], exact(10), std::numeric_limits<float>::denorm_min());
  EXPECT_NEAR(y.data[11], exact(11), exact(11) * 3e-7);
  Tensor nan = run("top.Exp", {std::nanf("")});
  ASSERT_EQ(nan.numel(), 1);
  EXPECT_TRUE(std::isnan(nan.data[0]));
}

TEST(ActivationAccuracy, SigmoidSiLUTanhAreWithinAFewUlp) {
  std::vector<float> x = floatsBetween(-90.0f, -1e-20f, 1999);
  std::vector<float> positive = floatsBetween(1e-20f, 90.0f, 1999);
  x.insert(x.end(), positive.begin(), positive.end());
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  float worstInput = 0;
  Tensor s = run("top.Sigmoid", x);
  EXPECT_LE(maxUlpError(x, s, sigmoid, &worstInput), 4.0)
      << "sigmoid at x = " << worstInput;
  // Below -87 sigmoid(x) is subnormal in float and has lost bits; x times it
  // cannot be accurate to a few ulp there (libm's expf is no better).
  std::vector<float> siluX;
  std::copy_if(x.begin(), x.end(), std::back_inserter(siluX),
               [](float v) { return v > -87.0f; });
  Tensor silu = run("top.SiLU", siluX);
  EXPECT_LE(
      maxUlpError(
          siluX, silu, [&](double v) { return v * sigmoid(v); }, &worstInput),
      4.0)
      << "silu at x = " << worstInput;
  Tensor t = run("top.Tanh", x);
  EXPECT_LE(maxUlpError(
                x, t, [](double v) { return std::tanh(v); }, &worstInput),
            4.0)
      << "tanh at x = " << worstInput;
}

TEST(ActivationAccuracy, SaturatedAndSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {inf, -inf, 1e30f, -1e30f, 0.0f, -0.0f};
  Tensor s = run("top.Sigmoid", x);
  Tensor t = run("top.Tanh", x);
  Tensor silu = run("top.SiLU", x);
  ASSERT_EQ(s.numel(), 6);
  ASSERT_EQ(t.numel(), 6);
  ASSERT_EQ(silu.numel(), 6);
  EXPECT_EQ(s.data[0], 1.0f);
  EXPECT_EQ(s.data[1], 0.0f);
  EXPECT_EQ(s.data[2], 1.0f);
  EXPECT_EQ(s.data[3], 0.0f);
  EXPECT_EQ(s.data[4], 0.5f);
  EXPECT_EQ(t.data[0], 1.0f);
  EXPECT_EQ(t.data[1], -1.0f);
  EXPECT_EQ(t.data[3], -1.0f);
  EXPECT_EQ(t.data[4], 0.0f);
  EXPECT_TRUE(std::signbit(t.data[5]));
  EXPECT_EQ(silu.data[2], 1e30f);
  EXPECT_EQ(silu.data[3], 0.0f);
  for (float v : {std::nanf("")}) {
    EXPECT_TRUE(std::isnan(run("top.Sigmoid", {v}).data[0]));
    EXPECT_TRUE(std::isnan(run("top.Tanh", {v}).data[0]));
  }
}

TEST(ActivationAccuracy, VectorAndScalarTailsAgree) {
  // Lengths around the vector width and the chunk size give every element
  // the same value whatever its position.
  for (int64_t n : {1, 3, 7, 15, 17, 31, 33, 4095, 4097, 70001}) {
    std::vector<float> x(n, 0.7f);
    for (const char *op : {"top.Exp", "top.Sigmoid", "top.SiLU", "top.Tanh"}) {
      Tensor y = run(op, x);
      ASSERT_EQ(y.numel(), n);
      for (int64_t i = 1; i < n; ++i)
        ASSERT_EQ(y.data[i], y.data[0]) << op << " n " << n << " i " << i;
    }
  }
}

} // namespace
