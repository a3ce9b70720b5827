//===- TopShapeOps.td - Data movement and shape Top ops ----*- tablegen -*-===//

#ifndef TPUC_TOP_SHAPE_OPS
#define TPUC_TOP_SHAPE_OPS

def Top_ReduceOp : Top_Op<"Reduce", [InferShape, CountFlops]> {
  let summary = "Reduction over the listed axes";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   ReduceModeAttr:$mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_ArgOp : Top_Op<"Arg", [InferShape, DefaultFlops]> {
  let summary = "Index of the largest (or smallest) value along an axis";
  let description = [{
    Indices are produced as float values of the result's element type. Ties
    give the first index, or the last with `select_last_index`, as ONNX
    ArgMax/ArgMin.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   ArgModeAttr:$mode,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_ConcatOp : Top_Op<"Concat", [InferShape, DefaultFlops]> {
  let summary = "Joins tensors along an axis";
  let arguments = !con((ins Variadic<AnyRankedTensor>:$inputs,
                            DefaultValuedAttr<I64Attr, "1">:$axis),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_SplitOp : Top_Op<"Split", [InferShape, DefaultFlops]> {
  let summary = "Cuts a tensor along an axis into consecutive pieces";
  let description = [{
    Result `i` has `split_size[i]` elements along `axis`. Result names are
    the names of the op's fused location, in order.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   DenseI64ArrayAttr:$split_size);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let hasVerifier = 1;
}

def Top_SliceOp : Top_Op<"Slice", [InferShape, DefaultFlops]> {
  let summary = "Strided slice on the listed axes";
  let description = [{
    For each `axes[i]`, takes `starts[i]:ends[i]:steps[i]` with Python
    semantics: negative indices count from the end, bounds are clamped, a
    negative step walks backwards.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps,
                   DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_ReshapeOp : Top_Op<"Reshape", [InferShape, DefaultFlops]> {
  let summary = "Same elements, new shape";
  let description = [{
    `shape` may hold one `-1` (inferred) and `0` (copy the input dim). When
    absent, the result type gives the shape.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   OptionalAttr<DenseI64ArrayAttr>:$shape);
  let results = (outs AnyRankedTensor:$output);
  let hasCanonicalizer = 1;
}

def Top_PermuteOp : Top_Op<"Permute", [InferShape, DefaultFlops]> {
  let summary = "Transposes dims: output dim i is input dim order[i]";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$order);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Top_FlattenOp : Top_Op<"Flatten", [InferShape, DefaultFlops]> {
  let summary = "Merges dims [start_dim, end_dim] into one";
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<I64Attr, "1">:$start_dim,
                   DefaultValuedAttr<I64Attr, "-1">:$end_dim);
  let results = (outs AnyRankedTensor:$output);
}

def Top_SqueezeOp : Top_Op<"Squeeze", [InferShape, DefaultFlops]> {
  let summary = "Removes size-1 dims (all of them when axes is empty)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$output);
}

def Top_UnsqueezeOp : Top_Op<"Unsqueeze", [InferShape, DefaultFlops]> {
  let summary = "Inserts size-1 dims at the listed output positions";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$output);
}

def Top_ExpandOp : Top_Op<"Expand", [InferShape, DefaultFlops]> {
  let summary = "Broadcasts to a shape (numpy rules, as ONNX Expand)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$output);
}

def Top_TileOp : Top_Op<"Tile", [InferShape, DefaultFlops]> {
  let summary = "Repeats the tensor repeats[i] times along dim i";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_PadOp : Top_Op<"Pad", [InferShape, DefaultFlops]> {
  let summary = "Pads with a constant, a reflection or the edge value";
  let description = [{
    `paddings` holds the begin pads of every dim, then the end pads, as in
    ONNX. Negative paddings crop.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$paddings,
                   DefaultValuedAttr<F64Attr, "0.0">:$val,
                   DefaultValuedAttr<PadModeAttr, "\"constant\"">:$mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_UpsampleOp : Top_Op<"Upsample", [InferShape, DefaultFlops]> {
  let summary = "Nearest-neighbour upsampling by integer factors";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$scale_h,
                   I64Attr:$scale_w);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_InterpOp : Top_Op<"Interp", [InferShape, DefaultFlops]> {
  let summary = "Resize of the last two dims";
  let description = [{
    `nearest` or bilinear (`linear`) resize. The output size is the result
    type's when known, else `floor(in * scale)`. Source coordinates follow
    `coord_mode` as in ONNX Resize. `nearest` rounds the source coordinate
    as `nearest_mode` says (ONNX Resize's modes); without it, it rounds half
    down for `half_pixel`, `pytorch_half_pixel` and `align_corners` (ONNX's
    default `round_prefer_floor`) and floors for `asymmetric` (PyTorch's
    nearest). `nearest_mode` is only valid with `mode = "nearest"`.
  }];
  let arguments = (ins AnyRankedTensor:$input, InterpModeAttr:$mode,
                   InterpCoordModeAttr:$coord_mode, F64Attr:$scale_h,
                   F64Attr:$scale_w,
                   OptionalAttr<InterpNearestModeAttr>:$nearest_mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_Depth2SpaceOp : Top_Op<"Depth2Space", [InferShape, DefaultFlops]> {
  let summary = "Moves channel blocks into space (or back when inversed)";
  let description = [{
    `is_CRD` selects ONNX's CRD ordering (else DCR). `is_inversed` performs
    space-to-depth with the same block sizes.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$block_h,
                   I64Attr:$block_w,
                   DefaultValuedAttr<BoolAttr, "false">:$is_CRD,
                   DefaultValuedAttr<BoolAttr, "false">:$is_inversed);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_GatherOp : Top_Op<"Gather", [InferShape, DefaultFlops]> {
  let summary = "Gathers slices along an axis at constant indices";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

#endif // TPUC_TOP_SHAPE_OPS
