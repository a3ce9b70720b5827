//===- KernelTestUtils.h - Helpers for interpreter kernel tests -*- C++ -*-===//
//
// Kernel tests write the op under test in textual IR, run its kernel through
// the KernelRegistry (as the Interpreter would) and compare the outputs with
// a naive implementation written in the test.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TEST_UNIT_INTERPRETER_KERNELTESTUTILS_H
#define TPUC_TEST_UNIT_INTERPRETER_KERNELTESTUTILS_H

#include "tpuc/Interpreter/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "gtest/gtest.h"

#include <memory>
#include <string>
#include <vector>

namespace tpuc::test {

/// A context with the func and top dialects loaded.
std::unique_ptr<mlir::MLIRContext> makeContext();

/// Parses (and verifies) a module; null on error, with the diagnostics in
/// `error` when given.
mlir::OwningOpRef<mlir::ModuleOp> parseModule(mlir::MLIRContext &ctx,
                                              llvm::StringRef source,
                                              std::string *error = nullptr);

/// The type `tensor<2x3xf32>` (`tensor<f32>` for rank 0).
std::string tensorType(llvm::ArrayRef<int64_t> shape,
                       llvm::StringRef elementType = "f32");

/// `v : f64` as an attribute value, exact and always in float syntax.
std::string f64Attr(double v);

/// `array<i64: 1, 2>` as an attribute value.
std::string i64Array(llvm::ArrayRef<int64_t> values);

/// A module whose `main` passes its arguments (of `operandTypes`) to one
/// `opName` op with `attributes` (the text inside `{}`, may be empty) and
/// returns its results.
std::string singleOpModule(llvm::StringRef opName,
                           llvm::ArrayRef<std::string> operandTypes,
                           llvm::StringRef attributes,
                           llvm::ArrayRef<std::string> resultTypes);

struct KernelResult {
  /// Whether parsing and the kernel succeeded.
  bool ok = false;
  /// One tensor per result, shaped from the result types.
  std::vector<Tensor> outputs;
  /// Every diagnostic emitted while parsing and running.
  std::string error;
};

/// Runs the kernel of the last op before the terminator of the module's
/// `main`. Block arguments take `inputs` in order, `top.None` operands are
/// passed as absent and `top.Weight` operands as their data.
KernelResult runKernel(llvm::StringRef moduleSource,
                       llvm::ArrayRef<Tensor> inputs);

/// runKernel() on singleOpModule() with f32 operand types from the inputs.
KernelResult runOp(llvm::StringRef opName, llvm::ArrayRef<Tensor> inputs,
                   llvm::StringRef attributes,
                   llvm::ArrayRef<std::string> resultTypes);

/// runOp() of `opName` on (input, second, *bias), or on (input, second,
/// `top.None`) when `bias` is null, with one f32 result of `resultShape`.
KernelResult runWithOptionalBias(llvm::StringRef opName, const Tensor &input,
                                 const Tensor &second, const Tensor *bias,
                                 const std::string &attributes,
                                 llvm::ArrayRef<int64_t> resultShape);

/// The reference of a fused relu: max(v, 0), capped at `limit` when it is
/// not negative; `v` itself without `doRelu`.
double applyReluRef(double v, bool doRelu, double limit);

/// The `, do_relu = true, relu_limit = ...` attributes of a fused relu
/// (appended to others); empty without `doRelu`.
std::string reluAttrs(bool doRelu, double limit);

/// Uniform values in [lo, hi) from a fixed seed.
Tensor randomTensor(llvm::ArrayRef<int64_t> shape, uint32_t seed,
                    float lo = -1.0f, float hi = 1.0f);
/// A tensor holding `values` (which must match the shape's element count).
Tensor makeTensor(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> values);

/// Passes when the shapes agree and every element satisfies
/// |actual - expected| <= atol + rtol * |expected| (NaNs must coincide);
/// otherwise reports the max abs/rel errors and the first mismatch.
::testing::AssertionResult allClose(const Tensor &actual,
                                    const Tensor &expected, double atol = 0.0,
                                    double rtol = 0.0);

/// Row-major coordinates of a flat index, and back. Written independently of
/// the library's stridesOf so references do not share its bugs.
std::vector<int64_t> unravelIndex(int64_t index, llvm::ArrayRef<int64_t> shape);
int64_t ravelIndex(llvm::ArrayRef<int64_t> coords,
                   llvm::ArrayRef<int64_t> shape);

} // namespace tpuc::test

#endif // TPUC_TEST_UNIT_INTERPRETER_KERNELTESTUTILS_H
