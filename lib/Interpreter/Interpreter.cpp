//===- Interpreter.cpp - Executes a module on the host --------------------===//
//
// run() executes `main`'s ops in order. Every op but Conv goes through its
// kernel in the KernelRegistry; Conv is run here on its oneDNN primitive so
// that the interpreter can
//  - reorder each Conv's weights into the primitive's layout once, not on
//    every run;
//  - apply the activation that is a Conv result's only user as a post-op of
//    the primitive, and skip the activation op;
//  - leave a Conv result in the layout the primitive wrote (NHWC, blocked)
//    until an op that needs row-major data reads it, so that chains of Convs
//    do not convert to row-major and back. Add, Concat, Upsample, Reshape and
//    Permute have versions here that work on such layouts.
// The last two change which tensors exist, so they only happen when nobody
// observes tensors (no RunOptions::keepAll or onResult). Whatever the options,
// buffers of dead tensors are recycled through a pool kept between runs, and
// results of kernels known to overwrite them are not zero-filled first.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Interpreter/Interpreter.h"
#include "Top/DnnlUtils.h"
#include "Top/KernelUtils.h"
#include "Tpu/TpuConvPlan.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Interpreter/Kernel.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>

using namespace mlir;
namespace du = tpuc::dnnl_utils;

namespace tpuc {
namespace {

/// Uninitialized float storage aligned for oneDNN's vector kernels (a
/// std::vector's data is only 16-byte aligned), for tensors in oneDNN
/// layouts, which only the interpreter touches.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t count) : count_(count) {
    size_t bytes = (count * sizeof(float) + kAlign - 1) / kAlign * kAlign;
    data_.reset(static_cast<float *>(std::aligned_alloc(kAlign, bytes)));
    if (!data_)
      throw std::bad_alloc();
  }
  float *data() const { return data_.get(); }
  size_t capacity() const { return data_ ? count_ : 0; }
  bool empty() const { return !data_; }

private:
  static constexpr size_t kAlign = 64;
  struct Free {
    void operator()(float *p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  size_t count_ = 0;
};

/// Buffers of dead tensors, by capacity. A network allocates the same sizes
/// on every run, so from the second run on its tensors get memory that is
/// already mapped instead of page-faulting in fresh allocations.
class BufferPool {
public:
  /// A vector of `count` floats, zero-filled only when `zeroed` (otherwise
  /// its contents are whatever the previous user left).
  std::vector<float> takeVector(size_t count, bool zeroed) {
    std::vector<float> buffer;
    auto it = findFit(vectors_, count);
    if (it == vectors_.end()) {
      buffer.resize(count);
    } else {
      buffer = std::move(it->second);
      vectors_.erase(it);
      idle_ -= buffer.capacity();
      // Shrinking writes nothing; growing within the capacity zero-fills
      // only the new tail.
      buffer.resize(count);
      if (zeroed)
        std::memset(buffer.data(), 0, count * sizeof(float));
    }
    noteTaken(buffer.capacity());
    return buffer;
  }

  AlignedBuffer takeAligned(size_t count) {
    AlignedBuffer buffer;
    auto it = findFit(aligned_, count);
    if (it == aligned_.end()) {
      buffer = AlignedBuffer(count);
    } else {
      buffer = std::move(it->second);
      aligned_.erase(it);
      idle_ -= buffer.capacity();
    }
    noteTaken(buffer.capacity());
    return buffer;
  }

  void give(std::vector<float> &&buffer) {
    size_t capacity = buffer.capacity();
    if (capacity == 0)
      return;
    noteGiven(capacity);
    vectors_.emplace(capacity, std::move(buffer));
  }

  void give(AlignedBuffer &&buffer) {
    size_t capacity = buffer.capacity();
    if (capacity == 0)
      return;
    noteGiven(capacity);
    aligned_.emplace(capacity, std::move(buffer));
  }

  /// Called between runs. An identical run takes the same buffers again, so
  /// the pool keeps what this run took (counting reuse), but no more than
  /// four times what the run had in use at once, which bounds the memory
  /// that exact-size reuse costs over the run's own peak. Buffers left from
  /// runs of another kind (keepAll holds every tensor) do not stay either.
  /// The largest go first.
  void trim() {
    size_t keep = std::min(taken_, 4 * peak_);
    auto drop = [&](auto &buffers) {
      while (idle_ > keep && !buffers.empty()) {
        auto last = std::prev(buffers.end());
        idle_ -= last->first;
        buffers.erase(last);
      }
    };
    drop(vectors_);
    drop(aligned_);
    taken_ = live_ = peak_ = 0;
  }

private:
  /// The smallest buffer of at least `count` floats, unless even that one
  /// would waste more than a third of itself.
  template <typename Map>
  typename Map::iterator findFit(Map &buffers, size_t count) {
    auto it = buffers.lower_bound(std::max<size_t>(count, 1));
    if (it != buffers.end() && it->first > count + count / 2)
      return buffers.end();
    return it;
  }
  void noteTaken(size_t capacity) {
    taken_ += capacity;
    live_ += capacity;
    peak_ = std::max(peak_, live_);
  }
  void noteGiven(size_t capacity) {
    idle_ += capacity;
    live_ -= std::min(live_, capacity);
  }

