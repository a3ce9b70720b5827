//===- FakeQuant.cpp - Int8 quantize/dequantize in float ------------------===//

#include "tpuc/Quant/Calibration/FakeQuant.h"
#include "Parallel.h"

#include <algorithm>
#include <cmath>

namespace tpuc::calibration {

/// Round to nearest even for |v| < 2^22: adding 1.5 * 2^23 pushes the
/// fraction out of the mantissa in the current (nearest-even) rounding mode.
/// Unlike nearbyint this vectorizes on plain SSE2.
static inline float roundToEven(float v) {
  constexpr float kMagic = 12582912.0f;
  return (v + kMagic) - kMagic;
}

void fakeQuantizeActivation(const float *in, float *out, int64_t n,
                            double threshold) {
  const float scale = static_cast<float>(127.0 / threshold);
  const float step = static_cast<float>(threshold / 127.0);
  forEachChunk(n, [&](int64_t, int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
      // Clipping before rounding gives the same integers (the bounds are
      // integers) and keeps the magic-number rounding in range.
      float v = std::min(std::max(in[i] * scale, -128.0f), 127.0f);
      out[i] = roundToEven(v) * step;
    }
  });
}

Tensor fakeQuantizeWeight(const Tensor &weight, int64_t axis) {
  Tensor result = weight;
  const int64_t n = weight.numel();
  if (n == 0)
    return result;
  int64_t outer = 1, channels = 1, inner = n;
  if (axis >= 0 && axis < weight.rank()) {
    channels = weight.shape[axis];
    outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= weight.shape[d];
    inner = n / std::max<int64_t>(outer * channels, 1);
  } else {
    outer = 1;
    channels = 1;
  }
  std::vector<float> maxAbs(channels, 0.0f);
  const float *w = weight.ptr();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const float *slice = w + (o * channels + c) * inner;
      float m = maxAbs[c];
      for (int64_t i = 0; i < inner; ++i)
        m = std::max(m, std::fabs(slice[i]));
      maxAbs[c] = m;
    }
  float *q = result.ptr();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      float m = maxAbs[c];
      float *slice = q + (o * channels + c) * inner;
      if (!(m > 0) || !std::isfinite(m)) {
        if (!(m > 0))
          std::fill(slice, slice + inner, 0.0f);
        continue;
      }
      const float scale = 127.0f / m, step = m / 127.0f;
      for (int64_t i = 0; i < inner; ++i) {
        float v = std::min(std::max(slice[i] * scale, -127.0f), 127.0f);
        slice[i] = roundToEven(v) * step;
      }
    }
  return result;
}

} // namespace tpuc::calibration
