//===- DeployPipeline.h - The passes from a Top to a Tpu module --*- C++
//-*-===//
//
// model_deploy, run_qtable and model_eval lower models the same way; this is
// that pass sequence, so a mixed-precision search or an accuracy run
// measures exactly what model_deploy builds.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_CONVERSION_DEPLOYPIPELINE_H
#define TPUC_CONVERSION_DEPLOYPIPELINE_H

#include "tpuc/Backend/Chips.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace tpuc {

struct DeployOptions {
  std::string chip;
  QuantMode mode = QuantMode::INT8;
  bool asymmetric = false;
  std::string calibrationTable;
  /// A quantization table file (`op_name MODE` lines); empty for none.
  std::string quantizeTable;
  bool fusePreprocess = false;
  std::string customizationFormat;
  bool alignedInput = false;
  bool quantInput = false;
  bool quantOutput = false;
};

/// Adds processor-assign, import-calibration-table (when a table is given),
/// convert-top-to-tpu, fuse-preprocess, strip-io-quant, canonicalize and
/// weight-fold.
void buildDeployPipeline(mlir::PassManager &pm, const DeployOptions &options);

/// A Tpu clone of the Top module `top`, lowered with `options`; null (with
/// the errors emitted) on failure.
mlir::OwningOpRef<mlir::ModuleOp> lowerToTpu(mlir::ModuleOp top,
                                             const DeployOptions &options);

} // namespace tpuc

#endif // TPUC_CONVERSION_DEPLOYPIPELINE_H
