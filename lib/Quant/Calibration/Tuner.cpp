//===- Tuner.cpp - Per-layer threshold tuning by fake quantization --------===//

#include "tpuc/Quant/Calibration/Tuner.h"
#include "Parallel.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Quant/Calibration/FakeQuant.h"

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

/// Sums fn(i) over [0, n) deterministically: in float over blocks of 256
/// elements (so that it vectorizes, 4 lanes wide), the blocks in double.
template <typename F> static double sumOver(int64_t n, F fn) {
  std::vector<double> partial(numChunks(n));
  forEachChunk(n, [&](int64_t c, int64_t begin, int64_t end) {
    double total = 0;
    for (int64_t block = begin; block < end; block += 256) {
      const int64_t stop = std::min(block + 256, end);
      float sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t i = block; i < stop; ++i)
        sum += fn(i);
      total += sum;
    }
    partial[c] = total;
  });
  double total = 0;
  for (double p : partial)
    total += p;
  return total;
}

/// ||ref||_1 over every result of the op.
static double absoluteSum(ArrayRef<const Tensor *> refs) {
  double total = 0;
  for (const Tensor *ref : refs) {
    const float *r = ref->ptr();
    total += sumOver(ref->numel(), [r](int64_t i) { return std::fabs(r[i]); });
  }
  return total;
}

/// ||ref - out||_2^2 over every result of the op.
static double squaredError(ArrayRef<const Tensor *> refs,
                           ArrayRef<Tensor> outputs) {
  double total = 0;
  for (auto [ref, out] : llvm::zip(refs, outputs)) {
    const float *r = ref->ptr(), *o = out.ptr();
    total += sumOver(std::min(ref->numel(), out.numel()), [r, o](int64_t i) {
      float d = r[i] - o[i];
      return d * d;
    });
  }
  return total;
}

LogicalResult Tuner::runTask(Task &task,
                             const llvm::DenseMap<Value, Tensor> &captured) {
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
  // The reference's distance ||ref - out||_2 / ||ref||_1; the denominator
  // is the same for every candidate.
  const double scale = absoluteSum(refs);
  if (!(scale > 0))
    return success();
  std::vector<Tensor> outputs;
  for (int k = 0; k < kCandidates; ++k) {
    fakeQuantizeActivation(source->second.ptr(), candidate.ptr(),
                           candidate.numel(), task.candidates[k]);
    if (failed(interpreter_.runOp(op, operands, outputs)))
      return failure();
    task.distance[k] += std::sqrt(squaredError(refs, outputs)) / scale;
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
