//===- TopOps.h - Top dialect ------------------------------------*- C++
//-*-===//

#ifndef TPUC_DIALECT_TOP_TOPOPS_H
#define TPUC_DIALECT_TOP_TOPOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tpuc/Dialect/Top/TopUtils.h"

namespace tpuc::top {
class WeightRegistry;
} // namespace tpuc::top

#include "dialects/Top/TopOpsDialect.h.inc"

#include "dialects/Top/TopInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/Top/TopOps.h.inc"

#endif // TPUC_DIALECT_TOP_TOPOPS_H
