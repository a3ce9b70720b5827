// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// Per-channel [1, C, 1, 1] scale: filter [1, 2] * [0.5, 3] = [0.5, 6],
// bias [1, -1] * [0.5, 3] = [0.5, -3].
// CHECK-LABEL: func.func @conv_mul_channel
// CHECK-DAG: %[[W:.*]] = top.Weight {value = dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>} {{.*}} loc("conv1_mul_filter")
// CHECK-DAG: %[[B:.*]] = top.Weight {value = dense<[5.000000e-01, -3.000000e+00]> : tensor<2xf32>} {{.*}} loc("conv1_mul_bias")
// CHECK: %[[C:.*]] = top.Conv %arg0, %[[W]], %[[B]] {{.*}} loc("mul1")
// CHECK-NOT: top.Mul
// CHECK: return %[[C]]
func.func @conv_mul_channel(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %s = top.Weight {value = dense<[[[[0.5]], [[3.0]]]]> : tensor<1x2x1x1xf32>} : () -> tensor<1x2x1x1xf32> loc("s")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Mul %0, %s : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("mul1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// [C, 1, 1] scale as the left operand; without a bias none is created.
// CHECK-LABEL: func.func @mul_channel_conv_no_bias
// CHECK-DAG: %[[N:.*]] = top.None
// CHECK-DAG: %[[W:.*]] = top.Weight {value = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}-2.000000e+00]]]]> : tensor<2x1x1x1xf32>} {{.*}} loc("conv1_mul_filter")
// CHECK: %[[C:.*]] = top.Conv %arg0, %[[W]], %[[N]] {{.*}} loc("mul1")
// CHECK-NOT: top.Mul
// CHECK: return %[[C]]
func.func @mul_channel_conv_no_bias(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %s = top.Weight {value = dense<[[[2.0]], [[-1.0]]]> : tensor<2x1x1xf32>} : () -> tensor<2x1x1xf32> loc("s")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Mul %s, %0 : (tensor<2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("mul1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// A one-element weight scales every channel.
// CHECK-LABEL: func.func @conv_mul_scalar
// CHECK-DAG: top.Weight {value = dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}8.000000e+00]]]]> : tensor<2x1x1x1xf32>} {{.*}} loc("conv1_mul_filter")
// CHECK-DAG: top.Weight {value = dense<[4.000000e+00, -4.000000e+00]> : tensor<2xf32>} {{.*}} loc("conv1_mul_bias")
// CHECK: top.Conv {{.*}} loc("mul1")
// CHECK-NOT: top.Mul
func.func @conv_mul_scalar(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %s = top.Weight {value = dense<4.0> : tensor<1xf32>} : () -> tensor<1xf32> loc("s")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Mul %0, %s : (tensor<1x2x4x4xf32>, tensor<1xf32>) -> tensor<1x2x4x4xf32> loc("mul1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// An Add creates the missing bias, leaves the filter alone and hands its
// relu to the conv.
// CHECK-LABEL: func.func @conv_add_channel_relu
// CHECK-DAG: %[[W:.*]] = top.Weight {{.*}} loc("w")
// CHECK-DAG: %[[B:.*]] = top.Weight {value = dense<[2.500000e-01, 5.000000e-01]> : tensor<2xf32>} {{.*}} loc("conv1_add_bias")
// CHECK: %[[C:.*]] = top.Conv %arg0, %[[W]], %[[B]] {{.*}}do_relu = true{{.*}} loc("add1")
// CHECK-NOT: top.Add
// CHECK: return %[[C]]
func.func @conv_add_channel_relu(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %t = top.Weight {value = dense<[[[[0.25]], [[0.5]]]]> : tensor<1x2x1x1xf32>} : () -> tensor<1x2x1x1xf32> loc("t")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Add %0, %t {do_relu = true} : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("add1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_add_to_bias
// CHECK: top.Weight {value = dense<[1.250000e+00, -5.000000e-01]> : tensor<2xf32>} {{.*}} loc("conv1_add_bias")
// CHECK: top.Conv {{.*}} loc("add1")
// CHECK-NOT: top.Add
func.func @conv_add_to_bias(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %t = top.Weight {value = dense<[[[0.25]], [[0.5]]]> : tensor<2x1x1xf32>} : () -> tensor<2x1x1xf32> loc("t")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Add %t, %0 : (tensor<2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// 1-D conv: [C, 1] lines up with [C, L]. filter [1, 2] * [3, 0.5] = [3, 1],
// bias [1, -1] * [3, 0.5] = [3, -0.5].
// CHECK-LABEL: func.func @conv1d_mul_channel
// CHECK-DAG: top.Weight {value = dense<{{\[\[\[}}3.000000e+00]], {{\[\[}}1.000000e+00]]]> : tensor<2x1x1xf32>} {{.*}} loc("conv1_mul_filter")
// CHECK-DAG: top.Weight {value = dense<[3.000000e+00, -5.000000e-01]> : tensor<2xf32>} {{.*}} loc("conv1_mul_bias")
// CHECK: top.Conv {{.*}} loc("mul1")
// CHECK-NOT: top.Mul
func.func @conv1d_mul_channel(%arg0: tensor<1x1x4xf32>) -> tensor<1x2x4xf32> {
  %w = top.Weight {value = dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>} : () -> tensor<2x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %s = top.Weight {value = dense<[[3.0], [0.5]]> : tensor<2x1xf32>} : () -> tensor<2x1xf32> loc("s")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x1x4xf32>, tensor<2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4xf32> loc("conv1")
  %1 = top.Mul %0, %s : (tensor<1x2x4xf32>, tensor<2x1xf32>) -> tensor<1x2x4xf32> loc("mul1")
  return %1 : tensor<1x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_mul_const
// CHECK-DAG: top.Weight {value = dense<{{\[\[\[\[}}2.500000e+00]]], {{\[\[\[}}5.000000e+00]]]]> : tensor<2x1x1x1xf32>} {{.*}} loc("conv1_mul_filter")
// CHECK-DAG: top.Weight {value = dense<[2.500000e+00, -2.500000e+00]> : tensor<2xf32>} {{.*}} loc("conv1_mul_bias")
// CHECK: top.Conv {{.*}} loc("mul1")
// CHECK-NOT: top.MulConst
func.func @conv_mul_const(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.MulConst %0 {const_val = 2.5 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("mul1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// AddConst with a bounded relu: bias [1, -1] - 1.5 = [-0.5, -2.5].
// CHECK-LABEL: func.func @conv_add_const_relu6
// CHECK-DAG: %[[W:.*]] = top.Weight {{.*}} loc("w")
// CHECK-DAG: %[[B:.*]] = top.Weight {value = dense<[-5.000000e-01, -2.500000e+00]> : tensor<2xf32>} {{.*}} loc("conv1_add_bias")
// CHECK: top.Conv %arg0, %[[W]], %[[B]] {{.*}}do_relu = true{{.*}}relu_limit = 6.000000e+00{{.*}} loc("add1")
// CHECK-NOT: top.AddConst
func.func @conv_add_const_relu6(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.AddConst %0 {const_val = -1.5 : f64, do_relu = true, relu_limit = 6.0 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// [2, 1] against [1, 2, 2, 1] broadcasts over [H, W], not over channels.
// CHECK-LABEL: func.func @add_not_per_channel
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.Add {{.*}} loc("add1")
func.func @add_not_per_channel(%arg0: tensor<1x1x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %t = top.Weight {value = dense<[[0.25], [0.5]]> : tensor<2x1xf32>} : () -> tensor<2x1xf32> loc("t")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x1xf32> loc("conv1")
  %1 = top.Add %0, %t : (tensor<1x2x2x1xf32>, tensor<2x1xf32>) -> tensor<1x2x2x1xf32> loc("add1")
  return %1 : tensor<1x2x2x1xf32>
}

// -----

// A full-size operand is not a per-channel constant.
// CHECK-LABEL: func.func @mul_full_tensor
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.Mul {{.*}} loc("mul1")
func.func @mul_full_tensor(%arg0: tensor<1x1x1x2xf32>) -> tensor<1x2x1x2xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %s = top.Weight {value = dense<[[[[1.0, 2.0]], [[3.0, 4.0]]]]> : tensor<1x2x1x2xf32>} : () -> tensor<1x2x1x2xf32> loc("s")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x1x2xf32> loc("conv1")
  %1 = top.Mul %0, %s : (tensor<1x2x1x2xf32>, tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32> loc("mul1")
  return %1 : tensor<1x2x1x2xf32>
}

// -----

// The scale is a run-time value.
// CHECK-LABEL: func.func @mul_not_weight
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.Mul {{.*}} loc("mul1")
func.func @mul_not_weight(%arg0: tensor<1x1x4x4xf32>, %s: tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Mul %0, %s : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("mul1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The relu acts before the scale.
// CHECK-LABEL: func.func @conv_relu_mul_const
// CHECK: top.Conv {{.*}}do_relu = true{{.*}} loc("conv1")
// CHECK: top.MulConst {{.*}} loc("mul1")
func.func @conv_relu_mul_const(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, do_relu = true} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.MulConst %0 {const_val = -2.0 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("mul1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The conv result has another user.
// CHECK-LABEL: func.func @conv_two_uses
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.AddConst {{.*}} loc("add1")
func.func @conv_two_uses(%arg0: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.AddConst %0 {const_val = 1.0 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add1")
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
