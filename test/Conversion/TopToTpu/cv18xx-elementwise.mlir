// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/elementwise.cali" --convert-top-to-tpu 2>&1 | FileCheck %s

// INT8 elementwise ops on CV18xx. Inputs: a (th 2, s_a = 2/127), b (th 1,
// s_b = 1/127). Int8 multipliers use the largest shift whose rounded
// multiplier still fits 127 (relative error below 1/128).

// Where has no INT8 form: it falls back to BF16, reported once.
// CHECK: remark: 1 ops are not INT8: Where x1 (BF16: no INT8 implementation; where)

// CHECK: %[[A:.*]] = tpu.Cast %{{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("a_i8")
// CHECK: %[[B:.*]] = tpu.Cast %{{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.0078740157480314959>> loc("b_i8")

// add (th 3): qscale_a = s_a/s_y = 2/3, qscale_b = 1/3. The shared shift
// comes from 2/3: 2/3 * 2^7 = 85.3 fits, 2/3 * 2^8 = 170.7 does not ->
// rshift 7, multipliers round(85.33) = 85 and round(42.67) = 43.
// CHECK: tpu.Add %[[A]], %[[B]] {multipliers = array<i64: 85, 43>, rshift = 7 : i64} : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.023622047244094488>> loc("add")
// CHECK: tpu.Add %[[A]], %[[B]] {do_relu = true, multipliers = array<i64: 85, 43>, rshift = 7 : i64} {{.*}} loc("add_relu")

// sub (th 2.5): 0.8 * 2^7 = 102.4 -> 102, 0.4 * 2^7 = 51.2 -> 51.
// CHECK: tpu.Sub %[[A]], %[[B]] {multipliers = array<i64: 102, 51>, rshift = 7 : i64} : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.01968503937007874>> loc("sub")

// mul (th 1.5): qscale = s_a * s_b / s_y = (2/127)(1/127)/(1.5/127) =
// 0.0104987; * 2^13 = 86.005 -> 86 (2^14 gives 172).
// CHECK: tpu.Mul %[[A]], %[[B]] {multiplier = array<i64: 86>, rshift = array<i64: 13>} : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.011811023622047244>> loc("mul")

// mulconst (x 0.5, th 1): qscale = 0.5 * (2/127)/(1/127) = 1.0 -> 64 >> 6.
// CHECK: tpu.MulConst %[[A]] {const_val = 5.000000e-01 : f64, multiplier = array<i64: 64>, rshift = array<i64: 6>} {{.*}} loc("mulconst")

// Division by the constant 2 is a product with 0.5, quantized with its own
// scale 0.5/127 (code 127): qscale = (2/127)(0.5/127)/(1/127) = 1/127;
// 1/127 * 2^14 = 129.0 does not fit, * 2^13 = 64.504 -> 65.
// CHECK: %[[R:.*]] = top.Weight {value = dense<1.270000e+02> : tensor<1x1xf32>} : () -> tensor<1x1x!quant.uniform<i8:f32, 0.003937007874015748>> loc("two_reciprocal_i8")
// CHECK: tpu.Mul %[[A]], %[[R]] {multiplier = array<i64: 65>, rshift = array<i64: 13>} {{.*}} loc("div")

// max (th 2) compares stored codes of one scale: b is requantized to a's
// scale, s_b / s_a = 0.5 -> 64 >> 7.
// CHECK: %[[BR:.*]] = tpu.Requant %[[B]] {multiplier = array<i64: 64>, rshift = array<i64: 7>} : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("b_i8_requant")
// CHECK: tpu.Max %[[A]], %[[BR]] : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.015748031496062992>> loc("max")
// min (th 1): a to b's scale, s_a / s_b = 2 -> 64 >> 5.
// CHECK: %[[AR:.*]] = tpu.Requant %[[A]] {multiplier = array<i64: 64>, rshift = array<i64: 5>} {{.*}} loc("a_i8_requant")
// CHECK: tpu.Min %[[AR]], %[[B]] {{.*}} loc("min")
// compare brings rhs to lhs's type (the requant of max is reused) and gives
// 0/1 as int8 of scale 1.
// CHECK: tpu.Compare %[[A]], %[[BR]] {mode = "Greater"} : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 1.000000e+00>> loc("cmp")

// addconst (x + 1, th 3) is a lookup table: entry c holds
// round((c * 2/127 + 1) / (3/127)) = round((2c + 127) / 3):
// c = 0..3 -> 42.3, 43, 43.7, 44.3 -> 42, 43, 44, 44 (0x42280000 = 42.0 ...).
// CHECK: top.Weight {value = dense<"0x0000284200002C42000030420000304200003442{{.*}}"> : tensor<256xf32>} : () -> tensor<256xsi8> loc("addconst_table")
// CHECK: tpu.Lut %[[A]], %{{.*}} : {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.023622047244094488>> loc("addconst")

// The BF16 fallback reads its operands in bf16.
// CHECK: tpu.Where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x!quant.calibrated<bf16<{{.*}}>>>, tensor<1x4x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>>, tensor<1x4x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>>) -> tensor<1x4x!quant.calibrated<bf16<-2.000000e+00:2.000000e+00>>> loc("where")

// A constant operand is quantized with its own symmetric scale: w = [0.5,
// -0.25, 0.125, 0] has th 0.5 -> codes 127, -63.5 -> -64 (half away from
// zero), 31.75 -> 32, 0. Multipliers for th 2.5: s_a/s_y = 0.8 -> 102,
// s_w/s_y = 0.2 -> 25.6 -> 26, rshift 7.
// CHECK: %[[W:.*]] = top.Weight {value = dense<{{\[\[}}1.270000e+02, -6.400000e+01, 3.200000e+01, 0.000000e+00]]> : tensor<1x4xf32>} : () -> tensor<1x4x!quant.uniform<i8:f32, 0.003937007874015748>> loc("w_i8")
// CHECK: tpu.Add %[[A]], %[[W]] {multipliers = array<i64: 102, 26>, rshift = 7 : i64} {{.*}} loc("add_w")

module @ew attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
    %a = top.Input %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("a")
    %b = top.Input %arg1 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("b")
    %0 = top.Add %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add")
    %1 = top.Add %a, %b {do_relu = true} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add_relu")
    %2 = top.Sub %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("sub")
    %3 = top.Mul %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("mul")
    %4 = top.MulConst %a {const_val = 0.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("mulconst")
    %two = top.Weight {value = dense<2.0> : tensor<1x1xf32>} : () -> tensor<1x1xf32> loc("two")
    %5 = top.Div %a, %two : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32> loc("div")
    %6 = top.Max %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("max")
    %7 = top.Min %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("min")
    %8 = top.Compare %a, %b {mode = "Greater"} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("cmp")
    %9 = top.AddConst %a {const_val = 1.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("addconst")
    %10 = top.Where %8, %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("where")
    %w = top.Weight {value = dense<[[0.5, -0.25, 0.125, 0.0]]> : tensor<1x4xf32>} : () -> tensor<1x4xf32> loc("w")
    %11 = top.Add %a, %w : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add_w")
    return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
  }
}
