//===- ConvertTopToTpu.cpp - Lower a Top module for its chip --------------===//

#include "Lowering.h"
#include "PointwiseRegions.h"

#include "tpuc/Quant/Lut.h"
#include "tpuc/Support/NameList.h"

#include "tpuc/Transforms/FunctionTypes.h"
#include "tpuc/Transforms/Passes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

namespace tpuc::tpu {
#define GEN_PASS_DEF_CONVERTTOPTOTPU
#include "dialects/Tpu/Passes.h.inc"
} // namespace tpuc::tpu

using namespace mlir;
using namespace tpuc;
using namespace tpuc::tpu;

namespace {

const LoweringRegistry &getLoweringRegistry() {
  static const LoweringRegistry registry = [] {
    LoweringRegistry r;
    registerConvLowerings(r);
    registerMatMulLowerings(r);
    registerPoolLowerings(r);
    registerElementwiseLowerings(r);
    registerActivationLowerings(r);
    registerShapeLowerings(r);
    registerNormLowerings(r);
    return r;
  }();
  return registry;
}

/// Reads `op_name MODE` lines; `#` lines and blank lines are comments, a
/// lone name (tpu-mlir writes some) is ignored.
FailureOr<llvm::StringMap<QuantMode>> readQuantTable(ModuleOp module,
                                                     StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return module.emitError()
           << path << ": cannot read: " << buffer.getError().message();
  llvm::StringMap<QuantMode> table;
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [index, raw] : llvm::enumerate(lines)) {
    StringRef line = raw.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    SmallVector<StringRef> fields;
    // Fields are separated by any run of spaces and tabs.
    llvm::SplitString(line, fields, " \t");
    if (fields.size() == 1)
      continue;
    auto mode = fields.size() == 2 ? symbolizeQuantMode(fields[1].trim())
                                   : std::nullopt;
    if (!mode)
      return module.emitError()
             << path << ":" << index + 1
             << ": expected `op_name MODE` (MODE one of INT8, BF16, F16, "
                "F32), got '"
             << line << "'";
    table[fields[0].trim()] = *mode;
  }
  return table;
}

