// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/pool.cali" --convert-top-to-tpu 2>&1 | FileCheck %s

// Pooling on CV18xx. Max pooling moves codes (the input's type). INT8
// average pooling sums the window and multiplies by one int8 multiplier that
// folds the divisor kh * kw, so it needs every window to divide by kh * kw:
// no uncounted padding, no partial ceil-mode windows; other average pools
// fall back to BF16.

// CHECK: remark: 2 ops are not INT8: AvgPool x2 (BF16: no INT8 implementation; avgpool_pad, avgpool_ceil)
// CHECK: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("x_i8")
// CHECK: tpu.Pool2D %[[X]] {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Max", strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("maxpool")
// Dilations are kept (they decide which inputs a window reads).
// CHECK: tpu.Pool2D %[[X]] {dilations = array<i64: 2, 2>, kernel_shape = array<i64: 2, 2>, {{.*}}pool_mode = "Max"{{.*}} loc("maxpool_dilated")

// avgpool 2x2 from th 2 to th 1: qscale = s_x / (s_y * 4) =
// (2/127) / ((1/127) * 4) = 0.5 -> 64 >> 7.
// CHECK: tpu.Pool2D %[[X]] {kernel_shape = array<i64: 2, 2>, multiplier = array<i64: 64>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Avg", rshift = array<i64: 7>, strides = array<i64: 2, 2>} : {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("avgpool")
// Padding not counted in the divisor: corner windows divide by 1, others
// by 2 or 4 -> BF16.
// CHECK: tpu.Pool2D %{{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, pool_mode = "Avg", strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>>) -> tensor<1x2x3x3x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>> loc("avgpool_pad")
// Counted padding divides by 4 everywhere: INT8.
// CHECK: tpu.Pool2D %[[X]] {count_include_pad = true, kernel_shape = array<i64: 2, 2>, multiplier = array<i64: 64>, pads = array<i64: 1, 1, 1, 1>, pool_mode = "Avg", rshift = array<i64: 7>{{.*}} loc("avgpool_pad_counted")
// 3x3 windows at stride 2 over 4 rows: the ceil-mode last window is
// partial -> BF16.
// CHECK: tpu.Pool2D %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 3, 3>{{.*}}pool_mode = "Avg"{{.*}} -> tensor<1x2x2x2x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>> loc("avgpool_ceil")
// Global average pooling is a 4x4 window: qscale = (2/127) / ((0.5/127) *
// 16) = 0.25 -> 64 >> 8.
// CHECK: tpu.Pool2D %[[X]] {kernel_shape = array<i64: 4, 4>, multiplier = array<i64: 64>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Avg", rshift = array<i64: 8>, strides = array<i64: 1, 1>} : {{.*}} -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.003937007874015748>> loc("gap")
// Adaptive pooling 4 -> 2 is a 2x2 window at stride 2.
// CHECK: tpu.Pool2D %[[X]] {kernel_shape = array<i64: 2, 2>, multiplier = array<i64: 64>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Avg", rshift = array<i64: 7>, strides = array<i64: 2, 2>} {{.*}} loc("adaptive")
// A 1-D pool is a 2-D pool of height 1 between reshapes.
// CHECK: tpu.Reshape %{{.*}} -> tensor<1x2x1x6x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("maxpool1d_to2d")
// CHECK: tpu.Pool2D %{{.*}} {kernel_shape = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Max", strides = array<i64: 1, 2>} {{.*}} loc("maxpool1d_pool2d")
// CHECK: tpu.Reshape %{{.*}} -> tensor<1x2x3x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("maxpool1d")

module @pool attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<1x2x6xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>, tensor<1x2x3xf32>) {
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %x1d = top.Input %arg1 : (tensor<1x2x6xf32>) -> tensor<1x2x6xf32> loc("x1d")
    %0 = top.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("maxpool")
    %1 = top.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("maxpool_dilated")
    %2 = top.AvgPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("avgpool")
    %3 = top.AvgPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> loc("avgpool_pad")
    %4 = top.AvgPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> loc("avgpool_pad_counted")
    %5 = top.AvgPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("avgpool_ceil")
    %6 = top.GlobalAvgPool %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32> loc("gap")
    %7 = top.AdaptiveAvgPool %x {output_size = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("adaptive")
    %8 = top.MaxPool %x1d {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0>} : (tensor<1x2x6xf32>) -> tensor<1x2x3xf32> loc("maxpool1d")
    return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>, tensor<1x2x3xf32>
  }
}
