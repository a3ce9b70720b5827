//===- ClassificationMetrics.h - Top-k accuracy -----------------*- C++ -*-===//

#ifndef TPUC_QUANT_ACCURACY_CLASSIFICATIONMETRICS_H
#define TPUC_QUANT_ACCURACY_CLASSIFICATIONMETRICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tpuc::accuracy {

/// The rank (0 = best) of class `label` in `scores`: how many classes score
/// higher, ties going to the lower index. Scores may be logits or
/// probabilities; NaN scores rank last.
int64_t rankOfLabel(llvm::ArrayRef<float> scores, int64_t label);

class TopKAccuracy {
public:
  /// Adds one image's class scores and its true class.
  void add(llvm::ArrayRef<float> scores, int64_t label);

  size_t count() const { return count_; }
  double top1() const { return count_ ? double(top1_) / count_ : 0.0; }
  double top5() const { return count_ ? double(top5_) / count_ : 0.0; }
  /// Top-1 and top-5 of a dataset in which image i (in add order) appears
  /// `imageCounts[i]` times, as a bootstrap resample draws it.
  std::pair<double, double> topK(llvm::ArrayRef<uint32_t> imageCounts) const;

private:
  size_t count_ = 0, top1_ = 0, top5_ = 0;
  /// Per image: its label's rank, capped at 5.
  std::vector<uint8_t> ranks_;
};

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_CLASSIFICATIONMETRICS_H
