//===- ClassificationMetrics.cpp - Top-k accuracy -------------------------===//

#include "tpuc/Quant/Accuracy/ClassificationMetrics.h"

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
}

} // namespace tpuc::accuracy
