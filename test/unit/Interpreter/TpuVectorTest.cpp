//===- TpuVectorTest.cpp - Vectorized Tpu loops against their definitions -===//
//
// lib/Interpreter/Tpu/TpuVector.h promises the results of the scalar
// definitions (QuantMath, Storage::store) for every input, NaN, infinities
// and ties included. Each loop runs here on edge values plus a sweep or
// random draws, and every element must equal the definition bit for bit.
//
//===----------------------------------------------------------------------===//

#include "Tpu/TpuVector.h"

#include "tpuc/Quant/QuantMath.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace tpuc;
using namespace tpuc::tpu;

namespace {

uint32_t bitsOf(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof(b));
  return b;
}

float fromBits(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof(x));
  return x;
}

/// Zeros, infinities, NaNs with payloads, subnormals, the f16 and bf16
/// rounding boundaries and ties, and int8 code boundaries.
std::vector<float> edgeValues() {
  std::vector<float> v = {0.0f,
                          -0.0f,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(),
                          fromBits(0x7f800001u),
                          fromBits(0xffc12345u),
                          std::numeric_limits<float>::denorm_min(),
                          std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::max(),
                          65504.0f,
                          65519.99f,
                          65520.0f,
                          5.9604644775390625e-8f,
                          2.98023223876953125e-8f,
                          8.940697e-8f,
                          6.1035156e-5f,
                          1.00390625f,
                          1.0078125f,
                          0.5f,
                          -0.5f,
                          1.5f,
                          2.5f,
                          -2.5f,
                          126.5f,
                          127.5f,
                          -128.5f,
                          1e10f,
                          -1e10f};
  for (float x : std::vector<float>(v))
    v.push_back(-x);
  return v;
}

std::vector<float> sweep(size_t count, unsigned seed) {
  std::vector<float> v = edgeValues();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint32_t> bits;
  while (v.size() < count)
    v.push_back(fromBits(bits(rng)));
  return v;
}

TEST(TpuVector, Bf16AndF16RoundingMatchQuantMath) {
  std::vector<float> values = sweep(1 << 18, 1);
  // Every 65521st bit pattern too, so each exponent is covered.
  for (uint64_t b = 0; b < (uint64_t(1) << 32); b += 65521)
    values.push_back(fromBits(static_cast<uint32_t>(b)));
  for (float x : values) {
    EXPECT_EQ(bitsOf(vec::roundBf16(x)), bitsOf(quantmath::roundToBf16(x)))
        << std::hex << bitsOf(x);
    EXPECT_EQ(bitsOf(vec::roundF16(x)), bitsOf(quantmath::roundToF16(x)))
        << std::hex << bitsOf(x);
  }
}

TEST(TpuVector, StoreMatchesStorage) {
  std::vector<float> values = sweep(1 << 14, 2);
  // Ordinary magnitudes for the integer storages as well.
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> ordinary(-300.0f, 300.0f);
  for (int i = 0; i < (1 << 14); ++i)
    values.push_back(ordinary(rng));
  std::vector<Storage> storages(6);
  storages[0].quantized = true; // int8, symmetric
  storages[0].scale = 0.1;
  storages[1].quantized = true; // uint8, zero point 128
  storages[1].scale = 0.05;
  storages[1].zeroPoint = 128;
  storages[1].qmin = 0;
  storages[1].qmax = 255;
  storages[2].bf16 = true;
  storages[3].f16 = true;
  storages[5].integer = true; // [4]: f32
  for (auto [s, storage] : llvm::enumerate(storages)) {
    std::vector<float> out(values.size());
    vec::store(storage, values.data(), out.data(),
               static_cast<int64_t>(values.size()));
    for (auto [x, y] : llvm::zip(values, out))
      ASSERT_EQ(bitsOf(y), bitsOf(storage.store(x)))
          << "storage " << s << " input " << std::hex << bitsOf(x);
  }
}

TEST(TpuVector, LookupIndexesByTheLowByteOfTheCode) {
  std::vector<float> table(256);
  for (int i = 0; i < 256; ++i)
    table[i] = static_cast<float>(i * 3 - 100);
  std::vector<float> codes;
  for (int c = -128; c < 256; ++c)
    codes.push_back(static_cast<float>(c));
  std::vector<float> out(codes.size());
  vec::lookup256(table.data(), codes.data(), out.data(),
                 static_cast<int64_t>(codes.size()));
  for (auto [c, y] : llvm::zip(codes, out))
    EXPECT_EQ(y, table[static_cast<int64_t>(c) & 255]) << c;
}

TEST(TpuVector, Int8ArithMatchesTheIntegerFormula) {
  std::mt19937 rng(4);
  std::uniform_int_distribution<int> code(-128, 127), mult(-300, 300),
      shift(0, 20), zp(-3, 3);
  const quantmath::RoundMode modes[] = {quantmath::RoundMode::HalfUp,
                                        quantmath::RoundMode::HalfAwayFromZero,
                                        quantmath::RoundMode::HalfToEven};
  const int64_t n = 4099; // not a multiple of any vector width
  for (int trial = 0; trial < 60; ++trial) {
    vec::Int8Arith p;
    p.za = zp(rng);
    p.zb = zp(rng);
    p.m0 = mult(rng);
    p.m1 = mult(rng);
    p.shift = shift(rng);
    p.product = trial % 3 == 0;
    p.mode = modes[trial % 3];
    p.zp = zp(rng);
    p.lo = trial % 4 == 0 ? 0 : p.qmin;
    p.hi = trial % 5 == 0 ? 90 : p.qmax;
    const bool unary = trial % 7 == 1, bScalar = trial % 7 == 2;
    std::vector<float> a(n), b(n), out(n);
    for (int64_t i = 0; i < n; ++i) {
      a[i] = static_cast<float>(code(rng));
      b[i] = static_cast<float>(code(rng));
    }
    if (unary && !p.product)
      p.m1 = 0;
    if (unary && p.product)
      p.product = false, p.m1 = 0;
    vec::int8Arith(p, a.data(), unary ? nullptr : b.data(), out.data(), n,
                   bScalar);
    for (int64_t i = 0; i < n; ++i) {
      int64_t x = int64_t(a[i]) - p.za;
      int64_t y = unary ? 0 : int64_t(bScalar ? b[0] : b[i]) - p.zb;
      int64_t v = p.product ? p.m0 * (x * y) : p.m0 * x + p.m1 * y;
      int64_t r = quantmath::rightShiftRound(v, p.shift, p.mode) + p.zp;
      r = std::clamp(std::clamp(r, p.qmin, p.qmax), p.lo, p.hi);
      ASSERT_EQ(out[i], static_cast<float>(r))
          << "trial " << trial << " element " << i;
    }
  }
}

TEST(TpuVector, Table16GivesTheFunctionForEveryInput) {
  auto fn = [](float x) { return std::tanh(x) * 0.75f + 0.125f; };
  for (bool isBf16 : {true, false}) {
    vec::Table16 table(isBf16, fn);
    std::vector<float> values = sweep(1 << 15, 5);
    // Values of the type itself, which the table holds.
    for (float x : std::vector<float>(values))
      values.push_back(isBf16 ? quantmath::roundToBf16(x)
                              : quantmath::roundToF16(x));
    std::vector<float> out(values.size());
    table.apply(values.data(), out.data(), static_cast<int64_t>(values.size()));
    for (auto [x, y] : llvm::zip(values, out))
      ASSERT_EQ(bitsOf(y), bitsOf(fn(x)))
          << (isBf16 ? "bf16 " : "f16 ") << std::hex << bitsOf(x);
  }
}

} // namespace
