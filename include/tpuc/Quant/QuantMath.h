//===- QuantMath.h - Integer arithmetic of quantized ops ---------*- C++
//-*-===//
//
// The integer operations the chips perform (rounding right shifts,
// multiply-and-shift requantization, saturation) and the derivation of their
// parameters from float scales. Lowering and the Tpu interpreter share them,
// so parameters and arithmetic always agree.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_QUANTMATH_H
#define TPUC_QUANT_QUANTMATH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>

namespace tpuc::quantmath {

/// How a value halfway between two integers (or any fraction, for the
/// directed modes) is rounded.
enum class RoundMode {
  HalfUp,
  HalfAwayFromZero,
  HalfToEven,
  TowardsZero,
  Down
};

std::optional<RoundMode> symbolizeRoundMode(llvm::StringRef name);
llvm::StringRef stringifyRoundMode(RoundMode mode);

/// `x / 2^shift` rounded with `mode`, exact on the integers; a negative
/// shift multiplies by 2^-shift. Inline: it is the inner loop of every
/// quantized kernel.
inline int64_t rightShiftRound(int64_t x, int64_t shift, RoundMode mode) {
  if (shift <= 0)
    return shift == 0 ? x : x * (int64_t(1) << std::min<int64_t>(-shift, 32));
  // Beyond 62 bits every int64 rounds as it does at 62.
  shift = std::min<int64_t>(shift, 62);
  int64_t floor = x >> shift; // arithmetic: rounds toward -inf
  int64_t rem = x - (floor << shift);
  int64_t half = int64_t(1) << (shift - 1);
  switch (mode) {
  case RoundMode::Down:
    return floor;
  case RoundMode::TowardsZero:
    return (x < 0 && rem != 0) ? floor + 1 : floor;
  case RoundMode::HalfUp:
    return rem >= half ? floor + 1 : floor;
  case RoundMode::HalfAwayFromZero:
    return (rem > half || (rem == half && x >= 0)) ? floor + 1 : floor;
  case RoundMode::HalfToEven:
    return (rem > half || (rem == half && (floor & 1))) ? floor + 1 : floor;
  }
  return floor;
}

/// `x` rounded to an integer with `mode`.
int64_t roundToInt(double x, RoundMode mode);

inline int64_t saturate(int64_t x, int64_t lo, int64_t hi) {
  return std::min(std::max(x, lo), hi);
}
inline int64_t saturateInt8(int64_t x) { return saturate(x, -128, 127); }
inline int64_t saturateUInt8(int64_t x) { return saturate(x, 0, 255); }
inline int64_t saturateInt32(int64_t x) {
  return saturate(x, INT32_MIN, INT32_MAX);
}

/// QDM requantization: `(acc * multiplier) >> 31` rounding half up and
/// saturated to int32, then `>> rshift` rounding with `mode`. A negative
/// rshift shifts `acc` left (saturating to int32) before the multiply. The
/// result is not yet saturated to the storage type.
inline int64_t applyQdm(int64_t acc, int64_t multiplier, int64_t rshift,
                        RoundMode mode) {
  // A negative rshift (scales >= 1, BM1684X) shifts the accumulator left
  // before the multiply, as TFLite's MultiplyByQuantizedMultiplier does;
  // shifting the rounded product instead would scale its rounding error.
  int64_t x = saturateInt32(acc);
  if (rshift < 0) {
    x = saturateInt32(x * (int64_t(1) << std::min<int64_t>(-rshift, 31)));
    rshift = 0;
  }
  // x is an int32 and multiplier < 2^31, so the product fits in 63 bits.
  int64_t high = rightShiftRound(x * multiplier, 31, RoundMode::HalfUp);
  return rightShiftRound(saturateInt32(high), rshift, mode);
}

/// MultiplierShift requantization: `(acc * multiplier) >> rshift` rounding
/// with `mode`.
inline int64_t applyMultiplierShift(int64_t acc, int64_t multiplier,
                                    int64_t rshift, RoundMode mode) {
  return rightShiftRound(acc * multiplier, rshift, mode);
}

struct MultiplierShift {
  int64_t multiplier = 0;
  int64_t rshift = 0;
};

/// QDM parameters for `qscale` > 0: `qscale = multiplier / 2^(31 + rshift)`
/// with multiplier in [2^30, 2^31). Scales >= 1 need a left shift (negative
/// rshift); without `allowLeftShift` (CV18xx) they are clamped just below 1.
/// Scales too small for a 63-bit shift give multiplier 0.
MultiplierShift getQdmMultiplierShift(double qscale,
                                      bool allowLeftShift = false);
/// `multiplier / 2^(31 + rshift)`, the scale a QDM pair applies.
double getQdmScale(const MultiplierShift &params);

/// An int8 multiplier (|m| <= maxMultiplier) and shift in [0, 31] that
/// approximate `qscale`, with the largest multiplier that fits so that the
/// relative error is below 1/128. Scales too large for the multiplier
/// saturate to (maxMultiplier, 0).
MultiplierShift getInt8MultiplierShift(double qscale,
                                       int64_t maxMultiplier = 127);
/// One shared shift for several scales (the inputs of an Add or Concat):
/// chosen for the largest |scale| and applied to each.
std::pair<llvm::SmallVector<int64_t>, int64_t>
getInt8Multipliers(llvm::ArrayRef<double> qscales, int64_t maxMultiplier = 127);

/// Rounds to the nearest bf16 / f16 value (ties to even), returned as float.
float roundToBf16(float x);
float roundToF16(float x);

} // namespace tpuc::quantmath

#endif // TPUC_QUANT_QUANTMATH_H
