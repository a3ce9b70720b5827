//===- TopUtils.h - Tensor names, shapes and module attributes ---*- C++
//-*-===//

#ifndef TPUC_DIALECT_TOP_TOPUTILS_H
#define TPUC_DIALECT_TOP_TOPUTILS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace tpuc::top {

//===----------------------------------------------------------------------===//
// Tensor names
//===----------------------------------------------------------------------===//

/// The name of a value: its defining op's location name (for multi-result
/// ops, the result's entry of a fused location of names). Block arguments
/// and unnamed values give "".
std::string getTensorName(mlir::Value value);
/// The op's (first) tensor name.
std::string getOpName(mlir::Operation *op);
/// A location naming one tensor, for building ops.
mlir::Location makeNameLoc(mlir::MLIRContext *ctx, llvm::StringRef name);

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// Shape of a ranked tensor value (dynamic dims are ShapedType::kDynamic).
llvm::ArrayRef<int64_t> getShape(mlir::Value value);
int64_t getNumElements(mlir::Value value);
/// Sets `result`'s shape when it has unknown dims, or checks it otherwise;
/// a disagreement is reported on `op` naming the result and both shapes.
mlir::LogicalResult setOrCheckShape(mlir::Operation *op, mlir::Value result,
                                    llvm::ArrayRef<int64_t> shape);
/// numpy broadcasting of two shapes; reports incompatible dims on `op`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(mlir::Operation *op, llvm::ArrayRef<int64_t> lhs,
                llvm::ArrayRef<int64_t> rhs);
/// Normalizes a possibly negative axis into [0, rank); fails on `op` when
/// out of range.
mlir::FailureOr<int64_t> normalizeAxis(mlir::Operation *op, int64_t axis,
                                       int64_t rank);
bool isStaticShape(llvm::ArrayRef<int64_t> shape);
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

/// Default shape inference: result 0 has the shape of operand 0.
mlir::LogicalResult inferSameShapeAsInput(mlir::Operation *op);
/// Default FLOPs: one per result element.
int64_t getResultElementCount(mlir::Operation *op);

//===----------------------------------------------------------------------===//
// Module attributes
//===----------------------------------------------------------------------===//

/// Compilation states in pipeline order.
enum class State {
  TOP_F32,
  TOP_CALIBRATED,
  TOP_QUANTIZED,
  TPU_LOWERED,
  TPU_REORDERED,
  TPU_DIVIDED,
  TPU_ADDRESSED
};
llvm::StringRef stringifyState(State state);
std::optional<State> symbolizeState(llvm::StringRef name);
/// Module state; TOP_F32 when the attribute is absent.
State getState(mlir::ModuleOp module);
void setState(mlir::ModuleOp module, State state);

/// Chips tpuc knows; "ALL" means not yet assigned.
bool isKnownChip(llvm::StringRef chip);
bool isKnownPlatform(llvm::StringRef platform);

/// Checks that every op location name in the module is unique.
mlir::LogicalResult verifyUniqueTensorNames(mlir::ModuleOp module);

} // namespace tpuc::top

#endif // TPUC_DIALECT_TOP_TOPUTILS_H
