//===- AccuracyDecodeTest.cpp - YOLO head analysis and decoding -----------===//
//
// Synthetic head tensors with one confident cell, whose box is worked out by
// hand from the YOLOv5 (anchors) and YOLOv8 (DFL) formulas; every layout of
// a style (raw convs, the anchors-outermost or concatenated variants, the
// decoded output) must give the same detection. Shapes that do not fit a
// style are errors saying what it takes.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Accuracy/YoloDecode.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace tpuc::accuracy;
using tpuc::Tensor;

namespace {

constexpr float kOff = -20.0f;

float logit(float p) { return std::log(p / (1.0f - p)); }

std::vector<Shape> shapesOf(const std::vector<Tensor> &tensors) {
  std::vector<Shape> shapes;
  for (const Tensor &t : tensors)
    shapes.push_back(t.shape);
  return shapes;
}

std::vector<const Tensor *> pointers(const std::vector<Tensor> &tensors) {
  std::vector<const Tensor *> out;
  for (const Tensor &t : tensors)
    out.push_back(&t);
  return out;
}

std::vector<Detection> decodeAll(YoloStyle style,
                                 const std::vector<Tensor> &outputs,
                                 int64_t inputSize, YoloDecodeOptions decode,
                                 YoloHeadOptions headOptions = {}) {
  auto head = analyzeYoloOutputs(style, shapesOf(outputs), inputSize, inputSize,
                                 headOptions);
  EXPECT_TRUE(static_cast<bool>(head)) << llvm::toString(head.takeError());
  if (!head)
    return {};
  auto detections = decodeYoloOutputs(*head, pointers(outputs), decode);
  EXPECT_TRUE(static_cast<bool>(detections))
      << llvm::toString(detections.takeError());
  return detections ? *detections : std::vector<Detection>{};
}

std::string analysisError(YoloStyle style, std::vector<Shape> shapes,
                          int64_t inputSize = 64,
                          YoloHeadOptions options = {}) {
  auto head = analyzeYoloOutputs(style, shapes, inputSize, inputSize, options);
  if (head)
    return "";
  return llvm::toString(head.takeError());
}

//===----------------------------------------------------------------------===//
// YOLOv5
//===----------------------------------------------------------------------===//

/// A 64x64 input, 2 classes, levels of stride 8, 16, 32 (8x8, 4x4, 2x2)
/// with the COCO anchors; everything off except level 0, anchor 1, cell
/// (y 3, x 5): sigmoids 0.75 (xy), 0.5 (wh), objectness 0.9, classes 0.2
/// and 0.8.
std::vector<Tensor> v5Heads(bool anchorsOutermost) {
  const int64_t per = 7, sizes[] = {8, 4, 2};
  std::vector<Tensor> out;
  for (int64_t s : sizes) {
    Shape shape =
        anchorsOutermost ? Shape{1, 3, s, s, per} : Shape{1, 3 * per, s, s};
    out.emplace_back(shape, kOff);
  }
  auto set = [&](int64_t a, int64_t k, int64_t y, int64_t x, float v) {
    Tensor &t = out[0];
    int64_t index = anchorsOutermost ? (((a * 8 + y) * 8 + x) * per + k)
                                     : (((a * per + k) * 8 + y) * 8 + x);
    t.data[index] = v;
  };
  const float values[] = {logit(0.75f), logit(0.75f), 0.0f,       0.0f,
                          logit(0.9f),  logit(0.2f),  logit(0.8f)};
  for (int64_t k = 0; k < per; ++k)
    set(1, k, 3, 5, values[k]);
  return out;
}

void expectV5Cell(const std::vector<Detection> &detections, bool multiLabel) {
  ASSERT_EQ(detections.size(), multiLabel ? 2u : 1u);
  // xy = (0.75 * 2 - 0.5 + grid) * 8, wh = (0.5 * 2)^2 * anchor (16, 30).
  for (const Detection &d : detections) {
    EXPECT_NEAR(d.box.x1, 48 - 8, 1e-4);
    EXPECT_NEAR(d.box.y1, 32 - 15, 1e-4);
    EXPECT_NEAR(d.box.x2, 48 + 8, 1e-4);
    EXPECT_NEAR(d.box.y2, 32 + 15, 1e-4);
  }
  const Detection &best = detections.back();
  EXPECT_EQ(best.classId, 1);
  EXPECT_NEAR(best.score, 0.9f * 0.8f, 1e-5);
  if (multiLabel) {
    EXPECT_EQ(detections[0].classId, 0);
    EXPECT_NEAR(detections[0].score, 0.9f * 0.2f, 1e-5);
  }
}

TEST(YoloV5DecodeTest, RawHeads) {
  std::vector<Tensor> heads = v5Heads(false);
  auto head = analyzeYoloOutputs(YoloStyle::V5, shapesOf(heads), 64, 64, {});
  ASSERT_TRUE(static_cast<bool>(head));
  EXPECT_FALSE(head->decoded);
  EXPECT_EQ(head->numClasses, 2);
  ASSERT_EQ(head->levels.size(), 3u);
  EXPECT_EQ(head->levels[2].stride, 32);
  EXPECT_EQ(head->describe(), "yolov5 heads: 3 levels (8x8 /8, 4x4 /16, 2x2 "
                              "/32), 3 anchors per level, 2 classes");
  YoloDecodeOptions options;
  expectV5Cell(decodeAll(YoloStyle::V5, heads, 64, options), true);
  options.multiLabel = false;
  expectV5Cell(decodeAll(YoloStyle::V5, heads, 64, options), false);
  // Objectness 0.9 * class 0.2 = 0.18 is below 0.5, 0.72 is above.
  options.multiLabel = true;
  options.confThreshold = 0.5f;
  EXPECT_EQ(decodeAll(YoloStyle::V5, heads, 64, options).size(), 1u);
  options.confThreshold = 0.95f;
  EXPECT_TRUE(decodeAll(YoloStyle::V5, heads, 64, options).empty());
}

TEST(YoloV5DecodeTest, AnchorsOutermostLayout) {
  expectV5Cell(decodeAll(YoloStyle::V5, v5Heads(true), 64, {}), true);
}

TEST(YoloV5DecodeTest, OutputOrderDoesNotMatter) {
  std::vector<Tensor> heads = v5Heads(false);
  std::swap(heads[0], heads[2]);
  expectV5Cell(decodeAll(YoloStyle::V5, heads, 64, {}), true);
}

TEST(YoloV5DecodeTest, DecodedOutput) {
  // [1, N, 5 + nc] rows: cx, cy, w, h, objectness, class scores.
  Tensor decoded(Shape{1, 4, 7}, 0.0f);
  const float row[] = {48, 32, 16, 30, 0.9f, 0.2f, 0.8f};
  std::copy(std::begin(row), std::end(row), decoded.data.begin() + 2 * 7);
  expectV5Cell(decodeAll(YoloStyle::V5, {decoded}, 64, {}), true);
}

TEST(YoloV5DecodeTest, CustomAnchorsAndCandidateCap) {
  YoloHeadOptions options;
  options.anchors = {{{1, 1}, {32, 60}, {1, 1}},
                     {{1, 1}, {1, 1}, {1, 1}},
                     {{1, 1}, {1, 1}, {1, 1}}};
  std::vector<Detection> d =
      decodeAll(YoloStyle::V5, v5Heads(false), 64, {}, options);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NEAR(d[0].box.x2 - d[0].box.x1, 32, 1e-4);
  EXPECT_NEAR(d[0].box.y2 - d[0].box.y1, 60, 1e-4);
  YoloDecodeOptions cap;
  cap.maxCandidates = 1;
  d = decodeAll(YoloStyle::V5, v5Heads(false), 64, cap);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].classId, 1);
}

