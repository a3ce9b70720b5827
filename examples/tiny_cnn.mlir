// A small classifier in the Top dialect, used by `make run` until the ONNX
// frontend lands. Weights are in tiny_cnn_weight.npz, keyed by the op names.
// Result shapes are left unknown for --shape-infer to fill in.
module @tiny_cnn attributes {top.state = "TOP_F32", top.chip = "ALL", top.platform = "MLIR", top.weight_file = "tiny_cnn_weight.npz"} {
  func.func @main(%arg0: tensor<1x3x32x32xf32>) -> tensor<?x?xf32> {
    %none = top.None
    %x = top.Input %arg0 {channel_format = "nchw", pixel_format = "rgb", mean = array<f64: 0.0, 0.0, 0.0>, scale = array<f64: 1.0, 1.0, 1.0>} : (tensor<1x3x32x32xf32>) -> tensor<1x3x32x32xf32> loc("input")
    %w1 = top.Weight : () -> tensor<8x3x3x3xf32> loc("conv1_w")
    %b1 = top.Weight : () -> tensor<8xf32> loc("conv1_b")
    %c1 = top.Conv %x, %w1, %b1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x?x?x?xf32> loc("conv1")
    %mean = top.Weight : () -> tensor<8xf32> loc("bn1_mean")
    %var = top.Weight : () -> tensor<8xf32> loc("bn1_var")
    %gamma = top.Weight : () -> tensor<8xf32> loc("bn1_gamma")
    %beta = top.Weight : () -> tensor<8xf32> loc("bn1_beta")
    %bn = top.BatchNorm %c1, %mean, %var, %gamma, %beta {epsilon = 1.0e-05 : f64} : (tensor<?x?x?x?xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x?x?x?xf32> loc("bn1")
    %r1 = top.Relu %bn : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> loc("relu1")
    %p1 = top.MaxPool %r1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> loc("pool1")
    %w2 = top.Weight : () -> tensor<16x8x3x3xf32> loc("conv2_w")
    %b2 = top.Weight : () -> tensor<16xf32> loc("conv2_b")
    %c2 = top.Conv %p1, %w2, %b2 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<?x?x?x?xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<?x?x?x?xf32> loc("conv2")
    %s2 = top.Sigmoid %c2 : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> loc("sigmoid2")
    %m2 = top.Mul %c2, %s2 : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> loc("silu2")
    %g = top.GlobalAvgPool %m2 : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> loc("gap")
    %f = top.Flatten %g {start_dim = 1 : i64} : (tensor<?x?x?x?xf32>) -> tensor<?x?xf32> loc("flatten")
    %wf = top.Weight : () -> tensor<16x10xf32> loc("fc_w")
    %bf = top.Weight : () -> tensor<10xf32> loc("fc_b")
    %fc = top.MatMul %f, %wf, %bf : (tensor<?x?xf32>, tensor<16x10xf32>, tensor<10xf32>) -> tensor<?x?xf32> loc("fc")
    %prob = top.Softmax %fc {axis = 1 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32> loc("prob")
    return %prob : tensor<?x?xf32>
  }
}
