//===- DeployPipeline.cpp - The passes from a Top to a Tpu module ---------===//

#include "tpuc/Conversion/DeployPipeline.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/Transforms/Passes.h"

namespace tpuc {

void buildDeployPipeline(mlir::PassManager &pm, const DeployOptions &options) {
  // A Top MLIR edited by hand (or by another tool) may declare shapes its
  // ops do not compute; the lowering would carry them into the Tpu model.
  pm.addPass(top::createShapeInferPass());
  top::ProcessorAssignOptions assign;
  assign.chip = options.chip;
  assign.mode = stringifyQuantMode(options.mode).str();
  assign.asymmetric = options.asymmetric;
  pm.addPass(top::createProcessorAssign(assign));
  if (!options.calibrationTable.empty()) {
    top::ImportCalibrationTableOptions import;
    import.file = options.calibrationTable;
    import.asymmetric = options.asymmetric;
    pm.addPass(top::createImportCalibrationTable(import));
  }
  tpu::ConvertTopToTpuOptions convert;
  convert.qtable = options.quantizeTable;
  pm.addPass(tpu::createConvertTopToTpu(convert));
  if (options.fusePreprocess) {
    tpu::FusePreprocessOptions fuse;
    fuse.customizationFormat = options.customizationFormat;
    fuse.align = options.alignedInput;
    pm.addPass(tpu::createFusePreprocess(fuse));
  }
  if (options.quantInput || options.quantOutput) {
    tpu::StripIOQuantOptions strip;
    strip.quantInput = options.quantInput;
    strip.quantOutput = options.quantOutput;
    pm.addPass(tpu::createStripIOQuant(strip));
  }
  // Drops ops and weights that nothing reads any more, then computes what
  // only reads weights.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(tpu::createWeightFold());
  pm.addPass(mlir::createCanonicalizerPass());
}

mlir::OwningOpRef<mlir::ModuleOp> lowerToTpu(mlir::ModuleOp top,
                                             const DeployOptions &options) {
  mlir::OwningOpRef<mlir::ModuleOp> tpu = top.clone();
  mlir::PassManager pm(top.getContext());
  buildDeployPipeline(pm, options);
  if (mlir::failed(pm.run(*tpu)))
    return nullptr;
  return tpu;
}

} // namespace tpuc
