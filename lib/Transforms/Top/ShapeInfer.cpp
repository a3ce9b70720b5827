//===- ShapeInfer.cpp - Infer result shapes and function types ------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Transforms/FunctionTypes.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace tpuc::top {
#define GEN_PASS_DEF_SHAPEINFER
#include "dialects/Top/Passes.h.inc"
} // namespace tpuc::top

using namespace mlir;
using namespace tpuc::top;

namespace {

struct ShapeInferPass : tpuc::top::impl::ShapeInferBase<ShapeInferPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      // Pre-order visits ops in program order, so operand shapes are
      // refined before their users are inferred.
      WalkResult walk =
          func.walk<WalkOrder::PreOrder>([](ShapeInferenceOpInterface op) {
            return failed(op.inferShapes()) ? WalkResult::interrupt()
                                            : WalkResult::advance();
          });
      if (walk.wasInterrupted() || failed(tpuc::updateFunctionType(func)))
        return signalPassFailure();
    }
  }
};

} // namespace

std::unique_ptr<Pass> tpuc::top::createShapeInferPass() {
  return std::make_unique<ShapeInferPass>();
}
