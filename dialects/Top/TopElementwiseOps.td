//===- TopElementwiseOps.td - Elementwise Top ops ----------*- tablegen -*-===//

#ifndef TPUC_TOP_ELEMENTWISE_OPS
#define TPUC_TOP_ELEMENTWISE_OPS

//===----------------------------------------------------------------------===//
// Binary ops with numpy broadcasting
//===----------------------------------------------------------------------===//

def Top_AddOp : Top_BinaryOp<"Add"> {
  let summary = "Elementwise sum, optionally followed by relu";
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs),
                       ReluAttrs.attrs);
  let hasCanonicalizer = 1;
}
def Top_SubOp : Top_BinaryOp<"Sub"> {
  let summary = "Elementwise difference lhs - rhs";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
}
def Top_MulOp : Top_BinaryOp<"Mul"> {
  let summary = "Elementwise product";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let hasCanonicalizer = 1;
}
def Top_DivOp : Top_BinaryOp<"Div"> {
  let summary = "Elementwise quotient lhs / rhs";
  let description = [{
    With an integer result element type the quotient is truncated toward
    zero (C and ONNX integer division) and saturated to the type's range;
    an integer division by zero gives 0, as numpy does.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let hasCanonicalizer = 1;
}
def Top_MaxOp : Top_BinaryOp<"Max"> {
  let summary = "Elementwise maximum";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
}
def Top_MinOp : Top_BinaryOp<"Min"> {
  let summary = "Elementwise minimum";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
}
def Top_PowTensorOp : Top_BinaryOp<"PowTensor"> {
  let summary = "Elementwise power lhs ^ rhs with a tensor exponent";
  let description = [{
    Both the base and the exponent are tensors, broadcast against each other
    numpy-style (`top.Pow` takes a scalar exponent attribute instead). The
    power follows C's `pow`: a negative base with a non-integer exponent
    gives NaN. With an integer result element type the power is truncated
    toward zero and saturated to the type's range, as ONNX Pow on integer
    tensors.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let hasVerifier = 1;
}
def Top_CompareOp : Top_BinaryOp<"Compare"> {
  let summary = "Elementwise comparison giving 1 or 0";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                   CompareModeAttr:$mode);
}

def Top_WhereOp : Top_Op<"Where", [InferShape, DefaultFlops]> {
  let summary = "Select x where cond is non-zero, else y (broadcasting)";
  let arguments = (ins AnyRankedTensor:$cond, AnyRankedTensor:$x,
                   AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$output);
}

//===----------------------------------------------------------------------===//
// Ops with a scalar constant
//===----------------------------------------------------------------------===//

def Top_AddConstOp : Top_UnaryOp<"AddConst"> {
  let summary = "Adds a scalar, optionally followed by relu";
  let arguments = !con((ins AnyRankedTensor:$input, F64Attr:$const_val),
                       ReluAttrs.attrs);
  let hasCanonicalizer = 1;
}
def Top_MulConstOp : Top_UnaryOp<"MulConst"> {
  let summary = "Multiplies by a scalar, optionally followed by relu";
  let arguments = !con((ins AnyRankedTensor:$input, F64Attr:$const_val),
                       ReluAttrs.attrs);
  let hasCanonicalizer = 1;
}
def Top_PowOp : Top_UnaryOp<"Pow"> {
  let summary = "x raised to a scalar exponent";
  let description = [{
    With an integer result element type the power is truncated toward zero
    and saturated to the type's range, as ONNX Pow on integer tensors.
  }];
  let arguments = (ins AnyRankedTensor:$input, F64Attr:$exponent);
}

//===----------------------------------------------------------------------===//
// Activations and math
//===----------------------------------------------------------------------===//

def Top_ReluOp : Top_UnaryOp<"Relu"> {
  let summary = "max(x, 0), clamped to relu_limit when it is >= 0";
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<F64Attr, "-1.0">:$relu_limit);
}
def Top_LeakyReluOp : Top_UnaryOp<"LeakyRelu"> {
  let summary = "x for x >= 0, alpha * x otherwise";
  let arguments = (ins AnyRankedTensor:$input, F64Attr:$alpha);
}
def Top_PReluOp : Top_Op<"PRelu", [DefaultShape, DefaultFlops]> {
  let summary = "Leaky relu with a slope tensor broadcast against x";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$slope);
  let results = (outs AnyRankedTensor:$output);
}
def Top_ClipOp : Top_UnaryOp<"Clip"> {
  let summary = "min(max(x, min), max)";
  let arguments = (ins AnyRankedTensor:$input, F64Attr:$min, F64Attr:$max);
  let hasVerifier = 1;
}
def Top_SigmoidOp : Top_UnaryOp<"Sigmoid"> {
  let summary = "1 / (1 + exp(-x))";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_SiLUOp : Top_UnaryOp<"SiLU"> {
  let summary = "x * sigmoid(x)";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_HardSigmoidOp : Top_UnaryOp<"HardSigmoid"> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<F64Attr, "0.2">:$alpha,
                   DefaultValuedAttr<F64Attr, "0.5">:$beta);
}
def Top_HardSwishOp : Top_UnaryOp<"HardSwish"> {
  let summary = "x * max(0, min(1, x / 6 + 1 / 2))";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_MishOp : Top_UnaryOp<"Mish"> {
  let summary = "x * tanh(softplus(x))";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_GELUOp : Top_UnaryOp<"GELU"> {
  let summary = "Gaussian error linear unit (exact or tanh approximation)";
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<GeluModeAttr, "\"normal\"">:$approx_mode);
}
def Top_EluOp : Top_UnaryOp<"Elu"> {
  let summary = "x for x > 0, alpha * (exp(x) - 1) otherwise";
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<F64Attr, "1.0">:$alpha);
}
def Top_SoftplusOp : Top_UnaryOp<"Softplus"> {
  let summary = "log(1 + exp(x))";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_TanhOp : Top_UnaryOp<"Tanh"> {
  let summary = "Hyperbolic tangent";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_ExpOp : Top_UnaryOp<"Exp"> {
  let summary = "Natural exponential";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_LogOp : Top_UnaryOp<"Log"> {
  let summary = "Natural logarithm";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_SqrtOp : Top_UnaryOp<"Sqrt"> {
  let summary = "Square root";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_AbsOp : Top_UnaryOp<"Abs"> {
  let summary = "Absolute value";
  let arguments = (ins AnyRankedTensor:$input);
}
def Top_ErfOp : Top_UnaryOp<"Erf"> {
  let summary = "Gauss error function";
  let arguments = (ins AnyRankedTensor:$input);
}

def Top_CastOp : Top_UnaryOp<"Cast"> {
  let summary = "Converts the element type to the result's";
  let description = [{
    Float to integer conversion truncates toward zero and saturates to the
    integer type's range, as ONNX Cast does for in-range values. Casts to a
    narrower float type (f16, bf16, ...) round to nearest even, so that the
    values are that type's even where they are held as f32.
  }];
  let arguments = (ins AnyRankedTensor:$input);
}

#endif // TPUC_TOP_ELEMENTWISE_OPS
