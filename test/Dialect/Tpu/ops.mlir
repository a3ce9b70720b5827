// RUN: tpuc-opt %s | tpuc-opt | FileCheck %s
// RUN: tpuc-opt %s --mlir-print-op-generic | tpuc-opt | FileCheck %s
// RUN: tpuc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Every Tpu op parses, verifies, prints and parses again, in the custom and
// the generic form, in INT8 (symmetric, unsigned and asymmetric types) and
// in the float modes. The module names no chip, so every storage type is
// allowed; chip restrictions are tested in invalid.mlir and in the chip
// module at the end.

// GENERIC: "tpu.Conv2D"
// GENERIC: "tpu.LutBF16"
// GENERIC: "tpu.Requant"

!s8 = !quant.uniform<i8:f32, 0.1>
!s8b = !quant.uniform<i8:f32, 0.05>
!u8 = !quant.uniform<u8:f32, 0.02>
!a8 = !quant.uniform<i8:f32, 0.05:-3>

module @ops attributes {top.state = "TPU_LOWERED"} {

// CHECK-LABEL: func.func @nn_int8
func.func @nn_int8(%x: tensor<1x4x8x8x!s8>, %m: tensor<2x3x4x!s8>) {
  %none = top.None loc("none")
  %w = top.Weight : () -> tensor<6x2x3x3xsi8> loc("conv_w")
  %b = top.Weight : () -> tensor<6xsi32> loc("conv_b")
  // CHECK: tpu.Conv2D %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, do_relu = true, group = 2 : i64, kernel_shape = array<i64: 3, 3>, multiplier = array<i64: 1082196484, 1082196484, 1073741824, 1073741824, 2147483647, 1073741824>, pads = array<i64: 1, 1, 1, 1>, quant_mode = "QDM", round_mode = "HalfUp", rshift = array<i64: 8, 7, 0, 1, 2, 63>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<6x2x3x3xsi8>, tensor<6xsi32>) -> tensor<1x6x8x8x!quant.uniform<i8:f32, 5.000000e-02>>
  %0 = tpu.Conv2D %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, do_relu = true, multiplier = array<i64: 1082196484, 1082196484, 1073741824, 1073741824, 2147483647, 1073741824>, rshift = array<i64: 8, 7, 0, 1, 2, 63>, quant_mode = "QDM", round_mode = "HalfUp"} : (tensor<1x4x8x8x!s8>, tensor<6x2x3x3xsi8>, tensor<6xsi32>) -> tensor<1x6x8x8x!s8b> loc("conv")
  %dw = top.Weight : () -> tensor<4x3x2x2xsi8> loc("deconv_w")
  // CHECK: tpu.Deconv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, multiplier = array<i64: 1073741824>, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, quant_mode = "QDM", rshift = array<i64: 3>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<4x3x2x2xsi8>, none) -> tensor<1x3x17x17x!quant.uniform<i8:f32, 1.000000e-01>>
  %1 = tpu.Deconv %x, %dw, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, multiplier = array<i64: 1073741824>, rshift = array<i64: 3>, quant_mode = "QDM"} : (tensor<1x4x8x8x!s8>, tensor<4x3x2x2xsi8>, none) -> tensor<1x3x17x17x!s8> loc("deconv")
  %mw = top.Weight : () -> tensor<4x5xsi8> loc("matmul_w")
  %mb = top.Weight : () -> tensor<5xsi32> loc("matmul_b")
  // CHECK: tpu.MatMul %{{.*}}, %{{.*}}, %{{.*}} {multiplier = array<i64: 1500000000>, quant_mode = "QDM", relu_limit = 6.000000e+00 : f64, right_transpose = true, round_mode = "HalfUp", rshift = array<i64: 5>} : (tensor<2x3x4x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<4x5xsi8>, tensor<5xsi32>) -> tensor<2x3x5x!quant.uniform<u8:f32, 2.000000e-02>>
  %2 = tpu.MatMul %m, %mw, %mb {right_transpose = true, relu_limit = 6.0 : f64, multiplier = array<i64: 1500000000>, rshift = array<i64: 5>, quant_mode = "QDM", round_mode = "HalfUp"} : (tensor<2x3x4x!s8>, tensor<4x5xsi8>, tensor<5xsi32>) -> tensor<2x3x5x!u8> loc("matmul")
  // CHECK: tpu.Pool2D %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 1, 1>, pool_mode = "Max", strides = array<i64: 2, 2>} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x4x4x!quant.uniform<i8:f32, 1.000000e-01>>
  %3 = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, ceil_mode = true} : (tensor<1x4x8x8x!s8>) -> tensor<1x4x4x4x!s8> loc("maxpool")
  // CHECK: tpu.Pool2D %{{.*}} {dilations = array<i64: 2, 3>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Max", strides = array<i64: 1, 1>} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x6x5x!quant.uniform<i8:f32, 1.000000e-01>>
  %maxd = tpu.Pool2D %x {pool_mode = "Max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 3>} : (tensor<1x4x8x8x!s8>) -> tensor<1x4x6x5x!s8> loc("maxpool_dilated")
  // CHECK: tpu.Pool2D %{{.*}} {count_include_pad = true, do_relu = true, kernel_shape = array<i64: 2, 2>, multiplier = array<i64: 101>, pads = array<i64: 0, 0, 0, 0>, pool_mode = "Avg", rshift = array<i64: 8>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x4x4x!quant.uniform<i8:f32, 5.000000e-02>>
  %4 = tpu.Pool2D %x {pool_mode = "Avg", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true, do_relu = true, multiplier = array<i64: 101>, rshift = array<i64: 8>} : (tensor<1x4x8x8x!s8>) -> tensor<1x4x4x4x!s8b> loc("avgpool")
  return
}

