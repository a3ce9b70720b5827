//===- Interpreter.h - Executes a module on the host ------------*- C++ -*-===//
//
// Runs a module's `main` function op by op with the kernels of the
// KernelRegistry. Top ops execute their float reference implementation; Tpu
// ops their chip-exact arithmetic. Results are returned by tensor name.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_INTERPRETER_INTERPRETER_H
#define TPUC_INTERPRETER_INTERPRETER_H

#include "tpuc/Interpreter/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace tpuc {

namespace detail {
/// What run() keeps between runs: recycled buffers, each Conv's primitive
/// and reordered weights (lib/Interpreter/Runner.h).
struct RunResources;
} // namespace detail

/// How Interpreter::run treats the tensors it computes. With neither option
/// set, run() may skip materializing tensors nobody can observe (a Conv result
/// whose only user is an activation is never stored; see
/// docs/Interpreter.md); with either, every op runs on its own.
struct RunOptions {
  /// Return every named tensor, not only the outputs.
  bool keepAll = false;
  /// Called once for every `top.Input` result and every op result, right
  /// after it is computed and before any consumer reads it. The hook may
  /// change the tensor in place (fake quantization, error injection); the
  /// consumers then see the changed values. Weights are not reported.
  std::function<void(mlir::Value, Tensor &)> onResult;
  /// Values the caller already has: an op whose results are all given is
  /// not run, and its consumers read the given tensors (which must outlive
  /// the run and have the values' shapes). Null (or a null tensor) means
  /// computed. run_qtable's sensitivity pass gives everything upstream of
  /// the one layer it changes, so only the ops that layer reaches run, on
  /// the interpreter's fused and layout paths.
  std::function<const Tensor *(mlir::Value)> given;
};

class Interpreter {
public:
  /// Checks that `main` exists, every shape is static and every op has a
  /// kernel; errors are emitted on the offending op.
  static mlir::FailureOr<std::unique_ptr<Interpreter>>
  create(mlir::ModuleOp module);
  ~Interpreter();

  /// Names of the network inputs (the `top.Input` ops, in argument order).
  llvm::ArrayRef<std::string> getInputNames() const { return inputNames_; }
  /// Shapes of those inputs.
  llvm::ArrayRef<llvm::SmallVector<int64_t, 4>> getInputShapes() const {
    return inputShapes_;
  }
  /// Names of the values `main` returns.
  llvm::ArrayRef<std::string> getOutputNames() const { return outputNames_; }

  /// Runs the network. `inputs` is keyed by input name; each must have the
  /// input's element count (its shape may differ only by size-1 dims).
  /// `results` receives the outputs, or every named tensor when `keepAll`.
  /// Concurrent calls are safe; each then uses its own buffers and caches.
  mlir::LogicalResult run(const TensorMap &inputs, TensorMap &results,
                          bool keepAll = false);
  mlir::LogicalResult run(const TensorMap &inputs, TensorMap &results,
                          const RunOptions &options);

  /// Runs the kernel of one op of `main` on the given operand tensors
  /// (nullptr for `none` operands; weights may be taken from getWeight).
  /// `results` receives one tensor per op result.
  mlir::LogicalResult runOp(mlir::Operation *op,
                            llvm::ArrayRef<const Tensor *> operands,
                            std::vector<Tensor> &results) const;

  /// The float data of a `top.Weight` op of `main`, or nullptr.
  const Tensor *getWeight(mlir::Operation *weightOp) const;

  /// The function being run.
  mlir::func::FuncOp getFunction() const { return main_; }

private:
  explicit Interpreter(mlir::ModuleOp module, mlir::func::FuncOp main);
  mlir::LogicalResult prepare();
  std::unique_ptr<detail::RunResources> takeResources();
  void returnResources(std::unique_ptr<detail::RunResources> resources);

  mlir::ModuleOp module_;
  mlir::func::FuncOp main_;
  /// Names this interpreter's weights in kernels' caches (KernelArgs).
  uint64_t id_;
  std::vector<std::string> inputNames_;
  std::vector<llvm::SmallVector<int64_t, 4>> inputShapes_;
  std::vector<std::string> outputNames_;
  /// Weights converted to float once, by op.
  llvm::DenseMap<mlir::Operation *, std::shared_ptr<Tensor>> weights_;
  /// Conv ops whose result's only user is an activation that oneDNN can
  /// apply as a post-op, mapped to that activation.
  llvm::DenseMap<mlir::Operation *, mlir::Operation *> fusedActivations_;
  /// Resources of finished runs, for the next ones.
  std::mutex resourcesMutex_;
  std::vector<std::unique_ptr<detail::RunResources>> idleResources_;
};

} // namespace tpuc

#endif // TPUC_INTERPRETER_INTERPRETER_H
