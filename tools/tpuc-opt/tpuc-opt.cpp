//===- tpuc-opt.cpp - Runs tpuc passes on MLIR files ----------------------===//
//
// Registers only the dialects and passes tpuc uses, which keeps the tool
// small and its compile fast.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <vector>

/// Relative weight files are looked up next to the input file as well, as
/// the other tools do; the input is the first argument naming a file.
static void setWeightSearchDirFromInput(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (!arg.starts_with("-") && llvm::sys::fs::is_regular_file(arg)) {
      tpuc::top::setDefaultWeightSearchDir(llvm::sys::path::parent_path(arg));
      return;
    }
  }
}

int main(int argc, char **argv) {
  setWeightSearchDirFromInput(argc, argv);
  // Locations are tensor names: printing without them would lose the link to
  // weights and calibration, so they are always printed, inline.
  std::vector<char *> args(argv, argv + argc);
  static char debugInfo[] = "--mlir-print-debuginfo";
  static char localScope[] = "--mlir-print-local-scope";
  args.push_back(debugInfo);
  args.push_back(localScope);
  argc = static_cast<int>(args.size());
  argv = args.data();
  mlir::DialectRegistry registry;
  tpuc::registerTpucDialects(registry);
  tpuc::registerTpucPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "tpuc optimizer: Top/Tpu dialect passes\n", registry));
}
