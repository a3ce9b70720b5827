//===- ModelSummary.h - One-screen description of a Top module ---*- C++
//-*-===//

#ifndef TPUC_TOOLS_MODEL_TRANSFORM_MODELSUMMARY_H
#define TPUC_TOOLS_MODEL_TRANSFORM_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace tpuc {

/// Prints the inputs and outputs with their shapes, how many ops of each kind
/// the module has, its FLOPs and the size of its weights.
void printModelSummary(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace tpuc

#endif // TPUC_TOOLS_MODEL_TRANSFORM_MODELSUMMARY_H
