// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/qtable.cali" --convert-top-to-tpu="qtable=%S/Inputs/mixed.qtable" 2>&1 | FileCheck %s --check-prefix=CV
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x" --import-calibration-table="file=%S/Inputs/qtable.cali" --convert-top-to-tpu="qtable=%S/Inputs/bm1684x.qtable" 2>&1 | FileCheck %s --check-prefix=BM
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/qtable.cali" --convert-top-to-tpu="qtable=%S/Inputs/bad_mode.qtable" 2>&1 | FileCheck %s --check-prefix=BADMODE
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/qtable.cali" --convert-top-to-tpu="qtable=%S/Inputs/bad_fields.qtable" 2>&1 | FileCheck %s --check-prefix=BADFIELDS
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/qtable.cali" --convert-top-to-tpu="qtable=%S/Inputs/no_such.qtable" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu="qtable=%S/Inputs/int8.qtable" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/qtable.cali" --convert-top-to-tpu="qtable=%S/Inputs/ghost.qtable" 2>&1 | FileCheck %s --check-prefix=GHOST

// Mixed precision from a quantization table (run_qtable's format: `#`
// comment lines, `name MODE` lines with spaces or tabs, any case; lone names
// are ignored). Casts appear where neighbours compute in different types
// and carry the calibrated range, so int8 consumers of float producers
// keep their scales.

// mixed.qtable: sig BF16, add f32 (-> BF16 on CV18xx) and "lonely"
// (ignored).
// CV-NOT: warning
// CV: %[[C1:.*]] = tpu.Conv2D {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031496062992125984>> loc("conv1")
// An int8 -> bf16 cast keeps the int8 range: [-128, 127] * 4/127.
// CV: %[[C1B:.*]] = tpu.Cast %[[C1]] : {{.*}} -> tensor<1x2x4x4x!quant.calibrated<bf16<-4.0314960629921259:4.000000e+00>>> loc("conv1_bf16")
// CV: %[[SIG:.*]] = tpu.LutBF16 %[[C1B]], {{.*}} -> tensor<1x2x4x4x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>> loc("sig")
// conv2 is INT8 again: its input is cast with sig's range [-1, 1] (1/127).
// CV: %[[SIGQ:.*]] = tpu.Cast %[[SIG]] : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("sig_i8")
// qscale = (1/127)(0.5/127)/(3/127) = 0.0013123 = 0.671916 * 2^-9 ->
// m = 1442928645, rshift 9 (8 for the channel with max|W| = 1).
// CV: %[[C2:.*]] = tpu.Conv2D %[[SIGQ]], {{.*}}multiplier = array<i64: 1442928645, 1442928645>{{.*}}rshift = array<i64: 9, 8>{{.*}} loc("conv2")
// CV: %[[C2B:.*]] = tpu.Cast %[[C2]] : {{.*}} loc("conv2_bf16")
// The bf16 copy of conv1 made for sig is reused.
// CV: tpu.Add %[[C2B]], %[[C1B]] : {{.*}} -> tensor<1x2x4x4x!quant.calibrated<bf16<-5.000000e+00:5.000000e+00>>> loc("add")
// CV-NOT: f32<

// BM1684X: conv1 F16 and add F32 as asked.
// BM: %[[X:.*]] = tpu.Cast %{{.*}} -> tensor<1x2x4x4x!quant.calibrated<f16<-2.000000e+00:2.000000e+00>>> loc("x_f16")
// BM: %[[C1:.*]] = tpu.Conv2D %[[X]], {{.*}} -> tensor<1x2x4x4x!quant.calibrated<f16<-4.000000e+00:4.000000e+00>>> loc("conv1")
// BM: tpu.Cast %[[C1]] : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031496062992125984>> loc("conv1_i8")
// sig is [0, 1]: u8 of 1/255; conv2's qscale (1/255)(0.5/127)/(3/127) =
// 0.00065359 = 0.669281 * 2^-10 -> m = 1437270102, rshift 10.
// BM: tpu.Lut {{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0039215686274509803>> loc("sig")
// BM: tpu.Conv2D {{.*}}multiplier = array<i64: 1437270102, 1437270102>{{.*}}rshift = array<i64: 10, 9>{{.*}} loc("conv2")
// BM: tpu.Add {{.*}} : (tensor<1x2x4x4x!quant.calibrated<f32<-3.0236220472440944:3.000000e+00>>>, tensor<1x2x4x4x!quant.calibrated<f32<-4.000000e+00:4.000000e+00>>>) -> tensor<1x2x4x4x!quant.calibrated<f32<-5.000000e+00:5.000000e+00>>> loc("add")

// Parse errors name the file and line and stop the pass.
// BADMODE: error: {{.*}}bad_mode.qtable:4: expected `op_name MODE` (MODE one of INT8, BF16, F16, F32), got 'sig BF17'
// BADMODE-NOT: TPU_LOWERED
// BADFIELDS: error: {{.*}}bad_fields.qtable:1: expected `op_name MODE` (MODE one of INT8, BF16, F16, F32), got 'conv1 BF16 extra'
// MISSING: error: {{.*}}no_such.qtable: cannot read: No such file or directory
// Names that are no op of the model are an error naming them: what the
// table meant to keep float would silently stay INT8.
// GHOST: error: {{.*}}ghost.qtable: 2 names are no op of this model (ghost, phantom); was the table made for another model?
// GHOST-NOT: TPU_LOWERED
// An INT8 entry needs a calibrated module, even in a BF16 model.
// UNCALIBRATED: error: INT8 needs a calibrated module: run --import-calibration-table (a table from run_calibration) first

module @qt attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
    %none = top.None loc("none")
    %x = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %w = top.Weight {value = dense<[[[[0.5]], [[0.25]]], [[[-1.0]], [[0.125]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("w")
    %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv1")
    %1 = top.Sigmoid %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
    %2 = top.Conv %1, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv2")
    %3 = top.Add %2, %0 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
    return %3 : tensor<1x2x4x4xf32>
  }
}
