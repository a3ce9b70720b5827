//===- Tensor.cpp - Dense tensors of the interpreter ----------------------===//

#include "tpuc/Interpreter/Tensor.h"
#include "tpuc/Support/Npz.h"

namespace tpuc {

llvm::SmallVector<int64_t, 4> stridesOf(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

Tensor tensorFromArray(const NpyArray &array) {
  return tensorFromArray(array, array.shape);
}

Tensor tensorFromArray(const NpyArray &array, llvm::ArrayRef<int64_t> shape) {
  Tensor tensor;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.data = array.toFloat();
  return tensor;
}

} // namespace tpuc
