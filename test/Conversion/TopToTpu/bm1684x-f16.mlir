// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F16" --convert-top-to-tpu 2>&1 | FileCheck %s --check-prefix=F16
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F32" --convert-top-to-tpu 2>&1 | FileCheck %s --check-prefix=F32

// Float modes on BM1684X, which has f16 and f32 units: F16 stays F16 (no
// warning, unlike CV18xx), weights are f16 except the f32 biases,
// functions are tpu.Active (no bf16 tables), and outputs are cast to f32.
// F32 needs no casts at all.

// F16-NOT: warning
// F16: top.chip = "bm1684x", top.mode = "F16"
// F16: %[[X:.*]] = tpu.Cast %{{.*}} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf16> loc("x_f16")
// 0.1 in f16 is 0.0999755859 (0x2E66).
// F16: top.Weight {value = dense<0.0999755859> : tensor<2x2x3x3xf32>} : () -> tensor<2x2x3x3xf16> loc("conv_filter_f16")
// F16: top.Weight {value = dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>} : () -> tensor<2xf32> loc("conv_bias_f32")
// F16: %[[C:.*]] = tpu.Conv2D %[[X]], {{.*}}do_relu = true{{.*}} : (tensor<1x2x4x4xf16>, tensor<2x2x3x3xf16>, tensor<2xf32>) -> tensor<1x2x4x4xf16> loc("conv")
// F16: %[[S:.*]] = tpu.Active %[[C]] {mode = "Sigmoid"} : (tensor<1x2x4x4xf16>) -> tensor<1x2x4x4xf16> loc("sig")
// F16: tpu.Pool2D %[[S]] {{.*}}pool_mode = "Avg"{{.*}} : (tensor<1x2x4x4xf16>) -> tensor<1x2x2x2xf16> loc("pool")
// F16: tpu.Reshape %{{.*}} : (tensor<1x2x2x2xf16>) -> tensor<1x8x1xf16> loc("reshape")
// F16: top.Weight {value = dense<2.500000e-01> : tensor<1x4xf32>} : () -> tensor<1x4xf16> loc("r_f16")
// F16: tpu.MatMul {{.*}} : (tensor<1x8x1xf16>, tensor<1x4xf16>, none) -> tensor<1x8x4xf16> loc("matmul")
// F16: tpu.Cast %[[C]] : (tensor<1x2x4x4xf16>) -> tensor<1x2x4x4xf32> loc("conv_f32")
// F16-NOT: bf16

// F32: top.chip = "bm1684x", top.mode = "F32"
// F32-NOT: tpu.Cast
// F32: tpu.Conv2D %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv")
// F32: tpu.Active %{{.*}} {mode = "Sigmoid"} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
// F32: tpu.MatMul {{.*}} -> tensor<1x8x4xf32> loc("matmul")
// F32-NOT: tpu.Cast

module @f16 attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x8x4xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %w = top.Weight {value = dense<0.1> : tensor<2x2x3x3xf32>} : () -> tensor<2x2x3x3xf32> loc("w")
    %b = top.Weight {value = dense<[0.1, 0.2]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
    %0 = top.Conv %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, do_relu = true} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv")
    %1 = top.Sigmoid %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
    %2 = top.AvgPool %1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> loc("pool")
    %3 = top.Reshape %2 {shape = array<i64: 1, 8, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x8x1xf32> loc("reshape")
    %r = top.Weight {value = dense<0.25> : tensor<1x4xf32>} : () -> tensor<1x4xf32> loc("r")
    %4 = top.MatMul %3, %r, %none : (tensor<1x8x1xf32>, tensor<1x4xf32>, none) -> tensor<1x8x4xf32> loc("matmul")
    return %0, %1, %2, %4 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x8x4xf32>
  }
}
