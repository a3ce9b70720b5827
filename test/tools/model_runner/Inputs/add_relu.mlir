module @add_relu attributes {top.state = "TOP_F32", top.chip = "ALL", top.platform = "MLIR", top.weight_file = "add_relu_weight.npz"} {
  func.func @main(%arg0: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
    %0 = top.Input %arg0 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> loc("x")
    %1 = top.Weight : () -> tensor<1x2x1x1xf32> loc("bias")
    %2 = top.Add %0, %1 : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32> loc("add")
    %3 = top.Relu %2 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> loc("relu")
    return %3 : tensor<1x2x2x2xf32>
  }
}
