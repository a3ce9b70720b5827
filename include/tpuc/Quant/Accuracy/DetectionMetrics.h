//===- DetectionMetrics.h - COCO-style mean average precision ---*- C++ -*-===//
//
// mAP as pycocotools computes it for the "all areas" range: per image and
// class, detections in descending score order are matched greedily to the
// unmatched ground-truth box of highest IoU (at least the threshold); per
// class, precision over all images is made monotone and sampled at the 101
// recall points 0, 0.01, ..., 1; AP is their mean; mAP is the mean over the
// classes that have ground truth, at IoU 0.5 (mAP@.5) and averaged over IoU
// 0.50, 0.55, ..., 0.95 (mAP@.5:.95). A class with ground truth but no
// detections has AP 0; detections of classes without ground truth do not
// count. There are no crowd regions and no per-image detection cap here
// (NmsOptions::maxDetections is the cap).
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_ACCURACY_DETECTIONMETRICS_H
#define TPUC_QUANT_ACCURACY_DETECTIONMETRICS_H

#include "tpuc/Quant/Accuracy/Detection.h"

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <map>
#include <vector>

namespace tpuc::accuracy {

/// The ten IoU thresholds of mAP@.5:.95.
constexpr size_t kNumIouThresholds = 10;
/// Threshold `i`: 0.50 + 0.05 i.
double iouThreshold(size_t i);

struct ClassAp {
  int64_t classId = 0;
  size_t numGroundTruth = 0;
  size_t numDetections = 0;
  /// AP at each IoU threshold; all 0 without ground truth.
  std::array<double, kNumIouThresholds> ap{};

  double ap50() const { return ap[0]; }
  double ap75() const { return ap[5]; }
  /// The mean over the ten thresholds.
  double ap50to95() const;
};

struct DetectionMetrics {
  size_t numImages = 0;
  size_t numGroundTruth = 0;
  size_t numDetections = 0;
  /// Classes with ground truth (those mAP averages over).
  size_t numClasses = 0;
  double map50 = 0;
  double map75 = 0;
  double map50to95 = 0;
  /// Every class with ground truth or detections, by id.
  std::vector<ClassAp> perClass;
};

class DetectionEvaluator {
public:
  /// Matches one image's detections against its objects.
  void addImage(llvm::ArrayRef<GroundTruth> objects,
                llvm::ArrayRef<Detection> detections);
  DetectionMetrics compute() const;
  /// The metrics of a dataset in which image i (in addImage order) appears
  /// `imageCounts[i]` times (0: left out), as a bootstrap resample draws
  /// it; the same as adding each image that many times, without the cost.
  DetectionMetrics compute(llvm::ArrayRef<uint32_t> imageCounts) const;
  size_t numImages() const { return numImages_; }

private:
  /// One detection after matching: its image, its score and, per
  /// threshold, whether it matched an object (bit i for threshold i).
  struct Matched {
    float score;
    uint16_t truePositives;
    uint32_t image;
  };
  struct ClassRecord {
    /// The image of each object.
    std::vector<uint32_t> groundTruthImages;
    /// In descending score order; equal scores in image order, and within
    /// an image in the order of its stable sort: the order of a stable
    /// sort of all detections, kept by merging each image's in.
    std::vector<Matched> detections;
  };
  DetectionMetrics accumulate(llvm::ArrayRef<uint32_t> imageCounts) const;
  std::map<int64_t, ClassRecord> classes_;
  size_t numImages_ = 0;
};

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_DETECTIONMETRICS_H
