// RUN: tpuc-opt %s --processor-assign="chip=bm1684x" --import-calibration-table="file=%S/Inputs/bm1684x.cali" --convert-top-to-tpu | FileCheck %s --check-prefix=SYM
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x asymmetric=true" --import-calibration-table="file=%S/Inputs/bm1684x.cali asymmetric=true" --convert-top-to-tpu | FileCheck %s --check-prefix=ASYM

// INT8 on BM1684X: tensors that cannot be negative use the whole u8 range
// (threshold / 255), QDM scales >= 1 use a left shift (negative rshift),
// and with asymmetric=true tensors get the table's [min, max] with a zero
// point.

// Symmetric. x: table [-1, 2], th 2 -> i8 2/127.
// SYM: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("x_i8")
// conv: table min 0.5 >= 0 -> u8 of 4/255. qscale_c = (2/127)(w_c/127)/(4/255):
//   w 0.5: 0.0039525 = 0.505929 * 2^-7 -> m = 1086457100, rshift 7
//   w 1.0: 0.0079050 = 0.505929 * 2^-6 -> rshift 6
// SYM: %[[CONV:.*]] = tpu.Conv2D %[[X]], {{.*}}multiplier = array<i64: 1086457100, 1086457100>{{.*}}rshift = array<i64: 7, 6>{{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.015686274509803921>> loc("conv")
// conv_big: th 0.01: qscale = (2/127)(0.5/127)/(0.01/127) = 0.7874 ->
// m = 0.7874 * 2^31 = 1690932006, rshift 0; channel 1 is 1.5748 = 0.7874 *
// 2^1 -> rshift -1, a left shift (CV18xx would clamp it below 1).
// SYM: tpu.Conv2D %[[X]], {{.*}}multiplier = array<i64: 1690932006, 1690932006>{{.*}}rshift = array<i64: 0, -1>{{.*}} loc("conv_big")
// Relu moves codes: the input's type.
// SYM: %[[RELU:.*]] = tpu.Relu %[[X]] : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("relu")
// Sigmoid is [0, 1]: a u8 table of scale 1/255.
// SYM: top.Weight {{.*}} : () -> tensor<256xui8> loc("sig_table")
// SYM: %[[SIG:.*]] = tpu.Lut %[[X]], %{{.*}} : {{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0039215686274509803>> loc("sig")
// add (table [-3, 5] -> i8 5/127) of u8 1/255 and the conv's u8 4/255 (an
// add of sig and x alone would be one table of x): one shift from the
// larger scale (4/255)/(5/127) = 0.398 (* 2^8 = 101.99 -> 102);
// (1/255)/(5/127) * 2^8 = 25.4996 -> 25.
// SYM: tpu.Add %[[SIG]], %[[CONV]] {multipliers = array<i64: 25, 102>, rshift = 8 : i64} : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.03937007874015748>> loc("add")
// avgpool to u8 3/255: (2/127) / ((3/255) * 4) * 2^8 = 85.67 -> 86.
// SYM: tpu.Pool2D %[[RELU]] {kernel_shape = array<i64: 2, 2>, multiplier = array<i64: 86>, {{.*}}rshift = array<i64: 8>{{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.011764705882352941>> loc("pool")
// concat to i8 4/127: u8 (1/255)/(4/127) * 2^10 = 127.498 -> 127;
// (2/127)/(4/127) = 0.5 -> 64 >> 7.
// SYM: tpu.Concat %[[SIG]], %[[X]] {multipliers = array<i64: 127, 64>, rshifts = array<i64: 10, 7>} {{.*}} loc("concat")

// Asymmetric. x: [-1, 2] -> scale 3/255 = 0.0117647, zero point
// round(-128 - (-1)/(3/255)) = -128 + 85 = -43.
// ASYM: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.011764705882352941:-43>> loc("x_i8")
// conv: [0.5, 4] must contain 0 -> [0, 4], u8 with zero point 0.
// qscale = (3/255)(0.5/127)/(4/255) = 0.0029528 = 0.755906 * 2^-8 ->
// m = 1623294726, rshift 8 (and 7 for w = 1).
// ASYM: tpu.Conv2D %[[X]], {{.*}}multiplier = array<i64: 1623294726, 1623294726>{{.*}}rshift = array<i64: 8, 7>{{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.015686274509803921>> loc("conv")
// conv_big: [-0.01, 0.01] -> scale 0.02/255, zero point round(-128 + 127.5)
// = round(-0.5) = -1 (half away from zero).
// ASYM: tpu.Conv2D {{.*}}rshift = array<i64: 0, -1>{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 7.843137254901961E-5:-1>> loc("conv_big")
// ASYM: tpu.Relu %[[X]] : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.011764705882352941:-43>> loc("relu")
// Sigmoid keeps the table's [0.1, 0.9] widened to contain 0: u8 0.9/255.
// ASYM: tpu.Lut %[[X]], %{{.*}} : {{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0035294117647058825>> loc("sig")
// add: [-3, 5] -> 8/255, zero point round(-128 + 3/(8/255)) = round(-32.4)
// = -32.
// ASYM: tpu.Add {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843:-32>> loc("add")

module @bm attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x4x4x4xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %w = top.Weight {value = dense<[[[[0.5]], [[0.25]]], [[[-1.0]], [[0.125]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("w")
    %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv")
    %1 = top.Conv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv_big")
    %2 = top.Relu %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("relu")
    %3 = top.Sigmoid %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
    %4 = top.Add %3, %0 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
    %5 = top.AvgPool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("pool")
    %6 = top.Concat %3, %x {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> loc("concat")
    return %0, %1, %2, %4, %5, %6 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x4x4x4xf32>
  }
}
