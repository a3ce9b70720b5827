// RUN: tpuc-opt %s | tpuc-opt | FileCheck %s
// RUN: tpuc-opt %s --mlir-print-op-generic | tpuc-opt | FileCheck %s

// Every Top op parses, verifies, prints and parses again, in both the custom
// and the generic form.

// CHECK: module @ops attributes {top.chip = "ALL", top.platform = "ONNX", top.state = "TOP_F32", top.weight_file = "ops_weight.npz"}
module @ops attributes {top.state = "TOP_F32", top.chip = "ALL", top.platform = "ONNX", top.weight_file = "ops_weight.npz"} {

// CHECK-LABEL: func.func @graph
func.func @graph(%arg0: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // CHECK: %[[NONE:.*]] = top.None
  %none = top.None loc("none")
  // CHECK: %[[IN:.*]] = top.Input %arg0 {channel_format = "nchw", keep_aspect_ratio = true, mean = array<f64: 1.000000e+00, 2.000000e+00, 3.000000e+00>, pad_value = 114 : i64, pixel_format = "rgb", resize_dims = array<i64: 10, 12>, scale = array<f64: 5.000000e-01, 5.000000e-01, 5.000000e-01>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %in = top.Input %arg0 {pixel_format = "rgb", channel_format = "nchw", resize_dims = array<i64: 10, 12>, keep_aspect_ratio = true, pad_value = 114 : i64, mean = array<f64: 1.0, 2.0, 3.0>, scale = array<f64: 0.5, 0.5, 0.5>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> loc("input")
  // CHECK: %[[W:.*]] = top.Weight : () -> tensor<3xf32>
  %w = top.Weight : () -> tensor<3xf32> loc("w_file")
  // CHECK: top.Weight {value = dense<5.000000e-01> : tensor<3xf32>} : () -> tensor<3xf32>
  %c = top.Weight {value = dense<0.5> : tensor<3xf32>} : () -> tensor<3xf32> loc("w_inline")
  // CHECK: top.BatchNorm %[[IN]], %[[W]], %{{.*}}, %[[NONE]], %[[NONE]] {epsilon = 1.000000e-03 : f64} : (tensor<1x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, none, none) -> tensor<1x3x8x8xf32>
  %bn = top.BatchNorm %in, %w, %c, %none, %none {epsilon = 1.0e-3 : f64} : (tensor<1x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, none, none) -> tensor<1x3x8x8xf32> loc("bn")
  return %bn : tensor<1x3x8x8xf32>
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<1x4x8x8xf32>, %x1d: tensor<2x4x16xf32>,
              %m: tensor<2x3x4xf32>, %n: tensor<4x5xf32>) {
  %none = top.None loc("nn_none")
  %fw = top.Weight : () -> tensor<6x2x3x3xf32> loc("conv_w")
  %fb = top.Weight : () -> tensor<6xf32> loc("conv_b")
  // CHECK: top.Conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, do_relu = true, group = 2 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, relu_limit = 6.000000e+00 : f64, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
  %0 = top.Conv %x, %fw, %fb {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, do_relu = true, relu_limit = 6.0 : f64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32> loc("conv")
  %fw1 = top.Weight : () -> tensor<8x4x3xf32> loc("conv1d_w")
  // CHECK: top.Conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2>, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<2x4x16xf32>, tensor<8x4x3xf32>, none) -> tensor<2x8x12xf32>
  %1 = top.Conv %x1d, %fw1, %none {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 2>} : (tensor<2x4x16xf32>, tensor<8x4x3xf32>, none) -> tensor<2x8x12xf32> loc("conv1d")
  %dw = top.Weight : () -> tensor<4x3x2x2xf32> loc("deconv_w")
  // CHECK: top.Deconv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>, none) -> tensor<1x3x17x17xf32>
  %2 = top.Deconv %x, %dw, %none {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>, none) -> tensor<1x3x17x17xf32> loc("deconv")
  // CHECK: top.MatMul %{{.*}}, %{{.*}}, %{{.*}} {do_relu = true} : (tensor<2x3x4xf32>, tensor<4x5xf32>, none) -> tensor<2x3x5xf32>
  %3 = top.MatMul %m, %n, %none {do_relu = true, right_transpose = false} : (tensor<2x3x4xf32>, tensor<4x5xf32>, none) -> tensor<2x3x5xf32> loc("matmul")
  // CHECK: top.MaxPool %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %4 = top.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, ceil_mode = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> loc("maxpool")
  // CHECK: top.MaxPool %{{.*}} {dilations = array<i64: 2, 3>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x6x5xf32>
  %maxd = top.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 3>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x6x5xf32> loc("maxpool_dilated")
  // CHECK: %{{.*}}, %{{.*}} = top.MaxPoolWithIndices %{{.*}} {column_major = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64>)
  %maxi:2 = top.MaxPoolWithIndices %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, column_major = true} : (tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64>) loc(fused["maxpool_values", "maxpool_indices"])
  // CHECK: top.AvgPool %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %5 = top.AvgPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> loc("avgpool")
  // CHECK: top.GlobalAvgPool %{{.*}} : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  %6 = top.GlobalAvgPool %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32> loc("gap")
  // CHECK: top.AdaptiveAvgPool %{{.*}} {output_size = array<i64: 3, 5>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x5xf32>
  %7 = top.AdaptiveAvgPool %x {output_size = array<i64: 3, 5>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x5xf32> loc("adaptive")
  %lw = top.Weight : () -> tensor<8xf32> loc("ln_w")
  // CHECK: top.LayerNorm %{{.*}}, %{{.*}}, %{{.*}} {axis = 3 : i64, eps = 9.9999999999999995E-7 : f64} : (tensor<1x4x8x8xf32>, tensor<8xf32>, none) -> tensor<1x4x8x8xf32>
  %8 = top.LayerNorm %x, %lw, %none {axis = 3 : i64, eps = 1.0e-6 : f64} : (tensor<1x4x8x8xf32>, tensor<8xf32>, none) -> tensor<1x4x8x8xf32> loc("layernorm")
  // CHECK: top.InstanceNorm %{{.*}}, %{{.*}}, %{{.*}} {eps = 1.000000e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, none) -> tensor<1x4x8x8xf32>
  %in_w = top.Weight : () -> tensor<4xf32> loc("in_w")
  %10 = top.InstanceNorm %x, %in_w, %none {eps = 1.0e-3 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, none) -> tensor<1x4x8x8xf32> loc("instancenorm")
  // CHECK: top.Softmax %{{.*}} {axis = -1 : i64, log = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %9 = top.Softmax %x {axis = -1 : i64, log = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("softmax")
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // CHECK: top.Add %{{.*}}, %{{.*}} {do_relu = true, relu_limit = 6.000000e+00 : f64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = top.Add %a, %b {do_relu = true, relu_limit = 6.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("add")
  // CHECK: top.Sub %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = top.Sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("sub")
  // CHECK: top.Mul
  %2 = top.Mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("mul")
  // CHECK: top.Div
  %3 = top.Div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("div")
  // CHECK: top.Div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xui8>
  %div_int = top.Div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xui8> loc("div_int")
  // CHECK: top.PowTensor %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %pow_t = top.PowTensor %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("pow_tensor")
  // CHECK: top.PowTensor %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi64>
  %pow_i = top.PowTensor %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi64> loc("pow_tensor_int")
  // CHECK: top.Max
  %4 = top.Max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("max")
  // CHECK: top.Min
  %5 = top.Min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("min")
  // CHECK: top.Compare %{{.*}}, %{{.*}} {mode = "GreaterOrEqual"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = top.Compare %a, %b {mode = "GreaterOrEqual"} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("compare")
  // CHECK: top.Where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = top.Where %6, %b, %a : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("where")
  // CHECK: top.AddConst %{{.*}} {const_val = 1.500000e+00 : f64, do_relu = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = top.AddConst %a {const_val = 1.5 : f64, do_relu = true} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("addconst")
  // CHECK: top.MulConst %{{.*}} {const_val = -2.000000e+00 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %9 = top.MulConst %a {const_val = -2.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("mulconst")
  // CHECK: top.Pow %{{.*}} {exponent = 2.000000e+00 : f64}
  %10 = top.Pow %a {exponent = 2.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("pow")
  // CHECK: top.Relu %{{.*}} {relu_limit = 6.000000e+00 : f64}
  %11 = top.Relu %a {relu_limit = 6.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("relu")
  // CHECK: top.LeakyRelu %{{.*}} {alpha = 1.000000e-01 : f64}
  %12 = top.LeakyRelu %a {alpha = 0.1 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("leakyrelu")
  // CHECK: top.PRelu %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %13 = top.PRelu %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("prelu")
  // CHECK: top.Clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %14 = top.Clip %a {min = 0.0 : f64, max = 6.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("clip")
  // CHECK: top.Sigmoid
  %15 = top.Sigmoid %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("sigmoid")
  // CHECK: top.SiLU
  %16 = top.SiLU %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("silu")
  // CHECK: top.HardSigmoid %{{.*}} {alpha = 1.000000e-01 : f64, beta = 4.000000e-01 : f64}
  %17 = top.HardSigmoid %a {alpha = 0.1 : f64, beta = 0.4 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("hardsigmoid")
  // CHECK: top.HardSwish
  %18 = top.HardSwish %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("hardswish")
  // CHECK: top.Mish
  %19 = top.Mish %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("mish")
  // CHECK: top.GELU %{{.*}} {approx_mode = "tanh"}
  %20 = top.GELU %a {approx_mode = "tanh"} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("gelu")
  // CHECK: top.Elu %{{.*}} {alpha = 5.000000e-01 : f64}
  %28 = top.Elu %a {alpha = 0.5 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("elu")
  // CHECK: top.Softplus
  %29 = top.Softplus %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("softplus")
  // CHECK: top.Tanh
  %21 = top.Tanh %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("tanh")
  // CHECK: top.Exp
  %22 = top.Exp %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("exp")
  // CHECK: top.Log
  %23 = top.Log %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("log")
  // CHECK: top.Sqrt
  %24 = top.Sqrt %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("sqrt")
  // CHECK: top.Abs
  %25 = top.Abs %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("abs")
  // CHECK: top.Erf
  %26 = top.Erf %a : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("erf")
  // CHECK: top.Cast %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  %27 = top.Cast %a : (tensor<2x3xf32>) -> tensor<2x3xi32> loc("cast")
  return
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x4x6x8xf32>, %v: tensor<1x4x1xf32>) {
  // CHECK: top.Reduce %{{.*}} {axes = array<i64: 1, -1>, keepdims = false, mode = "ReduceL2"} : (tensor<2x4x6x8xf32>) -> tensor<2x6xf32>
  %0 = top.Reduce %x {axes = array<i64: 1, -1>, keepdims = false, mode = "ReduceL2"} : (tensor<2x4x6x8xf32>) -> tensor<2x6xf32> loc("reduce")
  // CHECK: top.Arg %{{.*}} {axis = 1 : i64, keepdims = false, mode = "ArgMax", select_last_index = true} : (tensor<2x4x6x8xf32>) -> tensor<2x6x8xf32>
  %arg = top.Arg %x {axis = 1 : i64, keepdims = false, mode = "ArgMax", select_last_index = true} : (tensor<2x4x6x8xf32>) -> tensor<2x6x8xf32> loc("argmax")
  // CHECK: top.Concat %{{.*}}, %{{.*}} {axis = -1 : i64, do_relu = true} : (tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>) -> tensor<2x4x6x16xf32>
  %1 = top.Concat %x, %x {axis = -1 : i64, do_relu = true} : (tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>) -> tensor<2x4x6x16xf32> loc("concat")
  // CHECK: %{{.*}}:2 = top.Split %{{.*}} {axis = 1 : i64, split_size = array<i64: 1, 3>} : (tensor<2x4x6x8xf32>) -> (tensor<2x1x6x8xf32>, tensor<2x3x6x8xf32>)
  %2:2 = top.Split %x {axis = 1 : i64, split_size = array<i64: 1, 3>} : (tensor<2x4x6x8xf32>) -> (tensor<2x1x6x8xf32>, tensor<2x3x6x8xf32>) loc(fused["split_a", "split_b"])
  // CHECK: top.Slice %{{.*}} {axes = array<i64: 2, 3>, ends = array<i64: 5, -9223372036854775807>, starts = array<i64: 1, -1>, steps = array<i64: 2, -3>} : (tensor<2x4x6x8xf32>) -> tensor<2x4x2x3xf32>
  %3 = top.Slice %x {starts = array<i64: 1, -1>, ends = array<i64: 5, -9223372036854775807>, steps = array<i64: 2, -3>, axes = array<i64: 2, 3>} : (tensor<2x4x6x8xf32>) -> tensor<2x4x2x3xf32> loc("slice")
  // CHECK: top.Reshape %{{.*}} {shape = array<i64: 0, -1, 8>} : (tensor<2x4x6x8xf32>) -> tensor<2x24x8xf32>
  %4 = top.Reshape %x {shape = array<i64: 0, -1, 8>} : (tensor<2x4x6x8xf32>) -> tensor<2x24x8xf32> loc("reshape")
  // CHECK: top.Reshape %{{.*}} : (tensor<2x4x6x8xf32>) -> tensor<48x8xf32>
  %5 = top.Reshape %x : (tensor<2x4x6x8xf32>) -> tensor<48x8xf32> loc("reshape_type")
  // CHECK: top.Permute %{{.*}} {order = array<i64: 0, 2, 3, 1>} : (tensor<2x4x6x8xf32>) -> tensor<2x6x8x4xf32>
  %6 = top.Permute %x {order = array<i64: 0, 2, 3, 1>} : (tensor<2x4x6x8xf32>) -> tensor<2x6x8x4xf32> loc("permute")
  // CHECK: top.Flatten %{{.*}} {end_dim = 2 : i64} : (tensor<2x4x6x8xf32>) -> tensor<2x24x8xf32>
  %7 = top.Flatten %x {start_dim = 1 : i64, end_dim = 2 : i64} : (tensor<2x4x6x8xf32>) -> tensor<2x24x8xf32> loc("flatten")
  // CHECK: top.Squeeze %{{.*}} {axes = array<i64: -1>} : (tensor<1x4x1xf32>) -> tensor<1x4xf32>
  %8 = top.Squeeze %v {axes = array<i64: -1>} : (tensor<1x4x1xf32>) -> tensor<1x4xf32> loc("squeeze")
  // CHECK: top.Unsqueeze %{{.*}} {axes = array<i64: 0, 3>} : (tensor<1x4x1xf32>) -> tensor<1x1x4x1x1xf32>
  %9 = top.Unsqueeze %v {axes = array<i64: 0, 3>} : (tensor<1x4x1xf32>) -> tensor<1x1x4x1x1xf32> loc("unsqueeze")
  // CHECK: top.Expand %{{.*}} {shape = array<i64: 3, 1, 4, 5>} : (tensor<1x4x1xf32>) -> tensor<3x1x4x5xf32>
  %10 = top.Expand %v {shape = array<i64: 3, 1, 4, 5>} : (tensor<1x4x1xf32>) -> tensor<3x1x4x5xf32> loc("expand")
  // CHECK: top.Tile %{{.*}} {repeats = array<i64: 2, 1, 3>} : (tensor<1x4x1xf32>) -> tensor<2x4x3xf32>
  %11 = top.Tile %v {repeats = array<i64: 2, 1, 3>} : (tensor<1x4x1xf32>) -> tensor<2x4x3xf32> loc("tile")
  // CHECK: top.Pad %{{.*}} {mode = "reflect", paddings = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>} : (tensor<2x4x6x8xf32>) -> tensor<2x4x10x14xf32>
  %12 = top.Pad %x {paddings = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>, mode = "reflect"} : (tensor<2x4x6x8xf32>) -> tensor<2x4x10x14xf32> loc("pad")
  // CHECK: top.Pad %{{.*}} {paddings = array<i64: 0, 0, 0, -1, 0, 0, 1, 0>, val = 1.000000e+00 : f64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x7x7xf32>
  %13 = top.Pad %x {paddings = array<i64: 0, 0, 0, -1, 0, 0, 1, 0>, val = 1.0 : f64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x7x7xf32> loc("pad_const")
  // CHECK: top.Upsample %{{.*}} {scale_h = 2 : i64, scale_w = 3 : i64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x12x24xf32>
  %14 = top.Upsample %x {scale_h = 2 : i64, scale_w = 3 : i64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x12x24xf32> loc("upsample")
  // CHECK: top.Interp %{{.*}} {coord_mode = "align_corners", mode = "linear", scale_h = 1.500000e+00 : f64, scale_w = 5.000000e-01 : f64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x9x4xf32>
  %15 = top.Interp %x {mode = "linear", coord_mode = "align_corners", scale_h = 1.5 : f64, scale_w = 0.5 : f64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x9x4xf32> loc("interp")
  // CHECK: top.Interp %{{.*}} {coord_mode = "half_pixel", mode = "nearest", nearest_mode = "ceil", scale_h = 1.500000e+00 : f64, scale_w = 5.000000e-01 : f64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x9x4xf32>
  %interp_n = top.Interp %x {mode = "nearest", coord_mode = "half_pixel", nearest_mode = "ceil", scale_h = 1.5 : f64, scale_w = 0.5 : f64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x9x4xf32> loc("interp_nearest")
  // CHECK: top.Depth2Space %{{.*}} {block_h = 2 : i64, block_w = 2 : i64, is_CRD = true} : (tensor<2x4x6x8xf32>) -> tensor<2x1x12x16xf32>
  %16 = top.Depth2Space %x {block_h = 2 : i64, block_w = 2 : i64, is_CRD = true} : (tensor<2x4x6x8xf32>) -> tensor<2x1x12x16xf32> loc("d2s")
  // CHECK: top.Depth2Space %{{.*}} {block_h = 3 : i64, block_w = 4 : i64, is_inversed = true} : (tensor<2x4x6x8xf32>) -> tensor<2x48x2x2xf32>
  %17 = top.Depth2Space %x {block_h = 3 : i64, block_w = 4 : i64, is_inversed = true} : (tensor<2x4x6x8xf32>) -> tensor<2x48x2x2xf32> loc("s2d")
  %idx = top.Weight {value = dense<[[0, 2], [1, 1], [3, 0]]> : tensor<3x2xi64>} : () -> tensor<3x2xi64> loc("gather_idx")
  // CHECK: top.Gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x4x6x8xf32>, tensor<3x2xi64>) -> tensor<2x3x2x6x8xf32>
  %18 = top.Gather %x, %idx {axis = 1 : i64} : (tensor<2x4x6x8xf32>, tensor<3x2xi64>) -> tensor<2x3x2x6x8xf32> loc("gather")
  return
}

}
