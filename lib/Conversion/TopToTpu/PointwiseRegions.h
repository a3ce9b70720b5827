//===- PointwiseRegions.h - Functions of one tensor -------------*- C++ -*-===//
//
// Exporters often spell an activation as several elementwise ops: HardSwish
// as x * clip(x + 3, 0, 6) / 6, Mish as x * tanh(log(1 + exp(x))), a
// learnable affine after it as * a + b. Each op would requantize in INT8,
// but the whole chain is a function of the one tensor x, so a single
// 256-entry table computes it exactly. This finds such chains: a value whose
// computation, back to one source tensor, uses only elementwise ops of the
// same shape and scalar constants. Private to lib/Conversion/TopToTpu.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_CONVERSION_TOPTOTPU_POINTWISEREGIONS_H
#define TPUC_LIB_CONVERSION_TOPTOTPU_POINTWISEREGIONS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>
#include <memory>

namespace tpuc::tpu {

/// A function of one tensor, evaluated per element.
struct PointwiseFunction {
  /// The tensor the function reads.
  mlir::Value source;
  /// Ops it is made of (at least two), in program order.
  llvm::SmallVector<mlir::Operation *> ops;
  std::function<double(double)> eval;
};

/// For each value of the block that is a function of one other tensor
/// through two or more elementwise ops and is read by something outside
/// such a chain (a non-elementwise op, the return, or a chain of another
/// source), the function that computes it. `isFusable` tells whether an op
/// may take part (for example: it computes in INT8).
llvm::DenseMap<mlir::Value, PointwiseFunction>
findPointwiseFunctions(mlir::Block &block,
                       const std::function<bool(mlir::Operation *)> &isFusable);

} // namespace tpuc::tpu

#endif // TPUC_LIB_CONVERSION_TOPTOTPU_POINTWISEREGIONS_H
