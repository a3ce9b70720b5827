// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/fallback.cali" --convert-top-to-tpu 2>&1 | FileCheck %s --check-prefix=CV
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x" --import-calibration-table="file=%S/Inputs/fallback.cali" --convert-top-to-tpu 2>&1 | FileCheck %s --check-prefix=BM

// Ops that cannot compute in INT8 (Softmax, Div by a tensor, LayerNorm) or
// have no calibrated range fall back to the chip's float mode (BF16 on
// CV18xx, F16 on BM1684X), and one remark lists them by op type with the
// reason and the tensor names. INT8 consumers of a fallback read it through
// a cast with its calibrated range.

// CV: warning: {{.*}}fallback.cali: 1 float tensors have no threshold (uncalibrated); they stay in float
// CV: remark: 4 ops are not INT8: Div x1 (BF16: no INT8 implementation; div); LayerNorm x1 (BF16: no INT8 implementation; ln); MulConst x1 (BF16: no calibrated range; uncalibrated); Softmax x1 (BF16: no INT8 implementation; softmax)
// CV: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x4x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>> loc("x_bf16")
// Softmax's range on CV18xx is [-1, 1].
// CV: %[[SM:.*]] = tpu.Softmax %[[X]] : {{.*}} -> tensor<1x4x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>> loc("softmax")
// CV: %[[DIV:.*]] = tpu.Div %[[X]], %{{.*}} : {{.*}} -> tensor<1x4x!quant.calibrated<bf16<-4.000000e+00:4.000000e+00>>> loc("div")
// CV: tpu.LayerNorm %[[X]], %{{.*}}, %{{.*}} {axis = 1 : i64} : {{.*}} loc("ln")
// Without a range the result is plain bf16.
// CV: tpu.MulConst %[[DIV]] {const_val = 2.000000e+00 : f64} : {{.*}} -> tensor<1x4xbf16> loc("uncalibrated")
// after is INT8 again: softmax is cast with its range [-1, 1] (1/127), and
// x 2 to th 2 is 2 * (1/127)/(2/127) = 1 = 64 >> 6.
// CV: %[[SMQ:.*]] = tpu.Cast %[[SM]] : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("softmax_i8")
// CV: tpu.MulConst %[[SMQ]] {const_val = 2.000000e+00 : f64, multiplier = array<i64: 64>, rshift = array<i64: 6>} {{.*}} loc("after")

// BM: remark: 4 ops are not INT8: Div x1 (F16: no INT8 implementation; div); LayerNorm x1 (F16: no INT8 implementation; ln); MulConst x1 (F16: no calibrated range; uncalibrated); Softmax x1 (F16: no INT8 implementation; softmax)
// BM: %[[SM:.*]] = tpu.Softmax %{{.*}} -> tensor<1x4x!quant.calibrated<f16<0.000000e+00:1.000000e+00>>> loc("softmax")
// BM: tpu.Div {{.*}} -> tensor<1x4x!quant.calibrated<f16<-4.000000e+00:4.000000e+00>>> loc("div")
// BM: tpu.MulConst {{.*}} -> tensor<1x4xf16> loc("uncalibrated")
// On BM1684X softmax [0, 1] is u8 (1/255): 2 * (1/255)/(2/127) = 0.49804,
// * 2^8 = 127.498 -> 127 >> 8.
// BM: %[[SMQ:.*]] = tpu.Cast %[[SM]] : {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 0.0039215686274509803>> loc("softmax_u8")
// BM: tpu.MulConst %[[SMQ]] {const_val = 2.000000e+00 : f64, multiplier = array<i64: 127>, rshift = array<i64: 8>} {{.*}} loc("after")

module @fb attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("x")
    %y = top.Input %arg1 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("y")
    %0 = top.Softmax %x {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("softmax")
    %1 = top.Div %x, %y : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("div")
    %2 = top.LayerNorm %x, %none, %none {axis = 1 : i64} : (tensor<1x4xf32>, none, none) -> tensor<1x4xf32> loc("ln")
    %3 = top.MulConst %1 {const_val = 2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("uncalibrated")
    %4 = top.MulConst %0 {const_val = 2.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("after")
    return %0, %1, %2, %3, %4 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
  }
}
