// Numeric check of convolution-like lowerings: the lowered module runs in
// the Tpu interpreter and its (dequantized) tensors are compared with the
// float Top module's. The deep convolution has 160 input channels x 3x3 =
// 1440 products per output, more than the 1024 the INT8 kernel may sum
// exactly in float at once, so it exercises the chunked accumulation.
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py weights conv_weight.npz w_deep:8x160x3x3:-0.1:0.1 b_deep:8 w_dw:8x1x3x3 b_dw:8 w_de:8x4x2x2 w_mm:288x16:-0.2:0.2 b_mm:16 bn_mean:4 bn_var:4:0.5:2 bn_gamma:4 bn_beta:4
// RUN: %python %S/Inputs/numeric.py input in.npz x:1x160x6x6
// RUN: model_runner --model %s --input in.npz --output top.npz --dump_all_tensors
// RUN: %python %S/Inputs/numeric.py table top.npz cali.table

// CV18xx in INT8 mode, every tensor close to the float reference.
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=cali.table" --convert-top-to-tpu --save-weights="file=%t/cv_int8_weight.npz" -o cv_int8.mlir
// RUN: model_runner --model cv_int8.mlir --input in.npz --output cv_int8.npz --dump_all_tensors
// RUN: npz_tool compare cv_int8.npz top.npz --tolerance 0.998,0.95 | FileCheck %s --check-prefix=INT8
// INT8-DAG: {{^}}deep {{.*}}PASSED
// INT8-DAG: {{^}}dw {{.*}}PASSED
// INT8-DAG: {{^}}deconv {{.*}}PASSED
// INT8-DAG: {{^}}matmul {{.*}}PASSED
// INT8-DAG: {{^}}bn {{.*}}PASSED
// INT8: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

// CV18xx BF16, tighter.
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu --save-weights="file=%t/cv_bf16_weight.npz" -o cv_bf16.mlir
// RUN: model_runner --model cv_bf16.mlir --input in.npz --output cv_bf16.npz --dump_all_tensors
// RUN: npz_tool compare cv_bf16.npz top.npz --tolerance 0.9999,0.99 | FileCheck %s --check-prefix=FLOAT
// FLOAT-DAG: {{^}}deep {{.*}}PASSED
// FLOAT-DAG: {{^}}matmul {{.*}}PASSED
// FLOAT: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

// BM1684X INT8, asymmetric (zero points in the accumulations) and F16.
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x asymmetric=true" --import-calibration-table="file=cali.table asymmetric=true" --convert-top-to-tpu --save-weights="file=%t/bm_asym_weight.npz" -o bm_asym.mlir
// RUN: model_runner --model bm_asym.mlir --input in.npz --output bm_asym.npz --dump_all_tensors
// RUN: npz_tool compare bm_asym.npz top.npz --tolerance 0.998,0.95 | FileCheck %s --check-prefix=INT8
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F16" --convert-top-to-tpu --save-weights="file=%t/bm_f16_weight.npz" -o bm_f16.mlir
// RUN: model_runner --model bm_f16.mlir --input in.npz --output bm_f16.npz --dump_all_tensors
// RUN: npz_tool compare bm_f16.npz top.npz --tolerance 0.99999,0.998 | FileCheck %s --check-prefix=FLOAT

module @conv attributes {top.state = "TOP_F32", top.weight_file = "conv_weight.npz"} {
  func.func @main(%arg0: tensor<1x160x6x6xf32>) -> (tensor<1x8x12x12xf32>, tensor<1x16xf32>, tensor<1x4x12x12xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x160x6x6xf32>) -> tensor<1x160x6x6xf32> loc("x")
    %w0 = top.Weight : () -> tensor<8x160x3x3xf32> loc("w_deep")
    %b0 = top.Weight : () -> tensor<8xf32> loc("b_deep")
    %0 = top.Conv %x, %w0, %b0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x160x6x6xf32>, tensor<8x160x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32> loc("deep")
    %w1 = top.Weight : () -> tensor<8x1x3x3xf32> loc("w_dw")
    %b1 = top.Weight : () -> tensor<8xf32> loc("b_dw")
    %1 = top.Conv %0, %w1, %b1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 8 : i64, do_relu = true} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32> loc("dw")
    %w2 = top.Weight : () -> tensor<8x4x2x2xf32> loc("w_de")
    %2 = top.Deconv %1, %w2, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x4x2x2xf32>, none) -> tensor<1x4x12x12xf32> loc("deconv")
    %3 = top.Reshape %1 {shape = array<i64: 1, 288>} : (tensor<1x8x6x6xf32>) -> tensor<1x288xf32> loc("flat")
    %w3 = top.Weight : () -> tensor<288x16xf32> loc("w_mm")
    %b3 = top.Weight : () -> tensor<16xf32> loc("b_mm")
    %4 = top.MatMul %3, %w3, %b3 : (tensor<1x288xf32>, tensor<288x16xf32>, tensor<16xf32>) -> tensor<1x16xf32> loc("matmul")
    %m = top.Weight : () -> tensor<4xf32> loc("bn_mean")
    %v = top.Weight : () -> tensor<4xf32> loc("bn_var")
    %g = top.Weight : () -> tensor<4xf32> loc("bn_gamma")
    %be = top.Weight : () -> tensor<4xf32> loc("bn_beta")
    %5 = top.BatchNorm %2, %m, %v, %g, %be {epsilon = 1.0e-5 : f64} : (tensor<1x4x12x12xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x12x12xf32> loc("bn")
    %6 = top.Upsample %1 {scale_h = 2 : i64, scale_w = 2 : i64} : (tensor<1x8x6x6xf32>) -> tensor<1x8x12x12xf32> loc("up")
    return %6, %4, %5 : tensor<1x8x12x12xf32>, tensor<1x16xf32>, tensor<1x4x12x12xf32>
  }
}
