//===- Detection.cpp - Boxes, detections and non-maximum suppression ------===//

#include "tpuc/Quant/Accuracy/Detection.h"

#include <algorithm>
#include <map>

namespace tpuc::accuracy {

Box Box::fromCenter(float cx, float cy, float w, float h) {
  return Box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
}

float intersectionOverUnion(const Box &a, const Box &b) {
  float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0)
    return 0.0f;
  // In double: the union of two large boxes loses the small intersection's
  // digits in float.
  double inter = static_cast<double>(iw) * ih;
  double unionArea = static_cast<double>(a.area()) + b.area() - inter;
  return unionArea > 0 ? static_cast<float>(inter / unionArea) : 0.0f;
}

std::vector<Detection> nonMaxSuppression(std::vector<Detection> candidates,
                                         const NmsOptions &options) {
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Detection &a, const Detection &b) { return a.score > b.score; });
  std::vector<Detection> kept;
  // Kept boxes by class, so a candidate is only checked against its own.
  std::map<int64_t, std::vector<Box>> keptByClass;
  for (const Detection &candidate : candidates) {
    // Kept detections come out in score order, so the first maxDetections
    // of them are the final answer.
    if (options.maxDetections && kept.size() >= options.maxDetections)
      break;
    std::vector<Box> &same =
        keptByClass[options.classAgnostic ? 0 : candidate.classId];
    bool suppressed = std::any_of(same.begin(), same.end(), [&](const Box &b) {
      return intersectionOverUnion(candidate.box, b) > options.iouThreshold;
    });
    if (suppressed)
      continue;
    same.push_back(candidate.box);
    kept.push_back(candidate);
  }
  return kept;
}

} // namespace tpuc::accuracy
