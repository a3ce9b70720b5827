//===- CalibratorTest.cpp - The streaming driver on an in-memory model ----===//

#include "tpuc/Quant/Calibration/Calibrator.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Quant/Calibration/Tuner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <omp.h>

#include <cmath>
#include <random>

using namespace tpuc;
using namespace tpuc::calibration;

namespace {

// x -> Conv (1x1, inline weights) -> SiLU -> Add x -> output, plus a
// constant-zero branch (Mul by 0) that must get the all-zeros threshold.
constexpr const char *kModel = R"mlir(
module attributes {top.state = "TOP_F32", top.chip = "ALL", top.platform = "ONNX", top.weight_file = "unused.npz"} {
  func.func @main(%arg0: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>) {
    %x = top.Input %arg0 : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("x")
    %w = top.Weight {value = dense<[[[[0.5]], [[-1.0]]], [[[2.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>} : () -> tensor<2x2x1x1xf32> loc("w")
    %b = top.Weight {value = dense<[0.1, -0.2]> : tensor<2xf32>} : () -> tensor<2xf32> loc("b")
    %c = top.Conv %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x16x16xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x16x16xf32> loc("conv")
    %s = top.SiLU %c : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("silu")
    %a = top.Add %s, %x : (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("add")
    %z = top.MulConst %x {const_val = 0.0 : f64} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("zero")
    return %a, %z : tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>
  }
}
)mlir";

/// Deterministic random samples; entry `skip` cannot be read.
class RandomSource : public SampleSource {
public:
  RandomSource(size_t count, size_t skip = SIZE_MAX)
      : count_(count), skip_(skip) {}
  size_t size() const override { return count_; }
  std::string describe(size_t i) const override {
    return "sample" + std::to_string(i);
  }
  llvm::Expected<std::optional<TensorMap>>
  load(size_t i, std::string &skipReason) override {
    if (i == skip_) {
      skipReason = describe(i) + ": unreadable";
      return std::nullopt;
    }
    std::mt19937 rng(static_cast<unsigned>(i) + 10);
    std::normal_distribution<float> dist(0.0f, 1.0f + 0.1f * i);
    Tensor tensor(llvm::ArrayRef<int64_t>{1, 2, 16, 16});
    for (float &v : tensor.data)
      v = dist(rng);
    TensorMap map;
    map.emplace("x", std::move(tensor));
    return map;
  }

private:
  size_t count_, skip_;
};

class CollectingObserver : public CalibrationObserver {
public:
  std::vector<std::string> warnings;
  void warning(const std::string &message) override {
    warnings.push_back(message);
  }
};

class CalibratorTest : public ::testing::Test {
protected:
  void SetUp() override {
    ctx_.loadDialect<top::TopDialect, mlir::func::FuncDialect>();
    module_ = mlir::parseSourceString<mlir::ModuleOp>(kModel, &ctx_);
    ASSERT_TRUE(module_);
    auto interpreter = Interpreter::create(*module_);
    ASSERT_TRUE(mlir::succeeded(interpreter));
    interpreter_ = std::move(*interpreter);
  }

  std::string tableText(const CalibrationOptions &options,
                        CollectingObserver &observer, RandomSource source) {
    auto result = calibrate(*interpreter_, source, options, observer);
    if (!result) {
      ADD_FAILURE() << llvm::toString(result.takeError());
      return "";
    }
    return printCalibrationTable(makeCalibrationTable(*result, {}));
  }

  mlir::MLIRContext ctx_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  std::unique_ptr<Interpreter> interpreter_;
};

TEST_F(CalibratorTest, EveryActivationInGraphOrder) {
  CalibrationOptions options;
  CollectingObserver observer;
  RandomSource source(6);
  auto result = calibrate(*interpreter_, source, options, observer);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  std::vector<std::string> names;
  for (const TensorCalibration &t : result->tensors)
    names.push_back(t.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"x", "conv", "silu", "add", "zero"}));
  EXPECT_EQ(result->samples.size(), 6u);
  // 512 values per sample fill few bins: most thresholds are the max, and
  // only the tensors with room to tune get tasks.
  EXPECT_LE(result->tuneSamples, 5u);
  const TensorCalibration &zero = result->tensors.back();
  EXPECT_EQ(zero.threshold, 1e-5);
  ASSERT_EQ(observer.warnings.size(), 1u);
  EXPECT_NE(observer.warnings[0].find("'zero' is all zeros"),
            std::string::npos);
  for (const TensorCalibration &t : result->tensors) {
    EXPECT_GT(t.threshold, 0) << t.name;
    if (t.name == "zero")
      continue;
    EXPECT_LE(t.threshold, std::max(std::fabs(t.min), std::fabs(t.max)))
        << t.name;
    EXPECT_GE(t.threshold, t.untunedThreshold) << t.name;
  }
}

TEST_F(CalibratorTest, MaxIsTheLargestMagnitude) {
  CalibrationOptions options;
  options.method = CalibrationMethod::Max;
  CollectingObserver observer;
  RandomSource source(3);
  auto result = calibrate(*interpreter_, source, options, observer);
  ASSERT_TRUE(static_cast<bool>(result));
  // The input's statistics, computed here from the same samples.
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < 3; ++i) {
    std::string reason;
    auto sample = source.load(i, reason);
    ASSERT_TRUE(static_cast<bool>(sample) && *sample);
    for (float v : (**sample).at("x").data) {
      lo = std::min(lo, static_cast<double>(v));
      hi = std::max(hi, static_cast<double>(v));
    }
  }
  const TensorCalibration &x = result->tensors.front();
  EXPECT_EQ(x.min, lo);
  EXPECT_EQ(x.max, hi);
  EXPECT_EQ(x.threshold, std::max(-lo, hi));
}

TEST_F(CalibratorTest, DeterministicOnAnyThreadCount) {
  CalibrationOptions options;
  options.tuneNum = 2;
  CollectingObserver observer;
  int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  std::string one = tableText(options, observer, RandomSource(5));
  omp_set_num_threads(2);
  std::string two = tableText(options, observer, RandomSource(5));
  std::string again = tableText(options, observer, RandomSource(5));
  omp_set_num_threads(saved);
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, two);
  EXPECT_EQ(two, again);
  // Without the cache, pass 2 reads every sample again: same table.
  options.cacheBytes = 0;
  EXPECT_EQ(tableText(options, observer, RandomSource(5)), one);
}

TEST_F(CalibratorTest, SkipsUnreadableSamplesAndTakesTheNext) {
  CalibrationOptions options;
  options.inputNum = 3;
  CollectingObserver observer;
  RandomSource source(5, /*skip=*/1);
  auto result = calibrate(*interpreter_, source, options, observer);
  ASSERT_TRUE(static_cast<bool>(result));
  EXPECT_EQ(result->samples, (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(result->skipped, 1u);
  EXPECT_EQ(observer.warnings.front(), "sample1: unreadable; skipped");
}

TEST_F(CalibratorTest, FailsWhenNothingCanBeRead) {
  CalibrationOptions options;
  CollectingObserver observer;
  RandomSource source(1, /*skip=*/0);
  auto result = calibrate(*interpreter_, source, options, observer);
  ASSERT_FALSE(static_cast<bool>(result));
  EXPECT_EQ(llvm::toString(result.takeError()),
            "no sample could be read (1 skipped)");
}

TEST_F(CalibratorTest, TunerRaisesOnlyWhenItHelps) {
  // The Add's input `silu` has a threshold far below its max: clipping
  // hurts, so the tuner raises it; `x` starts at its max and is not tuned.
  std::vector<mlir::Value> values;
  module_->walk([&](mlir::Operation *op) {
    if (op->getNumResults() == 1 && !llvm::isa<top::WeightOp>(op) &&
        llvm::isa<top::TopDialect>(op->getDialect()) &&
        !llvm::isa<top::NoneOp>(op))
      values.push_back(op->getResult(0));
  });
  ASSERT_EQ(values.size(), 5u);
  RandomSource source(1);
  std::string reason;
  auto sample = source.load(0, reason);
  ASSERT_TRUE(static_cast<bool>(sample) && *sample);
  double xMax = 0;
  for (float v : (**sample).at("x").data)
    xMax = std::max(xMax, std::fabs(static_cast<double>(v)));
  std::vector<double> thresholds = {xMax, 10.0, 0.05, 10.0, 1e-5};
  std::vector<double> absMax = {xMax, 10.0, 10.0, 10.0, 1e-5};
  Tuner tuner(*interpreter_, values, thresholds, absMax);
  // conv gets tuned at... nothing: its threshold is its max; silu at the
  // Add; x at the Conv (first consumer) is at its max too.
  EXPECT_EQ(tuner.numTasks(), 1u);
  ASSERT_TRUE(mlir::succeeded(tuner.addSample(**sample)));
  std::vector<bool> raised;
  std::vector<double> tuned = tuner.finish(&raised);
  EXPECT_TRUE(raised[2]);
  EXPECT_GT(tuned[2], 0.05);
  EXPECT_EQ(tuned[0], xMax);
  EXPECT_FALSE(raised[0]);
}

} // namespace
