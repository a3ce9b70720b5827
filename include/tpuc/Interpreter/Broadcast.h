//===- Broadcast.h - numpy broadcasting helpers for kernels ------*- C++
//-*-===//

#ifndef TPUC_INTERPRETER_BROADCAST_H
#define TPUC_INTERPRETER_BROADCAST_H

#include "tpuc/Interpreter/Tensor.h"

namespace tpuc {

/// Maps each flat index of `outShape` to the flat index of an operand of
/// shape `inShape` broadcast to it (numpy rules, right-aligned).
class BroadcastIndexer {
public:
  BroadcastIndexer(llvm::ArrayRef<int64_t> inShape,
                   llvm::ArrayRef<int64_t> outShape);
  int64_t operator()(int64_t outIndex) const;
  /// True when the operand already has the output's shape.
  bool isIdentity() const { return identity_; }

private:
  llvm::SmallVector<int64_t, 6> outStrides_;
  llvm::SmallVector<int64_t, 6> inStrides_; // 0 on broadcast dims
  llvm::SmallVector<int64_t, 6> outDims_;
  bool identity_ = false;
};

} // namespace tpuc

#endif // TPUC_INTERPRETER_BROADCAST_H
