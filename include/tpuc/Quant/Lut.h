//===- Lut.h - Lookup tables of quantized activations ------------*- C++
//-*-===//

#ifndef TPUC_QUANT_LUT_H
#define TPUC_QUANT_LUT_H

#include "tpuc/Quant/QuantMath.h"

#include <functional>
#include <vector>

namespace tpuc::quantmath {

/// An 8-bit quantization: value = (code - zeroPoint) * scale.
struct Int8Format {
  double scale = 1.0;
  int64_t zeroPoint = 0;
  bool isSigned = true;
  int64_t qmin() const { return isSigned ? -128 : 0; }
  int64_t qmax() const { return isSigned ? 127 : 255; }
};

/// The 256 entries of an int8 -> int8 table for `f`: entry `code & 255`
/// holds `sat(round(f((code - zp_in) * scale_in) / scale_out) + zp_out)`,
/// rounding half away from zero. Non-finite results saturate.
std::vector<int64_t> buildInt8Lut(const Int8Format &in, const Int8Format &out,
                                  const std::function<double(double)> &f);

/// bf16 samples and slopes of `f` on [lo, hi] (256 segments), as bf16
/// values held in floats (see tpu.LutBF16).
struct Bf16SlopeTable {
  std::vector<float> values;
  std::vector<float> slopes;
};
Bf16SlopeTable buildBf16SlopeTable(const std::function<double(double)> &f,
                                   double lo, double hi);
/// Evaluates a slope table as the chip does (tpu.LutBF16).
float evalBf16SlopeTable(const float *values, const float *slopes, double lo,
                         double hi, float x);

} // namespace tpuc::quantmath

#endif // TPUC_QUANT_LUT_H