struct ConvertTopToTpuPass
    : tpuc::tpu::impl::ConvertTopToTpuBase<ConvertTopToTpuPass> {
  using ConvertTopToTpuBase::ConvertTopToTpuBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    top::State state = top::getState(module);
    if (state != top::State::TOP_F32 && state != top::State::TOP_CALIBRATED) {
      module.emitError() << "convert-top-to-tpu needs a Top module, but it is "
                         << top::stringifyState(state);
      return signalPassFailure();
    }
    const ChipInfo *chip = getChip(module);
    auto mode = getMode(module);
    if (!chip || !mode) {
      module.emitError("convert-top-to-tpu needs top.chip and top.mode; run "
                       "--processor-assign first");
      return signalPassFailure();
    }
    llvm::StringMap<QuantMode> table;
    if (!qtable.empty()) {
      auto parsed = readQuantTable(module, qtable);
      if (failed(parsed))
        return signalPassFailure();
      table = std::move(*parsed);
    }
    bool needsCalibration =
        *mode == QuantMode::INT8 || llvm::any_of(table, [](const auto &entry) {
          return entry.second == QuantMode::INT8;
        });
    if (needsCalibration && state != top::State::TOP_CALIBRATED) {
      module.emitError("INT8 needs a calibrated module: run "
                       "--import-calibration-table (a table from "
                       "run_calibration) first");
      return signalPassFailure();
    }
    LoweringContext ctx(module, *chip, *mode, isAsymmetric(module),
                        std::move(table));
    if (failed(checkTableNames(module, qtable)))
      return signalPassFailure();

    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (failed(lowerFunction(func, ctx)))
        return signalPassFailure();

    std::string summary = ctx.fallbackSummary();
    if (!summary.empty())
      module.emitRemark() << summary;
    top::setState(module, top::State::TPU_LOWERED);
  }

  /// A name that is no op of the model is an error: the table was made for
  /// another model (or version of it), and what it meant to keep in float
  /// would silently be INT8.
  LogicalResult checkTableNames(ModuleOp module, StringRef path) {
    if (path.empty())
      return success();
    auto parsed = readQuantTable(module, path);
    if (failed(parsed))
      return success();
    llvm::StringSet<> names;
    module.walk([&](Operation *op) { names.insert(top::getOpName(op)); });
    std::vector<std::string> unknown;
    for (const auto &entry : *parsed)
      if (!names.contains(entry.first()))
        unknown.push_back(entry.first().str());
    if (unknown.empty())
      return success();
    llvm::sort(unknown);
    return module.emitError()
           << path << ": " << unknown.size()
           << (unknown.size() == 1 ? " name is" : " names are")
           << " no op of this model (" << joinFirstNames(unknown, 5)
           << "); was the table made for another model?";
  }

  LogicalResult lowerOp(Operation *op, LoweringContext &ctx) {
    const LowerFn *fn =
        getLoweringRegistry().lookup(op->getName().getStringRef());
    if (!fn)
      return op->emitOpError()
             << "cannot be lowered for " << ctx.chip().name << " yet";
    QuantMode mode = ctx.requestedMode(op);
    // Integer results (indices) need no range.
    bool calibrated = llvm::all_of(op->getResults(), [](Value v) {
      return getCalibratedRange(v).has_value() ||
             isa<IntegerType>(getElementType(v));
    });
    // An input that is neither int8 nor calibrated (missing from the table)
    // cannot be cast to int8 either.
    bool inputsKnown = llvm::all_of(op->getOperands(), [&](Value v) {
      return isa<NoneType>(v.getType()) || ctx.isWeight(v) || isQuantized(v) ||
             getCalibratedRange(v).has_value() ||
             isa<IntegerType>(getElementType(v));
    });
    if (mode == QuantMode::INT8 && (!calibrated || !inputsKnown)) {
      mode = ctx.floatMode();
      ctx.noteFallback(op, mode, "no calibrated range");
    }
    ctx.builder().setInsertionPoint(op);
    LoweringResult result = (*fn)(op, ctx, mode);
    if (failed(result))
      return failure();
    if (!*result && mode != ctx.floatMode()) {
      QuantMode requested = mode;
      mode = ctx.floatMode();
      ctx.noteFallback(op, mode,
                       requested == QuantMode::INT8
                           ? "no INT8 implementation"
                           : "no " + stringifyQuantMode(requested).str() +
                                 " implementation");
      result = (*fn)(op, ctx, mode);
      if (failed(result))
        return failure();
    }
    if (!*result)
      return op->emitOpError()
             << "cannot be lowered to " << stringifyQuantMode(mode) << " for "
             << ctx.chip().name;
    SmallVector<Value> &values = **result;
    if (values.size() != op->getNumResults())
      return op->emitOpError("lowering produced the wrong number of values");
    for (auto [from, to] : llvm::zip(op->getResults(), values))
      from.replaceAllUsesWith(to);
    // Erased at the end of the function: chains of pointwise ops still
    // refer to the values of ops already lowered.
    lowered_[op] = llvm::to_vector(values);
    return success();
  }

  /// The value that replaced `value` (the result of an op lowered
  /// already), or `value` itself.
  Value current(Value value) {
    if (auto result = dyn_cast<OpResult>(value)) {
      auto it = lowered_.find(result.getOwner());
      if (it != lowered_.end())
        return it->second[result.getResultNumber()];
    }
    return value;
  }

  /// One lookup table from the chain's source to its result.
  LogicalResult lowerPointwise(Operation *op, const PointwiseFunction &fn,
                               LoweringContext &ctx) {
    ctx.builder().setInsertionPoint(op);
    auto in = ctx.operandIn(current(fn.source), QuantMode::INT8, op);
    if (failed(in))
      return failure();
    Type type = ctx.resultType(op->getResult(0).getType(), QuantMode::INT8);
    auto inQ = getUniformType(*in), outQ = getUniformType(type);
    auto table = quantmath::buildInt8Lut(
        {inQ.getScale(), inQ.getZeroPoint(), inQ.isSigned()},
        {outQ.getScale(), outQ.getZeroPoint(), outQ.isSigned()}, fn.eval);
    Value weight = ctx.createInt8Weight(top::getOpName(op), "table", {256},
                                        table, !outQ.isSigned());
    Value out = ctx.builder().create<LutOp>(ctx.nameLoc(op), type, *in, weight);
    op->getResult(0).replaceAllUsesWith(out);
    lowered_[op] = {out};
    return success();
  }

  llvm::DenseMap<Operation *, SmallVector<Value>> lowered_;

  LogicalResult lowerFunction(func::FuncOp func, LoweringContext &ctx) {
    if (func.getBody().empty())
      return success();
    Block &body = func.getBody().front();
    // In INT8, a chain of elementwise ops computing a function of one tensor
    // is one exact lookup table; its inner ops are not lowered at all.
    auto functions = findPointwiseFunctions(body, [&](Operation *op) {
      return isa_and_nonnull<top::TopDialect>(op->getDialect()) &&
             ctx.requestedMode(op) == QuantMode::INT8 &&
             llvm::all_of(op->getResults(), [](Value v) {
               return getCalibratedRange(v).has_value();
             });
    });
    llvm::DenseMap<Operation *, PointwiseFunction *> roots;
    llvm::DenseSet<Operation *> members;
    for (auto &[value, fn] : functions) {
      roots[value.getDefiningOp()] = &fn;
      members.insert(fn.ops.begin(), fn.ops.end());
    }
    SmallVector<Operation *> topOps;
    for (Operation &op : body)
      if (!isa<top::InputOp, top::WeightOp, top::NoneOp, func::ReturnOp>(op) &&
          isa_and_nonnull<top::TopDialect>(op.getDialect()))
        topOps.push_back(&op);
    for (Operation *op : topOps) {
      auto root = roots.find(op);
      if (root != roots.end()) {
        if (failed(lowerPointwise(op, *root->second, ctx)))
          return failure();
        continue;
      }
      // Inner ops of a chain whose every reader is in a chain too.
      if (members.contains(op) &&
          llvm::all_of(op->getUsers(), [&](Operation *u) {
            return members.contains(u) || roots.count(u);
          }))
        continue;
      if (failed(lowerOp(op, ctx)))
        return failure();
    }
    for (Operation *op : llvm::reverse(topOps))
      if (op->use_empty())
        op->erase();
    lowered_.clear();
    // Outputs are f32 unless strip-io-quant removes these casts.
    Operation *ret = body.getTerminator();
    ctx.builder().setInsertionPoint(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Value value = operand.get();
      auto type = dyn_cast<RankedTensorType>(value.getType());
      // Integer results (indices of tpu.Arg, si32) are returned as they are.
      if (!type || type.getElementType().isF32() ||
          isa<IntegerType>(type.getElementType()))
        continue;
      Value cast = ctx.createCast(
          value,
          RankedTensorType::get(type.getShape(),
                                Float32Type::get(func.getContext())),
          "f32");
      operand.set(cast);
    }
    // Inputs stay f32: their ranges now live in the casts that read them.
    for (auto input : body.getOps<top::InputOp>())
      input.getOutput().setType(input.getInput().getType());
    // Original weights that nothing reads any more.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (isa<top::WeightOp, top::NoneOp>(op) && op.use_empty())
        op.erase();
    return updateFunctionType(func);
  }
};

} // namespace
