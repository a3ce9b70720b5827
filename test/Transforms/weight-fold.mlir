// RUN: tpuc-opt %s --weight-fold | FileCheck %s

// A reshape and a cast of weights become weights with the computed values,
// in the results' storage types.
module attributes {top.chip = "bm1684x", top.mode = "INT8", top.state = "TPU_LOWERED"} {
// CHECK-LABEL: func.func @main
func.func @main(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %in = top.Input %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("in")
  %w = top.Weight {value = dense<[[1.0, -2.0], [3.5, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32> loc("w")
  // CHECK-NOT: tpu.Reshape
  // CHECK: top.Weight {{ *}}{value = dense<[{{\[}}1.000000e+00, -2.000000e+00, 3.500000e+00, 4.000000e+00]]> : tensor<1x4xf32>} : () -> tensor<1x4xf32> loc("r_folded")
  %r = tpu.Reshape %w : (tensor<2x2xf32>) -> tensor<1x4xf32> loc("r")
  // 3.5 / 0.5 = 7 and 4 / 0.5 = 8 as int8 codes.
  // CHECK-NOT: tpu.Cast
  // CHECK: top.Weight {{ *}}{value = dense<[{{\[}}2.000000e+00, -4.000000e+00, 7.000000e+00, 8.000000e+00]]> : tensor<1x4xf32>} : () -> tensor<1x4x!quant.uniform<i8:f32, 5.000000e-01>> loc("q_folded")
  %q = tpu.Cast %r : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>> loc("q")
  %back = tpu.Cast %q : (tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4xf32> loc("back")
  // An op reading an activation stays.
  // CHECK: tpu.Add {{.*}}loc("sum")
  %sum = tpu.Add %in, %back : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("sum")
  return %sum : tensor<1x4xf32>
}
}
