//===- ConvKernelsTest.cpp - Conv and Deconv kernels ----------------------===//
//
// Each kernel is compared with a naive reference written here (double
// accumulation), on hand-picked cases for every feature and on seeded random
// sweeps of shapes and attributes.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "gtest/gtest.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>

using namespace tpuc;
using namespace tpuc::test;

namespace {

constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;

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

} // namespace
