//===- PointwiseRegions.cpp - Functions of one tensor ---------------------===//

#include "PointwiseRegions.h"
#include "Lowering.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"

#include "llvm/ADT/SetVector.h"

#include <cmath>
#include <variant>

using namespace mlir;

namespace tpuc::tpu {
namespace {

using Fn = std::function<double(double)>;

/// The value of a one-element weight, if `value` is one.
std::optional<double> scalarConstant(Value value) {
  auto weight = value.getDefiningOp<top::WeightOp>();
  if (!weight || cast<ShapedType>(weight.getType()).getNumElements() != 1)
    return std::nullopt;
  auto data = top::readWeightAsFloat(weight);
  if (failed(data) || data->size() != 1)
    return std::nullopt;
  return double(data->front());
}

/// Relu as the ops' do_relu/relu_limit attributes ask.
double applyRelu(Operation *op, double y) {
  auto relu = op->getAttrOfType<BoolAttr>("do_relu");
  if (!relu || !relu.getValue())
    return y;
  y = std::max(y, 0.0);
  if (auto limit = op->getAttrOfType<FloatAttr>("relu_limit"))
    if (limit.getValueAsDouble() >= 0)
      y = std::min(y, limit.getValueAsDouble());
  return y;
}

/// How one op combines its operands' values, for the ops that may be part
/// of a pointwise function.
std::optional<std::function<double(ArrayRef<double>)>> combiner(Operation *op) {
  if (auto fn = describeUnary(op))
    return [eval = fn->eval](ArrayRef<double> x) { return eval(x[0]); };
  if (auto add = dyn_cast<top::AddConstOp>(op)) {
    double c = add.getConstVal().convertToDouble();
    return [op, c](ArrayRef<double> x) { return applyRelu(op, x[0] + c); };
  }
  if (auto mul = dyn_cast<top::MulConstOp>(op)) {
    double c = mul.getConstVal().convertToDouble();
    return [op, c](ArrayRef<double> x) { return applyRelu(op, x[0] * c); };
  }
  if (auto relu = dyn_cast<top::ReluOp>(op)) {
    double limit = relu.getReluLimit().convertToDouble();
    return [limit](ArrayRef<double> x) {
      double y = std::max(x[0], 0.0);
      return limit >= 0 ? std::min(y, limit) : y;
    };
  }
  if (isa<top::AddOp>(op))
    return [op](ArrayRef<double> x) { return applyRelu(op, x[0] + x[1]); };
  if (isa<top::SubOp>(op))
    return [](ArrayRef<double> x) { return x[0] - x[1]; };
  if (isa<top::MulOp>(op))
    return [](ArrayRef<double> x) { return x[0] * x[1]; };
  if (isa<top::DivOp>(op))
    return [](ArrayRef<double> x) { return x[0] / x[1]; };
  if (isa<top::MaxOp>(op))
    return [](ArrayRef<double> x) { return std::max(x[0], x[1]); };
  if (isa<top::MinOp>(op))
    return [](ArrayRef<double> x) { return std::min(x[0], x[1]); };
  if (isa<top::PowTensorOp>(op))
    return [](ArrayRef<double> x) { return std::pow(x[0], x[1]); };
  return std::nullopt;
}

/// What a value is while scanning: a function of a source tensor.
struct Partial {
  Value source;
  Fn eval;
  llvm::SetVector<Operation *> ops;
};

} // namespace

llvm::DenseMap<Value, PointwiseFunction>
findPointwiseFunctions(Block &block,
                       const std::function<bool(Operation *)> &isFusable) {
  llvm::DenseMap<Value, Partial> partial;
  for (Operation &op : block) {
    if (op.getNumResults() != 1 || !isFusable(&op))
      continue;
    auto combine = combiner(&op);
    if (!combine)
      continue;
    Value result = op.getResult(0);
    auto resultShape = cast<ShapedType>(result.getType()).getShape();
    // Each operand is a scalar constant or a tensor of the result's shape
    // that is (a function of) the one source.
    Value source;
    SmallVector<std::variant<double, Fn>> parts;
    llvm::SetVector<Operation *> ops;
    bool ok = true;
    for (Value operand : op.getOperands()) {
      if (auto c = scalarConstant(operand)) {
        parts.emplace_back(*c);
        continue;
      }
      auto type = dyn_cast<ShapedType>(operand.getType());
      if (!type || type.getShape() != resultShape) {
        ok = false;
        break;
      }
      Value from = operand;
      Fn eval = [](double x) { return x; };
      auto it = partial.find(operand);
      if (it != partial.end()) {
        from = it->second.source;
        eval = it->second.eval;
        ops.insert(it->second.ops.begin(), it->second.ops.end());
      }
      if (source && source != from) {
        ok = false;
        break;
      }
      source = from;
      parts.emplace_back(eval);
    }
    if (!ok || !source)
      continue;
    ops.insert(&op);
    Fn eval = [parts, combine = *combine](double x) {
      SmallVector<double, 3> values;
      for (const auto &part : parts)
        values.push_back(std::holds_alternative<double>(part)
                             ? std::get<double>(part)
                             : std::get<Fn>(part)(x));
      return combine(values);
    };
    partial[result] = Partial{source, eval, std::move(ops)};
  }

  // A chain is materialized where something outside it reads the value.
  llvm::DenseMap<Value, PointwiseFunction> functions;
  for (auto &[value, p] : partial) {
    if (p.ops.size() < 2)
      continue;
    Operation *def = value.getDefiningOp();
    bool exported = llvm::any_of(value.getUsers(), [&](Operation *user) {
      if (user->getNumResults() != 1)
        return true;
      auto it = partial.find(user->getResult(0));
      return it == partial.end() || it->second.source != p.source ||
             !it->second.ops.contains(def);
    });
    if (!exported)
      continue;
    SmallVector<Operation *> ops(p.ops.begin(), p.ops.end());
    llvm::sort(
        ops, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    functions[value] = PointwiseFunction{p.source, std::move(ops), p.eval};
  }
  return functions;
}

} // namespace tpuc::tpu