  std::multimap<size_t, std::vector<float>> vectors_;
  std::multimap<size_t, AlignedBuffer> aligned_;
  /// Floats handed out in this run (a buffer taken twice counts twice), in
  /// the pool, handed out and not given back, and the most of those at once.
  size_t taken_ = 0, idle_ = 0, live_ = 0, peak_ = 0;
};

/// A Conv with its primitive and, once reordered, its constant weights.
struct ConvState {
  bool planned = false;
  du::ConvPlan plan;
  dnnl::memory weights;
};

/// A tpu.Conv2D's preparation; no PreparedConv when the kernel runs it.
struct TpuConvState {
  bool prepared = false;
  std::optional<tpu::PreparedConv> conv;
};

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

/// Ops whose result is their operand's data under another shape.
bool isReshapeLike(Operation *op) {
  return isa<top::ReshapeOp, top::FlattenOp, top::SqueezeOp, top::UnsqueezeOp>(
      op);
}

/// A layout of `dims` in the same format as `desc` (NHWC, nChw16c, ...),
/// for the formats oneDNN's Conv primitives produce; nullopt for others.
std::optional<dnnl::memory::desc> sameFormat(const dnnl::memory::desc &desc,
                                             const dnnl::memory::dims &dims) {
  using tag = dnnl::memory::format_tag;
  static const tag candidates[] = {
      tag::acb,      tag::acdb,    tag::acdeb,  tag::aBc16b,  tag::aBcd16b,
      tag::aBcde16b, tag::aBc8b,   tag::aBcd8b, tag::aBcde8b, tag::aBc4b,
      tag::aBcd4b,   tag::aBcde4b, tag::abc,    tag::abcd,    tag::abcde};
  dnnl::memory::dims own = desc.dims();
  if (own.size() != dims.size())
    return std::nullopt;
  for (tag t : candidates) {
    dnnl::memory::desc probe(own, dnnl::memory::data_type::f32, t,
                             /*allow_empty=*/true);
    if (!probe.is_zero() && probe == desc)
      return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, t);
  }
  return std::nullopt;
}

/// Whether `desc` is NHWC-like: rank 4 and channels innermost and dense.
bool isChannelsLast(const dnnl::memory::desc &desc) {
  dnnl::memory::dims dims = desc.dims();
  return dims.size() == 4 &&
         desc == dnnl::memory::desc(dims, dnnl::memory::data_type::f32,
                                    dnnl::memory::format_tag::acdb);
}

size_t floatsOf(const dnnl::memory::desc &desc) {
  return (desc.get_size() + sizeof(float) - 1) / sizeof(float);
}

/// A primitive built for one op and the source layouts it was built for.
struct OpPrimitive {
  std::vector<dnnl::memory::desc> srcs;
  dnnl::primitive primitive;
  dnnl::memory::desc dst;
};

} // namespace

namespace detail {
/// What one run leaves for the next: buffers and oneDNN primitives. oneDNN
/// (built without DNNL_ENABLE_CONCURRENT_EXEC, as Debian's is) shares one
/// scratchpad between the primitives of a thread, so a primitive must run
/// on the thread that created it: resources are only reused by the thread
/// that created them.
struct RunResources {
  std::thread::id owner = std::this_thread::get_id();
  BufferPool pool;
  /// By Conv op and the activation it applies (null for none).
  llvm::DenseMap<std::pair<Operation *, Operation *>, ConvState> convs;
  /// Add and Concat on oneDNN layouts, by op.
  llvm::DenseMap<Operation *, OpPrimitive> primitives;
  llvm::DenseMap<Operation *, TpuConvState> tpuConvs;
};
} // namespace detail

