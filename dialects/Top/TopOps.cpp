//===- TopOps.cpp - Top op definitions ------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace tpuc::top;

#include "dialects/Top/TopInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/Top/TopOps.cpp.inc"

StringRef WeightOp::getTensorName() {
  if (auto named = dyn_cast<NameLoc>(getLoc()))
    return named.getName().getValue();
  return {};
}
