//===- TpuKernelsTest.cpp - INT8 Tpu kernels against integer references ---===//
//
// The INT8 kernels of the Tpu interpreter must compute exactly what the chip
// computes. Each test writes a one-op Tpu module with int8 operand types,
// runs it through tpuc::Interpreter on stored codes, and compares with a
// reference written here: naive int64 loops for the accumulations and the
// requantization formulas spelled out with integer shifts, independent of
// quantmath. Expected values of the small cases are worked out by hand.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Interpreter/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>

using namespace tpuc;

namespace {

//===----------------------------------------------------------------------===//
// Module text and running
//===----------------------------------------------------------------------===//

/// `!quant.uniform<i8:f32, scale>` (or u8, or with a zero point).
std::string qtype(double scale, int64_t zp = 0, bool isUnsigned = false) {
  std::ostringstream os;
  os.precision(17);
  os << "!quant.uniform<" << (isUnsigned ? "u8" : "i8") << ":f32, " << scale;
  if (zp != 0)
    os << ":" << zp;
  os << ">";
  return os.str();
}

std::string tensor(llvm::ArrayRef<int64_t> shape, const std::string &element) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + element + ">";
}

std::string i64s(llvm::ArrayRef<int64_t> values) {
  std::string text = "array<i64";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : ": ") + std::to_string(values[i]);
  return text + ">";
}

/// An inline integer weight of `shape`, written as the hex of its f32
/// values (exact below 2^24), which the parser takes for any shape.
std::string weightLine(const std::string &name, llvm::ArrayRef<int64_t> shape,
                       const std::string &element,
                       const std::vector<int64_t> &values) {
  std::string hex = "0x";
  char byte[3];
  for (int64_t v : values) {
    float f = static_cast<float>(v);
    unsigned char bytes[4];
    std::memcpy(bytes, &f, 4);
    for (unsigned char b : bytes) {
      std::snprintf(byte, sizeof(byte), "%02X", b);
      hex += byte;
    }
  }
  return "    %" + name + " = top.Weight {value = dense<\"" + hex +
         "\"> : " + tensor(shape, "f32") + "} : () -> " +
         tensor(shape, element) + " loc(\"" + name + "\")\n";
}

/// A module whose main takes `argTypes` (inputs named in0, in1, ...), runs
/// `body` (which may use %in0... and must define %out of `resultType`) and
/// returns %out.
std::string moduleText(const std::string &chip,
                       const std::vector<std::string> &argTypes,
                       const std::string &body, const std::string &resultType) {
  std::ostringstream os;
  os << "module attributes {top.chip = \"" << chip
     << "\", top.state = \"TPU_LOWERED\"} {\n  func.func @main(";
  for (size_t i = 0; i < argTypes.size(); ++i)
    os << (i ? ", " : "") << "%arg" << i << ": " << argTypes[i];
  os << ") -> " << resultType << " {\n";
  for (size_t i = 0; i < argTypes.size(); ++i)
    os << "    %in" << i << " = top.Input %arg" << i << " : (" << argTypes[i]
       << ") -> " << argTypes[i] << " loc(\"in" << i << "\")\n";
  os << "    %none = top.None loc(\"none\")\n" << body;
  os << "    return %out : " << resultType << "\n  }\n}\n";
  return os.str();
}

struct RunResult {
  bool ok = false;
  Tensor out;
  std::string error;
};

/// Parses `source` and runs it on `inputs` (stored codes); the result is the
/// stored codes of %out.
RunResult run(const std::string &source, const std::vector<Tensor> &inputs) {
  RunResult result;
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  ctx.loadDialect<mlir::func::FuncDialect, top::TopDialect, tpu::TpuDialect,
                  mlir::quant::QuantizationDialect>();
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &diag) {
    result.error += diag.str() + "\n";
    return mlir::success();
  });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &ctx);
  if (!module)
    return result;
  auto interpreter = Interpreter::create(*module);
  if (mlir::failed(interpreter))
    return result;
  TensorMap in, out;
  for (size_t i = 0; i < inputs.size(); ++i)
    in["in" + std::to_string(i)] = inputs[i];
  if (mlir::failed((*interpreter)->run(in, out)))
    return result;
  if (out.size() != 1) {
    result.error += "expected one output\n";
    return result;
  }
  result.out = out.begin()->second;
  result.ok = true;
  return result;
}

