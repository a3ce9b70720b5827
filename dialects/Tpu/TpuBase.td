//===- TpuBase.td - Base classes and attributes of Tpu ops -*- tablegen -*-===//

#ifndef TPUC_TPU_BASE
#define TPUC_TPU_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "TpuDialect.td"
include "TopBase.td"

// Every Tpu op is side-effect free.
class Tpu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tpu_Dialect, mnemonic, !listconcat([Pure], traits)> {
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
}

// How an int32 accumulator becomes the int8 result.
//  * QDM: `(acc * multiplier) >> 31` rounding half up, saturated to int32,
//    then `>> rshift` rounding with `round_mode` (CV18xx Conv/MatMul and
//    BM1684X INT8). `multiplier` lies in [2^30, 2^31).
//  * MultiplierShift: `(acc * multiplier) >> rshift` rounding with
//    `round_mode`; `multiplier` is an int8 (CV18xx elementwise ops, pools).
def RequantModeAttr : StrEnumAttr<["QDM", "MultiplierShift"]>;
def RoundModeAttr : StrEnumAttr<["HalfUp", "HalfAwayFromZero", "HalfToEven",
                                  "TowardsZero", "Down"]>;
def PoolModeAttr : StrEnumAttr<["Max", "Avg"]>;
def ActiveModeAttr : StrEnumAttr<["Sigmoid", "SiLU", "Tanh", "Exp", "Log",
                                   "Sqrt", "Rsqrt", "Reciprocal", "Abs",
                                   "Erf", "GELU", "GELUTanh", "Mish",
                                   "HardSigmoid", "HardSwish", "Elu",
                                   "Softplus", "Pow", "LeakyRelu", "Clip"]>;

// Integer requantization parameters of int8 compute ops; absent in float
// modes. Per-channel ops have one entry per output channel, others one.
def RequantAttrs {
  dag attrs = (ins OptionalAttr<DenseI64ArrayAttr>:$multiplier,
                   OptionalAttr<DenseI64ArrayAttr>:$rshift,
                   DefaultValuedAttr<RequantModeAttr, "\"MultiplierShift\"">:
                       $quant_mode,
                   DefaultValuedAttr<RoundModeAttr, "\"HalfAwayFromZero\"">:
                       $round_mode);
}

#endif // TPUC_TPU_BASE
