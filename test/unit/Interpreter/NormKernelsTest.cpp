//===- NormKernelsTest.cpp - BatchNorm, LayerNorm, InstanceNorm, Softmax --===//
//
// Each kernel is compared with a naive reference written here (double
// accumulation), on seeded random inputs of hand-picked shapes and axes.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace tpuc;
using namespace tpuc::test;

namespace {

constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;

//===----------------------------------------------------------------------===//
// BatchNorm, LayerNorm, Softmax
//===----------------------------------------------------------------------===//

/// Runs `opName` whose operands at `noneSlots` are `top.None` and the others
/// are `present` in order.
KernelResult runWithNones(llvm::StringRef opName,
                          llvm::ArrayRef<const Tensor *> operands,
                          const std::string &attributes,
                          llvm::ArrayRef<int64_t> resultShape) {
  std::string args, types, names;
  std::vector<Tensor> inputs;
  int argCount = 0;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (i) {
      types += ", ";
      names += ", ";
    }
    if (!operands[i]) {
      types += "none";
      names += "%none";
      continue;
    }
    std::string type = tensorType(operands[i]->shape);
    std::string name = "%arg" + std::to_string(argCount++);
    args += (args.empty() ? "" : ", ") + name + ": " + type;
    types += type;
    names += name;
    inputs.push_back(*operands[i]);
  }
  std::string resultType = tensorType(resultShape);
  std::string source =
      "module {\n  func.func @main(" + args + ") -> " + resultType +
      " {\n    %none = top.None loc(\"none\")\n    %0 = " + opName.str() + " " +
      names + " {" + attributes + "} : (" + types + ") -> " + resultType +
      " loc(\"out\")\n    return %0 : " + resultType + "\n  }\n}\n";
  return runKernel(source, inputs);
}

