//===- Kernel.h - Per-op kernels of the interpreter --------------*- C++
//-*-===//
//
// A kernel computes one op from its operand tensors into preallocated result
// tensors (shaped from the op's static result types). Kernels are found by
// op name in a KernelRegistry; each group of kernels has a register function
// called from registerAllKernels(), so no static initializers are involved.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_INTERPRETER_KERNEL_H
#define TPUC_INTERPRETER_KERNEL_H

#include "tpuc/Interpreter/Tensor.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringMap.h"

#include <functional>

namespace tpuc {

struct KernelArgs {
  /// One entry per operand; nullptr for a `none` operand.
  llvm::SmallVector<const Tensor *, 4> inputs;
  /// One entry per result, already shaped and zero-filled.
  llvm::MutableArrayRef<Tensor> outputs;

  /// Inputs that are constant weights of the interpreter `weightsOwner`
  /// (bit i for inputs[i]): unchanged while that interpreter lives, so a
  /// kernel may cache what it derives from them (reordered filters) under
  /// (weightsOwner, pointer). Owners are never reused; 0 is none.
  uint64_t weightsOwner = 0;
  uint32_t constantInputs = 0;

  const Tensor &in(unsigned i) const { return *inputs[i]; }
  bool isConstant(unsigned i) const {
    return weightsOwner && i < 32 && (constantInputs >> i & 1u);
  }
  bool has(unsigned i) const { return i < inputs.size() && inputs[i]; }
  Tensor &out(unsigned i = 0) const { return outputs[i]; }
};

/// Errors are emitted on the op (they reach the user as one line naming it).
using KernelFn =
    std::function<mlir::LogicalResult(mlir::Operation *, KernelArgs &)>;

class KernelRegistry {
public:
  void add(llvm::StringRef opName, KernelFn fn) { kernels_[opName] = fn; }

  /// Registers a kernel taking the concrete op class.
  template <typename OpT, typename F> void add(F fn) {
    add(OpT::getOperationName(),
        [fn](mlir::Operation *op, KernelArgs &args) -> mlir::LogicalResult {
          return fn(llvm::cast<OpT>(op), args);
        });
  }

  const KernelFn *lookup(llvm::StringRef opName) const {
    auto it = kernels_.find(opName);
    return it == kernels_.end() ? nullptr : &it->second;
  }

private:
  llvm::StringMap<KernelFn> kernels_;
};

// Kernel groups (lib/Interpreter/Top/*.cpp).
void registerTopElementwiseKernels(KernelRegistry &registry);
void registerTopActivationKernels(KernelRegistry &registry);
void registerTopNNKernels(KernelRegistry &registry);
void registerTopPoolKernels(KernelRegistry &registry);
void registerTopNormKernels(KernelRegistry &registry);
void registerTopShapeKernels(KernelRegistry &registry);
void registerTopResizeKernels(KernelRegistry &registry);

/// The registry with every kernel tpuc has.
const KernelRegistry &getKernelRegistry();

} // namespace tpuc

#endif // TPUC_INTERPRETER_KERNEL_H
