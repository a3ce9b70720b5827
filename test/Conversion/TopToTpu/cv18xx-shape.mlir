// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/shape.cali" --convert-top-to-tpu 2>&1 | FileCheck %s

// Data movement on CV18xx keeps the input's int8 type whatever the table
// says about the result (the table gives th 9 to every moved tensor): no
// requantization. Concat and the integer reductions requantize; the other
// reductions fall back to BF16; Arg gives int32 indices.

// CHECK: remark: 1 ops are not INT8: Reduce x1 (BF16: no INT8 implementation; l2)
// CHECK-LABEL: func.func @main
// The indices are returned as si32, without a cast.
// CHECK-SAME: tensor<1x4x1x1xf32>, tensor<1x1x2x2xsi32>)
// CHECK: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("x_i8")
// CHECK: tpu.Reshape %[[X]] : (tensor<1x4x2x2x!quant.uniform<i8:f32, 0.015748031496062992>>) -> tensor<1x16x!quant.uniform<i8:f32, 0.015748031496062992>> loc("reshape")
// CHECK: %[[P:.*]] = tpu.Permute %[[X]] {order = array<i64: 0, 2, 3, 1>} : {{.*}} -> tensor<1x2x2x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("permute")
// CHECK: tpu.Slice %[[P]] {axes = array<i64: 3>, ends = array<i64: 4>, starts = array<i64: 1>, steps = array<i64: 3>} : {{.*}} -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.015748031496062992>> loc("slice")
// Split is one slice per result; its axis -3 is normalized to 1.
// CHECK: tpu.Slice %[[X]] {axes = array<i64: 1>, ends = array<i64: 1>, starts = array<i64: 0>, steps = array<i64: 1>} : {{.*}} -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("split_a")
// CHECK: tpu.Slice %[[X]] {axes = array<i64: 1>, ends = array<i64: 4>, starts = array<i64: 1>, steps = array<i64: 1>} : {{.*}} -> tensor<1x3x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("split_b")
// CHECK: tpu.Tile %[[X]] {repeats = array<i64: 1, 1, 2, 1>} {{.*}} loc("tile")
// Expand is a tile (no reshape: the rank does not grow).
// CHECK: tpu.Tile %[[X]] {repeats = array<i64: 2, 1, 1, 1>} : {{.*}} -> tensor<2x4x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("expand")
// The pad value is a stored code: 1.5 / (2/127) = 95.25 -> 95.
// CHECK: tpu.Pad %[[X]] {paddings = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, val = 9.500000e+01 : f64} {{.*}} loc("pad")
// CHECK: tpu.Upsample %[[X]] {scale_h = 2 : i64, scale_w = 2 : i64} {{.*}} loc("upsample")
// nearest_mode is kept (it decides which source row is read).
// CHECK: tpu.Interp %[[X]] {coord_mode = "half_pixel", mode = "nearest", nearest_mode = "floor", scale_h = 2.000000e+00 : f64, scale_w = 1.000000e+00 : f64} {{.*}} loc("interp")
// CHECK: tpu.Depth2Space %[[X]] {block_h = 2 : i64, block_w = 2 : i64} : {{.*}} -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("d2s")
// CHECK: tpu.Gather %[[X]], %{{.*}} {axis = 1 : i64} : {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("gather")

// Concat (th 3) of x (2/127) and y (1/127): x * 2/3 = 85 >> 7 (2/3 * 2^7 =
// 85.3), y * 1/3 = 85 >> 8 (1/3 * 2^8 = 85.3).
// CHECK: %[[Y:.*]] = tpu.Cast %{{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("y_i8")
// CHECK: tpu.Concat %[[X]], %[[Y]] {multipliers = array<i64: 85, 85>, rshifts = array<i64: 7, 8>} : {{.*}} -> tensor<1x6x2x2x!quant.uniform<i8:f32, 0.023622047244094488>> loc("concat")

