//===- Interpreter.cpp - Executes a module on the host --------------------===//

#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Interpreter/Kernel.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace tpuc {

FailureOr<std::unique_ptr<Interpreter>> Interpreter::create(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main) {
    auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
    if (funcs.size() != 1)
      return module.emitError("the module has no 'main' function to run");
    main = funcs.front();
  }
  std::unique_ptr<Interpreter> interp(new Interpreter(module, main));
  if (failed(interp->prepare()))
    return failure();
  return interp;
}

LogicalResult Interpreter::prepare() {
  if (main_.getBody().getBlocks().size() != 1)
    return main_.emitError("only single-block functions can be run");
  const KernelRegistry &registry = getKernelRegistry();
  for (Operation &op : main_.getBody().front()) {
    if (isa<func::ReturnOp, top::NoneOp>(op))
      continue;
    for (Value result : op.getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || !type.hasStaticShape())
        return op.emitOpError()
               << "result '" << top::getTensorName(result)
               << "' has no static shape; run --shape-infer first";
    }
    if (auto input = dyn_cast<top::InputOp>(op)) {
      inputNames_.push_back(top::getOpName(&op));
      auto shape = top::getShape(input.getOutput());
      inputShapes_.emplace_back(shape.begin(), shape.end());
      continue;
    }
    if (auto weight = dyn_cast<top::WeightOp>(op)) {
      auto data = top::readWeightAsFloat(weight);
      if (failed(data))
        return failure();
      auto tensor = std::make_shared<Tensor>();
      auto shape = top::getShape(weight.getOutput());
      tensor->shape.assign(shape.begin(), shape.end());
      tensor->data = std::move(*data);
      weights_[&op] = std::move(tensor);
      continue;
    }
    if (!registry.lookup(op.getName().getStringRef()))
      return op.emitOpError("has no interpreter kernel");
  }
  for (Value v : main_.getBody().front().getTerminator()->getOperands())
    outputNames_.push_back(top::getTensorName(v));
  return success();
}

const Tensor *Interpreter::getWeight(Operation *weightOp) const {
  auto it = weights_.find(weightOp);
  return it == weights_.end() ? nullptr : it->second.get();
}

LogicalResult Interpreter::runOp(Operation *op,
                                 ArrayRef<const Tensor *> operands,
                                 std::vector<Tensor> &results) const {
  if (operands.size() != op->getNumOperands())
    return op->emitOpError()
           << "got " << operands.size() << " operand tensors, expected "
           << op->getNumOperands();
  const KernelFn *kernel =
      getKernelRegistry().lookup(op->getName().getStringRef());
  if (!kernel)
    return op->emitOpError("has no interpreter kernel");
  KernelArgs args;
  args.inputs.assign(operands.begin(), operands.end());
  results.clear();
  results.reserve(op->getNumResults());
  for (Value result : op->getResults())
    results.emplace_back(top::getShape(result));
  args.outputs = results;
  return (*kernel)(op, args);
}

LogicalResult Interpreter::run(const TensorMap &inputs, TensorMap &results,
                               bool keepAll) {
  RunOptions options;
  options.keepAll = keepAll;
  return run(inputs, results, options);
}

LogicalResult Interpreter::run(const TensorMap &inputs, TensorMap &results,
                               const RunOptions &options) {
  bool keepAll = options.keepAll;
  const KernelRegistry &registry = getKernelRegistry();
  Block &body = main_.getBody().front();
  Operation *terminator = body.getTerminator();

  // Remaining uses of each value, so intermediate tensors are freed as soon
  // as their last consumer ran.
  llvm::DenseMap<Value, std::shared_ptr<Tensor>> values;
  llvm::DenseMap<Value, unsigned> pendingUses;
  for (Operation &op : body)
    for (Value operand : op.getOperands())
      ++pendingUses[operand];

  auto release = [&](Operation &op) {
    if (keepAll)
      return;
    for (Value operand : op.getOperands())
      if (--pendingUses[operand] == 0)
        values.erase(operand);
  };

  for (Operation &op : body) {
    if (&op == terminator || isa<top::NoneOp>(op))
      continue;
    if (auto weight = dyn_cast<top::WeightOp>(op)) {
      values[weight.getOutput()] = weights_.lookup(&op);
      continue;
    }
    if (auto input = dyn_cast<top::InputOp>(op)) {
      std::string name = top::getOpName(&op);
      auto it = inputs.find(name);
      if (it == inputs.end()) {
        std::vector<std::string> have;
        for (auto &entry : inputs)
          have.push_back(entry.first);
        return op.emitError() << "input '" << name
                              << "' is missing from the inputs (they have: "
                              << llvm::join(have, ", ") << ")";
      }
      auto shape = top::getShape(input.getOutput());
      if (it->second.numel() != Tensor::numelOf(shape))
        return op.emitError()
               << "input '" << name << "' has shape "
               << top::shapeToString(it->second.shape) << " but the model "
               << "expects " << top::shapeToString(shape);
      auto tensor = std::make_shared<Tensor>(it->second);
      tensor->shape.assign(shape.begin(), shape.end());
      if (options.onResult)
        options.onResult(input.getOutput(), *tensor);
      values[input.getOutput()] = std::move(tensor);
      continue;
    }

    KernelArgs args;
    for (Value operand : op.getOperands()) {
      if (isa<NoneType>(operand.getType())) {
        args.inputs.push_back(nullptr);
        continue;
      }
      auto it = values.find(operand);
      if (it == values.end())
        return op.emitOpError("uses a value that was not computed");
      args.inputs.push_back(it->second.get());
    }
    std::vector<Tensor> outputs;
    outputs.reserve(op.getNumResults());
    for (Value result : op.getResults())
      outputs.emplace_back(top::getShape(result));
    args.outputs = outputs;
    const KernelFn *kernel = registry.lookup(op.getName().getStringRef());
    if (!kernel)
      return op.emitOpError("has no interpreter kernel");
    if (failed((*kernel)(&op, args)))
      return failure();
    for (auto [result, tensor] : llvm::zip(op.getResults(), outputs)) {
      if (options.onResult)
        options.onResult(result, tensor);
      values[result] = std::make_shared<Tensor>(std::move(tensor));
    }
    release(op);
  }

  if (keepAll) {
    for (auto &[value, tensor] : values) {
      if (value.getDefiningOp<top::WeightOp>())
        continue;
      std::string name = top::getTensorName(value);
      if (!name.empty())
        results[name] = *tensor;
    }
  }
  for (auto [i, value] : llvm::enumerate(terminator->getOperands())) {
    std::string name = outputNames_[i].empty() ? "output_" + std::to_string(i)
                                               : outputNames_[i];
    auto it = values.find(value);
    if (it == values.end())
      return terminator->emitOpError("returns a value that was not computed");
    results[name] = *it->second;
  }
  return success();
}

} // namespace tpuc
