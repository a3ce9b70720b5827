//===- NNKernelsTest.cpp - Conv, Deconv, MatMul and norm kernels ----------===//
//
// Each kernel is compared with a naive reference written here (double
// accumulation), on hand-picked cases for every feature and on seeded random
// sweeps of shapes and attributes.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "gtest/gtest.h"

#include <chrono>
#include <cmath>
#include <random>
#include <sstream>

using namespace tpuc;
using namespace tpuc::test;

namespace {

constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;

std::string i64Array(llvm::ArrayRef<int64_t> values) {
  std::string text = "array<i64";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : ": ") + std::to_string(values[i]);
  return text + ">";
}

std::string f64Attr(double value) {
  std::ostringstream os;
  os.precision(17);
  os << std::scientific << value << " : f64";
  return os.str();
}

/// A module running `opName` on (input, second, none) when there is no
/// bias; otherwise the plain single-op module.
KernelResult runWithOptionalBias(llvm::StringRef opName, const Tensor &input,
                                 const Tensor &second, const Tensor *bias,
                                 const std::string &attributes,
                                 llvm::ArrayRef<int64_t> resultShape) {
  std::string resultType = tensorType(resultShape);
  if (bias)
    return runOp(opName, {input, second, *bias}, attributes, {resultType});
  std::string t0 = tensorType(input.shape), t1 = tensorType(second.shape);
  std::string source =
      "module {\n  func.func @main(%arg0: " + t0 + ", %arg1: " + t1 + ") -> " +
      resultType +
      " {\n    %none = top.None loc(\"none\")\n    %0 = " + opName.str() +
      " %arg0, %arg1, %none {" + attributes + "} : (" + t0 + ", " + t1 +
      ", none) -> " + resultType +
      " loc(\"out\")\n    return %0 : " + resultType + "\n  }\n}\n";
  return runKernel(source, {input, second});
}

double applyReluRef(double v, bool doRelu, double limit) {
  if (!doRelu)
    return v;
  v = std::max(v, 0.0);
  return limit >= 0 ? std::min(v, limit) : v;
}

std::string reluAttrs(bool doRelu, double limit) {
  if (!doRelu)
    return "";
  return ", do_relu = true, relu_limit = " + f64Attr(limit);
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

/// Everything describing one Conv/Deconv test; 1-D cases use only the W
/// entries (H entries stay 1/0).
struct WindowCase {
  bool is2D = true;
  int64_t batch = 1, inC = 1, outC = 1, group = 1;
  int64_t inH = 1, inW = 1, kH = 1, kW = 1, strideH = 1, strideW = 1;
  int64_t dilH = 1, dilW = 1;
  int64_t padT = 0, padL = 0, padB = 0, padR = 0;
  int64_t outPadH = 0, outPadW = 0; // Deconv only
  bool hasBias = true, doRelu = false;
  double reluLimit = -1.0;

  std::string describe() const {
    std::ostringstream os;
    os << (is2D ? "2-D" : "1-D") << " n" << batch << " ic" << inC << " oc"
       << outC << " g" << group << " in" << inH << "x" << inW << " k" << kH
       << "x" << kW << " s" << strideH << "x" << strideW << " d" << dilH << "x"
       << dilW << " pads[" << padT << "," << padL << "," << padB << "," << padR
       << "] outpad" << outPadH << "x" << outPadW << " bias" << hasBias
       << " relu" << doRelu << " limit" << reluLimit;
    return os.str();
  }

  llvm::SmallVector<int64_t, 4> shape(int64_t n, int64_t c, int64_t h,
                                      int64_t w) const {
    if (is2D)
      return {n, c, h, w};
    return {n, c, w};
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
                       ", pads = " + i64Array(pads) +
                       ", dilations = " + i64Array(pick(dilH, dilW)) +
                       ", group = " + std::to_string(group) + " : i64";
    if (outPadH || outPadW)
      text += ", output_padding = " + i64Array(pick(outPadH, outPadW));
    return text + reluAttrs(doRelu, reluLimit);
  }
};

int64_t convOutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb,
                    int64_t pe) {
  return (in + pb + pe - d * (k - 1) - 1) / s + 1;
}

