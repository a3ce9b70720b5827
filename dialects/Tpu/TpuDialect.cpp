//===- TpuDialect.cpp - Tpu dialect registration --------------------------===//

#include "tpuc/Dialect/Tpu/TpuOps.h"

using namespace mlir;
using namespace tpuc::tpu;

#include "dialects/Tpu/TpuOpsDialect.cpp.inc"

void TpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tpu/TpuOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/Tpu/TpuOps.cpp.inc"
