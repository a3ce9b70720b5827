//===- StripIOQuant.cpp - Remove the casts at inputs and outputs ----------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Transforms/FunctionTypes.h"
#include "tpuc/Transforms/Passes.h"

namespace tpuc::tpu {
#define GEN_PASS_DEF_STRIPIOQUANT
#include "dialects/Tpu/Passes.h.inc"
} // namespace tpuc::tpu

using namespace mlir;
using namespace tpuc;
using namespace tpuc::tpu;

namespace {

/// A cast from f32 that the caller can do instead: to int8 or bf16/f16.
bool isStrippableInputCast(Operation *user) {
  auto cast = dyn_cast<CastOp>(user);
  if (!cast)
    return false;
  FloatType to = getFloatType(cast.getOutput());
  return isQuantized(cast.getOutput()) || (to && !to.isF32());
}

struct StripIOQuantPass : tpuc::tpu::impl::StripIOQuantBase<StripIOQuantPass> {
  using StripIOQuantBase::StripIOQuantBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (top::getState(module) < top::State::TPU_LOWERED) {
      module.emitError("strip-io-quant needs a lowered (Tpu) module");
      return signalPassFailure();
    }
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.getBody().empty())
        continue;
      if (quantInput)
        stripInputs(func);
      if (quantOutput)
        stripOutputs(func);
      if (failed(updateFunctionType(func)))
        return signalPassFailure();
    }
  }

  void stripInputs(func::FuncOp func) {
    for (auto input : func.getBody().front().getOps<top::InputOp>()) {
      Value value = input.getOutput();
      // Fused-preprocessing inputs already are raw uint8 frames.
      if (value.use_empty() || !getElementType(value).isF32())
        continue;
      // Every reader must want the same type, or the input would need two.
      Type want;
      bool uniform = llvm::all_of(value.getUsers(), [&](Operation *user) {
        if (!isStrippableInputCast(user))
          return false;
        Type type = user->getResult(0).getType();
        if (!want)
          want = type;
        return want == type;
      });
      if (!uniform) {
        input.emitWarning() << "input '" << top::getOpName(input)
                            << "' is read in several types; it stays f32";
        continue;
      }
      for (Operation *user : llvm::make_early_inc_range(value.getUsers())) {
        user->getResult(0).replaceAllUsesWith(value);
        user->erase();
      }
      value.setType(want);
      if (auto arg = dyn_cast<BlockArgument>(input.getInput()))
        arg.setType(want);
    }
  }

  void stripOutputs(func::FuncOp func) {
    Operation *ret = func.getBody().front().getTerminator();
    for (OpOperand &operand : ret->getOpOperands()) {
      auto cast = operand.get().getDefiningOp<CastOp>();
      if (!cast || !getElementType(cast.getOutput()).isF32())
        continue;
      FloatType from = getFloatType(cast.getInput());
      if (!isQuantized(cast.getInput()) && !(from && !from.isF32()))
        continue;
      operand.set(cast.getInput());
      if (cast->use_empty())
        cast->erase();
    }
  }
};

} // namespace
