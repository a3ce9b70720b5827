//===- Lut.cpp - Lookup tables of quantized activations -------------------===//

#include "tpuc/Quant/Lut.h"

#include <algorithm>
#include <cmath>

namespace tpuc::quantmath {

std::vector<int64_t> buildInt8Lut(const Int8Format &in, const Int8Format &out,
                                  const std::function<double(double)> &f) {
  std::vector<int64_t> table(256, 0);
  for (int64_t code = in.qmin(); code <= in.qmax(); ++code) {
    double x = double(code - in.zeroPoint) * in.scale;
    double y = f(x) / out.scale + double(out.zeroPoint);
    int64_t q;
    if (std::isnan(y))
      q = out.zeroPoint;
    else if (y >= double(out.qmax()))
      q = out.qmax();
    else if (y <= double(out.qmin()))
      q = out.qmin();
    else
      q = saturate(roundToInt(y, RoundMode::HalfAwayFromZero), out.qmin(),
                   out.qmax());
    table[code & 255] = q;
  }
  return table;
}

Bf16SlopeTable buildBf16SlopeTable(const std::function<double(double)> &f,
                                   double lo, double hi) {
  Bf16SlopeTable table;
  double step = (hi - lo) / 256.0;
  for (int k = 0; k < 256; ++k) {
    double x0 = lo + k * step, x1 = x0 + step;
    double y0 = f(x0), y1 = f(x1);
    table.values.push_back(roundToBf16(static_cast<float>(y0)));
    table.slopes.push_back(roundToBf16(static_cast<float>((y1 - y0) / step)));
  }
  return table;
}

float evalBf16SlopeTable(const float *values, const float *slopes, double lo,
                         double hi, float x) {
  double step = (hi - lo) / 256.0;
  double pos = std::floor((double(x) - lo) / step);
  int k = std::isnan(pos) ? 0 : static_cast<int>(std::clamp(pos, 0.0, 255.0));
  float dx = roundToBf16(static_cast<float>(double(x) - (lo + k * step)));
  float product = roundToBf16(slopes[k] * dx);
  return roundToBf16(values[k] + product);
}

} // namespace tpuc::quantmath
