//===- Runner.h - One run of the Interpreter --------------------*- C++ -*-===//
//
// The state of one Interpreter::run (the Runner and the slots holding its
// values) and what runs keep for the next (RunResources: the buffer pool and
// the oneDNN primitives). The Runner's members are defined by op family in
// three files, which share these declarations: Interpreter.cpp (the loop
// over the ops, the kernel path and the slots' bookkeeping), TopRunPaths.cpp
// (top.Conv and the ops that read oneDNN layouts) and TpuRunPaths.cpp
// (tpu.Conv2D). Private to lib/Interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_INTERPRETER_RUNNER_H
#define TPUC_LIB_INTERPRETER_RUNNER_H

#include "Top/DnnlUtils.h"
#include "Tpu/TpuConvPlan.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Interpreter/Interpreter.h"

#include "llvm/ADT/DenseMap.h"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tpuc {
namespace detail {

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
  dnnl_utils::ConvPlan plan;
  dnnl::memory weights;
};

/// A tpu.Conv2D's preparation; no PreparedConv when the kernel runs it.
struct TpuConvState {
  bool prepared = false;
  std::optional<tpu::PreparedConv> conv;
};

/// Whether `desc` is NHWC-like: rank 4 and channels innermost and dense.
inline bool isChannelsLast(const dnnl::memory::desc &desc) {
  dnnl::memory::dims dims = desc.dims();
  return dims.size() == 4 &&
         desc == dnnl::memory::desc(dims, dnnl::memory::data_type::f32,
                                    dnnl::memory::format_tag::acdb);
}

inline size_t floatsOf(const dnnl::memory::desc &desc) {
  return (desc.get_size() + sizeof(float) - 1) / sizeof(float);
}

/// A primitive built for one op and the source layouts it was built for.
struct OpPrimitive {
  std::vector<dnnl::memory::desc> srcs;
  dnnl::primitive primitive;
  dnnl::memory::desc dst;
};

/// What one run leaves for the next: buffers and oneDNN primitives. oneDNN
/// (built without DNNL_ENABLE_CONCURRENT_EXEC, as Debian's is) shares one
/// scratchpad between the primitives of a thread, so a primitive must run
/// on the thread that created it: resources are only reused by the thread
/// that created them.
struct RunResources {
  std::thread::id owner = std::this_thread::get_id();
  BufferPool pool;
  /// By Conv op and the activation it applies (null for none).
  llvm::DenseMap<std::pair<mlir::Operation *, mlir::Operation *>, ConvState>
      convs;
  /// Add and Concat on oneDNN layouts, by op.
  llvm::DenseMap<mlir::Operation *, OpPrimitive> primitives;
  llvm::DenseMap<mlir::Operation *, TpuConvState> tpuConvs;
};

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
  Runner(
      mlir::Block &body, const RunOptions &options,
      const llvm::DenseMap<mlir::Operation *, std::shared_ptr<Tensor>> &weights,
      const llvm::DenseMap<mlir::Operation *, mlir::Operation *>
          &fusedActivations,
      detail::RunResources &resources)
      : body_(body), options_(options), weights_(weights),
        resources_(resources), pool_(resources.pool),
        observed_(options.keepAll || options.onResult) {
    if (!observed_)
      fused_ = &fusedActivations;
    for (mlir::Operation &op : body)
      for (mlir::Value operand : op.getOperands())
        ++pendingUses_[operand];
  }

  ~Runner() {
    for (auto &entry : slots_)
      recycle(entry.second);
  }

  mlir::LogicalResult run(const TensorMap &inputs, TensorMap &results,
                          llvm::ArrayRef<std::string> outputNames);

private:
  mlir::LogicalResult bindInput(top::InputOp input, const TensorMap &inputs);
  mlir::LogicalResult runConv(top::ConvOp conv);
  mlir::LogicalResult runTpuConv(tpu::Conv2DOp conv);
  /// The memory holding `slot`'s data: its oneDNN layout if it has one,
  /// else its row-major tensor of `shape`.
  dnnl::memory memoryOf(Slot &slot, llvm::ArrayRef<int64_t> shape);
  /// Stores `value`'s result computed into `plain` or `blocked` (layout
  /// `desc`): row-major right away when it is observed.
  void storeResult(mlir::Value value, std::shared_ptr<Tensor> plain,
                   AlignedBuffer &&blocked, const dnnl::memory::desc &desc);
  mlir::LogicalResult runKernel(mlir::Operation &op);
  /// Runs `op` on the fast paths below (only when nothing is observed);
  /// false when none applies.
  bool runWithLayouts(mlir::Operation &op);
  bool stealForReshape(mlir::Operation &op);
  // Ops that read Conv results in their oneDNN layouts instead of having
  // them converted to row-major first. Each returns false when it does not
  // apply; the op then runs its kernel.
  bool layoutAdd(top::AddOp op);
  bool layoutConcat(top::ConcatOp op);
  bool layoutReshape(mlir::Operation &op);
  bool layoutUpsample(top::UpsampleOp op);
  bool layoutPermute(top::PermuteOp op);
  /// The slot of `value` if it holds data in a oneDNN layout.
  Slot *layoutSlot(mlir::Value value);
  /// `value`'s data in layout `desc`, reordered into `temp` if needed.
  dnnl::memory memoryIn(mlir::Value value, const dnnl::memory::desc &desc,
                        AlignedBuffer &temp);
  /// Stores a result computed into `buffer` (in layout `desc`).
  void storeLayout(mlir::Value value, AlignedBuffer &&buffer,
                   const dnnl::memory::desc &desc);
  /// The primitive of `op` for sources `srcs`, built by `build` when missing
  /// or made for other layouts; null when oneDNN has no implementation.
  OpPrimitive *primitiveFor(mlir::Operation *op,
                            const std::vector<dnnl::memory::desc> &srcs,
                            const std::function<OpPrimitive()> &build);
  /// The row-major tensor of a computed value (reordered from its oneDNN
  /// layout on first request), or null if it was not computed.
  const Tensor *plainOf(mlir::Value value);
  void store(mlir::Value value, std::shared_ptr<Tensor> tensor, bool owned);
  void release(mlir::Operation &op);
  void recycle(Slot &slot);

  mlir::Block &body_;
  const RunOptions &options_;
  const llvm::DenseMap<mlir::Operation *, std::shared_ptr<Tensor>> &weights_;
  detail::RunResources &resources_;
  BufferPool &pool_;
  /// Whether the caller sees intermediate tensors: then every op runs on its
  /// own and every result is row-major as soon as it is computed.
  bool observed_;
  /// Conv -> activation it applies, when fusion is allowed.
  const llvm::DenseMap<mlir::Operation *, mlir::Operation *> *fused_ = nullptr;
  llvm::DenseMap<mlir::Value, Slot> slots_;
  llvm::DenseMap<mlir::Value, unsigned> pendingUses_;
};

} // namespace detail
} // namespace tpuc

#endif // TPUC_LIB_INTERPRETER_RUNNER_H