namespace {

/// A value's data during a run.
struct Slot {
  /// Row-major data; null while the value exists only in `blocked` form.
  std::shared_ptr<Tensor> plain;
  /// Whether `plain` belongs to this run (it is not a weight or a caller's
  /// input), so that its buffer may be recycled or handed out.
  bool owned = false;
  /// The data in the oneDNN layout `layout`, as a Conv left it.
  AlignedBuffer blocked;
  dnnl::memory::desc layout;
};

/// One call of Interpreter::run.
class Runner {
public:
  Runner(Block &body, const RunOptions &options,
         const llvm::DenseMap<Operation *, std::shared_ptr<Tensor>> &weights,
         const llvm::DenseMap<Operation *, Operation *> &fusedActivations,
         detail::RunResources &resources)
      : body_(body), options_(options), weights_(weights),
        resources_(resources), pool_(resources.pool),
        observed_(options.keepAll || options.onResult) {
    if (!observed_)
      fused_ = &fusedActivations;
    for (Operation &op : body)
      for (Value operand : op.getOperands())
        ++pendingUses_[operand];
  }

  ~Runner() {
    for (auto &entry : slots_)
      recycle(entry.second);
  }

  LogicalResult run(const TensorMap &inputs, TensorMap &results,
                    ArrayRef<std::string> outputNames);

private:
  LogicalResult bindInput(top::InputOp input, const TensorMap &inputs);
  LogicalResult runConv(top::ConvOp conv);
  LogicalResult runTpuConv(tpu::Conv2DOp conv);
  /// The memory holding `slot`'s data: its oneDNN layout if it has one,
  /// else its row-major tensor of `shape`.
  dnnl::memory memoryOf(Slot &slot, ArrayRef<int64_t> shape);
  /// Stores `value`'s result computed into `plain` or `blocked` (layout
  /// `desc`): row-major right away when it is observed.
  void storeResult(Value value, std::shared_ptr<Tensor> plain,
                   AlignedBuffer &&blocked, const dnnl::memory::desc &desc);
  LogicalResult runKernel(Operation &op);
  /// Runs `op` on the fast paths below (only when nothing is observed);
  /// false when none applies.
  bool runWithLayouts(Operation &op);
  bool stealForReshape(Operation &op);
  // Ops that read Conv results in their oneDNN layouts instead of having
  // them converted to row-major first. Each returns false when it does not
  // apply; the op then runs its kernel.
  bool layoutAdd(top::AddOp op);
  bool layoutConcat(top::ConcatOp op);
  bool layoutReshape(Operation &op);
  bool layoutUpsample(top::UpsampleOp op);
  bool layoutPermute(top::PermuteOp op);
  /// The slot of `value` if it holds data in a oneDNN layout.
  Slot *layoutSlot(Value value);
  /// `value`'s data in layout `desc`, reordered into `temp` if needed.
  dnnl::memory memoryIn(Value value, const dnnl::memory::desc &desc,
                        AlignedBuffer &temp);
  /// Stores a result computed into `buffer` (in layout `desc`).
  void storeLayout(Value value, AlignedBuffer &&buffer,
                   const dnnl::memory::desc &desc);
  /// The primitive of `op` for sources `srcs`, built by `build` when missing
  /// or made for other layouts; null when oneDNN has no implementation.
  OpPrimitive *primitiveFor(Operation *op,
                            const std::vector<dnnl::memory::desc> &srcs,
                            const std::function<OpPrimitive()> &build);
  /// The row-major tensor of a computed value (reordered from its oneDNN
  /// layout on first request), or null if it was not computed.
  const Tensor *plainOf(Value value);
  void store(Value value, std::shared_ptr<Tensor> tensor, bool owned);
  void release(Operation &op);
  void recycle(Slot &slot);

