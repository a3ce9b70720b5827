//===- Tuner.cpp - Per-layer threshold tuning by fake quantization --------===//

#include "tpuc/Quant/Calibration/Tuner.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Quant/Calibration/FakeQuant.h"
#include "Parallel.h"

#include "llvm/ADT/BitVector.h"

#include <cmath>

using namespace mlir;

namespace tpuc::calibration {

/// The axis a weight operand is quantized along (its output channels), -1
/// for one scale per tensor, or nullopt for weights that stay float (biases
/// and the constants of element-wise ops are not int8 on the chip).
static std::optional<int64_t> weightAxis(Operation *op, unsigned operand) {
  if (operand != 1)
    return std::nullopt;
  if (isa<top::ConvOp>(op))
    return 0;
  if (auto deconv = dyn_cast<top::DeconvOp>(op))
    return deconv.getGroup() == 1 ? 1 : -1;
  if (isa<top::MatMulOp>(op))
    return -1;
  return std::nullopt;
}

Tuner::Tuner(Interpreter &interpreter, ArrayRef<Value> tensors,
             ArrayRef<double> thresholds, ArrayRef<double> absMax)
    : interpreter_(interpreter), tensors_(tensors.begin(), tensors.end()),
      thresholds_(thresholds.begin(), thresholds.end()) {
  for (auto [i, value] : llvm::enumerate(tensors_))
    index_[value] = i;
  llvm::BitVector visited(tensors_.size());
  Block &body = interpreter_.getFunction().getBody().front();
  for (Operation &op : body) {
    if (isa<top::InputOp, top::WeightOp, top::NoneOp>(op) ||
        op.hasTrait<OpTrait::IsTerminator>())
      continue;
    SmallVector<unsigned, 4> inputs;
    for (Value operand : op.getOperands()) {
      auto it = index_.find(operand);
      if (it != index_.end() && !llvm::is_contained(inputs, it->second))
        inputs.push_back(it->second);
    }
    if (inputs.empty())
      continue;
    SmallVector<unsigned, 4> chosen;
    for (unsigned t : inputs)
      if (!visited.test(t))
        chosen.push_back(t);
    if (chosen.empty())
      chosen.push_back(inputs.front());
    for (unsigned t : chosen) {
      visited.set(t);
      double start = thresholds_[t], end = absMax[t];
      if (!(end - start > kMinTunedDiff))
        continue;
      Task task;
      task.op = &op;
      task.tensor = t;
      for (int k = 0; k < kCandidates; ++k)
        task.candidates[k] = start + (end - start) * k / (kCandidates - 1);
      tasks_.push_back(task);
    }
  }
  for (const Task &task : tasks_) {
    Operation *op = task.op;
    for (auto [k, operand] : llvm::enumerate(op->getOperands())) {
      needed_.insert(operand);
      auto weight = operand.getDefiningOp<top::WeightOp>();
      std::optional<int64_t> axis = weightAxis(op, k);
      if (!weight || !axis || weights_.count({op, k}))
        continue;
      if (const Tensor *data = interpreter_.getWeight(weight))
        weights_[{op, static_cast<unsigned>(k)}] =
            fakeQuantizeWeight(*data, *axis);
    }
    for (Value result : op->getResults())
      needed_.insert(result);
  }
}

/// ||ref - out||_2 / ||ref||_1 over every result of the op.
static double distance(ArrayRef<const Tensor *> refs,
                       ArrayRef<Tensor> outputs) {
  double squared = 0, absolute = 0;
  for (auto [ref, out] : llvm::zip(refs, outputs)) {
    const int64_t n = std::min(ref->numel(), out.numel());
    std::vector<double> sq(numChunks(n)), ab(numChunks(n));
    const float *r = ref->ptr(), *o = out.ptr();
    forEachChunk(n, [&](int64_t c, int64_t begin, int64_t end) {
      double s = 0, a = 0;
#pragma omp simd reduction(+ : s, a)
      for (int64_t i = begin; i < end; ++i) {
        double d = static_cast<double>(r[i]) - o[i];
        s += d * d;
        a += std::fabs(static_cast<double>(r[i]));
      }
      sq[c] = s;
      ab[c] = a;
    });
    for (size_t c = 0; c < sq.size(); ++c) {
      squared += sq[c];
      absolute += ab[c];
    }
  }
  return absolute > 0 ? std::sqrt(squared) / absolute : 0.0;
}

LogicalResult
Tuner::runTask(Task &task, const llvm::DenseMap<Value, Tensor> &captured) {
  Operation *op = task.op;
  const Value tuned = tensors_[task.tensor];
  auto source = captured.find(tuned);
  if (source == captured.end())
    return op->emitOpError("tuning: operand '")
           << top::getTensorName(tuned) << "' was not computed";
  Tensor candidate(source->second.shape);
  // Fake-quantized copies of the other activation inputs; reserved so that
  // the pointers below stay valid.
  std::vector<Tensor> others;
  others.reserve(op->getNumOperands());
  SmallVector<const Tensor *, 4> operands;
  for (auto [k, operand] : llvm::enumerate(op->getOperands())) {
    if (isa<NoneType>(operand.getType())) {
      operands.push_back(nullptr);
      continue;
    }
    if (auto weight = operand.getDefiningOp<top::WeightOp>()) {
      auto it = weights_.find({op, static_cast<unsigned>(k)});
      operands.push_back(it != weights_.end() ? &it->second
                                              : interpreter_.getWeight(weight));
      continue;
    }
    if (operand == tuned) {
      operands.push_back(&candidate);
      continue;
    }
    auto it = captured.find(operand);
    if (it == captured.end())
      return op->emitOpError("tuning: operand '")
             << top::getTensorName(operand) << "' was not computed";
    auto index = index_.find(operand);
    if (index == index_.end()) {
      operands.push_back(&it->second);
      continue;
    }
    others.push_back(it->second);
    fakeQuantizeActivation(it->second.ptr(), others.back().ptr(),
                           others.back().numel(), thresholds_[index->second]);
    operands.push_back(&others.back());
  }
  SmallVector<const Tensor *, 2> refs;
  for (Value result : op->getResults()) {
    auto it = captured.find(result);
    if (it == captured.end())
      return op->emitOpError("tuning: result '")
             << top::getTensorName(result) << "' was not computed";
    refs.push_back(&it->second);
  }
  std::vector<Tensor> outputs;
  for (int k = 0; k < kCandidates; ++k) {
    fakeQuantizeActivation(source->second.ptr(), candidate.ptr(),
                           candidate.numel(), task.candidates[k]);
    if (failed(interpreter_.runOp(op, operands, outputs)))
      return failure();
    task.distance[k] += distance(refs, outputs);
  }
  return success();
}

LogicalResult Tuner::addSample(const TensorMap &inputs) {
  if (tasks_.empty())
    return success();
  llvm::DenseMap<Value, Tensor> captured;
  RunOptions options;
  options.onResult = [&](Value value, Tensor &tensor) {
    if (needed_.contains(value))
      captured[value] = tensor;
  };
  TensorMap outputs;
  if (failed(interpreter_.run(inputs, outputs, options)))
    return failure();
  for (Task &task : tasks_)
    if (failed(runTask(task, captured)))
      return failure();
  ++samples_;
  return success();
}

std::vector<double> Tuner::finish(std::vector<bool> *raised) const {
  std::vector<double> result = thresholds_;
  if (raised)
    raised->assign(result.size(), false);
  if (samples_ == 0)
    return result;
  for (const Task &task : tasks_) {
    int best = 0;
    for (int k = 1; k < kCandidates; ++k)
      if (task.distance[k] < task.distance[best])
        best = k;
    double threshold = task.candidates[best];
    if (threshold > result[task.tensor]) {
      result[task.tensor] = threshold;
      if (raised)
        (*raised)[task.tensor] = true;
    }
  }
  return result;
}

} // namespace tpuc::calibration
