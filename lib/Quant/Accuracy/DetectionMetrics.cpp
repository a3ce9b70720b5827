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
  ++numImages_;
  std::map<int64_t, std::vector<const GroundTruth *>> objectsByClass;
  for (const GroundTruth &object : objects) {
    objectsByClass[object.classId].push_back(&object);
    ++classes_[object.classId].numGroundTruth;
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
    for (size_t d = 0; d < dets.size(); ++d)
      record.detections.push_back({dets[d]->score, hits[d]});
  }
}

DetectionMetrics DetectionEvaluator::compute() const {
  DetectionMetrics metrics;
  metrics.numImages = numImages_;
  constexpr size_t kRecallPoints = 101;
  std::array<double, kNumIouThresholds> sums{};
  for (const auto &[classId, record] : classes_) {
    ClassAp result;
    result.classId = classId;
    result.numGroundTruth = record.numGroundTruth;
    result.numDetections = record.detections.size();
    metrics.numGroundTruth += record.numGroundTruth;
    metrics.numDetections += record.detections.size();
    if (record.numGroundTruth == 0) {
      metrics.perClass.push_back(result);
      continue;
    }
    ++metrics.numClasses;
    std::vector<size_t> order(record.detections.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return record.detections[a].score > record.detections[b].score;
    });
    size_t n = order.size();
    std::vector<double> recall(n), precision(n);
    for (size_t t = 0; t < kNumIouThresholds; ++t) {
      double tp = 0, fp = 0;
      for (size_t i = 0; i < n; ++i) {
        if (record.detections[order[i]].truePositives & (1u << t))
          ++tp;
        else
          ++fp;
        recall[i] = tp / record.numGroundTruth;
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
