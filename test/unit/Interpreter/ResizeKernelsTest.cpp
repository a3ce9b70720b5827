//===- ResizeKernelsTest.cpp - Upsample and Interp kernels ----------------===//
//
// Interp is checked against values worked out by hand from the ONNX Resize
// formulas (on 1-D rows, where they are easy to follow) and against a naive
// 2-D implementation of the same formulas in double.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include <cmath>
#include <functional>

using namespace tpuc;
using namespace tpuc::test;

namespace {

using Shape = std::vector<int64_t>;

TEST(ResizeKernelsTest, UpsampleRepeatsPixels) {
  Tensor x = randomTensor({1, 2, 3, 4}, 1);
  KernelResult result = runOp("top.Upsample", {x}, "scale_h = 2, scale_w = 3",
                              {tensorType({1, 2, 6, 12})});
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected({1, 2, 6, 12});
  for (int64_t i = 0; i < expected.numel(); ++i) {
    auto c = unravelIndex(i, expected.shape);
    expected.data[i] =
        x.data[ravelIndex({c[0], c[1], c[2] / 2, c[3] / 3}, x.shape)];
  }
  EXPECT_TRUE(allClose(result.outputs[0], expected));

  KernelResult bad = runOp("top.Upsample", {x}, "scale_h = 2, scale_w = 2",
                           {tensorType({1, 2, 6, 12})});
  EXPECT_FALSE(bad.ok);
  EXPECT_FALSE(bad.error.empty());
}

std::string interpAttrs(const std::string &mode, const std::string &coordMode,
                        double scaleH, double scaleW) {
  return "mode = \"" + mode + "\", coord_mode = \"" + coordMode +
         "\", scale_h = " + f64Attr(scaleH) + ", scale_w = " + f64Attr(scaleW);
}

/// Resizes the row `values` (as a 1x1x1xN tensor) to `outWidth`.
Tensor resizeRow(const std::vector<float> &values, int64_t outWidth,
                 const std::string &mode, const std::string &coordMode,
                 double scaleW) {
  int64_t width = values.size();
  KernelResult result =
      runOp("top.Interp", {makeTensor({1, 1, 1, width}, values)},
            interpAttrs(mode, coordMode, 1.0, scaleW),
            {tensorType({1, 1, 1, outWidth})});
  EXPECT_TRUE(result.ok) << result.error;
  return result.ok ? result.outputs[0] : Tensor();
}

struct RowCase {
  std::string mode, coordMode;
  int64_t outWidth;
  double scale;
  std::vector<float> expected;
};

TEST(ResizeKernelsTest, InterpRowsMatchHandComputedOnnxValues) {
  const std::vector<float> row = {1, 2, 3, 4};
  // x_original per coordinate mode, for 4 -> 8 (scale 2):
  //   half_pixel = pytorch_half_pixel: x/2 - 0.25
  //   align_corners: 3x/7;  asymmetric: x/2.
  // For 4 -> 3 (scale 0.75): half_pixel (x+0.5)/0.75-0.5 = 1/6, 3/2, 17/6;
  //   align_corners 1.5x; asymmetric 4x/3.
  // For 4 -> 1: half_pixel 1.5; pytorch_half_pixel and align_corners 0.
  // Nearest rounds half down (1.5 -> 1) except asymmetric, which floors.
  const std::vector<RowCase> cases = {
      {"linear",
       "half_pixel",
       8,
       2.0,
       {1, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4}},
      {"linear",
       "pytorch_half_pixel",
       8,
       2.0,
       {1, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4}},
      {"linear",
       "align_corners",
       8,
       2.0,
       {1, 10 / 7.f, 13 / 7.f, 16 / 7.f, 19 / 7.f, 22 / 7.f, 25 / 7.f, 4}},
      {"linear", "asymmetric", 8, 2.0, {1, 1.5, 2, 2.5, 3, 3.5, 4, 4}},
      {"nearest", "half_pixel", 8, 2.0, {1, 1, 2, 2, 3, 3, 4, 4}},
      {"nearest", "pytorch_half_pixel", 8, 2.0, {1, 1, 2, 2, 3, 3, 4, 4}},
      {"nearest", "align_corners", 8, 2.0, {1, 1, 2, 2, 3, 3, 4, 4}},
      {"nearest", "asymmetric", 8, 2.0, {1, 1, 2, 2, 3, 3, 4, 4}},
      {"linear", "half_pixel", 3, 0.75, {7 / 6.f, 2.5, 23 / 6.f}},
      {"linear", "align_corners", 3, 0.75, {1, 2.5, 4}},
      {"linear", "asymmetric", 3, 0.75, {1, 7 / 3.f, 11 / 3.f}},
      {"nearest", "half_pixel", 3, 0.75, {1, 2, 4}},
      {"nearest", "align_corners", 3, 0.75, {1, 2, 4}},
      {"nearest", "asymmetric", 3, 0.75, {1, 2, 3}},
      {"linear", "half_pixel", 1, 0.25, {2.5}},
      {"nearest", "half_pixel", 1, 0.25, {2}},
      {"linear", "pytorch_half_pixel", 1, 0.25, {1}},
      {"nearest", "pytorch_half_pixel", 1, 0.25, {1}},
      {"linear", "align_corners", 1, 0.25, {1}},
      {"linear", "asymmetric", 1, 0.25, {1}},
  };
  for (const RowCase &c : cases) {
    Tensor actual = resizeRow(row, c.outWidth, c.mode, c.coordMode, c.scale);
    EXPECT_TRUE(allClose(actual, makeTensor({1, 1, 1, c.outWidth}, c.expected),
                         1e-6, 1e-6))
        << c.mode << " " << c.coordMode << " 4 -> " << c.outWidth;
  }
}

TEST(ResizeKernelsTest, InterpTransformsWithTheScaleAttribute) {
  // 3 -> 4 with scale 1.5 (floor(3 * 1.5) = 4): ONNX maps with the given
  // scale, not with 4/3.
  const std::vector<float> row = {1, 2, 3};
  // asymmetric: x / 1.5 = 0, 2/3, 4/3, 2.
  EXPECT_TRUE(allClose(resizeRow(row, 4, "linear", "asymmetric", 1.5),
                       makeTensor({1, 1, 1, 4}, {1, 5 / 3.f, 7 / 3.f, 3}), 1e-6,
                       1e-6));
  // half_pixel: (x + 0.5) / 1.5 - 0.5 = -1/6, 1/2, 7/6, 11/6.
  EXPECT_TRUE(allClose(resizeRow(row, 4, "linear", "half_pixel", 1.5),
                       makeTensor({1, 1, 1, 4}, {1, 1.5, 13 / 6.f, 17 / 6.f}),
                       1e-6, 1e-6));
  // With the scale out/in instead: (x + 0.5) * 3/4 - 0.5.
  EXPECT_TRUE(allClose(resizeRow(row, 4, "linear", "half_pixel", 4.0 / 3),
                       makeTensor({1, 1, 1, 4}, {1, 1.625, 2.375, 3}), 1e-6,
                       1e-6));
}

/// ONNX Resize's x_original (the formulas of the spec, in double).
double onnxSourceCoordinate(const std::string &coordMode, int64_t x,
                            int64_t inLen, int64_t outLen, double scale) {
  if (coordMode == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  if (coordMode == "pytorch_half_pixel")
    return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (coordMode == "align_corners")
    return outLen == 1 ? 0.0 : x * double(inLen - 1) / double(outLen - 1);
  return x / scale;
}

TEST(ResizeKernelsTest, InterpPlanesMatchNaiveOnnxResize) {
  Shape inShape = {2, 3, 5, 7};
  Shape outShape = {2, 3, 9, 4};
  Tensor x = randomTensor(inShape, 7);
  double scaleH = 9.0 / 5, scaleW = 4.0 / 7;
  for (std::string mode : {"nearest", "linear"}) {
    for (std::string coordMode :
         {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"}) {
      KernelResult result =
          runOp("top.Interp", {x}, interpAttrs(mode, coordMode, scaleH, scaleW),
                {tensorType(outShape)});
      ASSERT_TRUE(result.ok) << result.error;
      Tensor expected(outShape);
      for (int64_t i = 0; i < expected.numel(); ++i) {
        auto c = unravelIndex(i, outShape);
        double sy = onnxSourceCoordinate(coordMode, c[2], 5, 9, scaleH);
        double sx = onnxSourceCoordinate(coordMode, c[3], 7, 4, scaleW);
        auto pixel = [&](int64_t yy, int64_t xx) {
          yy = std::min<int64_t>(std::max<int64_t>(yy, 0), 4);
          xx = std::min<int64_t>(std::max<int64_t>(xx, 0), 6);
          return double(x.data[ravelIndex({c[0], c[1], yy, xx}, inShape)]);
        };
        if (mode == "nearest") {
          auto round = [&](double v) {
            if (coordMode == "asymmetric")
              return static_cast<int64_t>(std::floor(v));
            // round_prefer_floor: halves go down.
            double f = std::floor(v);
            return static_cast<int64_t>(v - f > 0.5 ? f + 1 : f);
          };
          expected.data[i] = pixel(round(sy), round(sx));
          continue;
        }
        double y0 = std::floor(sy), x0 = std::floor(sx);
        double wy = sy - y0, wx = sx - x0;
        int64_t iy = y0, ix = x0;
        expected.data[i] = static_cast<float>(
            (1 - wy) * ((1 - wx) * pixel(iy, ix) + wx * pixel(iy, ix + 1)) +
            wy * ((1 - wx) * pixel(iy + 1, ix) + wx * pixel(iy + 1, ix + 1)));
      }
      EXPECT_TRUE(allClose(result.outputs[0], expected, 1e-6, 1e-5))
          << mode << " " << coordMode;
    }
  }
}

/// ONNX Resize's nearest_mode rounding of a source coordinate.
int64_t onnxRoundNearest(const std::string &nearestMode, double v) {
  double f = std::floor(v);
  if (nearestMode == "floor")
    return static_cast<int64_t>(f);
  if (nearestMode == "ceil")
    return static_cast<int64_t>(std::ceil(v));
  if (v - f == 0.5)
    return static_cast<int64_t>(nearestMode == "round_prefer_ceil" ? f + 1 : f);
  return static_cast<int64_t>(std::round(v));
}

TEST(ResizeKernelsTest, InterpNearestModesMatchNaiveOnnxResize) {
  Shape inShape = {1, 2, 4, 6};
  Tensor x = randomTensor(inShape, 11);
  // Upsampling by 1.5 and 2.5 gives coordinates ending in .5 for some modes;
  // downsampling and the align_corners ratios give the others.
  for (auto [outH, outW] : {std::pair<int64_t, int64_t>{6, 15}, {3, 4}}) {
    Shape outShape = {1, 2, outH, outW};
    double scaleH = double(outH) / 4, scaleW = double(outW) / 6;
    for (std::string coordMode :
         {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"}) {
      for (std::string nearestMode :
           {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
        KernelResult result =
            runOp("top.Interp", {x},
                  interpAttrs("nearest", coordMode, scaleH, scaleW) +
                      ", nearest_mode = \"" + nearestMode + "\"",
                  {tensorType(outShape)});
        ASSERT_TRUE(result.ok) << result.error;
        Tensor expected(outShape);
        for (int64_t i = 0; i < expected.numel(); ++i) {
          auto c = unravelIndex(i, outShape);
          auto source = [&](int64_t o, int64_t in, int64_t out, double scale) {
            int64_t index = onnxRoundNearest(
                nearestMode,
                onnxSourceCoordinate(coordMode, o, in, out, scale));
            return std::min<int64_t>(std::max<int64_t>(index, 0), in - 1);
          };
          int64_t yy = source(c[2], 4, outH, scaleH);
          int64_t xx = source(c[3], 6, outW, scaleW);
          expected.data[i] = x.data[ravelIndex({c[0], c[1], yy, xx}, inShape)];
        }
        EXPECT_TRUE(allClose(result.outputs[0], expected))
            << coordMode << " " << nearestMode << " to " << outH << "x" << outW;
      }
    }
  }
}

TEST(ResizeKernelsTest, InterpNearestModeRowsByHand) {
  const std::vector<float> row = {1, 2, 3, 4};
  // 4 -> 8 half_pixel: x/2 - 0.25 = -0.25, 0.25, 0.75, 1.25, ...: no halves,
  // so the rounding modes differ only between floor and ceil.
  auto resize = [&](const std::string &coordMode, const std::string &mode,
                    int64_t outWidth, double scale) {
    KernelResult result = runOp("top.Interp", {makeTensor({1, 1, 1, 4}, row)},
                                interpAttrs("nearest", coordMode, 1.0, scale) +
                                    ", nearest_mode = \"" + mode + "\"",
                                {tensorType({1, 1, 1, outWidth})});
    EXPECT_TRUE(result.ok) << result.error;
    return result.ok ? result.outputs[0] : Tensor();
  };
  EXPECT_TRUE(allClose(resize("half_pixel", "floor", 8, 2.0),
                       makeTensor({1, 1, 1, 8}, {1, 1, 1, 2, 2, 3, 3, 4})));
  EXPECT_TRUE(allClose(resize("half_pixel", "ceil", 8, 2.0),
                       makeTensor({1, 1, 1, 8}, {1, 2, 2, 3, 3, 4, 4, 4})));
  // 4 -> 2 asymmetric: 0, 2; 4 -> 6 asymmetric: x / 1.5 = 0, 0.67, 1.33, 2,
  // 2.67, 3.33.
  EXPECT_TRUE(allClose(resize("asymmetric", "round_prefer_ceil", 6, 1.5),
                       makeTensor({1, 1, 1, 6}, {1, 2, 2, 3, 4, 4})));
  EXPECT_TRUE(allClose(resize("asymmetric", "ceil", 6, 1.5),
                       makeTensor({1, 1, 1, 6}, {1, 2, 3, 3, 4, 4})));
  // 4 -> 3 align_corners: 1.5x = 0, 1.5, 3: the half goes down or up.
  EXPECT_TRUE(allClose(resize("align_corners", "round_prefer_floor", 3, 0.75),
                       makeTensor({1, 1, 1, 3}, {1, 2, 4})));
  EXPECT_TRUE(allClose(resize("align_corners", "round_prefer_ceil", 3, 0.75),
                       makeTensor({1, 1, 1, 3}, {1, 3, 4})));
}

TEST(ResizeKernelsTest, InterpLargeTensorTakesTheParallelPath) {
  Tensor x = randomTensor({1, 8, 64, 64}, 9);
  KernelResult result =
      runOp("top.Interp", {x}, interpAttrs("nearest", "asymmetric", 2.0, 2.0),
            {tensorType({1, 8, 128, 128})});
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected({1, 8, 128, 128});
  for (int64_t i = 0; i < expected.numel(); ++i) {
    auto c = unravelIndex(i, expected.shape);
    expected.data[i] =
        x.data[ravelIndex({c[0], c[1], c[2] / 2, c[3] / 2}, x.shape)];
  }
  EXPECT_TRUE(allClose(result.outputs[0], expected));
}

TEST(ResizeKernelsTest, InterpRejectsChangedLeadingDims) {
  KernelResult result = runOp("top.Interp", {randomTensor({1, 2, 3, 3}, 1)},
                              interpAttrs("linear", "half_pixel", 2.0, 2.0),
                              {tensorType({1, 3, 6, 6})});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("only the last two dims may change"),
            std::string::npos)
      << result.error;
}

} // namespace