Tensor referenceConv(const WindowCase &c, const Tensor &x, const Tensor &w,
                     const Tensor *bias) {
  int64_t outH = convOutSize(c.inH, c.kH, c.strideH, c.dilH, c.padT, c.padB);
  int64_t outW = convOutSize(c.inW, c.kW, c.strideW, c.dilW, c.padL, c.padR);
  Tensor y(c.shape(c.batch, c.outC, outH, outW));
  int64_t icg = c.inC / c.group, ocg = c.outC / c.group;
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t oc = 0; oc < c.outC; ++oc) {
      int64_t g = oc / ocg;
      for (int64_t oh = 0; oh < outH; ++oh)
        for (int64_t ow = 0; ow < outW; ++ow) {
          double acc = bias ? bias->data[oc] : 0.0;
          for (int64_t i = 0; i < icg; ++i)
            for (int64_t kh = 0; kh < c.kH; ++kh)
              for (int64_t kw = 0; kw < c.kW; ++kw) {
                int64_t ih = oh * c.strideH - c.padT + kh * c.dilH;
                int64_t iw = ow * c.strideW - c.padL + kw * c.dilW;
                if (ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW)
                  continue;
                int64_t ic = g * icg + i;
                double xv =
                    x.data[((n * c.inC + ic) * c.inH + ih) * c.inW + iw];
                double wv = w.data[((oc * icg + i) * c.kH + kh) * c.kW + kw];
                acc += xv * wv;
              }
          y.data[((n * c.outC + oc) * outH + oh) * outW + ow] =
              static_cast<float>(applyReluRef(acc, c.doRelu, c.reluLimit));
        }
    }
  return y;
}

