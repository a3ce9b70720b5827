// Numeric check of the activation lowerings: INT8 lookup tables (CV18xx
// and BM1684X), CV18xx BF16 interpolated tables (tpu.LutBF16) and
// tpu.Active, against the float Top module.
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/Inputs/numeric.py input in.npz x:1x2x16x16:-6:6
// RUN: model_runner --model %s --input in.npz --output top.npz --dump_all_tensors
// RUN: %python %S/Inputs/numeric.py table top.npz cali.table

// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o cv.mlir
// RUN: model_runner --model cv.mlir --input in.npz --output cv.npz --dump_all_tensors
// RUN: npz_tool compare cv.npz top.npz --tolerance 0.9995,0.98 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x" --import-calibration-table="file=cali.table" --convert-top-to-tpu -o bm.mlir
// RUN: model_runner --model bm.mlir --input in.npz --output bm.npz --dump_all_tensors
// RUN: npz_tool compare bm.npz top.npz --tolerance 0.9995,0.98 | FileCheck %s
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu -o cvbf16.mlir
// RUN: model_runner --model cvbf16.mlir --input in.npz --output cvbf16.npz --dump_all_tensors
// RUN: npz_tool compare cvbf16.npz top.npz --tolerance 0.99999,0.995 | FileCheck %s

// CHECK-DAG: {{^}}sigmoid {{.*}}PASSED
// CHECK-DAG: {{^}}silu {{.*}}PASSED
// CHECK-DAG: {{^}}tanh {{.*}}PASSED
// CHECK-DAG: {{^}}gelu {{.*}}PASSED
// CHECK-DAG: {{^}}gelu_tanh {{.*}}PASSED
// CHECK-DAG: {{^}}mish {{.*}}PASSED
// CHECK-DAG: {{^}}softplus {{.*}}PASSED
// CHECK-DAG: {{^}}elu {{.*}}PASSED
// CHECK-DAG: {{^}}hsigmoid {{.*}}PASSED
// CHECK-DAG: {{^}}hswish {{.*}}PASSED
// CHECK-DAG: {{^}}leaky {{.*}}PASSED
// CHECK-DAG: {{^}}prelu {{.*}}PASSED
// CHECK-DAG: {{^}}relu {{.*}}PASSED
// CHECK-DAG: {{^}}relu6 {{.*}}PASSED
// CHECK-DAG: {{^}}clip {{.*}}PASSED
// CHECK-DAG: {{^}}exp {{.*}}PASSED
// CHECK-DAG: {{^}}erf {{.*}}PASSED
// CHECK: {{[0-9]+}} compared, {{[0-9]+}} passed, 0 failed

module @act attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>) {
    %x = top.Input %arg0 : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("x")
    %0 = top.Sigmoid %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("sigmoid")
    %1 = top.SiLU %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("silu")
    %2 = top.Tanh %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("tanh")
    %3 = top.GELU %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("gelu")
    %4 = top.GELU %x {approx_mode = "tanh"} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("gelu_tanh")
    %5 = top.Mish %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("mish")
    %6 = top.Softplus %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("softplus")
    %7 = top.Elu %x {alpha = 1.0 : f64} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("elu")
    %8 = top.HardSigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("hsigmoid")
    %9 = top.HardSwish %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("hswish")
    %10 = top.LeakyRelu %x {alpha = 0.1 : f64} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("leaky")
    %s = top.Weight {value = dense<[[[0.25]], [[-0.5]]]> : tensor<2x1x1xf32>} : () -> tensor<2x1x1xf32> loc("slope")
    %11 = top.PRelu %x, %s : (tensor<1x2x16x16xf32>, tensor<2x1x1xf32>) -> tensor<1x2x16x16xf32> loc("prelu")
    %12 = top.Relu %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("relu")
    %13 = top.Relu %x {relu_limit = 4.0 : f64} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("relu6")
    %14 = top.Clip %x {min = -1.0 : f64, max = 2.5 : f64} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("clip")
    %15 = top.Exp %0 : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("exp")
    %16 = top.Erf %x : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("erf")
    return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16 : tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>
  }
}
