//===- DnnlUtils.h - oneDNN glue for the reference kernels ----*- C++ -*-===//
//
// One process-wide oneDNN CPU engine, a stream per thread, helpers that wrap
// the interpreter's float buffers as dnnl::memory, and a cache of primitives
// so that running the same module again does not rebuild (and re-JIT) them.
// Also the entry points through which the Interpreter runs a Conv itself
// (fused activations, cached weights, oneDNN layouts kept between ops).
// Private to lib/Interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_INTERPRETER_TOP_DNNLUTILS_H
#define TPUC_LIB_INTERPRETER_TOP_DNNLUTILS_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <functional>
#include <optional>
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

/// An elementwise function applied by a oneDNN eltwise post-op.
struct EltwisePostOp {
  dnnl::algorithm algorithm;
  float alpha = 0.0f, beta = 0.0f;
};

/// reluAttr followed by `extra`.
dnnl::primitive_attr postOpsAttr(bool doRelu, double reluLimit,
                                 llvm::ArrayRef<EltwisePostOp> extra);
void addPostOpsKey(PrimitiveKey &key, llvm::ArrayRef<EltwisePostOp> extra);

/// The same activation applied in place on a plain buffer, for the kernels
/// that do not run through oneDNN.
void applyRelu(float *data, int64_t count, bool doRelu, double reluLimit);

//===----------------------------------------------------------------------===//
// Conv as run by the Interpreter (NNKernels.cpp)
//===----------------------------------------------------------------------===//

/// The post-op equal to activation op `op` (SiLU, Sigmoid, Tanh, Relu,
/// LeakyRelu, Clip), or nullopt for any other op.
std::optional<EltwisePostOp> activationAsPostOp(mlir::Operation *op);

/// A validated top.Conv with its primitive.
struct ConvPlan {
  /// Empty when the result has no elements (nothing to compute).
  CachedPrimitive cached;
  /// oneDNN's dims of the filter, whose plain layout is the op's filter's.
  llvm::SmallVector<int64_t, 5> weightDims;
  int64_t outChannels = 0;
};

/// Checks a top.Conv with operands of these shapes (`biasCount` < 0: no
/// bias) exactly as its kernel does, with the same diagnostics, and gets the
/// primitive that applies `extra` after the op's own relu. Its layouts are
/// oneDNN's choice.
mlir::FailureOr<ConvPlan> planConv(mlir::Operation *op,
                                   llvm::ArrayRef<int64_t> inputShape,
                                   llvm::ArrayRef<int64_t> filterShape,
                                   int64_t biasCount,
                                   llvm::ArrayRef<int64_t> outputShape,
                                   llvm::ArrayRef<EltwisePostOp> extra);

/// The attributes of a convolution (top.Conv, tpu.Conv2D) that its
/// primitive depends on.
struct ConvAttrs {
  llvm::SmallVector<int64_t, 2> kernel, strides, pads, dilations;
  int64_t group = 1;
  bool doRelu = false;
  double reluLimit = -1.0;
};
/// Reads them from an op with top.Conv's attribute names.
ConvAttrs getConvAttrs(mlir::Operation *op);

/// planConv for a convolution with attributes `attrs` (errors are emitted
/// on `op`). The same shapes and attributes give the same primitive as
/// planConv and the top.Conv kernel.
mlir::FailureOr<ConvPlan> planConvWith(mlir::Operation *op,
                                       const ConvAttrs &attrs,
                                       llvm::ArrayRef<int64_t> inputShape,
                                       llvm::ArrayRef<int64_t> filterShape,
                                       int64_t biasCount,
                                       llvm::ArrayRef<int64_t> outputShape,
                                       llvm::ArrayRef<EltwisePostOp> extra);

/// Runs a planned conv on memories in the plan's layouts.
void executeConv(const ConvPlan &plan, const dnnl::memory &src,
                 const dnnl::memory &weights, const float *bias,
                 const dnnl::memory &dst);

} // namespace tpuc::dnnl_utils

#endif // TPUC_LIB_INTERPRETER_TOP_DNNLUTILS_H
