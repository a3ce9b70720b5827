// Numeric check of INT8 matrix products of two activations (both operands
// quantized at run time, zero points on BM1684X asymmetric), transposed
// operands, and a reduction of 1100 terms (chunked in the INT8 kernel).
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py input in.npz a:2x3x1100:-1:2 b:2x1100x5:0:1
// RUN: model_runner --model %s --input in.npz --output top.npz --dump_all_tensors
// RUN: %python %S/Inputs/numeric.py table top.npz cali.table
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o cv.mlir
// RUN: model_runner --model cv.mlir --input in.npz --output cv.npz --dump_all_tensors
// RUN: npz_tool compare cv.npz top.npz --tolerance 0.9995,0.98 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x asymmetric=true" --import-calibration-table="file=cali.table asymmetric=true" --convert-top-to-tpu -o bm.mlir
// RUN: model_runner --model bm.mlir --input in.npz --output bm.npz --dump_all_tensors
// RUN: npz_tool compare bm.npz top.npz --tolerance 0.9995,0.98 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu -o bf16.mlir
// RUN: model_runner --model bf16.mlir --input in.npz --output bf16.npz --dump_all_tensors
// RUN: npz_tool compare bf16.npz top.npz --tolerance 0.99999,0.99 | FileCheck %s

// CHECK-DAG: {{^}}mm {{.*}}PASSED
// CHECK-DAG: {{^}}mmt {{.*}}PASSED
// CHECK: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

module @mm attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<2x3x1100xf32>, %arg1: tensor<2x1100x5xf32>) -> (tensor<2x3x5xf32>, tensor<2x5x3xf32>) {
    %none = top.None loc("none")
    %a = top.Input %arg0 : (tensor<2x3x1100xf32>) -> tensor<2x3x1100xf32> loc("a")
    %b = top.Input %arg1 : (tensor<2x1100x5xf32>) -> tensor<2x1100x5xf32> loc("b")
    %0 = top.MatMul %a, %b, %none : (tensor<2x3x1100xf32>, tensor<2x1100x5xf32>, none) -> tensor<2x3x5xf32> loc("mm")
    %1 = top.MatMul %b, %a, %none {left_transpose = true, right_transpose = true} : (tensor<2x1100x5xf32>, tensor<2x3x1100xf32>, none) -> tensor<2x5x3xf32> loc("mmt")
    return %0, %1 : tensor<2x3x5xf32>, tensor<2x5x3xf32>
  }
}
