// Numeric check of Softmax and the normalizations, which compute in float
// only: BF16 on CV18xx, F16 on BM1684X, and inside an INT8 model, where
// they fall back to the float mode between casts that keep the ranges.
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py input in.npz x:1x4x8x8:-3:3
// RUN: model_runner --model %s --input in.npz --output top.npz --dump_all_tensors
// RUN: %python %S/Inputs/numeric.py table top.npz cali.table
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu -o bf16.mlir
// RUN: model_runner --model bf16.mlir --input in.npz --output bf16.npz --dump_all_tensors
// RUN: npz_tool compare bf16.npz top.npz --tolerance 0.9999,0.99 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F16" --convert-top-to-tpu -o f16.mlir
// RUN: model_runner --model f16.mlir --input in.npz --output f16.npz --dump_all_tensors
// RUN: npz_tool compare f16.npz top.npz --tolerance 0.99999,0.998 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o int8.mlir 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: model_runner --model int8.mlir --input in.npz --output int8.npz --dump_all_tensors
// RUN: npz_tool compare int8.npz top.npz --tolerance 0.999,0.95 | FileCheck %s

// REMARK: remark: 4 ops are not INT8: InstanceNorm x1 (BF16: no INT8 implementation; instnorm); LayerNorm x1 (BF16: no INT8 implementation; layernorm); Softmax x2 (BF16: no INT8 implementation; softmax, logsoftmax)

// CHECK-DAG: {{^}}softmax {{.*}}PASSED
// CHECK-DAG: {{^}}logsoftmax {{.*}}PASSED
// CHECK-DAG: {{^}}layernorm {{.*}}PASSED
// CHECK-DAG: {{^}}instnorm {{.*}}PASSED
// CHECK-DAG: {{^}}after {{.*}}PASSED
// CHECK: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

module @norm attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("x")
    %0 = top.Softmax %x {axis = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("softmax")
    %1 = top.Softmax %x {axis = -1 : i64, log = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("logsoftmax")
    %g = top.Weight {value = dense<[1.0, 0.5, -1.0, 2.0, 1.5, 1.0, 0.25, 0.75]> : tensor<8xf32>} : () -> tensor<8xf32> loc("gamma")
    %b = top.Weight {value = dense<[0.0, 0.1, 0.2, 0.3, -0.4, -0.5, 0.6, 0.7]> : tensor<8xf32>} : () -> tensor<8xf32> loc("beta")
    %2 = top.LayerNorm %x, %g, %b {axis = -1 : i64, eps = 1.0e-5 : f64} : (tensor<1x4x8x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8x8xf32> loc("layernorm")
    %s = top.Weight {value = dense<[1.0, 2.0, 0.5, -1.0]> : tensor<4xf32>} : () -> tensor<4xf32> loc("in_scale")
    %3 = top.InstanceNorm %x, %s, %none {eps = 1.0e-5 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, none) -> tensor<1x4x8x8xf32> loc("instnorm")
    %4 = top.MulConst %0 {const_val = 3.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("after")
    return %1, %2, %3, %4 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  }
}
