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

#endif // TPUC_TOP_PASSES