/// Uniform random integer codes in [lo, hi].
std::vector<int64_t> randomCodes(size_t n, int64_t lo, int64_t hi,
                                 uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<int64_t> codes(n);
  for (int64_t &c : codes)
    c = dist(engine);
  return codes;
}

Tensor toTensor(llvm::ArrayRef<int64_t> shape,
                const std::vector<int64_t> &codes) {
  Tensor t(shape);
  for (size_t i = 0; i < codes.size(); ++i)
    t.data[i] = static_cast<float>(codes[i]);
  return t;
}

//===----------------------------------------------------------------------===//
// Reference requantization, written with plain shifts
//===----------------------------------------------------------------------===//

/// floor(x / 2^s) + (remainder >= half): rounding half up (toward +inf).
int64_t shiftHalfUp(int64_t x, int64_t s) {
  if (s == 0)
    return x;
  return (x + (int64_t(1) << (s - 1))) >> s;
}

int64_t clamp(int64_t x, int64_t lo, int64_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/// QDM as the chip computes it: the int32 accumulator (shifted left first
/// for a negative rshift) times m, >> 31 half up, saturated, >> rshift half
/// up.
int64_t qdmReference(int64_t acc, int64_t m, int64_t rshift) {
  acc = clamp(acc, INT32_MIN, INT32_MAX);
  if (rshift < 0) {
    acc = clamp(acc * (int64_t(1) << -rshift), INT32_MIN, INT32_MAX);
    rshift = 0;
  }
  int64_t high = clamp(shiftHalfUp(acc * m, 31), INT32_MIN, INT32_MAX);
  return shiftHalfUp(high, rshift);
}

/// x / 2^s rounded half away from zero.
int64_t shiftHalfAway(int64_t x, int64_t s) {
  if (s == 0)
    return x;
  int64_t magnitude = ((x < 0 ? -x : x) + (int64_t(1) << (s - 1))) >> s;
  return x < 0 ? -magnitude : magnitude;
}

//===----------------------------------------------------------------------===//
// Conv2D
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t n = 1, ic = 4, h = 5, w = 5, oc = 3, kh = 3, kw = 3;
  int64_t strideH = 1, strideW = 1, dilH = 1, dilW = 1, group = 1;
  int64_t padTop = 1, padLeft = 1, padBottom = 1, padRight = 1;
  int64_t inZp = 0, outZp = 0;
  bool inUnsigned = false, withBias = true, doRelu = false;
  double reluLimit = -1.0;
  std::string chip = "cv181x";
  uint32_t seed = 1;
  /// Random codes lie in [-wMax - 1, wMax] (filter), [-bMax, bMax] (bias)
  /// and the input type's range cut to [-xMax - 1, xMax].
  int64_t wMax = 127, bMax = 20000, xMax = 255;
  /// Per-channel QDM parameters; defaults fill one per output channel.
  std::vector<int64_t> multipliers, rshifts;
};

int64_t outDim(int64_t in, int64_t k, int64_t stride, int64_t dil, int64_t padA,
               int64_t padB) {
  return (in + padA + padB - dil * (k - 1) - 1) / stride + 1;
}

