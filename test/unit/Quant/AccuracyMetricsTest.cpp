//===- AccuracyMetricsTest.cpp - mAP, NMS, top-k, labels, placement -------===//
//
// The mAP evaluator against cases computed by hand with pycocotools' rules
// (greedy matching in score order, precision envelope, 101 recall points):
// perfect, shifted, missed and duplicate boxes, false positives ranked
// first, wrong classes and images without objects.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Accuracy/ClassificationMetrics.h"
#include "tpuc/Quant/Accuracy/DetectionMetrics.h"
#include "tpuc/Quant/Accuracy/ImagePlacement.h"
#include "tpuc/Quant/Accuracy/Labels.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace tpuc::accuracy;

namespace {

GroundTruth object(float x1, float y1, float x2, float y2, int64_t c = 0) {
  return {Box{x1, y1, x2, y2}, c};
}
Detection detection(float x1, float y1, float x2, float y2, float score,
                    int64_t c = 0) {
  return {Box{x1, y1, x2, y2}, score, c};
}

TEST(IouTest, HandComputed) {
  EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {0, 0, 10, 10}), 1);
  // 80 / 120.
  EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {2, 0, 12, 10}),
                  2.0f / 3.0f);
  EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {10, 0, 20, 10}), 0);
  EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 0, 0}, {0, 0, 0, 0}), 0);
  // Contained: 25 / 100.
  EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {0, 0, 5, 5}), 0.25f);
}

TEST(DetectionMetricsTest, PerfectDetectionsScoreOne) {
  DetectionEvaluator e;
  e.addImage(
      {object(0, 0, 10, 10), object(20, 20, 40, 50, 1)},
      {detection(0, 0, 10, 10, 0.9f), detection(20, 20, 40, 50, 0.8f, 1)});
  e.addImage({object(5, 5, 15, 15)}, {detection(5, 5, 15, 15, 0.7f)});
  DetectionMetrics m = e.compute();
  EXPECT_EQ(m.numImages, 2u);
  EXPECT_EQ(m.numGroundTruth, 3u);
  EXPECT_EQ(m.numClasses, 2u);
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_DOUBLE_EQ(m.map75, 1.0);
  EXPECT_DOUBLE_EQ(m.map50to95, 1.0);
}

TEST(DetectionMetricsTest, ShiftedBoxMatchesUpToItsIou) {
  // IoU 2/3 matches at 0.50, 0.55, 0.60 and 0.65: 4 of 10 thresholds.
  DetectionEvaluator e;
  e.addImage({object(0, 0, 10, 10)}, {detection(2, 0, 12, 10, 0.9f)});
  DetectionMetrics m = e.compute();
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_DOUBLE_EQ(m.map75, 0.0);
  EXPECT_NEAR(m.map50to95, 0.4, 1e-12);
  ASSERT_EQ(m.perClass.size(), 1u);
  EXPECT_DOUBLE_EQ(m.perClass[0].ap[3], 1.0);
  EXPECT_DOUBLE_EQ(m.perClass[0].ap[4], 0.0);
}

TEST(DetectionMetricsTest, MissedObjectHalvesRecall) {
  // Recall reaches 0.5 at precision 1: recall points 0 .. 0.50 (51 of 101).
  DetectionEvaluator e;
  e.addImage({object(0, 0, 10, 10), object(50, 50, 60, 60)},
             {detection(0, 0, 10, 10, 0.9f)});
  DetectionMetrics m = e.compute();
  EXPECT_NEAR(m.map50, 51.0 / 101.0, 1e-12);
  EXPECT_NEAR(m.map50to95, 51.0 / 101.0, 1e-12);
}

