// Numeric check of the pooling lowerings (INT8 window sums times one
// multiplier, max pooling on codes, dilated windows, 1-D pools, BF16
// fallbacks) against the float Top module.
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py input in.npz x:1x3x9x9:-3:3 y:1x3x12:-1:1
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

// Max pooling moves codes, so in INT8 it is exact on the quantized input:
// the error is the input's rounding, at most half a step (3/127 / 2).
// RUN: %python %S/Inputs/numeric.py check cv.npz top.npz maxpool_dilated 0.0119

// CHECK-DAG: {{^}}maxpool {{.*}}PASSED
// CHECK-DAG: {{^}}maxpool_dilated {{.*}}PASSED
// CHECK-DAG: {{^}}avgpool {{.*}}PASSED
// CHECK-DAG: {{^}}avgpool_pad {{.*}}PASSED
// CHECK-DAG: {{^}}avgpool_counted {{.*}}PASSED
// CHECK-DAG: {{^}}gap {{.*}}PASSED
// CHECK-DAG: {{^}}adaptive {{.*}}PASSED
// CHECK-DAG: {{^}}maxpool1d {{.*}}PASSED
// CHECK-DAG: {{^}}avgpool1d {{.*}}PASSED
// CHECK: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

module @pool attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x3x9x9xf32>, %arg1: tensor<1x3x12xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x5x5xf32>, tensor<1x3x3x3xf32>, tensor<1x3x5x5xf32>, tensor<1x3x5x5xf32>, tensor<1x3x1x1xf32>, tensor<1x3x3x3xf32>, tensor<1x3x6xf32>, tensor<1x3x4xf32>) {
    %x = top.Input %arg0 : (tensor<1x3x9x9xf32>) -> tensor<1x3x9x9xf32> loc("x")
    %y = top.Input %arg1 : (tensor<1x3x12xf32>) -> tensor<1x3x12xf32> loc("y")
    %0 = top.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x9x9xf32>) -> tensor<1x3x4x4xf32> loc("maxpool")
    %1 = top.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>) -> tensor<1x3x5x5xf32> loc("maxpool_dilated")
    %2 = top.AvgPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x9x9xf32>) -> tensor<1x3x3x3xf32> loc("avgpool")
    %3 = top.AvgPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x9x9xf32>) -> tensor<1x3x5x5xf32> loc("avgpool_pad")
    %4 = top.AvgPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x3x9x9xf32>) -> tensor<1x3x5x5xf32> loc("avgpool_counted")
    %5 = top.GlobalAvgPool %x : (tensor<1x3x9x9xf32>) -> tensor<1x3x1x1xf32> loc("gap")
    %6 = top.AdaptiveAvgPool %x {output_size = array<i64: 3, 3>} : (tensor<1x3x9x9xf32>) -> tensor<1x3x3x3xf32> loc("adaptive")
    %7 = top.MaxPool %y {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0>} : (tensor<1x3x12xf32>) -> tensor<1x3x6xf32> loc("maxpool1d")
    %8 = top.AvgPool %y {kernel_shape = array<i64: 3>, strides = array<i64: 3>, pads = array<i64: 0, 0>} : (tensor<1x3x12xf32>) -> tensor<1x3x4xf32> loc("avgpool1d")
    return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<1x3x4x4xf32>, tensor<1x3x5x5xf32>, tensor<1x3x3x3xf32>, tensor<1x3x5x5xf32>, tensor<1x3x5x5xf32>, tensor<1x3x1x1xf32>, tensor<1x3x3x3xf32>, tensor<1x3x6xf32>, tensor<1x3x4xf32>
  }
}
