//===- Detection.h - Boxes, detections and non-maximum suppression -*- C++ -*-//
//
// The vocabulary of detection accuracy: boxes in pixels (corners), scored
// detections, ground-truth objects, their IoU, and the class-aware NMS that
// turns a detector's candidates into its final detections.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_ACCURACY_DETECTION_H
#define TPUC_QUANT_ACCURACY_DETECTION_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tpuc::accuracy {

/// An axis-aligned box by its corners, in continuous pixel coordinates
/// (x2 >= x1 and y2 >= y1 for a valid box; others have no area).
struct Box {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;

  float width() const { return x2 > x1 ? x2 - x1 : 0.0f; }
  float height() const { return y2 > y1 ? y2 - y1 : 0.0f; }
  float area() const { return width() * height(); }
  /// The box of centre (cx, cy) and size w x h.
  static Box fromCenter(float cx, float cy, float w, float h);
};

/// Intersection over union; 0 when both boxes have no area.
float intersectionOverUnion(const Box &a, const Box &b);

/// A scored box a detector reports.
struct Detection {
  Box box;
  float score = 0;
  int64_t classId = 0;
};

/// One labelled object of an image.
struct GroundTruth {
  Box box;
  int64_t classId = 0;
};

struct NmsOptions {
  /// A candidate is suppressed by a kept one of its class whose IoU with it
  /// is above this.
  float iouThreshold = 0.65f;
  /// Most detections kept per image, best scores first (0: no limit).
  size_t maxDetections = 300;
  /// Suppress across classes instead of within each class.
  bool classAgnostic = false;
};

/// Greedy NMS: candidates in descending score order (ties keep their input
/// order) are kept unless a kept box of the same class (any class when
/// class-agnostic) overlaps them by more than the threshold. Returns the
/// kept detections in descending score order.
std::vector<Detection> nonMaxSuppression(std::vector<Detection> candidates,
                                         const NmsOptions &options);

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_DETECTION_H
