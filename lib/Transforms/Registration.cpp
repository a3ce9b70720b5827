//===- Registration.cpp - Dialects and passes of tpuc tools ---------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

namespace tpuc {

void registerTpucDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::func::FuncDialect, mlir::quant::QuantizationDialect,
                  top::TopDialect, tpu::TpuDialect>();
}

void registerTpucPasses() {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  top::registerTopPasses();
  tpu::registerTpuPasses();
}

} // namespace tpuc
