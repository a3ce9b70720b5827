//===- Passes.td - Lowering to and passes on Tpu ----------*- tablegen -*-===//

#ifndef TPUC_TPU_PASSES
#define TPUC_TPU_PASSES

include "mlir/Pass/PassBase.td"

def ConvertTopToTpu : Pass<"convert-top-to-tpu", "::mlir::ModuleOp"> {
  let summary = "Lowers a Top module to Tpu ops for its chip and mode";
  let description = [{
    Every Top op becomes Tpu ops computing in the mode of `top.mode`, or in
    the mode its quantization table line gives (`name MODE`, as written by
    run_qtable). INT8 needs a calibrated module (`import-calibration-table`);
    ops the chip cannot compute in INT8 fall back to the chip's float mode
    and are reported. Casts are inserted where neighbouring ops compute in
    different types, after the inputs and before the outputs (which stay
    f32). New weights (int8 filters, int32 biases, lookup tables, bf16/f16
    data) are added to the weight store; `--save-weights` writes them.
    The module goes to `TPU_LOWERED`.
  }];
  let options = [
    Option<"qtable", "qtable", "std::string", /*default=*/"\"\"",
           "Quantization table: one `op_name MODE` line per op">,
  ];
  let constructor = "::tpuc::tpu::createConvertTopToTpuPass()";
  let dependentDialects = ["::tpuc::tpu::TpuDialect",
                           "::mlir::quant::QuantizationDialect"];
}

def StripIOQuant : Pass<"strip-io-quant", "::mlir::ModuleOp"> {
  let summary = "Removes the casts at the model's inputs and outputs";
  let description = [{
    With `quant_input`, a `tpu.Cast` right after a network input (f32 to
    int8 or to bf16/f16) is removed and the input takes the cast's type:
    the caller then feeds quantized data. With `quant_output`, the final
    casts back to f32 are removed and the model returns int8 (or bf16/f16)
    tensors; their scales are recorded in the types.
  }];
  let options = [
    Option<"quantInput", "quant_input", "bool", /*default=*/"false",
           "Strip input casts">,
    Option<"quantOutput", "quant_output", "bool", /*default=*/"false",
           "Strip output casts">,
  ];
  let constructor = "::tpuc::tpu::createStripIOQuantPass()";
}

#endif // TPUC_TPU_PASSES
