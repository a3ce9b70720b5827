//===- DnnlUtils.cpp - oneDNN glue for the float reference kernels --------===//

#include "DnnlUtils.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

using namespace dnnl;

namespace tpuc::dnnl_utils {

engine &cpuEngine() {
  static engine eng(engine::kind::cpu, 0);
  return eng;
}

stream &cpuStream() {
  thread_local stream strm(cpuEngine());
  return strm;
}

memory::dims toDims(llvm::ArrayRef<int64_t> values) {
  return memory::dims(values.begin(), values.end());
}

memory::desc plainDesc(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 6> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return stridedDesc(shape, strides);
}

memory::desc stridedDesc(llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<int64_t> strides) {
  return memory::desc(toDims(shape), memory::data_type::f32, toDims(strides));
}

memory::desc anyDesc(llvm::ArrayRef<int64_t> shape) {
  return memory::desc(toDims(shape), memory::data_type::f32,
                      memory::format_tag::any);
}

memory wrap(const memory::desc &desc, const float *data) {
  return memory(desc, cpuEngine(), const_cast<float *>(data));
}

void reorderInto(const memory &from, const memory &to) {
  reorder(from, to).execute(cpuStream(), const_cast<memory &>(from),
                            const_cast<memory &>(to));
}

memory toLayout(const memory &mem, const memory::desc &wanted) {
  if (mem.get_desc() == wanted)
    return mem;
  memory converted(wanted, cpuEngine());
  reorderInto(mem, converted);
  return converted;
}

PrimitiveKey &PrimitiveKey::add(int64_t value) {
  key_.append(reinterpret_cast<const char *>(&value), sizeof(value));
  return *this;
}

PrimitiveKey &PrimitiveKey::add(llvm::ArrayRef<int64_t> values) {
  // The length keeps e.g. [1,2],[3] and [1],[2,3] apart.
  add(static_cast<int64_t>(values.size()));
  for (int64_t v : values)
    add(v);
  return *this;
}

PrimitiveKey &PrimitiveKey::add(double value) {
  int64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return add(bits);
}

namespace {
struct PrimitiveCache {
  std::unordered_map<std::string, CachedPrimitive> entries;
};
// Enough for every distinct layer of large networks; bounded so that a
// long-lived process running many models does not grow forever.
constexpr size_t kMaxCachedPrimitives = 4096;
} // namespace

CachedPrimitive
getOrCreatePrimitive(const PrimitiveKey &key,
                     const std::function<CachedPrimitive()> &create) {
  // Per thread: a primitive must run on the thread that created it (the
  // scratchpad of Debian's oneDNN is shared by a thread's primitives).
  thread_local PrimitiveCache cache;
  auto it = cache.entries.find(key.str());
  if (it != cache.entries.end())
    return it->second;
  CachedPrimitive created;
  try {
    created = create();
  } catch (const dnnl::error &) {
    // No oneDNN implementation: remember that, the caller uses its loops.
    created = CachedPrimitive();
  }
  if (cache.entries.size() >= kMaxCachedPrimitives)
    cache.entries.clear();
  cache.entries.emplace(key.str(), created);
  return created;
}

primitive_attr reluAttr(bool doRelu, double reluLimit) {
  return postOpsAttr(doRelu, reluLimit, {});
}

primitive_attr postOpsAttr(bool doRelu, double reluLimit,
                           llvm::ArrayRef<EltwisePostOp> extra) {
  primitive_attr attr;
  if (!doRelu && extra.empty())
    return attr;
  post_ops ops;
  if (doRelu && reluLimit >= 0.0)
    ops.append_eltwise(1.0f, algorithm::eltwise_clip, 0.0f,
                       static_cast<float>(reluLimit));
  else if (doRelu)
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
  for (const EltwisePostOp &op : extra)
    ops.append_eltwise(1.0f, op.algorithm, op.alpha, op.beta);
  attr.set_post_ops(ops);
  return attr;
}

void addPostOpsKey(PrimitiveKey &key, llvm::ArrayRef<EltwisePostOp> extra) {
  key.add(static_cast<int64_t>(extra.size()));
  for (const EltwisePostOp &op : extra)
    key.add(static_cast<int64_t>(op.algorithm))
        .add(static_cast<double>(op.alpha))
        .add(static_cast<double>(op.beta));
}

void applyRelu(float *data, int64_t count, bool doRelu, double reluLimit) {
  if (!doRelu)
    return;
  if (reluLimit >= 0.0) {
    float limit = static_cast<float>(reluLimit);
    for (int64_t i = 0; i < count; ++i)
      data[i] = std::min(std::max(data[i], 0.0f), limit);
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    data[i] = std::max(data[i], 0.0f);
}

} // namespace tpuc::dnnl_utils
