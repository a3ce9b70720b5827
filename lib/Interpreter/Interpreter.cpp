//===- Interpreter.cpp - Executes a module on the host --------------------===//
//
// run() executes `main`'s ops in order. Every op but top.Conv and tpu.Conv2D
// goes through its kernel in the KernelRegistry; those two, and with no
// observer the ops that read a Conv result in its oneDNN layout, run on
// paths of their own (TopRunPaths.cpp, TpuRunPaths.cpp). This file is the
// driver: Interpreter's create/prepare/run/runOp, the resources kept between
// runs, and the Runner's loop over the ops, kernel path and bookkeeping of
// the values' slots (the Runner is declared in Runner.h). Whatever the
// options, buffers of dead tensors are recycled through a pool kept between
// runs, and results of kernels known to overwrite them are not zero-filled
// first.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Interpreter/Interpreter.h"
#include "Runner.h"
#include "Top/DnnlUtils.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Interpreter/Kernel.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <atomic>

using namespace mlir;
namespace du = tpuc::dnnl_utils;

namespace tpuc {
namespace detail {
namespace {

/// Ops whose kernels write every element of their results on success, so
/// the interpreter hands them recycled buffers without zero-filling them
/// (the other kernels may rely on KernelArgs' zero-filled results).
/// InterpreterFastPathTest runs each of them on recycled buffers.
bool writesWholeResults(Operation *op) {
  static const llvm::StringSet<> names = {
      // NNKernels.cpp, ActivationKernels.cpp
      "top.Conv", "top.Deconv", "top.MatMul", "top.Relu", "top.LeakyRelu",
      "top.PRelu", "top.Clip", "top.Sigmoid", "top.SiLU", "top.HardSigmoid",
      "top.HardSwish", "top.Mish", "top.GELU", "top.Tanh", "top.Exp", "top.Log",
      "top.Sqrt", "top.Abs", "top.Erf", "top.Elu", "top.Softplus",
      // ElementwiseKernels.cpp: runBinary and runUnary
      "top.Add", "top.Sub", "top.Mul", "top.Max", "top.Min", "top.AddConst",
      "top.MulConst",
      // ShapeKernels.cpp, ResizeKernels.cpp
      "top.Concat", "top.Split", "top.Reshape", "top.Flatten", "top.Squeeze",
      "top.Unsqueeze", "top.Permute", "top.Upsample"};
  return names.contains(op->getName().getStringRef());
}

} // namespace

void Runner::recycle(Slot &slot) {
  if (slot.owned && slot.plain && slot.plain.use_count() == 1)
    pool_.give(std::move(slot.plain->data));
  slot.plain.reset();
  pool_.give(std::move(slot.blocked));
}

void Runner::store(Value value, std::shared_ptr<Tensor> tensor, bool owned) {
  Slot &slot = slots_[value];
  recycle(slot);
  slot.plain = std::move(tensor);
  slot.owned = owned;
}

void Runner::release(Operation &op) {
  if (options_.keepAll)
    return;
  for (Value operand : op.getOperands()) {
    auto uses = pendingUses_.find(operand);
    if (uses == pendingUses_.end() || --uses->second != 0)
      continue;
    auto it = slots_.find(operand);
    if (it == slots_.end())
      continue;
    recycle(it->second);
    slots_.erase(it);
  }
}

const Tensor *Runner::plainOf(Value value) {
  auto it = slots_.find(value);
  if (it == slots_.end())
    return nullptr;
  Slot &slot = it->second;
  if (!slot.plain) {
    auto shape = top::getShape(value);
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(shape.begin(), shape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(shape), false);
    du::reorderInto(du::wrap(slot.layout, slot.blocked.data()),
                    du::wrap(du::plainDesc(shape), tensor->ptr()));
    du::cpuStream().wait();
    slot.plain = std::move(tensor);
    slot.owned = true;
  }
  return slot.plain.get();
}

LogicalResult Runner::bindInput(top::InputOp input, const TensorMap &inputs) {
  std::string name = top::getOpName(input);
  auto it = inputs.find(name);
  if (it == inputs.end()) {
    std::vector<std::string> have;
    for (auto &entry : inputs)
      have.push_back(entry.first);
    return input.emitError()
           << "input '" << name << "' is missing from the inputs (they have: "
           << llvm::join(have, ", ") << ")";
  }
  auto shape = top::getShape(input.getOutput());
  const Tensor &given = it->second;
  if (given.numel() != Tensor::numelOf(shape))
    return input.emitError()
           << "input '" << name << "' has shape "
           << top::shapeToString(given.shape) << " but the model "
           << "expects " << top::shapeToString(shape);
  // Kernels only read their operands, so the caller's tensor is used as is
  // unless it needs the model's shape or the hook may change it.
  if (!options_.onResult && ArrayRef<int64_t>(given.shape) == shape) {
    store(input.getOutput(),
          std::shared_ptr<Tensor>(std::shared_ptr<Tensor>(),
                                  const_cast<Tensor *>(&given)),
          /*owned=*/false);
    return success();
  }
  auto tensor = std::make_shared<Tensor>();
  tensor->shape.assign(shape.begin(), shape.end());
  tensor->data = pool_.takeVector(given.data.size(), false);
  std::copy(given.data.begin(), given.data.end(), tensor->data.begin());
  if (options_.onResult)
    options_.onResult(input.getOutput(), *tensor);
  store(input.getOutput(), std::move(tensor), /*owned=*/true);
  return success();
}

dnnl::memory Runner::memoryOf(Slot &slot, ArrayRef<int64_t> shape) {
  if (!slot.blocked.empty())
    return du::wrap(slot.layout, slot.blocked.data());
  return du::wrap(du::plainDesc(shape), slot.plain->ptr());
}

void Runner::storeResult(Value value, std::shared_ptr<Tensor> plain,
                         AlignedBuffer &&blocked,
                         const dnnl::memory::desc &desc) {
  if (plain) {
    store(value, std::move(plain), /*owned=*/true);
  } else {
    storeLayout(value, std::move(blocked), desc);
    if (observed_) {
      Slot &slot = slots_[value];
      plainOf(value);
      pool_.give(std::move(slot.blocked));
    }
  }
  Slot &slot = slots_[value];
  if (options_.onResult && slot.plain)
    options_.onResult(value, *slot.plain);
}

void Runner::storeLayout(Value value, AlignedBuffer &&buffer,
                         const dnnl::memory::desc &desc) {
  Slot &slot = slots_[value];
  recycle(slot);
  slot.blocked = std::move(buffer);
  slot.layout = desc;
}

LogicalResult Runner::runKernel(Operation &op) {
  const KernelFn *kernel =
      getKernelRegistry().lookup(op.getName().getStringRef());
  if (!kernel)
    return op.emitOpError("has no interpreter kernel");
  KernelArgs args;
  for (Value operand : op.getOperands()) {
    if (isa<NoneType>(operand.getType())) {
      args.inputs.push_back(nullptr);
      continue;
    }
    const Tensor *tensor = plainOf(operand);
    if (!tensor)
      return op.emitOpError("uses a value that was not computed");
    args.inputs.push_back(tensor);
  }
  bool zeroed = !writesWholeResults(&op);
  std::vector<Tensor> outputs(op.getNumResults());
  for (auto [result, tensor] : llvm::zip(op.getResults(), outputs)) {
    auto shape = top::getShape(result);
    tensor.shape.assign(shape.begin(), shape.end());
    tensor.data = pool_.takeVector(Tensor::numelOf(shape), zeroed);
  }
  args.outputs = outputs;
  if (failed((*kernel)(&op, args))) {
    for (Tensor &tensor : outputs)
      pool_.give(std::move(tensor.data));
    return failure();
  }
  for (auto [result, tensor] : llvm::zip(op.getResults(), outputs)) {
    if (options_.onResult)
      options_.onResult(result, tensor);
    store(result, std::make_shared<Tensor>(std::move(tensor)), /*owned=*/true);
  }
  return success();
}

LogicalResult Runner::run(const TensorMap &inputs, TensorMap &results,
                          ArrayRef<std::string> outputNames) {
  Operation *terminator = body_.getTerminator();
  // Absorbed activation -> the Conv that applies it.
  llvm::DenseMap<Operation *, Operation *> absorbed;
  if (fused_)
    for (auto &entry : *fused_)
      absorbed[entry.second] = entry.first;
  llvm::SmallPtrSet<Operation *, 16> skipped;
  // Binds the op's results to given tensors; false if any is not given.
  auto bindGiven = [&](Operation &op) {
    if (!options_.given || op.getNumResults() == 0)
      return false;
    llvm::SmallVector<const Tensor *, 2> tensors;
    for (Value result : op.getResults()) {
      const Tensor *tensor = options_.given(result);
      if (!tensor)
        return false;
      tensors.push_back(tensor);
    }
    for (auto [result, tensor] : llvm::zip(op.getResults(), tensors))
      store(result,
            std::shared_ptr<Tensor>(std::shared_ptr<Tensor>(),
                                    const_cast<Tensor *>(tensor)),
            /*owned=*/false);
    skipped.insert(&op);
    return true;
  };

  for (Operation &op : body_) {
    if (&op == terminator || isa<top::NoneOp>(op))
      continue;
    if (auto weight = dyn_cast<top::WeightOp>(op)) {
      store(weight.getOutput(), weights_.lookup(&op), /*owned=*/false);
      continue;
    }
    if (auto input = dyn_cast<top::InputOp>(op)) {
      if (failed(bindInput(input, inputs)))
        return failure();
      continue;
    }
    if (bindGiven(op)) {
      release(op);
      continue;
    }
    // An activation applied by its Conv: its result is already there,
    // unless the Conv was given and did not run.
    if (auto conv = absorbed.find(&op);
        conv != absorbed.end() && !skipped.contains(conv->second)) {
      release(op);
      continue;
    }
    if (auto conv = dyn_cast<top::ConvOp>(op)) {
      if (failed(runConv(conv)))
        return failure();
      release(op);
      continue;
    }
    if (auto conv = dyn_cast<tpu::Conv2DOp>(op)) {
      if (failed(runTpuConv(conv)))
        return failure();
      release(op);
      continue;
    }
    if (!observed_ && runWithLayouts(op)) {
      release(op);
      continue;
    }
    if (failed(runKernel(op)))
      return failure();
    release(op);
  }

  if (options_.keepAll) {
    for (auto &[value, slot] : slots_) {
      if (value.getDefiningOp<top::WeightOp>())
        continue;
      std::string name = top::getTensorName(value);
      if (!name.empty())
        results[name] = *plainOf(value);
    }
  }
  auto returned = terminator->getOperands();
  for (auto [i, value] : llvm::enumerate(returned)) {
    std::string name =
        outputNames[i].empty() ? "output_" + std::to_string(i) : outputNames[i];
    const Tensor *tensor = plainOf(value);
    if (!tensor)
      return terminator->emitOpError("returns a value that was not computed");
    // A tensor of this run that is not returned again can be handed over.
    Slot &slot = slots_[value];
    bool returnedAgain = llvm::is_contained(returned.drop_front(i + 1), value);
    if (slot.owned && slot.plain.use_count() == 1 && !returnedAgain) {
      results[name] = std::move(*slot.plain);
      slot.plain.reset();
    } else {
      results[name] = *tensor;
    }
  }
  return success();
}

} // namespace detail

static uint64_t nextInterpreterId() {
  static std::atomic<uint64_t> next{1};
  return next++;
}

Interpreter::Interpreter(ModuleOp module, func::FuncOp main)
    : module_(module), main_(main), id_(nextInterpreterId()) {}

Interpreter::~Interpreter() = default;

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
  Block &body = main_.getBody().front();
  for (Operation &op : body) {
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
  for (Value v : body.getTerminator()->getOperands())
    outputNames_.push_back(top::getTensorName(v));

  // A Conv result used only by an activation need never exist on its own.
  for (Operation &op : body) {
    auto conv = dyn_cast<top::ConvOp>(op);
    if (!conv || !conv.getOutput().hasOneUse())
      continue;
    Operation *user = *conv.getOutput().getUsers().begin();
    if (user->getBlock() != &body || user->getNumOperands() != 1 ||
        user->getNumResults() != 1 || !du::activationAsPostOp(user) ||
        user->getResult(0).getType() != conv.getOutput().getType())
      continue;
    fusedActivations_[conv] = user;
  }
  return success();
}

std::unique_ptr<detail::RunResources> Interpreter::takeResources() {
  std::lock_guard<std::mutex> lock(resourcesMutex_);
  const std::thread::id self = std::this_thread::get_id();
  for (size_t i = idleResources_.size(); i-- > 0;)
    if (idleResources_[i]->owner == self) {
      auto resources = std::move(idleResources_[i]);
      idleResources_.erase(idleResources_.begin() + i);
      return resources;
    }
  return std::make_unique<detail::RunResources>();
}

void Interpreter::returnResources(
    std::unique_ptr<detail::RunResources> resources) {
  resources->pool.trim();
  std::lock_guard<std::mutex> lock(resourcesMutex_);
  // Threads that ran once and ended must not pin memory forever: keep the
  // most recent few.
  constexpr size_t kMaxIdle = 8;
  if (idleResources_.size() >= kMaxIdle)
    idleResources_.erase(idleResources_.begin());
  idleResources_.push_back(std::move(resources));
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
  // Operands that are this interpreter's own weights may be cached by the
  // kernels (the sensitivity pass of run_qtable calls this many times).
  args.weightsOwner = id_;
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    Operation *def = operand.getDefiningOp();
    if (i < 32 && def && isa<top::WeightOp>(def) && operands[i] &&
        operands[i] == weights_.lookup(def).get())
      args.constantInputs |= 1u << i;
  }
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
  std::unique_ptr<detail::RunResources> resources = takeResources();
  LogicalResult status = success();
  {
    detail::Runner runner(main_.getBody().front(), options, weights_,
                          fusedActivations_, *resources);
    status = runner.run(inputs, results, outputNames_);
  }
  returnResources(std::move(resources));
  return status;
}

} // namespace tpuc
