// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/activation.cali" --convert-top-to-tpu --mlir-print-elementsattrs-with-hex-if-larger=100000 | FileCheck %s --check-prefix=INT8
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu | FileCheck %s --check-prefix=BF16

// Activations on CV18xx. In INT8 every unary function is a 256-entry table
// (entry c & 255 holds round(f(c * s_in) / s_out), half away from zero,
// saturated); relu keeps the input's type; PRelu uses int8 slopes. In BF16
// smooth functions are bf16 tables interpolated as the chip does
// (tpu.LutBF16), piecewise-linear ones tpu.Active.

// INT8: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.031496062992125984>> loc("x_i8")

// sigmoid: s_in = 4/127; CV18xx gives sigmoid [-1, 1], s_out = 1/127.
// Entries: c = 0: 0.5 * 127 = 63.5 -> 64; c = 1: sigmoid(0.0315) * 127 =
// 64.49 -> 64; c = 2: 64.99 -> 65; c = 3: 65.5 -> 66; and c = -1 (entry
// 255): 62.999 -> 63.
// INT8: top.Weight {value = dense<[6.400000e+01, 6.400000e+01, 6.500000e+01, 6.600000e+01, {{.*}}, 6.300000e+01]> : tensor<256xf32>} : () -> tensor<256xsi8> loc("sig_table")
// INT8: tpu.Lut %[[X]], %{{.*}} : {{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("sig")
// INT8: tpu.Lut %[[X]], %{{.*}} : {{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.031496062992125984>> loc("silu")

// Relu moves codes: same type in and out, the limit in real units.
// INT8: tpu.Relu %[[X]] : (tensor<1x2x3x!quant.uniform<i8:f32, 0.031496062992125984>>) -> tensor<1x2x3x!quant.uniform<i8:f32, 0.031496062992125984>> loc("relu")
// INT8: tpu.Relu %[[X]] {relu_limit = 3.000000e+00 : f64} {{.*}} loc("relu6")

// PRelu (slopes [0.1, -0.2]) from th 4 to th 2: the ratio s_in/s_out = 2
// brings positives to the output scale: 2 = 64 >> 5. Negatives use the
// scaled slopes [0.2, -0.4] with one shift from 0.4: 0.4 * 2^8 = 102.4 fits
// (2^9 gives 204.8) -> codes round(51.2) = 51, -102, rshift 8.
// INT8: top.Weight {value = dense<[5.100000e+01, -1.020000e+02]> : tensor<2xf32>} : () -> tensor<2xsi8> loc("prelu_slope_i8")
// INT8: tpu.PRelu %[[X]], %{{.*}} {multiplier_pos = 64 : i64, rshift = 8 : i64, rshift_pos = 5 : i64} {{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.015748031496062992>> loc("prelu")

// LeakyRelu (0.1, same scale): c >= 0 stays c; c = -5 -> -0.5 -> -1,
// c = -128 (entry 128) -> -12.8 -> -13, c = -4..-1 (the last entries) -> 0.
// INT8: top.Weight {value = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, {{.*}}, 1.270000e+02, -1.300000e+01, {{.*}}, -1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<256xf32>} : () -> tensor<256xsi8> loc("leaky_table")
// INT8: tpu.Lut %[[X]], %{{.*}} {{.*}} loc("leaky")
// INT8: tpu.Lut %[[X]], %{{.*}} {{.*}} loc("gelu")
// INT8: tpu.Lut %[[X]], %{{.*}} {{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("tanh")
// exp: th 54.6 -> s_out = 54.6/127 = 0.4299.
// INT8: tpu.Lut %[[X]], %{{.*}} {{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.42992125984251972>> loc("exp")
// INT8-NOT: tpu.Active

// BF16: %[[X:.*]] = tpu.Cast %{{.*}} : (tensor<1x2x3xf32>) -> tensor<1x2x3xbf16> loc("x_bf16")
// BF16: %[[T:.*]] = top.Weight {{.*}} : () -> tensor<256xbf16> loc("sig_table")
// BF16: %[[S:.*]] = top.Weight {{.*}} : () -> tensor<256xbf16> loc("sig_slope")
// BF16: tpu.LutBF16 %[[X]], %[[T]], %[[S]] {max_range = 1.200000e+01 : f64, min_range = -1.200000e+01 : f64} : (tensor<1x2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<1x2x3xbf16> loc("sig")
// BF16: tpu.LutBF16 %[[X]], {{.*}} {max_range = 1.200000e+01 : f64, min_range = -1.200000e+01 : f64} {{.*}} loc("silu")
// BF16: tpu.Relu %[[X]] : (tensor<1x2x3xbf16>) -> tensor<1x2x3xbf16> loc("relu")
// BF16: tpu.Relu %[[X]] {relu_limit = 3.000000e+00 : f64} {{.*}} loc("relu6")
// Slopes are rounded to bf16: 0.1 -> 0.10009765625, -0.2 -> -0.2001953125.
// BF16: top.Weight {value = dense<[0.100097656, -0.200195313]> : tensor<2xf32>} : () -> tensor<2xbf16> loc("prelu_slope_bf16")
// BF16: tpu.PRelu %[[X]], %{{.*}} : (tensor<1x2x3xbf16>, tensor<2xbf16>) -> tensor<1x2x3xbf16> loc("prelu")
// BF16: tpu.Active %[[X]] {coeffs = array<f64: 1.000000e-01>, mode = "LeakyRelu"} {{.*}} loc("leaky")
// The default range of the GELU and tanh tables is [-8, 8] (not printed).
// BF16: tpu.LutBF16 %[[X]], %{{.*}}, %{{.*}} : {{.*}} loc("gelu")
// BF16: tpu.LutBF16 %[[X]], %{{.*}}, %{{.*}} : {{.*}} loc("tanh")
// BF16: tpu.Active %[[X]] {mode = "Exp"} {{.*}} loc("exp")

module @act attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x3xf32>) -> (tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>) {
    %x = top.Input %arg0 : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("x")
    %0 = top.Sigmoid %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("sig")
    %1 = top.SiLU %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("silu")
    %2 = top.Relu %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("relu")
    %3 = top.Relu %x {relu_limit = 3.0 : f64} : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("relu6")
    %s = top.Weight {value = dense<[[0.1], [-0.2]]> : tensor<2x1xf32>} : () -> tensor<2x1xf32> loc("slope")
    %4 = top.PRelu %x, %s : (tensor<1x2x3xf32>, tensor<2x1xf32>) -> tensor<1x2x3xf32> loc("prelu")
    %5 = top.LeakyRelu %x {alpha = 0.1 : f64} : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("leaky")
    %6 = top.GELU %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("gelu")
    %7 = top.Tanh %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("tanh")
    %8 = top.Exp %x : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32> loc("exp")
    return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>
  }
}