/// Runs tpu.Conv2D on random codes and checks every output against a naive
/// int64 loop and the reference QDM.
void checkConv(ConvCase c) {
  SCOPED_TRACE("conv ic=" + std::to_string(c.ic) + " oc=" +
               std::to_string(c.oc) + " group=" + std::to_string(c.group));
  int64_t oh = outDim(c.h, c.kh, c.strideH, c.dilH, c.padTop, c.padBottom);
  int64_t ow = outDim(c.w, c.kw, c.strideW, c.dilW, c.padLeft, c.padRight);
  int64_t icg = c.ic / c.group, ocg = c.oc / c.group;
  int64_t qmin = c.inUnsigned ? 0 : -128, qmax = c.inUnsigned ? 255 : 127;
  auto x = randomCodes(c.n * c.ic * c.h * c.w, std::max(qmin, -c.xMax - 1),
                       std::min(qmax, c.xMax), c.seed);
  auto wt =
      randomCodes(c.oc * icg * c.kh * c.kw, -c.wMax - 1, c.wMax, c.seed + 1);
  auto bias = randomCodes(c.oc, -c.bMax, c.bMax, c.seed + 2);
  if (c.multipliers.empty()) {
    // Shifts that bring a typical accumulator (sqrt(terms) * 74^2, the
    // spread of a sum of products of uniform codes) to about 50, so that
    // most outputs are not saturated.
    double terms = double(icg * c.kh * c.kw);
    int64_t base = static_cast<int64_t>(
        std::round(std::log2(std::sqrt(terms) * 5476.0 / 50.0)));
    std::mt19937 engine(c.seed + 3);
    std::uniform_int_distribution<int64_t> m(int64_t(1) << 30,
                                             (int64_t(1) << 31) - 1);
    std::uniform_int_distribution<int64_t> s(base - 1, base + 1);
    for (int64_t k = 0; k < c.oc; ++k) {
      c.multipliers.push_back(m(engine));
      c.rshifts.push_back(s(engine));
    }
  }

  std::string inType =
      tensor({c.n, c.ic, c.h, c.w}, qtype(0.05, c.inZp, c.inUnsigned));
  std::string outType = tensor({c.n, c.oc, oh, ow}, qtype(0.1, c.outZp));
  std::string body = weightLine("w", {c.oc, icg, c.kh, c.kw}, "si8", wt) +
                     (c.withBias ? weightLine("b", {c.oc}, "si32", bias) : "");
  std::ostringstream op;
  op << "    %out = tpu.Conv2D %in0, %w, " << (c.withBias ? "%b" : "%none")
     << " {kernel_shape = " << i64s({c.kh, c.kw})
     << ", strides = " << i64s({c.strideH, c.strideW})
     << ", pads = " << i64s({c.padTop, c.padLeft, c.padBottom, c.padRight})
     << ", dilations = " << i64s({c.dilH, c.dilW}) << ", group = " << c.group
     << " : i64, multiplier = " << i64s(c.multipliers)
     << ", rshift = " << i64s(c.rshifts)
     << ", quant_mode = \"QDM\", round_mode = \"HalfUp\"";
  if (c.doRelu)
    op << ", do_relu = true, relu_limit = " << std::fixed << c.reluLimit
       << " : f64";
  op << "} : (" << inType << ", " << tensor({c.oc, icg, c.kh, c.kw}, "si8")
     << ", " << (c.withBias ? tensor({c.oc}, "si32") : "none") << ") -> "
     << outType << " loc(\"conv\")\n";
  body += op.str();
  RunResult r = run(moduleText(c.chip, {inType}, body, outType),
                    {toTensor({c.n, c.ic, c.h, c.w}, x)});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.out.numel(), c.n * c.oc * oh * ow);

  int64_t mismatches = 0;
  for (int64_t b = 0; b < c.n; ++b)
    for (int64_t o = 0; o < c.oc; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t g = o / ocg;
          int64_t acc = c.withBias ? bias[o] : 0;
          for (int64_t ci = 0; ci < icg; ++ci)
            for (int64_t ki = 0; ki < c.kh; ++ki)
              for (int64_t kj = 0; kj < c.kw; ++kj) {
                int64_t r0 = i * c.strideH - c.padTop + ki * c.dilH;
                int64_t c0 = j * c.strideW - c.padLeft + kj * c.dilW;
                // Padding holds the zero point: it adds nothing.
                if (r0 < 0 || r0 >= c.h || c0 < 0 || c0 >= c.w)
                  continue;
                int64_t xin =
                    x[((b * c.ic + g * icg + ci) * c.h + r0) * c.w + c0] -
                    c.inZp;
                int64_t win = wt[((o * icg + ci) * c.kh + ki) * c.kw + kj];
                acc += xin * win;
              }
          int64_t q =
              qdmReference(acc, c.multipliers[o], c.rshifts[o]) + c.outZp;
          q = clamp(q, -128, 127);
          if (c.doRelu) {
            q = std::max(q, c.outZp);
            if (c.reluLimit >= 0)
              q = std::min(q,
                           static_cast<int64_t>(std::round(c.reluLimit / 0.1)) +
                               c.outZp);
          }
          float got = r.out.data[((b * c.oc + o) * oh + i) * ow + j];
          if (got != static_cast<float>(q) && mismatches++ < 5)
            ADD_FAILURE() << "out[" << b << "," << o << "," << i << "," << j
                          << "] = " << got << ", expected " << q << " (acc "
                          << acc << ")";
        }
  EXPECT_EQ(mismatches, 0);
}

