//===- ElementwiseKernelsTest.cpp - Elementwise and activation kernels ----===//
//
// Each kernel is compared with a naive implementation: broadcasting by
// explicit coordinate math, activations by their textbook formulas in double.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "tpuc/Interpreter/Broadcast.h"

#include "llvm/ADT/APFloat.h"

#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>

using namespace tpuc;
using namespace tpuc::test;

namespace {

using Shape = std::vector<int64_t>;

/// numpy broadcast of two shapes (the test only uses compatible ones).
Shape broadcastShape(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// Flat index in a tensor of `inShape` read at output coordinates `coords`.
int64_t broadcastSource(const std::vector<int64_t> &coords,
                        llvm::ArrayRef<int64_t> inShape) {
  size_t offset = coords.size() - inShape.size();
  std::vector<int64_t> inCoords(inShape.size());
  for (size_t i = 0; i < inShape.size(); ++i)
    inCoords[i] = inShape[i] == 1 ? 0 : coords[i + offset];
  return ravelIndex(inCoords, inShape);
}

std::string shapeText(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

//===----------------------------------------------------------------------===//
// Tensor and BroadcastIndexer
//===----------------------------------------------------------------------===//

TEST(TensorTest, StridesAreRowMajor) {
  EXPECT_EQ(stridesOf({2, 3, 4}), (llvm::SmallVector<int64_t, 4>{12, 4, 1}));
  EXPECT_EQ(stridesOf({5}), (llvm::SmallVector<int64_t, 4>{1}));
  EXPECT_TRUE(stridesOf({}).empty());
  EXPECT_EQ(stridesOf({3, 0, 2}), (llvm::SmallVector<int64_t, 4>{0, 2, 1}));
}

TEST(BroadcastIndexerTest, MatchesCoordinateMathOnRandomShapes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    int outRank = rng() % 6;
    Shape out(outRank);
    for (int64_t &d : out)
      d = 1 + rng() % 4;
    int inRank = outRank == 0 ? 0 : rng() % (outRank + 1);
    Shape in(out.end() - inRank, out.end());
    for (int64_t &d : in)
      if (rng() % 2)
        d = 1;
    // Extra leading size-1 dims are allowed too.
    if (rng() % 4 == 0)
      in.insert(in.begin(), 1);
    BroadcastIndexer indexer(in, out);
    int64_t inCount = Tensor::numelOf(in), outCount = Tensor::numelOf(out);
    EXPECT_EQ(indexer.isIdentity(), inCount == outCount)
        << shapeText(in) << " -> " << shapeText(out);
    Shape alignedIn = in;
    if (alignedIn.size() > out.size())
      alignedIn.erase(alignedIn.begin());
    for (int64_t i = 0; i < outCount; ++i)
      ASSERT_EQ(indexer(i), broadcastSource(unravelIndex(i, out), alignedIn))
          << shapeText(in) << " -> " << shapeText(out) << " at " << i;
  }
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

const std::vector<std::pair<Shape, Shape>> kBroadcastCases = {
    {{2, 3, 4}, {2, 3, 4}},
    {{2, 3, 4}, {}},
    {{}, {5}},
    {{}, {}},
    {{4}, {2, 3, 4}},
    {{2, 1, 4}, {3, 1}},
    {{1}, {1}},
    {{5, 1, 1, 3}, {1, 4, 2, 1}},
    {{1, 3, 1}, {2, 1, 5}},
    {{2, 3, 1, 1}, {2, 3, 4, 5}},
    {{7}, {1}},
    {{3, 1, 4, 1, 2}, {2, 1, 3, 1}},
};

/// Runs `opName` on every broadcast case and compares with `reference`
/// applied through explicit coordinate math.
void checkBinary(llvm::StringRef opName, llvm::StringRef attributes,
                 const std::function<float(float, float)> &reference,
                 float rhsLo = -2.0f, float rhsHi = 2.0f) {
  uint32_t seed = 1;
  for (const auto &[lhsShape, rhsShape] : kBroadcastCases) {
    Tensor lhs = randomTensor(lhsShape, seed++, -2.0f, 2.0f);
    Tensor rhs = randomTensor(rhsShape, seed++, rhsLo, rhsHi);
    Shape outShape = broadcastShape(lhsShape, rhsShape);
    KernelResult result =
        runOp(opName, {lhs, rhs}, attributes, {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << opName.str() << ": " << result.error;
    Tensor expected(outShape);
    for (int64_t i = 0; i < expected.numel(); ++i) {
      auto coords = unravelIndex(i, outShape);
      expected.data[i] = reference(lhs.data[broadcastSource(coords, lhsShape)],
                                   rhs.data[broadcastSource(coords, rhsShape)]);
    }
    EXPECT_TRUE(allClose(result.outputs[0], expected))
        << opName.str() << " " << shapeText(lhsShape) << " with "
        << shapeText(rhsShape);
  }
}

TEST(ElementwiseKernelsTest, Add) {
  checkBinary("top.Add", "", [](float a, float b) { return a + b; });
}

TEST(ElementwiseKernelsTest, AddWithRelu) {
  checkBinary("top.Add", "do_relu = true",
              [](float a, float b) { return std::max(a + b, 0.0f); });
  checkBinary(
      "top.Add", "do_relu = true, relu_limit = " + f64Attr(0.75),
      [](float a, float b) { return std::min(std::max(a + b, 0.0f), 0.75f); });
  // A limit without do_relu does nothing.
  checkBinary("top.Add", "relu_limit = " + f64Attr(0.75),
              [](float a, float b) { return a + b; });
}

TEST(ElementwiseKernelsTest, SubMulDiv) {
  checkBinary("top.Sub", "", [](float a, float b) { return a - b; });
  checkBinary("top.Mul", "", [](float a, float b) { return a * b; });
  checkBinary(
      "top.Div", "", [](float a, float b) { return a / b; }, 0.5f, 2.0f);
}

TEST(ElementwiseKernelsTest, MaxMin) {
  checkBinary("top.Max", "", [](float a, float b) { return a > b ? a : b; });
  checkBinary("top.Min", "", [](float a, float b) { return a < b ? a : b; });
}

TEST(ElementwiseKernelsTest, MaxMinPropagateNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = makeTensor({3}, {nan, 1.0f, 2.0f});
  Tensor b = makeTensor({3}, {1.0f, nan, 3.0f});
  for (const char *op : {"top.Max", "top.Min"}) {
    KernelResult result = runOp(op, {a, b}, "", {tensorType({3})});
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_TRUE(std::isnan(result.outputs[0].data[0])) << op;
    EXPECT_TRUE(std::isnan(result.outputs[0].data[1])) << op;
  }
}

TEST(ElementwiseKernelsTest, CompareEveryMode) {
  const std::vector<std::pair<std::string, std::function<bool(float, float)>>>
      modes = {
          {"Equal", [](float a, float b) { return a == b; }},
          {"Greater", [](float a, float b) { return a > b; }},
          {"GreaterOrEqual", [](float a, float b) { return a >= b; }},
          {"Less", [](float a, float b) { return a < b; }},
          {"LessOrEqual", [](float a, float b) { return a <= b; }},
          {"NotEqual", [](float a, float b) { return a != b; }},
      };
  for (const auto &[mode, predicate] : modes) {
    uint32_t seed = 100;
    for (const auto &[lhsShape, rhsShape] : kBroadcastCases) {
      // Small integers, so that equal values actually occur.
      Tensor lhs = randomTensor(lhsShape, seed++, -2.0f, 2.0f);
      Tensor rhs = randomTensor(rhsShape, seed++, -2.0f, 2.0f);
      for (float &v : lhs.data)
        v = std::round(v);
      for (float &v : rhs.data)
        v = std::round(v);
      Shape outShape = broadcastShape(lhsShape, rhsShape);
      KernelResult result =
          runOp("top.Compare", {lhs, rhs}, "mode = \"" + mode + "\"",
                {tensorType(outShape)});
      ASSERT_TRUE(result.ok) << result.error;
      Tensor expected(outShape);
      for (int64_t i = 0; i < expected.numel(); ++i) {
        auto coords = unravelIndex(i, outShape);
        expected.data[i] =
            predicate(lhs.data[broadcastSource(coords, lhsShape)],
                      rhs.data[broadcastSource(coords, rhsShape)])
                ? 1.0f
                : 0.0f;
      }
      EXPECT_TRUE(allClose(result.outputs[0], expected))
          << mode << " " << shapeText(lhsShape) << " with "
          << shapeText(rhsShape);
    }
  }
}

TEST(ElementwiseKernelsTest, WhereBroadcastsAllThreeOperands) {
  const std::vector<std::array<Shape, 3>> cases = {
      {Shape{2, 3}, Shape{2, 3}, Shape{2, 3}},
      {Shape{3, 1}, Shape{1, 4}, Shape{}},
      {Shape{}, Shape{2, 2}, Shape{2, 1}},
      {Shape{2, 1, 4}, Shape{3, 1}, Shape{1, 1, 1}},
      {Shape{1, 5}, Shape{4, 1}, Shape{5}},
  };
  uint32_t seed = 300;
  for (const auto &shapes : cases) {
    Tensor cond = randomTensor(shapes[0], seed++, -1.0f, 1.0f);
    for (float &v : cond.data)
      v = v > 0 ? 0.0f : (v > -0.5f ? 1.0f : -3.0f);
    Tensor x = randomTensor(shapes[1], seed++);
    Tensor y = randomTensor(shapes[2], seed++);
    Shape outShape =
        broadcastShape(broadcastShape(shapes[0], shapes[1]), shapes[2]);
    KernelResult result =
        runOp("top.Where", {cond, x, y}, "", {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << result.error;
    Tensor expected(outShape);
    for (int64_t i = 0; i < expected.numel(); ++i) {
      auto coords = unravelIndex(i, outShape);
      expected.data[i] = cond.data[broadcastSource(coords, shapes[0])] != 0
                             ? x.data[broadcastSource(coords, shapes[1])]
                             : y.data[broadcastSource(coords, shapes[2])];
    }
    EXPECT_TRUE(allClose(result.outputs[0], expected))
        << shapeText(shapes[0]) << shapeText(shapes[1]) << shapeText(shapes[2]);
  }
}

TEST(ElementwiseKernelsTest, BinaryRejectsWrongResultShape) {
  Tensor a = randomTensor({2, 3}, 1), b = randomTensor({3}, 2);
  KernelResult result = runOp("top.Add", {a, b}, "", {tensorType({3, 3})});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("differs from the broadcast shape [2,3]"),
            std::string::npos)
      << result.error;
  result =
      runOp("top.Mul", {a, randomTensor({4}, 3)}, "", {tensorType({2, 4})});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("cannot broadcast"), std::string::npos)
      << result.error;
}

//===----------------------------------------------------------------------===//
// Scalar-constant ops, Pow and Cast
//===----------------------------------------------------------------------===//

/// Runs a one-input op on `input` and compares with `reference` per element.
void checkUnary(llvm::StringRef opName, llvm::StringRef attributes,
                const Tensor &input,
                const std::function<double(double)> &reference,
                double atol = 0.0, double rtol = 0.0) {
  KernelResult result =
      runOp(opName, {input}, attributes, {tensorType(input.shape)});
  ASSERT_TRUE(result.ok) << opName.str() << ": " << result.error;
  Tensor expected(input.shape);
  for (int64_t i = 0; i < input.numel(); ++i)
    expected.data[i] = static_cast<float>(reference(input.data[i]));
  EXPECT_TRUE(allClose(result.outputs[0], expected, atol, rtol))
      << opName.str() << " {" << attributes.str() << "}";
}

TEST(ElementwiseKernelsTest, AddConstAndMulConst) {
  Tensor x = randomTensor({3, 4, 5}, 11, -3.0f, 3.0f);
  checkUnary("top.AddConst", "const_val = " + f64Attr(0.5), x,
             [](double v) { return static_cast<float>(v) + 0.5f; });
  checkUnary("top.AddConst",
             "const_val = " + f64Attr(-0.5) + ", do_relu = true", x,
             [](double v) { return std::max(float(v) - 0.5f, 0.0f); });
  checkUnary("top.MulConst", "const_val = " + f64Attr(-1.5), x,
             [](double v) { return float(v) * -1.5f; });
  checkUnary("top.MulConst",
             "const_val = " + f64Attr(2.0) +
                 ", do_relu = true, relu_limit = " + f64Attr(1.0),
             x, [](double v) {
               return std::min(std::max(float(v) * 2.0f, 0.0f), 1.0f);
             });
  // Rank 0.
  checkUnary("top.MulConst", "const_val = " + f64Attr(3.0),
             makeTensor({}, {2.0f}), [](double v) { return v * 3.0; });
}

TEST(ElementwiseKernelsTest, Pow) {
  Tensor positive = randomTensor({4, 33}, 12, 0.01f, 5.0f);
  for (double exponent : {2.0, 3.0, 0.5, -1.0, 1.5, 1.0, 0.0})
    checkUnary(
        "top.Pow", "exponent = " + f64Attr(exponent), positive,
        [exponent](double v) { return std::pow(v, exponent); }, 0.0, 1e-6);
  // Integer exponents are defined for negative bases.
  Tensor any = randomTensor({50}, 13, -3.0f, 3.0f);
  for (double exponent : {2.0, 3.0, -2.0})
    checkUnary(
        "top.Pow", "exponent = " + f64Attr(exponent), any,
        [exponent](double v) { return std::pow(v, exponent); }, 0.0, 1e-6);
}

TEST(ElementwiseKernelsTest, PowTensorBroadcasts) {
  // Positive bases: every real exponent is defined.
  uint32_t seed = 300;
  for (const auto &[lhsShape, rhsShape] : kBroadcastCases) {
    Tensor base = randomTensor(lhsShape, seed++, 0.05f, 3.0f);
    Tensor exponent = randomTensor(rhsShape, seed++, -2.0f, 3.0f);
    Shape outShape = broadcastShape(lhsShape, rhsShape);
    KernelResult result =
        runOp("top.PowTensor", {base, exponent}, "", {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << result.error;
    Tensor expected(outShape);
    for (int64_t i = 0; i < expected.numel(); ++i) {
      auto coords = unravelIndex(i, outShape);
      expected.data[i] = static_cast<float>(
          std::pow(double(base.data[broadcastSource(coords, lhsShape)]),
                   double(exponent.data[broadcastSource(coords, rhsShape)])));
    }
    EXPECT_TRUE(allClose(result.outputs[0], expected, 0.0, 1e-6))
        << shapeText(lhsShape) << " with " << shapeText(rhsShape);
  }
  // Negative bases with integer exponents, and NaN for a fractional one.
  KernelResult signs = runOp(
      "top.PowTensor",
      {makeTensor({4}, {-2, -2, -3, -8}), makeTensor({4}, {3, -2, 0, 0.5})}, "",
      {tensorType({4})});
  ASSERT_TRUE(signs.ok) << signs.error;
  EXPECT_EQ(signs.outputs[0].data[0], -8.0f);
  EXPECT_EQ(signs.outputs[0].data[1], 0.25f);
  EXPECT_EQ(signs.outputs[0].data[2], 1.0f);
  EXPECT_TRUE(std::isnan(signs.outputs[0].data[3]));
}

TEST(ElementwiseKernelsTest, IntegerResultsTruncateTowardZero) {
  Tensor a = makeTensor({8}, {7, -7, 7, -7, 0, 255, 5, -128});
  Tensor b = makeTensor({8}, {2, 2, -2, -2, 3, 2, 0, -1});
  KernelResult div = runOp("top.Div", {a, b}, "", {tensorType({8}, "i32")});
  ASSERT_TRUE(div.ok) << div.error;
  // C division; dividing by zero gives 0 rather than trapping.
  EXPECT_TRUE(allClose(div.outputs[0],
                       makeTensor({8}, {3, -3, -3, 3, 0, 127, 0, 128})));
  // The quotient saturates to the result type.
  KernelResult div8 = runOp("top.Div", {a, b}, "", {tensorType({8}, "si8")});
  ASSERT_TRUE(div8.ok) << div8.error;
  EXPECT_TRUE(allClose(div8.outputs[0],
                       makeTensor({8}, {3, -3, -3, 3, 0, 127, 0, 127})));
  KernelResult divU8 = runOp(
      "top.Div", {makeTensor({3}, {16, 6, 250}), makeTensor({3}, {11, 5, 3})},
      "", {tensorType({3}, "ui8")});
  ASSERT_TRUE(divU8.ok) << divU8.error;
  EXPECT_TRUE(allClose(divU8.outputs[0], makeTensor({3}, {1, 1, 83})));

  // Pow: 2^-1 = 0.5 and (-3)^-1 truncate to 0, (-2)^3 = -8 is exact.
  Tensor base = makeTensor({5}, {2, -3, -2, 3, 10});
  Tensor exponent = makeTensor({5}, {-1, -1, 3, 0.5, 10});
  KernelResult pow =
      runOp("top.PowTensor", {base, exponent}, "", {tensorType({5}, "i32")});
  ASSERT_TRUE(pow.ok) << pow.error;
  EXPECT_TRUE(
      allClose(pow.outputs[0], makeTensor({5}, {0, 0, -8, 1, 2147483647.0f})));
  KernelResult powScalar =
      runOp("top.Pow", {makeTensor({3}, {5, -5, 9})},
            "exponent = " + f64Attr(0.5) + "", {tensorType({3}, "i64")});
  ASSERT_TRUE(powScalar.ok) << powScalar.error;
  // sqrt(-5) is NaN, which has no integer value: 0, as Cast does.
  EXPECT_TRUE(allClose(powScalar.outputs[0], makeTensor({3}, {2, 0, 3})));
}

KernelResult runCast(const Tensor &input, llvm::StringRef elementType) {
  return runOp("top.Cast", {input}, "", {tensorType(input.shape, elementType)});
}

TEST(ElementwiseKernelsTest, CastToIntegersTruncatesAndSaturates) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  Tensor x = makeTensor({12}, {2.7f, -2.7f, 0.5f, -0.5f, 127.9f, 128.0f,
                               -128.9f, -129.0f, 300.0f, -300.0f, nan, inf});
  struct Case {
    const char *type;
    std::vector<float> expected;
  };
  const std::vector<Case> cases = {
      {"i8", {2, -2, 0, 0, 127, 127, -128, -128, 127, -128, 0, 127}},
      {"si8", {2, -2, 0, 0, 127, 127, -128, -128, 127, -128, 0, 127}},
      {"ui8", {2, 0, 0, 0, 127, 128, 0, 0, 255, 0, 0, 255}},
      {"i16", {2, -2, 0, 0, 127, 128, -128, -129, 300, -300, 0, 32767}},
      {"i1", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
  };
  for (const Case &c : cases) {
    KernelResult result = runCast(x, c.type);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_TRUE(allClose(result.outputs[0], makeTensor({12}, c.expected)))
        << c.type;
  }
  // i32 saturates at the float nearest to its bounds.
  KernelResult wide =
      runCast(makeTensor({3}, {3e9f, -3e9f, -1234567.9f}), "i32");
  ASSERT_TRUE(wide.ok) << wide.error;
  EXPECT_TRUE(
      allClose(wide.outputs[0],
               makeTensor({3}, {2147483648.0f, -2147483648.0f, -1234567.0f})));
  KernelResult zeros = runCast(makeTensor({3}, {0.0f, -0.0f, 1e-30f}), "i1");
  ASSERT_TRUE(zeros.ok) << zeros.error;
  EXPECT_TRUE(allClose(zeros.outputs[0], makeTensor({3}, {0, 0, 1})));
}

float apfloatRound(float x, const llvm::fltSemantics &semantics) {
  llvm::APFloat value(x);
  bool losesInfo;
  value.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  value.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToFloat();
}

/// Floats that stress rounding to 16-bit formats: ties, subnormals, the
/// overflow threshold, and random bit patterns across the whole range.
Tensor roundingProbes() {
  std::vector<float> values = {0.0f,
                               -0.0f,
                               1.0f + 0x1p-11f,
                               1.0f + 3 * 0x1p-11f,
                               1.0f + 0x1p-8f,
                               1.0f + 3 * 0x1p-8f,
                               65504.0f,
                               65519.99f,
                               65520.0f,
                               -65520.0f,
                               1e10f,
                               0x1p-24f,
                               0x1p-25f,
                               0x1.8p-25f,
                               3 * 0x1p-25f,
                               0x1p-14f,
                               0x1p-14f - 0x1p-25f,
                               0x1p-15f + 0x1p-25f,
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(),
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min()};
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    uint32_t bits = rng();
    float v;
    std::memcpy(&v, &bits, sizeof(v));
    if (std::isnan(v))
      continue;
    values.push_back(v);
    // And values in the half range, where most of the rounding happens.
    values.push_back(std::ldexp(static_cast<float>(rng()) / 4294967296.0f,
                                static_cast<int>(rng() % 44) - 28) *
                     (rng() % 2 ? 1.0f : -1.0f));
  }
  return makeTensor({static_cast<int64_t>(values.size())}, values);
}

TEST(ElementwiseKernelsTest, CastToF16RoundsToNearestEven) {
  Tensor x = roundingProbes();
  KernelResult result = runCast(x, "f16");
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected(x.shape);
  for (int64_t i = 0; i < x.numel(); ++i)
    expected.data[i] = apfloatRound(x.data[i], llvm::APFloat::IEEEhalf());
  EXPECT_TRUE(allClose(result.outputs[0], expected));
  // Hand-checked ties: to the even neighbour, and 65520 overflows.
  EXPECT_EQ(result.outputs[0].data[2], 1.0f);
  EXPECT_EQ(result.outputs[0].data[3], 1.0f + 0x1p-9f);
  EXPECT_EQ(result.outputs[0].data[7], 65504.0f);
  EXPECT_TRUE(std::isinf(result.outputs[0].data[8]));
  EXPECT_EQ(result.outputs[0].data[12], 0.0f);     // 2^-25 ties to 0
  EXPECT_EQ(result.outputs[0].data[14], 0x1p-23f); // 3*2^-25 ties up
}

TEST(ElementwiseKernelsTest, CastToBF16RoundsToNearestEven) {
  Tensor x = roundingProbes();
  KernelResult result = runCast(x, "bf16");
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected(x.shape);
  for (int64_t i = 0; i < x.numel(); ++i)
    expected.data[i] = apfloatRound(x.data[i], llvm::APFloat::BFloat());
  EXPECT_TRUE(allClose(result.outputs[0], expected));
  EXPECT_EQ(result.outputs[0].data[4], 1.0f);           // 1 + 2^-8 ties down
  EXPECT_EQ(result.outputs[0].data[5], 1.0f + 0x1p-6f); // 1 + 3*2^-8 ties up
}

TEST(ElementwiseKernelsTest, CastToOtherFloatTypes) {
  Tensor x = makeTensor({4}, {0.3f, 17.0f, -1.0f / 3.0f, 1e-3f});
  KernelResult same = runCast(x, "f32");
  ASSERT_TRUE(same.ok) << same.error;
  EXPECT_TRUE(allClose(same.outputs[0], x));
  KernelResult wide = runCast(x, "f64");
  ASSERT_TRUE(wide.ok) << wide.error;
  EXPECT_TRUE(allClose(wide.outputs[0], x));
  // f8E4M3FN keeps 3 mantissa bits: 0.3 -> 1.25 * 2^-2, 17 ties to 16.
  KernelResult f8 = runCast(x, "f8E4M3FN");
  ASSERT_TRUE(f8.ok) << f8.error;
  EXPECT_EQ(f8.outputs[0].data[0], 0.3125f);
  EXPECT_EQ(f8.outputs[0].data[1], 16.0f);
  EXPECT_EQ(f8.outputs[0].data[2], -0.34375f);
}

TEST(ElementwiseKernelsTest, CastRejectsNonNumericTypes) {
  KernelResult result = runCast(makeTensor({1}, {1.0f}), "complex<f32>");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("cannot cast"), std::string::npos)
      << result.error;
}

//===----------------------------------------------------------------------===//
// Activations and math
//===----------------------------------------------------------------------===//

constexpr double kAtol = 1e-6, kRtol = 1e-5;

double sigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Random values plus extremes that overflow naive float formulas.
Tensor activationInputs() {
  Tensor x = randomTensor({2, 3, 7, 9}, 21, -8.0f, 8.0f);
  const float extremes[] = {-100.0f, 100.0f, -1e4f, 1e4f,  0.0f, -0.0f,
                            88.5f,   -88.5f, 3.0f,  -3.0f, 6.0f, -6.0f};
  std::copy(std::begin(extremes), std::end(extremes), x.data.begin());
  return x;
}

TEST(ActivationKernelsTest, ReluFamily) {
  Tensor x = activationInputs();
  checkUnary("top.Relu", "", x, [](double v) { return std::max(v, 0.0); });
  checkUnary("top.Relu", "relu_limit = " + f64Attr(6.0), x,
             [](double v) { return std::min(std::max(v, 0.0), 6.0); });
  checkUnary("top.Relu", "relu_limit = " + f64Attr(0.0), x,
             [](double v) { return 0.0; });
  checkUnary("top.LeakyRelu", "alpha = " + f64Attr(0.125), x,
             [](double v) { return v >= 0 ? v : 0.125 * v; });
  checkUnary("top.Clip", "min = " + f64Attr(-1.5) + ", max = " + f64Attr(2.5),
             x, [](double v) { return std::min(std::max(v, -1.5), 2.5); });
}

TEST(ActivationKernelsTest, PReluBroadcastsTheSlope) {
  Shape inShape = {2, 3, 4, 5};
  Tensor x = randomTensor(inShape, 31);
  for (Shape slopeShape : {Shape{3, 1, 1}, Shape{5}, Shape{}, Shape{1, 3, 1, 1},
                           Shape{2, 3, 4, 5}, Shape{4, 1}}) {
    Tensor slope = randomTensor(slopeShape, 32, 0.0f, 0.5f);
    KernelResult result =
        runOp("top.PRelu", {x, slope}, "", {tensorType(inShape)});
    ASSERT_TRUE(result.ok) << result.error;
    Tensor expected(inShape);
    for (int64_t i = 0; i < x.numel(); ++i) {
      float v = x.data[i];
      float s =
          slope.data[broadcastSource(unravelIndex(i, inShape), slopeShape)];
      expected.data[i] = v >= 0 ? v : v * s;
    }
    EXPECT_TRUE(allClose(result.outputs[0], expected)) << shapeText(slopeShape);
  }
  // A slope that does not broadcast to the input is an error, not a crash.
  KernelResult bad =
      runOp("top.PRelu", {x, randomTensor({4}, 33)}, "", {tensorType(inShape)});
  EXPECT_FALSE(bad.ok);
  EXPECT_FALSE(bad.error.empty());
}

TEST(ActivationKernelsTest, SigmoidFamily) {
  Tensor x = activationInputs();
  checkUnary("top.Sigmoid", "", x, sigmoidRef, kAtol, kRtol);
  checkUnary(
      "top.SiLU", "", x, [](double v) { return v * sigmoidRef(v); }, kAtol,
      kRtol);
  checkUnary(
      "top.HardSigmoid", "", x,
      [](double v) { return std::min(std::max(0.2 * v + 0.5, 0.0), 1.0); },
      kAtol, kRtol);
  checkUnary(
      "top.HardSigmoid",
      "alpha = " + f64Attr(1.0 / 6) + ", beta = " + f64Attr(0.25), x,
      [](double v) { return std::min(std::max(v / 6 + 0.25, 0.0), 1.0); },
      kAtol, kRtol);
  checkUnary(
      "top.HardSwish", "", x,
      [](double v) { return v * std::min(std::max(v / 6 + 0.5, 0.0), 1.0); },
      kAtol, kRtol);
}

TEST(ActivationKernelsTest, MishAndGelu) {
  Tensor x = activationInputs();
  checkUnary(
      "top.Mish", "", x,
      [](double v) {
        // softplus in double cannot overflow for the inputs used.
        return v * std::tanh(std::log1p(std::exp(std::min(v, 700.0))));
      },
      kAtol, kRtol);
  auto geluNormal = [](double v) {
    return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  };
  checkUnary("top.GELU", "", x, geluNormal, kAtol, kRtol);
  checkUnary("top.GELU", "approx_mode = \"normal\"", x, geluNormal, kAtol,
             kRtol);
  checkUnary(
      "top.GELU", "approx_mode = \"tanh\"", x,
      [](double v) {
        return 0.5 * v *
               (1 +
                std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
      },
      kAtol, kRtol);
}

TEST(ActivationKernelsTest, EluAndSoftplus) {
  Tensor x = activationInputs();
  checkUnary(
      "top.Elu", "alpha = 0.5 : f64", x,
      [](double v) { return v > 0 ? v : 0.5 * (std::exp(v) - 1); }, kAtol,
      kRtol);
  checkUnary(
      "top.Softplus", "", x,
      [](double v) {
        // log(1 + e^v) = v + log(1 + e^-v) keeps large v finite.
        return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
      },
      kAtol, kRtol);
}

TEST(ActivationKernelsTest, StableForLargeInputs) {
  Tensor x = makeTensor({4}, {-1e30f, 1e30f, -3e38f, 3e38f});
  for (const char *op :
       {"top.Sigmoid", "top.SiLU", "top.Mish", "top.HardSwish", "top.Tanh"}) {
    KernelResult result = runOp(op, {x}, "", {tensorType({4})});
    ASSERT_TRUE(result.ok) << result.error;
    for (float v : result.outputs[0].data)
      EXPECT_FALSE(std::isnan(v)) << op;
  }
}

TEST(ActivationKernelsTest, MathFunctions) {
  Tensor x = activationInputs();
  checkUnary(
      "top.Tanh", "", x, [](double v) { return std::tanh(v); }, kAtol, kRtol);
  checkUnary("top.Abs", "", x, [](double v) { return std::fabs(v); });
  checkUnary(
      "top.Erf", "", x, [](double v) { return std::erf(v); }, kAtol, kRtol);
  Tensor moderate = randomTensor({3, 50}, 41, -10.0f, 10.0f);
  checkUnary(
      "top.Exp", "", moderate, [](double v) { return std::exp(v); }, kAtol,
      kRtol);
  Tensor positive = randomTensor({3, 50}, 42, 0.001f, 100.0f);
  checkUnary(
      "top.Log", "", positive, [](double v) { return std::log(v); }, kAtol,
      kRtol);
  checkUnary(
      "top.Sqrt", "", positive, [](double v) { return std::sqrt(v); }, kAtol,
      kRtol);
}

TEST(ActivationKernelsTest, LargeTensorsTakeTheParallelPath) {
  // Above the OpenMP threshold the result must not change.
  Tensor x = randomTensor({3, 200, 300}, 51, -5.0f, 5.0f);
  checkUnary("top.Sigmoid", "", x, sigmoidRef, kAtol, kRtol);
  Tensor y = randomTensor({200, 1}, 52);
  KernelResult result =
      runOp("top.Add", {x, y}, "", {tensorType({3, 200, 300})});
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected(x.shape);
  for (int64_t i = 0; i < x.numel(); ++i)
    expected.data[i] = x.data[i] + y.data[(i / 300) % 200];
  EXPECT_TRUE(allClose(result.outputs[0], expected));
}

} // namespace
