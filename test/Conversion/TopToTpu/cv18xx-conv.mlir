// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/conv.cali" --convert-top-to-tpu 2>&1 | FileCheck %s

// INT8 convolutions on CV18xx: per-output-channel QDM multipliers and
// shifts, si8 filters and si32 biases quantized against the representable
// scale, no left shift (qscale is clamped below 1), symmetric int8 of
// threshold / 127 everywhere.

// A convolution whose filter is computed at run time cannot be INT8: it
// falls back to BF16 and is reported.
// CHECK: remark: 1 ops are not INT8: Conv x1 (BF16: no INT8 implementation; dyn)

// The input is cast to int8: th 2 -> scale 2/127 = 0.015748.
// CHECK: %[[X:.*]] = tpu.Cast %{{.*}} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("x_i8")

// conv: s_x = 2/127, s_y = 4/127, s_w[c] = max|W_c| / 127 with max|W_0| =
// 0.5, max|W_1| = 1.0.
//   qscale_0 = s_x * s_w0 / s_y = (2/127)(0.5/127)/(4/127) = 0.25/127
//            = 0.0019685 = 0.503937 * 2^-8 -> m = round(0.503937 * 2^31)
//            = 1082196484, rshift 8
//   qscale_1 = 0.5/127 = 0.503937 * 2^-7 -> m = 1082196484, rshift 7
// Filter codes W * s_x / (s_y * qscale_c): 0.5 -> 127, 0.25 -> 63.5000000018
// -> 64 (the representable qscale is a hair below 0.25/127), -1 -> -127,
// 0.125 -> 15.875 -> 16.
// Bias codes b / (s_y * qscale_c): 0.1 / ((4/127)(0.25/127)) = 1612.9 ->
// 1613, and -0.2 / ((4/127)(0.5/127)) = -1612.9 -> -1613.
// CHECK: top.Weight {value = dense<{{\[\[\[\[}}1.270000e+02]], {{\[\[}}6.400000e+01]]], {{\[\[\[}}-1.270000e+02]], {{\[\[}}1.600000e+01]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xsi8> loc("conv_filter_i8")
// CHECK: top.Weight {value = dense<[1613, -1613]> : tensor<2xi32>} : () -> tensor<2xsi32> loc("conv_bias_i32")
// CHECK: tpu.Conv2D %[[X]], %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, multiplier = array<i64: 1082196484, 1082196484>, pads = array<i64: 0, 0, 0, 0>, quant_mode = "QDM", round_mode = "HalfUp", rshift = array<i64: 8, 7>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>, tensor<2x2x1x1xsi8>, tensor<2xsi32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031496062992125984>> loc("conv")

// A fused relu stays on the op (applied to the int8 result, the limit in
// real units); CV18xx keeps the signed [-4, 4] type although the table says
// min 0.
// CHECK: tpu.Conv2D {{.*}}do_relu = true{{.*}}multiplier = array<i64: 1082196484, 1082196484>{{.*}}relu_limit = 3.000000e+00 : f64{{.*}}rshift = array<i64: 8, 7>{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031496062992125984>> loc("conv_relu")

// conv_bigbias: max|W| = 1e-6 gives qscale = (2/127)(1e-6/127)/(4/127) =
// 3.94e-9, but the bias 1.0 needs qscale >= |b| / (s_y * (2^31 - 1) *
// 0.998) = 1 / ((4/127) * 2147483647 * 0.998) = 1.48144e-8 to fit int32.
// qscale is raised to that: 1.48144e-8 = 0.994159 * 2^-26 -> m =
// 2134976386, rshift 26. The filter then quantizes to 1e-6 * (2/127) /
// ((4/127) * 1.48144e-8) = 33.75 -> 34 and the bias to 2143188679.5, just
// inside int32.
// CHECK: top.Weight {value = dense<3.400000e+01> : tensor<1x2x1x1xf32>} : () -> tensor<1x2x1x1xsi8> loc("conv_bigbias_filter_i8")
// CHECK: top.Weight {value = dense<2143188679> : tensor<1xi32>} : () -> tensor<1xsi32> loc("conv_bigbias_bias_i32")
// CHECK: tpu.Conv2D {{.*}}multiplier = array<i64: 2134976386>{{.*}}rshift = array<i64: 26>{{.*}} loc("conv_bigbias")

