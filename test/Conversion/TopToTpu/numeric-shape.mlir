// Numeric check of data movement (INT8 moves codes of one scale), Concat
// and reduction lowerings against the float Top module, in CV18xx INT8 and
// BF16. Argmax indices must match exactly (the input's codes keep its
// order, and this data has no near ties).
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py input in.npz x:1x4x6x6:-2:2 y:1x2x6x6:-0.5:0.5
// RUN: model_runner --model %s --input in.npz --output top.npz --dump_all_tensors
// RUN: %python %S/Inputs/numeric.py table top.npz cali.table
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o cv.mlir
// RUN: model_runner --model cv.mlir --input in.npz --output cv.npz --dump_all_tensors
// RUN: npz_tool compare cv.npz top.npz --tolerance 0.9995,0.98 | FileCheck %s
// RUN: %python %S/Inputs/numeric.py check cv.npz top.npz argmax 0
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu -o bf16.mlir
// RUN: model_runner --model bf16.mlir --input in.npz --output bf16.npz --dump_all_tensors
// RUN: npz_tool compare bf16.npz top.npz --tolerance 0.99999,0.99 | FileCheck %s
// RUN: %python %S/Inputs/numeric.py check bf16.npz top.npz argmax 0
// Nearest resize with nearest_mode = floor reads rows floor((i + 0.5) / 2 -
// 0.5): rows 0, 0, 0, 1, 1, 2, ... (round_prefer_floor would read 0, 0, 1,
// 1, 2, 2, ...): in INT8 it moves the quantized codes unchanged, so it is
// within half a step (2/127 / 2) of the reference.
// RUN: %python %S/Inputs/numeric.py check cv.npz top.npz nearest 0.00788

// CHECK-DAG: {{^}}permute {{.*}}PASSED
// CHECK-DAG: {{^}}slice {{.*}}PASSED
// CHECK-DAG: {{^}}pad_const {{.*}}PASSED
// CHECK-DAG: {{^}}pad_reflect {{.*}}PASSED
// CHECK-DAG: {{^}}pad_edge {{.*}}PASSED
// CHECK-DAG: {{^}}upsample {{.*}}PASSED
// CHECK-DAG: {{^}}nearest {{.*}}PASSED
// CHECK-DAG: {{^}}bilinear {{.*}}PASSED
// CHECK-DAG: {{^}}d2s {{.*}}PASSED
// CHECK-DAG: {{^}}flat {{.*}}PASSED
// CHECK-DAG: {{^}}tile {{.*}}PASSED
// CHECK-DAG: {{^}}concat {{.*}}PASSED
// CHECK-DAG: {{^}}split_b {{.*}}PASSED
// CHECK-DAG: {{^}}gather {{.*}}PASSED
// CHECK-DAG: {{^}}mean {{.*}}PASSED
// CHECK-DAG: {{^}}sum {{.*}}PASSED
// CHECK-DAG: {{^}}rmax {{.*}}PASSED
// CHECK-DAG: {{^}}perm_identity {{.*}}PASSED
// CHECK: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