  Block &body_;
  const RunOptions &options_;
  const llvm::DenseMap<Operation *, std::shared_ptr<Tensor>> &weights_;
  detail::RunResources &resources_;
  BufferPool &pool_;
  /// Whether the caller sees intermediate tensors: then every op runs on its
  /// own and every result is row-major as soon as it is computed.
  bool observed_;
  /// Conv -> activation it applies, when fusion is allowed.
  const llvm::DenseMap<Operation *, Operation *> *fused_ = nullptr;
  llvm::DenseMap<Value, Slot> slots_;
  llvm::DenseMap<Value, unsigned> pendingUses_;
};

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

LogicalResult Runner::runConv(top::ConvOp conv) {
  Operation *activation = fused_ ? fused_->lookup(conv) : nullptr;
  Value result =
      activation ? activation->getResult(0) : Value(conv.getOutput());
  if (isa<NoneType>(conv.getInput().getType()) ||
      isa<NoneType>(conv.getFilter().getType()))
    return conv.emitOpError("expects tensor input and filter");
  Value biasValue = conv.getBias();
  bool hasBias = !isa<NoneType>(biasValue.getType());
  auto outShape = top::getShape(conv.getOutput());

  ConvState &state = resources_.convs[{conv, activation}];
  if (!state.planned) {
    llvm::SmallVector<du::EltwisePostOp, 1> extra;
    if (activation)
      extra.push_back(*du::activationAsPostOp(activation));
    int64_t biasCount =
        hasBias ? Tensor::numelOf(top::getShape(biasValue)) : -1;
    auto plan = du::planConv(conv, top::getShape(conv.getInput()),
                             top::getShape(conv.getFilter()), biasCount,
                             outShape, extra);
    if (failed(plan))
      return failure();
    state.plan = std::move(*plan);
    state.planned = true;
  }
  const du::ConvPlan &plan = state.plan;
  auto report = [&](Slot &slot) {
    if (options_.onResult && slot.plain)
      options_.onResult(result, *slot.plain);
  };
  if (!plan.cached.primitive) {
    // No elements: nothing to compute.
    auto tensor = std::make_shared<Tensor>(outShape);
    store(result, tensor, /*owned=*/true);
    report(slots_[result]);
    return success();
  }

  // The source, in the primitive's layout.
  auto in = slots_.find(conv.getInput());
  if (in == slots_.end())
    return conv.emitOpError("uses a value that was not computed");
  AlignedBuffer srcTemp;
  dnnl::memory src;
  {
    Slot &slot = in->second;
    dnnl::memory from =
        !slot.blocked.empty()
            ? du::wrap(slot.layout, slot.blocked.data())
            : du::wrap(du::plainDesc(top::getShape(conv.getInput())),
                       slot.plain->ptr());
    if (from.get_desc() == plan.cached.srcDesc) {
      src = from;
    } else {
      srcTemp = pool_.takeAligned(floatsOf(plan.cached.srcDesc));
      src = du::wrap(plan.cached.srcDesc, srcTemp.data());
      du::reorderInto(from, src);
    }
  }

  // The weights: reordered once when they are a constant of the module.
  const Tensor *filter = plainOf(conv.getFilter());
  const Tensor *bias = hasBias ? plainOf(biasValue) : nullptr;
  if (!filter || (hasBias && !bias))
    return conv.emitOpError("uses a value that was not computed");
  bool constantFilter = conv.getFilter().getDefiningOp<top::WeightOp>();
  dnnl::memory weights;
  if (constantFilter && state.weights) {
    weights = state.weights;
  } else {
    weights =
        du::toLayout(du::wrap(du::plainDesc(plan.weightDims), filter->ptr()),
                     plan.cached.weightsDesc);
    if (constantFilter)
      state.weights = weights;
  }

  // The destination: kept in the primitive's layout unless someone observes
  // it, in which case it is reordered to row-major right away.
  const dnnl::memory::desc &dstDesc = plan.cached.dstDesc;
  dnnl::memory::desc plainDst = du::plainDesc(outShape);
  Slot &out = slots_[result];
  recycle(out);
  if (dstDesc == plainDst) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(outShape.begin(), outShape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                    du::wrap(plainDst, tensor->ptr()));
    out.plain = std::move(tensor);
    out.owned = true;
  } else {
    out.blocked = pool_.takeAligned(floatsOf(dstDesc));
    out.layout = dstDesc;
    du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                    du::wrap(dstDesc, out.blocked.data()));
    if (observed_) {
      plainOf(result);
      pool_.give(std::move(out.blocked));
    }
  }
  pool_.give(std::move(srcTemp));
  report(out);
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

/// The tensor kinds the Tpu conv computes on directly: row-major and
/// channels-last (both without padding), with the channel of each element.
enum class ChannelLayout { Plain, ChannelsLast, Other };

ChannelLayout channelLayoutOf(const dnnl::memory::desc &desc) {
  if (desc == du::plainDesc(desc.dims()))
    return ChannelLayout::Plain;
  if (isChannelsLast(desc))
    return ChannelLayout::ChannelsLast;
  return ChannelLayout::Other;
}

