//===- Lowering.h - Shared state of the Top to Tpu lowering ------*- C++
//-*-===//
//
// convert-top-to-tpu visits Top ops in order. When an op is visited its
// operands have already been lowered, so their types tell how each one is
// stored (int8 with a scale, or a float type with an optional calibrated
// range). A lowering function builds the Tpu ops for one Top op in one mode
// and returns the values that replace its results; LoweringContext supplies
// casts, result types and weights. Private to lib/Conversion/TopToTpu.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_CONVERSION_TOPTOTPU_LOWERING_H
#define TPUC_LIB_CONVERSION_TOPTOTPU_LOWERING_H

#include "tpuc/Backend/Chips.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Quant/QuantMath.h"
#include "tpuc/Support/Npz.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <map>
#include <optional>

namespace tpuc::tpu {

class LoweringContext {
public:
  LoweringContext(mlir::ModuleOp module, const ChipInfo &chip,
                  QuantMode defaultMode, bool asymmetric,
                  llvm::StringMap<QuantMode> qtable);

  mlir::ModuleOp getModule() { return module_; }
  mlir::MLIRContext *getContext() const { return builder_.getContext(); }
  mlir::OpBuilder &builder() { return builder_; }
  const ChipInfo &chip() const { return chip_; }
  bool isCV18xx() const { return chip_.family == ChipFamily::CV18xx; }
  bool isAsymmetric() const { return asymmetric_; }
  /// The float mode ops fall back to when they cannot compute in INT8.
  QuantMode floatMode() const { return floatMode_; }

  /// The mode `op` is asked to compute in: its qtable line, else the
  /// module's mode, mapped to what the chip has (F16/F32 -> BF16 on CV18xx).
  QuantMode requestedMode(mlir::Operation *op) const;

  /// Records that `op` computes in `mode` instead of the requested one.
  void noteFallback(mlir::Operation *op, QuantMode mode,
                    llvm::StringRef reason);
  /// "12 ops fall back to BF16: Softmax (3: a, b, c), ..." or "".
  std::string fallbackSummary() const;

  //===--------------------------------------------------------------------===//
  // Types
  //===--------------------------------------------------------------------===//

  /// The float element type of a float mode.
  mlir::FloatType floatType(QuantMode mode) const;
  /// The type a result computed in `mode` gets: for INT8 the int8 type of
  /// its calibrated range, for float modes the mode's float type (keeping
  /// the calibrated range, so a later cast to int8 knows it). Null when the
  /// result is not calibrated and `mode` is INT8.
  mlir::Type resultType(mlir::Type topType, QuantMode mode) const;
  /// The int8 type for a calibrated range (symmetric or asymmetric per the
  /// module and chip).
  mlir::quant::UniformQuantizedType int8Type(double min, double max) const;
  /// The int8 type a (lowered) value converts to: its own if quantized,
  /// else from its calibrated range; null when it has neither.
  mlir::quant::UniformQuantizedType int8TypeOf(mlir::Value value) const;

  //===--------------------------------------------------------------------===//
  // Operands
  //===--------------------------------------------------------------------===//

  /// `value` as an op computing in `mode` reads it: unchanged when it
  /// already is, else through a (cached) tpu.Cast. INT8 needs the value to
  /// be quantized or calibrated; failure is reported on `user`.
  mlir::FailureOr<mlir::Value> operandIn(mlir::Value value, QuantMode mode,
                                         mlir::Operation *user);
  /// `value` converted to exactly the int8 type `type`: itself when equal,
  /// else through tpu.Requant (int8 of another scale) or tpu.Cast.
  mlir::FailureOr<mlir::Value> operandAs(mlir::Value value,
                                         mlir::quant::UniformQuantizedType type,
                                         mlir::Operation *user);
  /// A cast of `value` to `type` named `<name>_<suffix>`.
  mlir::Value createCast(mlir::Value value, mlir::Type type,
                         llvm::StringRef suffix);

  //===--------------------------------------------------------------------===//
  // Weights
  //===--------------------------------------------------------------------===//

  /// The data of a weight operand as floats, or nullopt when `value` is not
  /// a top.Weight (an activation).
  std::optional<std::vector<float>> weightData(mlir::Value value) const;
  bool isWeight(mlir::Value value) const;
  /// Creates a weight named `<base>_<suffix>` (made unique) holding `array`,
  /// whose values the element type `element` stores (si8, si32, bf16 bits,
  /// f16 bits, f32).
  mlir::Value createWeight(llvm::StringRef base, llvm::StringRef suffix,
                           llvm::ArrayRef<int64_t> shape, mlir::Type element,
                           NpyArray array);
  /// A float weight in `mode`'s float type (values rounded to it).
  mlir::Value createFloatWeight(llvm::StringRef base, llvm::StringRef suffix,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<float> data, QuantMode mode);
  /// An int8 weight (si8, or ui8 when `isUnsigned`) of integer values.
  mlir::Value createInt8Weight(llvm::StringRef base, llvm::StringRef suffix,
                               llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<int64_t> data,
                               bool isUnsigned = false);
  /// An si32 weight of integer values.
  mlir::Value createInt32Weight(llvm::StringRef base, llvm::StringRef suffix,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> data);
  /// A `none` value for absent optional operands.
  mlir::Value none();

