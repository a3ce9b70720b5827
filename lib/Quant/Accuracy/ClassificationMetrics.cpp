//===- ClassificationMetrics.cpp - Top-k accuracy -------------------------===//

#include "tpuc/Quant/Accuracy/ClassificationMetrics.h"

#include <algorithm>
#include <cmath>

namespace tpuc::accuracy {

int64_t rankOfLabel(llvm::ArrayRef<float> scores, int64_t label) {
  if (label < 0 || label >= static_cast<int64_t>(scores.size()))
    return static_cast<int64_t>(scores.size());
  float own = scores[label];
  // A NaN is beaten by everything that is a number.
  auto beats = [&](float other, int64_t index) {
    if (std::isnan(other))
      return false;
    if (std::isnan(own))
      return true;
    return other > own || (other == own && index < label);
  };
  int64_t rank = 0;
  for (int64_t i = 0; i < static_cast<int64_t>(scores.size()); ++i)
    if (i != label && beats(scores[i], i))
      ++rank;
  return rank;
}

void TopKAccuracy::add(llvm::ArrayRef<float> scores, int64_t label) {
  int64_t rank = rankOfLabel(scores, label);
  ++count_;
  top1_ += rank < 1;
  top5_ += rank < 5;
  ranks_.push_back(static_cast<uint8_t>(std::min<int64_t>(rank, 5)));
}

std::pair<double, double>
TopKAccuracy::topK(llvm::ArrayRef<uint32_t> imageCounts) const {
  double images = 0, top1 = 0, top5 = 0;
  for (size_t i = 0; i < ranks_.size() && i < imageCounts.size(); ++i) {
    double k = imageCounts[i];
    images += k;
    top1 += ranks_[i] < 1 ? k : 0;
    top5 += ranks_[i] < 5 ? k : 0;
  }
  if (images == 0)
    return {0.0, 0.0};
  return {top1 / images, top5 / images};
}

} // namespace tpuc::accuracy
