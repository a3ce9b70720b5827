//===- Compare.h - Numeric similarity of tensors ------------------*- C++
//-*-===//

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

/// Edge cases: cosine is 0 when exactly one side is all zeros; euclidean is
/// -inf when b = -a (non-zero); SQNR is -inf when `a` is all zeros and `b` is
/// not; NaN anywhere gives NaN (which every tolerance check fails); empty
/// tensors count as equal (1, 1, +inf).
Similarity computeSimilarity(llvm::ArrayRef<float> a, llvm::ArrayRef<float> b);

} // namespace tpuc

#endif // TPUC_SUPPORT_COMPARE_H
