// RUN: tpuc-opt %s --canonicalize -split-input-file -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s

// Paddle's spelling: x * relu6(x + 3) / 6, the division by a scalar weight.
// CHECK-LABEL: func.func @relu6_div
// CHECK: %[[H:.*]] = top.HardSwish %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("hswish")
// CHECK-NEXT: return %[[H]]
func.func @relu6_div(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 3.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add3")
  %1 = top.Clip %0 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu6")
  %2 = top.Mul %arg0, %1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul")
  %3 = top.Weight {value = dense<6.0> : tensor<f32>} : () -> tensor<f32> loc("six")
  %4 = top.Div %2, %3 : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32> loc("hswish")
  return %4 : tensor<1x4xf32>
}

// -----

// A following scale already merged into the 1/6 stays as a MulConst; the
// HardSwish takes the product's name. The gate operand may come first.
// CHECK-LABEL: func.func @relu6_scaled
// CHECK: %[[H:.*]] = top.HardSwish %arg0 {{.*}} loc("mul")
// CHECK-NEXT: %[[S:.*]] = top.MulConst %[[H]] {const_val = 3.000000e+00 : f64} {{.*}} loc("scaled")
// CHECK-NEXT: return %[[S]]
func.func @relu6_scaled(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.AddConst %arg0 {const_val = 3.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add3")
  %1 = top.Clip %0 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu6")
  %2 = top.Mul %1, %arg0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul")
  %3 = top.MulConst %2 {const_val = 0.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("scaled")
  return %3 : tensor<1x4xf32>
}

// -----

// PyTorch's spelling before opset 14.
// CHECK-LABEL: func.func @hard_sigmoid
// CHECK: %[[H:.*]] = top.HardSwish %arg0 {{.*}} loc("mul")
// CHECK-NOT: top.HardSigmoid
// CHECK: return %[[H]]
func.func @hard_sigmoid(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = top.HardSigmoid %arg0 {alpha = 0.16666667163372040 : f64, beta = 0.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("hsig")
  %1 = top.Mul %arg0, %0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul")
  return %1 : tensor<1x4xf32>
}

// -----

// Not hard-swish: ONNX's default HardSigmoid alpha (0.2); a clip to 5; the
// relu6 used elsewhere too.
// CHECK-LABEL: func.func @not_hardswish
// CHECK-NOT: top.HardSwish
// CHECK: top.HardSigmoid
// CHECK: top.Clip {{.*}}max = 5.0
// CHECK: top.Clip {{.*}}max = 6.0
// CHECK-NOT: top.HardSwish
func.func @not_hardswish(%arg0: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
  %0 = top.HardSigmoid %arg0 {alpha = 0.2 : f64, beta = 0.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("hsig")
  %1 = top.Mul %arg0, %0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul1")
  %2 = top.AddConst %arg0 {const_val = 3.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add3")
  %3 = top.Clip %2 {min = 0.0 : f64, max = 5.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("clip5")
  %4 = top.Mul %arg0, %3 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul2")
  %5 = top.MulConst %4 {const_val = 0.16666666666666666 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("div2")
  %6 = top.AddConst %arg0 {const_val = 3.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("add3b")
  %7 = top.Clip %6 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu6")
  %8 = top.Mul %arg0, %7 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul3")
  %9 = top.MulConst %8 {const_val = 0.16666666666666666 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("div3")
  return %1, %5, %9, %7 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
}
