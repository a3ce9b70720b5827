//===- PoolKernelsTest.cpp - Pooling kernels against ONNX semantics -------===//
//
// The reference enumerates each window position and classifies it as input,
// padding, or past the end padding (ceil_mode), which is how ONNX defines
// the divisors; the kernel computes the same from clamped ranges, partly on
// oneDNN, so the two are independent.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

using namespace tpuc;
using namespace tpuc::test;

namespace {

constexpr double kAtol = 1e-5;
constexpr double kRtol = 1e-4;

std::string i64Array(llvm::ArrayRef<int64_t> values) {
  std::string text = "array<i64";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : ": ") + std::to_string(values[i]);
  return text + ">";
}

struct PoolCase {
  bool isMax = false, is2D = true;
  int64_t batch = 1, channels = 1, inH = 1, inW = 1;
  int64_t kH = 1, kW = 1, strideH = 1, strideW = 1;
  int64_t padT = 0, padL = 0, padB = 0, padR = 0;
  bool ceilMode = false, countIncludePad = false, doRelu = false;
  double reluLimit = -1.0;

  std::string describe() const {
    std::ostringstream os;
    os << (isMax ? "max" : "avg") << (is2D ? " 2-D" : " 1-D") << " n" << batch
       << " c" << channels << " in" << inH << "x" << inW << " k" << kH << "x"
       << kW << " s" << strideH << "x" << strideW << " pads[" << padT << ","
       << padL << "," << padB << "," << padR << "] ceil" << ceilMode
       << " include_pad" << countIncludePad << " relu" << doRelu << " limit"
       << reluLimit;
    return os.str();
  }

  llvm::SmallVector<int64_t, 4> shape(int64_t h, int64_t w) const {
    if (is2D)
      return {batch, channels, h, w};
    return {batch, channels, w};
  }

  std::string attributes() const {
    auto pick = [&](int64_t h, int64_t w) {
      return is2D ? llvm::SmallVector<int64_t, 2>{h, w}
                  : llvm::SmallVector<int64_t, 2>{w};
    };
    llvm::SmallVector<int64_t, 4> pads =
        is2D ? llvm::SmallVector<int64_t, 4>{padT, padL, padB, padR}
             : llvm::SmallVector<int64_t, 4>{padL, padR};
    std::string text = "kernel_shape = " + i64Array(pick(kH, kW)) +
                       ", strides = " + i64Array(pick(strideH, strideW)) +
                       ", pads = " + i64Array(pads);
    if (ceilMode)
      text += ", ceil_mode = true";
    if (countIncludePad)
      text += ", count_include_pad = true";
    if (doRelu) {
      std::ostringstream os;
      os.precision(17);
      os << std::scientific << reluLimit;
      text += ", do_relu = true, relu_limit = " + os.str() + " : f64";
    }
    return text;
  }
};

/// ONNX/PyTorch output size; with ceil_mode the last window must start
/// inside the input or the begin padding.
int64_t poolOutSize(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe,
                    bool ceilMode) {
  int64_t span = in + pb + pe - k;
  if (!ceilMode)
    return span / s + 1;
  int64_t out = (span + s - 1) / s + 1;
  if ((out - 1) * s >= in + pb)
    --out;
  return out;
}

Tensor referencePool(const PoolCase &c, const Tensor &x) {
  int64_t outH =
      c.is2D ? poolOutSize(c.inH, c.kH, c.strideH, c.padT, c.padB, c.ceilMode)
             : 1;
  int64_t outW =
      poolOutSize(c.inW, c.kW, c.strideW, c.padL, c.padR, c.ceilMode);
  Tensor y(c.shape(outH, outW));
  int64_t planes = c.batch * c.channels;
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow) {
        double sum = 0, best = -INFINITY;
        int64_t inputCount = 0, paddedCount = 0;
        for (int64_t dh = 0; dh < c.kH; ++dh)
          for (int64_t dw = 0; dw < c.kW; ++dw) {
            int64_t h = oh * c.strideH - c.padT + dh;
            int64_t w = ow * c.strideW - c.padL + dw;
            // Positions past the end padding exist only through ceil_mode.
            if (h < c.inH + c.padB && w < c.inW + c.padR)
              ++paddedCount;
            if (h < 0 || h >= c.inH || w < 0 || w >= c.inW)
              continue;
            ++inputCount;
            double v = x.data[(p * c.inH + h) * c.inW + w];
            sum += v;
            best = std::max(best, v);
          }
        double v = c.isMax
                       ? best
                       : sum / (c.countIncludePad ? paddedCount : inputCount);
        if (c.doRelu) {
          v = std::max(v, 0.0);
          if (c.reluLimit >= 0)
            v = std::min(v, c.reluLimit);
        }
        y.data[(p * outH + oh) * outW + ow] = static_cast<float>(v);
      }
  return y;
}

