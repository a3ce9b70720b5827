//===- DetectionMetrics.cpp - COCO-style mean average precision -----------===//
//
// The steps and their tie rules follow pycocotools' COCOeval (evaluateImg
// and accumulate), so that numbers agree with what users get there: stable
// descending sorts, the latest of equally good objects wins a match, and
// recall thresholds are `i * 0.01` as numpy.linspace computes them.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Accuracy/DetectionMetrics.h"

#include <algorithm>
#include <numeric>

namespace tpuc::accuracy {

double iouThreshold(size_t i) { return 0.5 + 0.05 * static_cast<double>(i); }

double ClassAp::ap50to95() const {
  return std::accumulate(ap.begin(), ap.end(), 0.0) / kNumIouThresholds;
}

void DetectionEvaluator::addImage(llvm::ArrayRef<GroundTruth> objects,
                                  llvm::ArrayRef<Detection> detections) {
  const uint32_t image = static_cast<uint32_t>(numImages_++);
  std::map<int64_t, std::vector<const GroundTruth *>> objectsByClass;
  for (const GroundTruth &object : objects) {
    objectsByClass[object.classId].push_back(&object);
    classes_[object.classId].groundTruthImages.push_back(image);
  }
  std::map<int64_t, std::vector<const Detection *>> detectionsByClass;
  for (const Detection &detection : detections)
    detectionsByClass[detection.classId].push_back(&detection);

  for (auto &[classId, dets] : detectionsByClass) {
    std::stable_sort(dets.begin(), dets.end(),
                     [](const Detection *a, const Detection *b) {
                       return a->score > b->score;
                     });
    const std::vector<const GroundTruth *> &truth = objectsByClass[classId];
    std::vector<std::vector<float>> ious(dets.size(),
                                         std::vector<float>(truth.size()));
    for (size_t d = 0; d < dets.size(); ++d)
      for (size_t g = 0; g < truth.size(); ++g)
        ious[d][g] = intersectionOverUnion(dets[d]->box, truth[g]->box);

    std::vector<uint16_t> hits(dets.size(), 0);
    for (size_t t = 0; t < kNumIouThresholds; ++t) {
      std::vector<bool> taken(truth.size(), false);
      // pycocotools compares with min(t, 1 - 1e-10) so IoU 1 matches at 1.
      double threshold = std::min(iouThreshold(t), 1 - 1e-10);
      for (size_t d = 0; d < dets.size(); ++d) {
        double best = threshold;
        int64_t match = -1;
        for (size_t g = 0; g < truth.size(); ++g) {
          if (taken[g] || ious[d][g] < best)
            continue;
          best = ious[d][g];
          match = static_cast<int64_t>(g);
        }
        if (match < 0)
          continue;
        taken[match] = true;
        hits[d] |= static_cast<uint16_t>(1u << t);
      }
    }
    ClassRecord &record = classes_[classId];
    // Merging keeps the order a stable sort of every image's detections
    // would give: earlier images first among equal scores.
    auto middle = static_cast<std::ptrdiff_t>(record.detections.size());
    for (size_t d = 0; d < dets.size(); ++d)
      record.detections.push_back({dets[d]->score, hits[d], image});
    std::inplace_merge(
        record.detections.begin(), record.detections.begin() + middle,
        record.detections.end(),
        [](const Matched &a, const Matched &b) { return a.score > b.score; });
  }
}

DetectionMetrics DetectionEvaluator::compute() const { return accumulate({}); }

DetectionMetrics
DetectionEvaluator::compute(llvm::ArrayRef<uint32_t> imageCounts) const {
  return accumulate(imageCounts);
}

DetectionMetrics
DetectionEvaluator::accumulate(llvm::ArrayRef<uint32_t> imageCounts) const {
  // An image drawn k times counts k times: a detection of it adds k true
  // or false positives at its rank, and its objects count k times. (Its k
  // copies would be adjacent among equal scores, so the precision envelope
  // sampled at the recall points is the same.)
  auto count = [&](uint32_t image) -> double {
    return imageCounts.empty()          ? 1.0
           : image < imageCounts.size() ? imageCounts[image]
                                        : 0.0;
  };
  DetectionMetrics metrics;
  for (size_t i = 0; i < numImages_; ++i)
    metrics.numImages += static_cast<size_t>(count(static_cast<uint32_t>(i)));
  constexpr size_t kRecallPoints = 101;
  std::array<double, kNumIouThresholds> sums{};
  for (const auto &[classId, record] : classes_) {
    ClassAp result;
    result.classId = classId;
    double groundTruth = 0, detections = 0;
    for (uint32_t image : record.groundTruthImages)
      groundTruth += count(image);
    for (const Matched &m : record.detections)
      detections += count(m.image);
    result.numGroundTruth = static_cast<size_t>(groundTruth);
    result.numDetections = static_cast<size_t>(detections);
    metrics.numGroundTruth += result.numGroundTruth;
    metrics.numDetections += result.numDetections;
    if (result.numGroundTruth == 0) {
      metrics.perClass.push_back(result);
      continue;
    }
    ++metrics.numClasses;
    size_t n = record.detections.size();
    std::vector<double> recall(n), precision(n);
    for (size_t t = 0; t < kNumIouThresholds; ++t) {
      double tp = 0, fp = 0;
      for (size_t i = 0; i < n; ++i) {
        const Matched &m = record.detections[i];
        double k = count(m.image);
        if (m.truePositives & (1u << t))
          tp += k;
        else
          fp += k;
        recall[i] = tp / groundTruth;
        precision[i] = tp / (tp + fp + 2.220446049250313e-16);
      }
      // The precision envelope: the best precision at any higher recall.
      for (size_t i = n; i-- > 1;)
        precision[i - 1] = std::max(precision[i - 1], precision[i]);
      double sum = 0;
      for (size_t r = 0; r < kRecallPoints; ++r) {
        double point = static_cast<double>(r) * 0.01;
        auto it = std::lower_bound(recall.begin(), recall.end(), point);
        if (it != recall.end())
          sum += precision[it - recall.begin()];
      }
      result.ap[t] = sum / kRecallPoints;
      sums[t] += result.ap[t];
    }
    metrics.perClass.push_back(result);
  }
  if (metrics.numClasses) {
    double total = 0;
    for (double s : sums)
      total += s / metrics.numClasses;
    metrics.map50 = sums[0] / metrics.numClasses;
    metrics.map75 = sums[5] / metrics.numClasses;
    metrics.map50to95 = total / kNumIouThresholds;
  }
  return metrics;
}

} // namespace tpuc::accuracy
