//===- TpuShapeOps.td - Data movement and reductions -------*- tablegen -*-===//
//
// Data movement ops move stored values unchanged: in INT8 their result has
// the input's scale, so they compute the same in every mode.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TPU_SHAPE_OPS
#define TPUC_TPU_SHAPE_OPS

def Tpu_ReshapeOp : Tpu_Op<"Reshape"> {
  let summary = "Same elements, the result type's shape";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_PermuteOp : Tpu_Op<"Permute"> {
  let summary = "Transposes dims: output dim i is input dim order[i]";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$order);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_SliceOp : Tpu_Op<"Slice"> {
  let summary = "Strided slice on the listed axes, as top.Slice";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps,
                   DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ConcatOp : Tpu_Op<"Concat"> {
  let summary = "Joins tensors along an axis";
  let description = [{
    INT8: input `i` is requantized to the result's scale with
    `multipliers[i]` and `rshifts[i]` (1 and 0 when the scales already
    agree), rounding with `round_mode`, then relu is applied.
  }];
  let arguments = !con((ins Variadic<AnyRankedTensor>:$inputs,
                            DefaultValuedAttr<I64Attr, "1">:$axis,
                            OptionalAttr<DenseI64ArrayAttr>:$multipliers,
                            OptionalAttr<DenseI64ArrayAttr>:$rshifts,
                            DefaultValuedAttr<RoundModeAttr, "\"HalfAwayFromZero\"">:
                                $round_mode),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_TileOp : Tpu_Op<"Tile"> {
  let summary = "Repeats the tensor repeats[i] times along dim i";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_PadOp : Tpu_Op<"Pad"> {
  let summary = "Pads with a constant, a reflection or the edge value";
  let description = [{
    As `top.Pad`; in INT8 the constant `val` is the stored value.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$paddings,
                   DefaultValuedAttr<F64Attr, "0.0">:$val,
                   DefaultValuedAttr<PadModeAttr, "\"constant\"">:$mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_UpsampleOp : Tpu_Op<"Upsample"> {
  let summary = "Nearest-neighbour upsampling by integer factors";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$scale_h,
                   I64Attr:$scale_w);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_InterpOp : Tpu_Op<"Interp"> {
  let summary = "Resize of the last two dims, as top.Interp";
  let description = [{
    `nearest` moves values (rounding source coordinates as `nearest_mode`
    says, as `top.Interp`). `linear` interpolates in f32 and rounds to the
    result type; in INT8 (same scale in and out) the interpolated value is
    rounded half away from zero to the stored integer.
  }];
  let arguments = (ins AnyRankedTensor:$input, InterpModeAttr:$mode,
                   InterpCoordModeAttr:$coord_mode, F64Attr:$scale_h,
                   F64Attr:$scale_w,
                   OptionalAttr<InterpNearestModeAttr>:$nearest_mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_Depth2SpaceOp : Tpu_Op<"Depth2Space"> {
  let summary = "Moves channel blocks into space, as top.Depth2Space";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$block_h,
                   I64Attr:$block_w,
                   DefaultValuedAttr<BoolAttr, "false">:$is_CRD,
                   DefaultValuedAttr<BoolAttr, "false">:$is_inversed);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_GatherOp : Tpu_Op<"Gather"> {
  let summary = "Gathers slices along an axis at constant indices";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_SwapChannelOp : Tpu_Op<"SwapChannel"> {
  let summary = "Reorders dim 1: output channel i is input channel order[i]";
  let arguments = (ins AnyRankedTensor:$input,
                   DenseI64ArrayAttr:$channel_order);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ReduceOp : Tpu_Op<"Reduce"> {
  let summary = "Reduction over the listed axes";
  let description = [{
    As `top.Reduce`. INT8 ReduceMax/ReduceMin keep the input's scale;
    ReduceMean and ReduceSum sum in int32 and requantize with `multiplier`
    and `rshift` (folding the element count for the mean). The other modes
    are float only.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                            DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                            ReduceModeAttr:$mode),
                       RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ArgOp : Tpu_Op<"Arg"> {
  let summary = "Index of the largest (or smallest) value along an axis";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   ArgModeAttr:$mode,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

#endif // TPUC_TPU_SHAPE_OPS
