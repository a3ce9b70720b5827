// RUN: tpuc-opt %s --canonicalize -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// Top ops are Pure, so results nobody reads are removed together with the
// weights only they used.
// CHECK-LABEL: func.func @dead_ops
// CHECK-NOT: loc("dead_w")
// CHECK-NOT: loc("dead_conv")
// CHECK-NOT: loc("dead_sigmoid")
// CHECK: %[[S:.*]] = top.Softmax %arg0 {{.*}} loc("live")
// CHECK-NOT: loc("dead_tanh")
// CHECK: return %[[S]]
func.func @dead_ops(%arg0: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %none = top.None loc("none")
  %w = top.Weight {value = dense<1.0> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("dead_w")
  %0 = top.Conv %arg0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("dead_conv")
  %1 = top.Sigmoid %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("dead_sigmoid")
  %2 = top.Softmax %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("live")
  %3 = top.Tanh %2 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("dead_tanh")
  return %2 : tensor<1x2x4x4xf32>
}

// A network input nobody reads is still part of the model's interface.
// CHECK-LABEL: func.func @unused_input
// CHECK: top.Input {{.*}}loc("b")
func.func @unused_input(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %0 = top.Input %a : (tensor<2xf32>) -> tensor<2xf32> loc("a")
  %1 = top.Input %b : (tensor<2xf32>) -> tensor<2xf32> loc("b")
  return %0 : tensor<2xf32>
}
