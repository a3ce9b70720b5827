// RUN: not tpuc-opt %s 2>&1 | FileCheck %s

// Tensor names key weights and comparisons, so a tpuc module (one with
// top.state) must not reuse them. Name locations carry no line number, which
// is why this is not a -verify-diagnostics test.

// CHECK: error: loc("x"): tensor name 'x' is used by more than one op
// CHECK: note: loc("x"): first used here
module attributes {top.state = "TOP_F32"} {
  func.func @duplicate_names(%a: tensor<4xf32>) -> tensor<4xf32> {
    %0 = top.Relu %a : (tensor<4xf32>) -> tensor<4xf32> loc("x")
    %1 = top.Sigmoid %0 : (tensor<4xf32>) -> tensor<4xf32> loc("x")
    return %1 : tensor<4xf32>
  }
}
