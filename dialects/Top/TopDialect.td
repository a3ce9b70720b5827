//===- TopDialect.td - Top dialect definition -------------*- tablegen -*-===//
//
// The Top dialect is tpuc's framework-independent float graph. Every op's
// location name is the name of the tensor it produces; that name keys weights,
// calibration tables, quantization tables and numeric comparisons.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOP_DIALECT
#define TPUC_TOP_DIALECT

include "mlir/IR/OpBase.td"

def Top_Dialect : Dialect {
  let name = "top";
  let cppNamespace = "::tpuc::top";
  let summary = "Framework-independent float graph of a neural network";
  let description = [{
    Ops of this dialect describe a trained network as imported from a
    framework: float tensors, weights in an external `.npz` file and
    preprocessing attributes on the inputs. Each op has a float reference
    implementation in the interpreter, shape inference and a FLOPs count.

    Module attributes:
    * `top.state`: `TOP_F32`, `TOP_CALIBRATED`, `TOP_QUANTIZED`,
      `TPU_LOWERED`, `TPU_REORDERED`, `TPU_DIVIDED`, `TPU_ADDRESSED`;
    * `top.chip`: `ALL`, `cv180x`, `cv181x`, `cv182x`, `cv183x`, `bm1684x`;
    * `top.weight_file`: the `.npz` holding `top.Weight` tensors;
    * `top.platform`: `ONNX`, `TORCH`, `TFLITE`, `CAFFE`, `MLIR`;
    * `top.mode`: `INT8`, `BF16`, `F16`, `F32` (set by `--processor-assign`);
    * `top.asymmetric`: bool, asymmetric INT8 (BM1684X only).
  }];
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    static constexpr ::llvm::StringLiteral kStateAttr = "top.state";
    static constexpr ::llvm::StringLiteral kChipAttr = "top.chip";
    static constexpr ::llvm::StringLiteral kWeightFileAttr = "top.weight_file";
    static constexpr ::llvm::StringLiteral kPlatformAttr = "top.platform";
    /// Set by --processor-assign: the quantization mode and whether INT8
    /// is asymmetric.
    static constexpr ::llvm::StringLiteral kModeAttr = "top.mode";
    static constexpr ::llvm::StringLiteral kAsymmetricAttr = "top.asymmetric";

    /// Weight stores of this context, one per weight file (TopWeights.h).
    ::tpuc::top::WeightRegistry &getWeightRegistry() { return *weightRegistry; }

  private:
    std::unique_ptr<::tpuc::top::WeightRegistry> weightRegistry;

  public:
  }];
}

#endif // TPUC_TOP_DIALECT
