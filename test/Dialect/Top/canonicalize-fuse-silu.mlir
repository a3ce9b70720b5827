// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// CHECK-LABEL: func.func @mul_x_sigmoid
// CHECK: %[[S:.*]] = top.SiLU %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
// CHECK-NOT: top.Sigmoid
// CHECK-NOT: top.Mul
// CHECK: return %[[S]]
func.func @mul_x_sigmoid(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Sigmoid %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("sig1")
  %1 = top.Mul %arg0, %0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %1 : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func.func @mul_sigmoid_x
// CHECK: %[[S:.*]] = top.SiLU %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
// CHECK-NOT: top.Sigmoid
// CHECK-NOT: top.Mul
// CHECK: return %[[S]]
func.func @mul_sigmoid_x(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Sigmoid %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("sig1")
  %1 = top.Mul %0, %arg0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %1 : tensor<1x4xf32>
}

// -----

// The sigmoid has another user.
// CHECK-LABEL: func.func @sigmoid_two_uses
// CHECK: %[[G:.*]] = top.Sigmoid %arg0 {{.*}} loc("sig1")
// CHECK: top.Mul %arg0, %[[G]] {{.*}} loc("mul1")
// CHECK-NOT: top.SiLU
func.func @sigmoid_two_uses(%arg0: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %0 = top.Sigmoid %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("sig1")
  %1 = top.Mul %arg0, %0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %0, %1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// y * sigmoid(x) with y != x is a gate, not SiLU.
// CHECK-LABEL: func.func @sigmoid_of_other
// CHECK: top.Sigmoid %arg1
// CHECK: top.Mul
// CHECK-NOT: top.SiLU
func.func @sigmoid_of_other(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Sigmoid %arg1 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("sig1")
  %1 = top.Mul %arg0, %0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %1 : tensor<1x4xf32>
}
