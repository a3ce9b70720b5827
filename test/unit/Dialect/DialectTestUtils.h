//===- DialectTestUtils.h - Top modules in unit tests -----------*- C++ -*-===//

#ifndef TPUC_TEST_UNIT_DIALECT_DIALECTTESTUTILS_H
#define TPUC_TEST_UNIT_DIALECT_DIALECTTESTUTILS_H

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

namespace tpuc::test {

/// A context with the dialects tpuc tools register.
inline std::unique_ptr<mlir::MLIRContext> makeTpucContext() {
  mlir::DialectRegistry registry;
  registerTpucDialects(registry);
  auto context = std::make_unique<mlir::MLIRContext>(registry);
  context->loadAllAvailableDialects();
  return context;
}

/// The first op of type OpT in `module`, or a null op.
template <typename OpT> OpT findFirst(mlir::ModuleOp module) {
  OpT found;
  module.walk([&](OpT op) {
    found = op;
    return mlir::WalkResult::interrupt();
  });
  return found;
}

} // namespace tpuc::test

#endif // TPUC_TEST_UNIT_DIALECT_DIALECTTESTUTILS_H