void checkConv(const WindowCase &c, uint32_t seed) {
  SCOPED_TRACE(c.describe());
  Tensor x = randomTensor(c.shape(c.batch, c.inC, c.inH, c.inW), seed);
  Tensor w =
      randomTensor(c.shape(c.outC, c.inC / c.group, c.kH, c.kW), seed + 1);
  Tensor b = randomTensor({c.outC}, seed + 2);
  Tensor expected = referenceConv(c, x, w, c.hasBias ? &b : nullptr);
  KernelResult result =
      runWithOptionalBias("top.Conv", x, w, c.hasBias ? &b : nullptr,
                          c.attributes(), expected.shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

WindowCase conv2D(int64_t inC, int64_t outC, int64_t size, int64_t k) {
  WindowCase c;
  c.inC = inC;
  c.outC = outC;
  c.inH = c.inW = size;
  c.kH = c.kW = k;
  return c;
}

TEST(ConvKernel, Plain3x3WithBias) {
  WindowCase c = conv2D(3, 8, 9, 3);
  c.padT = c.padL = c.padB = c.padR = 1;
  checkConv(c, 10);
}

TEST(ConvKernel, NoBiasStride2Batch2) {
  WindowCase c = conv2D(5, 6, 11, 3);
  c.batch = 2;
  c.strideH = c.strideW = 2;
  c.hasBias = false;
  checkConv(c, 20);
}

TEST(ConvKernel, Groups) {
  WindowCase c = conv2D(6, 9, 8, 3);
  c.group = 3;
  c.padT = c.padB = 1;
  checkConv(c, 30);
}

TEST(ConvKernel, Depthwise) {
  WindowCase c = conv2D(16, 16, 10, 3);
  c.group = 16;
  c.padT = c.padL = c.padB = c.padR = 1;
  c.strideH = c.strideW = 2;
  checkConv(c, 40);
}

TEST(ConvKernel, DepthwiseMultiplier) {
  WindowCase c = conv2D(4, 8, 7, 5);
  c.group = 4;
  c.padT = c.padL = c.padB = c.padR = 2;
  checkConv(c, 45);
}

TEST(ConvKernel, Dilation) {
  WindowCase c = conv2D(4, 5, 12, 3);
  c.dilH = 2;
  c.dilW = 3;
  c.padT = 2;
  c.padL = 3;
  c.padB = 2;
  c.padR = 3;
  checkConv(c, 50);
}

TEST(ConvKernel, AsymmetricPads) {
  WindowCase c = conv2D(3, 4, 9, 3);
  c.inW = 6;
  c.padT = 0;
  c.padL = 2;
  c.padB = 1;
  c.padR = 0;
  c.strideW = 2;
  checkConv(c, 60);
}

TEST(ConvKernel, NonSquareKernel) {
  WindowCase c = conv2D(3, 4, 9, 1);
  c.kH = 1;
  c.kW = 4;
  c.padL = 1;
  c.padR = 2;
  checkConv(c, 65);
}

TEST(ConvKernel, Relu) {
  WindowCase c = conv2D(4, 4, 6, 3);
  c.doRelu = true;
  checkConv(c, 70);
}

TEST(ConvKernel, ReluLimit) {
  WindowCase c = conv2D(4, 4, 6, 3);
  c.doRelu = true;
  c.reluLimit = 0.5;
  checkConv(c, 80);
}

TEST(ConvKernel, OneDimensional) {
  WindowCase c;
  c.is2D = false;
  c.batch = 2;
  c.inC = 4;
  c.outC = 6;
  c.group = 2;
  c.inW = 17;
  c.kW = 3;
  c.strideW = 2;
  c.dilW = 2;
  c.padL = 1;
  c.padR = 2;
  c.doRelu = true;
  checkConv(c, 90);
}

TEST(ConvKernel, RandomSweep) {
  std::mt19937 rng(1234);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iteration = 0; iteration < 40; ++iteration) {
    WindowCase c;
    c.is2D = uniform(0, 3) != 0;
    c.batch = uniform(1, 2);
    c.group = uniform(1, 3);
    bool depthwise = uniform(0, 3) == 0;
    c.inC = c.group * (depthwise ? 1 : uniform(1, 4));
    c.outC = c.group * (depthwise ? 1 : uniform(1, 4));
    for (auto [k, s, d, pb, pe, in] :
         {std::tie(c.kW, c.strideW, c.dilW, c.padL, c.padR, c.inW),
          std::tie(c.kH, c.strideH, c.dilH, c.padT, c.padB, c.inH)}) {
      if (&k == &c.kH && !c.is2D)
        break;
      k = uniform(1, 4);
      s = uniform(1, 3);
      d = uniform(1, 2);
      pb = uniform(0, k - 1);
      pe = uniform(0, k - 1);
      in = std::max<int64_t>(1, d * (k - 1) + 1 - pb - pe) + uniform(0, 8);
    }
    c.hasBias = uniform(0, 1);
    c.doRelu = uniform(0, 2) != 0;
    c.reluLimit = uniform(0, 1) ? 0.5 : -1.0;
    checkConv(c, 1000 + iteration * 7);
  }
}

TEST(ConvKernel, RepeatedRunsReuseCachedPrimitive) {
  // Same shapes, different data: a cache keyed wrongly would replay stale
  // weights or shapes.
  WindowCase c = conv2D(3, 5, 8, 3);
  c.padT = c.padL = c.padB = c.padR = 1;
  for (uint32_t seed : {200u, 300u, 400u})
    checkConv(c, seed);
  c.inH = 6; // same op text otherwise, different shape
  checkConv(c, 500);
}

TEST(ConvKernel, MismatchedResultShapeIsAnError) {
  Tensor x = randomTensor({1, 2, 5, 5}, 1), w = randomTensor({3, 2, 3, 3}, 2);
  KernelResult result = runWithOptionalBias(
      "top.Conv", x, w, nullptr,
      "kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = "
      "array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>",
      {1, 3, 4, 4});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("result shape"), std::string::npos)
      << result.error;
}

// Not a correctness test: prints the time of the benchmark layer (run with
// --gtest_also_run_disabled_tests).
TEST(ConvKernel, DISABLED_Speed3x3Conv64x160x160) {
  WindowCase c = conv2D(64, 64, 160, 3);
  c.padT = c.padL = c.padB = c.padR = 1;
  c.doRelu = true;
  Tensor x = randomTensor({1, 64, 160, 160}, 1);
  Tensor w = randomTensor({64, 64, 3, 3}, 2);
  Tensor b = randomTensor({64}, 3);
  std::string source = singleOpModule(
      "top.Conv",
      {tensorType(x.shape), tensorType(w.shape), tensorType(b.shape)},
      c.attributes(), {tensorType({1, 64, 160, 160})});
  runKernel(source, {x, w, b}); // creates the primitive
  const int runs = 20;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i)
    ASSERT_TRUE(runKernel(source, {x, w, b}).ok);
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count() /
              runs;
  std::printf("3x3 conv 1x64x160x160 -> 64: %.3f ms per run (incl. module "
              "parsing)\n",
              ms);
}

