// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s
// RUN: tpuc-opt %s --canonicalize -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=DIAG --allow-empty

// No case reports an error, not even the one without weight data.
// DIAG-NOT: error

// scale = gamma / sqrt(var + eps) = [1.5, 2], shift = beta - mean * scale =
// [-0.5, 0]: filter [1, 2] -> [1.5, 4], bias [1, -1] -> [1, -2].
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.*]] = top.Weight {value = dense<{{\[\[\[\[}}1.500000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("conv1_bn_filter")
// CHECK-DAG: %[[B:.*]] = top.Weight {value = dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>} : () -> tensor<2xf32> loc("conv1_bn_bias")
// CHECK: %[[C:.*]] = top.Conv %arg0, %[[W]], %[[B]] {{.*}} -> tensor<1x2x4x4xf32> loc("bn1")
// CHECK-NOT: top.BatchNorm
// CHECK: return %[[C]]
func.func @conv_bn(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %b = top.Weight {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
  %mean = top.Weight {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %gamma = top.Weight {value = dense<[3.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("gamma")
  %beta = top.Weight {value = dense<[0.25, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("beta")
  %0 = top.Conv %arg0, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.BatchNorm %0, %mean, %var, %gamma, %beta {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("bn1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Without conv bias, gamma and beta: scale = 1 / sqrt(var + eps) = [0.5, 1],
// bias = -mean * scale = [-1, 1.5].
// CHECK-LABEL: func.func @conv_bn_no_bias_gamma_beta
// CHECK-DAG: %[[W:.*]] = top.Weight {value = dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}-2.000000e+00]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("conv1_bn_filter")
// CHECK-DAG: %[[B:.*]] = top.Weight {value = dense<[-1.000000e+00, 1.500000e+00]> : tensor<2xf32>} : () -> tensor<2xf32> loc("conv1_bn_bias")
// CHECK: %[[C:.*]] = top.Conv %arg0, %[[W]], %[[B]] {{.*}} loc("bn1")
// CHECK: return %[[C]]
func.func @conv_bn_no_bias_gamma_beta(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %mean = top.Weight {value = dense<[2.0, -1.5]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[3.25, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.BatchNorm %0, %mean, %var, %none, %none {epsilon = 0.75 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Deconv filters are [ic, oc/group, k...]: the scale follows dim 1.
// scale = [1.5, 2], shift = [-0.5, 0]; no deconv bias.
// CHECK-LABEL: func.func @deconv_bn
// CHECK-DAG: %[[W:.*]] = top.Weight {value = dense<{{\[\[\[\[}}1.500000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}4.500000e+00]], {{\[\[}}8.000000e+00]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("deconv1_bn_filter")
// CHECK-DAG: %[[B:.*]] = top.Weight {value = dense<[-5.000000e-01, 0.000000e+00]> : tensor<2xf32>} : () -> tensor<2xf32> loc("deconv1_bn_bias")
// CHECK: %[[D:.*]] = top.Deconv %arg0, %[[W]], %[[B]] {{.*}} loc("bn1")
// CHECK: return %[[D]]
func.func @deconv_bn(%arg0: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("w")
  %mean = top.Weight {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %gamma = top.Weight {value = dense<[3.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("gamma")
  %beta = top.Weight {value = dense<[0.25, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("beta")
  %0 = top.Deconv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x2x2xf32> loc("deconv1")
  %1 = top.BatchNorm %0, %mean, %var, %gamma, %beta {epsilon = 0.0 : f64} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("bn1")
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Grouped deconv: ic = 4, group = 2, oc/group = 1, so input channels 0-1
// feed output channel 0 and 2-3 output channel 1.
// CHECK-LABEL: func.func @grouped_deconv_bn
// CHECK: top.Weight {value = dense<{{\[\[\[\[}}1.500000e+00]]], {{\[\[\[}}3.000000e+00]]], {{\[\[\[}}6.000000e+00]]], {{\[\[\[}}8.000000e+00]]]]> : tensor<4x1x1x1xf32>} : () -> tensor<4x1x1x1xf32> loc("deconv1_bn_filter")
// CHECK: top.Deconv {{.*}} loc("bn1")
func.func @grouped_deconv_bn(%arg0: tensor<1x4x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32>} : () -> tensor<4x1x1x1xf32> loc("w")
  %mean = top.Weight {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %gamma = top.Weight {value = dense<[3.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("gamma")
  %beta = top.Weight {value = dense<[0.25, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("beta")
  %0 = top.Deconv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x2x2xf32>, tensor<4x1x1x1xf32>, none) -> tensor<1x2x2x2xf32> loc("deconv1")
  %1 = top.BatchNorm %0, %mean, %var, %gamma, %beta {epsilon = 0.0 : f64} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("bn1")
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// The conv result has a second user, which needs the unnormalized value.
// CHECK-LABEL: func.func @conv_two_uses
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.BatchNorm {{.*}} loc("bn1")
func.func @conv_two_uses(%arg0: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %mean = top.Weight {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.BatchNorm %0, %mean, %var, %none, %none : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn1")
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// The relu acts before the BatchNorm, so the BatchNorm cannot move into the
// conv weights.
// CHECK-LABEL: func.func @conv_relu_bn
// CHECK: top.Conv {{.*}}do_relu = true{{.*}} loc("conv1")
// CHECK: top.BatchNorm {{.*}} loc("bn1")
func.func @conv_relu_bn(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %mean = top.Weight {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, do_relu = true} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.BatchNorm %0, %mean, %var, %none, %none : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Statistics that are not weights are unknown at compile time.
// CHECK-LABEL: func.func @bn_mean_not_weight
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.BatchNorm {{.*}} loc("bn1")
func.func @bn_mean_not_weight(%arg0: tensor<1x1x4x4xf32>, %mean: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32> loc("w")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.BatchNorm %0, %mean, %var, %none, %none : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// A filter computed at run time cannot be rescaled.
// CHECK-LABEL: func.func @conv_filter_not_weight
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.BatchNorm {{.*}} loc("bn1")
func.func @conv_filter_not_weight(%arg0: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %mean = top.Weight {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32> loc("mean")
  %var = top.Weight {value = dense<[4.0, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32> loc("var")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.BatchNorm %0, %mean, %var, %none, %none : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Weight data that cannot be read leaves the graph alone, without errors
// (reading it is the interpreter's or --save-weights' job to report).
// CHECK-LABEL: func.func @weight_file_missing
// CHECK: top.Conv {{.*}} loc("conv1")
// CHECK: top.BatchNorm {{.*}} loc("bn1")
module attributes {top.weight_file = "no_such_file.npz"} {
  func.func @weight_file_missing(%arg0: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
    %none = top.None loc("none")
    %w = top.Weight : () -> tensor<2x1x1x1xf32> loc("w")
    %mean = top.Weight : () -> tensor<2xf32> loc("mean")
    %var = top.Weight : () -> tensor<2xf32> loc("var")
    %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
    %1 = top.BatchNorm %0, %mean, %var, %none, %none : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, none, none) -> tensor<1x2x4x4xf32> loc("bn1")
    return %1 : tensor<1x2x4x4xf32>
  }
}
