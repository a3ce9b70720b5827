module @order attributes {top.chip = "ALL", top.platform = "ONNX", top.state = "TOP_F32", top.weight_file = "order_weight.npz"} {
  func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
    %0 = top.Input %arg0 : (tensor<4xf32>) -> tensor<4xf32> loc("nan")
    %1 = top.Relu %0 : (tensor<4xf32>) -> tensor<4xf32> loc("far")
    %2 = top.Relu %1 : (tensor<4xf32>) -> tensor<4xf32> loc("close")
    %3 = top.Relu %2 : (tensor<4xf32>) -> tensor<4xf32> loc("same")
    return %3 : tensor<4xf32>
  }
}
