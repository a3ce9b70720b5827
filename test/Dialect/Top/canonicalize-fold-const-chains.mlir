// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// CHECK-LABEL: func.func @add_const_chain
// CHECK: %[[A:.*]] = top.AddConst %arg0 {const_val = 3.750000e+00 : f64} : {{.*}} loc("add2")
// CHECK-NOT: top.AddConst
// CHECK: return %[[A]]
func.func @add_const_chain(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 1.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.AddConst %0 {const_val = 2.25 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add2")
  return %1 : tensor<1x4xf32>
}

// -----

// Three in a row collapse into one; the outer relu stays.
// CHECK-LABEL: func.func @mul_const_chain
// CHECK: %[[M:.*]] = top.MulConst %arg0 {const_val = -1.500000e+00 : f64, do_relu = true} : {{.*}} loc("mul3")
// CHECK-NOT: top.MulConst
// CHECK: return %[[M]]
func.func @mul_const_chain(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.MulConst %arg0 {const_val = 0.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  %1 = top.MulConst %0 {const_val = -4.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul2")
  %2 = top.MulConst %1 {const_val = 0.75 : f64, do_relu = true} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul3")
  return %2 : tensor<1x4xf32>
}

// -----

// CHECK-LABEL: func.func @identity_consts
// CHECK-NOT: top.AddConst
// CHECK-NOT: top.MulConst
// CHECK: return %arg0
func.func @identity_consts(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 0.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.MulConst %0 {const_val = 1.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %1 : tensor<1x4xf32>
}

// -----

// Folding to an identity removes the whole chain: (x + 2) + -2 = x.
// CHECK-LABEL: func.func @chain_to_identity
// CHECK-NOT: top.AddConst
// CHECK: return %arg0
func.func @chain_to_identity(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.AddConst %0 {const_val = -2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add2")
  return %1 : tensor<1x4xf32>
}

// -----

// With a relu, adding 0 or multiplying by 1 still clamps.
// CHECK-LABEL: func.func @identity_with_relu
// CHECK: top.AddConst %arg0 {const_val = 0.000000e+00 : f64, do_relu = true}
// CHECK: top.MulConst {{.*}}const_val = 1.000000e+00 : f64, do_relu = true
func.func @identity_with_relu(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 0.0 : f64, do_relu = true} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.MulConst %0 {const_val = 1.0 : f64, do_relu = true} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %1 : tensor<1x4xf32>
}

// -----

// The inner relu acts between the constants: relu(x + 1) + 2 != relu?(x + 3).
// CHECK-LABEL: func.func @inner_relu
// CHECK: %[[A:.*]] = top.AddConst %arg0 {const_val = 1.000000e+00 : f64, do_relu = true} {{.*}} loc("add1")
// CHECK: top.AddConst %[[A]] {const_val = 2.000000e+00 : f64} {{.*}} loc("add2")
func.func @inner_relu(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 1.0 : f64, do_relu = true} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.AddConst %0 {const_val = 2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add2")
  return %1 : tensor<1x4xf32>
}

// -----

// The inner result has another user, so folding would not remove it.
// CHECK-LABEL: func.func @inner_two_uses
// CHECK: %[[M:.*]] = top.MulConst %arg0 {const_val = 2.000000e+00 : f64} {{.*}} loc("mul1")
// CHECK: top.MulConst %[[M]] {const_val = 3.000000e+00 : f64} {{.*}} loc("mul2")
func.func @inner_two_uses(%arg0: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %0 = top.MulConst %arg0 {const_val = 2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  %1 = top.MulConst %0 {const_val = 3.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul2")
  return %0, %1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// Different ops do not combine.
// CHECK-LABEL: func.func @add_then_mul
// CHECK: top.AddConst
// CHECK: top.MulConst
func.func @add_then_mul(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add1")
  %1 = top.MulConst %0 {const_val = 3.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  return %1 : tensor<1x4xf32>
}

// -----

// Division by a constant of one value becomes a multiplication by its
// reciprocal (and then chains with other constants).
// CHECK-LABEL: func.func @div_by_const
// CHECK: %[[M:.*]] = top.MulConst %arg0 {const_val = 2.500000e-01 : f64} {{.*}} loc("div")
// CHECK-NEXT: return %[[M]]
func.func @div_by_const(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.Weight {value = dense<4.0> : tensor<1x1xf32>} : () -> tensor<1x1xf32> loc("four")
  %1 = top.Div %arg0, %0 : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32> loc("div")
  return %1 : tensor<1x4xf32>
}

// -----

// Not folded: a divisor of several values, zero, an integer division, or a
// divisor that broadcasts the result.
// CHECK-LABEL: func.func @div_kept
// CHECK-COUNT-4: top.Div
// CHECK-NOT: top.MulConst
func.func @div_kept(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xi32>, %arg2: tensor<4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xi32>, tensor<2x4xf32>) {
  %0 = top.Weight {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32> loc("w")
  %1 = top.Div %arg0, %0 : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("d1")
  %2 = top.Weight {value = dense<0.0> : tensor<f32>} : () -> tensor<f32> loc("zero")
  %3 = top.Div %arg0, %2 : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32> loc("d2")
  %4 = top.Weight {value = dense<2> : tensor<i32>} : () -> tensor<i32> loc("two")
  %5 = top.Div %arg1, %4 : (tensor<1x4xi32>, tensor<i32>) -> tensor<1x4xi32> loc("d3")
  %6 = top.Weight {value = dense<2.0> : tensor<2x1xf32>} : () -> tensor<2x1xf32> loc("two2")
  %7 = top.Div %arg2, %6 : (tensor<4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32> loc("d4")
  return %1, %3, %5, %7 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xi32>, tensor<2x4xf32>
}