TEST(TpuKernelsTest, Conv2DByHand) {
  // One input channel, a 1x1 filter of 3 and bias 10: acc = 3x + 10; with
  // m = 2^30 (0.5) and rshift 1 the result is round_half_up(acc / 4).
  //   x = 2:  acc 16 -> 16 * 0.5 = 8 -> 8 / 2 = 4
  //   x = -3: acc 1  -> 0.5 -> 1 (half up) -> 0.5 -> 1 (half up)
  //   x = -5: acc -5 -> -2.5 -> -2 (half up) -> -1
  //   x = 127: acc 391 -> 195.5 -> 196 -> 98
  std::string inType = tensor({1, 1, 1, 4}, qtype(0.1));
  std::string outType = tensor({1, 1, 1, 4}, qtype(0.1));
  std::string body = weightLine("w", {1, 1, 1, 1}, "si8", {3}) +
                     weightLine("b", {1}, "si32", {10}) +
                     "    %out = tpu.Conv2D %in0, %w, %b {kernel_shape = "
                     "array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = "
                     "array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, "
                     "multiplier = array<i64: 1073741824>, rshift = "
                     "array<i64: 1>, quant_mode = \"QDM\", round_mode = "
                     "\"HalfUp\"} : (" +
                     inType + ", tensor<1x1x1x1xsi8>, tensor<1xsi32>) -> " +
                     outType + " loc(\"conv\")\n";
  RunResult r = run(moduleText("cv181x", {inType}, body, outType),
                    {toTensor({1, 1, 1, 4}, {2, -3, -5, 127})});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{4, 1, -1, 98}));
}

TEST(TpuKernelsTest, Conv2DPaddedSymmetric) { checkConv(ConvCase{}); }

TEST(TpuKernelsTest, Conv2DStridedDilatedGrouped) {
  ConvCase c;
  c.ic = 6, c.oc = 4, c.group = 2, c.h = 9, c.w = 8;
  c.strideH = 2, c.dilW = 2, c.padTop = 0, c.padBottom = 2, c.padRight = 0;
  c.seed = 11;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DDepthwise) {
  ConvCase c;
  c.ic = 8, c.oc = 8, c.group = 8, c.seed = 13;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DDeepNeedsChunks) {
  // 160 channels x 3x3 = 1440 products per output: partial sums of up to
  // 1440 * 128 * 128 = 2.4e7 > 2^24 are not exact in float, so the kernel
  // must split the channels.
  ConvCase c;
  c.ic = 160, c.oc = 4, c.h = 4, c.w = 4, c.seed = 17;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DDeep1x1) {
  // 2000 channels of a 1x1 filter, with extreme codes so the float partial
  // sums would be inexact without chunks.
  ConvCase c;
  c.ic = 2000, c.oc = 2, c.h = 2, c.w = 2, c.kh = c.kw = 1;
  c.padTop = c.padLeft = c.padBottom = c.padRight = 0;
  c.seed = 19;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DSumsExactlyBeyond2To24) {
  // 2000 channels of x = 127 and w = 127: the sum 2000 * 16129 = 32258000
  // passes 2^24 with odd terms, where one float sum would round at every
  // step. The bias -32258000 (even, so exact in the inline f32 weight)
  // cancels it: the exact accumulator is 0, and any rounding shows up in
  // the output (m = 2^30, rshift 0: y = acc / 2). With x = -127 the sum
  // is -32258000 and the bias doubles it: -64516000 / 2 = -32258000,
  // saturated to -128.
  const int64_t ic = 2000;
  std::string inType = tensor({1, ic, 1, 2}, qtype(0.05));
  std::string outType = tensor({1, 1, 1, 2}, qtype(0.1));
  std::vector<int64_t> x(ic * 2);
  for (int64_t c = 0; c < ic; ++c) {
    x[c * 2] = 127;
    x[c * 2 + 1] = -127;
  }
  std::string body =
      weightLine("w", {1, ic, 1, 1}, "si8", std::vector<int64_t>(ic, 127)) +
      weightLine("b", {1}, "si32", {-32258000}) +
      "    %out = tpu.Conv2D %in0, %w, %b {kernel_shape = array<i64: 1, 1>, "
      "strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations "
      "= array<i64: 1, 1>, multiplier = array<i64: 1073741824>, rshift = "
      "array<i64: 0>, quant_mode = \"QDM\", round_mode = \"HalfUp\"} : (" +
      inType + ", " + tensor({1, ic, 1, 1}, "si8") + ", tensor<1xsi32>) -> " +
      outType + " loc(\"conv\")\n";
  RunResult r = run(moduleText("cv181x", {inType}, body, outType),
                    {toTensor({1, ic, 1, 2}, x)});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{0, -128}));
}

