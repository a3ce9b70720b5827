//===- KernelUtils.h - Helpers shared by the Top kernels ---------*- C++
//-*-===//

#ifndef TPUC_LIB_INTERPRETER_TOP_KERNELUTILS_H
#define TPUC_LIB_INTERPRETER_TOP_KERNELUTILS_H

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Kernel.h"

namespace tpuc {

/// Loops over fewer elements are not worth waking the thread pool for.
constexpr int64_t kParallelThreshold = 1 << 16;

/// Checks that an element-wise unary op has one tensor operand of its
/// result's shape.
inline mlir::LogicalResult checkUnaryOperand(mlir::Operation *op,
                                             KernelArgs &args) {
  if (!args.has(0))
    return op->emitOpError("operand 0 must be a tensor");
  const Tensor &in = args.in(0);
  const Tensor &out = args.out();
  if (in.shape != out.shape)
    return op->emitOpError()
           << "result shape " << top::shapeToString(out.shape)
           << " differs from the input shape " << top::shapeToString(in.shape);
  return mlir::success();
}

/// out = fn(input) for the ops with one tensor operand of the result's shape.
template <typename F>
mlir::LogicalResult runUnary(mlir::Operation *op, KernelArgs &args, F fn) {
  if (mlir::failed(checkUnaryOperand(op, args)))
    return mlir::failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  const float *x = in.ptr();
  float *o = out.ptr();
  int64_t n = out.numel();
#pragma omp parallel for if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i)
    o[i] = fn(x[i]);
  return mlir::success();
}

} // namespace tpuc

#endif // TPUC_LIB_INTERPRETER_TOP_KERNELUTILS_H
