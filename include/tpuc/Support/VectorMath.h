//===- VectorMath.h - Vectorizable exp and sigmoid --------------*- C++ -*-===//
//
// libm's expf is a scalar call, and SiLU/Sigmoid spent most of their time in
// it. These versions are branch-free so that the compiler vectorizes the
// loops over them, and accurate to a few ulp (the unit tests compare them
// with std::exp in double over the whole float range).
//
// The Top interpreter's activations and run_qtable's decode of YOLO heads
// share them, so both compute the same sigmoid. A file that calls them in
// TPUC_VECTOR_CLONES functions is built with -ffp-contract=off: every clone
// (SSE2, AVX2, AVX-512) then rounds each operation the same way, so results
// do not depend on the host CPU.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_VECTORMATH_H
#define TPUC_SUPPORT_VECTORMATH_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tpuc::vmath {

inline uint32_t bitsOf(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

inline float floatOf(uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof(v));
  return v;
}

/// e^x: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite, ln2 split so that k ln2
/// is exact), e^r by its Taylor polynomial of degree 7 (truncation < 2^-27),
/// and 2^k applied as two factors so that subnormal results round once.
/// Overflows to +inf and underflows to 0 like std::exp; NaN stays NaN.
inline float vexp(float x) {
  const float kLog2e = 1.44269504088896341f;
  // ln2 = kLn2Hi + kLn2Lo; kLn2Hi has 15 significant bits, so k * kLn2Hi is
  // exact for |k| <= 256.
  const float kLn2Hi = 0.693145751953125f;
  const float kLn2Lo = 1.42860682030941723212e-6f;
  // Adding 1.5 * 2^23 rounds to an integer held in the low mantissa bits.
  const float kShift = 12582912.0f;
  // Beyond these e^x is inf or 0 in float; NaN fails both tests and stays.
  x = x > 89.0f ? 89.0f : x;
  x = x < -104.0f ? -104.0f : x;
  float shifted = x * kLog2e + kShift;
  int32_t k = static_cast<int32_t>(bitsOf(shifted) - bitsOf(kShift));
  float kf = shifted - kShift;
  float r = (x - kf * kLn2Hi) - kf * kLn2Lo;
  float p =
      1.0f +
      r * (1.0f +
           r * (0.5f + r * (1.0f / 6 +
                            r * (1.0f / 24 +
                                 r * (1.0f / 120 +
                                      r * (1.0f / 720 + r * (1.0f / 5040)))))));
  // k is in [-150, 129]; each half gives a normal power of two.
  int32_t k1 = k >> 1, k2 = k - k1;
  float s1 = floatOf(static_cast<uint32_t>(k1 + 127) << 23);
  float s2 = floatOf(static_cast<uint32_t>(k2 + 127) << 23);
  return p * s1 * s2;
}

/// 1 / (1 + e^-x), from e^-|x| so that exp never overflows.
inline float vsigmoid(float x) {
  float e = vexp(-std::fabs(x));
  float inv = 1.0f / (1.0f + e);
  return x >= 0.0f ? inv : e * inv;
}

} // namespace tpuc::vmath

#endif // TPUC_SUPPORT_VECTORMATH_H
