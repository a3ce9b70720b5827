//===- TpuNNOps.td - Convolution, matmul, pooling, norms --*- tablegen -*-===//

#ifndef TPUC_TPU_NN_OPS
#define TPUC_TPU_NN_OPS

def Tpu_Conv2DOp : Tpu_Op<"Conv2D"> {
  let summary = "2-D convolution in the chip's arithmetic";
  let description = [{
    Attributes as `top.Conv` (2-D only; 1-D convolutions are lowered with a
    height of 1). INT8: `filter` is `si8`, `bias` `si32` of `[oc]`, the
    accumulator `sum(x * w) + bias` is requantized per output channel with
    `multiplier`/`rshift` (`quant_mode` QDM on both chip families) and relu
    is applied to the int8 result. Float modes: filter and bias in the
    operation's float type (bias f32 on CV18xx BF16), accumulation in f32,
    the result rounded to the result type.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                            AnyTensorOrNone:$bias,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<I64Attr, "1">:$group),
                       ReluAttrs.attrs, RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_DeconvOp : Tpu_Op<"Deconv"> {
  let summary = "2-D transposed convolution in the chip's arithmetic";
  let description = [{
    Attributes as `top.Deconv`; `filter` is `[ic, oc/group, kh, kw]`.
    Quantization as `tpu.Conv2D`.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                            AnyTensorOrNone:$bias,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            OptionalAttr<DenseI64ArrayAttr>:$output_padding,
                            DefaultValuedAttr<I64Attr, "1">:$group),
                       ReluAttrs.attrs, RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_MatMulOp : Tpu_Op<"MatMul"> {
  let summary = "Batched matrix product in the chip's arithmetic";
  let description = [{
    As `top.MatMul`. INT8: `right` is `si8` (a weight, or an activation),
    `bias` `si32`; the int32 result is requantized with `multiplier` and
    `rshift` (one entry, or one per output column for per-channel weights).
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$right,
                            AnyTensorOrNone:$bias,
                            DefaultValuedAttr<BoolAttr, "false">:$left_transpose,
                            DefaultValuedAttr<BoolAttr, "false">:$right_transpose),
                       ReluAttrs.attrs, RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_Pool2DOp : Tpu_Op<"Pool2D"> {
  let summary = "2-D max or average pooling";
  let description = [{
    Window attributes as `top.MaxPool`/`top.AvgPool` (`dilations`, max
    pooling only, as `top.MaxPool`'s). INT8 max pooling
    keeps the input's scale. INT8 average pooling sums the window in int32
    and requantizes with `multiplier`/`rshift`, which fold in the divisor
    `kh * kw` and the input/output scale ratio (the divisor never changes
    with padding on these chips, so `count_include_pad` must hold whenever
    the window overlaps padding).
  }];
  let arguments = !con((ins AnyRankedTensor:$input, PoolModeAttr:$pool_mode,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            OptionalAttr<DenseI64ArrayAttr>:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                            DefaultValuedAttr<BoolAttr, "false">:$count_include_pad),
                       ReluAttrs.attrs, RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_SoftmaxOp : Tpu_Op<"Softmax"> {
  let summary = "Softmax (or log-softmax) along one axis, in float";
  let description = [{
    Computed in f32 from the input's float values and rounded to the result
    type.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<I64Attr, "1">:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$log);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_LayerNormOp : Tpu_Op<"LayerNorm"> {
  let summary = "Layer normalization over dims [axis, rank), in float";
  let arguments = (ins AnyRankedTensor:$input, AnyTensorOrNone:$weight,
                   AnyTensorOrNone:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs AnyRankedTensor:$output);
}

def Tpu_InstanceNormOp : Tpu_Op<"InstanceNorm"> {
  let summary = "Normalization over the spatial dims of each (n, c), in float";
  let arguments = (ins AnyRankedTensor:$input, AnyTensorOrNone:$weight,
                   AnyTensorOrNone:$bias,
                   DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs AnyRankedTensor:$output);
}

#endif // TPUC_TPU_NN_OPS