// CHECK-LABEL: func.func @nn_float
func.func @nn_float(%x: tensor<1x4x8x8xbf16>, %h: tensor<1x4x8x8xf16>, %f: tensor<2x3x4xf32>) {
  %none = top.None loc("nf_none")
  %w = top.Weight : () -> tensor<6x4x3x3xbf16> loc("convf_w")
  %b = top.Weight : () -> tensor<6xf32> loc("convf_b")
  // CHECK: tpu.Conv2D %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xbf16>, tensor<6x4x3x3xbf16>, tensor<6xf32>) -> tensor<1x6x8x8x!quant.calibrated<bf16<-2.500000e+00:2.500000e+00>>>
  %0 = tpu.Conv2D %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x4x8x8xbf16>, tensor<6x4x3x3xbf16>, tensor<6xf32>) -> tensor<1x6x8x8x!quant.calibrated<bf16<-2.5:2.5>>> loc("convf")
  %dw = top.Weight : () -> tensor<4x3x2x2xf16> loc("deconvf_w")
  // CHECK: tpu.Deconv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf16>, tensor<4x3x2x2xf16>, none) -> tensor<1x3x16x16xf16>
  %1 = tpu.Deconv %h, %dw, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x8x8xf16>, tensor<4x3x2x2xf16>, none) -> tensor<1x3x16x16xf16> loc("deconvf")
  // CHECK: tpu.MatMul %{{.*}}, %{{.*}}, %{{.*}} {left_transpose = true} : (tensor<2x3x4xf32>, tensor<2x3x5xf32>, none) -> tensor<2x4x5xf32>
  %r = top.Weight : () -> tensor<2x3x5xf32> loc("matmulf_r")
  %2 = tpu.MatMul %f, %r, %none {left_transpose = true} : (tensor<2x3x4xf32>, tensor<2x3x5xf32>, none) -> tensor<2x4x5xf32> loc("matmulf")
  // CHECK: tpu.Pool2D %{{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, pool_mode = "Avg", strides = array<i64: 1, 1>} : (tensor<1x4x8x8xbf16>) -> tensor<1x4x8x8xbf16>
  %3 = tpu.Pool2D %x {pool_mode = "Avg", kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xbf16>) -> tensor<1x4x8x8xbf16> loc("avgpoolf")
  // CHECK: tpu.Softmax %{{.*}} {axis = -1 : i64, log = true} : (tensor<1x4x8x8xbf16>) -> tensor<1x4x8x8xbf16>
  %4 = tpu.Softmax %x {axis = -1 : i64, log = true} : (tensor<1x4x8x8xbf16>) -> tensor<1x4x8x8xbf16> loc("softmax")
  %lw = top.Weight : () -> tensor<8xbf16> loc("ln_w")
  // CHECK: tpu.LayerNorm %{{.*}}, %{{.*}}, %{{.*}} {axis = 3 : i64, eps = 9.9999999999999995E-7 : f64} : (tensor<1x4x8x8xbf16>, tensor<8xbf16>, none) -> tensor<1x4x8x8xbf16>
  %5 = tpu.LayerNorm %x, %lw, %none {axis = 3 : i64, eps = 1.0e-6 : f64} : (tensor<1x4x8x8xbf16>, tensor<8xbf16>, none) -> tensor<1x4x8x8xbf16> loc("layernorm")
  // CHECK: tpu.InstanceNorm %{{.*}}, %{{.*}}, %{{.*}} {eps = 1.000000e-03 : f64} : (tensor<1x4x8x8xf16>, none, none) -> tensor<1x4x8x8xf16>
  %6 = tpu.InstanceNorm %h, %none, %none {eps = 1.0e-3 : f64} : (tensor<1x4x8x8xf16>, none, none) -> tensor<1x4x8x8xf16> loc("instancenorm")
  return
}