void checkBatchNorm(llvm::ArrayRef<int64_t> shape, bool withGamma,
                    bool withBeta, uint32_t seed) {
  int64_t channels = shape[1];
  Tensor x = randomTensor(shape, seed, -3.0f, 3.0f);
  Tensor mean = randomTensor({channels}, seed + 1);
  Tensor variance = randomTensor({channels}, seed + 2, 0.1f, 2.0f);
  Tensor gamma = randomTensor({channels}, seed + 3);
  Tensor beta = randomTensor({channels}, seed + 4);
  double eps = 1e-3;
  Tensor expected(shape);
  int64_t inner = x.numel() / (shape[0] * channels);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t c = (i / inner) % channels;
    double v = (x.data[i] - static_cast<double>(mean.data[c])) /
               std::sqrt(variance.data[c] + eps);
    if (withGamma)
      v *= gamma.data[c];
    if (withBeta)
      v += beta.data[c];
    expected.data[i] = static_cast<float>(v);
  }
  KernelResult result =
      runWithNones("top.BatchNorm",
                   {&x, &mean, &variance, withGamma ? &gamma : nullptr,
                    withBeta ? &beta : nullptr},
                   "epsilon = " + f64Attr(eps), shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(BatchNormKernel, WithAndWithoutAffine) {
  checkBatchNorm({2, 5, 4, 3}, true, true, 400);
  checkBatchNorm({2, 5, 4, 3}, false, false, 410);
  checkBatchNorm({3, 4}, true, false, 420);
  checkBatchNorm({1, 3, 7}, false, true, 430);
}

void checkLayerNorm(llvm::ArrayRef<int64_t> shape, int64_t axis,
                    llvm::ArrayRef<int64_t> weightShape, bool withBias,
                    uint32_t seed) {
  SCOPED_TRACE("layernorm " + tensorType(shape) + " axis " +
               std::to_string(axis));
  Tensor x = randomTensor(shape, seed, -2.0f, 3.0f);
  Tensor weight = randomTensor(weightShape, seed + 1);
  Tensor bias = randomTensor(weightShape, seed + 2);
  bool withWeight = !weightShape.empty();
  int64_t rank = shape.size();
  int64_t first = axis < 0 ? axis + rank : axis;
  llvm::ArrayRef<int64_t> normShape = shape.drop_front(first);
  int64_t inner = Tensor::numelOf(normShape);
  double eps = 1e-5;
  // Weight index of a normalized-block offset (right-aligned broadcast).
  auto paramIndex = [&](int64_t offset) {
    std::vector<int64_t> coords = unravelIndex(offset, normShape);
    std::vector<int64_t> index;
    for (size_t d = 0; d < weightShape.size(); ++d) {
      int64_t dim = weightShape[d];
      index.push_back(
          dim == 1 ? 0 : coords[normShape.size() - weightShape.size() + d]);
    }
    return ravelIndex(index, weightShape);
  };
  Tensor expected(shape);
  for (int64_t o = 0; o < x.numel() / inner; ++o) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < inner; ++i)
      mean += x.data[o * inner + i];
    mean /= inner;
    for (int64_t i = 0; i < inner; ++i)
      var += std::pow(x.data[o * inner + i] - mean, 2);
    var /= inner;
    for (int64_t i = 0; i < inner; ++i) {
      double v = (x.data[o * inner + i] - mean) / std::sqrt(var + eps);
      if (withWeight)
        v *= weight.data[paramIndex(i)];
      if (withWeight && withBias)
        v += bias.data[paramIndex(i)];
      expected.data[o * inner + i] = static_cast<float>(v);
    }
  }
  KernelResult result = runWithNones("top.LayerNorm",
                                     {&x, withWeight ? &weight : nullptr,
                                      withWeight && withBias ? &bias : nullptr},
                                     "axis = " + std::to_string(axis) +
                                         " : i64, eps = " + f64Attr(eps),
                                     shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(LayerNormKernel, LastAxisWithAffine) {
  checkLayerNorm({2, 3, 16}, -1, {16}, true, 500);
}

TEST(LayerNormKernel, SeveralAxesBroadcastWeight) {
  checkLayerNorm({2, 3, 4, 5}, 1, {4, 5}, true, 510);
  checkLayerNorm({2, 3, 4, 5}, 1, {5}, false, 515);
  checkLayerNorm({2, 3, 4, 5}, 2, {1, 5}, true, 518);
}

TEST(LayerNormKernel, NoAffine) {
  checkLayerNorm({4, 7}, 1, {}, false, 520);
  checkLayerNorm({3, 2, 6}, 0, {}, false, 525);
}

TEST(InstanceNormKernel, PerChannelAffineOverSpatialDims) {
  std::vector<int64_t> shape = {2, 3, 5, 4};
  Tensor x = randomTensor(shape, 530, -3.0f, 3.0f);
  Tensor weight = randomTensor({3}, 531);
  Tensor bias = randomTensor({3}, 532);
  double eps = 1e-3;
  int64_t inner = 20;
  Tensor expected(shape);
  for (int64_t plane = 0; plane < 6; ++plane) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < inner; ++i)
      mean += x.data[plane * inner + i];
    mean /= inner;
    for (int64_t i = 0; i < inner; ++i)
      var += std::pow(x.data[plane * inner + i] - mean, 2);
    var /= inner;
    int64_t c = plane % 3;
    for (int64_t i = 0; i < inner; ++i)
      expected.data[plane * inner + i] =
          static_cast<float>((x.data[plane * inner + i] - mean) /
                                 std::sqrt(var + eps) * weight.data[c] +
                             bias.data[c]);
  }
  KernelResult result = runWithNones("top.InstanceNorm", {&x, &weight, &bias},
                                     "eps = " + f64Attr(eps), shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

void checkSoftmax(llvm::ArrayRef<int64_t> shape, int64_t axis, bool log,
                  float scale, uint32_t seed) {
  SCOPED_TRACE("softmax " + tensorType(shape) + " axis " +
               std::to_string(axis) + (log ? " log" : ""));
  Tensor x = randomTensor(shape, seed, -scale, scale);
  int64_t rank = shape.size();
  int64_t a = axis < 0 ? axis + rank : axis;
  Tensor expected(shape);
  for (int64_t flat = 0; flat < x.numel(); ++flat) {
    std::vector<int64_t> coords = unravelIndex(flat, shape);
    double maxValue = -INFINITY;
    for (int64_t j = 0; j < shape[a]; ++j) {
      coords[a] = j;
      maxValue = std::max<double>(maxValue, x.data[ravelIndex(coords, shape)]);
    }
    double sum = 0;
    for (int64_t j = 0; j < shape[a]; ++j) {
      coords[a] = j;
      sum += std::exp(x.data[ravelIndex(coords, shape)] - maxValue);
    }
    double v = x.data[flat] - maxValue;
    expected.data[flat] =
        static_cast<float>(log ? v - std::log(sum) : std::exp(v) / sum);
  }
  KernelResult result = runOp("top.Softmax", {x},
                              "axis = " + std::to_string(axis) + " : i64" +
                                  (log ? ", log = true" : ""),
                              {tensorType(shape)});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(SoftmaxKernel, Axes) {
  checkSoftmax({2, 5, 3, 4}, 1, false, 3.0f, 600);
  checkSoftmax({2, 5, 3, 4}, -1, false, 3.0f, 610);
  checkSoftmax({6, 10}, 0, false, 3.0f, 620);
  checkSoftmax({17}, 0, false, 3.0f, 625);
}

TEST(SoftmaxKernel, LogSoftmax) {
  checkSoftmax({2, 5, 3, 4}, 1, true, 3.0f, 630);
  checkSoftmax({3, 9}, -1, true, 3.0f, 640);
}

TEST(SoftmaxKernel, LargeValuesStayFinite) {
  // exp(1000) overflows without the max subtraction.
  checkSoftmax({2, 8}, 1, false, 1000.0f, 650);
  checkSoftmax({2, 8}, 1, true, 1000.0f, 660);
}

} // namespace
