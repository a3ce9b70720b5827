// Numeric check of the elementwise lowerings (int8 multipliers and shared
// shifts, requantized Max/Min inputs, constants with their own scale,
// lookup tables for added constants) against the float Top module.
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py input in.npz a:1x4x8x8:-2:2 b:1x4x8x8:-0.5:1
// RUN: model_runner --model %s --input in.npz --output top.npz --dump_all_tensors
// RUN: %python %S/Inputs/numeric.py table top.npz cali.table

// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o cv.mlir
// RUN: model_runner --model cv.mlir --input in.npz --output cv.npz --dump_all_tensors
// RUN: npz_tool compare cv.npz top.npz --tolerance 0.999,0.95 --excepts cmp | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o bm.mlir
// RUN: model_runner --model bm.mlir --input in.npz --output bm.npz --dump_all_tensors
// RUN: npz_tool compare bm.npz top.npz --tolerance 0.999,0.95 --excepts cmp | FileCheck %s
// Compare gives exact 0/1 from codes of one scale; with this data one pair
// lies closer than a quantization step (|a - b| = 0.0036 < 2/127) and may
// flip.
// RUN: %python %S/Inputs/numeric.py mismatches cv.npz top.npz cmp 1
// RUN: %python %S/Inputs/numeric.py mismatches bm.npz top.npz cmp 1

// CHECK-DAG: {{^}}add {{.*}}PASSED
// CHECK-DAG: {{^}}add_relu {{.*}}PASSED
// CHECK-DAG: {{^}}sub {{.*}}PASSED
// CHECK-DAG: {{^}}mul {{.*}}PASSED
// CHECK-DAG: {{^}}mulconst {{.*}}PASSED
// CHECK-DAG: {{^}}div {{.*}}PASSED
// CHECK-DAG: {{^}}max {{.*}}PASSED
// CHECK-DAG: {{^}}min {{.*}}PASSED
// CHECK-DAG: {{^}}addconst {{.*}}PASSED
// CHECK-DAG: {{^}}add_w {{.*}}PASSED
// CHECK-DAG: {{^}}concat {{.*}}PASSED
// CHECK-DAG: {{^}}where {{.*}}PASSED
// CHECK: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

module @ew attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4x8x8xf32>, %arg1: tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x8x8x8xf32>, tensor<1x4x8x8xf32>) {
    %a = top.Input %arg0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("a")
    %b = top.Input %arg1 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("b")
    %0 = top.Add %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("add")
    %1 = top.Add %a, %b {do_relu = true} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("add_relu")
    %2 = top.Sub %0, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("sub")
    %3 = top.Mul %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("mul")
    %4 = top.MulConst %3 {const_val = -1.5 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("mulconst")
    %c = top.Weight {value = dense<[[[[4.0]], [[-2.0]], [[0.5]], [[8.0]]]]> : tensor<1x4x1x1xf32>} : () -> tensor<1x4x1x1xf32> loc("c")
    %5 = top.Div %a, %c : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32> loc("div")
    %6 = top.Max %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("max")
    %7 = top.Min %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("min")
    %8 = top.AddConst %a {const_val = 0.75 : f64, do_relu = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("addconst")
    %w = top.Weight {value = dense<[[[[0.5]], [[-0.25]], [[1.0]], [[0.0]]]]> : tensor<1x4x1x1xf32>} : () -> tensor<1x4x1x1xf32> loc("w")
    %9 = top.Add %1, %w : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32> loc("add_w")
    %10 = top.Concat %9, %6 {axis = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32> loc("concat")
    %11 = top.Compare %a, %b {mode = "Greater"} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("cmp")
    %12 = top.Where %11, %a, %7 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("where")
    return %2, %4, %5, %6, %7, %8, %9, %11, %12, %10, %0 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x8x8x8xf32>, tensor<1x4x8x8xf32>
  }
}
