//===- Passes.h - tpuc passes ------------------------------------*- C++
//-*-===//

#ifndef TPUC_TRANSFORMS_PASSES_H
#define TPUC_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace tpuc::top {

std::unique_ptr<mlir::Pass> createShapeInferPass();
std::unique_ptr<mlir::Pass> createSaveWeightsPass();

#define GEN_PASS_DECL
#include "dialects/Top/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Top/Passes.h.inc"

} // namespace tpuc::top

namespace tpuc::tpu {

#define GEN_PASS_DECL
#include "dialects/Tpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Tpu/Passes.h.inc"

} // namespace tpuc::tpu

namespace tpuc {

/// Registers the dialects tpuc uses (and nothing else) into `registry`.
void registerTpucDialects(mlir::DialectRegistry &registry);
/// Registers every tpuc pass plus the upstream ones it uses.
void registerTpucPasses();

} // namespace tpuc

#endif // TPUC_TRANSFORMS_PASSES_H
