//===- Broadcast.cpp - numpy broadcasting helpers for kernels -------------===//

#include "tpuc/Interpreter/Broadcast.h"

namespace tpuc {

BroadcastIndexer::BroadcastIndexer(llvm::ArrayRef<int64_t> inShape,
                                   llvm::ArrayRef<int64_t> outShape) {
  int64_t outRank = outShape.size();
  int64_t inRank = inShape.size();
  identity_ = Tensor::numelOf(inShape) == Tensor::numelOf(outShape);

  // Input strides aligned to the output's dims; dims the input lacks or has
  // as 1 contribute nothing. Extra leading input dims can only be 1s.
  llvm::SmallVector<int64_t, 6> alignedStrides(outRank, 0);
  int64_t stride = 1;
  for (int64_t i = 1; i <= inRank; ++i) {
    int64_t inDim = inShape[inRank - i];
    if (i <= outRank && inDim != 1)
      alignedStrides[outRank - i] = stride;
    stride *= inDim;
  }

  // Merge neighbouring dims that walk the input the same way (both
  // broadcast, or contiguous), and drop size-1 dims, so the per-element
  // index math runs over as few dims as possible.
  for (int64_t d = 0; d < outRank; ++d) {
    int64_t dim = outShape[d];
    if (dim == 1)
      continue;
    int64_t inStride = alignedStrides[d];
    if (!outDims_.empty()) {
      int64_t &prevStride = inStrides_.back();
      bool bothBroadcast = prevStride == 0 && inStride == 0;
      bool contiguous = inStride != 0 && prevStride == inStride * dim;
      if (bothBroadcast || contiguous) {
        outDims_.back() *= dim;
        prevStride = inStride;
        continue;
      }
    }
    outDims_.push_back(dim);
    inStrides_.push_back(inStride);
  }
  outStrides_.assign(outDims_.size(), 1);
  for (int64_t i = static_cast<int64_t>(outDims_.size()) - 2; i >= 0; --i)
    outStrides_[i] = outStrides_[i + 1] * outDims_[i + 1];
}

int64_t BroadcastIndexer::operator()(int64_t outIndex) const {
  if (identity_)
    return outIndex;
  int64_t inIndex = 0;
  for (size_t d = 0, e = outDims_.size(); d < e; ++d) {
    int64_t coord = outIndex / outStrides_[d];
    outIndex -= coord * outStrides_[d];
    inIndex += coord * inStrides_[d];
  }
  return inIndex;
}

} // namespace tpuc
