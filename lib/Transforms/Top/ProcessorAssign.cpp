//===- ProcessorAssign.cpp - Choose the chip and mode of a module ---------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Transforms/Passes.h"

namespace tpuc::top {
#define GEN_PASS_DEF_PROCESSORASSIGN
#include "dialects/Top/Passes.h.inc"
} // namespace tpuc::top

using namespace mlir;
using namespace tpuc;
using namespace tpuc::top;

namespace {

struct ProcessorAssignPass
    : tpuc::top::impl::ProcessorAssignBase<ProcessorAssignPass> {
  using ProcessorAssignBase::ProcessorAssignBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    State state = getState(module);
    if (state != State::TOP_F32 && state != State::TOP_CALIBRATED) {
      module.emitError() << "processor-assign needs a Top module, but it is "
                         << stringifyState(state);
      return signalPassFailure();
    }
    const ChipInfo *info = lookupChip(chip);
    if (!info) {
      module.emitError() << "unknown processor '" << chip
                         << "' (known: " << getChipNames() << ")";
      return signalPassFailure();
    }
    auto requested = symbolizeQuantMode(mode);
    if (!requested) {
      module.emitError() << "unknown quantize mode '" << mode
                         << "' (INT8, BF16, F16 or F32)";
      return signalPassFailure();
    }
    auto choice = chooseMode(*info, *requested, asymmetric);
    if (!choice) {
      module.emitError() << llvm::toString(choice.takeError());
      return signalPassFailure();
    }
    if (!choice->warning.empty())
      module.emitWarning() << choice->warning;
    MLIRContext *ctx = module.getContext();
    module->setAttr(TopDialect::kChipAttr, StringAttr::get(ctx, info->name));
    module->setAttr(TopDialect::kModeAttr,
                    StringAttr::get(ctx, stringifyQuantMode(choice->mode)));
    module->setAttr(
        TopDialect::kAsymmetricAttr,
        BoolAttr::get(ctx, asymmetric && choice->mode == QuantMode::INT8));
  }
};

} // namespace