// conv_clamped: s_x = 100/127, s_y = 0.1/127: qscale = (100/127)(1/127) /
// (0.1/127) = 7.87 needs a left shift, which CV18xx lacks: it is clamped
// to 0.999999 -> m = round(0.999999 * 2^31) = 2147481501, rshift 0, and the
// filter saturates: 0.5 -> 500 -> 127, 0.25 -> 250 -> 127, -1 -> -1000 ->
// -128, 0.125 -> 125.0001 -> 125.
// CHECK: tpu.Cast %{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.78740157480314965>> loc("big_i8")
// CHECK: top.Weight {value = dense<{{\[\[\[\[}}1.270000e+02]], {{\[\[}}1.270000e+02]]], {{\[\[\[}}-1.280000e+02]], {{\[\[}}1.250000e+02]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xsi8> loc("conv_clamped_filter_i8")
// CHECK: tpu.Conv2D {{.*}}multiplier = array<i64: 2147481501, 2147481501>{{.*}}rshift = array<i64: 0, 0>{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 7.874015748031497E-4>> loc("conv_clamped")

// Deconv filters are [ic, oc, kh, kw]: the output channel of an element is
// its dim 1. max|W| per output channel: oc0 1.0, oc1 0.5, oc2 0.75; s_x =
// 2/127, s_y = 3/127:
//   qscale = (2/127)(w/127)/(3/127) = 2w / (3 * 127):
//   oc0 0.0052493 = 0.671916 * 2^-7 -> m = 1442928645, rshift 7
//   oc1 0.0026247 = 0.671916 * 2^-8 -> m = 1442928645, rshift 8
//   oc2 0.0039370 = 0.503937 * 2^-7 -> m = 1082196484, rshift 7
// CHECK: tpu.Deconv %[[X]], %{{.*}}, %{{.*}} {{.*}}multiplier = array<i64: 1442928645, 1442928645, 1082196484>{{.*}}rshift = array<i64: 7, 8, 7>{{.*}} -> tensor<1x3x8x8x!quant.uniform<i8:f32, 0.023622047244094488>> loc("deconv")

// A 1-D convolution is a 2-D one of height 1 between reshapes; the result
// keeps the op's name. Channel 2 has max|W| = 0.125: qscale = 0.0625/127 =
// 0.503937 * 2^-10 -> rshift 10.
// CHECK: tpu.Reshape %{{.*}} : (tensor<1x2x8x!quant.uniform<i8:f32, 0.015748031496062992>>) -> tensor<1x2x1x8x!quant.uniform<i8:f32, 0.015748031496062992>> loc("conv1d_to2d")
// CHECK: tpu.Conv2D {{.*}}kernel_shape = array<i64: 1, 3>, multiplier = array<i64: 1082196484, 1082196484, 1082196484>, pads = array<i64: 0, 1, 0, 1>{{.*}}rshift = array<i64: 8, 7, 10>{{.*}} -> tensor<1x3x1x8x!quant.uniform<i8:f32, 0.031496062992125984>> loc("conv1d_conv2d")
// CHECK: tpu.Reshape %{{.*}} -> tensor<1x3x8x!quant.uniform<i8:f32, 0.031496062992125984>> loc("conv1d")

