//===- RealValues.h - Tensors as the values they represent -------*- C++
//-*-===//
//
// The interpreter keeps int8 tensors as their stored codes. Files that people
// and comparisons read hold the real values instead: (code - zero_point) *
// scale, named as before.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_INTERPRETER_REALVALUES_H
#define TPUC_INTERPRETER_REALVALUES_H

#include "tpuc/Interpreter/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace tpuc {

/// Replaces every tensor of `tensors` that names a quantized value of
/// `func` by its real values.
void toRealValues(mlir::func::FuncOp func, TensorMap &tensors);

/// The real values of one quantized tensor of element type `type` (any
/// other type is returned unchanged).
Tensor toRealValues(mlir::Type type, const Tensor &tensor);

/// The stored codes of real values for a value of type `type` (quantized
/// inputs after --quant_input): round(x / scale) + zero_point, saturated;
/// for bf16/f16 values the values rounded to that type.
Tensor toStoredValues(mlir::Type type, const Tensor &tensor);

} // namespace tpuc

#endif // TPUC_INTERPRETER_REALVALUES_H
