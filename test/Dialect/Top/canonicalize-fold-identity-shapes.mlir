// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// CHECK-LABEL: func.func @identity_reshape
// CHECK-NOT: top.Reshape
// CHECK: return %arg0
func.func @identity_reshape(%arg0: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = top.Reshape %arg0 {shape = array<i64: 2, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("r1")
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
// CHECK: %[[R:.*]] = top.Reshape %arg0 {shape = array<i64: 3, -1>} : (tensor<2x3x4xf32>) -> tensor<3x8xf32> loc("r2")
// CHECK-NOT: top.Reshape
// CHECK: return %[[R]]
func.func @reshape_chain(%arg0: tensor<2x3x4xf32>) -> tensor<3x8xf32> {
  %0 = top.Reshape %arg0 {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32> loc("r1")
  %1 = top.Reshape %0 {shape = array<i64: 3, -1>} : (tensor<6x4xf32>) -> tensor<3x8xf32> loc("r2")
  return %1 : tensor<3x8xf32>
}

// -----

// A 0 in shape copies the input dim (here 6), which differs on the new
// input, so the shape is spelled out.
// CHECK-LABEL: func.func @reshape_chain_copied_dim
// CHECK: top.Reshape %arg0 {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32> loc("r2")
// CHECK-NOT: top.Reshape
func.func @reshape_chain_copied_dim(%arg0: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = top.Reshape %arg0 {shape = array<i64: 6, 2, 2>} : (tensor<2x3x4xf32>) -> tensor<6x2x2xf32> loc("r1")
  %1 = top.Reshape %0 {shape = array<i64: 0, 4>} : (tensor<6x2x2xf32>) -> tensor<6x4xf32> loc("r2")
  return %1 : tensor<6x4xf32>
}

// -----

// A chain back to the input shape disappears; the inner reshape's other
// user keeps it alive.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK: %[[R:.*]] = top.Reshape %arg0 {{.*}} loc("r1")
// CHECK-NOT: top.Reshape
// CHECK: return %arg0, %[[R]]
func.func @reshape_round_trip(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<6xf32>) {
  %0 = top.Reshape %arg0 : (tensor<2x3xf32>) -> tensor<6xf32> loc("r1")
  %1 = top.Reshape %0 : (tensor<6xf32>) -> tensor<2x3xf32> loc("r2")
  return %1, %0 : tensor<2x3xf32>, tensor<6xf32>
}

// -----

// A dynamic dim may not be what it seems before shape inference.
// CHECK-LABEL: func.func @dynamic_reshape
// CHECK: top.Reshape
func.func @dynamic_reshape(%arg0: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = top.Reshape %arg0 {shape = array<i64: -1, 3>} : (tensor<?x3xf32>) -> tensor<?x3xf32> loc("r1")
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @identity_permute
// CHECK-NOT: top.Permute
// CHECK: return %arg0
func.func @identity_permute(%arg0: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = top.Permute %arg0 {order = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32> loc("p1")
  return %0 : tensor<2x3x4xf32>
}

// -----

// [0, 2, 3, 1] then [0, 2, 3, 1]: output dim i is input dim
// inner[outer[i]] = [0, 3, 1, 2].
// CHECK-LABEL: func.func @permute_chain
// CHECK: %[[P:.*]] = top.Permute %arg0 {order = array<i64: 0, 3, 1, 2>} : (tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32> loc("p2")
// CHECK-NOT: top.Permute
// CHECK: return %[[P]]
func.func @permute_chain(%arg0: tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32> {
  %0 = top.Permute %arg0 {order = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32> loc("p1")
  %1 = top.Permute %0 {order = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x2xf32>) -> tensor<1x4x2x3xf32> loc("p2")
  return %1 : tensor<1x4x2x3xf32>
}

// -----

// NCHW -> NHWC -> NCHW is the identity.
// CHECK-LABEL: func.func @permute_inverse
// CHECK-NOT: top.Permute
// CHECK: return %arg0
func.func @permute_inverse(%arg0: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %0 = top.Permute %arg0 {order = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32> loc("p1")
  %1 = top.Permute %0 {order = array<i64: 0, 3, 1, 2>} : (tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32> loc("p2")
  return %1 : tensor<1x2x3x4xf32>
}

// -----

// A transposing Permute stays.
// CHECK-LABEL: func.func @real_permute
// CHECK: top.Permute %arg0 {order = array<i64: 1, 0>}
func.func @real_permute(%arg0: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = top.Permute %arg0 {order = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32> loc("p1")
  return %0 : tensor<3x2xf32>
}