  /// A name location `<op name><suffix>`.
  mlir::Location nameLoc(mlir::Operation *op, llvm::StringRef suffix = "");
  /// `base`, or `base_N`, unused by any tensor of the module (and of the
  /// weight store, when given).
  std::string uniqueName(llvm::StringRef base,
                         top::WeightStore *store = nullptr);

private:
  mlir::ModuleOp module_;
  const ChipInfo &chip_;
  QuantMode defaultMode_;
  QuantMode floatMode_;
  bool asymmetric_;
  llvm::StringMap<QuantMode> qtable_;
  mlir::OpBuilder builder_;
  mlir::Value none_;
  llvm::StringSet<> usedNames_;
  /// Casts already built, by source value and target type.
  llvm::DenseMap<std::pair<mlir::Value, mlir::Type>, mlir::Value> casts_;
  /// Fallbacks by op type name: the tensor names and the reason.
  std::map<std::string, std::vector<std::string>> fallbacks_;
  std::map<std::string, std::string> fallbackReasons_;
};

/// Lowers one Top op in `mode`; returns the values replacing its results,
/// or failure (reported on the op). The builder's insertion point is before
/// the op. Returning `std::nullopt` from a lowering means "cannot compute in
/// this mode": the driver retries in the chip's float mode and reports it.
using LoweringResult =
    mlir::FailureOr<std::optional<llvm::SmallVector<mlir::Value>>>;
using LowerFn = std::function<LoweringResult(
    mlir::Operation *op, LoweringContext &ctx, QuantMode mode)>;

class LoweringRegistry {
public:
  void add(llvm::StringRef opName, LowerFn fn) { fns_[opName] = std::move(fn); }
  template <typename OpT, typename F> void add(F fn) {
    add(OpT::getOperationName(),
        [fn](mlir::Operation *op, LoweringContext &ctx, QuantMode mode)
            -> LoweringResult { return fn(llvm::cast<OpT>(op), ctx, mode); });
  }
  const LowerFn *lookup(llvm::StringRef opName) const {
    auto it = fns_.find(opName);
    return it == fns_.end() ? nullptr : &it->second;
  }

private:
  llvm::StringMap<LowerFn> fns_;
};

void registerConvLowerings(LoweringRegistry &registry);
void registerMatMulLowerings(LoweringRegistry &registry);
void registerPoolLowerings(LoweringRegistry &registry);
void registerElementwiseLowerings(LoweringRegistry &registry);
void registerActivationLowerings(LoweringRegistry &registry);
void registerShapeLowerings(LoweringRegistry &registry);
void registerNormLowerings(LoweringRegistry &registry);

/// Shorthand for a lowering that cannot handle the mode.
inline LoweringResult cannotLower() {
  return std::optional<llvm::SmallVector<mlir::Value>>();
}
inline LoweringResult lowered(llvm::ArrayRef<mlir::Value> values) {
  return std::optional<llvm::SmallVector<mlir::Value>>(
      llvm::SmallVector<mlir::Value>(values.begin(), values.end()));
}

//===----------------------------------------------------------------------===//
// Helpers shared by the lowering files
//===----------------------------------------------------------------------===//

/// The scale of an int8 type.
inline double scaleOf(mlir::quant::UniformQuantizedType type) {
  return type.getScale();
}
/// A unary function of the activation lowering: how to evaluate it, its
/// tpu.Active mode and coefficients, and the range of its bf16 table (0 when
/// CV18xx computes it as tpu.Active too).
struct UnaryFunction {
  std::function<double(double)> eval;
  llvm::StringRef activeMode;
  llvm::SmallVector<double, 2> coeffs;
  double bf16Range = 0;
};
/// The function of a Top activation op, or nullopt for other ops.
std::optional<UnaryFunction> describeUnary(mlir::Operation *op);

/// Relu limit in stored units of `type` (for do_relu/relu_limit on INT8).
double quantizedReluLimit(double limit, mlir::quant::UniformQuantizedType type);

} // namespace tpuc::tpu

#endif // TPUC_LIB_CONVERSION_TOPTOTPU_LOWERING_H