// BatchNorm (mean [0.5, -1], var [4, 0.25], eps 0) is a depthwise 1x1
// convolution: scale 1/sqrt(var) = [0.5, 2], shift -mean * scale =
// [-0.25, 2]. With s_x = s_y = 2/127: qscale_c = scale_c / 127: 0.5/127 =
// 0.503937 * 2^-7 (rshift 7), 2/127 = 0.503937 * 2^-5 (rshift 5); filter
// codes 127 and 127; biases -0.25 / ((2/127)(0.5/127)) = -4032.25 -> -4032
// and 2 / ((2/127)(2/127)) = 8064.5 -> 8065.
// CHECK: top.Weight {value = dense<1.270000e+02> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xsi8> loc("bn_filter_i8")
// CHECK: top.Weight {value = dense<[-4032, 8065]> : tensor<2xi32>} : () -> tensor<2xsi32> loc("bn_bias_i32")
// CHECK: tpu.Conv2D {{.*}}group = 2 : i64{{.*}}multiplier = array<i64: 1082196484, 1082196484>{{.*}}rshift = array<i64: 7, 5>{{.*}} loc("bn")

// The fallback: bf16 operands (keeping their ranges) and a bf16 result.
// CHECK: tpu.Conv2D %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>>, tensor<2x2x1x1x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>>, none) -> tensor<1x2x4x4x!quant.calibrated<bf16<-3.000000e+00:3.000000e+00>>> loc("dyn")

// Outputs are cast back to f32.
// CHECK: tpu.Cast %{{.*}} -> tensor<1x2x4x4xf32> loc("conv_f32")
// CHECK: tpu.Cast %{{.*}} -> tensor<1x2x4x4xf32> loc("dyn_f32")

module @conv attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<1x2x4x4xf32>, %arg2: tensor<1x2x8xf32>, %arg3: tensor<2x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %big = top.Input %arg1 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("big")
    %x1d = top.Input %arg2 : (tensor<1x2x8xf32>) -> tensor<1x2x8xf32> loc("x1d")
    %fin = top.Input %arg3 : (tensor<2x2x1x1xf32>) -> tensor<2x2x1x1xf32> loc("f_in")
    %w = top.Weight {value = dense<[[[[0.5]], [[0.25]]], [[[-1.0]], [[0.125]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("w")
    %b = top.Weight {value = dense<[0.1, -0.2]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
    %0 = top.Conv %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv")
    %1 = top.Conv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, do_relu = true, relu_limit = 3.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv_relu")
    %wt = top.Weight {value = dense<1.0e-6> : tensor<1x2x1x1xf32>} : () -> tensor<1x2x1x1xf32> loc("w_tiny")
    %bb = top.Weight {value = dense<1.0> : tensor<1xf32>} : () -> tensor<1xf32> loc("b_big")
    %2 = top.Conv %x, %wt, %bb {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32> loc("conv_bigbias")
    %3 = top.Conv %big, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv_clamped")
    %dw = top.Weight {value = dense<[[[[1.0, -0.5], [0.25, 0.0]], [[0.5, 0.5], [0.5, 0.5]], [[-0.75, 0.0], [0.0, 0.0]]], [[[0.1, 0.2], [0.3, 0.4]], [[0.0, 0.0], [0.0, -0.2]], [[0.05, 0.0], [0.0, 0.0]]]]> : tensor<2x3x2x2xf32>} : () -> tensor<2x3x2x2xf32> loc("dw")
    %4 = top.Deconv %x, %dw, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x3x2x2xf32>, none) -> tensor<1x3x8x8xf32> loc("deconv")
    %w1 = top.Weight {value = dense<[[[0.5, -0.5, 0.25], [0.0, 0.0, 0.0]], [[1.0, 0.0, 0.0], [0.0, 0.5, 0.0]], [[0.0, 0.0, -0.125], [0.0, 0.0, 0.0]]]> : tensor<3x2x3xf32>} : () -> tensor<3x2x3xf32> loc("w1d")
    %5 = top.Conv %x1d, %w1, %none {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1>, group = 1 : i64} : (tensor<1x2x8xf32>, tensor<3x2x3xf32>, none) -> tensor<1x3x8xf32> loc("conv1d")
    %mean = top.Weight {value = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("bn_mean")
    %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("bn_var")
    %6 = top.BatchNorm %x, %mean, %var, %none, %none {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn")
    %7 = top.Conv %x, %fin, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("dyn")
    return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x8x8xf32>, tensor<1x3x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  }
}
