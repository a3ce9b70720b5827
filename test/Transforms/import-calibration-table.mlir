// RUN: tpuc-opt %s --import-calibration-table="file=%S/Inputs/cali_tpuc.txt" 2>&1 | FileCheck %s --check-prefixes=COMMON,SYM
// RUN: tpuc-opt %s --import-calibration-table="file=%S/Inputs/cali_tpumlir.txt" 2>&1 | FileCheck %s --check-prefixes=COMMON,SYM,UNUSED
// RUN: tpuc-opt %s --import-calibration-table="file=%S/Inputs/cali_tpuc.txt asymmetric=true" 2>&1 | FileCheck %s --check-prefixes=COMMON,ASYM
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x" --import-calibration-table="file=%S/Inputs/cali_tpuc.txt" 2>&1 | FileCheck %s --check-prefixes=COMMON,SYM
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/cali_tpumlir.txt asymmetric=true" 2>&1 | FileCheck %s --check-prefixes=COMMON,CV

// Calibration tables in tpuc's format (what run_calibration writes) and in
// tpu-mlir's (other header lines, CRLF line ends, tabs, an #int4_th block,
// a tensor the model lacks) give the same ranges. Table: name threshold min
// max:
//   x 2 [-1.5, 2]      conv 4 [-3, 4.5]     conv_relu 3 [-0.5, 3.5]
//   relu 2.5 [0, 2.5]  sigmoid 0.9 [0.1, 0.9]  softmax 0.7 [0.01, 0.7]
//   add 5 [0.25, 6]    (mulconst is missing, arg is an integer tensor)

// A missing float tensor stays f32, with one warning naming it.
// COMMON: warning: {{.*}}cali_{{tpuc|tpumlir}}.txt: 1 float tensors have no threshold (mulconst); they stay in float
// Entries naming no tensor of the model are reported.
// UNUSED: remark: {{.*}}cali_tpumlir.txt: 1 table entries name no tensor of this model
// COMMON: top.state = "TOP_CALIBRATED"
// COMMON-LABEL: func.func @main
// COMMON-SAME: -> (tensor<1x2x4x4x!quant.calibrated<f32<{{.*}}>>>, tensor<1x2x4x4xf32>, tensor<1x1x4x4xi64>)

// Symmetric (BM1684X or no chip): [-th, th], or [0, th] when the tensor
// cannot be negative: table min >= 0 (relu, sigmoid, softmax, add), a fused
// relu (conv_relu, whose table min is negative). Sigmoid and softmax are
// bounded by 1 whatever the table says.
// SYM: top.Input {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-2.000000e+00:2.000000e+00>>> loc("x")
// SYM: top.Conv {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-4.000000e+00:4.000000e+00>>> loc("conv")
// SYM: top.Conv {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:3.000000e+00>>> loc("conv_relu")
// SYM: top.Relu {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:2.500000e+00>>> loc("relu")
// SYM: top.Sigmoid {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:1.000000e+00>>> loc("sigmoid")
// SYM: top.Softmax {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:1.000000e+00>>> loc("softmax")
// SYM: top.Add {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:5.000000e+00>>> loc("add")

// Asymmetric: the table's min and max, the min raised to 0 for tensors that
// cannot be negative (conv_relu).
// ASYM: top.Input {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-1.500000e+00:2.000000e+00>>> loc("x")
// ASYM: top.Conv {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-3.000000e+00:4.500000e+00>>> loc("conv")
// ASYM: top.Conv {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:3.500000e+00>>> loc("conv_relu")
// ASYM: top.Relu {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<0.000000e+00:2.500000e+00>>> loc("relu")
// ASYM: top.Sigmoid {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<1.000000e-01:9.000000e-01>>> loc("sigmoid")
// ASYM: top.Add {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<2.500000e-01:6.000000e+00>>> loc("add")

// CV18xx computes signed symmetric int8 only: [-th, th] for every tensor
// (asymmetric=true is ignored), sigmoid and softmax [-1, 1].
// CV: top.Input {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-2.000000e+00:2.000000e+00>>> loc("x")
// CV: top.Conv {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-4.000000e+00:4.000000e+00>>> loc("conv")
// CV: top.Conv {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-3.000000e+00:3.000000e+00>>> loc("conv_relu")
// CV: top.Relu {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-2.500000e+00:2.500000e+00>>> loc("relu")
// CV: top.Sigmoid {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>> loc("sigmoid")
// CV: top.Softmax {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>> loc("softmax")
// CV: top.Add {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f32<-5.000000e+00:5.000000e+00>>> loc("add")

// COMMON: top.MulConst {{.*}} -> tensor<1x2x4x4xf32> loc("mulconst")
// COMMON: top.Arg {{.*}} -> tensor<1x1x4x4xi64> loc("arg")

module @cali attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x4x4xi64>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %w = top.Weight {value = dense<0.5> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("w")
    %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv")
    %1 = top.Conv %0, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, do_relu = true} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv_relu")
    %2 = top.Relu %1 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("relu")
    %3 = top.Sigmoid %2 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sigmoid")
    %4 = top.Softmax %3 {axis = 1 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("softmax")
    %5 = top.Add %4, %2 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
    %6 = top.MulConst %5 {const_val = 2.0 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("mulconst")
    %7 = top.Arg %5 {axis = 1 : i64, mode = "ArgMax"} : (tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xi64> loc("arg")
    return %5, %6, %7 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x4x4xi64>
  }
}
