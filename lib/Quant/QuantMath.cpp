//===- QuantMath.cpp - Integer arithmetic of quantized ops ----------------===//

#include "tpuc/Quant/QuantMath.h"
#include "tpuc/Support/Npz.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace tpuc::quantmath {

std::optional<RoundMode> symbolizeRoundMode(llvm::StringRef name) {
  if (name == "HalfUp")
    return RoundMode::HalfUp;
  if (name == "HalfAwayFromZero")
    return RoundMode::HalfAwayFromZero;
  if (name == "HalfToEven")
    return RoundMode::HalfToEven;
  if (name == "TowardsZero")
    return RoundMode::TowardsZero;
  if (name == "Down")
    return RoundMode::Down;
  return std::nullopt;
}

llvm::StringRef stringifyRoundMode(RoundMode mode) {
  switch (mode) {
  case RoundMode::HalfUp:
    return "HalfUp";
  case RoundMode::HalfAwayFromZero:
    return "HalfAwayFromZero";
  case RoundMode::HalfToEven:
    return "HalfToEven";
  case RoundMode::TowardsZero:
    return "TowardsZero";
  case RoundMode::Down:
    return "Down";
  }
  return "HalfAwayFromZero";
}

int64_t roundToInt(double x, RoundMode mode) {
  double f = std::floor(x);
  double frac = x - f;
  switch (mode) {
  case RoundMode::Down:
    return static_cast<int64_t>(f);
  case RoundMode::TowardsZero:
    return static_cast<int64_t>(std::trunc(x));
  case RoundMode::HalfUp:
    return static_cast<int64_t>(frac >= 0.5 ? f + 1 : f);
  case RoundMode::HalfAwayFromZero:
    return static_cast<int64_t>(std::round(x));
  case RoundMode::HalfToEven:
    return static_cast<int64_t>(std::nearbyint(x));
  }
  return static_cast<int64_t>(std::round(x));
}

MultiplierShift getQdmMultiplierShift(double qscale, bool allowLeftShift) {
  if (!(qscale > 0))
    return {0, 0};
  if (!allowLeftShift)
    qscale = std::min(qscale, 0.999999);
  int exponent = 0;
  double mantissa = std::frexp(qscale, &exponent); // in [0.5, 1)
  int64_t multiplier = std::llround(mantissa * double(int64_t(1) << 31));
  if (multiplier == (int64_t(1) << 31)) {
    multiplier /= 2;
    ++exponent;
  }
  int64_t rshift = -exponent; // negative (a left shift) only for qscale >= 1
  if (rshift > 63)
    return {0, 0};
  rshift = std::max<int64_t>(rshift, -31);
  return {multiplier, rshift};
}

double getQdmScale(const MultiplierShift &params) {
  return double(params.multiplier) / std::ldexp(1.0, 31 + params.rshift);
}

MultiplierShift getInt8MultiplierShift(double qscale, int64_t maxMultiplier) {
  double magnitude = std::fabs(qscale);
  int64_t sign = qscale < 0 ? -1 : 1;
  if (magnitude == 0)
    return {0, 0};
  for (int64_t rshift = 31; rshift >= 0; --rshift) {
    int64_t m = std::llround(std::ldexp(magnitude, rshift));
    if (m <= maxMultiplier)
      return {sign * m, rshift};
  }
  return {sign * maxMultiplier, 0};
}

std::pair<llvm::SmallVector<int64_t>, int64_t>
getInt8Multipliers(llvm::ArrayRef<double> qscales, int64_t maxMultiplier) {
  double largest = 0;
  for (double q : qscales)
    largest = std::max(largest, std::fabs(q));
  int64_t rshift = getInt8MultiplierShift(largest, maxMultiplier).rshift;
  llvm::SmallVector<int64_t> multipliers;
  for (double q : qscales)
    multipliers.push_back(saturate(std::llround(std::ldexp(q, rshift)),
                                   -maxMultiplier, maxMultiplier));
  return {multipliers, rshift};
}

float roundToBf16(float x) { return bf16ToFloat(floatToBf16(x)); }
float roundToF16(float x) { return halfToFloat(floatToHalf(x)); }

} // namespace tpuc::quantmath
