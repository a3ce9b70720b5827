//===- TpuKernelUtils.h - Helpers shared by the Tpu kernels ------*- C++
//-*-===//
//
// Tpu tensors hold their stored values in floats: int8 codes (exact), or
// values already rounded to bf16/f16. Kernels read the quantization of each
// tensor from its MLIR type. Private to lib/Interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_INTERPRETER_TPU_TPUKERNELUTILS_H
#define TPUC_LIB_INTERPRETER_TPU_TPUKERNELUTILS_H

#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Interpreter/Kernel.h"
#include "tpuc/Quant/QuantMath.h"

namespace tpuc::tpu {

/// How values of a tensor are stored.
struct Storage {
  bool quantized = false;
  double scale = 1.0;
  int64_t zeroPoint = 0;
  int64_t qmin = -128, qmax = 127;
  /// For float tensors: round to bf16 / f16 (f32 otherwise).
  bool bf16 = false, f16 = false;
  /// Plain integer tensors (indices).
  bool integer = false;

  /// Brings a computed value to what this storage holds.
  float store(double value) const;
};
Storage getStorage(mlir::Value value);

/// Rounds every element of `tensor` to the storage of `value` (bf16/f16
/// rounding; for quantized tensors round half away from zero and saturate).
void roundToStorage(mlir::Value value, Tensor &tensor);

/// Runs the Top kernel `topName` on `args` as if `op` were that Top op with
/// attributes `attrs` (operands and result types as `op`'s). Data movement
/// and float Tpu ops compute exactly like their Top counterparts, so this
/// shares those kernels instead of copying them.
mlir::LogicalResult runAsTop(mlir::Operation *op, llvm::StringRef topName,
                             llvm::ArrayRef<mlir::NamedAttribute> attrs,
                             KernelArgs &args);
/// runAsTop with `op`'s own attributes.
mlir::LogicalResult runAsTop(mlir::Operation *op, llvm::StringRef topName,
                             KernelArgs &args);

/// The rounding mode an op names (HalfAwayFromZero when absent).
quantmath::RoundMode getRoundMode(mlir::Operation *op);

/// Applies do_relu/relu_limit (in real units) to stored int8 values of
/// `storage`: codes below the zero point become it, codes above the limit
/// the limit's code.
void applyQuantizedRelu(const Storage &storage, bool doRelu, double reluLimit,
                        Tensor &tensor);

/// Raw integer data of a weight operand (si32 biases do not survive float).
mlir::FailureOr<std::vector<int64_t>> readIntWeight(mlir::Value value);

void registerTpuNNKernels(KernelRegistry &registry);
void registerTpuElementwiseKernels(KernelRegistry &registry);
void registerTpuShapeKernels(KernelRegistry &registry);
void registerTpuQuantKernels(KernelRegistry &registry);

} // namespace tpuc::tpu

#endif // TPUC_LIB_INTERPRETER_TPU_TPUKERNELUTILS_H
