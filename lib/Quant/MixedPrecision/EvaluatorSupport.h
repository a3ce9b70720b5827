//===- EvaluatorSupport.h - Helpers of the Evaluator's files ----*- C++ -*-===//
//
// What the files defining the Evaluator share besides its class: errors,
// the capture of the lowerings' diagnostics and how a lowered model stores a
// tensor. Private to lib/Quant/MixedPrecision.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_QUANT_MIXEDPRECISION_EVALUATORSUPPORT_H
#define TPUC_LIB_QUANT_MIXEDPRECISION_EVALUATORSUPPORT_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <mutex>
#include <string>

namespace tpuc::mix {

/// An error with `message`.
llvm::Error failure(const llvm::Twine &message);

/// Swallows the remarks and warnings of the many lowerings a search does
/// (model_deploy prints them once) and keeps the first error, so that a
/// failure becomes one line with the search's context.
class DiagnosticCapture {
public:
  explicit DiagnosticCapture(mlir::MLIRContext *ctx);
  const std::string &first() const { return first_; }

private:
  std::mutex mutex_;
  mlir::ScopedDiagnosticHandler handler_;
  std::string first_;
};

/// How a tensor of a lowered model holds its values.
struct StorageOf {
  bool quantized = false;
  double scale = 1;
  int64_t zeroPoint = 0, qmin = -128, qmax = 127;
  bool bf16 = false, f16 = false;
};

/// The storage of `value`, a tensor of a lowered model.
StorageOf storageOf(mlir::Value value);

} // namespace tpuc::mix

#endif // TPUC_LIB_QUANT_MIXEDPRECISION_EVALUATORSUPPORT_H