LogicalResult Runner::runTpuConv(tpu::Conv2DOp conv) {
  TpuConvState &state = resources_.tpuConvs[conv];
  if (!state.prepared) {
    auto weight = [&](Value v) -> const Tensor * {
      Operation *def = v.getDefiningOp();
      return def && isa<top::WeightOp>(def) ? weights_.lookup(def).get()
                                            : nullptr;
    };
    auto prepared = tpu::prepareConv(conv, weight(conv.getFilter()),
                                     weight(conv.getBias()));
    if (failed(prepared))
      return failure();
    state.conv = std::move(*prepared);
    state.prepared = true;
  }
  if (!state.conv)
    return runKernel(*conv);
  const tpu::PreparedConv &prepared = *state.conv;
  Value result = conv.getOutput();
  auto inShape = top::getShape(conv.getInput());
  auto outShape = top::getShape(conv.getOutput());
  if (!prepared.chunks.front().plan.cached.primitive) {
    // No elements: nothing to compute.
    storeResult(result, std::make_shared<Tensor>(outShape), AlignedBuffer(),
                {});
    return success();
  }
  auto in = slots_.find(conv.getInput());
  if (in == slots_.end())
    return conv.emitOpError("uses a value that was not computed");

  // The source: the input's memory, with the zero point subtracted (in a
  // copy) for asymmetric INT8, and row-major when it is cut into channel
  // ranges.
  std::vector<AlignedBuffer> temps;
  bool split = prepared.chunks.size() > 1;
  dnnl::memory source =
      split ? du::wrap(du::plainDesc(inShape), plainOf(conv.getInput())->ptr())
            : memoryOf(in->second, inShape);
  int64_t zeroPoint = prepared.quantized ? prepared.in.zeroPoint : 0;
  if (zeroPoint != 0) {
    dnnl::memory::desc desc = source.get_desc();
    if (floatsOf(desc) != static_cast<size_t>(Tensor::numelOf(inShape))) {
      // Padded layout: center the row-major data instead.
      desc = du::plainDesc(inShape);
      source = du::wrap(desc, plainOf(conv.getInput())->ptr());
    }
    AlignedBuffer centered = pool_.takeAligned(floatsOf(desc));
    const float *from = static_cast<const float *>(source.get_data_handle());
    float *to = centered.data();
    float zp = static_cast<float>(zeroPoint);
    int64_t n = static_cast<int64_t>(floatsOf(desc));
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i)
      to[i] = from[i] - zp;
    source = du::wrap(desc, to);
    temps.push_back(std::move(centered));
  }

  // Each chunk's sums, all in the first chunk's destination layout; the
  // first into the result's buffer.
  const dnnl::memory::desc &dstDesc =
      prepared.chunks.front().plan.cached.dstDesc;
  std::shared_ptr<Tensor> plainOut;
  AlignedBuffer blockedOut;
  float *outData;
  if (dstDesc == du::plainDesc(outShape)) {
    plainOut = std::make_shared<Tensor>();
    plainOut->shape.assign(outShape.begin(), outShape.end());
    plainOut->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    outData = plainOut->ptr();
  } else {
    blockedOut = pool_.takeAligned(floatsOf(dstDesc));
    outData = blockedOut.data();
  }
  std::vector<const float *> sums;
  const Tensor *bias = nullptr;
  if (!prepared.quantized && !isa<NoneType>(conv.getBias().getType())) {
    bias = plainOf(conv.getBias());
    if (!bias)
      return conv.emitOpError("uses a value that was not computed");
  }
  for (const tpu::ConvChunk &chunk : prepared.chunks) {
    const du::ConvPlan &plan = chunk.plan;
    dnnl::memory src = source;
    if (split) {
      llvm::SmallVector<int64_t, 4> dims(inShape.begin(), inShape.end());
      dims[1] = chunk.end - chunk.begin;
      llvm::SmallVector<int64_t, 4> offsets(dims.size(), 0);
      offsets[1] = chunk.begin;
      src = du::wrap(source.get_desc().submemory_desc(du::toDims(dims),
                                                      du::toDims(offsets)),
                     static_cast<const float *>(source.get_data_handle()));
    }
    if (src.get_desc() != plan.cached.srcDesc) {
      AlignedBuffer temp = pool_.takeAligned(floatsOf(plan.cached.srcDesc));
      dnnl::memory to = du::wrap(plan.cached.srcDesc, temp.data());
      du::reorderInto(src, to);
      src = to;
      temps.push_back(std::move(temp));
    }
    dnnl::memory weights = chunk.weights;
    if (!weights) {
      const Tensor *filter = plainOf(conv.getFilter());
      if (!filter)
        return conv.emitOpError("uses a value that was not computed");
      weights =
          du::toLayout(du::wrap(du::plainDesc(plan.weightDims), filter->ptr()),
                       plan.cached.weightsDesc);
    }
    float *dst = outData;
    if (!sums.empty()) {
      temps.push_back(pool_.takeAligned(floatsOf(dstDesc)));
      dst = temps.back().data();
    }
    if (plan.cached.dstDesc == dstDesc) {
      du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                      du::wrap(dstDesc, dst));
    } else {
      AlignedBuffer own = pool_.takeAligned(floatsOf(plan.cached.dstDesc));
      du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                      du::wrap(plan.cached.dstDesc, own.data()));
      du::reorderInto(du::wrap(plan.cached.dstDesc, own.data()),
                      du::wrap(dstDesc, dst));
      du::cpuStream().wait();
      pool_.give(std::move(own));
    }
    sums.push_back(dst);
  }

  // Requantization or rounding, on the layouts whose channel of each
  // element is known; others are made row-major first.
  ChannelLayout layout = channelLayoutOf(dstDesc);
  if (layout == ChannelLayout::Other) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(outShape.begin(), outShape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    for (const float *&sum : sums) {
      float *to = sum == outData ? tensor->ptr() : nullptr;
      if (!to) {
        temps.push_back(pool_.takeAligned(Tensor::numelOf(outShape)));
        to = temps.back().data();
      }
      du::reorderInto(du::wrap(dstDesc, sum),
                      du::wrap(du::plainDesc(outShape), to));
      sum = to;
    }
    du::cpuStream().wait();
    pool_.give(std::move(blockedOut));
    plainOut = std::move(tensor);
    outData = plainOut->ptr();
    layout = ChannelLayout::Plain;
  }
  int64_t n = Tensor::numelOf(outShape);
  if (prepared.quantized) {
    int64_t channels = outShape[1];
    int64_t inner = n / std::max<int64_t>(outShape[0] * channels, 1);
    if (layout == ChannelLayout::Plain)
      tpu::vec::requantize(prepared.requant, sums.data(),
                           static_cast<int>(sums.size()), outShape[0], channels,
                           inner, outData);
    else
      tpu::vec::requantize(prepared.requant, sums.data(),
                           static_cast<int>(sums.size()), outShape[0] * inner,
                           channels, 1, outData);
  } else {
    const tpu::Storage &out = prepared.out;
    if (out.bf16 || out.f16 || out.integer)
      tpu::vec::store(out, outData, outData, n);
  }
  for (AlignedBuffer &temp : temps)
    pool_.give(std::move(temp));
  storeResult(result, std::move(plainOut), std::move(blockedOut), dstDesc);
  return success();
}

