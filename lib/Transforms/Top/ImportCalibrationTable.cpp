//===- ImportCalibrationTable.cpp - Attach calibrated ranges --------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Quant/Calibration/CalibrationTable.h"
#include "tpuc/Support/NameList.h"
#include "tpuc/Transforms/FunctionTypes.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "llvm/ADT/StringSet.h"

namespace tpuc::top {
#define GEN_PASS_DEF_IMPORTCALIBRATIONTABLE
#include "dialects/Top/Passes.h.inc"
} // namespace tpuc::top

using namespace mlir;
using namespace tpuc;
using namespace tpuc::top;

namespace {

/// Whether the op's result cannot be negative whatever the table says.
bool isNonNegative(Operation *op) {
  if (isa<SigmoidOp, SoftmaxOp, HardSigmoidOp, AbsOp, ExpOp, SqrtOp>(op))
    return !isa<SoftmaxOp>(op) || !cast<SoftmaxOp>(op).getLog();
  if (auto relu = op->getAttrOfType<BoolAttr>("do_relu"))
    return relu.getValue();
  return isa<ReluOp>(op);
}

/// The range a tensor gets from its table entry.
std::pair<double, double> rangeFor(Operation *op,
                                   const calibration::CalibrationEntry &entry,
                                   bool asymmetric, bool signedSymmetric) {
  double th = entry.threshold;
  // Sigmoid and softmax are bounded by 1 whatever was measured.
  if (isa<SigmoidOp>(op) ||
      (isa<SoftmaxOp>(op) && !cast<SoftmaxOp>(op).getLog()))
    th = 1.0;
  if (signedSymmetric)
    return {-th, th};
  if (asymmetric) {
    double lo = entry.min, hi = entry.max;
    if (isNonNegative(op))
      lo = std::max(lo, 0.0);
    return {lo, hi};
  }
  bool nonNegative = entry.min >= 0 || isNonNegative(op);
  return {nonNegative ? 0.0 : -th, th};
}

struct ImportCalibrationTablePass
    : tpuc::top::impl::ImportCalibrationTableBase<ImportCalibrationTablePass> {
  using ImportCalibrationTableBase::ImportCalibrationTableBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (getState(module) != State::TOP_F32) {
      module.emitError() << "import-calibration-table needs a TOP_F32 module, "
                            "but it is "
                         << stringifyState(getState(module));
      return signalPassFailure();
    }
    if (file.empty()) {
      module.emitError("import-calibration-table needs file=<table>");
      return signalPassFailure();
    }
    std::vector<std::string> notes;
    auto table = calibration::readCalibrationTable(file, &notes);
    if (!table) {
      module.emitError() << llvm::toString(table.takeError());
      return signalPassFailure();
    }
    for (const std::string &note : notes)
      module.emitRemark() << note;
    if (table->isFp8()) {
      module.emitError() << file << ": is an fp8 calibration table; tpuc "
                         << "quantizes to int8 only";
      return signalPassFailure();
    }

    const ChipInfo *chip = tpu::getChip(module);
    bool signedSymmetric = chip && chip->family == ChipFamily::CV18xx;
    bool asym = asymmetric && !signedSymmetric;
    llvm::StringSet<> used;
    std::vector<std::string> missing;
    size_t computedFound = 0;
    MLIRContext *ctx = module.getContext();
    module.walk([&](Operation *op) {
      if (isa<WeightOp, NoneOp>(op) || op->getDialect() == nullptr ||
          !isa<TopDialect>(op->getDialect()))
        return;
      for (Value result : op->getResults()) {
        auto type = dyn_cast<RankedTensorType>(result.getType());
        if (!type || !type.getElementType().isF32())
          continue;
        std::string name = getTensorName(result);
        const calibration::CalibrationEntry *entry = table->lookup(name);
        if (!entry) {
          missing.push_back(name);
          continue;
        }
        used.insert(name);
        computedFound += !isa<InputOp>(op);
        auto [lo, hi] = rangeFor(op, *entry, asym, signedSymmetric);
        if (!(hi > lo))
          hi = lo + 1e-5;
        auto calibrated =
            quant::CalibratedQuantizedType::get(Float32Type::get(ctx), lo, hi);
        result.setType(RankedTensorType::get(type.getShape(), calibrated));
      }
    });
    if (table->entries.empty()) {
      module.emitError() << file << ": the table holds no thresholds";
      return signalPassFailure();
    }
    std::vector<std::string> unknown;
    for (const auto &entry : table->entries)
      if (!used.contains(entry.name))
        unknown.push_back(entry.name);
    // A table that names none of the computed tensors is another model's:
    // lowering with it would silently leave every op in float.
    if (computedFound == 0 && missing.size() > 0) {
      auto diag = module.emitError()
                  << file << ": no entry names a tensor this model computes";
      if (!unknown.empty())
        diag << " (" << unknown.size() << " entries, such as "
             << joinFirstNames(unknown, 5) << "; the model's tensors are "
             << joinFirstNames(missing, 5) << ")";
      diag << "; was the table made for another model?";
      return signalPassFailure();
    }
    if (!missing.empty())
      module.emitWarning() << file << ": " << missing.size()
                           << " float tensors have no threshold ("
                           << joinFirstNames(missing, 5)
                           << "); they stay in float";
    if (!unknown.empty())
      module.emitRemark() << file << ": " << unknown.size()
                          << " table entries name no tensor of this model";
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(updateFunctionType(func)))
        return signalPassFailure();
    setState(module, State::TOP_CALIBRATED);
  }
};

} // namespace
