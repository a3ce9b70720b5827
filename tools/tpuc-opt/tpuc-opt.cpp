//===- tpuc-opt.cpp - Runs tpuc passes on MLIR files ----------------------===//
//
// Registers only the dialects and passes tpuc uses, which keeps the tool
// small and its compile fast.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  tpuc::registerTpucDialects(registry);
  tpuc::registerTpucPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "tpuc optimizer: Top/Tpu dialect passes\n", registry));
}
