//===- ShapeInfer.cpp - Infer result shapes and function types ------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace tpuc::top {
#define GEN_PASS_DEF_SHAPEINFER
#include "dialects/Top/Passes.h.inc"
} // namespace tpuc::top

using namespace mlir;
using namespace tpuc::top;

namespace {

/// Makes the function's result types those of the values it returns, which
/// shape inference may just have refined.
LogicalResult updateFunctionType(func::FuncOp func) {
  std::optional<SmallVector<Type>> resultTypes;
  WalkResult walk = func.walk([&](func::ReturnOp ret) {
    SmallVector<Type> types(ret.getOperandTypes());
    if (!resultTypes) {
      resultTypes = std::move(types);
      return WalkResult::advance();
    }
    if (types != *resultTypes) {
      ret.emitOpError("returns types that differ from another return of @")
          << func.getSymName();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  if (!resultTypes)
    return success();
  FunctionType type = func.getFunctionType();
  if (type.getResults() != ArrayRef<Type>(*resultTypes))
    func.setFunctionType(
        FunctionType::get(func.getContext(), type.getInputs(), *resultTypes));
  return success();
}

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
      if (walk.wasInterrupted() || failed(updateFunctionType(func)))
        return signalPassFailure();
    }
  }
};

} // namespace

std::unique_ptr<Pass> tpuc::top::createShapeInferPass() {
  return std::make_unique<ShapeInferPass>();
}