//===----------------------------------------------------------------------===//
// Deconv
//===----------------------------------------------------------------------===//

Tensor referenceDeconv(const WindowCase &c, const Tensor &x, const Tensor &w,
                       const Tensor *bias) {
  auto outSize = [](int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb,
                    int64_t pe, int64_t op) {
    return (in - 1) * s - pb - pe + d * (k - 1) + 1 + op;
  };
  int64_t outH = c.is2D ? outSize(c.inH, c.kH, c.strideH, c.dilH, c.padT,
                                  c.padB, c.outPadH)
                        : 1;
  int64_t outW =
      outSize(c.inW, c.kW, c.strideW, c.dilW, c.padL, c.padR, c.outPadW);
  int64_t icg = c.inC / c.group, ocg = c.outC / c.group;
  std::vector<double> acc(c.batch * c.outC * outH * outW, 0.0);
  // Scatter every input element through the filter (ONNX ConvTranspose).
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t ic = 0; ic < c.inC; ++ic) {
      int64_t g = ic / icg;
      for (int64_t ih = 0; ih < c.inH; ++ih)
        for (int64_t iw = 0; iw < c.inW; ++iw) {
          double xv = x.data[((n * c.inC + ic) * c.inH + ih) * c.inW + iw];
          for (int64_t o = 0; o < ocg; ++o)
            for (int64_t kh = 0; kh < c.kH; ++kh)
              for (int64_t kw = 0; kw < c.kW; ++kw) {
                int64_t oh = ih * c.strideH - c.padT + kh * c.dilH;
                int64_t ow = iw * c.strideW - c.padL + kw * c.dilW;
                if (oh < 0 || oh >= outH || ow < 0 || ow >= outW)
                  continue;
                double wv = w.data[((ic * ocg + o) * c.kH + kh) * c.kW + kw];
                int64_t oc = g * ocg + o;
                acc[((n * c.outC + oc) * outH + oh) * outW + ow] += xv * wv;
              }
        }
    }
  Tensor y(c.shape(c.batch, c.outC, outH, outW));
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t oc = (i / (outH * outW)) % c.outC;
    double v = acc[i] + (bias ? bias->data[oc] : 0.0);
    y.data[i] = static_cast<float>(applyReluRef(v, c.doRelu, c.reluLimit));
  }
  return y;
}

