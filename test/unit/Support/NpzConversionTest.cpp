//===- NpzConversionTest.cpp - half, bfloat16 and float conversions -------===//
//
// Expected values mirror python/gen_npz_fixtures.py, which wrote Inputs/ with
// numpy; float expectations are given as bit patterns so nothing here relies
// on the code under test to decode them.
//
//===----------------------------------------------------------------------===//

#include "NpzTestUtils.h"

#include "tpuc/Support/Npz.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace tpuc;
using namespace tpuc::test;

namespace {

uint32_t bitsOf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

//===----------------------------------------------------------------------===//
// Half and bfloat16
//===----------------------------------------------------------------------===//

TEST(Half, KnownEncodings) {
  struct Case {
    float value;
    uint16_t half;
  } cases[] = {
      {0.0f, 0x0000},
      {-0.0f, 0x8000},
      {1.0f, 0x3c00},
      {-2.0f, 0xc000},
      {0.5f, 0x3800},
      {65504.0f, 0x7bff},
      {std::ldexp(1.0f, -14), 0x0400},    // smallest normal
      {std::ldexp(1023.0f, -24), 0x03ff}, // largest subnormal
      {std::ldexp(1.0f, -24), 0x0001},    // smallest subnormal
      {std::numeric_limits<float>::infinity(), 0x7c00},
      {-std::numeric_limits<float>::infinity(), 0xfc00},
      // Ties go to the even neighbour.
      {1.0f + std::ldexp(1.0f, -11), 0x3c00},
      {1.0f + 3 * std::ldexp(1.0f, -11), 0x3c02},
      {1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20), 0x3c01},
      {65519.0f, 0x7bff},
      {65520.0f, 0x7c00}, // tie between 65504 and 2^16: overflows
      {1e6f, 0x7c00},
      {std::ldexp(1.0f, -25), 0x0000},    // tie with zero
      {std::ldexp(3.0f, -26), 0x0001},    // above the tie
      {std::ldexp(3.0f, -25), 0x0002},    // tie between 1 and 2
      {std::ldexp(5.0f, -25), 0x0002},    // tie between 2 and 3
      {std::ldexp(2047.0f, -25), 0x0400}, // tie into the normals
      {-std::ldexp(1.0f, -26), 0x8000},   // underflow keeps the sign
      {fromBits(0x00000001), 0x0000},     // float subnormal
  };
  for (const Case &c : cases)
    EXPECT_EQ(floatToHalf(c.value), c.half) << c.value;
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x0200), std::ldexp(1.0f, -15));
  EXPECT_EQ(halfToFloat(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(bitsOf(halfToFloat(0x8000)), 0x80000000u);
  EXPECT_EQ(halfToFloat(0xfc00), -std::numeric_limits<float>::infinity());
}

TEST(Half, NaNStaysNaN) {
  auto isHalfNaN = [](uint16_t h) {
    return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
  };
  // Payload only in the bits a half cannot hold must not become infinity.
  for (uint32_t bits :
       {0x7fc00000u, 0x7f800001u, 0xffc00000u, 0x7fffffffu, 0x7f802000u}) {
    uint16_t h = floatToHalf(fromBits(bits));
    EXPECT_TRUE(isHalfNaN(h)) << std::hex << bits;
    EXPECT_EQ(h >> 15, bits >> 31) << std::hex << bits;
  }
  for (uint16_t h : {0x7e00, 0x7c01, 0xfe00, 0x7fff})
    EXPECT_TRUE(std::isnan(halfToFloat(h))) << std::hex << h;
}

TEST(Half, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(h);
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) {
      EXPECT_TRUE(std::isnan(f)) << h;
      continue;
    }
    ASSERT_EQ(floatToHalf(f), h) << std::hex << h;
  }
}

TEST(Half, EveryMidpointRoundsToEven) {
  // Between neighbouring positive finite halves (and past the largest one,
  // towards 2^16) the midpoint goes to the even code, anything off it to the
  // nearer code. Midpoints need one bit more than a half: exact in float.
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    double lo = halfToFloat(h);
    double hi = h == 0x7bff ? 65536.0 : double(halfToFloat(h + 1));
    float mid = float((lo + hi) / 2);
    ASSERT_EQ(double(mid), (lo + hi) / 2);
    uint16_t even = (h & 1) ? h + 1 : h;
    ASSERT_EQ(floatToHalf(mid), even) << std::hex << h;
    ASSERT_EQ(floatToHalf(std::nextafter(mid, 0.0f)), h) << std::hex << h;
    ASSERT_EQ(floatToHalf(std::nextafter(mid, 1e30f)), h + 1) << std::hex << h;
    ASSERT_EQ(floatToHalf(-mid), 0x8000 | even) << std::hex << h;
  }
}