TEST(DetectionMetricsTest, DuplicateOfAMatchedBoxIsAFalsePositive) {
  // The duplicate scores lower: TP then FP, precision 1 at recall 1.
  DetectionEvaluator same;
  same.addImage({object(0, 0, 10, 10)},
                {detection(0, 0, 10, 10, 0.9f), detection(0, 0, 10, 10, 0.8f)});
  DetectionMetrics m = same.compute();
  EXPECT_DOUBLE_EQ(m.map50to95, 1.0);
  EXPECT_EQ(m.numDetections, 2u);

  // The worse box scores higher. IoU 90/110 = 0.818: it takes the object at
  // thresholds 0.50 .. 0.80 (the exact box is then a false positive after a
  // true positive: AP 1); at 0.85 .. 0.95 it is a false positive ranked
  // before the exact box (precision 1/2 at recall 1: AP 0.5).
  DetectionEvaluator worse;
  worse.addImage({object(0, 0, 10, 10)}, {detection(0, 0, 10, 10, 0.8f),
                                          detection(1, 0, 11, 10, 0.9f)});
  m = worse.compute();
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_NEAR(m.map50to95, (7 * 1.0 + 3 * 0.5) / 10, 1e-12);
}

TEST(DetectionMetricsTest, FalsePositiveRankedFirst) {
  // Precision 0 then 1/2; the envelope makes it 1/2 at every recall point.
  DetectionEvaluator e;
  e.addImage({object(0, 0, 10, 10)},
             {detection(50, 50, 60, 60, 0.9f), detection(0, 0, 10, 10, 0.5f)});
  EXPECT_NEAR(e.compute().map50, 0.5, 1e-12);
  // Ranked last it costs nothing.
  DetectionEvaluator last;
  last.addImage({object(0, 0, 10, 10)}, {detection(50, 50, 60, 60, 0.1f),
                                         detection(0, 0, 10, 10, 0.5f)});
  EXPECT_DOUBLE_EQ(last.compute().map50, 1.0);
}

TEST(DetectionMetricsTest, FalsePositiveRankingAcrossImages) {
  // Image 1: TP 0.9; image 2: FP 0.8, its object found at 0.7. Sorted:
  // TP, FP, TP -> precision 1, 1/2, 2/3; recall 1/2, 1/2, 1. Envelope: 1 up
  // to recall 0.5 (51 points), 2/3 above (50 points).
  DetectionEvaluator e;
  e.addImage({object(0, 0, 10, 10)}, {detection(0, 0, 10, 10, 0.9f)});
  e.addImage({object(0, 0, 10, 10)},
             {detection(30, 30, 40, 40, 0.8f), detection(0, 0, 10, 10, 0.7f)});
  EXPECT_NEAR(e.compute().map50, (51 * 1.0 + 50 * (2.0 / 3.0)) / 101, 1e-12);
}

TEST(DetectionMetricsTest, WrongClassAndUndetectedClass) {
  // Class 0 found, class 1 only detected as class 2 (no objects of class
  // 2: not averaged): mAP = (1 + 0) / 2.
  DetectionEvaluator e;
  e.addImage(
      {object(0, 0, 10, 10, 0), object(20, 20, 30, 30, 1)},
      {detection(0, 0, 10, 10, 0.9f, 0), detection(20, 20, 30, 30, 0.9f, 2)});
  DetectionMetrics m = e.compute();
  EXPECT_EQ(m.numClasses, 2u);
  EXPECT_DOUBLE_EQ(m.map50, 0.5);
  ASSERT_EQ(m.perClass.size(), 3u);
  EXPECT_EQ(m.perClass[2].classId, 2);
  EXPECT_EQ(m.perClass[2].numGroundTruth, 0u);
  EXPECT_EQ(m.perClass[2].numDetections, 1u);
}

TEST(DetectionMetricsTest, DetectionsOnImagesWithoutObjectsCount) {
  // An unlabelled image's detection of class 0 scores above the real one.
  DetectionEvaluator e;
  e.addImage({}, {detection(0, 0, 10, 10, 0.9f)});
  e.addImage({object(0, 0, 10, 10)}, {detection(0, 0, 10, 10, 0.5f)});
  EXPECT_NEAR(e.compute().map50, 0.5, 1e-12);
}

TEST(DetectionMetricsTest, BestUnmatchedObjectWins) {
  // Two objects; the better-scored detection overlaps both and takes the
  // one of higher IoU, leaving the other for the second detection.
  DetectionEvaluator e;
  e.addImage({object(0, 0, 10, 10), object(4, 0, 14, 10)},
             {detection(3, 0, 13, 10, 0.9f), detection(0, 0, 10, 10, 0.8f)});
  EXPECT_DOUBLE_EQ(e.compute().map50, 1.0);
}