TEST(TpuKernelsTest, MatMulSumsExactlyBeyond2To24) {
  // The same cancellation for a reduction of k = 1500 terms with an
  // asymmetric input (codes 107, zero point -20: centered 127) and weights
  // 127, or 126 at every 7th position so that blocks of terms have odd sums
  // whatever order a float kernel adds them in. The sum S passes 2^24; the
  // bias is -S rounded down to even (exact in f32), so the exact
  // accumulator is S & 1 and y = round_half_up((S & 1) / 2).
  const int64_t k = 1500;
  std::vector<int64_t> w(k);
  int64_t sum = 0;
  for (int64_t t = 0; t < k; ++t) {
    w[t] = t % 7 ? 127 : 126;
    sum += 127 * w[t];
  }
  ASSERT_GT(sum, int64_t(1) << 24);
  std::string aType = tensor({1, k}, qtype(0.05, -20));
  std::string outType = tensor({1, 1}, qtype(0.1));
  std::string body =
      weightLine("r", {k, 1}, "si8", w) +
      weightLine("b", {1}, "si32", {-(sum & ~int64_t(1))}) +
      "    %out = tpu.MatMul %in0, %r, %b {multiplier = array<i64: "
      "1073741824>, rshift = array<i64: 0>, quant_mode = \"QDM\", round_mode "
      "= \"HalfUp\"} : (" +
      aType + ", " + tensor({k, 1}, "si8") + ", tensor<1xsi32>) -> " + outType +
      " loc(\"mm\")\n";
  RunResult r = run(moduleText("bm1684x", {aType}, body, outType),
                    {toTensor({1, k}, std::vector<int64_t>(k, 107))});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{float(sum & 1)}));
}

TEST(TpuKernelsTest, Conv2DAsymmetricZeroPointsAndPadding) {
  // BM1684X asymmetric: input zero point -20 (pads read as the zero point,
  // i.e. real 0), output zero point 7; deep enough to chunk with the wider
  // centered range (x - zp up to 255).
  ConvCase c;
  c.chip = "bm1684x";
  c.inZp = -20, c.outZp = 7, c.ic = 70, c.seed = 23;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DUnsignedInput) {
  ConvCase c;
  c.chip = "bm1684x";
  c.inUnsigned = true, c.inZp = 40, c.ic = 130, c.seed = 29;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DReluAndLimit) {
  ConvCase c;
  c.doRelu = true, c.reluLimit = 6.0, c.withBias = false, c.seed = 31;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DLeftShift) {
  // BM1684X QDM scales >= 1: rshift -2 shifts the accumulator left first.
  ConvCase c;
  c.chip = "bm1684x";
  c.ic = 2, c.kh = c.kw = 1,
  c.padTop = c.padLeft = c.padBottom = c.padRight = 0;
  c.multipliers = {1610612736, 1073741824, 2000000000};
  c.rshifts = {-2, -1, 0};
  c.wMax = 3, c.bMax = 10, c.xMax = 7, c.seed = 37;
  checkConv(c);
}

TEST(TpuKernelsTest, Conv2DGroupedDeep) {
  // Two groups of 130 channels x 3x3 = 1170 products per output: more than
  // one exact float sum, inside a grouped convolution.
  ConvCase c;
  c.ic = 260, c.oc = 4, c.group = 2, c.h = 3, c.w = 3, c.seed = 41;
  checkConv(c);
}

