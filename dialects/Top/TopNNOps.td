//===- TopNNOps.td - Convolution, matmul, pooling, norms --*- tablegen -*-===//

#ifndef TPUC_TOP_NN_OPS
#define TPUC_TOP_NN_OPS

def Top_ConvOp : Top_Op<"Conv", [InferShape, CountFlops]> {
  let summary = "1-D or 2-D convolution";
  let description = [{
    `filter` is `[oc, ic/group, kh, kw]` (or `[oc, ic/group, k]` in 1-D),
    `bias` is `[oc]` or none. `pads` are `[top, left, bottom, right]` (1-D:
    `[begin, end]`). With `do_relu` the result is clamped to
    `[0, relu_limit]` (no upper bound when `relu_limit < 0`).
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                            AnyTensorOrNone:$bias,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<I64Attr, "1">:$group),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Top_DeconvOp : Top_Op<"Deconv", [InferShape, CountFlops]> {
  let summary = "1-D or 2-D transposed convolution";
  let description = [{
    `filter` is `[ic, oc/group, kh, kw]` as in ONNX ConvTranspose. Output
    size is `(in - 1) * stride - pad_begin - pad_end + dilation * (k - 1) + 1
    + output_padding`.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                            AnyTensorOrNone:$bias,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            OptionalAttr<DenseI64ArrayAttr>:$output_padding,
                            DefaultValuedAttr<I64Attr, "1">:$group),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Top_MatMulOp : Top_Op<"MatMul", [InferShape, CountFlops]> {
  let summary = "Batched matrix product with optional bias";
  let description = [{
    `output = op(input) x op(right) + bias` where `op` transposes the last two
    dims when `left_transpose`/`right_transpose` is set. Batch dims
    broadcast; a 1-D operand is promoted as in numpy. `bias` broadcasts
    against the output's last dim.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$right,
                            AnyTensorOrNone:$bias,
                            DefaultValuedAttr<BoolAttr, "false">:$left_transpose,
                            DefaultValuedAttr<BoolAttr, "false">:$right_transpose),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasCanonicalizer = 1;
}

// `extraArgs` come between the window attributes and the relu ones.
class Top_PoolOp<string mnemonic, dag extraArgs = (ins)>
    : Top_Op<mnemonic, [InferShape, CountFlops]> {
  let arguments = !con((ins AnyRankedTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads),
                       extraArgs,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                            DefaultValuedAttr<BoolAttr, "false">:$count_include_pad),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_MaxPoolOp : Top_PoolOp<"MaxPool",
    (ins OptionalAttr<DenseI64ArrayAttr>:$dilations)> {
  let summary = "1-D or 2-D max pooling";
  let description = [{
    `dilations` (one per spatial dim, 1 when absent) space the window's
    taps as in ONNX MaxPool; the window then spans `dilation * (k - 1) + 1`
    input positions.
  }];
}

def Top_MaxPoolWithIndicesOp
    : Top_Op<"MaxPoolWithIndices", [InferShape, CountFlops]> {
  let summary = "1-D or 2-D max pooling that also gives where each max is";
  let description = [{
    `output` is what `top.MaxPool` with the same attributes gives. `indices`
    holds the position of each maximum in the input as a flat index over all
    of its dims, batch and channel included, as ONNX MaxPool's Indices
    output: `(n * C + c) * H * W + h * W + w`, or with `column_major` (ONNX
    `storage_order = 1`) `(n * C + c) * H * W + w * H + h`. Ties give the
    first position in row-major window order; a window holding no input
    element gives -1. `indices` is normally i64; the interpreter holds it as
    float, exact for inputs of up to 2^24 elements.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$indices);
  let hasVerifier = 1;
}

def Top_AvgPoolOp : Top_PoolOp<"AvgPool"> {
  let summary = "1-D or 2-D average pooling";
  let description = [{
    With `count_include_pad` the divisor counts padded positions (but never
    the extra positions added by `ceil_mode`).
  }];
}

def Top_GlobalAvgPoolOp : Top_Op<"GlobalAvgPool", [InferShape, DefaultFlops]> {
  let summary = "Mean over all spatial dims, kept as size 1";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
}

def Top_AdaptiveAvgPoolOp : Top_Op<"AdaptiveAvgPool", [InferShape, DefaultFlops]> {
  let summary = "Average pooling to a fixed spatial output size";
  let description = [{
    Output cell `i` averages input rows `[floor(i*H/oh), ceil((i+1)*H/oh))`,
    as in PyTorch.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$output_size);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_BatchNormOp : Top_Op<"BatchNorm", [DefaultShape, DefaultFlops]> {
  let summary = "Inference batch normalization over dim 1";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$mean,
                   AnyRankedTensor:$variance, AnyTensorOrNone:$gamma,
                   AnyTensorOrNone:$beta,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_LayerNormOp : Top_Op<"LayerNorm", [DefaultShape, DefaultFlops]> {
  let summary = "Layer normalization over dims [axis, rank)";
  let arguments = (ins AnyRankedTensor:$input, AnyTensorOrNone:$weight,
                   AnyTensorOrNone:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_InstanceNormOp : Top_Op<"InstanceNorm", [DefaultShape, DefaultFlops]> {
  let summary = "Normalization over the spatial dims of each (n, c)";
  let description = [{
    `y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]`, mean and
    variance taken over dims 2 and up, as ONNX InstanceNormalization.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyTensorOrNone:$weight,
                   AnyTensorOrNone:$bias,
                   DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_SoftmaxOp : Top_Op<"Softmax", [DefaultShape, DefaultFlops]> {
  let summary = "Softmax (or log-softmax) along one axis";
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<I64Attr, "1">:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$log);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

#endif // TPUC_TOP_NN_OPS
