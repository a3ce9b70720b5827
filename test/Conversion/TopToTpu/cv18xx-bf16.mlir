// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=F16" --convert-top-to-tpu 2>&1 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu 2>&1 | FileCheck %s --check-prefix=NOWARN

// BF16 on CV18xx (F16 is asked for and compiled as BF16, with a warning):
// no calibration needed, every op in bf16, f32 only at the boundary casts,
// weights rounded to bf16 except conv/matmul biases, which the f32
// accumulator adds (f32 weights, not computed tensors).

// CHECK: warning: cv181x has no F16 unit; compiling as BF16
// NOWARN-NOT: warning
// CHECK: top.mode = "BF16"
// CHECK: %[[X:.*]] = tpu.Cast %{{.*}} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xbf16> loc("x_bf16")
// 0.1 in bf16 is 0.100097656 (0x3DCD); the bias stays f32.
// CHECK: %[[W:.*]] = top.Weight {value = dense<0.100097656> : tensor<3x2x1x1xf32>} : () -> tensor<3x2x1x1xbf16> loc("conv_filter_bf16")
// CHECK: %[[B:.*]] = top.Weight {value = dense<[1.000000e-01, 2.000000e-01, 3.000000e-01]> : tensor<3xf32>} : () -> tensor<3xf32> loc("conv_bias_f32")
// CHECK: tpu.Conv2D %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xbf16>, tensor<3xf32>) -> tensor<1x3x4x4xbf16> loc("conv")
// 0.3 in bf16 is 0.30078125.
// CHECK: %[[R:.*]] = top.Weight {value = dense<0.30078125> : tensor<4x3xf32>} : () -> tensor<4x3xbf16> loc("r_bf16")
// CHECK: tpu.MatMul %[[X]], %[[R]], %{{.*}} : (tensor<1x2x4x4xbf16>, tensor<4x3xbf16>, tensor<3xf32>) -> tensor<1x2x4x3xbf16> loc("matmul")
// CHECK: %[[Y:.*]] = tpu.Cast %{{.*}} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xbf16> loc("y_bf16")
// CHECK: %[[ADD:.*]] = tpu.Add %[[X]], %[[Y]] : (tensor<1x2x4x4xbf16>, tensor<1x2x4x4xbf16>) -> tensor<1x2x4x4xbf16> loc("add")
// CHECK: %[[SM:.*]] = tpu.Softmax %[[ADD]] : (tensor<1x2x4x4xbf16>) -> tensor<1x2x4x4xbf16> loc("softmax")
// Norm weights are bf16.
// CHECK: top.Weight {value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>} : () -> tensor<4xbf16> loc("gamma_bf16")
// CHECK: tpu.LayerNorm %[[X]], %{{.*}}, %{{.*}} : (tensor<1x2x4x4xbf16>, tensor<4xbf16>, none) -> tensor<1x2x4x4xbf16> loc("ln")
// Average pooling in BF16 takes no multiplier.
// CHECK: tpu.Pool2D %[[X]] {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Avg", strides = array<i64: 2, 2>} : (tensor<1x2x4x4xbf16>) -> tensor<1x2x2x2xbf16> loc("avgpool")
// CHECK: tpu.Concat %[[X]], %[[SM]] : (tensor<1x2x4x4xbf16>, tensor<1x2x4x4xbf16>) -> tensor<1x4x4x4xbf16> loc("concat")
// Division by a tensor runs on the bf16 unit.
// CHECK: tpu.Div %[[X]], %[[Y]] : (tensor<1x2x4x4xbf16>, tensor<1x2x4x4xbf16>) -> tensor<1x2x4x4xbf16> loc("div")
// Every output is cast back to f32, named after it.
// CHECK: tpu.Cast %{{.*}} : (tensor<1x3x4x4xbf16>) -> tensor<1x3x4x4xf32> loc("conv_f32")
// CHECK: tpu.Cast %{{.*}} : (tensor<1x2x4x4xbf16>) -> tensor<1x2x4x4xf32> loc("div_f32")
// CHECK-NOT: xf16>

module @bf16 attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<1x2x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x4x4x4xf32>, tensor<1x2x4x4xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %y = top.Input %arg1 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("y")
    %w = top.Weight {value = dense<0.1> : tensor<3x2x1x1xf32>} : () -> tensor<3x2x1x1xf32> loc("w")
    %b = top.Weight {value = dense<[0.1, 0.2, 0.3]> : tensor<3xf32>} : () -> tensor<3xf32> loc("b")
    %0 = top.Conv %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32> loc("conv")
    %r = top.Weight {value = dense<0.3> : tensor<4x3xf32>} : () -> tensor<4x3xf32> loc("r")
    %mb = top.Weight {value = dense<0.5> : tensor<3xf32>} : () -> tensor<3xf32> loc("mb")
    %1 = top.MatMul %x, %r, %mb : (tensor<1x2x4x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<1x2x4x3xf32> loc("matmul")
    %2 = top.Add %x, %y : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
    %3 = top.Softmax %2 {axis = 1 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("softmax")
    %g = top.Weight {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32> loc("gamma")
    %4 = top.LayerNorm %x, %g, %none {axis = -1 : i64} : (tensor<1x2x4x4xf32>, tensor<4xf32>, none) -> tensor<1x2x4x4xf32> loc("ln")
    %5 = top.AvgPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("avgpool")
    %6 = top.Concat %x, %3 {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> loc("concat")
    %7 = top.Div %x, %y : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("div")
    return %0, %1, %4, %3, %2, %5, %6, %7 : tensor<1x3x4x4xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x4x4x4xf32>, tensor<1x2x4x4xf32>
  }
}
