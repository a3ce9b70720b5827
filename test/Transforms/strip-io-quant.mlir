// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/strip_io.cali" --convert-top-to-tpu --strip-io-quant="quant_input=true quant_output=true" | FileCheck %s --check-prefix=INT8
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/strip_io.cali" --convert-top-to-tpu --strip-io-quant="quant_output=true" | FileCheck %s --check-prefix=OUT
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/strip_io.cali" --convert-top-to-tpu --strip-io-quant | FileCheck %s --check-prefix=NONE
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu --strip-io-quant="quant_input=true quant_output=true" | FileCheck %s --check-prefix=BF16
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F32" --convert-top-to-tpu --strip-io-quant="quant_input=true quant_output=true" | FileCheck %s --check-prefix=F32
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/strip_io.cali" --convert-top-to-tpu="qtable=%S/Inputs/strip_io.qtable" --strip-io-quant="quant_input=true quant_output=true" 2>&1 | FileCheck %s --check-prefix=MIXED
// RUN: not tpuc-opt %s --strip-io-quant="quant_input=true" 2>&1 | FileCheck %s --check-prefix=TOP

// x -> sigmoid (sig) and x -> mulconst(-1) (neg); both are outputs.

// INT8 on CV18xx: the input takes the int8 type of its cast (threshold 2:
// scale 2/127), the outputs are the int8 results (sig on CV18xx is
// [-1, 1]: scale 1/127; neg: 2/127). No cast remains.
// INT8-LABEL: func.func @main
// INT8-SAME: (%arg0: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>
// INT8-SAME: -> (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078740157480314959>>, tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>)
// INT8: top.Input %arg0 : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>
// INT8-NOT: tpu.Cast
// INT8: return

// Only the outputs: the input stays f32 and is cast inside.
// OUT-LABEL: func.func @main
// OUT-SAME: (%arg0: tensor<1x2x4x4xf32>
// OUT-SAME: -> (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078740157480314959>>, tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015748031496062992>>)
// OUT: tpu.Cast {{.*}} loc("x_i8")
// OUT-NOT: tpu.Cast

// Neither flag: nothing changes, f32 in and out.
// NONE-LABEL: func.func @main
// NONE-SAME: (%arg0: tensor<1x2x4x4xf32>
// NONE-SAME: -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
// NONE-COUNT-3: tpu.Cast

// In BF16 the model takes and returns bf16.
// BF16-LABEL: func.func @main
// BF16-SAME: (%arg0: tensor<1x2x4x4xbf16>
// BF16-SAME: -> (tensor<1x2x4x4xbf16>, tensor<1x2x4x4xbf16>)
// BF16-NOT: tpu.Cast

// F32 (BM1684X) has no casts to strip.
// F32-LABEL: func.func @main
// F32-SAME: (%arg0: tensor<1x2x4x4xf32>
// F32-SAME: -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
// F32-NOT: tpu.Cast

// neg computes in BF16 (qtable) and sig in INT8, so the input is read as int8 and
// as bf16, so it cannot take one type and stays f32 (warning); the outputs
// are still stripped.
// MIXED: warning: {{.*}}input 'x' is read in several types; it stays f32
// MIXED-LABEL: func.func @main
// MIXED-SAME: (%arg0: tensor<1x2x4x4xf32>
// MIXED-SAME: -> (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078740157480314959>>, tensor<1x2x4x4x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>>)
// MIXED-COUNT-2: tpu.Cast
// MIXED-NOT: tpu.Cast

// TOP: error: strip-io-quant needs a lowered (Tpu) module

module @m attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
    %0 = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %1 = top.Sigmoid %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
    %2 = top.MulConst %0 {const_val = -1.0 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("neg")
    return %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  }
}
