//===- FunctionTypes.h - Keep function types in sync with bodies -*- C++
//-*-===//

#ifndef TPUC_TRANSFORMS_FUNCTIONTYPES_H
#define TPUC_TRANSFORMS_FUNCTIONTYPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace tpuc {

/// Makes the function's result types those of the values it returns and
/// its argument types those of its block arguments, after a pass changed
/// them. Fails (on the op) when two returns disagree.
mlir::LogicalResult updateFunctionType(mlir::func::FuncOp func);

} // namespace tpuc

#endif // TPUC_TRANSFORMS_FUNCTIONTYPES_H
