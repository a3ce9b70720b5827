//===- Tuner.h - Per-layer threshold tuning by fake quantization -*- C++
//-*-===//
//
// After the statistics, the reference tunes thresholds layer by layer: for
// an op, one of its activation inputs (each input at its first consumer;
// the first input again where every input already had its turn) is
// fake-quantized with candidate thresholds from its current one up to its
// abs max in 21 equal steps (22 candidates), the op alone runs on the
// candidate input, its other inputs fake-quantized at their thresholds and
// its Conv/Deconv/MatMul weights fake-quantized per channel, and the output
// is compared with the float output of the float inputs. The candidate with
// the smallest mean distance ||ref - out||_2 / ||ref||_1 over the tune
// samples wins; a threshold is only ever raised. Tensors whose abs max is
// within 0.01 of their threshold are not tuned.
//
// Unlike the reference, samples are the outer loop, so only one sample's
// activations are in memory at a time; consequently every op's other inputs
// use their untuned thresholds, which also makes the result independent of
// the order in which tensors are tuned.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_TUNER_H
#define TPUC_QUANT_CALIBRATION_TUNER_H

#include "tpuc/Interpreter/Interpreter.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace tpuc::calibration {

class Tuner {
public:
  /// Candidates per tuned tensor, both ends included.
  static constexpr int kCandidates = 22;
  /// The reference's min_tuned_diff.
  static constexpr double kMinTunedDiff = 0.01;

  /// `tensors` are the calibrated values, `thresholds` and `absMax` their
  /// statistics by the same index.
  Tuner(Interpreter &interpreter, llvm::ArrayRef<mlir::Value> tensors,
        llvm::ArrayRef<double> thresholds, llvm::ArrayRef<double> absMax);

  /// Number of (op, tensor) evaluations per sample.
  size_t numTasks() const { return tasks_.size(); }

  /// Runs one sample through the network and scores every candidate of
  /// every task on it. Interpreter errors are emitted as diagnostics.
  mlir::LogicalResult addSample(const TensorMap &inputs);

  /// The tuned thresholds by tensor index: the starting ones where nothing
  /// better was found or nothing was tuned. `raised[i]` tells whether
  /// tensor i's threshold went up.
  std::vector<double> finish(std::vector<bool> *raised = nullptr) const;

private:
  struct Task {
    mlir::Operation *op;
    unsigned tensor;
    double candidates[kCandidates];
    double distance[kCandidates] = {};
  };
  mlir::LogicalResult
  runTask(Task &task, const llvm::DenseMap<mlir::Value, Tensor> &captured);

  Interpreter &interpreter_;
  std::vector<mlir::Value> tensors_;
  llvm::DenseMap<mlir::Value, unsigned> index_;
  std::vector<double> thresholds_;
  std::vector<Task> tasks_;
  /// Fake-quantized weights of the tasks' ops, by (op, operand).
  llvm::DenseMap<std::pair<mlir::Operation *, unsigned>, Tensor> weights_;
  /// The values runTask reads: the tasks' operands and results.
  llvm::DenseSet<mlir::Value> needed_;
  size_t samples_ = 0;
};

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_TUNER_H
