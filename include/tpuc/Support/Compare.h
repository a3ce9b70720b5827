//===- Compare.h - Numeric similarity of tensors ------------------*- C++ -*-===//

#ifndef TPUC_SUPPORT_COMPARE_H
#define TPUC_SUPPORT_COMPARE_H

#include "llvm/ADT/ArrayRef.h"

namespace tpuc {

/// Similarity of a tensor `b` to a reference `a` of the same size.
struct Similarity {
  double cosine = 0;    ///< a·b / (|a| |b|); 1 when both are all zero.
  double euclidean = 0; ///< 1 - |a-b| / |(a+b)/2|; 1 when both are equal.
  double sqnrDb = 0;    ///< 10 log10(|a|² / |a-b|²); +inf when equal.
  double maxAbsDiff = 0;
};

Similarity computeSimilarity(llvm::ArrayRef<float> a, llvm::ArrayRef<float> b);

} // namespace tpuc

#endif // TPUC_SUPPORT_COMPARE_H