TEST(BFloat16, KnownEncodings) {
  struct Case {
    uint32_t floatBits;
    uint16_t bf16;
  } cases[] = {
      {0x3f800000, 0x3f80}, // 1.0
      {0xc0400000, 0xc040}, // -3.0
      {0x80000000, 0x8000}, // -0.0
      {0x3f808000, 0x3f80}, // tie, even below
      {0x3f818000, 0x3f82}, // tie, even above
      {0x3f808001, 0x3f81}, // just above the tie
      {0x3f807fff, 0x3f80}, // just below the tie
      {0x7f7f7fff, 0x7f7f}, // near the top, rounds down
      {0x7f7fffff, 0x7f80}, // largest float overflows to inf
      {0x7f800000, 0x7f80}, // inf
      {0xff800000, 0xff80}, // -inf
      {0x00000001, 0x0000}, // subnormal to zero
      {0x00008000, 0x0000}, // subnormal tie to even zero
      {0x00018000, 0x0002}, // subnormal tie to even
  };
  for (const Case &c : cases)
    EXPECT_EQ(floatToBf16(fromBits(c.floatBits)), c.bf16)
        << std::hex << c.floatBits;
  for (uint32_t bits : {0x7fc00000u, 0x7f800001u, 0xff810000u}) {
    uint16_t b = floatToBf16(fromBits(bits));
    EXPECT_EQ(b & 0x7f80, 0x7f80) << std::hex << bits;
    EXPECT_NE(b & 0x7f, 0) << std::hex << bits;
    EXPECT_EQ(b >> 15, bits >> 31);
  }
  EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(bf16ToFloat(0xc040), -3.0f);
  EXPECT_EQ(bitsOf(bf16ToFloat(0x0001)), 0x00010000u);
  EXPECT_TRUE(std::isnan(bf16ToFloat(0x7fc1)));
  for (uint32_t b = 0; b < 0x10000; ++b) {
    if ((b & 0x7f80) != 0x7f80 || !(b & 0x7f)) {
      ASSERT_EQ(floatToBf16(bf16ToFloat(b)), b) << std::hex << b;
    }
  }
}

//===----------------------------------------------------------------------===//
// fromFloat / toFloat
//===----------------------------------------------------------------------===//

template <typename T>
std::vector<T> convert(std::vector<float> values, DType type) {
  NpyArray array = NpyArray::fromFloat(values, {int64_t(values.size())}, type);
  EXPECT_EQ(array.dtype, type);
  EXPECT_EQ(array.bytes.size(), values.size() * sizeof(T));
  std::vector<T> out(values.size());
  std::memcpy(out.data(), array.bytes.data(), array.bytes.size());
  return out;
}

TEST(FromFloat, RoundsHalfToEvenAndSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(convert<int8_t>({0.5f, 1.5f, 2.5f, 3.5f, -0.5f, -1.5f, -2.5f,
                             0.49999997f, 2.5000002f, -2.5000002f},
                            DType::I8),
            (std::vector<int8_t>{0, 2, 2, 4, 0, -2, -2, 0, 3, -3}));
  EXPECT_EQ(
      convert<int8_t>(
          {127.4f, 127.5f, -128.5f, -128.6f, 1000.0f, -1e9f, inf, -inf, nan},
          DType::I8),
      (std::vector<int8_t>{127, 127, -128, -128, 127, -128, 127, -128, 0}));
  EXPECT_EQ(convert<uint8_t>({-1.0f, -0.5f, 254.5f, 255.4f, 255.5f, 300.0f},
                             DType::U8),
            (std::vector<uint8_t>{0, 0, 254, 255, 255, 255}));
  EXPECT_EQ(convert<int16_t>({-32768.5f, 32767.5f, 1e5f, 12345.5f}, DType::I16),
            (std::vector<int16_t>{-32768, 32767, 32767, 12346}));
  EXPECT_EQ(convert<uint16_t>({-3.0f, 65535.0f, 65535.5f, 7.5f}, DType::U16),
            (std::vector<uint16_t>{0, 65535, 65535, 8}));
  EXPECT_EQ(convert<int32_t>({2147483520.0f, 2147483648.0f, -2147483648.0f,
                              -3e9f, 3e9f, 16777217.0f},
                             DType::I32),
            (std::vector<int32_t>{2147483520, 2147483647, -2147483647 - 1,
                                  -2147483647 - 1, 2147483647, 16777216}));
  const int64_t i64max = std::numeric_limits<int64_t>::max();
  const int64_t i64min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(convert<int64_t>({std::ldexp(1.0f, 63), -std::ldexp(1.0f, 63),
                              std::ldexp(1.0f, 62), 9.3e18f, -1e19f, inf, nan},
                             DType::I64),
            (std::vector<int64_t>{i64max, i64min, int64_t(1) << 62, i64max,
                                  i64min, i64max, 0}));
}

