//===- ShapeInferPassTest.cpp - --shape-infer through a PassManager -------===//

#include "DialectTestUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace tpuc;
using namespace tpuc::top;

namespace {

class ShapeInferPass : public ::testing::Test {
protected:
  /// Runs the pass on `source`; collects error messages in `errors`.
  LogicalResult run(llvm::StringRef source) {
    module = parseSourceString<ModuleOp>(source, context.get());
    EXPECT_TRUE(module) << source.str();
    if (!module)
      return failure();
    ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &diag) {
      errors.push_back(diag.str());
      return success();
    });
    PassManager pm(context.get());
    pm.addPass(createShapeInferPass());
    return pm.run(*module);
  }

  std::string resultType(Operation *op, unsigned index = 0) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << op->getResult(index).getType();
    return s;
  }

  std::unique_ptr<MLIRContext> context = test::makeTpucContext();
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> errors;
};

TEST_F(ShapeInferPass, FillsChainAndFunctionType) {
  ASSERT_TRUE(succeeded(run(R"mlir(
    func.func @main(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x?xf32> {
      %none = top.None
      %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<?x?x?x?xf32>
      %1 = top.Sigmoid %0 : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
      %2 = top.Flatten %1 : (tensor<?x?x?x?xf32>) -> tensor<?x?xf32>
      return %2 : tensor<?x?xf32>
    })mlir")));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(resultType(test::findFirst<ConvOp>(*module)),
            "tensor<?x4x4x4xf32>");
  EXPECT_EQ(resultType(test::findFirst<SigmoidOp>(*module)),
            "tensor<?x4x4x4xf32>");
  EXPECT_EQ(resultType(test::findFirst<FlattenOp>(*module)),
            "tensor<?x64xf32>");
  auto func = test::findFirst<func::FuncOp>(*module);
  ASSERT_EQ(func.getFunctionType().getNumResults(), 1u);
  std::string type;
  llvm::raw_string_ostream(type) << func.getFunctionType().getResult(0);
  EXPECT_EQ(type, "tensor<?x64xf32>");
}

TEST_F(ShapeInferPass, FillsEverySplitResult) {
  ASSERT_TRUE(succeeded(run(R"mlir(
    func.func @main(%x: tensor<2x10xf32>) {
      %0:3 = top.Split %x {axis = -1 : i64, split_size = array<i64: 2, 3, 5>} : (tensor<2x10xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
      return
    })mlir")));
  auto split = test::findFirst<SplitOp>(*module);
  EXPECT_EQ(resultType(split, 0), "tensor<2x2xf32>");
  EXPECT_EQ(resultType(split, 1), "tensor<2x3xf32>");
  EXPECT_EQ(resultType(split, 2), "tensor<2x5xf32>");
}

TEST_F(ShapeInferPass, KeepsConsistentStaticShapes) {
  ASSERT_TRUE(succeeded(run(R"mlir(
    func.func @main(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
      %0 = top.Add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
      return %0 : tensor<2x3x4xf32>
    })mlir")));
  EXPECT_EQ(resultType(test::findFirst<AddOp>(*module)), "tensor<2x3x4xf32>");
}

TEST_F(ShapeInferPass, RejectsContradictingResult) {
  EXPECT_TRUE(failed(run(R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
      %none = top.None
      %0 = top.MatMul %a, %b, %none : (tensor<2x3xf32>, tensor<3x4xf32>, none) -> tensor<2x5xf32>
      return
    })mlir")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "'top.MatMul' op result has shape [2,5] but its inputs give [2,4]");
}

TEST_F(ShapeInferPass, StopsAtFirstFailureOfAFunction) {
  EXPECT_TRUE(failed(run(R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
      %0 = top.Mul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<?x?xf32>
      %1 = top.Relu %0 : (tensor<?x?xf32>) -> tensor<5x5xf32>
      return
    })mlir")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "'top.Mul' op cannot broadcast shapes [2,3] and [4]");
}

} // namespace