bool Runner::runWithLayouts(Operation &op) {
  if (isReshapeLike(&op) && op.getNumOperands() == 1 && op.getNumResults() == 1)
    return layoutReshape(op) || stealForReshape(op);
  if (auto add = dyn_cast<top::AddOp>(op))
    return layoutAdd(add);
  if (auto concat = dyn_cast<top::ConcatOp>(op))
    return layoutConcat(concat);
  if (auto permute = dyn_cast<top::PermuteOp>(op))
    return layoutPermute(permute);
  if (auto upsample = dyn_cast<top::UpsampleOp>(op))
    return layoutUpsample(upsample);
  return false;
}

bool Runner::stealForReshape(Operation &op) {
  Value operand = op.getOperand(0);
  Value result = op.getResult(0);
  auto uses = pendingUses_.find(operand);
  if (uses == pendingUses_.end() || uses->second != 1)
    return false;
  auto it = slots_.find(operand);
  if (it == slots_.end())
    return false;
  const Tensor *in = plainOf(operand);
  Slot &slot = it->second;
  auto shape = top::getShape(result);
  if (!slot.owned || slot.plain.use_count() != 1 ||
      in->numel() != Tensor::numelOf(shape))
    return false;
  auto tensor = std::make_shared<Tensor>();
  tensor->shape.assign(shape.begin(), shape.end());
  tensor->data = std::move(slot.plain->data);
  store(result, std::move(tensor), /*owned=*/true);
  return true;
}

Slot *Runner::layoutSlot(Value value) {
  auto it = slots_.find(value);
  if (it == slots_.end() || it->second.blocked.empty())
    return nullptr;
  return &it->second;
}

dnnl::memory Runner::memoryIn(Value value, const dnnl::memory::desc &desc,
                              AlignedBuffer &temp) {
  Slot &slot = slots_[value];
  if (!slot.blocked.empty() && slot.layout == desc)
    return du::wrap(desc, slot.blocked.data());
  auto shape = top::getShape(value);
  dnnl::memory from = !slot.blocked.empty()
                          ? du::wrap(slot.layout, slot.blocked.data())
                          : du::wrap(du::plainDesc(shape), slot.plain->ptr());
  if (from.get_desc() == desc)
    return from;
  temp = pool_.takeAligned(floatsOf(desc));
  dnnl::memory to = du::wrap(desc, temp.data());
  du::reorderInto(from, to);
  return to;
}

void Runner::storeLayout(Value value, AlignedBuffer &&buffer,
                         const dnnl::memory::desc &desc) {
  Slot &slot = slots_[value];
  recycle(slot);
  slot.blocked = std::move(buffer);
  slot.layout = desc;
}

OpPrimitive *Runner::primitiveFor(Operation *op,
                                  const std::vector<dnnl::memory::desc> &srcs,
                                  const std::function<OpPrimitive()> &build) {
  OpPrimitive &entry = resources_.primitives[op];
  if (entry.primitive && entry.srcs == srcs)
    return &entry;
  try {
    entry = build();
  } catch (const dnnl::error &) {
    entry = OpPrimitive();
    return nullptr;
  }
  entry.srcs = srcs;
  return &entry;
}

