//===- FakeQuant.h - Int8 quantize/dequantize in float -----------*- C++
//-*-===//
//
// Simulates symmetric int8 quantization in the float interpreter, as the
// reference's tuner does: x -> clip(round(x * 127 / T), -128, 127) * T / 127
// for activations (T = the threshold), and per-output-channel weights with
// T = max |w| of the channel, clipped to [-127, 127]. Rounding is to nearest,
// ties to even.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_FAKEQUANT_H
#define TPUC_QUANT_CALIBRATION_FAKEQUANT_H

#include "tpuc/Interpreter/Tensor.h"

namespace tpuc::calibration {

/// out[i] = fake-quantized in[i] for the activation threshold `threshold`
/// (> 0); `out` may be `in`.
void fakeQuantizeActivation(const float *in, float *out, int64_t n,
                            double threshold);

/// Fake-quantizes a weight per slice along `axis` (each slice its own
/// scale), or per tensor when `axis` is negative.
Tensor fakeQuantizeWeight(const Tensor &weight, int64_t axis);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_FAKEQUANT_H
