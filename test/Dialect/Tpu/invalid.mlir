// RUN: tpuc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the Tpu ops: type and quantization rules
// of INT8 and float ops, the chip rules of CV18xx (`top.chip = "cv181x"`),
// data movement keeping the type, and the attributes of each op.

//===----------------------------------------------------------------------===//
// Chip rules (CV18xx: symmetric int8, bf16, f32 only in casts)
//===----------------------------------------------------------------------===//

module attributes {top.chip = "cv181x"} {
func.func @cv18xx_zero_point(%a: tensor<2x!quant.uniform<i8:f32, 0.1:3>>) {
  // expected-error @+1 {{'tpu.Relu' op result has zero point 3 but cv181x computes symmetric int8 only}}
  %0 = tpu.Relu %a : (tensor<2x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<2x!quant.uniform<i8:f32, 0.1:3>>
  return
}
}

// -----

module attributes {top.chip = "cv183x"} {
func.func @cv18xx_operand_zero_point(%a: tensor<2x!quant.uniform<i8:f32, 0.1:-5>>) {
  // The result is fine; the operand is asymmetric.
  // expected-error @+1 {{'tpu.Cast' op operand #0 has zero point -5 but cv183x computes symmetric int8 only}}
  %0 = tpu.Cast %a : (tensor<2x!quant.uniform<i8:f32, 0.1:-5>>) -> tensor<2xf32>
  return
}
}

// -----

module attributes {top.chip = "cv181x"} {
func.func @cv18xx_f16(%a: tensor<2xf16>) {
  // expected-error @+1 {{'tpu.Relu' op result is f16 but cv181x has no f16 unit}}
  %0 = tpu.Relu %a : (tensor<2xf16>) -> tensor<2xf16>
  return
}
}

// -----

module attributes {top.chip = "cv180x"} {
func.func @cv18xx_f16_cast(%a: tensor<2xf32>) {
  // Casts may read and write f32, but not f16.
  // expected-error @+1 {{'tpu.Cast' op result is f16 but cv180x has no f16 unit}}
  %0 = tpu.Cast %a : (tensor<2xf32>) -> tensor<2xf16>
  return
}
}

// -----

module attributes {top.chip = "cv181x"} {
func.func @cv18xx_f32(%a: tensor<2xf32>) {
  // expected-error @+1 {{'tpu.Relu' op result is f32 but cv181x computes f32 only in casts at the model boundary}}
  %0 = tpu.Relu %a : (tensor<2xf32>) -> tensor<2xf32>
  return
}
}

// -----

module attributes {top.chip = "cv182x"} {
func.func @cv18xx_f32_operand(%a: tensor<2x3xf32>, %b: tensor<3xbf16>) {
  // expected-error @+1 {{'tpu.Add' op operand #0 is f32 but cv182x computes f32 only in casts at the model boundary}}
  %0 = tpu.Add %a, %b : (tensor<2x3xf32>, tensor<3xbf16>) -> tensor<2x3xbf16>
  return
}
}

// -----

module attributes {top.chip = "cv181x"} {
func.func @cv18xx_calibrated_f32(%a: tensor<2x!quant.calibrated<f32<-1.0:1.0>>>) {
  // A calibrated f32 tensor is still f32.
  // expected-error @+1 {{'tpu.Relu' op result is f32 but cv181x}}
  %0 = tpu.Relu %a : (tensor<2x!quant.calibrated<f32<-1.0:1.0>>>) -> tensor<2x!quant.calibrated<f32<-1.0:1.0>>>
  return
}
}

// -----

module attributes {top.chip = "bm1684x"} {
func.func @bm1684x_allows_everything(%a: tensor<2xf16>, %b: tensor<2xf32>, %c: tensor<2x!quant.uniform<u8:f32, 0.1:7>>) {
  // BM1684X computes f16, f32 and asymmetric int8: no error.
  %0 = tpu.Relu %a : (tensor<2xf16>) -> tensor<2xf16>
  %1 = tpu.Relu %b : (tensor<2xf32>) -> tensor<2xf32>
  %2 = tpu.Relu %c : (tensor<2x!quant.uniform<u8:f32, 0.1:7>>) -> tensor<2x!quant.uniform<u8:f32, 0.1:7>>
  return
}
}

//===----------------------------------------------------------------------===//
// Activations of INT8 and float ops
//===----------------------------------------------------------------------===//

// -----

func.func @int8_float_input(%a: tensor<2x3xbf16>, %b: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Mul' op is INT8 but its operand #0 is 'bf16', not an int8 type}}
  %0 = tpu.Mul %a, %b {multiplier = array<i64: 64>, rshift = array<i64: 6>} : (tensor<2x3xbf16>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @integer_result(%a: tensor<2x3xi32>) {
  // expected-error @+1 {{'tpu.Div' op result type 'i32' is neither int8 nor bf16/f16/f32}}
  %0 = tpu.Div %a, %a : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @float_mismatch(%a: tensor<2x3xbf16>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{'tpu.Div' op computes in 'bf16' but its operand #1 is 'f16'}}
  %0 = tpu.Div %a, %b : (tensor<2x3xbf16>, tensor<2x3xf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @float_reads_int8(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Sub' op computes in 'bf16' but its operand #0 is '!quant.uniform<i8:f32, 1.000000e-01>'}}
  %0 = tpu.Sub %a, %a : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Requantization parameters (multiplier/rshift)
//===----------------------------------------------------------------------===//

// -----

func.func @float_with_multiplier(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.MulConst' op has multiplier/rshift but computes in a float type}}
  %0 = tpu.MulConst %a {const_val = 2.0 : f64, multiplier = array<i64: 1>, rshift = array<i64: 0>} : (tensor<2x3xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @int8_without_multiplier(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.MulConst' op is INT8 but has no multiplier/rshift}}
  %0 = tpu.MulConst %a {const_val = 2.0 : f64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @int8_multiplier_without_shift(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Requant' op is INT8 but has no multiplier/rshift}}
  %0 = tpu.Requant %a {multiplier = array<i64: 3>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.05>>
  return
}

// -----

func.func @multiplier_count_mismatch(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Requant' op has 2 multipliers but 1 shifts}}
  %0 = tpu.Requant %a {multiplier = array<i64: 3, 4>, rshift = array<i64: 1>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.05>>
  return
}

// -----

func.func @multiplier_per_channel_count(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<3x2x1x1xsi8>
  %none = top.None
  // Three output channels: one multiplier or three.
  // expected-error @+1 {{'tpu.Conv2D' op has 2 multipliers, expected 1 or 3}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, multiplier = array<i64: 1073741824, 1073741824>, rshift = array<i64: 1, 1>, quant_mode = "QDM"} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>, tensor<3x2x1x1xsi8>, none) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @rshift_negative(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Requant' op rshift -1 is outside [0, 63]}}
  %0 = tpu.Requant %a {multiplier = array<i64: 3>, rshift = array<i64: -1>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.05>>
  return
}

// -----

func.func @qdm_left_shift_limit(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // QDM may shift left (BM1684X scales >= 1), by at most 31.
  // expected-error @+1 {{'tpu.Requant' op rshift -32 is outside [-31, 63]}}
  %0 = tpu.Requant %a {multiplier = array<i64: 1073741824>, rshift = array<i64: -32>, quant_mode = "QDM"} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.05>>
  return
}

// -----

module attributes {top.chip = "cv181x"} {
func.func @cv18xx_no_left_shift(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<2x2x1x1xsi8>
  %none = top.None
  // CV18xx has no left shift: QDM scales are below 1.
  // expected-error @+1 {{'tpu.Conv2D' op rshift -1 is outside [0, 63]}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, multiplier = array<i64: 1073741824>, rshift = array<i64: -1>, quant_mode = "QDM"} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x2x1x1xsi8>, none) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.01>>
  return
}
}

// -----

func.func @rshift_too_large(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Reduce' op rshift 64 is outside [0, 63]}}
  %0 = tpu.Reduce %a {axes = array<i64: 1>, mode = "ReduceSum", multiplier = array<i64: 1>, rshift = array<i64: 64>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @qdm_multiplier_out_of_range(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // QDM multipliers are int32 values below 2^31 = 2147483648.
  // expected-error @+1 {{'tpu.Requant' op QDM multiplier 2147483648 is outside [0, 2^31)}}
  %0 = tpu.Requant %a {multiplier = array<i64: 2147483648>, rshift = array<i64: 1>, quant_mode = "QDM"} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.05>>
  return
}

// -----

func.func @qdm_multiplier_negative(%x: tensor<2x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<4x5xsi8>
  %none = top.None
  // expected-error @+1 {{'tpu.MatMul' op QDM multiplier -1 is outside [0, 2^31)}}
  %0 = tpu.MatMul %x, %w, %none {multiplier = array<i64: -1>, rshift = array<i64: 1>, quant_mode = "QDM"} : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x5xsi8>, none) -> tensor<2x5x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @int8_multiplier_out_of_range(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // MultiplierShift multipliers are int8: 128 does not fit.
  // expected-error @+1 {{'tpu.MulConst' op multiplier 128 does not fit the int8 multiplier}}
  %0 = tpu.MulConst %a {const_val = 2.0 : f64, multiplier = array<i64: 128>, rshift = array<i64: 6>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @int8_multiplier_too_negative(%a: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Pool2D' op multiplier -129 does not fit the int8 multiplier}}
  %0 = tpu.Pool2D %a {pool_mode = "Avg", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, multiplier = array<i64: -129>, rshift = array<i64: 2>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>>
  return
}

//===----------------------------------------------------------------------===//
// Conv2D, Deconv, MatMul
//===----------------------------------------------------------------------===//

// -----

func.func @conv_window_sizes(%x: tensor<1x2x4x4xbf16>) {
  %w = top.Weight : () -> tensor<3x2x1x1xbf16>
  %none = top.None
  // expected-error @+1 {{'tpu.Conv2D' op needs 2 kernel/stride/dilation values and 4 pads}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xbf16>, none) -> tensor<1x3x4x4xbf16>
  return
}

// -----

func.func @conv_group(%x: tensor<1x2x4x4xbf16>) {
  %w = top.Weight : () -> tensor<3x2x1x1xbf16>
  %none = top.None
  // expected-error @+1 {{'tpu.Conv2D' op group must be positive}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = -1 : i64} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xbf16>, none) -> tensor<1x3x4x4xbf16>
  return
}

// -----

func.func @conv_rank(%x: tensor<2x4x4xbf16>) {
  %w = top.Weight : () -> tensor<3x2x1x1xbf16>
  %none = top.None
  // expected-error @+1 {{'tpu.Conv2D' op needs rank-4 input and filter, got [2,4,4] and [3,2,1,1]}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x4xbf16>, tensor<3x2x1x1xbf16>, none) -> tensor<1x3x4x4xbf16>
  return
}

// -----

func.func @conv_int8_filter_type(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<3x2x1x1xf32>
  %none = top.None
  // expected-error @+1 {{'tpu.Conv2D' op is INT8 but its filter is 'f32', not si8}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, multiplier = array<i64: 1073741824>, rshift = array<i64: 1>, quant_mode = "QDM"} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>, tensor<3x2x1x1xf32>, none) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_int8_bias_type(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<3x2x1x1xsi8>
  %b = top.Weight : () -> tensor<3xf32>
  // expected-error @+1 {{'tpu.Conv2D' op is INT8 but its bias is 'f32', not si32}}
  %0 = tpu.Conv2D %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, multiplier = array<i64: 1073741824>, rshift = array<i64: 1>, quant_mode = "QDM"} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>, tensor<3x2x1x1xsi8>, tensor<3xf32>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @conv_float_filter_type(%x: tensor<1x2x4x4xbf16>) {
  %w = top.Weight : () -> tensor<3x2x1x1xf32>
  %none = top.None
  // BF16 convolutions take bf16 filters (only the bias may stay f32).
  // expected-error @+1 {{'tpu.Conv2D' op computes in 'bf16' but its filter is 'f32'}}
  %0 = tpu.Conv2D %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xf32>, none) -> tensor<1x3x4x4xbf16>
  return
}

// -----

func.func @conv_float_bias_type(%x: tensor<1x2x4x4xbf16>) {
  %w = top.Weight : () -> tensor<3x2x1x1xbf16>
  %b = top.Weight : () -> tensor<3xsi32>
  // expected-error @+1 {{'tpu.Conv2D' op bias must be float, got 'si32'}}
  %0 = tpu.Conv2D %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xbf16>, tensor<3xsi32>) -> tensor<1x3x4x4xbf16>
  return
}

// -----

func.func @conv_bias_size(%x: tensor<1x2x4x4xbf16>) {
  %w = top.Weight : () -> tensor<3x2x1x1xbf16>
  %b = top.Weight : () -> tensor<4xf32>
  // expected-error @+1 {{'tpu.Conv2D' op bias has 4 elements, expected 3}}
  %0 = tpu.Conv2D %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xbf16>, tensor<4xf32>) -> tensor<1x3x4x4xbf16>
  return
}

// -----

func.func @deconv_window_sizes(%x: tensor<1x4x8x8xbf16>) {
  %w = top.Weight : () -> tensor<4x3x2x2xbf16>
  %none = top.None
  // expected-error @+1 {{'tpu.Deconv' op needs 2 kernel/stride/dilation values and 4 pads}}
  %0 = tpu.Deconv %x, %w, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xbf16>, tensor<4x3x2x2xbf16>, none) -> tensor<1x3x16x16xbf16>
  return
}

// -----

func.func @deconv_group(%x: tensor<1x4x8x8xbf16>) {
  %w = top.Weight : () -> tensor<4x3x2x2xbf16>
  %none = top.None
  // expected-error @+1 {{'tpu.Deconv' op group must be positive}}
  %0 = tpu.Deconv %x, %w, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 0 : i64} : (tensor<1x4x8x8xbf16>, tensor<4x3x2x2xbf16>, none) -> tensor<1x3x16x16xbf16>
  return
}

// -----

func.func @deconv_bias_size(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<4x3x2x2xsi8>
  %b = top.Weight : () -> tensor<4xsi32>
  // The output channels of a Deconv are the result's dim 1 (3), not the
  // filter's dim 0.
  // expected-error @+1 {{'tpu.Deconv' op bias has 4 elements, expected 3}}
  %0 = tpu.Deconv %x, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, multiplier = array<i64: 1073741824>, rshift = array<i64: 3>, quant_mode = "QDM"} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x2x2xsi8>, tensor<4xsi32>) -> tensor<1x3x16x16x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @matmul_int8_right(%x: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %r: tensor<4x5xbf16>) {
  %none = top.None
  // expected-error @+1 {{'tpu.MatMul' op is INT8 but its right operand is 'bf16'}}
  %0 = tpu.MatMul %x, %r, %none {multiplier = array<i64: 1073741824>, rshift = array<i64: 1>, quant_mode = "QDM"} : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x5xbf16>, none) -> tensor<2x5x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @matmul_float_right(%x: tensor<2x4xf16>, %r: tensor<4x5xbf16>) {
  %none = top.None
  // expected-error @+1 {{'tpu.MatMul' op computes in 'f16' but its right operand is 'bf16'}}
  %0 = tpu.MatMul %x, %r, %none : (tensor<2x4xf16>, tensor<4x5xbf16>, none) -> tensor<2x5xf16>
  return
}

// -----

func.func @matmul_int8_bias(%x: tensor<2x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<4x5xsi8>
  %b = top.Weight : () -> tensor<5xsi8>
  // expected-error @+1 {{'tpu.MatMul' op is INT8 but its bias is 'si8'}}
  %0 = tpu.MatMul %x, %w, %b {multiplier = array<i64: 1073741824>, rshift = array<i64: 1>, quant_mode = "QDM"} : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x5xsi8>, tensor<5xsi8>) -> tensor<2x5x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @matmul_multiplier_columns(%x: tensor<2x4x!quant.uniform<i8:f32, 0.1>>) {
  %w = top.Weight : () -> tensor<4x5xsi8>
  %none = top.None
  // Per-column parameters need one entry per output column (5).
  // expected-error @+1 {{'tpu.MatMul' op has 4 multipliers, expected 1 or 5}}
  %0 = tpu.MatMul %x, %w, %none {multiplier = array<i64: 1, 2, 3, 4>, rshift = array<i64: 1, 1, 1, 1>, quant_mode = "QDM"} : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x5xsi8>, none) -> tensor<2x5x!quant.uniform<i8:f32, 0.1>>
  return
}

//===----------------------------------------------------------------------===//
// Pool2D, Softmax
//===----------------------------------------------------------------------===//

// -----

func.func @pool_window_sizes(%x: tensor<1x2x4x4xbf16>) {
  // expected-error @+1 {{'tpu.Pool2D' op needs 2 kernel/stride values and 4 pads}}
  %0 = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xbf16>) -> tensor<1x2x2x2xbf16>
  return
}

// -----

func.func @pool_rank(%x: tensor<2x4x4xbf16>) {
  // expected-error @+1 {{'tpu.Pool2D' op needs a rank-4 input}}
  %0 = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x4x4xbf16>) -> tensor<2x2x2xbf16>
  return
}

// -----

func.func @pool_dilations(%x: tensor<1x2x4x4xbf16>) {
  // expected-error @+1 {{'tpu.Pool2D' op needs 2 positive dilations}}
  %0 = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 0, 1>} : (tensor<1x2x4x4xbf16>) -> tensor<1x2x3x3xbf16>
  return
}

// -----

func.func @avgpool_dilations(%x: tensor<1x2x4x4xbf16>) {
  // expected-error @+1 {{'tpu.Pool2D' op dilations apply to max pooling only}}
  %0 = tpu.Pool2D %x {pool_mode = "Avg", kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>} : (tensor<1x2x4x4xbf16>) -> tensor<1x2x2x3xbf16>
  return
}

// -----

func.func @maxpool_multiplier(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Pool2D' op max pooling takes no multiplier/rshift}}
  %0 = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, multiplier = array<i64: 1>, rshift = array<i64: 0>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @maxpool_rescales(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) {
  // Max pooling moves int8 values: the scale cannot change.
  // expected-error @+1 {{'tpu.Pool2D' op moves data, so its result type '!quant.uniform<i8:f32, 5.000000e-02>' must equal its input's '!quant.uniform<i8:f32, 1.000000e-01>'}}
  %0 = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.05>>
  return
}

// -----

func.func @softmax_int8(%x: tensor<2x8x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Softmax' op computes in float modes only, not INT8}}
  %0 = tpu.Softmax %x : (tensor<2x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x8x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x8xbf16>) {
  // expected-error @+1 {{'tpu.Softmax' op axis -3 is out of range}}
  %0 = tpu.Softmax %x {axis = -3 : i64} : (tensor<2x8xbf16>) -> tensor<2x8xbf16>
  return
}

// -----

func.func @softmax_axis_high(%x: tensor<2x8xbf16>) {
  // expected-error @+1 {{'tpu.Softmax' op axis 2 is out of range}}
  %0 = tpu.Softmax %x {axis = 2 : i64} : (tensor<2x8xbf16>) -> tensor<2x8xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// -----

func.func @add_float_with_multipliers(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Add' op has multipliers but computes in a float type}}
  %0 = tpu.Add %a, %a {multipliers = array<i64: 1, 1>} : (tensor<2x3xbf16>, tensor<2x3xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @add_int8_without_multipliers(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Add' op is INT8 and needs 2 multipliers}}
  %0 = tpu.Add %a, %a : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @sub_multiplier_count(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Sub' op is INT8 and needs 2 multipliers}}
  %0 = tpu.Sub %a, %a {multipliers = array<i64: 64>, rshift = 6 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @add_multiplier_range(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Add' op multiplier 200 does not fit the int8 multiplier}}
  %0 = tpu.Add %a, %a {multipliers = array<i64: 64, 200>, rshift = 6 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @add_rshift_range(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Add' op rshift 32 is outside [0, 31]}}
  %0 = tpu.Add %a, %a {multipliers = array<i64: 64, 64>, rshift = 32 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @add_int8_reads_float(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Add' op is INT8 but its operand #1 is 'bf16', not an int8 type}}
  %0 = tpu.Add %a, %b {multipliers = array<i64: 64, 64>, rshift = 6 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3xbf16>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @div_int8(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Div' op computes in float modes only, not INT8}}
  %0 = tpu.Div %a, %a : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @max_scales(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3x!quant.uniform<i8:f32, 0.05>>) {
  // expected-error @+1 {{'tpu.Max' op compares stored int8 values, so both inputs need one type; got '!quant.uniform<i8:f32, 1.000000e-01>' and '!quant.uniform<i8:f32, 5.000000e-02>'}}
  %0 = tpu.Max %a, %b : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.05>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @min_scales(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3x!quant.uniform<u8:f32, 0.1>>) {
  // Signed and unsigned codes of one scale still differ.
  // expected-error @+1 {{'tpu.Min' op compares stored int8 values, so both inputs need one type}}
  %0 = tpu.Min %a, %b : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<u8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @compare_scales(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3x!quant.uniform<i8:f32, 0.05>>) {
  // expected-error @+1 {{'tpu.Compare' op compares stored int8 values, so both inputs need one type; got '!quant.uniform<i8:f32, 1.000000e-01>' and '!quant.uniform<i8:f32, 5.000000e-02>'}}
  %0 = tpu.Compare %a, %b {mode = "Equal"} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.05>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return
}

// -----

func.func @where_operand(%c: tensor<2x3xbf16>, %x: tensor<2x3xf16>) {
  // expected-error @+1 {{'tpu.Where' op computes in 'bf16' but its x is 'f16'}}
  %0 = tpu.Where %c, %x, %c : (tensor<2x3xbf16>, tensor<2x3xf16>, tensor<2x3xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @where_y(%c: tensor<2x3x!quant.uniform<i8:f32, 1.0>>, %x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>, %y: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Where' op is INT8 but its y is 'bf16', not an int8 type}}
  %0 = tpu.Where %c, %x, %y : (tensor<2x3x!quant.uniform<i8:f32, 1.0>>, tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3xbf16>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @addconst_int8(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // INT8 additions of constants are lookup tables.
  // expected-error @+1 {{'tpu.AddConst' op computes in float modes only, not INT8}}
  %0 = tpu.AddConst %a {const_val = 1.0 : f64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @relu_rescales(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Relu' op moves data, so its result type '!quant.uniform<u8:f32, 5.000000e-02>' must equal its input's '!quant.uniform<i8:f32, 1.000000e-01>'}}
  %0 = tpu.Relu %a : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<u8:f32, 0.05>>
  return
}

// -----

func.func @relu_float_type(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Relu' op moves data, so its result type 'f16' must be its input's 'bf16'}}
  %0 = tpu.Relu %a : (tensor<2x3xbf16>) -> tensor<2x3xf16>
  return
}

// -----

func.func @prelu_slope_count(%a: tensor<1x3x4xbf16>) {
  %s = top.Weight : () -> tensor<4xbf16>
  // expected-error @+1 {{'tpu.PRelu' op slope needs 3 values}}
  %0 = tpu.PRelu %a, %s : (tensor<1x3x4xbf16>, tensor<4xbf16>) -> tensor<1x3x4xbf16>
  return
}

// -----

func.func @prelu_int8_slope(%a: tensor<1x3x4x!quant.uniform<i8:f32, 0.1>>) {
  %s = top.Weight : () -> tensor<3xf32>
  // expected-error @+1 {{'tpu.PRelu' op is INT8 but its slope is not si8}}
  %0 = tpu.PRelu %a, %s {rshift = 7 : i64} : (tensor<1x3x4x!quant.uniform<i8:f32, 0.1>>, tensor<3xf32>) -> tensor<1x3x4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @prelu_shift(%a: tensor<1x3x4x!quant.uniform<i8:f32, 0.1>>) {
  %s = top.Weight : () -> tensor<3xsi8>
  // expected-error @+1 {{'tpu.PRelu' op shifts must lie in [0, 31]}}
  %0 = tpu.PRelu %a, %s {rshift = 7 : i64, rshift_pos = -1 : i64} : (tensor<1x3x4x!quant.uniform<i8:f32, 0.1>>, tensor<3xsi8>) -> tensor<1x3x4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @active_int8(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // INT8 functions are lookup tables (tpu.Lut).
  // expected-error @+1 {{'tpu.Active' op computes in float modes only, not INT8}}
  %0 = tpu.Active %a {mode = "Sigmoid"} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @active_coeffs(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Active' op HardSigmoid takes 2 coefficients, got 1}}
  %0 = tpu.Active %a {mode = "HardSigmoid", coeffs = array<f64: 0.2>} : (tensor<2x3xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @active_no_coeffs(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Active' op Sigmoid takes 0 coefficients, got 1}}
  %0 = tpu.Active %a {mode = "Sigmoid", coeffs = array<f64: 1.0>} : (tensor<2x3xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @active_mode(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Active' op attribute 'mode' failed to satisfy constraint}}
  %0 = tpu.Active %a {mode = "Swish"} : (tensor<2x3xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @lut_float(%a: tensor<2x3xbf16>) {
  %t = top.Weight : () -> tensor<256xsi8>
  // expected-error @+1 {{'tpu.Lut' op maps int8 codes to int8 values: input and result must be 8-bit}}
  %0 = tpu.Lut %a, %t : (tensor<2x3xbf16>, tensor<256xsi8>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @lut_table_size(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  %t = top.Weight : () -> tensor<255xsi8>
  // expected-error @+1 {{'tpu.Lut' op table needs 256 entries}}
  %0 = tpu.Lut %a, %t : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<255xsi8>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @lut_table_type(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  %t = top.Weight : () -> tensor<256xf32>
  // expected-error @+1 {{'tpu.Lut' op table must hold 8-bit values}}
  %0 = tpu.Lut %a, %t : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<256xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @lutbf16_result(%a: tensor<2x3xbf16>) {
  %t = top.Weight : () -> tensor<256xbf16>
  // expected-error @+1 {{'tpu.LutBF16' op result must be bf16}}
  %0 = tpu.LutBF16 %a, %t, %t : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xf16>
  return
}

// -----

func.func @lutbf16_input(%a: tensor<2x3xf32>) {
  %t = top.Weight : () -> tensor<256xbf16>
  // expected-error @+1 {{'tpu.LutBF16' op input must be bf16}}
  %0 = tpu.LutBF16 %a, %t, %t : (tensor<2x3xf32>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @lutbf16_table_size(%a: tensor<2x3xbf16>) {
  %t = top.Weight : () -> tensor<256xbf16>
  %s = top.Weight : () -> tensor<128xbf16>
  // expected-error @+1 {{'tpu.LutBF16' op tables must be 256 bf16 values}}
  %0 = tpu.LutBF16 %a, %t, %s : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<128xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @lutbf16_table_type(%a: tensor<2x3xbf16>) {
  %t = top.Weight : () -> tensor<256xf32>
  %s = top.Weight : () -> tensor<256xbf16>
  // expected-error @+1 {{'tpu.LutBF16' op tables must be 256 bf16 values}}
  %0 = tpu.LutBF16 %a, %t, %s : (tensor<2x3xbf16>, tensor<256xf32>, tensor<256xbf16>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @lutbf16_range(%a: tensor<2x3xbf16>) {
  %t = top.Weight : () -> tensor<256xbf16>
  // expected-error @+1 {{'tpu.LutBF16' op min_range must be below max_range}}
  %0 = tpu.LutBF16 %a, %t, %t {min_range = 4.0 : f64, max_range = 4.0 : f64} : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Data movement keeps the element type
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_count(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Reshape' op cannot reshape [2,3] to [7]}}
  %0 = tpu.Reshape %a : (tensor<2x3xbf16>) -> tensor<7xbf16>
  return
}

// -----

func.func @reshape_rescales(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Reshape' op moves data, so its result type '!quant.uniform<i8:f32, 2.000000e-01>' must equal its input's '!quant.uniform<i8:f32, 1.000000e-01>'}}
  %0 = tpu.Reshape %a : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<6x!quant.uniform<i8:f32, 0.2>>
  return
}

// -----

func.func @reshape_dequantizes(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Reshape' op moves data, so its result type 'bf16' must equal its input's '!quant.uniform<i8:f32, 1.000000e-01>'}}
  %0 = tpu.Reshape %a : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<6xbf16>
  return
}

// -----

func.func @permute_order(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Permute' op order has 3 entries for a rank-2 input}}
  %0 = tpu.Permute %a {order = array<i64: 2, 1, 0>} : (tensor<2x3xbf16>) -> tensor<3x2xbf16>
  return
}

// -----

func.func @permute_type(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Permute' op moves data, so its result type 'f16' must be its input's 'bf16'}}
  %0 = tpu.Permute %a {order = array<i64: 1, 0>} : (tensor<2x3xbf16>) -> tensor<3x2xf16>
  return
}

// -----

func.func @slice_lengths(%a: tensor<4x6xbf16>) {
  // expected-error @+1 {{'tpu.Slice' op starts, ends, steps and axes need equal lengths}}
  %0 = tpu.Slice %a {starts = array<i64: 0, 0>, ends = array<i64: 2>, steps = array<i64: 1>, axes = array<i64: 0>} : (tensor<4x6xbf16>) -> tensor<2x6xbf16>
  return
}

// -----

func.func @slice_step(%a: tensor<4x6xbf16>) {
  // expected-error @+1 {{'tpu.Slice' op steps must be non-zero}}
  %0 = tpu.Slice %a {starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 0>, axes = array<i64: 0>} : (tensor<4x6xbf16>) -> tensor<2x6xbf16>
  return
}

// -----

func.func @slice_type(%a: tensor<4x6x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Slice' op moves data}}
  %0 = tpu.Slice %a {starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>, axes = array<i64: 0>} : (tensor<4x6x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x6x!quant.uniform<i8:f32, 0.1:1>>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{'tpu.Concat' op needs at least one input}}
  %0 = tpu.Concat {axis = 0 : i64} : () -> tensor<2xbf16>
  return
}

// -----

func.func @concat_float_multipliers(%a: tensor<2xbf16>) {
  // expected-error @+1 {{'tpu.Concat' op has multipliers but computes in a float type}}
  %0 = tpu.Concat %a, %a {axis = 0 : i64, rshifts = array<i64: 0, 0>} : (tensor<2xbf16>, tensor<2xbf16>) -> tensor<4xbf16>
  return
}

// -----

func.func @concat_int8_needs_multipliers(%a: tensor<2x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Concat' op is INT8 and needs 2 multipliers and rshifts}}
  %0 = tpu.Concat %a, %a {axis = 0 : i64, multipliers = array<i64: 1, 1>} : (tensor<2x!quant.uniform<i8:f32, 0.1>>, tensor<2x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @concat_multiplier_range(%a: tensor<2x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Concat' op multiplier 128 does not fit the int8 multiplier}}
  %0 = tpu.Concat %a, %a {axis = 0 : i64, multipliers = array<i64: 1, 128>, rshifts = array<i64: 0, 7>} : (tensor<2x!quant.uniform<i8:f32, 0.1>>, tensor<2x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @concat_rshift_range(%a: tensor<2x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Concat' op rshift -2 is outside [0, 31]}}
  %0 = tpu.Concat %a, %a {axis = 0 : i64, multipliers = array<i64: 1, 1>, rshifts = array<i64: 0, -2>} : (tensor<2x!quant.uniform<i8:f32, 0.1>>, tensor<2x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @concat_mixed(%a: tensor<2x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2xbf16>) {
  // expected-error @+1 {{'tpu.Concat' op is INT8 but its operand #1 is 'bf16', not an int8 type}}
  %0 = tpu.Concat %a, %b {axis = 0 : i64, multipliers = array<i64: 1, 1>, rshifts = array<i64: 0, 0>} : (tensor<2x!quant.uniform<i8:f32, 0.1>>, tensor<2xbf16>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @tile_type(%a: tensor<2xbf16>) {
  // expected-error @+1 {{'tpu.Tile' op moves data, so its result type 'f32' must be its input's 'bf16'}}
  %0 = tpu.Tile %a {repeats = array<i64: 2>} : (tensor<2xbf16>) -> tensor<4xf32>
  return
}

// -----

func.func @pad_count(%a: tensor<2x3xbf16>) {
  // expected-error @+1 {{'tpu.Pad' op needs 4 paddings}}
  %0 = tpu.Pad %a {paddings = array<i64: 1, 1>} : (tensor<2x3xbf16>) -> tensor<4x3xbf16>
  return
}

// -----

func.func @upsample_scale(%a: tensor<1x2x3x3xbf16>) {
  // expected-error @+1 {{'tpu.Upsample' op scales must be positive}}
  %0 = tpu.Upsample %a {scale_h = 0 : i64, scale_w = 2 : i64} : (tensor<1x2x3x3xbf16>) -> tensor<1x2x3x6xbf16>
  return
}

// -----

func.func @upsample_negative_scale(%a: tensor<1x2x3x3xbf16>) {
  // expected-error @+1 {{'tpu.Upsample' op scales must be positive}}
  %0 = tpu.Upsample %a {scale_h = 1 : i64, scale_w = -2 : i64} : (tensor<1x2x3x3xbf16>) -> tensor<1x2x3x6xbf16>
  return
}

// -----

func.func @interp_scale(%a: tensor<1x2x3x3xbf16>) {
  // expected-error @+1 {{'tpu.Interp' op scales must be positive}}
  %0 = tpu.Interp %a {mode = "linear", coord_mode = "half_pixel", scale_h = 2.0 : f64, scale_w = -1.0 : f64} : (tensor<1x2x3x3xbf16>) -> tensor<1x2x6x3xbf16>
  return
}

// -----

func.func @interp_rescales(%a: tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Interp' op moves data}}
  %0 = tpu.Interp %a {mode = "linear", coord_mode = "half_pixel", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x6x6x!quant.uniform<i8:f32, 0.2>>
  return
}

// -----

func.func @depth2space_block(%a: tensor<1x4x3x3xbf16>) {
  // expected-error @+1 {{'tpu.Depth2Space' op block sizes must be positive}}
  %0 = tpu.Depth2Space %a {block_h = 2 : i64, block_w = 0 : i64} : (tensor<1x4x3x3xbf16>) -> tensor<1x1x6x6xbf16>
  return
}

// -----

func.func @gather_type(%a: tensor<4x3xbf16>) {
  %i = top.Weight : () -> tensor<2xi64>
  // expected-error @+1 {{'tpu.Gather' op moves data, so its result type 'f16' must be its input's 'bf16'}}
  %0 = tpu.Gather %a, %i : (tensor<4x3xbf16>, tensor<2xi64>) -> tensor<2x3xf16>
  return
}

// -----

func.func @swap_channel_count(%a: tensor<1x3x2x2xbf16>) {
  // expected-error @+1 {{'tpu.SwapChannel' op channel_order needs one entry per channel}}
  %0 = tpu.SwapChannel %a {channel_order = array<i64: 1, 0>} : (tensor<1x3x2x2xbf16>) -> tensor<1x3x2x2xbf16>
  return
}

// -----

func.func @swap_channel_range(%a: tensor<1x3x2x2xbf16>) {
  // expected-error @+1 {{'tpu.SwapChannel' op channel 3 does not exist}}
  %0 = tpu.SwapChannel %a {channel_order = array<i64: 2, 1, 3>} : (tensor<1x3x2x2xbf16>) -> tensor<1x3x2x2xbf16>
  return
}

// -----

func.func @reduce_max_multiplier(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Reduce' op ReduceMax takes no multiplier/rshift}}
  %0 = tpu.Reduce %a {axes = array<i64: 1>, mode = "ReduceMax", multiplier = array<i64: 1>, rshift = array<i64: 0>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @reduce_min_rescales(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Reduce' op moves data}}
  %0 = tpu.Reduce %a {axes = array<i64: 1>, mode = "ReduceMin"} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1x!quant.uniform<i8:f32, 0.2>>
  return
}

// -----

func.func @reduce_prod_int8(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'tpu.Reduce' op ReduceProd computes in float modes only}}
  %0 = tpu.Reduce %a {axes = array<i64: 1>, mode = "ReduceProd", multiplier = array<i64: 1>, rshift = array<i64: 0>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1x!quant.uniform<i8:f32, 0.1>>
  return
}

//===----------------------------------------------------------------------===//
// Type conversions and preprocessing
//===----------------------------------------------------------------------===//

// -----

func.func @cast_integer(%a: tensor<2xi32>) {
  // expected-error @+1 {{'tpu.Cast' op converts between int8 and float types, not 'i32' to 'f32'}}
  %0 = tpu.Cast %a : (tensor<2xi32>) -> tensor<2xf32>
  return
}

// -----

func.func @cast_to_integer(%a: tensor<2xf32>) {
  // expected-error @+1 {{'tpu.Cast' op converts between int8 and float types, not 'f32' to 'si8'}}
  %0 = tpu.Cast %a : (tensor<2xf32>) -> tensor<2xsi8>
  return
}

// -----

func.func @cast_shape(%a: tensor<2xf32>) {
  // expected-error @+1 {{'tpu.Cast' op keeps the shape}}
  %0 = tpu.Cast %a : (tensor<2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @requant_float(%a: tensor<2xbf16>) {
  // expected-error @+1 {{'tpu.Requant' op rescales int8 to int8}}
  %0 = tpu.Requant %a {multiplier = array<i64: 1>, rshift = array<i64: 0>} : (tensor<2xbf16>) -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @scalelut_rank(%a: tensor<6x!quant.uniform<u8:f32, 1.0>>) {
  %t = top.Weight : () -> tensor<256xsi8>
  // expected-error @+1 {{'tpu.ScaleLut' op needs channels in dim 1}}
  %0 = tpu.ScaleLut %a, %t : (tensor<6x!quant.uniform<u8:f32, 1.0>>, tensor<256xsi8>) -> tensor<6x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @scalelut_float(%a: tensor<1x3x2x2xbf16>) {
  %t = top.Weight : () -> tensor<3x256xsi8>
  // expected-error @+1 {{'tpu.ScaleLut' op maps 8-bit pixels to int8}}
  %0 = tpu.ScaleLut %a, %t : (tensor<1x3x2x2xbf16>, tensor<3x256xsi8>) -> tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @scalelut_table(%a: tensor<1x3x2x2x!quant.uniform<u8:f32, 1.0>>) {
  %t = top.Weight : () -> tensor<256xsi8>
  // Three channels need 3 * 256 entries.
  // expected-error @+1 {{'tpu.ScaleLut' op table needs 256 entries per channel}}
  %0 = tpu.ScaleLut %a, %t : (tensor<1x3x2x2x!quant.uniform<u8:f32, 1.0>>, tensor<256xsi8>) -> tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @scale_int8(%a: tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>) {
  %s = top.Weight : () -> tensor<3xbf16>
  // expected-error @+1 {{'tpu.Scale' op computes in float modes only, not INT8}}
  %0 = tpu.Scale %a, %s, %s : (tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>, tensor<3xbf16>, tensor<3xbf16>) -> tensor<1x3x2x2x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @scale_count(%a: tensor<1x3x2x2xbf16>) {
  %s = top.Weight : () -> tensor<3xbf16>
  %b = top.Weight : () -> tensor<1xbf16>
  // expected-error @+1 {{'tpu.Scale' op scale and bias need 3 values}}
  %0 = tpu.Scale %a, %s, %b : (tensor<1x3x2x2xbf16>, tensor<3xbf16>, tensor<1xbf16>) -> tensor<1x3x2x2xbf16>
  return
}

// -----

module attributes {top.chip = "cv181x"} {
func.func @arg_chip(%a: tensor<2x3xf16>) {
  // Arg only checks the chip's types.
  // expected-error @+1 {{'tpu.Arg' op operand #0 is f16 but cv181x has no f16 unit}}
  %0 = tpu.Arg %a {axis = 1 : i64, mode = "ArgMax"} : (tensor<2x3xf16>) -> tensor<2x1xsi32>
  return
}
}

// -----

module attributes {top.chip = "cv181x"} {
func.func @weights_skip_chip_check(%x: tensor<1x2x4x4xbf16>) {
  // f32 biases (weights) are read by the op, not computed: no error.
  %w = top.Weight : () -> tensor<3x2x1x1xbf16>
  %b = top.Weight : () -> tensor<3xf32>
  %0 = tpu.Conv2D %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xbf16>, tensor<3x2x1x1xbf16>, tensor<3xf32>) -> tensor<1x3x4x4xbf16>
  return
}
}
