//===- TpuConvPlan.h - tpu.Conv2D planned once per op ------------*- C++
//-*-===//
//
// The Interpreter runs tpu.Conv2D itself, the way it runs top.Conv: its
// oneDNN primitives are created and its constant weights reordered once, and
// it reads and writes oneDNN layouts. This is the per-op preparation; the
// kernel in TpuNNKernels.cpp stays the definition (Interpreter::runOp and
// the ops this does not cover use it). Private to lib/Interpreter.
//
// INT8: a float convolution of integer codes is exact when no partial sum
// can exceed 2^24 in magnitude. For output channel c every partial sum is
// bounded by max|x - zp| * sum |w_c| over the input channels summed, a bound
// known from the constant filter, so the input channels are split only
// where that bound would pass 2^24 (trained filters almost never need it),
// not at the worst case of 128 * 128 per product.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_INTERPRETER_TPU_TPUCONVPLAN_H
#define TPUC_LIB_INTERPRETER_TPU_TPUCONVPLAN_H

#include "../Top/DnnlUtils.h"
#include "TpuVector.h"

#include <optional>
#include <vector>

namespace tpuc::tpu {

/// One primitive: input channels [begin, end) of the (group 1) convolution,
/// or all of them.
struct ConvChunk {
  int64_t begin = 0, end = 0;
  dnnl_utils::ConvPlan plan;
  /// The chunk's filter in the primitive's layout; empty when the filter is
  /// not a constant (float mode only), to be reordered on every run.
  dnnl::memory weights;
};

struct PreparedConv {
  /// INT8 (requantized integer sums) or a float mode (rounded result).
  bool quantized = false;
  Storage in, out;
  std::vector<ConvChunk> chunks;
  /// INT8: per output channel.
  vec::Requant requant;
};

/// Prepares `op` whose operands have the float data `filter` and `bias`
/// (null when the operand is not a top.Weight or is none). Returns nullopt
/// when the op is not one this covers (the kernel then runs it), failure
/// after emitting an error on the op.
mlir::FailureOr<std::optional<PreparedConv>>
prepareConv(Conv2DOp op, const Tensor *filter, const Tensor *bias);

} // namespace tpuc::tpu

#endif // TPUC_LIB_INTERPRETER_TPU_TPUCONVPLAN_H
