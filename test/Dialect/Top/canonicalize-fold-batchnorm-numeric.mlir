// BatchNorm folding (and the Relu fusion it enables) must not change what
// the model computes: run it before and after canonicalization, with random
// weights from the module's weight file, and compare the outputs.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; r = np.random.default_rng(7); f = lambda *s: r.standard_normal(s).astype(np.float32); pos = lambda n: r.uniform(0.5, 2.0, n).astype(np.float32); np.savez('%t/bn_weight.npz', conv1_w=f(4, 3, 3, 3), conv1_b=f(4), bn1_mean=f(4), bn1_var=pos(4), bn1_gamma=f(4), bn1_beta=f(4), deconv1_w=f(4, 2, 2, 2), bn2_mean=f(4), bn2_var=pos(4), bn2_gamma=f(4)); np.savez('%t/in.npz', input=f(1, 3, 6, 6))"
// RUN: cd %t && model_runner --model %s --input %t/in.npz --output %t/ref.npz
// The new weights exist only in memory until --save-weights writes them.
// RUN: cd %t && tpuc-opt %s --canonicalize --save-weights="file=%t/folded_weight.npz" -mlir-print-debuginfo -o %t/folded.mlir
// RUN: FileCheck %s < %t/folded.mlir
// RUN: cd %t && model_runner --model %t/folded.mlir --input %t/in.npz --output %t/folded.npz
// RUN: npz_tool compare %t/ref.npz %t/folded.npz --tolerance 0.99999,0.9999 | FileCheck %s --check-prefix=CMP

// CHECK-NOT: top.BatchNorm
// CHECK-NOT: top.Relu
// CHECK: top.Conv {{.*}}do_relu = true
// CHECK: top.Deconv
// CHECK-NOT: top.BatchNorm
// CMP: 1 compared, 1 passed, 0 failed

module @bn attributes {top.state = "TOP_F32", top.chip = "ALL", top.platform = "ONNX", top.weight_file = "bn_weight.npz"} {
  func.func @main(%arg0: tensor<1x3x6x6xf32>) -> tensor<1x4x12x12xf32> {
    %none = top.None loc("none")
    %0 = top.Input %arg0 : (tensor<1x3x6x6xf32>) -> tensor<1x3x6x6xf32> loc("input")
    %w1 = top.Weight : () -> tensor<4x3x3x3xf32> loc("conv1_w")
    %b1 = top.Weight : () -> tensor<4xf32> loc("conv1_b")
    %1 = top.Conv %0, %w1, %b1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32> loc("conv1")
    %mean1 = top.Weight : () -> tensor<4xf32> loc("bn1_mean")
    %var1 = top.Weight : () -> tensor<4xf32> loc("bn1_var")
    %gamma1 = top.Weight : () -> tensor<4xf32> loc("bn1_gamma")
    %beta1 = top.Weight : () -> tensor<4xf32> loc("bn1_beta")
    %2 = top.BatchNorm %1, %mean1, %var1, %gamma1, %beta1 {epsilon = 1.0e-5 : f64} : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32> loc("bn1")
    %3 = top.Relu %2 : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> loc("relu1")
    // Grouped deconv: filter [ic = 4, oc / group = 2, 2, 2], 4 outputs.
    %w2 = top.Weight : () -> tensor<4x2x2x2xf32> loc("deconv1_w")
    %4 = top.Deconv %3, %w2, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<4x2x2x2xf32>, none) -> tensor<1x4x12x12xf32> loc("deconv1")
    %mean2 = top.Weight : () -> tensor<4xf32> loc("bn2_mean")
    %var2 = top.Weight : () -> tensor<4xf32> loc("bn2_var")
    %gamma2 = top.Weight : () -> tensor<4xf32> loc("bn2_gamma")
    %5 = top.BatchNorm %4, %mean2, %var2, %gamma2, %none : (tensor<1x4x12x12xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, none) -> tensor<1x4x12x12xf32> loc("bn2")
    return %5 : tensor<1x4x12x12xf32>
  }
}
