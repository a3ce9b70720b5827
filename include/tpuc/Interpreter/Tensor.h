//===- Tensor.h - Dense tensors of the interpreter --------------*- C++ -*-===//
//
// The interpreter keeps every activation as float: Top ops compute in f32, and
// the integer and bf16 Tpu ops store their exact values (which f32 represents
// exactly for int8/int16 and bf16) while computing internally in their own
// types.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_INTERPRETER_TENSOR_H
#define TPUC_INTERPRETER_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tpuc {

struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(llvm::ArrayRef<int64_t> shape, float fill = 0.0f)
      : shape(shape.begin(), shape.end()), data(numelOf(shape), fill) {}

  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t dim(int64_t i) const { return shape[i < 0 ? i + rank() : i]; }
  float *ptr() { return data.data(); }
  const float *ptr() const { return data.data(); }

  static int64_t numelOf(llvm::ArrayRef<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// Named tensors, ordered by name for deterministic output files.
using TensorMap = std::map<std::string, Tensor>;

/// Row-major strides of a shape.
llvm::SmallVector<int64_t, 4> stridesOf(llvm::ArrayRef<int64_t> shape);

struct NpyArray;
/// An array's values as f32 (NpyArray::toFloat: integers by value), in its
/// own shape or in `shape` (the same element count).
Tensor tensorFromArray(const NpyArray &array);
Tensor tensorFromArray(const NpyArray &array, llvm::ArrayRef<int64_t> shape);

} // namespace tpuc

#endif // TPUC_INTERPRETER_TENSOR_H
