// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/pointwise.cali" --convert-top-to-tpu | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/pointwise.cali" --convert-top-to-tpu --save-weights="file=%t_weights.npz" -o %t.mlir
// RUN: %python -c "import numpy as np; np.random.seed(3); np.savez('%t_in.npz', x=np.random.uniform(-6, 6, (1, 4, 8, 8)).astype(np.float32))"
// RUN: model_runner --model %s --input %t_in.npz --output %t_top.npz --dump_all_tensors
// RUN: model_runner --model %t.mlir --input %t_in.npz --output %t_tpu.npz --dump_all_tensors
// RUN: npz_tool compare %t_top.npz %t_tpu.npz --tolerance 0.9995,0.97 | FileCheck %s --check-prefix=NUM

// An exporter's HardSwish, x * clip(x + 3, 0, 6) / 6, followed by an affine
// (* a + b): six ops, all a function of the conv's output, become one
// exact 256-entry table in INT8 instead of six requantizations.
// CHECK-LABEL: func.func @main
// CHECK:     %[[CONV:.*]] = tpu.Conv2D
// CHECK-NOT: tpu.Mul
// CHECK:     tpu.Lut %[[CONV]], %{{.*}} loc("affine")
// The gate is read by a product with another tensor: a table of its own,
// and that product stays a product.
// CHECK:     %[[GATE:.*]] = tpu.Lut %[[CONV]], %{{.*}} loc("gate")
// The gate times the clip is a product of two functions of the conv: a
// function of the conv too, one table.
// CHECK:     tpu.Lut %[[CONV]], %{{.*}} loc("gated")
// CHECK:     tpu.Mul %[[GATE]], %{{.*}} loc("mixed")
// NUM: 0 failed

module @pw attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("x")
    %w = top.Weight {value = dense<0.25> : tensor<4x4x1x1xf32>} : () -> tensor<4x4x1x1xf32> loc("w")
    %six = top.Weight {value = dense<6.0> : tensor<f32>} : () -> tensor<f32> loc("six")
    %conv = top.Conv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>, none) -> tensor<1x4x8x8xf32> loc("conv")
    %p3 = top.AddConst %conv {const_val = 3.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("plus3")
    %clip = top.Clip %p3 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("clip")
    %prod = top.Mul %conv, %clip : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("prod")
    %hs = top.Div %prod, %six : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32> loc("hardswish")
    %scaled = top.MulConst %hs {const_val = 0.5 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("scaled")
    %affine = top.AddConst %scaled {const_val = -0.25 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("affine")
    %gate = top.Sigmoid %affine : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("gate")
    %gated = top.Mul %gate, %clip : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("gated")
    %mixed = top.Mul %gate, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("mixed")
    return %affine, %gated, %mixed : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  }
}
