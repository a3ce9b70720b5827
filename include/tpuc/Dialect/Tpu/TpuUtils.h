//===- TpuUtils.h - Storage types and chips of Tpu tensors -------*- C++
//-*-===//

#ifndef TPUC_DIALECT_TPU_TPUUTILS_H
#define TPUC_DIALECT_TPU_TPUUTILS_H

#include "tpuc/Backend/Chips.h"
#include "tpuc/Support/Npz.h"

#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace tpuc::tpu {

/// The chip named by the module's `top.chip`, or null ("ALL", absent).
const ChipInfo *getChip(mlir::ModuleOp module);
const ChipInfo *getChip(mlir::Operation *op);
/// The module's `top.mode`, or nullopt.
std::optional<QuantMode> getMode(mlir::ModuleOp module);
bool isAsymmetric(mlir::ModuleOp module);

/// The element type of a shaped type (or the type itself).
mlir::Type getElementType(mlir::Type type);
inline mlir::Type getElementType(mlir::Value value) {
  return getElementType(value.getType());
}

/// The uniform quantized element type of a tensor, or null.
mlir::quant::UniformQuantizedType getUniformType(mlir::Type type);
inline mlir::quant::UniformQuantizedType getUniformType(mlir::Value value) {
  return getUniformType(value.getType());
}
inline bool isQuantized(mlir::Value value) {
  return static_cast<bool>(getUniformType(value));
}

/// The float type values of a float-mode tensor are rounded to: bf16, f16
/// or f32, looking through `!quant.calibrated`. Null for quantized tensors.
mlir::FloatType getFloatType(mlir::Type type);
inline mlir::FloatType getFloatType(mlir::Value value) {
  return getFloatType(value.getType());
}

/// The [min, max] a calibrated tensor was given, if any.
std::optional<std::pair<double, double>> getCalibratedRange(mlir::Type type);
inline std::optional<std::pair<double, double>>
getCalibratedRange(mlir::Value value) {
  return getCalibratedRange(value.getType());
}

/// Symmetric int8 of `threshold / 127` (zero point 0); unsigned u8 of
/// `threshold / 255` when `isUnsigned`.
mlir::quant::UniformQuantizedType getSymmetricInt8Type(mlir::MLIRContext *ctx,
                                                       double threshold,
                                                       bool isUnsigned = false);
/// Asymmetric 8-bit type covering [min, max] (u8 when min >= 0), with the
/// zero point nudged to an integer so that 0.0 is exact.
mlir::quant::UniformQuantizedType getAsymmetricInt8Type(mlir::MLIRContext *ctx,
                                                        double min, double max);

/// `type` with its element type replaced.
mlir::RankedTensorType withElementType(mlir::Type type, mlir::Type element);

/// Whether `type`'s elements are stored as 8-bit integers (quantized or
/// plain i8/ui8).
bool isInt8Storage(mlir::Type type);

//===----------------------------------------------------------------------===//
// Weights of lowered ops
//===----------------------------------------------------------------------===//

/// Arrays in the storage the element types bf16, f16, si8/ui8 and si32 use
/// in the weight file (bf16 as its u16 bits; integers exactly).
NpyArray makeBf16Array(llvm::ArrayRef<float> values);
NpyArray makeF16Array(llvm::ArrayRef<float> values);
NpyArray makeInt8Array(llvm::ArrayRef<int64_t> values, bool isUnsigned);
NpyArray makeInt32Array(llvm::ArrayRef<int64_t> values);

/// A `top.Weight` named `name` (which must be unused) of `shape` and
/// element type `element` holding `array`: in the module's weight store,
/// or inline (as values) when the module has no weight file.
mlir::Value createWeight(mlir::OpBuilder &builder, mlir::ModuleOp module,
                         llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                         mlir::Type element, NpyArray array);

} // namespace tpuc::tpu

#endif // TPUC_DIALECT_TPU_TPUUTILS_H
