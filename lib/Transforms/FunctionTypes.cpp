//===- FunctionTypes.cpp - Keep function types in sync with bodies --------===//

#include "tpuc/Transforms/FunctionTypes.h"

using namespace mlir;

namespace tpuc {

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
  SmallVector<Type> inputs(func.getArgumentTypes());
  if (!func.getBody().empty())
    inputs.assign(func.getBody().front().getArgumentTypes().begin(),
                  func.getBody().front().getArgumentTypes().end());
  if (type.getResults() != ArrayRef<Type>(*resultTypes) ||
      type.getInputs() != ArrayRef<Type>(inputs))
    func.setFunctionType(
        FunctionType::get(func.getContext(), inputs, *resultTypes));
  return success();
}

} // namespace tpuc