TEST(YoloV5DecodeTest, ShapesThatDoNotFit) {
  // YOLOv8 heads (64 box channels are not 3 x (5 + classes)).
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 64, 8, 8}, {1, 2, 8, 8}})
                .find("64 channels are not 3 anchors x (5 + classes)"),
            std::string::npos);
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 21, 7, 7}})
                .find("is not a grid over the 64x64 input"),
            std::string::npos);
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 21, 1, 1}})
                .find("no default anchors for stride 64"),
            std::string::npos);
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 21, 8, 8}, {1, 24, 4, 4}})
                .find("disagree on the number of classes"),
            std::string::npos);
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 4}, {1, 4}})
                .find("yolov5 postprocessing takes the decoded output"),
            std::string::npos);
  YoloHeadOptions eighty;
  eighty.numClasses = 80;
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 21, 8, 8}}, 64, eighty)
                .find("gives 2 classes, but the class names list 80"),
            std::string::npos);
  YoloHeadOptions twoLevels;
  twoLevels.anchors = {{{1, 1}}, {{1, 1}}};
  EXPECT_NE(analysisError(YoloStyle::V5, {{1, 21, 8, 8}}, 64, twoLevels)
                .find("--anchors gives 2 levels but the model has 1"),
            std::string::npos);
  // Decoding tensors of other shapes than analyzed is an error too.
  auto head = analyzeYoloOutputs(YoloStyle::V5, {{1, 21, 8, 8}}, 64, 64, {});
  ASSERT_TRUE(static_cast<bool>(head));
  Tensor wrong(Shape{1, 21, 4, 4});
  auto decoded = decodeYoloOutputs(*head, {&wrong}, {});
  ASSERT_FALSE(static_cast<bool>(decoded));
  EXPECT_NE(llvm::toString(decoded.takeError()).find("has shape [1,21,4,4]"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// YOLOv8 / YOLO11
//===----------------------------------------------------------------------===//

/// A 64x64 input, 3 classes, reg_max 16, levels of stride 8, 16, 32 as box
/// (64 channels) and class convolutions; one cell on at stride 16, (y 2,
/// x 1): one-hot DFL bins l 2, t 3, r 4, b 1, class 2 at sigmoid 0.7.
std::vector<Tensor> v8Heads(bool concatenated) {
  const int64_t sizes[] = {8, 4, 2};
  std::vector<Tensor> out;
  for (int64_t s : sizes) {
    Tensor box(Shape{1, 64, s, s}, 0.0f), cls(Shape{1, 3, s, s}, kOff);
    if (s == 4) {
      const int64_t bins[] = {2, 3, 4, 1};
      int64_t cell = 2 * 4 + 1;
      for (int64_t side = 0; side < 4; ++side)
        box.data[(side * 16 + bins[side]) * 16 + cell] = 50.0f;
      cls.data[2 * 16 + cell] = logit(0.7f);
    }
    if (!concatenated) {
      out.push_back(std::move(box));
      out.push_back(std::move(cls));
      continue;
    }
    Tensor both(Shape{1, 67, s, s});
    std::copy(box.data.begin(), box.data.end(), both.data.begin());
    std::copy(cls.data.begin(), cls.data.end(),
              both.data.begin() + box.numel());
    out.push_back(std::move(both));
  }
  return out;
}

void expectV8Cell(const std::vector<Detection> &detections) {
  ASSERT_EQ(detections.size(), 1u);
  const Detection &d = detections[0];
  // Anchor (1.5, 2.5) at stride 16: x1 = (1.5 - 2) * 16, y1 = (2.5 - 3) *
  // 16, x2 = (1.5 + 4) * 16, y2 = (2.5 + 1) * 16.
  EXPECT_NEAR(d.box.x1, -8, 1e-3);
  EXPECT_NEAR(d.box.y1, -8, 1e-3);
  EXPECT_NEAR(d.box.x2, 88, 1e-3);
  EXPECT_NEAR(d.box.y2, 56, 1e-3);
  EXPECT_EQ(d.classId, 2);
  EXPECT_NEAR(d.score, 0.7f, 1e-5);
}

TEST(YoloV8DecodeTest, SplitHeads) {
  std::vector<Tensor> heads = v8Heads(false);
  auto head = analyzeYoloOutputs(YoloStyle::V8, shapesOf(heads), 64, 64, {});
  ASSERT_TRUE(static_cast<bool>(head)) << llvm::toString(head.takeError());
  EXPECT_EQ(head->numClasses, 3);
  EXPECT_EQ(head->levels[1].boxOutput, 2u);
  EXPECT_EQ(head->levels[1].classOutput, 3u);
  EXPECT_EQ(head->describe(), "yolov8 heads: 3 levels (8x8 /8, 4x4 /16, 2x2 "
                              "/32), reg_max 16, 3 classes");
  expectV8Cell(decodeAll(YoloStyle::V8, heads, 64, {}));
  // Class before box in the output list (other cut orders) is found too.
  std::swap(heads[2], heads[3]);
  expectV8Cell(decodeAll(YoloStyle::V8, heads, 64, {}));
}

TEST(YoloV8DecodeTest, ConcatenatedHeads) {
  expectV8Cell(decodeAll(YoloStyle::V8, v8Heads(true), 64, {}));
}

TEST(YoloV8DecodeTest, UniformBinsGiveTheMiddleDistance) {
  // All-equal DFL logits: each distance is the mean bin, 7.5.
  std::vector<Tensor> heads = v8Heads(false);
  std::fill(heads[2].data.begin(), heads[2].data.end(), 0.0f);
  std::vector<Detection> d = decodeAll(YoloStyle::V8, heads, 64, {});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NEAR(d[0].box.x1, (1.5f - 7.5f) * 16, 1e-3);
  EXPECT_NEAR(d[0].box.y2, (2.5f + 7.5f) * 16, 1e-3);
}

TEST(YoloV8DecodeTest, DecodedOutputBothLayouts) {
  // [1, 4 + nc, N] as Ultralytics exports it, and transposed.
  const float values[] = {40, 24, 96, 64, 0.0f, 0.0005f, 0.7f};
  Tensor first(Shape{1, 7, 12}, 0.0f), last(Shape{1, 12, 7}, 0.0f);
  for (int64_t k = 0; k < 7; ++k) {
    first.data[k * 12 + 3] = values[k];
    last.data[3 * 7 + k] = values[k];
  }
  for (const Tensor &t : {first, last}) {
    auto head = analyzeYoloOutputs(YoloStyle::V8, {t.shape}, 64, 64, {});
    ASSERT_TRUE(static_cast<bool>(head));
    EXPECT_TRUE(head->decoded);
    EXPECT_EQ(head->numClasses, 3);
    expectV8Cell(decodeAll(YoloStyle::V8, {t}, 64, {}));
  }
  // A known class count decides the layout of a small output.
  YoloHeadOptions seven;
  seven.numClasses = 3;
  auto head = analyzeYoloOutputs(YoloStyle::V8, {{1, 7, 5}}, 64, 64, seven);
  ASSERT_TRUE(static_cast<bool>(head));
  EXPECT_TRUE(head->channelsFirst);
  EXPECT_EQ(head->numBoxes, 5);
}

TEST(YoloV8DecodeTest, ShapesThatDoNotFit) {
  // YOLOv5 heads at the same three grids.
  EXPECT_NE(
      analysisError(YoloStyle::V8, {{1, 21, 8, 8}, {1, 21, 4, 4}, {1, 2, 4, 4}})
          .find("neither with 64 box channels"),
      std::string::npos);
  EXPECT_NE(
      analysisError(YoloStyle::V8, {{1, 64, 8, 8}, {1, 3, 8, 8}, {1, 3, 8, 8}})
          .find("the 8x8 level has 3 outputs"),
      std::string::npos);
  EXPECT_NE(analysisError(YoloStyle::V8, {{1, 64, 8, 8}})
                .find("leaves no room for class scores"),
            std::string::npos);
  EXPECT_NE(
      analysisError(YoloStyle::V8,
                    {{1, 64, 8, 8}, {1, 3, 8, 8}, {1, 64, 4, 4}, {1, 5, 4, 4}})
          .find("disagree on the number of classes"),
      std::string::npos);
  // reg_max 1 (no DFL): the box conv has 4 channels of distances.
  YoloHeadOptions noDfl;
  noDfl.regMax = 1;
  EXPECT_EQ(
      analysisError(YoloStyle::V8, {{1, 4, 8, 8}, {1, 3, 8, 8}}, 64, noDfl),
      "");
}

TEST(DetectionRowsTest, ReadsRowsAndRejectsBadClasses) {
  Tensor rows(Shape{1, 3, 6}, 0.0f);
  const float a[] = {1, 2, 3, 4, 0.9f, 5}, b[] = {0, 0, 1, 1, 0.0f, 0};
  std::copy(std::begin(a), std::end(a), rows.data.begin());
  std::copy(std::begin(b), std::end(b), rows.data.begin() + 6);
  auto d = readDetectionRows(rows, 0.001f);
  ASSERT_TRUE(static_cast<bool>(d));
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].classId, 5);
  EXPECT_FLOAT_EQ((*d)[0].box.x2, 3);
  rows.data[5] = 1.5f;
  auto bad = readDetectionRows(rows, 0.001f);
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("not a class index"),
            std::string::npos);
  Tensor wide(Shape{1, 3, 7});
  auto notRows = readDetectionRows(wide, 0.001f);
  ASSERT_FALSE(static_cast<bool>(notRows));
  llvm::consumeError(notRows.takeError());
}

} // namespace