// CHECK-LABEL: func.func @elementwise_int8
func.func @elementwise_int8(%a: tensor<2x3x!s8>, %b: tensor<3x!s8b>, %u: tensor<2x3x!u8>, %z: tensor<2x3x!a8>) {
  // CHECK: tpu.Add %{{.*}}, %{{.*}} {do_relu = true, multipliers = array<i64: 64, 32>, relu_limit = 6.000000e+00 : f64, rshift = 7 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<3x!quant.uniform<i8:f32, 5.000000e-02>>) -> tensor<2x3x!quant.uniform<u8:f32, 2.000000e-02>>
  %0 = tpu.Add %a, %b {do_relu = true, relu_limit = 6.0 : f64, multipliers = array<i64: 64, 32>, rshift = 7 : i64} : (tensor<2x3x!s8>, tensor<3x!s8b>) -> tensor<2x3x!u8> loc("add")
  // CHECK: tpu.Sub %{{.*}}, %{{.*}} {multipliers = array<i64: 127, -128>, round_mode = "HalfToEven", rshift = 31 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x3x!quant.uniform<u8:f32, 2.000000e-02>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %1 = tpu.Sub %z, %u {multipliers = array<i64: 127, -128>, rshift = 31 : i64, round_mode = "HalfToEven"} : (tensor<2x3x!a8>, tensor<2x3x!u8>) -> tensor<2x3x!s8> loc("sub")
  // CHECK: tpu.Mul %{{.*}}, %{{.*}} {multiplier = array<i64: 77>, rshift = array<i64: 8>} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<3x!quant.uniform<i8:f32, 5.000000e-02>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %2 = tpu.Mul %a, %b {multiplier = array<i64: 77>, rshift = array<i64: 8>} : (tensor<2x3x!s8>, tensor<3x!s8b>) -> tensor<2x3x!s8> loc("mul")
  // CHECK: tpu.Max %{{.*}}, %{{.*}} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %3 = tpu.Max %a, %a : (tensor<2x3x!s8>, tensor<2x3x!s8>) -> tensor<2x3x!s8> loc("max")
  // CHECK: tpu.Min %{{.*}}, %{{.*}} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %4 = tpu.Min %a, %3 : (tensor<2x3x!s8>, tensor<2x3x!s8>) -> tensor<2x3x!s8> loc("min")
  // CHECK: tpu.Compare %{{.*}}, %{{.*}} {mode = "Less"} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e+00>>
  %5 = tpu.Compare %a, %4 {mode = "Less"} : (tensor<2x3x!s8>, tensor<2x3x!s8>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> loc("compare")
  // CHECK: tpu.MulConst %{{.*}} {const_val = -2.500000e+00 : f64, multiplier = array<i64: -80>, rshift = array<i64: 5>} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %6 = tpu.MulConst %a {const_val = -2.5 : f64, multiplier = array<i64: -80>, rshift = array<i64: 5>} : (tensor<2x3x!s8>) -> tensor<2x3x!s8> loc("mulconst")
  // CHECK: tpu.Relu %{{.*}} {relu_limit = 6.000000e+00 : f64} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %7 = tpu.Relu %a {relu_limit = 6.0 : f64} : (tensor<2x3x!s8>) -> tensor<2x3x!s8> loc("relu")
  %slope = top.Weight : () -> tensor<3xsi8> loc("prelu_slope")
  // CHECK: tpu.PRelu %{{.*}}, %{{.*}} {multiplier_pos = 64 : i64, rshift = 7 : i64, rshift_pos = 6 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<3xsi8>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
  %8 = tpu.PRelu %a, %slope {rshift = 7 : i64, multiplier_pos = 64 : i64, rshift_pos = 6 : i64} : (tensor<2x3x!s8>, tensor<3xsi8>) -> tensor<2x3x!s8> loc("prelu")
  %table = top.Weight : () -> tensor<256xsi8> loc("lut_table")
  // CHECK: tpu.Lut %{{.*}}, %{{.*}} : (tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<256xsi8>) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02>>
  %9 = tpu.Lut %a, %table : (tensor<2x3x!s8>, tensor<256xsi8>) -> tensor<2x3x!s8b> loc("lut")
  %utable = top.Weight : () -> tensor<1x256xui8> loc("lut_utable")
  // CHECK: tpu.Lut %{{.*}}, %{{.*}} : (tensor<2x3x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<1x256xui8>) -> tensor<2x3x!quant.uniform<u8:f32, 2.000000e-02>>
  %10 = tpu.Lut %u, %utable : (tensor<2x3x!u8>, tensor<1x256xui8>) -> tensor<2x3x!u8> loc("lut_u8")
  return
}

// CHECK-LABEL: func.func @elementwise_float
func.func @elementwise_float(%a: tensor<2x3xbf16>, %b: tensor<3xbf16>, %h: tensor<2x3xf16>, %f: tensor<2x3xf32>) {
  // CHECK: tpu.Add %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %0 = tpu.Add %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16> loc("addf")
  // CHECK: tpu.Sub %{{.*}}, %{{.*}} : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
  %1 = tpu.Sub %h, %h : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16> loc("subf")
  // CHECK: tpu.Mul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = tpu.Mul %f, %f : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("mulf")
  // CHECK: tpu.Div %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %3 = tpu.Div %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16> loc("divf")
  // CHECK: tpu.Max %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %4 = tpu.Max %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16> loc("maxf")
  // CHECK: tpu.Min %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %5 = tpu.Min %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16> loc("minf")
  // CHECK: tpu.Compare %{{.*}}, %{{.*}} {mode = "GreaterOrEqual"} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %6 = tpu.Compare %a, %b {mode = "GreaterOrEqual"} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16> loc("comparef")
  // CHECK: tpu.Where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3xbf16>, tensor<2x3xbf16>) -> tensor<2x3xbf16>
  %7 = tpu.Where %6, %b, %a : (tensor<2x3xbf16>, tensor<3xbf16>, tensor<2x3xbf16>) -> tensor<2x3xbf16> loc("where")
  // CHECK: tpu.MulConst %{{.*}} {const_val = 3.000000e+00 : f64, do_relu = true} : (tensor<2x3xf16>) -> tensor<2x3xf16>
  %8 = tpu.MulConst %h {const_val = 3.0 : f64, do_relu = true} : (tensor<2x3xf16>) -> tensor<2x3xf16> loc("mulconstf")
  // CHECK: tpu.AddConst %{{.*}} {const_val = 1.500000e+00 : f64, do_relu = true, relu_limit = 4.000000e+00 : f64} : (tensor<2x3xbf16>) -> tensor<2x3xbf16>
  %9 = tpu.AddConst %a {const_val = 1.5 : f64, do_relu = true, relu_limit = 4.0 : f64} : (tensor<2x3xbf16>) -> tensor<2x3xbf16> loc("addconst")
  // CHECK: tpu.Relu %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = tpu.Relu %f : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("reluf")
  %slope = top.Weight : () -> tensor<3xbf16> loc("preluf_slope")
  // CHECK: tpu.PRelu %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %11 = tpu.PRelu %a, %slope : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16> loc("preluf")
  // CHECK: tpu.Active %{{.*}} {mode = "Sigmoid"} : (tensor<2x3xbf16>) -> tensor<2x3xbf16>
  %12 = tpu.Active %a {mode = "Sigmoid"} : (tensor<2x3xbf16>) -> tensor<2x3xbf16> loc("sigmoid")
  // CHECK: tpu.Active %{{.*}} {coeffs = array<f64: 2.000000e-01, 5.000000e-01>, mode = "HardSigmoid"} : (tensor<2x3xf16>) -> tensor<2x3xf16>
  %13 = tpu.Active %h {mode = "HardSigmoid", coeffs = array<f64: 0.2, 0.5>} : (tensor<2x3xf16>) -> tensor<2x3xf16> loc("hardsigmoid")
  // CHECK: tpu.Active %{{.*}} {coeffs = array<f64: 1.000000e-01>, mode = "LeakyRelu"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %14 = tpu.Active %f {mode = "LeakyRelu", coeffs = array<f64: 0.1>} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("leaky")
  %table = top.Weight : () -> tensor<256xbf16> loc("lutbf16_table")
  %slopes = top.Weight : () -> tensor<256xbf16> loc("lutbf16_slope")
  // CHECK: tpu.LutBF16 %{{.*}}, %{{.*}}, %{{.*}} {max_range = 1.200000e+01 : f64, min_range = -1.200000e+01 : f64} : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xbf16>
  %15 = tpu.LutBF16 %a, %table, %slopes {min_range = -12.0 : f64, max_range = 12.0 : f64} : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xbf16> loc("silu")
  // The default range [-8, 8] is not printed.
  // CHECK: tpu.LutBF16 %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xbf16>
  %16 = tpu.LutBF16 %a, %table, %slopes : (tensor<2x3xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<2x3xbf16> loc("tanh")
  return
}

// CHECK-LABEL: func.func @shape
func.func @shape(%x: tensor<1x4x6x6x!s8>, %y: tensor<1x2x6x6x!s8b>, %f: tensor<1x4x6x6xbf16>) {
  // CHECK: tpu.Reshape %{{.*}} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<4x36x!quant.uniform<i8:f32, 1.000000e-01>>
  %0 = tpu.Reshape %x : (tensor<1x4x6x6x!s8>) -> tensor<4x36x!s8> loc("reshape")
  // CHECK: tpu.Permute %{{.*}} {order = array<i64: 0, 2, 3, 1>} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x6x6x4x!quant.uniform<i8:f32, 1.000000e-01>>
  %1 = tpu.Permute %x {order = array<i64: 0, 2, 3, 1>} : (tensor<1x4x6x6x!s8>) -> tensor<1x6x6x4x!s8> loc("permute")
  // CHECK: tpu.Slice %{{.*}} {axes = array<i64: 1, 3>, ends = array<i64: 4, 6>, starts = array<i64: 1, 0>, steps = array<i64: 2, 3>} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x2x6x2x!quant.uniform<i8:f32, 1.000000e-01>>
  %2 = tpu.Slice %x {starts = array<i64: 1, 0>, ends = array<i64: 4, 6>, steps = array<i64: 2, 3>, axes = array<i64: 1, 3>} : (tensor<1x4x6x6x!s8>) -> tensor<1x2x6x2x!s8> loc("slice")
  // CHECK: tpu.Concat %{{.*}}, %{{.*}} {do_relu = true, multipliers = array<i64: 1, 64>, rshifts = array<i64: 0, 7>} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<1x2x6x6x!quant.uniform<i8:f32, 5.000000e-02>>) -> tensor<1x6x6x6x!quant.uniform<i8:f32, 1.000000e-01>>
  %3 = tpu.Concat %x, %y {axis = 1 : i64, multipliers = array<i64: 1, 64>, rshifts = array<i64: 0, 7>, do_relu = true} : (tensor<1x4x6x6x!s8>, tensor<1x2x6x6x!s8b>) -> tensor<1x6x6x6x!s8> loc("concat")
  // CHECK: tpu.Concat %{{.*}}, %{{.*}} {axis = 3 : i64} : (tensor<1x4x6x6xbf16>, tensor<1x4x6x6xbf16>) -> tensor<1x4x6x12xbf16>
  %4 = tpu.Concat %f, %f {axis = 3 : i64} : (tensor<1x4x6x6xbf16>, tensor<1x4x6x6xbf16>) -> tensor<1x4x6x12xbf16> loc("concatf")
  // CHECK: tpu.Tile %{{.*}} {repeats = array<i64: 1, 1, 2, 1>} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x12x6x!quant.uniform<i8:f32, 1.000000e-01>>
  %5 = tpu.Tile %x {repeats = array<i64: 1, 1, 2, 1>} : (tensor<1x4x6x6x!s8>) -> tensor<1x4x12x6x!s8> loc("tile")
  // CHECK: tpu.Pad %{{.*}} {mode = "reflect", paddings = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x4x6x6xbf16>) -> tensor<1x4x8x8xbf16>
  %6 = tpu.Pad %f {paddings = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "reflect"} : (tensor<1x4x6x6xbf16>) -> tensor<1x4x8x8xbf16> loc("pad")
  // CHECK: tpu.Pad %{{.*}} {paddings = array<i64: 0, 0, 0, 0, 0, 0, 2, 0>, val = -3.000000e+00 : f64} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x6x8x!quant.uniform<i8:f32, 1.000000e-01>>
  %7 = tpu.Pad %x {paddings = array<i64: 0, 0, 0, 0, 0, 0, 2, 0>, val = -3.0 : f64} : (tensor<1x4x6x6x!s8>) -> tensor<1x4x6x8x!s8> loc("pad_const")
  // CHECK: tpu.Upsample %{{.*}} {scale_h = 2 : i64, scale_w = 3 : i64} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x12x18x!quant.uniform<i8:f32, 1.000000e-01>>
  %8 = tpu.Upsample %x {scale_h = 2 : i64, scale_w = 3 : i64} : (tensor<1x4x6x6x!s8>) -> tensor<1x4x12x18x!s8> loc("upsample")
  // CHECK: tpu.Interp %{{.*}} {coord_mode = "half_pixel", mode = "linear", scale_h = 2.000000e+00 : f64, scale_w = 2.000000e+00 : f64} : (tensor<1x4x6x6xbf16>) -> tensor<1x4x12x12xbf16>
  %9 = tpu.Interp %f {mode = "linear", coord_mode = "half_pixel", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x4x6x6xbf16>) -> tensor<1x4x12x12xbf16> loc("interp")
  // CHECK: tpu.Interp %{{.*}} {coord_mode = "asymmetric", mode = "nearest", nearest_mode = "floor", scale_h = 2.000000e+00 : f64, scale_w = 1.000000e+00 : f64} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x12x6x!quant.uniform<i8:f32, 1.000000e-01>>
  %interp_n = tpu.Interp %x {mode = "nearest", coord_mode = "asymmetric", scale_h = 2.0 : f64, scale_w = 1.0 : f64, nearest_mode = "floor"} : (tensor<1x4x6x6x!s8>) -> tensor<1x4x12x6x!s8> loc("interp_nearest")
  // CHECK: tpu.Depth2Space %{{.*}} {block_h = 2 : i64, block_w = 2 : i64, is_CRD = true} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x1x12x12x!quant.uniform<i8:f32, 1.000000e-01>>
  %10 = tpu.Depth2Space %x {block_h = 2 : i64, block_w = 2 : i64, is_CRD = true} : (tensor<1x4x6x6x!s8>) -> tensor<1x1x12x12x!s8> loc("d2s")
  %idx = top.Weight {value = dense<[3, 0]> : tensor<2xi64>} : () -> tensor<2xi64> loc("gather_idx")
  // CHECK: tpu.Gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<2xi64>) -> tensor<1x2x6x6x!quant.uniform<i8:f32, 1.000000e-01>>
  %11 = tpu.Gather %x, %idx {axis = 1 : i64} : (tensor<1x4x6x6x!s8>, tensor<2xi64>) -> tensor<1x2x6x6x!s8> loc("gather")
  // CHECK: tpu.SwapChannel %{{.*}} {channel_order = array<i64: 2, 1, 0, 3>} : (tensor<1x4x6x6xbf16>) -> tensor<1x4x6x6xbf16>
  %12 = tpu.SwapChannel %f {channel_order = array<i64: 2, 1, 0, 3>} : (tensor<1x4x6x6xbf16>) -> tensor<1x4x6x6xbf16> loc("swap")
  // CHECK: tpu.Reduce %{{.*}} {axes = array<i64: 2, 3>, mode = "ReduceMean", multiplier = array<i64: 113>, rshift = array<i64: 12>} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x4x1x1x!quant.uniform<i8:f32, 5.000000e-02>>
  %13 = tpu.Reduce %x {axes = array<i64: 2, 3>, mode = "ReduceMean", multiplier = array<i64: 113>, rshift = array<i64: 12>} : (tensor<1x4x6x6x!s8>) -> tensor<1x4x1x1x!s8b> loc("reduce_mean")
  // CHECK: tpu.Reduce %{{.*}} {axes = array<i64: 1>, keepdims = false, mode = "ReduceMax"} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x6x6x!quant.uniform<i8:f32, 1.000000e-01>>
  %14 = tpu.Reduce %x {axes = array<i64: 1>, keepdims = false, mode = "ReduceMax"} : (tensor<1x4x6x6x!s8>) -> tensor<1x6x6x!s8> loc("reduce_max")
  // CHECK: tpu.Reduce %{{.*}} {axes = array<i64: 1>, mode = "ReduceL2"} : (tensor<1x4x6x6xbf16>) -> tensor<1x1x6x6xbf16>
  %15 = tpu.Reduce %f {axes = array<i64: 1>, mode = "ReduceL2"} : (tensor<1x4x6x6xbf16>) -> tensor<1x1x6x6xbf16> loc("reduce_l2")
  // CHECK: tpu.Arg %{{.*}} {axis = 1 : i64, mode = "ArgMax", select_last_index = true} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x1x6x6xsi32>
  %16 = tpu.Arg %x {axis = 1 : i64, mode = "ArgMax", select_last_index = true} : (tensor<1x4x6x6x!s8>) -> tensor<1x1x6x6xsi32> loc("arg")
  return
}

// CHECK-LABEL: func.func @quant
func.func @quant(%f: tensor<1x3x4x4xf32>, %x: tensor<1x3x4x4x!s8>, %p: tensor<1x3x4x4x!u8>, %b: tensor<1x3x4x4xbf16>) {
  // CHECK: tpu.Cast %{{.*}} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 1.000000e-01>>
  %0 = tpu.Cast %f : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!s8> loc("cast_i8")
  // CHECK: tpu.Cast %{{.*}} {round_mode = "HalfToEven"} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %1 = tpu.Cast %f {round_mode = "HalfToEven"} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!a8> loc("cast_asym")
  // CHECK: tpu.Cast %{{.*}} : (tensor<1x3x4x4x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x3x4x4xf32>
  %2 = tpu.Cast %x : (tensor<1x3x4x4x!s8>) -> tensor<1x3x4x4xf32> loc("cast_f32")
  // CHECK: tpu.Cast %{{.*}} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!quant.calibrated<bf16<-1.000000e+00:1.000000e+00>>>
  %3 = tpu.Cast %f : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!quant.calibrated<bf16<-1.0:1.0>>> loc("cast_bf16")
  // CHECK: tpu.Cast %{{.*}} : (tensor<1x3x4x4xbf16>) -> tensor<1x3x4x4xf16>
  %4 = tpu.Cast %b : (tensor<1x3x4x4xbf16>) -> tensor<1x3x4x4xf16> loc("cast_f16")
  // CHECK: tpu.Requant %{{.*}} {multiplier = array<i64: 64>, rshift = array<i64: 6>} : (tensor<1x3x4x4x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %5 = tpu.Requant %x {multiplier = array<i64: 64>, rshift = array<i64: 6>} : (tensor<1x3x4x4x!s8>) -> tensor<1x3x4x4x!a8> loc("requant")
  // CHECK: tpu.Requant %{{.*}} {multiplier = array<i64: 1610612736>, quant_mode = "QDM", round_mode = "HalfToEven", rshift = array<i64: 1>} : (tensor<1x3x4x4x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 5.000000e-02>>
  %6 = tpu.Requant %x {multiplier = array<i64: 1610612736>, rshift = array<i64: 1>, quant_mode = "QDM", round_mode = "HalfToEven"} : (tensor<1x3x4x4x!s8>) -> tensor<1x3x4x4x!s8b> loc("requant_qdm")
  // A QDM left shift (negative rshift) for scales >= 1, as BM1684X uses.
  // CHECK: tpu.Requant %{{.*}} {multiplier = array<i64: 1610612736>, quant_mode = "QDM", rshift = array<i64: -2>} : (tensor<1x3x4x4x!quant.uniform<i8:f32, 5.000000e-02>>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 1.000000e-01>>
  %requant_left = tpu.Requant %6 {multiplier = array<i64: 1610612736>, rshift = array<i64: -2>, quant_mode = "QDM"} : (tensor<1x3x4x4x!s8b>) -> tensor<1x3x4x4x!s8> loc("requant_left")
  %table = top.Weight : () -> tensor<3x256xsi8> loc("scalelut_table")
  // CHECK: tpu.ScaleLut %{{.*}}, %{{.*}} : (tensor<1x3x4x4x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<3x256xsi8>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 1.000000e-01>>
  %7 = tpu.ScaleLut %p, %table : (tensor<1x3x4x4x!u8>, tensor<3x256xsi8>) -> tensor<1x3x4x4x!s8> loc("scalelut")
  %scale = top.Weight : () -> tensor<3xbf16> loc("scale_s")
  %bias = top.Weight : () -> tensor<3xbf16> loc("scale_b")
  // CHECK: tpu.Scale %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x4x4xbf16>, tensor<3xbf16>, tensor<3xbf16>) -> tensor<1x3x4x4xbf16>
  %8 = tpu.Scale %b, %scale, %bias : (tensor<1x3x4x4xbf16>, tensor<3xbf16>, tensor<3xbf16>) -> tensor<1x3x4x4xbf16> loc("scale")
  return
}

// A module for a CV18xx chip: f32 only at the casts of the boundary, bf16
// and symmetric int8 inside.
// CHECK-LABEL: module @cv181x
// CHECK-SAME: top.chip = "cv181x"
module @cv181x attributes {top.chip = "cv181x", top.mode = "INT8", top.state = "TPU_LOWERED"} {
  // CHECK-LABEL: func.func @main
  func.func @main(%arg0: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
    %0 = top.Input %arg0 : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> loc("in")
    // CHECK: tpu.Cast
    %1 = tpu.Cast %0 : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!s8> loc("in_i8")
    // CHECK: tpu.Relu
    %2 = tpu.Relu %1 : (tensor<1x3x4x4x!s8>) -> tensor<1x3x4x4x!s8> loc("relu")
    // CHECK: tpu.Cast
    %3 = tpu.Cast %2 : (tensor<1x3x4x4x!s8>) -> tensor<1x3x4x4xbf16> loc("relu_bf16")
    %t = top.Weight : () -> tensor<256xbf16> loc("t")
    %s = top.Weight : () -> tensor<256xbf16> loc("s")
    // CHECK: tpu.LutBF16
    %4 = tpu.LutBF16 %3, %t, %s : (tensor<1x3x4x4xbf16>, tensor<256xbf16>, tensor<256xbf16>) -> tensor<1x3x4x4xbf16> loc("sigmoid")
    // CHECK: tpu.Cast
    %5 = tpu.Cast %4 : (tensor<1x3x4x4xbf16>) -> tensor<1x3x4x4xf32> loc("sigmoid_f32")
    return %5 : tensor<1x3x4x4xf32>
  }
}

}
