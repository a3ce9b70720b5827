// With quant_input and quant_output the model takes and returns int8 codes;
// model_runner quantizes the f32 inputs with the input's scale and
// dequantizes the outputs, so the results equal the unstripped model's
// bit for bit (the input cast computed the same codes). The outputs are
// named after the results (sig), the unstripped ones after their casts
// (sig_f32).
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %S/../Conversion/TopToTpu/Inputs/numeric.py input in.npz x:1x2x4x4:-2:2
// RUN: tpuc-opt %s --processor-assign="chip=cv181x" --import-calibration-table="file=%S/Inputs/strip_io.cali" --convert-top-to-tpu -o plain.mlir
// RUN: tpuc-opt plain.mlir --strip-io-quant="quant_input=true quant_output=true" -o stripped.mlir
// RUN: model_runner --model plain.mlir --input in.npz --output plain.npz
// RUN: model_runner --model stripped.mlir --input in.npz --output stripped.npz
// RUN: %python %S/../Conversion/TopToTpu/Inputs/numeric.py check plain.npz stripped.npz sig_f32=sig 0
// RUN: %python %S/../Conversion/TopToTpu/Inputs/numeric.py check plain.npz stripped.npz neg_f32=neg 0
// The same in BF16.
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=BF16" --convert-top-to-tpu -o plain_bf16.mlir
// RUN: tpuc-opt plain_bf16.mlir --strip-io-quant="quant_input=true quant_output=true" -o stripped_bf16.mlir
// RUN: model_runner --model plain_bf16.mlir --input in.npz --output plain_bf16.npz
// RUN: model_runner --model stripped_bf16.mlir --input in.npz --output stripped_bf16.npz
// RUN: %python %S/../Conversion/TopToTpu/Inputs/numeric.py check plain_bf16.npz stripped_bf16.npz sig_f32=sig 0

module @m attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
    %0 = top.Input %arg0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("x")
    %1 = top.Sigmoid %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
    %2 = top.MulConst %0 {const_val = -1.0 : f64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("neg")
    return %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  }
}