void checkDeconv(const WindowCase &c, uint32_t seed) {
  SCOPED_TRACE(c.describe());
  Tensor x = randomTensor(c.shape(c.batch, c.inC, c.inH, c.inW), seed);
  Tensor w =
      randomTensor(c.shape(c.inC, c.outC / c.group, c.kH, c.kW), seed + 1);
  Tensor b = randomTensor({c.outC}, seed + 2);
  Tensor expected = referenceDeconv(c, x, w, c.hasBias ? &b : nullptr);
  KernelResult result =
      runWithOptionalBias("top.Deconv", x, w, c.hasBias ? &b : nullptr,
                          c.attributes(), expected.shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(DeconvKernel, Stride2Kernel4Pads1) {
  WindowCase c = conv2D(4, 3, 5, 4);
  c.strideH = c.strideW = 2;
  c.padT = c.padL = c.padB = c.padR = 1;
  checkDeconv(c, 100);
}

TEST(DeconvKernel, NoBiasNoPads) {
  WindowCase c = conv2D(3, 5, 4, 3);
  c.hasBias = false;
  checkDeconv(c, 110);
}

TEST(DeconvKernel, OutputPadding) {
  WindowCase c = conv2D(2, 3, 4, 3);
  c.strideH = c.strideW = 2;
  c.padT = c.padL = c.padB = c.padR = 1;
  c.outPadH = c.outPadW = 1;
  c.doRelu = true;
  checkDeconv(c, 120);
}

TEST(DeconvKernel, OutputPaddingBeyondEndPad) {
  // output_padding (2) exceeds the end pad (0): the last columns only get
  // the bias.
  WindowCase c = conv2D(2, 2, 3, 2);
  c.strideH = 2;
  c.strideW = 3;
  c.outPadH = 1;
  c.outPadW = 2;
  checkDeconv(c, 125);
}

TEST(DeconvKernel, Groups) {
  WindowCase c = conv2D(6, 4, 5, 3);
  c.group = 2;
  c.strideH = c.strideW = 2;
  c.padT = c.padL = 1;
  checkDeconv(c, 130);
}

TEST(DeconvKernel, Depthwise) {
  WindowCase c = conv2D(5, 5, 6, 2);
  c.group = 5;
  c.strideH = c.strideW = 2;
  checkDeconv(c, 135);
}

TEST(DeconvKernel, Dilation) {
  WindowCase c = conv2D(3, 2, 5, 3);
  c.dilH = 2;
  c.dilW = 3;
  c.strideW = 2;
  c.padT = 1;
  c.padR = 2;
  c.outPadW = 1;
  checkDeconv(c, 140);
}

TEST(DeconvKernel, OneDimensional) {
  WindowCase c;
  c.is2D = false;
  c.inC = 4;
  c.outC = 6;
  c.group = 2;
  c.inW = 9;
  c.kW = 3;
  c.strideW = 3;
  c.padL = 1;
  c.padR = 0;
  c.outPadW = 2;
  c.doRelu = true;
  c.reluLimit = 0.5;
  checkDeconv(c, 150);
}

TEST(DeconvKernel, RandomSweep) {
  std::mt19937 rng(4321);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iteration = 0; iteration < 30; ++iteration) {
    WindowCase c;
    c.is2D = uniform(0, 3) != 0;
    c.batch = uniform(1, 2);
    c.group = uniform(1, 3);
    c.inC = c.group * uniform(1, 3);
    c.outC = c.group * uniform(1, 3);
    for (auto [k, s, d, pb, pe, op, in] :
         {std::tie(c.kW, c.strideW, c.dilW, c.padL, c.padR, c.outPadW, c.inW),
          std::tie(c.kH, c.strideH, c.dilH, c.padT, c.padB, c.outPadH,
                   c.inH)}) {
      if (&k == &c.kH && !c.is2D)
        break;
      k = uniform(1, 4);
      s = uniform(1, 3);
      d = uniform(1, 2);
      pb = uniform(0, k - 1);
      pe = uniform(0, k - 1);
      op = uniform(0, std::max(s, d) - 1);
      in = uniform(1, 6);
      // Keep the output non-empty.
      while ((in - 1) * s + d * (k - 1) + 1 - pb - pe + op < 1)
        ++in;
    }
    c.hasBias = uniform(0, 1);
    c.doRelu = uniform(0, 2) != 0;
    c.reluLimit = uniform(0, 1) ? 0.5 : -1.0;
    checkDeconv(c, 2000 + iteration * 7);
  }
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

struct MatMulCase {
  llvm::SmallVector<int64_t, 4> left, right, bias; // bias empty: none
  bool leftT = false, rightT = false, doRelu = false;
  double reluLimit = -1.0;
};

/// numpy matmul of the (possibly transposed) operands, plus bias and relu.
Tensor referenceMatMul(const MatMulCase &c, const Tensor &a, const Tensor &b,
                       const Tensor *bias) {
  auto matrixDims = [](llvm::ArrayRef<int64_t> shape, bool transposed,
                       bool isLeft) {
    // (rows, cols) of the operand as used in the product.
    if (shape.size() == 1)
      return isLeft ? std::make_pair<int64_t, int64_t>(1, int64_t(shape[0]))
                    : std::make_pair<int64_t, int64_t>(int64_t(shape[0]), 1);
    int64_t r = shape[shape.size() - 2], cl = shape.back();
    return transposed ? std::make_pair(cl, r) : std::make_pair(r, cl);
  };
  auto [m, k] = matrixDims(c.left, c.leftT, true);
  auto [k2, n] = matrixDims(c.right, c.rightT, false);
  EXPECT_EQ(k, k2);
  llvm::ArrayRef<int64_t> aBatch = c.left.size() > 2
                                       ? llvm::ArrayRef(c.left).drop_back(2)
                                       : llvm::ArrayRef<int64_t>();
  llvm::ArrayRef<int64_t> bBatch = c.right.size() > 2
                                       ? llvm::ArrayRef(c.right).drop_back(2)
                                       : llvm::ArrayRef<int64_t>();
  size_t batchRank = std::max(aBatch.size(), bBatch.size());
  std::vector<int64_t> outBatch(batchRank);
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t da = i + aBatch.size() >= batchRank
                     ? aBatch[i + aBatch.size() - batchRank]
                     : 1;
    int64_t db = i + bBatch.size() >= batchRank
                     ? bBatch[i + bBatch.size() - batchRank]
                     : 1;
    outBatch[i] = std::max(da, db);
  }
  llvm::SmallVector<int64_t, 6> outShape(outBatch.begin(), outBatch.end());
  if (c.left.size() > 1)
    outShape.push_back(m);
  if (c.right.size() > 1)
    outShape.push_back(n);
  Tensor y(outShape);
  int64_t batches = Tensor::numelOf(outBatch);
  // Element (row, col) of an operand at output batch coordinates.
  auto element = [&](const Tensor &t, llvm::ArrayRef<int64_t> batchShape,
                     const std::vector<int64_t> &coords, int64_t row,
                     int64_t col, bool transposed) -> double {
    std::vector<int64_t> index;
    for (size_t i = 0; i < batchShape.size(); ++i) {
      int64_t coord = coords[i + batchRank - batchShape.size()];
      index.push_back(batchShape[i] == 1 ? 0 : coord);
    }
    if (t.rank() == 1)
      return t.data[&t == &a ? col : row]; // [1, k] or [k, 1]
    if (transposed)
      std::swap(row, col);
    index.push_back(row);
    index.push_back(col);
    return t.data[ravelIndex(index, t.shape)];
  };
  for (int64_t bi = 0; bi < batches; ++bi) {
    std::vector<int64_t> coords = unravelIndex(bi, outBatch);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0.0;
        for (int64_t kk = 0; kk < k; ++kk)
          acc += element(a, aBatch, coords, i, kk, c.leftT) *
                 element(b, bBatch, coords, kk, j, c.rightT);
        int64_t flat = (bi * m + i) * n + j;
        if (bias) {
          // Broadcast the bias against the output coordinates.
          std::vector<int64_t> outCoords = unravelIndex(flat, outShape);
          std::vector<int64_t> biasIndex;
          for (int64_t d = 0; d < bias->rank(); ++d) {
            int64_t dim = bias->shape[d];
            biasIndex.push_back(
                dim == 1 ? 0 : outCoords[outShape.size() - bias->rank() + d]);
          }
          acc += bias->data[ravelIndex(biasIndex, bias->shape)];
        }
        y.data[flat] =
            static_cast<float>(applyReluRef(acc, c.doRelu, c.reluLimit));
      }
  }
  return y;
}