KernelResult runPool(const PoolCase &c, const Tensor &x,
                     llvm::ArrayRef<int64_t> resultShape) {
  return runOp(c.isMax ? "top.MaxPool" : "top.AvgPool", {x}, c.attributes(),
               {tensorType(resultShape)});
}

void checkPool(const PoolCase &c, uint32_t seed) {
  SCOPED_TRACE(c.describe());
  Tensor x = randomTensor(c.shape(c.inH, c.inW), seed);
  Tensor expected = referencePool(c, x);
  KernelResult result = runPool(c, x, expected.shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

PoolCase pool2D(bool isMax, int64_t size, int64_t k, int64_t s, int64_t pad) {
  PoolCase c;
  c.isMax = isMax;
  c.channels = 3;
  c.inH = c.inW = size;
  c.kH = c.kW = k;
  c.strideH = c.strideW = s;
  c.padT = c.padL = c.padB = c.padR = pad;
  return c;
}

TEST(PoolKernel, CeilModeDivisorsOnOnes) {
  // 6 wide, kernel 3, stride 2, pads 1: ceil_mode adds a 4th window over
  // positions 5 (input), 6 (end pad) and 7 (past the padding).
  PoolCase c = pool2D(false, 6, 3, 2, 1);
  c.channels = 1;
  c.ceilMode = true;
  Tensor ones({1, 1, 6, 6}, 1.0f);
  for (bool includePad : {true, false}) {
    c.countIncludePad = includePad;
    KernelResult result = runPool(c, ones, {1, 1, 4, 4});
    ASSERT_TRUE(result.ok) << result.error;
    const Tensor &y = result.outputs[0];
    if (includePad) {
      // Corner: 1 input element in a 2x3 padded window (top-left pad) ...
      EXPECT_FLOAT_EQ(y.data[0], 4.0f / 9.0f);
      // ... inner windows are full ...
      EXPECT_FLOAT_EQ(y.data[1 * 4 + 1], 1.0f);
      // ... and the ceil window counts 2 of its 3 positions per axis: 3
      // input elements over 3x2 positions, 1 over 2x2 in the corner.
      EXPECT_FLOAT_EQ(y.data[1 * 4 + 3], 3.0f / 6.0f);
      EXPECT_FLOAT_EQ(y.data[3 * 4 + 3], 1.0f / 4.0f);
    } else {
      for (float v : y.data)
        EXPECT_FLOAT_EQ(v, 1.0f);
    }
  }
}

TEST(PoolKernel, CeilModeWithoutPadsCountsOnlyInput) {
  // 5 wide, kernel 2, stride 2: the ceil window holds one input position
  // and one past the (zero) end padding.
  PoolCase c = pool2D(false, 5, 2, 2, 0);
  c.ceilMode = true;
  for (bool includePad : {true, false}) {
    c.countIncludePad = includePad;
    checkPool(c, 700 + includePad);
  }
  Tensor ones({1, 3, 5, 5}, 1.0f);
  c.countIncludePad = true;
  KernelResult result = runPool(c, ones, {1, 3, 3, 3});
  ASSERT_TRUE(result.ok) << result.error;
  for (float v : result.outputs[0].data)
    EXPECT_FLOAT_EQ(v, 1.0f);
}

TEST(PoolKernel, AvgCombinations) {
  uint32_t seed = 710;
  for (bool ceilMode : {false, true})
    for (bool includePad : {false, true}) {
      PoolCase c = pool2D(false, 7, 3, 2, 1);
      c.ceilMode = ceilMode;
      c.countIncludePad = includePad;
      checkPool(c, seed++);
      // Asymmetric pads.
      c.padT = 0;
      c.padL = 2;
      c.padB = 1;
      c.padR = 0;
      c.inW = 8;
      checkPool(c, seed++);
    }
}

TEST(PoolKernel, MaxCombinations) {
  uint32_t seed = 730;
  for (bool ceilMode : {false, true}) {
    PoolCase c = pool2D(true, 8, 3, 2, 1);
    c.ceilMode = ceilMode;
    checkPool(c, seed++);
    c.padT = 2;
    c.padL = 0;
    c.padB = 0;
    c.padR = 1;
    checkPool(c, seed++);
  }
  // YOLOv5's SPPF pool.
  PoolCase sppf = pool2D(true, 20, 5, 1, 2);
  sppf.channels = 8;
  checkPool(sppf, 740);
}

TEST(PoolKernel, OneDimensional) {
  uint32_t seed = 750;
  for (bool isMax : {false, true})
    for (bool ceilMode : {false, true})
      for (bool includePad : {false, true}) {
        PoolCase c;
        c.isMax = isMax;
        c.is2D = false;
        c.batch = 2;
        c.channels = 3;
        c.inW = 11;
        c.kW = 4;
        c.strideW = 3;
        c.padL = 1;
        c.padR = 2;
        c.ceilMode = ceilMode;
        c.countIncludePad = includePad;
        checkPool(c, seed++);
      }
}

TEST(PoolKernel, ReluAndReluLimit) {
  PoolCase c = pool2D(false, 6, 2, 2, 0);
  c.doRelu = true;
  checkPool(c, 770);
  c.reluLimit = 0.2;
  checkPool(c, 771);
  c.isMax = true;
  checkPool(c, 772);
}

TEST(PoolKernel, RandomSweep) {
  std::mt19937 rng(777);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iteration = 0; iteration < 60; ++iteration) {
    PoolCase c;
    c.isMax = uniform(0, 1);
    c.is2D = uniform(0, 3) != 0;
    c.batch = uniform(1, 2);
    c.channels = uniform(1, 4);
    for (auto [k, s, pb, pe, in] :
         {std::tie(c.kW, c.strideW, c.padL, c.padR, c.inW),
          std::tie(c.kH, c.strideH, c.padT, c.padB, c.inH)}) {
      if (&k == &c.kH && !c.is2D)
        break;
      k = uniform(1, 5);
      s = uniform(1, 3);
      pb = uniform(0, k - 1);
      pe = uniform(0, k - 1);
      in = std::max<int64_t>(1, k - pb - pe) + uniform(0, 9);
    }
    c.ceilMode = uniform(0, 1);
    c.countIncludePad = uniform(0, 1);
    c.doRelu = uniform(0, 3) == 0;
    c.reluLimit = uniform(0, 1) ? 0.3 : -1.0;
    checkPool(c, 8000 + iteration * 3);
  }
}

//===----------------------------------------------------------------------===//
// Dilated max pooling and MaxPoolWithIndices
//===----------------------------------------------------------------------===//

/// A 2-D max pooling window description with dilations.
struct DilatedCase {
  int64_t batch, channels, inH, inW, kH, kW, strideH, strideW;
  int64_t padT, padL, padB, padR, dilH, dilW;

  int64_t outH() const {
    return (inH + padT + padB - dilH * (kH - 1) - 1) / strideH + 1;
  }
  int64_t outW() const {
    return (inW + padL + padR - dilW * (kW - 1) - 1) / strideW + 1;
  }
  std::string attributes() const {
    return "kernel_shape = " + i64Array({kH, kW}) +
           ", strides = " + i64Array({strideH, strideW}) +
           ", pads = " + i64Array({padT, padL, padB, padR}) +
           ", dilations = " + i64Array({dilH, dilW});
  }
};

/// Maxima and ONNX Indices (flat over the whole input, first on ties) by
/// enumerating every tap.
std::pair<Tensor, Tensor>
referenceDilatedMax(const DilatedCase &c, const Tensor &x, bool columnMajor) {
  Tensor y({c.batch, c.channels, c.outH(), c.outW()});
  Tensor indices(y.shape);
  for (int64_t i = 0; i < y.numel(); ++i) {
    std::vector<int64_t> at = unravelIndex(i, y.shape);
    float best = 0;
    int64_t where = -1;
    for (int64_t dh = 0; dh < c.kH; ++dh)
      for (int64_t dw = 0; dw < c.kW; ++dw) {
        int64_t h = at[2] * c.strideH - c.padT + dh * c.dilH;
        int64_t w = at[3] * c.strideW - c.padL + dw * c.dilW;
        if (h < 0 || h >= c.inH || w < 0 || w >= c.inW)
          continue;
        float v = x.data[ravelIndex({at[0], at[1], h, w}, x.shape)];
        if (where < 0 || v > best) {
          best = v;
          int64_t plane = at[0] * c.channels + at[1];
          where = plane * c.inH * c.inW +
                  (columnMajor ? w * c.inH + h : h * c.inW + w);
        }
      }
    y.data[i] = best;
    indices.data[i] = static_cast<float>(where);
  }
  return {y, indices};
}

const DilatedCase kDilatedCases[] = {
    {1, 1, 4, 4, 2, 2, 1, 1, 0, 0, 0, 0, 2, 2},
    {2, 3, 7, 9, 3, 2, 2, 1, 1, 1, 2, 0, 2, 3},
    {1, 2, 6, 5, 2, 3, 1, 2, 1, 2, 1, 2, 1, 2},
    {1, 1, 5, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},
};

TEST(PoolKernel, DilatedMaxMatchesTapByTapReference) {
  for (auto [index, c] : llvm::enumerate(kDilatedCases)) {
    SCOPED_TRACE("case " + std::to_string(index));
    Tensor x = randomTensor({c.batch, c.channels, c.inH, c.inW}, 990 + index);
    Tensor expected = referenceDilatedMax(c, x, false).first;
    KernelResult result =
        runOp("top.MaxPool", {x}, c.attributes(), {tensorType(expected.shape)});
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_TRUE(allClose(result.outputs[0], expected));
  }
}

TEST(PoolKernel, MaxPoolWithIndicesGivesFlatInputPositions) {
  for (bool columnMajor : {false, true}) {
    for (auto [index, c] : llvm::enumerate(kDilatedCases)) {
      SCOPED_TRACE("case " + std::to_string(index) +
                   (columnMajor ? " column-major" : " row-major"));
      Tensor x = randomTensor({c.batch, c.channels, c.inH, c.inW}, 995 + index);
      // Ties take the first position in window order.
      std::fill(x.data.begin(), x.data.begin() + x.numel() / 3, 2.0f);
      auto [values, indices] = referenceDilatedMax(c, x, columnMajor);
      std::string attrs = c.attributes();
      if (columnMajor)
        attrs += ", column_major = true";
      KernelResult result =
          runOp("top.MaxPoolWithIndices", {x}, attrs,
                {tensorType(values.shape), tensorType(values.shape, "i64")});
      ASSERT_TRUE(result.ok) << result.error;
      EXPECT_TRUE(allClose(result.outputs[0], values));
      EXPECT_TRUE(allClose(result.outputs[1], indices));
    }
  }
}

TEST(PoolKernel, MaxPoolWithIndicesMatchesOnnxExample) {
  // ONNX's test_maxpool_with_argmax_2d_precomputed_strides: 5x5 ramp,
  // 2x2 windows, stride 2, storage_order = 1.
  Tensor x({1, 1, 5, 5});
  for (int64_t i = 0; i < 25; ++i)
    x.data[i] = static_cast<float>(i + 1);
  KernelResult result = runOp(
      "top.MaxPoolWithIndices", {x},
      "kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = "
      "array<i64: 0, 0, 0, 0>, column_major = true",
      {tensorType({1, 1, 2, 2}), tensorType({1, 1, 2, 2}, "i64")});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(
      allClose(result.outputs[0], makeTensor({1, 1, 2, 2}, {7, 9, 17, 19})));
  EXPECT_TRUE(
      allClose(result.outputs[1], makeTensor({1, 1, 2, 2}, {6, 16, 8, 18})));
}

//===----------------------------------------------------------------------===//
// GlobalAvgPool, AdaptiveAvgPool
//===----------------------------------------------------------------------===//

TEST(GlobalAvgPoolKernel, MeansEveryPlane) {
  for (auto shape : {llvm::SmallVector<int64_t, 4>{2, 3, 5, 7},
                     llvm::SmallVector<int64_t, 4>{1, 4, 9}}) {
    Tensor x = randomTensor(shape, 800);
    llvm::SmallVector<int64_t, 4> outShape(shape.size(), 1);
    outShape[0] = shape[0];
    outShape[1] = shape[1];
    Tensor expected(outShape);
    int64_t plane = x.numel() / (shape[0] * shape[1]);
    for (int64_t p = 0; p < shape[0] * shape[1]; ++p) {
      double sum = 0;
      for (int64_t i = 0; i < plane; ++i)
        sum += x.data[p * plane + i];
      expected.data[p] = static_cast<float>(sum / plane);
    }
    KernelResult result =
        runOp("top.GlobalAvgPool", {x}, "", {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
  }
}

/// PyTorch's bins, written as the set of rows whose scaled range overlaps
/// the output cell: floor(i*in/out) <= r < ceil((i+1)*in/out).
Tensor referenceAdaptive(const Tensor &x, llvm::ArrayRef<int64_t> outSize) {
  bool is2D = x.rank() == 4;
  int64_t inH = is2D ? x.dim(2) : 1, inW = x.dim(-1);
  int64_t outH = is2D ? outSize[0] : 1, outW = outSize.back();
  llvm::SmallVector<int64_t, 4> outShape = {x.dim(0), x.dim(1)};
  outShape.append(outSize.begin(), outSize.end());
  Tensor y(outShape);
  auto inBin = [](int64_t r, int64_t i, int64_t in, int64_t out) {
    double lo = std::floor(static_cast<double>(i) * in / out);
    double hi = std::ceil(static_cast<double>(i + 1) * in / out);
    return r >= lo && r < hi;
  };
  for (int64_t p = 0; p < x.dim(0) * x.dim(1); ++p)
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow) {
        double sum = 0;
        int64_t count = 0;
        for (int64_t h = 0; h < inH; ++h)
          for (int64_t w = 0; w < inW; ++w)
            if (inBin(h, oh, inH, outH) && inBin(w, ow, inW, outW)) {
              sum += x.data[(p * inH + h) * inW + w];
              ++count;
            }
        y.data[(p * outH + oh) * outW + ow] = static_cast<float>(sum / count);
      }
  return y;
}

void checkAdaptive(llvm::ArrayRef<int64_t> inShape,
                   llvm::ArrayRef<int64_t> outSize, uint32_t seed) {
  SCOPED_TRACE("adaptive " + tensorType(inShape) + " to " + i64Array(outSize));
  Tensor x = randomTensor(inShape, seed);
  Tensor expected = referenceAdaptive(x, outSize);
  KernelResult result =
      runOp("top.AdaptiveAvgPool", {x}, "output_size = " + i64Array(outSize),
            {tensorType(expected.shape)});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(AdaptiveAvgPoolKernel, NonDivisibleSizes) {
  checkAdaptive({1, 2, 7, 5}, {3, 2}, 900);
  checkAdaptive({2, 3, 10, 9}, {4, 4}, 901);
  checkAdaptive({1, 2, 5, 5}, {7, 3}, 902); // upsampling bins overlap
  checkAdaptive({2, 3, 10}, {4}, 903);
}

TEST(AdaptiveAvgPoolKernel, DivisibleAndGlobal) {
  checkAdaptive({1, 3, 8, 6}, {4, 3}, 910);
  checkAdaptive({1, 3, 8, 6}, {1, 1}, 911);
  checkAdaptive({1, 3, 6, 6}, {6, 6}, 912);
}

} // namespace
