//===- SaveWeights.cpp - Write the module's weights to an .npz ------------===//

#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Transforms/Passes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

namespace tpuc::top {
#define GEN_PASS_DEF_SAVEWEIGHTS
#include "dialects/Top/Passes.h.inc"
} // namespace tpuc::top

using namespace mlir;
using namespace tpuc::top;

namespace {

/// `<module>_<state>_weight.npz` in lower case, next to the current file.
std::string defaultWeightFileName(ModuleOp module) {
  std::string name = module.getSymName() ? module.getSymName()->str() : "model";
  name += "_" + stringifyState(getState(module)).str() + "_weight.npz";
  std::string lower = llvm::StringRef(name).lower();
  if (auto current =
          module->getAttrOfType<StringAttr>(TopDialect::kWeightFileAttr)) {
    llvm::SmallString<256> path(
        llvm::sys::path::parent_path(current.getValue()));
    llvm::sys::path::append(path, lower);
    return std::string(path);
  }
  return lower;
}

struct SaveWeightsPass : tpuc::top::impl::SaveWeightsBase<SaveWeightsPass> {
  using SaveWeightsBase::SaveWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string path = file.empty() ? defaultWeightFileName(module) : file;
    if (failed(saveWeights(module, path)))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> tpuc::top::createSaveWeightsPass() {
  return std::make_unique<SaveWeightsPass>();
}
