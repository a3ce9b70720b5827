//===- Passes.td - Top dialect passes ----------------------*- tablegen -*-===//

#ifndef TPUC_TOP_PASSES
#define TPUC_TOP_PASSES

include "mlir/Pass/PassBase.td"

def ShapeInfer : Pass<"shape-infer", "::mlir::ModuleOp"> {
  let summary = "Infers every Top op's result shape and the function types";
  let description = [{
    Visits ops in order, filling unknown result dims from operand shapes and
    rejecting results whose known dims disagree. The enclosing functions'
    result types are updated to match their returned values.
  }];
  let constructor = "::tpuc::top::createShapeInferPass()";
}

def SaveWeights : Pass<"save-weights", "::mlir::ModuleOp"> {
  let summary = "Writes the weights the module uses to an .npz file";
  let description = [{
    Collects the data of every `top.Weight` (from the weight file, from
    tensors created by earlier passes, or inline), writes them to `file`
    (default `<module>_<state>_weight.npz`, lower case) and points
    `top.weight_file` at it. Tensors no op uses are dropped. The file is
    written to a temporary name and renamed, so a failure leaves nothing.
  }];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"\"\"",
           "Output .npz path">,
  ];
  let constructor = "::tpuc::top::createSaveWeightsPass()";
}

def ProcessorAssign : Pass<"processor-assign", "::mlir::ModuleOp"> {
  let summary = "Chooses the chip and the quantization mode of a Top module";
  let description = [{
    Sets `top.chip`, `top.mode` and `top.asymmetric` after checking that the
    chip can compute the mode: F16 on CV18xx compiles as BF16 (with a
    warning), F32 and asymmetric INT8 on CV18xx are errors. The module must
    still be a Top module (`TOP_F32` or `TOP_CALIBRATED`).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "Target chip: cv180x, cv181x, cv182x, cv183x or bm1684x">,
    Option<"mode", "mode", "std::string", /*default=*/"\"INT8\"",
           "INT8, BF16, F16 or F32">,
    Option<"asymmetric", "asymmetric", "bool", /*default=*/"false",
           "Asymmetric INT8 (BM1684X only)">,
  ];
}

def ImportCalibrationTable
    : Pass<"import-calibration-table", "::mlir::ModuleOp"> {
  let summary = "Attaches a calibration table's ranges to the float tensors";
  let description = [{
    Reads a calibration table (tpuc's or tpu-mlir's format: `name threshold
    min max` lines) and gives every float activation it names the element
    type `!quant.calibrated<f32<min:max>>`. Symmetric ranges are `[-th, th]`,
    or `[0, th]` for tensors that cannot be negative (table min >= 0,
    fused relu); asymmetric ones keep the table's min and max. On CV18xx the
    range is always `[-th, th]`: the chip only computes signed symmetric
    int8. Sigmoid and Softmax outputs are `[0, 1]` whatever the table says.
    The module goes from `TOP_F32` to `TOP_CALIBRATED`.
  }];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"\"\"",
           "Calibration table path">,
    Option<"asymmetric", "asymmetric", "bool", /*default=*/"false",
           "Keep the table's min and max instead of a symmetric range">,
  ];
  // The calibrated element types belong to the quant dialect.
  let dependentDialects = ["::mlir::quant::QuantizationDialect"];
}

#endif // TPUC_TOP_PASSES
