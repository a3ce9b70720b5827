//===- TopDialect.cpp - Top dialect registration and module checks --------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace tpuc::top;

#include "dialects/Top/TopOpsDialect.cpp.inc"

void TopDialect::initialize() {
  weightRegistry = std::make_unique<WeightRegistry>();
  addOperations<
#define GET_OP_LIST
#include "dialects/Top/TopOps.cpp.inc"
      >();
}

LogicalResult TopDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError() << "'" << name
                           << "' is a module attribute, found on an op";
  if (name == kAsymmetricAttr) {
    if (!isa<BoolAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a bool";
    return success();
  }
  auto str = dyn_cast<StringAttr>(attr.getValue());
  if (!str)
    return op->emitError() << "'" << name << "' must be a string";
  if (name == kModeAttr) {
    StringRef mode = str.getValue();
    if (mode != "INT8" && mode != "BF16" && mode != "F16" && mode != "F32")
      return op->emitError()
             << "unknown mode '" << mode << "' (INT8, BF16, F16 or F32)";
    return success();
  }
  if (name == kStateAttr) {
    if (!symbolizeState(str.getValue()))
      return op->emitError() << "unknown state '" << str.getValue() << "'";
    // The state attribute marks a tpuc model: its tensor names must be
    // unique because they key weights, calibration and comparisons.
    return verifyUniqueTensorNames(module);
  }
  if (name == kChipAttr) {
    if (!isKnownChip(str.getValue()))
      return op->emitError() << "unknown chip '" << str.getValue() << "'";
    return success();
  }
  if (name == kPlatformAttr) {
    if (!isKnownPlatform(str.getValue()))
      return op->emitError() << "unknown platform '" << str.getValue() << "'";
    return success();
  }
  if (name == kWeightFileAttr)
    return success();
  return op->emitError() << "unknown top module attribute '" << name << "'";
}
