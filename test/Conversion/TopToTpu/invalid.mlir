// RUN: tpuc-opt %s -split-input-file --convert-top-to-tpu -verify-diagnostics

// The pass needs a Top module with a chip and a mode; INT8 needs
// calibration.

// expected-error @+1 {{convert-top-to-tpu needs top.chip and top.mode; run --processor-assign first}}
module @no_chip attributes {top.state = "TOP_F32"} {
}

// -----

// expected-error @+1 {{convert-top-to-tpu needs a Top module, but it is TPU_LOWERED}}
module @lowered attributes {top.state = "TPU_LOWERED", top.chip = "cv181x", top.mode = "INT8"} {
}

// -----

// expected-error @+1 {{INT8 needs a calibrated module: run --import-calibration-table (a table from run_calibration) first}}
module @uncalibrated attributes {top.state = "TOP_F32", top.chip = "cv181x", top.mode = "INT8"} {
}

// -----

module @gather attributes {top.state = "TOP_F32", top.chip = "cv181x", top.mode = "BF16"} {
  func.func @main(%arg0: tensor<4x3xf32>, %arg1: tensor<2xi64>) -> tensor<2x3xf32> {
    %x = top.Input %arg0 : (tensor<4x3xf32>) -> tensor<4x3xf32> loc("x")
    %i = top.Input %arg1 : (tensor<2xi64>) -> tensor<2xi64> loc("i")
    // Gathers at run-time indices are not lowered.
    // (Errors point at the op: it carries a file location, not a name.)
    // expected-error @+1 {{'top.Gather' op Gather needs constant indices}}
    %0 = top.Gather %x, %i {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}

// -----

module @prelu attributes {top.state = "TOP_F32", top.chip = "bm1684x", top.mode = "F16"} {
  func.func @main(%arg0: tensor<1x3x2xf32>, %arg1: tensor<3xf32>) -> tensor<1x3x2xf32> {
    %x = top.Input %arg0 : (tensor<1x3x2xf32>) -> tensor<1x3x2xf32> loc("x")
    %s = top.Input %arg1 : (tensor<3xf32>) -> tensor<3xf32> loc("s")
    // expected-error @+1 {{'top.PRelu' op PRelu needs a constant slope with one value per channel}}
    %0 = top.PRelu %x, %s : (tensor<1x3x2xf32>, tensor<3xf32>) -> tensor<1x3x2xf32>
    return %0 : tensor<1x3x2xf32>
  }
}

// -----

module @prelu_last_dim attributes {top.state = "TOP_F32", top.chip = "cv181x", top.mode = "BF16"} {
  func.func @main(%arg0: tensor<1x3x3xf32>) -> tensor<1x3x3xf32> {
    %x = top.Input %arg0 : (tensor<1x3x3xf32>) -> tensor<1x3x3xf32> loc("x")
    // A [3] slope broadcasts along the last dim (numpy rules), not the
    // channels, although both have 3 entries here.
    %s = top.Weight {value = dense<[0.1, 0.2, 0.3]> : tensor<3xf32>} : () -> tensor<3xf32> loc("s")
    // expected-error @+1 {{'top.PRelu' op PRelu needs a constant slope with one value per channel}}
    %0 = top.PRelu %x, %s : (tensor<1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3xf32>
    return %0 : tensor<1x3x3xf32>
  }
}