bool Runner::layoutAdd(top::AddOp op) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  auto shape = top::getShape(op.getOutput());
  if (top::getShape(lhs) != shape || top::getShape(rhs) != shape ||
      !slots_.count(lhs) || !slots_.count(rhs))
    return false;
  Slot *blocked = layoutSlot(lhs);
  if (!blocked)
    blocked = layoutSlot(rhs);
  if (!blocked)
    return false;
  // Both operands in the layout of the one a Conv left; the sum is in it too.
  dnnl::memory::desc layout = blocked->layout;
  bool doRelu = op.getDoRelu();
  double reluLimit = op.getReluLimit().convertToDouble();
  OpPrimitive *add = primitiveFor(op, {layout}, [&] {
    dnnl::binary::desc desc(dnnl::algorithm::binary_add, layout, layout,
                            layout);
    dnnl::binary::primitive_desc pd(
        desc, du::postOpsAttr(doRelu, reluLimit, {}), du::cpuEngine());
    return OpPrimitive{{}, dnnl::binary(pd), pd.dst_desc()};
  });
  if (!add || add->dst != layout)
    return false;
  AlignedBuffer lhsTemp, rhsTemp;
  dnnl::memory a = memoryIn(lhs, layout, lhsTemp);
  dnnl::memory b = memoryIn(rhs, layout, rhsTemp);
  AlignedBuffer out = pool_.takeAligned(floatsOf(layout));
  add->primitive.execute(du::cpuStream(),
                         {{DNNL_ARG_SRC_0, a},
                          {DNNL_ARG_SRC_1, b},
                          {DNNL_ARG_DST, du::wrap(layout, out.data())}});
  du::cpuStream().wait();
  pool_.give(std::move(lhsTemp));
  pool_.give(std::move(rhsTemp));
  storeLayout(op.getOutput(), std::move(out), layout);
  return true;
}

bool Runner::layoutConcat(top::ConcatOp op) {
  if (op.getDoRelu())
    return false;
  auto outShape = top::getShape(op.getOutput());
  int64_t rank = static_cast<int64_t>(outShape.size());
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  if (axis < 0 || axis >= rank)
    return false;
  bool anyBlocked = false;
  std::vector<dnnl::memory::desc> srcs;
  for (Value input : op.getInputs()) {
    auto it = slots_.find(input);
    if (it == slots_.end() || top::getShape(input).size() != outShape.size() ||
        Tensor::numelOf(top::getShape(input)) == 0)
      return false;
    if (!it->second.blocked.empty()) {
      anyBlocked = true;
      srcs.push_back(it->second.layout);
    } else {
      srcs.push_back(du::plainDesc(top::getShape(input)));
    }
  }
  if (!anyBlocked)
    return false;
  // The result takes the format of the first operand in a oneDNN layout, so
  // that a Conv reading it needs no reorder even when other operands are
  // row-major; oneDNN also checks that the shapes fit.
  std::optional<dnnl::memory::desc> dst;
  for (const dnnl::memory::desc &src : srcs)
    if (src != du::plainDesc(src.dims()) &&
        (dst = sameFormat(src, du::toDims(outShape))))
      break;
  OpPrimitive *concat = primitiveFor(op, srcs, [&] {
    auto pd = dst ? dnnl::concat::primitive_desc(*dst, static_cast<int>(axis),
                                                 srcs, du::cpuEngine())
                  : dnnl::concat::primitive_desc(static_cast<int>(axis), srcs,
                                                 du::cpuEngine());
    return OpPrimitive{{}, dnnl::concat(pd), pd.dst_desc()};
  });
  if (!concat || concat->dst.dims() != du::toDims(outShape))
    return false;
  std::unordered_map<int, dnnl::memory> args;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    Slot &slot = slots_[input];
    args.emplace(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
                 !slot.blocked.empty()
                     ? du::wrap(slot.layout, slot.blocked.data())
                     : du::wrap(srcs[i], slot.plain->ptr()));
  }
  dnnl::memory::desc plainOut = du::plainDesc(outShape);
  if (concat->dst == plainOut) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(outShape.begin(), outShape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    args.emplace(DNNL_ARG_DST, du::wrap(plainOut, tensor->ptr()));
    concat->primitive.execute(du::cpuStream(), args);
    du::cpuStream().wait();
    store(op.getOutput(), std::move(tensor), /*owned=*/true);
    return true;
  }
  AlignedBuffer out = pool_.takeAligned(floatsOf(concat->dst));
  args.emplace(DNNL_ARG_DST, du::wrap(concat->dst, out.data()));
  concat->primitive.execute(du::cpuStream(), args);
  du::cpuStream().wait();
  storeLayout(op.getOutput(), std::move(out), concat->dst);
  return true;
}