/// tpu.Deconv with a 2x2 kernel at stride 2 (each output pixel reads one
/// input pixel per input channel) against a naive loop.
void checkDeconv(int64_t ic, int64_t oc, int64_t group, uint32_t seed) {
  SCOPED_TRACE("deconv ic=" + std::to_string(ic) +
               " group=" + std::to_string(group));
  const int64_t h = 3, w = 2;
  int64_t icg = ic / group, ocg = oc / group;
  auto x = randomCodes(ic * h * w, -128, 127, seed);
  auto wt = randomCodes(ic * ocg * 4, -128, 127, seed + 1);
  auto bias = randomCodes(oc, -1000, 1000, seed + 2);
  int64_t mult = 1500000000,
          shift = static_cast<int64_t>(
              std::round(std::log2(std::sqrt(double(icg)) * 5476.0 / 50.0)));
  std::string inType = tensor({1, ic, h, w}, qtype(0.05));
  std::string outType = tensor({1, oc, 2 * h, 2 * w}, qtype(0.1));
  std::string body =
      weightLine("w", {ic, ocg, 2, 2}, "si8", wt) +
      weightLine("b", {oc}, "si32", bias) +
      "    %out = tpu.Deconv %in0, %w, %b {kernel_shape = array<i64: 2, 2>, "
      "strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations "
      "= array<i64: 1, 1>, group = " +
      std::to_string(group) + " : i64, multiplier = " + i64s({mult}) +
      ", rshift = " + i64s({shift}) +
      ", quant_mode = \"QDM\", round_mode = \"HalfUp\"} : (" + inType + ", " +
      tensor({ic, ocg, 2, 2}, "si8") + ", " + tensor({oc}, "si32") + ") -> " +
      outType + " loc(\"deconv\")\n";
  RunResult r = run(moduleText("cv181x", {inType}, body, outType),
                    {toTensor({1, ic, h, w}, x)});
  ASSERT_TRUE(r.ok) << r.error;
  int64_t mismatches = 0;
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t y = 0; y < 2 * h; ++y)
      for (int64_t xx = 0; xx < 2 * w; ++xx) {
        int64_t g = o / ocg, acc = bias[o];
        for (int64_t ci = g * icg; ci < (g + 1) * icg; ++ci)
          acc += x[(ci * h + y / 2) * w + xx / 2] *
                 wt[((ci * ocg + o % ocg) * 2 + y % 2) * 2 + xx % 2];
        int64_t q = clamp(qdmReference(acc, mult, shift), -128, 127);
        float got = r.out.data[(o * 2 * h + y) * 2 * w + xx];
        if (got != static_cast<float>(q) && mismatches++ < 5)
          ADD_FAILURE() << "out[" << o << "," << y << "," << xx << "] = " << got
                        << ", expected " << q;
      }
  EXPECT_EQ(mismatches, 0);
}

TEST(TpuKernelsTest, DeconvSmall) { checkDeconv(6, 4, 1, 53); }

TEST(TpuKernelsTest, DeconvDeepChunked) {
  // 300 input channels x 4 taps = 1200 > 1024: chunked along the filter's
  // dim 0, which runs over the input channels.
  checkDeconv(300, 2, 1, 59);
}

TEST(TpuKernelsTest, DeconvGroupedDeepChunked) { checkDeconv(600, 4, 2, 61); }

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

TEST(TpuKernelsTest, MatMulDeepReduction) {
  // k = 1500 > 1024 products: chunked along k; per-tensor QDM and a bias.
  const int64_t m = 3, k = 1500, n = 5;
  auto a = randomCodes(m * k, -128, 127, 43);
  auto b = randomCodes(k * n, -128, 127, 44);
  auto bias = randomCodes(n, -5000, 5000, 45);
  int64_t mult = 1234567890, shift = 14;
  std::string aType = tensor({m, k}, qtype(0.02));
  std::string outType = tensor({m, n}, qtype(0.5));
  std::string body =
      weightLine("r", {k, n}, "si8", b) + weightLine("b", {n}, "si32", bias) +
      "    %out = tpu.MatMul %in0, %r, %b {multiplier = " + i64s({mult}) +
      ", rshift = " + i64s({shift}) +
      ", quant_mode = \"QDM\", round_mode = \"HalfUp\"} : (" + aType + ", " +
      tensor({k, n}, "si8") + ", " + tensor({n}, "si32") + ") -> " + outType +
      " loc(\"mm\")\n";
  RunResult r =
      run(moduleText("cv181x", {aType}, body, outType), {toTensor({m, k}, a)});
  ASSERT_TRUE(r.ok) << r.error;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = bias[j];
      for (int64_t t = 0; t < k; ++t)
        acc += a[i * k + t] * b[t * n + j];
      int64_t q = clamp(qdmReference(acc, mult, shift), -128, 127);
      EXPECT_EQ(r.out.data[i * n + j], static_cast<float>(q))
          << i << "," << j << " acc " << acc;
    }
}

//===----------------------------------------------------------------------===//
// Elementwise and concat requantization
//===----------------------------------------------------------------------===//

