//===- TopOps.td - Top dialect ops -------------------------*- tablegen -*-===//

#ifndef TPUC_TOP_OPS
#define TPUC_TOP_OPS

include "TopBase.td"

//===----------------------------------------------------------------------===//
// Graph structure
//===----------------------------------------------------------------------===//

def Top_NoneOp : Top_Op<"None"> {
  let summary = "Placeholder for an absent optional operand";
  let results = (outs NoneType:$output);
  let assemblyFormat = "attr-dict";
}

// Not Pure: a network input stays part of the model's interface even when
// nothing reads it, so canonicalization must not remove it.
def Top_InputOp : Op<Top_Dialect, "Input", [DefaultShape]> {
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
  let summary = "Network input with its preprocessing description";
  let description = [{
    Marks a function argument as a network input. The optional attributes
    describe how an image becomes this tensor: resize (or letterbox with
    `keep_aspect_ratio`, padding with `pad_value`) to `resize_dims`, convert
    to `pixel_format`, then `(x - mean) * scale` per channel in
    `channel_format` layout.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   OptionalAttr<PixelFormatAttr>:$pixel_format,
                   OptionalAttr<ChannelFormatAttr>:$channel_format,
                   OptionalAttr<DenseI64ArrayAttr>:$resize_dims,
                   DefaultValuedAttr<BoolAttr, "false">:$keep_aspect_ratio,
                   DefaultValuedAttr<I64Attr, "0">:$pad_value,
                   OptionalAttr<DenseF64ArrayAttr>:$mean,
                   OptionalAttr<DenseF64ArrayAttr>:$scale);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
}

def Top_WeightOp : Top_Op<"Weight"> {
  let summary = "Named constant tensor";
  let description = [{
    A constant whose data is the tensor of the same name (the op's location
    name) in the module's `top.weight_file`, read on first use. Small
    constants may instead carry their data in `value`.
  }];
  let arguments = (ins OptionalAttr<ElementsAttr>:$value);
  let results = (outs AnyRankedTensor:$output);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The tensor name, which is also the key in the weight file.
    ::llvm::StringRef getTensorName();
  }];
}

include "TopNNOps.td"
include "TopElementwiseOps.td"
include "TopShapeOps.td"

#endif // TPUC_TOP_OPS
