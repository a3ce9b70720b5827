//===- Tensor.cpp - Dense tensors of the interpreter ----------------------===//

#include "tpuc/Interpreter/Tensor.h"

namespace tpuc {

llvm::SmallVector<int64_t, 4> stridesOf(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

} // namespace tpuc
