//===- TpuQuantOps.td - Type conversions and preprocessing -*- tablegen -*-===//

#ifndef TPUC_TPU_QUANT_OPS
#define TPUC_TPU_QUANT_OPS

def Tpu_CastOp : Tpu_Op<"Cast"> {
  let summary = "Converts between float and quantized storage types";
  let description = [{
    float -> int8: `sat(round(x / scale) + zero_point)` with `round_mode`;
    int8 -> float: `(q - zero_point) * scale`; float -> float: rounding to
    nearest even; int8 -> int8 of another scale: through f32. The scales
    and zero points are the quantized types'.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<RoundModeAttr, "\"HalfAwayFromZero\"">:
                       $round_mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_RequantOp : Tpu_Op<"Requant"> {
  let summary = "Rescales int8 values to another scale";
  let description = [{
    `sat(round((x - zp_in) * multiplier >> rshift) + zp_out)` (QDM or
    MultiplierShift as `quant_mode` says), one multiplier/shift pair.
  }];
  let arguments = !con((ins AnyRankedTensor:$input), RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ScaleLutOp : Tpu_Op<"ScaleLut"> {
  let summary = "Per-channel lookup of uint8 pixels (fused preprocessing)";
  let description = [{
    `table` is `[c, 256]`: channel `c` of the output is `table[c][x]`.
    Lowering fills it with the quantized `(x - mean[c]) * scale[c]`, so
    preprocessing costs one lookup in INT8.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$table);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ScaleOp : Tpu_Op<"Scale"> {
  let summary = "Per-channel x * scale[c] + bias[c], float modes";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   AnyRankedTensor:$bias);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

#endif // TPUC_TPU_QUANT_OPS