TEST(NmsTest, SuppressesWithinClasses) {
  std::vector<Detection> candidates = {
      detection(0, 0, 10, 10, 0.8f), detection(1, 0, 11, 10, 0.9f),
      detection(1, 0, 11, 10, 0.7f, 1), detection(50, 50, 60, 60, 0.6f)};
  NmsOptions options;
  options.iouThreshold = 0.5f;
  std::vector<Detection> kept = nonMaxSuppression(candidates, options);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_EQ(kept[1].classId, 1);
  EXPECT_FLOAT_EQ(kept[2].score, 0.6f);

  options.classAgnostic = true;
  EXPECT_EQ(nonMaxSuppression(candidates, options).size(), 2u);
  options.classAgnostic = false;
  options.maxDetections = 2;
  kept = nonMaxSuppression(candidates, options);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[1].score, 0.7f);
  // IoU 0.818 is not above 0.9: both kept.
  options.iouThreshold = 0.9f;
  options.maxDetections = 0;
  EXPECT_EQ(nonMaxSuppression(candidates, options).size(), 4u);
}

TEST(TopKTest, RanksAndTies) {
  std::vector<float> scores = {0.1f, 0.5f, 0.5f, 0.2f, 0.9f, 0.0f, 0.3f};
  EXPECT_EQ(rankOfLabel(scores, 4), 0);
  EXPECT_EQ(rankOfLabel(scores, 1), 1);
  // Ties go to the lower index.
  EXPECT_EQ(rankOfLabel(scores, 2), 2);
  EXPECT_EQ(rankOfLabel(scores, 5), 6);
  EXPECT_EQ(rankOfLabel(scores, 9), 7);
  TopKAccuracy acc;
  acc.add(scores, 4);
  acc.add(scores, 6);
  acc.add(scores, 5);
  acc.add(scores, 0);
  EXPECT_DOUBLE_EQ(acc.top1(), 0.25);
  // Ranks 0, 3, 6, 5.
  EXPECT_DOUBLE_EQ(acc.top5(), 0.5);
}

TEST(ImagePlacementTest, LetterboxMapsBack) {
  // 640x480 into 640x640: scale 1, 80 rows of padding on top.
  ImagePlacement p = computeImagePlacement(480, 640, 640, 640, 640, 640, true);
  Box b = p.toImage(Box{0, 80, 640, 560});
  EXPECT_FLOAT_EQ(b.x1, 0);
  EXPECT_FLOAT_EQ(b.y1, 0);
  EXPECT_FLOAT_EQ(b.x2, 640);
  EXPECT_FLOAT_EQ(b.y2, 480);
  // Boxes reaching into the padding are clipped to the image.
  b = p.toImage(Box{-5, 0, 100, 700});
  EXPECT_FLOAT_EQ(b.x1, 0);
  EXPECT_FLOAT_EQ(b.y1, 0);
  EXPECT_FLOAT_EQ(b.y2, 480);

  // 333x500 (portrait) into 640x640: scale 1.28, 426.24 wide truncated to
  // 426, left padding (640 - 426) / 2 = 107.
  p = computeImagePlacement(500, 333, 640, 640, 640, 640, true);
  EXPECT_DOUBLE_EQ(p.offsetX, 107);
  EXPECT_DOUBLE_EQ(p.offsetY, 0);
  EXPECT_DOUBLE_EQ(p.scaleX, 426.0 / 333.0);
  EXPECT_DOUBLE_EQ(p.scaleY, 640.0 / 500.0);
  b = p.toImage(Box{107, 0, 533, 640});
  EXPECT_NEAR(b.x1, 0, 1e-4);
  EXPECT_NEAR(b.x2, 333, 1e-4);
  EXPECT_NEAR(b.y2, 500, 1e-4);

  // Stretch to 200x100, then centre-crop to 100x100 (crop left 50).
  p = computeImagePlacement(50, 100, 100, 200, 100, 100, false);
  EXPECT_DOUBLE_EQ(p.scaleX, 2.0);
  EXPECT_DOUBLE_EQ(p.scaleY, 2.0);
  EXPECT_DOUBLE_EQ(p.offsetX, -50);
  b = p.toImage(Box{0, 0, 100, 100});
  EXPECT_FLOAT_EQ(b.x1, 25);
  EXPECT_FLOAT_EQ(b.x2, 75);
  EXPECT_FLOAT_EQ(b.y2, 50);
}

class LabelsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("labels-test", dir_));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir_); }

  std::string write(llvm::StringRef name, llvm::StringRef text) {
    llvm::SmallString<128> path(dir_);
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    out << text;
    return std::string(path);
  }

  llvm::SmallString<128> dir_;
};

TEST_F(LabelsTest, ReadsYoloBoxes) {
  std::string path =
      write("a.txt", "3 0.5 0.5 0.2 0.4\n\n12.0 0.1 0.2 0.1 0.1");
  auto boxes = readYoloLabels(path, 80);
  ASSERT_TRUE(static_cast<bool>(boxes)) << llvm::toString(boxes.takeError());
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_EQ((*boxes)[1].classId, 12);
  std::vector<GroundTruth> objects = toPixels(*boxes, 200, 100);
  EXPECT_FLOAT_EQ(objects[0].box.x1, 80);
  EXPECT_FLOAT_EQ(objects[0].box.y1, 30);
  EXPECT_FLOAT_EQ(objects[0].box.x2, 120);
  EXPECT_FLOAT_EQ(objects[0].box.y2, 70);
}

TEST_F(LabelsTest, RejectsBadLines) {
  auto message = [&](llvm::StringRef text, int64_t classes = 80) {
    std::string path = write("bad.txt", text);
    auto boxes = readYoloLabels(path, classes);
    EXPECT_FALSE(static_cast<bool>(boxes));
    return boxes ? std::string() : llvm::toString(boxes.takeError());
  };
  EXPECT_NE(message("0 0.5 0.5 0.2\n")
                .find("bad.txt:1: expected 'class cx "
                      "cy w h', got 4 field(s)"),
            std::string::npos);
  EXPECT_NE(message("0 0.5 0.5 0.2 0.2\n0 0.5 1.5 0.2 0.2\n")
                .find("bad.txt:2: cy 1.5 is out of range"),
            std::string::npos);
  EXPECT_NE(message("80 0.5 0.5 0.2 0.2\n")
                .find("class 80 is beyond the model's 80 classes (0..79)"),
            std::string::npos);
  EXPECT_NE(message("-1 0.5 0.5 0.2 0.2\n").find("not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(message("0 0.5 0.5 0 0.2\n").find("no area"), std::string::npos);
  EXPECT_NE(message("0 0.5 x 0.2 0.2\n").find("cy 'x' is not a number"),
            std::string::npos);
}

TEST_F(LabelsTest, LabelPathsAndClassFiles) {
  EXPECT_EQ(yoloLabelPath("/d/coco/images/train/a.jpg"),
            "/d/coco/labels/train/a.txt");
  EXPECT_EQ(yoloLabelPath("images/x/images/b.png"), "images/x/labels/b.txt");
  EXPECT_EQ(yoloLabelPath("/d/pics/a.jpg"), "");

  auto names = readClassNames(write("names.txt", "cat\n dog \n\nbird\n"));
  ASSERT_TRUE(static_cast<bool>(names));
  EXPECT_EQ(*names, (std::vector<std::string>{"cat", "dog", "bird"}));

  std::string file =
      write("val.txt", "# image class\na.jpg 2\nsub/b.jpg dog\n");
  auto labels = readClassificationLabels(file, *names, 3);
  ASSERT_TRUE(static_cast<bool>(labels)) << llvm::toString(labels.takeError());
  EXPECT_EQ(labels->at("a.jpg"), 2);
  EXPECT_EQ(labels->at("sub/b.jpg"), 1);
  auto bad = readClassificationLabels(write("v2.txt", "a.jpg 7\n"), *names, 3);
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("v2.txt:1: class 7 is beyond"),
            std::string::npos);
}

} // namespace