void checkMatMul(const MatMulCase &c, uint32_t seed) {
  std::ostringstream trace;
  trace << "left " << tensorType(c.left) << (c.leftT ? "^T" : "") << " right "
        << tensorType(c.right) << (c.rightT ? "^T" : "") << " bias "
        << (c.bias.empty() ? "none" : tensorType(c.bias)) << " relu "
        << c.doRelu << " limit " << c.reluLimit;
  SCOPED_TRACE(trace.str());
  Tensor a = randomTensor(c.left, seed), b = randomTensor(c.right, seed + 1);
  Tensor bias = randomTensor(c.bias, seed + 2);
  const Tensor *biasPtr = c.bias.empty() ? nullptr : &bias;
  Tensor expected = referenceMatMul(c, a, b, biasPtr);
  std::string attributes =
      std::string("left_transpose = ") + (c.leftT ? "true" : "false") +
      ", right_transpose = " + (c.rightT ? "true" : "false") +
      reluAttrs(c.doRelu, c.reluLimit);
  KernelResult result = runWithOptionalBias("top.MatMul", a, b, biasPtr,
                                            attributes, expected.shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(MatMulKernel, Plain2D) { checkMatMul({{5, 7}, {7, 3}, {}}, 300); }

TEST(MatMulKernel, LinearWithBiasAndRelu) {
  MatMulCase c{{2, 6, 16}, {16, 10}, {10}};
  c.doRelu = true;
  checkMatMul(c, 310);
}

TEST(MatMulKernel, ReluLimit) {
  MatMulCase c{{4, 8}, {8, 6}, {1, 6}};
  c.doRelu = true;
  c.reluLimit = 0.5;
  checkMatMul(c, 315);
}

TEST(MatMulKernel, ScalarBias) { checkMatMul({{3, 4}, {4, 5}, {1}}, 318); }

TEST(MatMulKernel, BiasOverRowsAndColumns) {
  MatMulCase c{{2, 3, 4}, {4, 5}, {3, 5}};
  c.doRelu = true;
  checkMatMul(c, 319);
}

TEST(MatMulKernel, BatchedSameBatch) {
  checkMatMul({{3, 4, 5}, {3, 5, 6}, {6}}, 320);
}

TEST(MatMulKernel, BroadcastBatchBothSides) {
  checkMatMul({{2, 1, 3, 4}, {1, 5, 4, 6}, {}}, 330);
}

TEST(MatMulKernel, BroadcastLeftMatrixOverRightBatch) {
  checkMatMul({{3, 4}, {2, 4, 5}, {5}}, 335);
}

TEST(MatMulKernel, RankMismatchBatch) {
  checkMatMul({{4, 1, 2, 3}, {3, 3, 2}, {}}, 338);
}

TEST(MatMulKernel, Transposes) {
  for (bool lt : {false, true})
    for (bool rt : {false, true}) {
      MatMulCase c;
      c.left = lt ? llvm::SmallVector<int64_t, 4>{2, 7, 4}
                  : llvm::SmallVector<int64_t, 4>{2, 4, 7};
      c.right = rt ? llvm::SmallVector<int64_t, 4>{2, 5, 7}
                   : llvm::SmallVector<int64_t, 4>{2, 7, 5};
      c.leftT = lt;
      c.rightT = rt;
      c.bias = {5};
      checkMatMul(c, 340 + lt * 2 + rt);
    }
}

TEST(MatMulKernel, TransposedBroadcast) {
  MatMulCase c{{1, 6, 3}, {4, 5, 6}, {}};
  c.leftT = true;
  c.rightT = true;
  checkMatMul(c, 350);
}

TEST(MatMulKernel, OneDimensionalOperands) {
  checkMatMul({{7}, {7, 3}, {3}}, 360);    // vector x matrix
  checkMatMul({{4, 7}, {7}, {}}, 361);     // matrix x vector
  checkMatMul({{2, 4, 7}, {7}, {4}}, 362); // batched matrix x vector
  checkMatMul({{7}, {3, 7, 2}, {}}, 363);  // vector x batched
  checkMatMul({{7}, {7}, {}}, 364);        // dot product
}

TEST(MatMulKernel, RandomSweep) {
  std::mt19937 rng(99);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iteration = 0; iteration < 40; ++iteration) {
    MatMulCase c;
    int64_t m = uniform(1, 9), k = uniform(1, 17), n = uniform(1, 9);
    int64_t batchRank = uniform(0, 2);
    llvm::SmallVector<int64_t, 4> batch;
    for (int64_t i = 0; i < batchRank; ++i)
      batch.push_back(uniform(1, 3));
    auto operandBatch = [&]() {
      // Drop leading dims and broadcast some to 1.
      llvm::SmallVector<int64_t, 4> result;
      int64_t skip = uniform(0, batchRank);
      for (int64_t i = skip; i < batchRank; ++i)
        result.push_back(uniform(0, 2) == 0 ? 1 : batch[i]);
      return result;
    };
    c.leftT = uniform(0, 1);
    c.rightT = uniform(0, 1);
    c.left = operandBatch();
    c.left.append(c.leftT ? std::initializer_list<int64_t>{k, m}
                          : std::initializer_list<int64_t>{m, k});
    c.right = operandBatch();
    c.right.append(c.rightT ? std::initializer_list<int64_t>{n, k}
                            : std::initializer_list<int64_t>{k, n});
    int64_t biasKind = uniform(0, 2);
    if (biasKind == 1)
      c.bias = {n};
    c.doRelu = uniform(0, 1);
    c.reluLimit = uniform(0, 1) ? 0.5 : -1.0;
    checkMatMul(c, 3000 + iteration * 5);
  }
}

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