/// Runs a binary op `opText` (with %in0, %in1) on two [1, 6] code tensors.
RunResult runBinary(const std::string &opText, const std::string &lhsType,
                    const std::string &rhsType, const std::string &outType,
                    const std::vector<int64_t> &a,
                    const std::vector<int64_t> &b,
                    const std::string &chip = "cv181x") {
  std::string body = "    %out = " + opText + " : (" + lhsType + ", " +
                     rhsType + ") -> " + outType + " loc(\"op\")\n";
  return run(moduleText(chip, {lhsType, rhsType}, body, outType),
             {toTensor({1, 6}, a), toTensor({1, 6}, b)});
}

TEST(TpuKernelsTest, AddRequantByHand) {
  // y = (85 a + 43 b) >> 7, rounding half away from zero, saturated:
  //   a = 10,  b = 20:   850 + 860 = 1710 / 128 = 13.36 -> 13
  //   a = -10, b = -20: -1710 / 128 = -13.36 -> -13
  //   a = 3,   b = -3:   255 - 129 = 126 / 128 = 0.98 -> 1
  //   a = 1,   b = 1:    128 / 128 = 1
  //   a = 127, b = 127:  16256 / 128 = 127
  //   a = -128, b = 64:  -10880 + 2752 = -8128 / 128 = -63.5 -> -64
  std::string t = tensor({1, 6}, qtype(0.02));
  RunResult r = runBinary(
      "tpu.Add %in0, %in1 {multipliers = array<i64: 85, 43>, rshift = 7 : i64}",
      t, t, t, {10, -10, 3, 1, 127, -128}, {20, -20, -3, 1, 127, 64});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{13, -13, 1, 1, 127, -64}));
}

TEST(TpuKernelsTest, AddSaturatesAndRelu) {
  // (127 a + 127 b) >> 6 with a = b = 100: 25400 / 64 = 396.9 -> 127;
  // relu turns negatives into the zero point; relu_limit 0.1 at scale 0.02
  // is code 5.
  std::string t = tensor({1, 6}, qtype(0.02));
  RunResult r =
      runBinary("tpu.Add %in0, %in1 {multipliers = array<i64: 127, "
                "127>, rshift = 6 : i64, do_relu = true, "
                "relu_limit = 0.1 : f64}",
                t, t, t, {100, -100, 1, 2, 0, -1}, {100, -100, 1, 0, 0, 0});
  ASSERT_TRUE(r.ok) << r.error;
  // 1 + 1: 254 / 64 = 3.97 -> 4; 2: 254 / 64 -> 4; -1: -127 / 64 = -1.98
  // -> -2 -> relu 0.
  EXPECT_EQ(r.out.data, (std::vector<float>{5, 0, 4, 4, 0, 0}));
}

TEST(TpuKernelsTest, SubAsymmetric) {
  // BM1684X asymmetric: lhs zp 10, rhs u8 zp 0, out zp -5.
  // y = (64 (a - 10) - 32 b) >> 6 + (-5):
  //   a = 10, b = 0:  0 -> -5
  //   a = 30, b = 20: 1280 - 640 = 640 / 64 = 10 -> 5
  //   a = 0,  b = 2:  -640 - 64 = -704 / 64 = -11 -> -16
  //   a = 11, b = 1:  64 - 32 = 32 / 64 = 0.5 -> 1 (away) -> -4
  //   a = 9,  b = 1:  -64 - 32 = -96 / 64 = -1.5 -> -2 -> -7
  //   a = 127, b = 255: 7488 - 8160 = -672 / 64 = -10.5 -> -11 -> -16
  RunResult r = runBinary(
      "tpu.Sub %in0, %in1 {multipliers = array<i64: 64, 32>, rshift = 6 : i64}",
      tensor({1, 6}, qtype(0.1, 10)), tensor({1, 6}, qtype(0.05, 0, true)),
      tensor({1, 6}, qtype(0.1, -5)), {10, 30, 0, 11, 9, 127},
      {0, 20, 2, 1, 1, 255}, "bm1684x");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{-5, 5, -16, -4, -7, -16}));
}

TEST(TpuKernelsTest, MulRequantByHand) {
  // y = (a * b * 86) >> 13, half away from zero:
  //   10 * 10 * 86 = 8600 / 8192 = 1.05 -> 1
  //   -100 * 50 * 86 = -430000 / 8192 = -52.49 -> -52
  //   127 * 127 * 86 = 1387094 / 8192 = 169.3 -> 127 (saturated)
  //   -128 * 127 -> -170.6 -> -128
  //   12 * 8 * 86 = 8256 / 8192 = 1.0078 -> 1
  //   -16 * 6 * 86 = -8256 / 8192 -> -1
  std::string t = tensor({1, 6}, qtype(0.02));
  RunResult r = runBinary("tpu.Mul %in0, %in1 {multiplier = array<i64: 86>, "
                          "rshift = array<i64: 13>}",
                          t, t, t, {10, -100, 127, -128, 12, -16},
                          {10, 50, 127, 127, 8, 6});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{1, -52, 127, -128, 1, -1}));
}

