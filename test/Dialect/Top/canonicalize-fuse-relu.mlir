// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// CHECK-LABEL: func.func @conv_relu
// The default relu_limit (-1: unbounded) is not printed.
// CHECK: %[[C:.*]] = top.Conv {{.*}}do_relu = true, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = {{.*}} loc("relu1")
// CHECK-NOT: top.Relu
// CHECK: return %[[C]]
func.func @conv_relu(%arg0: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = top.Relu %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("relu1")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Relu6 written as a bounded Relu.
// CHECK-LABEL: func.func @deconv_relu6
// CHECK: %[[D:.*]] = top.Deconv {{.*}}do_relu = true{{.*}}relu_limit = 6.000000e+00{{.*}} loc("relu1")
// CHECK-NOT: top.Relu
// CHECK: return %[[D]]
func.func @deconv_relu6(%arg0: tensor<1x2x2x2xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %none = top.None loc("none")
  %0 = top.Deconv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x2x2xf32> loc("deconv1")
  %1 = top.Relu %0 {relu_limit = 6.0 : f64} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> loc("relu1")
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Relu6 written as Clip(0, 6).
// CHECK-LABEL: func.func @matmul_clip
// CHECK: %[[M:.*]] = top.MatMul {{.*}}do_relu = true{{.*}}relu_limit = 6.000000e+00{{.*}} loc("clip1")
// CHECK-NOT: top.Clip
// CHECK: return %[[M]]
func.func @matmul_clip(%arg0: tensor<2x3xf32>, %arg1: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %none = top.None loc("none")
  %0 = top.MatMul %arg0, %arg1, %none : (tensor<2x3xf32>, tensor<3x4xf32>, none) -> tensor<2x4xf32> loc("mm1")
  %1 = top.Clip %0 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("clip1")
  return %1 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @add_relu
// CHECK: %[[A:.*]] = top.Add %arg0, %arg1 {{.*}}do_relu = true{{.*}} loc("relu1")
// CHECK-NOT: top.Relu
// CHECK: return %[[A]]
func.func @add_relu(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Add %arg0, %arg1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.Relu %0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu1")
  return %1 : tensor<1x4xf32>
}

// -----

// A Clip with a non-zero lower bound is not a relu.
// CHECK-LABEL: func.func @clip_min_not_zero
// CHECK: top.Add {{.*}} loc("add1")
// CHECK-NOT: do_relu
// CHECK: top.Clip {{.*}} loc("clip1")
func.func @clip_min_not_zero(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Add %arg0, %arg1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.Clip %0 {min = -1.0 : f64, max = 6.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("clip1")
  return %1 : tensor<1x4xf32>
}

// -----

// The other user needs the value before the relu.
// CHECK-LABEL: func.func @add_two_uses
// CHECK: top.Add {{.*}} loc("add1")
// CHECK-NOT: do_relu
// CHECK: top.Relu {{.*}} loc("relu1")
func.func @add_two_uses(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %0 = top.Add %arg0, %arg1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.Relu %0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu1")
  return %0, %1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// A relu limit is already set: a second Relu6 after a Relu3 must stay
// (merging would need the smaller limit, not either one).
// CHECK-LABEL: func.func @relu_already_fused
// CHECK: top.Add {{.*}}do_relu = true{{.*}}relu_limit = 3.000000e+00{{.*}} loc("add1")
// CHECK: top.Relu {{.*}} loc("relu1")
func.func @relu_already_fused(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Add %arg0, %arg1 {do_relu = true, relu_limit = 3.0 : f64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.Relu %0 {relu_limit = 6.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu1")
  return %1 : tensor<1x4xf32>
}

// -----

// Sub has no fused relu.
// CHECK-LABEL: func.func @sub_relu
// CHECK: top.Sub {{.*}} loc("sub1")
// CHECK: top.Relu {{.*}} loc("relu1")
func.func @sub_relu(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Sub %arg0, %arg1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("sub1")
  %1 = top.Relu %0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu1")
  return %1 : tensor<1x4xf32>
}
