//===- TopUtils.cpp - Tensor names, shapes and module attributes ----------===//

#include "tpuc/Dialect/Top/TopOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace tpuc::top {

static std::string nameOfLoc(Location loc, unsigned resultIndex) {
  if (auto named = dyn_cast<NameLoc>(loc))
    return resultIndex == 0 ? named.getName().str() : std::string();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    unsigned i = 0;
    for (Location sub : fused.getLocations()) {
      if (auto named = dyn_cast<NameLoc>(sub)) {
        if (i == resultIndex)
          return named.getName().str();
        ++i;
      }
    }
  }
  return std::string();
}

std::string getTensorName(Value value) {
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return std::string();
  return nameOfLoc(result.getOwner()->getLoc(), result.getResultNumber());
}

std::string getOpName(Operation *op) { return nameOfLoc(op->getLoc(), 0); }

Location makeNameLoc(MLIRContext *ctx, StringRef name) {
  return NameLoc::get(StringAttr::get(ctx, name));
}

ArrayRef<int64_t> getShape(Value value) {
  if (auto type = dyn_cast<RankedTensorType>(value.getType()))
    return type.getShape();
  return {};
}

int64_t getNumElements(Value value) {
  int64_t n = 1;
  for (int64_t d : getShape(value))
    n *= d;
  return n;
}

bool isStaticShape(ArrayRef<int64_t> shape) {
  return llvm::none_of(shape, ShapedType::isDynamic);
}

std::string shapeToString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      ",");
  os << "]";
  return s;
}

LogicalResult setOrCheckShape(Operation *op, Value result,
                              ArrayRef<int64_t> shape) {
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type)
    return op->emitOpError("result is not a ranked tensor");
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d) && d < 0)
      return op->emitOpError()
             << "inferred an invalid shape " << shapeToString(shape);
  ArrayRef<int64_t> current = type.getShape();
  bool compatible = current.size() == shape.size();
  SmallVector<int64_t> merged(shape);
  for (size_t i = 0; compatible && i < shape.size(); ++i) {
    if (ShapedType::isDynamic(current[i]))
      continue;
    if (ShapedType::isDynamic(shape[i]))
      merged[i] = current[i];
    else if (current[i] != shape[i])
      compatible = false;
  }
  if (!compatible) {
    std::string name = getTensorName(result);
    return op->emitOpError()
           << "result" << (name.empty() ? "" : " '" + name + "'")
           << " has shape " << shapeToString(current) << " but its inputs give "
           << shapeToString(shape);
  }
  if (merged != current)
    result.setType(type.clone(merged));
  return success();
}

FailureOr<SmallVector<int64_t>>
broadcastShapes(Operation *op, ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == 1)
      out[i] = b;
    else if (b == 1 || a == b)
      out[i] = a;
    else if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
      out[i] = ShapedType::isDynamic(a) ? b : a;
    else
      return op->emitOpError()
             << "cannot broadcast shapes " << shapeToString(lhs) << " and "
             << shapeToString(rhs);
  }
  return out;
}

FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis, int64_t rank) {
  int64_t norm = axis < 0 ? axis + rank : axis;
  if (norm < 0 || norm >= rank)
    return op->emitOpError()
           << "axis " << axis << " is out of range for rank " << rank;
  return norm;
}

LogicalResult inferSameShapeAsInput(Operation *op) {
  if (op->getNumOperands() == 0 || op->getNumResults() == 0)
    return success();
  auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!type)
    return op->emitOpError("operand 0 is not a ranked tensor");
  return setOrCheckShape(op, op->getResult(0), type.getShape());
}

int64_t getResultElementCount(Operation *op) {
  int64_t total = 0;
  for (Value v : op->getResults())
    if (isa<RankedTensorType>(v.getType()))
      total += getNumElements(v);
  return total;
}

static constexpr std::pair<State, StringLiteral> kStates[] = {
    {State::TOP_F32, "TOP_F32"},
    {State::TOP_CALIBRATED, "TOP_CALIBRATED"},
    {State::TOP_QUANTIZED, "TOP_QUANTIZED"},
    {State::TPU_LOWERED, "TPU_LOWERED"},
    {State::TPU_REORDERED, "TPU_REORDERED"},
    {State::TPU_DIVIDED, "TPU_DIVIDED"},
    {State::TPU_ADDRESSED, "TPU_ADDRESSED"},
};

StringRef stringifyState(State state) {
  for (auto &[s, name] : kStates)
    if (s == state)
      return name;
  return "TOP_F32";
}

std::optional<State> symbolizeState(StringRef name) {
  for (auto &[s, n] : kStates)
    if (n == name)
      return s;
  return std::nullopt;
}

State getState(ModuleOp module) {
  if (auto attr = module->getAttrOfType<StringAttr>(TopDialect::kStateAttr))
    if (auto state = symbolizeState(attr.getValue()))
      return *state;
  return State::TOP_F32;
}

void setState(ModuleOp module, State state) {
  module->setAttr(TopDialect::kStateAttr,
                  StringAttr::get(module.getContext(), stringifyState(state)));
}

bool isKnownChip(StringRef chip) {
  return llvm::is_contained(
      {"ALL", "cv180x", "cv181x", "cv182x", "cv183x", "bm1684x"}, chip);
}

bool isKnownPlatform(StringRef platform) {
  return llvm::is_contained({"ONNX", "TORCH", "TFLITE", "CAFFE", "MLIR"},
                            platform);
}

LogicalResult verifyUniqueTensorNames(ModuleOp module) {
  llvm::StringMap<Operation *> seen;
  WalkResult result = module.walk([&](Operation *op) {
    if (op->getDialect() == nullptr ||
        op->getDialect()->getNamespace() != TopDialect::getDialectNamespace())
      return WalkResult::advance();
    if (isa<NoneOp>(op))
      return WalkResult::advance();
    for (Value v : op->getResults()) {
      std::string name = getTensorName(v);
      if (name.empty())
        continue;
      auto [it, inserted] = seen.try_emplace(name, op);
      if (!inserted) {
        InFlightDiagnostic diag = op->emitError()
                                  << "tensor name '" << name
                                  << "' is used by more than one op";
        diag.attachNote(it->second->getLoc()) << "first used here";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

} // namespace tpuc::top