TEST(FromFloat, FloatAndBoolTypes) {
  std::vector<float> values = {0.0f, -0.0f, 0.1f, -2.5f, 70000.0f};
  EXPECT_EQ(convert<uint8_t>({0.0f, -0.0f, 0.1f, -3.0f,
                              std::numeric_limits<float>::quiet_NaN()},
                             DType::Bool),
            (std::vector<uint8_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(convert<uint16_t>(values, DType::F16),
            (std::vector<uint16_t>{0x0000, 0x8000, 0x2e66, 0xc100, 0x7c00}));
  EXPECT_EQ(convert<double>(values, DType::F64),
            (std::vector<double>{0.0, -0.0, double(0.1f), -2.5, 70000.0}));
  EXPECT_EQ(convert<float>(values, DType::F32), values);

  NpyArray shaped = NpyArray::fromFloat({1, 2, 3, 4, 5, 6}, {2, 1, 3});
  EXPECT_EQ(shaped.dtype, DType::F32);
  EXPECT_EQ(shaped.shape, (std::vector<int64_t>{2, 1, 3}));
  EXPECT_EQ(shaped.numel(), 6);
  NpyArray scalar = NpyArray::fromFloat({7}, {}, DType::I32);
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.bytes, bytesOf<int32_t>({7}));
}

TEST(ToFloat, ConvertsEveryDtypeByValue) {
  for (const Fixture &f : perDtypeFixtures()) {
    if (f.dtype == DType::F32 || f.dtype == DType::F64)
      continue;
    NpyArray array{f.dtype, f.shape, f.bytes};
    std::vector<float> values = array.toFloat();
    ASSERT_EQ(int64_t(values.size()), array.numel()) << f.file;
  }
  auto toFloat = [](const char *file) {
    llvm::Expected<NpyArray> array = readNpy(inputPath(file));
    EXPECT_TRUE(bool(array));
    return array ? array->toFloat() : std::vector<float>();
  };
  EXPECT_EQ(toFloat("i8.npy"), (std::vector<float>{-128, -1, 0, 1, 127}));
  EXPECT_EQ(toFloat("u8.npy"), (std::vector<float>{0, 1, 128, 255}));
  EXPECT_EQ(toFloat("i16.npy"), (std::vector<float>{-32768, -1, 0, 32767}));
  EXPECT_EQ(toFloat("u16.npy"), (std::vector<float>{0, 1, 65535}));
  EXPECT_EQ(toFloat("i32.npy"),
            (std::vector<float>{-2147483648.0f, 0, 2147483648.0f}));
  EXPECT_EQ(toFloat("i64.npy"),
            (std::vector<float>{-9223372036854775808.0f, 0,
                                9223372036854775808.0f, 1234567890123.0f}));
  EXPECT_EQ(toFloat("bool.npy"), (std::vector<float>{1, 0, 1}));
  std::vector<float> half = toFloat("f16.npy");
  ASSERT_EQ(half.size(), 8u);
  EXPECT_EQ(std::vector<float>(half.begin(), half.begin() + 6),
            (std::vector<float>{0, 1, -2, 65504, std::ldexp(1.0f, -14),
                                std::ldexp(1.0f, -24)}));
  EXPECT_EQ(half[6], std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half[7]));
  std::vector<float> f64 = toFloat("f64.npy");
  ASSERT_EQ(f64.size(), 5u);
  EXPECT_EQ(f64[1], -1.5f);
  EXPECT_EQ(f64[2], std::numeric_limits<float>::infinity()); // 1e300
  EXPECT_EQ(f64[3], 0.0f);                                   // 5e-324
  EXPECT_EQ(f64[4], float(3.14159265358979323846));
}

} // namespace