module @shape attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4x6x6xf32>, %arg1: tensor<1x2x6x6xf32>) -> (tensor<1x6x6x4xf32>, tensor<1x2x6x3xf32>, tensor<1x4x8x9xf32>, tensor<1x4x8x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x12x12xf32>, tensor<1x4x12x6xf32>, tensor<1x4x12x12xf32>, tensor<1x1x12x12xf32>, tensor<1x144xf32>, tensor<1x4x6x12xf32>, tensor<1x6x6x6xf32>, tensor<1x3x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x4x1x1xf32>, tensor<1x1x6x6xf32>, tensor<1x4x1x6xf32>, tensor<1x1x6x6xi64>) {
    %x = top.Input %arg0 : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> loc("x")
    %y = top.Input %arg1 : (tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> loc("y")
    %0 = top.Permute %x {order = array<i64: 0, 2, 3, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x6x6x4xf32> loc("permute")
    %1 = top.Slice %x {starts = array<i64: 1, 0>, ends = array<i64: 4, 6>, steps = array<i64: 2, 2>, axes = array<i64: 1, 3>} : (tensor<1x4x6x6xf32>) -> tensor<1x2x6x3xf32> loc("slice")
    %2 = top.Pad %x {paddings = array<i64: 0, 0, 1, 2, 0, 0, 1, 1>, val = 0.5 : f64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x8x9xf32> loc("pad_const")
    %3 = top.Pad %x {paddings = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "reflect"} : (tensor<1x4x6x6xf32>) -> tensor<1x4x8x8xf32> loc("pad_reflect")
    %4 = top.Pad %x {paddings = array<i64: 0, 0, 0, 2, 0, 0, 0, 0>, mode = "edge"} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x8xf32> loc("pad_edge")
    %5 = top.Upsample %x {scale_h = 2 : i64, scale_w = 2 : i64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x12x12xf32> loc("upsample")
    %6 = top.Interp %x {mode = "nearest", coord_mode = "half_pixel", scale_h = 2.0 : f64, scale_w = 1.0 : f64, nearest_mode = "floor"} : (tensor<1x4x6x6xf32>) -> tensor<1x4x12x6xf32> loc("nearest")
    %7 = top.Interp %x {mode = "linear", coord_mode = "half_pixel", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x4x6x6xf32>) -> tensor<1x4x12x12xf32> loc("bilinear")
    %8 = top.Depth2Space %x {block_h = 2 : i64, block_w = 2 : i64, is_CRD = true} : (tensor<1x4x6x6xf32>) -> tensor<1x1x12x12xf32> loc("d2s")
    %9 = top.Reshape %x {shape = array<i64: 1, 144>} : (tensor<1x4x6x6xf32>) -> tensor<1x144xf32> loc("flat")
    %10 = top.Tile %x {repeats = array<i64: 1, 1, 1, 2>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x12xf32> loc("tile")
    %11 = top.Concat %x, %y {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x6x6x6xf32> loc("concat")
    %12:2 = top.Split %11 {axis = -3 : i64, split_size = array<i64: 3, 3>} : (tensor<1x6x6x6xf32>) -> (tensor<1x3x6x6xf32>, tensor<1x3x6x6xf32>) loc(fused["split_a", "split_b"])
    %idx = top.Weight {value = dense<[3, 1]> : tensor<2xi64>} : () -> tensor<2xi64> loc("idx")
    %13 = top.Gather %x, %idx {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<2xi64>) -> tensor<1x2x6x6xf32> loc("gather")
    %14 = top.Reduce %x {axes = array<i64: 2, 3>, mode = "ReduceMean"} : (tensor<1x4x6x6xf32>) -> tensor<1x4x1x1xf32> loc("mean")
    %15 = top.Reduce %x {axes = array<i64: 1>, mode = "ReduceSum"} : (tensor<1x4x6x6xf32>) -> tensor<1x1x6x6xf32> loc("sum")
    %16 = top.Reduce %x {axes = array<i64: 2>, mode = "ReduceMax"} : (tensor<1x4x6x6xf32>) -> tensor<1x4x1x6xf32> loc("rmax")
    %17 = top.Arg %x {axis = 1 : i64, mode = "ArgMax"} : (tensor<1x4x6x6xf32>) -> tensor<1x1x6x6xi64> loc("argmax")
    %18 = top.Permute %12#1 {order = array<i64: 0, 1, 2, 3>} : (tensor<1x3x6x6xf32>) -> tensor<1x3x6x6xf32> loc("perm_identity")
    return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %18, %13, %14, %15, %16, %17 : tensor<1x6x6x4xf32>, tensor<1x2x6x3xf32>, tensor<1x4x8x9xf32>, tensor<1x4x8x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x12x12xf32>, tensor<1x4x12x6xf32>, tensor<1x4x12x12xf32>, tensor<1x1x12x12xf32>, tensor<1x144xf32>, tensor<1x4x6x12xf32>, tensor<1x6x6x6xf32>, tensor<1x3x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x4x1x1xf32>, tensor<1x1x6x6xf32>, tensor<1x4x1x6xf32>, tensor<1x1x6x6xi64>
  }
}