bool Runner::layoutUpsample(top::UpsampleOp op) {
  Slot *slot = layoutSlot(op.getInput());
  if (!slot || slot->plain || !isChannelsLast(slot->layout))
    return false;
  auto inShape = top::getShape(op.getInput());
  auto outShape = top::getShape(op.getOutput());
  int64_t scaleH = op.getScaleH(), scaleW = op.getScaleW();
  if (outShape.size() != 4 || scaleH <= 0 || scaleW <= 0 ||
      outShape[0] != inShape[0] || outShape[1] != inShape[1] ||
      outShape[2] != inShape[2] * scaleH || outShape[3] != inShape[3] * scaleW)
    return false;
  // Nearest neighbour by whole pixels: each output pixel copies the C
  // contiguous channels of its source pixel, exactly as the kernel's
  // out[y][x] = in[y / scaleH][x / scaleW] per plane.
  std::optional<dnnl::memory::desc> layout =
      sameFormat(slot->layout, du::toDims(outShape));
  if (!layout)
    return false;
  AlignedBuffer out = pool_.takeAligned(floatsOf(*layout));
  int64_t channels = inShape[1], ih = inShape[2], iw = inShape[3];
  int64_t oh = outShape[2], ow = outShape[3];
  int64_t rows = outShape[0] * oh;
  const float *src = slot->blocked.data();
  float *dst = out.data();
#pragma omp parallel for if (rows * ow * channels > kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t n = r / oh, y = r % oh;
    const float *srcRow = src + ((n * ih + y / scaleH) * iw) * channels;
    float *dstRow = dst + r * ow * channels;
    for (int64_t x = 0; x < ow; ++x)
      std::memcpy(dstRow + x * channels, srcRow + (x / scaleW) * channels,
                  channels * sizeof(float));
  }
  storeLayout(op.getOutput(), std::move(out), *layout);
  return true;
}

bool Runner::layoutReshape(Operation &op) {
  Value operand = op.getOperand(0);
  Slot *slot = layoutSlot(operand);
  auto uses = pendingUses_.find(operand);
  if (!slot || slot->plain || uses == pendingUses_.end() || uses->second != 1)
    return false;
  // The same bytes under the new dims, when the layout allows it (splitting
  // or merging dims that are dense in memory).
  dnnl::memory::desc view = slot->layout.reshape(
      du::toDims(top::getShape(op.getResult(0))), /*allow_empty=*/true);
  if (view.is_zero())
    return false;
  AlignedBuffer buffer = std::move(slot->blocked);
  storeLayout(op.getResult(0), std::move(buffer), view);
  return true;
}

bool Runner::layoutPermute(top::PermuteOp op) {
  Slot *slot = layoutSlot(op.getInput());
  if (!slot || slot->plain)
    return false;
  ArrayRef<int64_t> order = op.getOrder();
  int64_t rank = static_cast<int64_t>(order.size());
  if (rank != slot->layout.data.ndims)
    return false;
  // oneDNN's permutation maps input axes to output axes: perm[order[i]] = i.
  std::vector<int> perm(rank, -1);
  for (int64_t i = 0; i < rank; ++i) {
    if (order[i] < 0 || order[i] >= rank || perm[order[i]] != -1)
      return false;
    perm[order[i]] = static_cast<int>(i);
  }
  auto outShape = top::getShape(op.getOutput());
  dnnl::memory::desc view;
  try {
    view = slot->layout.permute_axes(perm);
  } catch (const dnnl::error &) {
    return false;
  }
  if (view.dims() != du::toDims(outShape))
    return false;
  // One reorder from the permuted view straight to the row-major result.
  auto tensor = std::make_shared<Tensor>();
  tensor->shape.assign(outShape.begin(), outShape.end());
  tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
  try {
    du::reorderInto(du::wrap(view, slot->blocked.data()),
                    du::wrap(du::plainDesc(outShape), tensor->ptr()));
  } catch (const dnnl::error &) {
    // No reorder for this view: the kernel permutes the row-major data.
    pool_.give(std::move(tensor->data));
    return false;
  }
  du::cpuStream().wait();
  store(op.getOutput(), std::move(tensor), /*owned=*/true);
  return true;
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
  llvm::SmallPtrSet<Operation *, 16> absorbed;
  if (fused_)
    for (auto &entry : *fused_)
      absorbed.insert(entry.second);

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
    // An activation applied by its Conv: its result is already there.
    if (absorbed.contains(&op)) {
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

} // namespace

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
    Runner runner(main_.getBody().front(), options, weights_, fusedActivations_,
                  *resources);
    status = runner.run(inputs, results, outputNames_);
  }
  returnResources(std::move(resources));
  return status;
}

} // namespace tpuc
