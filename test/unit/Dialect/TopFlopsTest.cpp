//===- TopFlopsTest.cpp - FLOPs of Top ops against hand-computed counts ---===//

#include "DialectTestUtils.h"

using namespace mlir;
using namespace tpuc;
using namespace tpuc::top;

namespace {

class TopFlops : public ::testing::Test {
protected:
  /// Parses `body` as the body of a function taking `args`.
  OwningOpRef<ModuleOp> parse(llvm::StringRef args, llvm::StringRef body) {
    std::string source = ("func.func @f(" + args + ") {\n  %none = top.None\n" +
                          body + "\n  return\n}\n")
                             .str();
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, context.get());
    EXPECT_TRUE(module) << source;
    return module;
  }

  std::unique_ptr<MLIRContext> context = test::makeTpucContext();
};

TEST_F(TopFlops, ConvWithBiasAndGroups) {
  auto module = parse(
      "%x: tensor<1x4x8x8xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>",
      "%0 = top.Conv %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = "
      "array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = "
      "array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, "
      "tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>");
  ASSERT_TRUE(module);
  // 512 outputs, each 2 input channels x 9 taps multiply-adds, plus bias.
  EXPECT_EQ(test::findFirst<ConvOp>(*module).getFLOPs(), 2 * 512 * 2 * 9 + 512);
}

TEST_F(TopFlops, Conv1DWithoutBias) {
  auto module = parse(
      "%x: tensor<2x3x10xf32>, %w: tensor<5x3x4xf32>",
      "%0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 4>, strides = "
      "array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : "
      "(tensor<2x3x10xf32>, tensor<5x3x4xf32>, none) -> tensor<2x5x4xf32>");
  ASSERT_TRUE(module);
  // 40 outputs x 3 channels x 4 taps.
  EXPECT_EQ(test::findFirst<ConvOp>(*module).getFLOPs(), 2 * 40 * 3 * 4);
}

TEST_F(TopFlops, DeconvCountsInputElements) {
  auto module = parse(
      "%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x2x2xf32>, %b: tensor<3xf32>",
      "%0 = top.Deconv %x, %w, %b {kernel_shape = array<i64: 2, 2>, strides = "
      "array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = "
      "array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>, "
      "tensor<3xf32>) -> tensor<1x3x16x16xf32>");
  ASSERT_TRUE(module);
  // 256 inputs, each scattered to 3 channels x 4 taps; 768 outputs get bias.
  EXPECT_EQ(test::findFirst<DeconvOp>(*module).getFLOPs(),
            2 * 256 * 3 * 4 + 768);
}

TEST_F(TopFlops, MatMulBatched) {
  auto module = parse(
      "%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>",
      "%0 = top.MatMul %a, %b, %none : (tensor<2x3x4xf32>, tensor<4x5xf32>, "
      "none) -> tensor<2x3x5xf32>");
  ASSERT_TRUE(module);
  // batch 2, M 3, N 5, K 4.
  EXPECT_EQ(test::findFirst<MatMulOp>(*module).getFLOPs(), 2 * 2 * 3 * 5 * 4);
}

TEST_F(TopFlops, MatMulLeftTransposedWithBias) {
  auto module =
      parse("%a: tensor<7x3xf32>, %b: tensor<7x5xf32>, %c: tensor<5xf32>",
            "%0 = top.MatMul %a, %b, %c {left_transpose = true} : "
            "(tensor<7x3xf32>, tensor<7x5xf32>, tensor<5xf32>) -> "
            "tensor<3x5xf32>");
  ASSERT_TRUE(module);
  // K is 7 (the transposed input's first dim); 15 outputs get a bias.
  EXPECT_EQ(test::findFirst<MatMulOp>(*module).getFLOPs(), 2 * 3 * 5 * 7 + 15);
}

TEST_F(TopFlops, Pools) {
  auto module =
      parse("%x: tensor<1x4x8x8xf32>",
            "%0 = top.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = "
            "array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : "
            "(tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>\n"
            "%1 = top.AvgPool %x {kernel_shape = array<i64: 2, 4>, strides = "
            "array<i64: 2, 4>, pads = array<i64: 0, 0, 0, 0>} : "
            "(tensor<1x4x8x8xf32>) -> tensor<1x4x4x2xf32>");
  ASSERT_TRUE(module);
  EXPECT_EQ(test::findFirst<MaxPoolOp>(*module).getFLOPs(), 64 * 9);
  EXPECT_EQ(test::findFirst<AvgPoolOp>(*module).getFLOPs(), 32 * 8);
}

TEST_F(TopFlops, ReduceCountsInputElements) {
  auto module =
      parse("%x: tensor<2x3x4xf32>",
            "%0 = top.Reduce %x {axes = array<i64: 1>, keepdims = false, mode "
            "= \"ReduceSum\"} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>");
  ASSERT_TRUE(module);
  EXPECT_EQ(test::findFirst<ReduceOp>(*module).getFLOPs(), 24);
}

TEST_F(TopFlops, DefaultIsResultElements) {
  auto module =
      parse("%x: tensor<2x3xf32>", "%0 = top.Relu %x : (tensor<2x3xf32>) -> "
                                   "tensor<2x3xf32>");
  ASSERT_TRUE(module);
  auto relu =
      cast<FlopsOpInterface>(test::findFirst<ReluOp>(*module).getOperation());
  EXPECT_EQ(relu.getFLOPs(), 6);
}

TEST_F(TopFlops, UnknownShapesGiveZero) {
  auto module = parse(
      "%a: tensor<?x3x4xf32>, %b: tensor<4x5xf32>",
      "%0 = top.MatMul %a, %b, %none : (tensor<?x3x4xf32>, tensor<4x5xf32>, "
      "none) -> tensor<?x3x5xf32>");
  ASSERT_TRUE(module);
  EXPECT_EQ(test::findFirst<MatMulOp>(*module).getFLOPs(), 0);
}

} // namespace
