//===- TopBase.td - Base classes and constraints of Top ops -*- tablegen -*-===//

#ifndef TPUC_TOP_BASE
#define TPUC_TOP_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "TopDialect.td"
include "TopInterfaces.td"

def AnyTensorOrNone : AnyTypeOf<[AnyRankedTensor, NoneType]>;

// Ops that override the interfaces' default implementations.
defvar InferShape = DeclareOpInterfaceMethods<ShapeInferenceOpInterface,
                                              ["inferShapes"]>;
defvar CountFlops = DeclareOpInterfaceMethods<FlopsOpInterface, ["getFLOPs"]>;
defvar DefaultShape = ShapeInferenceOpInterface;
defvar DefaultFlops = FlopsOpInterface;

// Every Top op is side-effect free, so unused ones are removed by
// canonicalization.
class Top_Op<string mnemonic, list<Trait> traits = []>
    : Op<Top_Dialect, mnemonic, !listconcat([Pure], traits)> {
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
}

// One input, one output of the same shape, one FLOP per element.
class Top_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Top_Op<mnemonic, !listconcat([DefaultShape, DefaultFlops], traits)> {
  let results = (outs AnyRankedTensor:$output);
}

// Two inputs with numpy broadcasting.
class Top_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Top_Op<mnemonic, !listconcat([InferShape, DefaultFlops], traits)> {
  let results = (outs AnyRankedTensor:$output);
}

def ReluAttrs {
  dag attrs = (ins DefaultValuedAttr<BoolAttr, "false">:$do_relu,
                   DefaultValuedAttr<F64Attr, "-1.0">:$relu_limit);
}

// A string attribute restricted to a fixed set of values; keeps the textual
// IR readable (`mode = "linear"`) while the verifier rejects typos.
class StrEnumAttr<list<string> values> : StringBasedAttr<
    CPred<"::llvm::isa<::mlir::StringAttr>($_self) && ::llvm::is_contained("
          "::llvm::ArrayRef<::llvm::StringRef>{"
          # !interleave(!foreach(v, values, "\"" # v # "\""), ", ")
          # "}, ::llvm::cast<::mlir::StringAttr>($_self).getValue())">,
    "string, one of " # !interleave(values, ", ")>;

def PadModeAttr : StrEnumAttr<["constant", "reflect", "edge"]>;
def InterpModeAttr : StrEnumAttr<["nearest", "linear"]>;
def InterpCoordModeAttr : StrEnumAttr<["half_pixel", "align_corners",
                                        "asymmetric", "pytorch_half_pixel"]>;
def InterpNearestModeAttr : StrEnumAttr<["round_prefer_floor",
                                          "round_prefer_ceil", "floor",
                                          "ceil"]>;
def ReduceModeAttr : StrEnumAttr<["ReduceMean", "ReduceMax", "ReduceMin",
                                   "ReduceSum", "ReduceProd", "ReduceL2"]>;
def CompareModeAttr : StrEnumAttr<["Equal", "Greater", "GreaterOrEqual",
                                    "Less", "LessOrEqual", "NotEqual"]>;
def PixelFormatAttr : StrEnumAttr<["rgb", "bgr", "gray", "rgba"]>;
def ChannelFormatAttr : StrEnumAttr<["nchw", "nhwc", "none"]>;
def GeluModeAttr : StrEnumAttr<["normal", "tanh"]>;
def ArgModeAttr : StrEnumAttr<["ArgMax", "ArgMin"]>;

#endif // TPUC_TOP_BASE
