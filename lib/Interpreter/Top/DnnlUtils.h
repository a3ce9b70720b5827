//===- DnnlUtils.h - oneDNN glue for the float reference kernels -*- C++
//-*-===//
//
// One process-wide oneDNN CPU engine, a stream per thread, helpers that wrap
// the interpreter's float buffers as dnnl::memory, and a cache of primitives
// so that running the same module again does not rebuild (and re-JIT) them.
// Private to lib/Interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_INTERPRETER_TOP_DNNLUTILS_H
#define TPUC_LIB_INTERPRETER_TOP_DNNLUTILS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace tpuc::dnnl_utils {

/// The CPU engine shared by every kernel (engines are thread-safe).
dnnl::engine &cpuEngine();
/// An in-order stream of the calling thread: dnnl streams must not be shared
/// between threads that execute concurrently.
dnnl::stream &cpuStream();

dnnl::memory::dims toDims(llvm::ArrayRef<int64_t> values);

/// Row-major f32 layout of `shape`.
dnnl::memory::desc plainDesc(llvm::ArrayRef<int64_t> shape);
/// f32 layout with explicit element strides (transposed views, etc.).
dnnl::memory::desc stridedDesc(llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<int64_t> strides);
/// A layout oneDNN may choose for the primitive (format_tag::any).
dnnl::memory::desc anyDesc(llvm::ArrayRef<int64_t> shape);

/// Wraps a float buffer without copying. oneDNN only reads from inputs, so
/// the const_cast for source operands is safe.
dnnl::memory wrap(const dnnl::memory::desc &desc, const float *data);

/// Returns `mem` when its layout already is `wanted`, otherwise a new memory
/// of layout `wanted` holding the reordered data.
dnnl::memory toLayout(const dnnl::memory &mem,
                      const dnnl::memory::desc &wanted);
/// Copies `from` into `to`, converting layouts.
void reorderInto(const dnnl::memory &from, const dnnl::memory &to);

/// A created primitive with its descriptor (to query the layouts it chose).
struct CachedPrimitive {
  dnnl::primitive primitive;
  dnnl::memory::desc srcDesc;
  dnnl::memory::desc weightsDesc;
  dnnl::memory::desc dstDesc;
};

/// Builds cache keys from everything that determines a primitive: shapes,
/// attributes and the op kind. The op pointer alone is not enough since
/// freed ops' addresses get reused by later modules.
class PrimitiveKey {
public:
  explicit PrimitiveKey(llvm::StringRef kind) : key_(kind.str()) {}
  PrimitiveKey &add(int64_t value);
  PrimitiveKey &add(llvm::ArrayRef<int64_t> values);
  PrimitiveKey &add(double value);
  const std::string &str() const { return key_; }

private:
  std::string key_;
};

/// Returns the primitive cached under `key`, creating it with `create` on a
/// miss. Thread-safe; the cache is bounded and simply cleared when full (the
/// returned handles keep their primitive alive). Identical ops share one
/// entry. When `create` throws dnnl::error (oneDNN has no implementation for
/// the case) an empty entry is cached and returned: callers test
/// `result.primitive` and fall back to their own loops.
CachedPrimitive
getOrCreatePrimitive(const PrimitiveKey &key,
                     const std::function<CachedPrimitive()> &create);

/// Post-ops applying the ops' `do_relu`/`relu_limit`: relu, then a clamp to
/// `reluLimit` when it is >= 0.
dnnl::primitive_attr reluAttr(bool doRelu, double reluLimit);

/// The same activation applied in place on a plain buffer, for the kernels
/// that do not run through oneDNN.
void applyRelu(float *data, int64_t count, bool doRelu, double reluLimit);

} // namespace tpuc::dnnl_utils

#endif // TPUC_LIB_INTERPRETER_TOP_DNNLUTILS_H
