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
}

def FusePreprocess : Pass<"fuse-preprocess", "::mlir::ModuleOp"> {
  let summary = "Makes image inputs raw uint8 frames and preprocesses in the model";
  let description = [{
    For every network input that carries image preprocessing (pixel_format,
    channel_format, mean, scale), the input becomes the uint8 frame the
    camera pipeline delivers, typed `!quant.uniform<u8:f32, 1.0>`, in
    `customization_format` (RGB_PLANAR, RGB_PACKED, BGR_PLANAR, BGR_PACKED,
    GRAYSCALE, RGBA_PLANAR; default from pixel_format and channel_format).
    The model then reorders the layout and channels, crops to the network
    size when `resize_dims` is larger, and applies `(x - mean) * scale`: one
    per-channel lookup table (tpu.ScaleLut) in INT8, tpu.Scale in float
    modes. With `align` (CV18xx), frame rows are padded to the chip's
    alignment (32 bytes on cv183x, 64 on the others) and the model crops
    them. The input records `tpu.customization_format`, `tpu.aligned`,
    `tpu.frame_dims` (the frame's height and width) and `tpu.image_dims`
    (the height and width the model crops it to), so that tools can build
    frames from images and map results back to them.
  }];
  let options = [
    Option<"customizationFormat", "customization_format", "std::string",
           /*default=*/"\"\"", "Frame format, e.g. RGB_PACKED">,
    Option<"align", "align", "bool", /*default=*/"false",
           "Frame rows padded to the chip's alignment (CV18xx)">,
  ];
  let dependentDialects = ["::tpuc::tpu::TpuDialect",
                           "::mlir::quant::QuantizationDialect"];
}

def WeightFold : Pass<"weight-fold", "::mlir::ModuleOp"> {
  let summary = "Computes ops whose operands are all weights at compile time";
  let description = [{
    A Tpu op that reads only weights (a reshape, cast or requantization of a
    constant, for instance) is run once with the interpreter's kernel and
    replaced by a weight holding its result, in the result's storage type.
    Its value is exactly what the op would compute on the chip.
  }];
}

#endif // TPUC_TPU_PASSES