TEST(TpuKernelsTest, MulRandomAgainstReference) {
  auto a = randomCodes(6, -128, 127, 51), b = randomCodes(6, -128, 127, 52);
  std::string t = tensor({1, 6}, qtype(0.02));
  RunResult r = runBinary("tpu.Mul %in0, %in1 {multiplier = array<i64: -77>, "
                          "rshift = array<i64: 11>}",
                          t, t, t, a, b);
  ASSERT_TRUE(r.ok) << r.error;
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(r.out.data[i],
              static_cast<float>(
                  clamp(shiftHalfAway(a[i] * b[i] * -77, 11), -128, 127)))
        << i;
}

TEST(TpuKernelsTest, ConcatRequantByHand) {
  // Input 0 keeps its codes (1, 0); input 1 is (x * 85) >> 8 half away from
  // zero: 3 -> 255 / 256 = 0.996 -> 1; -3 -> -1; 100 -> 33.2 -> 33;
  // 127 -> 42.17 -> 42; -128 -> -42.5 -> -43; 1 -> 0.33 -> 0.
  std::string t0 = tensor({1, 2}, qtype(0.03)),
              t1 = tensor({1, 6}, qtype(0.01));
  std::string out = tensor({1, 8}, qtype(0.03));
  std::string body = "    %out = tpu.Concat %in0, %in1 {axis = 1 : i64, "
                     "multipliers = array<i64: 1, 85>, rshifts = array<i64: "
                     "0, 8>} : (" +
                     t0 + ", " + t1 + ") -> " + out + " loc(\"concat\")\n";
  RunResult r = run(moduleText("cv181x", {t0, t1}, body, out),
                    {toTensor({1, 2}, {-7, 120}),
                     toTensor({1, 6}, {3, -3, 100, 127, -128, 1})});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{-7, 120, 1, -1, 33, 42, -43, 0}));
}

TEST(TpuKernelsTest, AvgPoolRequantByHand) {
  // 2x2 windows summed, then (sum * 64) >> 8 = sum / 4 half away from zero:
  //   [1, 2, 3, 5] = 11 -> 2.75 -> 3;  [-1, -2, -3, -5] -> -3
  //   [2, 0, 0, 0] = 2 -> 0.5 -> 1;    [-2, 0, 0, 0] -> -1
  std::string in = tensor({1, 1, 2, 8}, qtype(0.1));
  std::string out = tensor({1, 1, 1, 4}, qtype(0.1));
  std::string body = "    %out = tpu.Pool2D %in0 {pool_mode = \"Avg\", "
                     "kernel_shape = array<i64: 2, 2>, strides = array<i64: "
                     "2, 2>, pads = array<i64: 0, 0, 0, 0>, multiplier = "
                     "array<i64: 64>, rshift = array<i64: 8>} : (" +
                     in + ") -> " + out + " loc(\"pool\")\n";
  RunResult r = run(moduleText("cv181x", {in}, body, out),
                    {toTensor({1, 1, 2, 8}, {1, 2, -1, -2, 2, 0, -2, 0, 3, 5,
                                             -3, -5, 0, 0, 0, 0})});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{3, -3, 1, -1}));
}

TEST(TpuKernelsTest, RequantAndCast) {
  // Requant (MultiplierShift): (x - 3) * 64 >> 7 + (-2), half away:
  // 3 -> -2; 8 -> 2.5 -> 3 -> 1; -10 -> -6.5 -> -7 -> -9; 127 -> 62 -> 60.
  std::string in = tensor({1, 4}, qtype(0.1, 3)),
              out = tensor({1, 4}, qtype(0.2, -2));
  std::string body = "    %out = tpu.Requant %in0 {multiplier = array<i64: "
                     "64>, rshift = array<i64: 7>} : (" +
                     in + ") -> " + out + " loc(\"rq\")\n";
  RunResult r = run(moduleText("bm1684x", {in}, body, out),
                    {toTensor({1, 4}, {3, 8, -10, 127})});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.data, (std::vector<float>{-2, 1, -9, 60}));
}

} // namespace
