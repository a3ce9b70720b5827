//===- TpuElementwiseOps.td - Elementwise Tpu ops ----------*- tablegen -*-===//

#ifndef TPUC_TPU_ELEMENTWISE_OPS
#define TPUC_TPU_ELEMENTWISE_OPS

// INT8 parameters of ops that combine several inputs: each input is scaled
// by its int8 multiplier, the int32 combination is shifted right by `rshift`
// with `round_mode` and saturated.
def MultiInputRequantAttrs {
  dag attrs = (ins OptionalAttr<DenseI64ArrayAttr>:$multipliers,
                   DefaultValuedAttr<I64Attr, "0">:$rshift,
                   DefaultValuedAttr<RoundModeAttr, "\"HalfAwayFromZero\"">:
                       $round_mode);
}

def Tpu_AddOp : Tpu_Op<"Add"> {
  let summary = "Elementwise sum with numpy broadcasting";
  let description = [{
    Float modes: `lhs + rhs`, rounded to the result type. INT8:
    `sat(round((m0 * lhs + m1 * rhs) >> rshift))` with the int8
    `multipliers` [m0, m1]. Relu (clamped to `relu_limit` when >= 0) is
    applied last.
  }];
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs),
                       ReluAttrs.attrs, MultiInputRequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_SubOp : Tpu_Op<"Sub"> {
  let summary = "Elementwise difference lhs - rhs with broadcasting";
  let description = [{
    As `tpu.Add` with `m0 * lhs - m1 * rhs` in INT8.
  }];
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs),
                       ReluAttrs.attrs, MultiInputRequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_MulOp : Tpu_Op<"Mul"> {
  let summary = "Elementwise product with broadcasting";
  let description = [{
    INT8: `sat(round((lhs * rhs * multiplier) >> rshift))`, the int8
    multiplier and the shift folding the three scales.
  }];
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs),
                       ReluAttrs.attrs, RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_DivOp : Tpu_Op<"Div"> {
  let summary = "Elementwise quotient, float modes only";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_PowTensorOp : Tpu_Op<"PowTensor"> {
  let summary = "Elementwise power with a tensor exponent, float modes only";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_MaxOp : Tpu_Op<"Max"> {
  let summary = "Elementwise maximum with broadcasting";
  let description = [{
    In INT8 both inputs and the result share one scale (lowering requantizes
    inputs that differ), so the maximum is taken on the stored integers.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_MinOp : Tpu_Op<"Min"> {
  let summary = "Elementwise minimum with broadcasting";
  let description = [{ As `tpu.Max`. }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_CompareOp : Tpu_Op<"Compare"> {
  let summary = "Elementwise comparison giving 1 or 0";
  let description = [{
    In INT8 both inputs share one scale and the comparison is exact on the
    stored integers; the result is an int8 of scale 1.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                   CompareModeAttr:$mode);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_WhereOp : Tpu_Op<"Where"> {
  let summary = "Select x where cond is non-zero, else y";
  let arguments = (ins AnyRankedTensor:$cond, AnyRankedTensor:$x,
                   AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_MulConstOp : Tpu_Op<"MulConst"> {
  let summary = "Multiplication by a scalar";
  let description = [{
    Float modes: `x * const_val`. INT8: `sat(round((x * multiplier) >>
    rshift))` with the int8 multiplier folding `const_val` and the scales.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, F64Attr:$const_val),
                       ReluAttrs.attrs, RequantAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_AddConstOp : Tpu_Op<"AddConst"> {
  let summary = "Addition of a scalar, float modes";
  let description = [{
    INT8 additions of constants become `tpu.Lut`, which is exact.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, F64Attr:$const_val),
                       ReluAttrs.attrs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ReluOp : Tpu_Op<"Relu"> {
  let summary = "max(x, 0), clamped to relu_limit when it is >= 0";
  let description = [{
    In INT8 the input and the result share the scale; the limit is rounded
    to that scale.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<F64Attr, "-1.0">:$relu_limit);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_PReluOp : Tpu_Op<"PRelu"> {
  let summary = "Leaky relu with a per-channel slope";
  let description = [{
    `slope` has one value per channel (dim 1). Float modes: `x < 0 ? x *
    slope[c] : x`. INT8: `slope` is `si8` and negative inputs become
    `sat(round((x * slope[c]) >> rshift))`, positive ones `sat(round((x *
    multiplier) >> rshift_pos))`, bringing both to the output scale.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$slope,
                   DefaultValuedAttr<I64Attr, "0">:$rshift,
                   DefaultValuedAttr<I64Attr, "1">:$multiplier_pos,
                   DefaultValuedAttr<I64Attr, "0">:$rshift_pos);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_ActiveOp : Tpu_Op<"Active"> {
  let summary = "Elementwise function computed in f32, float modes";
  let description = [{
    `mode` names the function; `coeffs` holds its parameters: HardSigmoid
    [alpha, beta], Clip [min, max], Elu, LeakyRelu [alpha], Pow [exponent],
    others none. The input is
    read in its float type, the function evaluated in f32 and the result
    rounded to the result type. (INT8 functions are `tpu.Lut`; CV18xx BF16
    ones are `tpu.LutBF16`, which interpolates tables as the chip does.)
  }];
  let arguments = (ins AnyRankedTensor:$input, ActiveModeAttr:$mode,
                   OptionalAttr<DenseF64ArrayAttr>:$coeffs);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_LutOp : Tpu_Op<"Lut"> {
  let summary = "Lookup of int8 codes in a 256-entry table";
  let description = [{
    `output[i] = table[code(input[i])]` where the code of a signed input is
    `x & 255` (so -1 is entry 255) and of an unsigned one `x`. The table is
    a `[256]` weight of the result's storage type; lowering fills it with
    `f((code - zp_in) * scale_in) / scale_out + zp_out`, rounded and
    saturated, so any unary function of an int8 tensor is exact.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$table);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Tpu_LutBF16Op : Tpu_Op<"LutBF16"> {
  let summary = "bf16 function by table interpolation (CV18xx)";
  let description = [{
    `table` holds 256 bf16 samples `f(x_k)` at `x_k = min_range + k * step`,
    `step = (max_range - min_range) / 256`, and `slope` the 256 bf16 slopes
    `(f(x_{k+1}) - f(x_k)) / step`. For an input x the segment is `k =
    clamp(floor((x - min_range) / step), 0, 255)` and `y = table[k] +
    slope[k] * (x - x_k)`, rounded to bf16 after the product and the sum.
    Beyond the range the end segments are extended, which suits functions
    that become linear or constant there (sigmoid, tanh, SiLU, GELU, ...).
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$table,
                   AnyRankedTensor:$slope,
                   DefaultValuedAttr<F64Attr, "-8.0">:$min_range,
                   DefaultValuedAttr<F64Attr, "8.0">:$max_range);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

#endif // TPUC_TPU_ELEMENTWISE_OPS