// ReduceMean over 4 elements (th 0.5): qscale = s_x / (s_y * 4) =
// (2/127) / ((0.5/127) * 4) = 1 -> 64 >> 6.
// CHECK: tpu.Reduce %[[X]] {axes = array<i64: 2, 3>, mode = "ReduceMean", multiplier = array<i64: 64>, rshift = array<i64: 6>} : {{.*}} -> tensor<1x4x1x1x!quant.uniform<i8:f32, 0.003937007874015748>> loc("mean")
// ReduceMax moves a value: the input's type.
// CHECK: tpu.Reduce %[[X]] {axes = array<i64: 1>, mode = "ReduceMax"} : {{.*}} -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.015748031496062992>> loc("rmax")
// CHECK: tpu.Reduce %{{.*}} {axes = array<i64: 2, 3>, mode = "ReduceL2"} : (tensor<1x4x2x2x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>>) -> tensor<1x4x1x1x!quant.calibrated<bf16<-4.000000e+00:4.000000e+00>>> loc("l2")
// CHECK: %[[ARG:.*]] = tpu.Arg %[[X]] {axis = 1 : i64, mode = "ArgMax"} : {{.*}} -> tensor<1x1x2x2xsi32> loc("arg")
// CHECK: return {{.*}}, %[[ARG]] :

module @shape attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4x2x2xf32>, %arg1: tensor<1x2x2x2xf32>) -> (tensor<1x16xf32>, tensor<1x2x2x4xf32>, tensor<1x2x2x1xf32>, tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x4x4x2xf32>, tensor<2x4x2x2xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x2xf32>, tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x6x2x2xf32>, tensor<1x4x1x1xf32>, tensor<1x1x2x2xf32>, tensor<1x4x1x1xf32>, tensor<1x1x2x2xi64>) {
    %x = top.Input %arg0 : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> loc("x")
    %y = top.Input %arg1 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> loc("y")
    %0 = top.Reshape %x {shape = array<i64: 1, 16>} : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32> loc("reshape")
    %1 = top.Permute %x {order = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32> loc("permute")
    %2 = top.Slice %1 {starts = array<i64: 1>, ends = array<i64: 4>, steps = array<i64: 3>, axes = array<i64: 3>} : (tensor<1x2x2x4xf32>) -> tensor<1x2x2x1xf32> loc("slice")
    %3:2 = top.Split %x {axis = -3 : i64, split_size = array<i64: 1, 3>} : (tensor<1x4x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>) loc(fused["split_a", "split_b"])
    %4 = top.Tile %x {repeats = array<i64: 1, 1, 2, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x2xf32> loc("tile")
    %5 = top.Expand %x {shape = array<i64: 2, 4, 2, 2>} : (tensor<1x4x2x2xf32>) -> tensor<2x4x2x2xf32> loc("expand")
    %6 = top.Pad %x {paddings = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, val = 1.5 : f64} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x4xf32> loc("pad")
    %7 = top.Upsample %x {scale_h = 2 : i64, scale_w = 2 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x4xf32> loc("upsample")
    %8 = top.Interp %x {mode = "nearest", coord_mode = "half_pixel", scale_h = 2.0 : f64, scale_w = 1.0 : f64, nearest_mode = "floor"} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x2xf32> loc("interp")
    %9 = top.Depth2Space %x {block_h = 2 : i64, block_w = 2 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x1x4x4xf32> loc("d2s")
    %idx = top.Weight {value = dense<[3, 0]> : tensor<2xi64>} : () -> tensor<2xi64> loc("idx")
    %10 = top.Gather %x, %idx {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<2xi64>) -> tensor<1x2x2x2xf32> loc("gather")
    %11 = top.Concat %x, %y {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x6x2x2xf32> loc("concat")
    %12 = top.Reduce %x {axes = array<i64: 2, 3>, mode = "ReduceMean"} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32> loc("mean")
    %13 = top.Reduce %x {axes = array<i64: 1>, mode = "ReduceMax"} : (tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xf32> loc("rmax")
    %14 = top.Reduce %x {axes = array<i64: 2, 3>, mode = "ReduceL2"} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32> loc("l2")
    %15 = top.Arg %x {axis = 1 : i64, mode = "ArgMax"} : (tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xi64> loc("arg")
    return %0, %1, %2, %3#0, %3#1, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15 : tensor<1x16xf32>, tensor<1x2x2x4xf32>, tensor<1x2x2x1xf32>, tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x4x4x2xf32>, tensor<2x4x2x2xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x2xf32>, tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x6x2x2xf32>, tensor<1x4x1x1xf32>, tensor<1x1x2x2xf32>, tensor<1x4x1x1xf32>, tensor<1x1x2x2xi64>
  }
}
