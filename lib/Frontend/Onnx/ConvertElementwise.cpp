//===- ConvertElementwise.cpp - Activations, arithmetic and logic ---------===//

#include "OnnxImporterImpl.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

/// The value of input `index` when it is a one-element constant.
std::optional<double> scalarInput(NodeContext &ctx, unsigned index) {
  const ConstTensor *c = ctx.getConstant(index);
  if (!c || c->numel() != 1)
    return std::nullopt;
  return c->getDouble(0);
}

/// A one-element constant at `index` that can be applied as a scalar to the
/// other operand without changing its shape.
std::optional<double> scalarOperand(NodeContext &ctx, unsigned index,
                                    unsigned other) {
  if (ctx.isConstant(other) || ctx.getRank(index) > ctx.getRank(other))
    return std::nullopt;
  return scalarInput(ctx, index);
}

int64_t broadcastRank(NodeContext &ctx) {
  int64_t rank = 0;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    rank = std::max(rank, ctx.getRank(i));
  return rank;
}

template <typename OpT>
LogicalResult convertUnary(NodeContext &ctx,
                           llvm::ArrayRef<NamedAttribute> attrs = {},
                           Type elementType = {}) {
  return ctx.emitAsOutput<OpT>(ctx.getRank(0), {ctx.getValue(0)}, attrs,
                               elementType);
}

template <typename OpT> LogicalResult convertSimpleUnary(NodeContext &ctx) {
  return convertUnary<OpT>(ctx);
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult convertLeakyRelu(NodeContext &ctx) {
  return convertUnary<top::LeakyReluOp>(
      ctx, {ctx.attr("alpha", double(ctx.attrs.getFloat("alpha", 0.01f)))});
}

LogicalResult convertHardSigmoid(NodeContext &ctx) {
  return convertUnary<top::HardSigmoidOp>(
      ctx, {ctx.attr("alpha", double(ctx.attrs.getFloat("alpha", 0.2f))),
            ctx.attr("beta", double(ctx.attrs.getFloat("beta", 0.5f)))});
}

LogicalResult convertElu(NodeContext &ctx) {
  return convertUnary<top::EluOp>(
      ctx, {ctx.attr("alpha", double(ctx.attrs.getFloat("alpha", 1.0f)))});
}

std::optional<std::string> checkGelu(const NodeAttributes &attrs, StringRef,
                                     int64_t) {
  std::string approx = attrs.getString("approximate", "none");
  if (approx != "none" && approx != "tanh")
    return "Gelu approximate '" + approx + "'";
  return std::nullopt;
}

LogicalResult convertGelu(NodeContext &ctx) {
  std::string approx = ctx.attrs.getString("approximate", "none");
  return convertUnary<top::GELUOp>(
      ctx, {ctx.attr("approx_mode", approx == "tanh" ? "tanh" : "normal")});
}

LogicalResult convertPRelu(NodeContext &ctx) {
  if (auto alpha = scalarInput(ctx, 1))
    return convertUnary<top::LeakyReluOp>(ctx, {ctx.attr("alpha", *alpha)});
  llvm::ArrayRef<int64_t> xShape = ctx.getShape(0);
  const ConstTensor *slope = ctx.getConstant(1);
  Value slopeValue;
  if (slope && slope->shape.size() < xShape.size()) {
    // ONNX broadcasts the slope numpy-style; leading 1s make that explicit
    // so that per-channel slopes read [1, C, 1, 1].
    std::vector<int64_t> shape(xShape.size() - slope->shape.size(), 1);
    shape.insert(shape.end(), slope->shape.begin(), slope->shape.end());
    slopeValue = ctx.createWeightFor(1, shape, slope->toFloats());
  } else {
    slopeValue = ctx.getValue(1);
  }
  return ctx.emitAsOutput<top::PReluOp>(xShape.size(),
                                        {ctx.getValue(0), slopeValue});
}

LogicalResult convertClip(NodeContext &ctx) {
  // Missing bounds are the float limits, as in onnxruntime.
  double lo = -FLT_MAX, hi = FLT_MAX;
  if (ctx.opset < 11) {
    lo = ctx.attrs.getFloat("min", -FLT_MAX);
    hi = ctx.attrs.getFloat("max", FLT_MAX);
  } else {
    for (unsigned i : {1u, 2u}) {
      if (!ctx.hasInput(i))
        continue;
      auto bound = scalarInput(ctx, i);
      if (!bound)
        return ctx.unsupported("Clip with non-constant min/max");
      (i == 1 ? lo : hi) = *bound;
    }
  }
  if (lo == 0.0 && hi >= FLT_MAX)
    return convertUnary<top::ReluOp>(ctx);
  if (!(lo <= hi))
    return ctx.unsupported("Clip with min > max");
  return convertUnary<top::ClipOp>(ctx,
                                   {ctx.attr("min", lo), ctx.attr("max", hi)});
}

//===----------------------------------------------------------------------===//
// Math
//===----------------------------------------------------------------------===//

LogicalResult convertPow(NodeContext &ctx) {
  // The result has the base's type: integer bases give integer powers.
  Type resultType = ctx.integerResultType();
  if (auto exponent = scalarOperand(ctx, 1, 0))
    return convertUnary<top::PowOp>(ctx, {ctx.attr("exponent", *exponent)},
                                    resultType);
  return ctx.emitAsOutput<top::PowTensorOp>(
      broadcastRank(ctx), {ctx.getValue(0), ctx.getValue(1)}, {}, resultType);
}

LogicalResult convertReciprocal(NodeContext &ctx) {
  return convertUnary<top::PowOp>(ctx, {ctx.attr("exponent", -1.0)});
}

LogicalResult convertNeg(NodeContext &ctx) {
  return convertUnary<top::MulConstOp>(ctx, {ctx.attr("const_val", -1.0)});
}

//===----------------------------------------------------------------------===//
// Binary and variadic arithmetic
//===----------------------------------------------------------------------===//

/// Builds `lhs op rhs` with broadcasting, named `name`.
template <typename OpT>
FailureOr<Value> binary(NodeContext &ctx, StringRef name, Value lhs, Value rhs,
                        llvm::ArrayRef<NamedAttribute> attrs = {}) {
  int64_t rank = std::max(top::getShape(lhs).size(), top::getShape(rhs).size());
  return ctx.createRanked<OpT>(name, rank, {lhs, rhs}, attrs);
}

LogicalResult convertAdd(NodeContext &ctx) {
  for (auto [c, x] : {std::pair(1u, 0u), std::pair(0u, 1u)})
    if (auto value = scalarOperand(ctx, c, x))
      return ctx.emitAsOutput<top::AddConstOp>(
          ctx.getRank(x), {ctx.getValue(x)}, {ctx.attr("const_val", *value)});
  return ctx.emitAsOutput<top::AddOp>(broadcastRank(ctx),
                                      {ctx.getValue(0), ctx.getValue(1)});
}

LogicalResult convertSub(NodeContext &ctx) {
  // x - c == x + (-c) exactly.
  if (auto value = scalarOperand(ctx, 1, 0))
    return ctx.emitAsOutput<top::AddConstOp>(ctx.getRank(0), {ctx.getValue(0)},
                                             {ctx.attr("const_val", -*value)});
  return ctx.emitAsOutput<top::SubOp>(broadcastRank(ctx),
                                      {ctx.getValue(0), ctx.getValue(1)});
}

LogicalResult convertMul(NodeContext &ctx) {
  for (auto [c, x] : {std::pair(1u, 0u), std::pair(0u, 1u)})
    if (auto value = scalarOperand(ctx, c, x))
      return ctx.emitAsOutput<top::MulConstOp>(
          ctx.getRank(x), {ctx.getValue(x)}, {ctx.attr("const_val", *value)});
  return ctx.emitAsOutput<top::MulOp>(broadcastRank(ctx),
                                      {ctx.getValue(0), ctx.getValue(1)});
}

LogicalResult convertDiv(NodeContext &ctx) {
  // x / c is not x * (1/c) bit for bit, so the divisor stays a weight. An
  // integer result type makes the quotient truncate, as ONNX integer Div.
  return ctx.emitAsOutput<top::DivOp>(broadcastRank(ctx),
                                      {ctx.getValue(0), ctx.getValue(1)}, {},
                                      ctx.integerResultType());
}

/// Folds the inputs left to right with `OpT`; the last op takes the output
/// name unless `lastName` is given.
template <typename OpT>
FailureOr<Value> chain(NodeContext &ctx, std::optional<std::string> lastName) {
  Value acc = ctx.getValue(0);
  unsigned n = ctx.numInputs();
  for (unsigned i = 1; i < n; ++i) {
    std::string name = i + 1 < n  ? ctx.tempName("acc")
                       : lastName ? *lastName
                                  : ctx.outputName(0).str();
    FailureOr<Value> next = binary<OpT>(ctx, name, acc, ctx.getValue(i));
    if (failed(next))
      return failure();
    acc = *next;
  }
  return acc;
}

template <typename OpT> LogicalResult convertVariadic(NodeContext &ctx) {
  if (ctx.numInputs() == 1) {
    ctx.setOutput(0, ctx.getValue(0));
    return success();
  }
  FailureOr<Value> result = chain<OpT>(ctx, std::nullopt);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

LogicalResult convertMean(NodeContext &ctx) {
  unsigned n = ctx.numInputs();
  Value sum = ctx.getValue(0);
  if (n > 1) {
    FailureOr<Value> chained = chain<top::AddOp>(ctx, ctx.tempName("sum"));
    if (failed(chained))
      return failure();
    sum = *chained;
  }
  return ctx.emitAsOutput<top::MulConstOp>(top::getShape(sum).size(), {sum},
                                           {ctx.attr("const_val", 1.0 / n)});
}

//===----------------------------------------------------------------------===//
// Comparison and logic (bools are 0/1 floats)
//===----------------------------------------------------------------------===//

LogicalResult convertCompare(NodeContext &ctx) {
  return ctx.emitAsOutput<top::CompareOp>(broadcastRank(ctx),
                                          {ctx.getValue(0), ctx.getValue(1)},
                                          {ctx.attr("mode", ctx.opType())});
}

LogicalResult convertNot(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  std::vector<int64_t> shape(rank > 0 ? 1 : 0, 1);
  Value zero =
      ctx.createWeight(ctx.outputName(0).str() + "_zero", shape, {0.0f});
  return ctx.emitAsOutput<top::CompareOp>(rank, {ctx.getValue(0), zero},
                                          {ctx.attr("mode", "Equal")});
}

LogicalResult convertAnd(NodeContext &ctx) {
  return ctx.emitAsOutput<top::MulOp>(broadcastRank(ctx),
                                      {ctx.getValue(0), ctx.getValue(1)});
}

LogicalResult convertOr(NodeContext &ctx) {
  return ctx.emitAsOutput<top::MaxOp>(broadcastRank(ctx),
                                      {ctx.getValue(0), ctx.getValue(1)});
}

LogicalResult convertXor(NodeContext &ctx) {
  return ctx.emitAsOutput<top::CompareOp>(broadcastRank(ctx),
                                          {ctx.getValue(0), ctx.getValue(1)},
                                          {ctx.attr("mode", "NotEqual")});
}

LogicalResult convertWhere(NodeContext &ctx) {
  return ctx.emitAsOutput<top::WhereOp>(
      broadcastRank(ctx), {ctx.getValue(0), ctx.getValue(1), ctx.getValue(2)});
}

//===----------------------------------------------------------------------===//
// Type conversion and pass-through
//===----------------------------------------------------------------------===//

LogicalResult castTo(NodeContext &ctx, int32_t to) {
  // Casts to f16 and bf16 keep that type so that the kernel rounds to it;
  // the interpreter still stores the rounded values as float.
  auto elementType = elementTypeOf(ctx.getContext(), to);
  if (!elementType)
    return ctx.unsupported(ctx.opType() + " to " + dataTypeName(to));
  Value input = ctx.getValue(0);
  if (cast<RankedTensorType>(input.getType()).getElementType() ==
      *elementType) {
    ctx.setOutput(0, input);
    return success();
  }
  FailureOr<Operation *> op = ctx.createOp(
      top::CastOp::getOperationName(), ctx.nameLoc(ctx.outputName(0)),
      {ctx.makeType(top::getShape(input), *elementType)}, {input}, {});
  if (failed(op))
    return failure();
  ctx.setOutput(0, (*op)->getResult(0));
  return success();
}

/// Target types tpuc has no counterpart of (CastLike's target is an input,
/// checked when it is converted).
std::optional<std::string> checkCast(const NodeAttributes &attrs, StringRef,
                                     int64_t) {
  int64_t to = attrs.getInt("to", onnx::TensorProto::FLOAT);
  bool numeric = isFloatDataType(to) || isIntegerDataType(to) ||
                 to == onnx::TensorProto::BOOL;
  if (!numeric)
    return "Cast to " + dataTypeName(to);
  return std::nullopt;
}

LogicalResult convertCast(NodeContext &ctx) {
  return castTo(ctx, ctx.attrs.getInt("to", onnx::TensorProto::FLOAT));
}

LogicalResult convertCastLike(NodeContext &ctx) {
  int32_t to = ctx.getDataType(1);
  if (to == 0)
    return ctx.unsupported("CastLike to a target of unknown element type");
  return castTo(ctx, to);
}

LogicalResult convertIdentity(NodeContext &ctx) {
  ctx.setOutput(0, ctx.getValue(0));
  return success();
}

LogicalResult convertDropout(NodeContext &ctx) {
  // Inference leaves the input as it is, and so does training with ratio 0
  // (no element is dropped, the scale 1 / (1 - ratio) is 1).
  if (ctx.opset >= 12 && ctx.hasInput(2)) {
    auto training = scalarInput(ctx, 2);
    if (!training)
      return ctx.unsupported("Dropout with non-constant training_mode");
    std::optional<double> ratio = ctx.hasInput(1) ? scalarInput(ctx, 1) : 0.5;
    if (*training != 0 && (!ratio || *ratio != 0))
      return ctx.unsupported("Dropout in training mode");
  }
  ctx.setOutput(0, ctx.getValue(0));
  if (ctx.isOutputUsed(1)) {
    // The mask keeps every element.
    ArrayRef<int64_t> shape = ctx.getShape(0);
    ctx.setConstantOutput(
        1,
        ConstTensor::fromInts(std::vector<int64_t>(shape.begin(), shape.end()),
                              std::vector<int64_t>(productOf(shape), 1),
                              onnx::TensorProto::BOOL));
  }
  return success();
}

} // namespace

std::optional<Type> elementTypeOf(MLIRContext *ctx, int32_t dataType) {
  auto signedInt = [&](unsigned w) { return IntegerType::get(ctx, w); };
  auto unsignedInt = [&](unsigned w) {
    return IntegerType::get(ctx, w, IntegerType::Unsigned);
  };
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::DOUBLE:
    return Float32Type::get(ctx);
  case onnx::TensorProto::FLOAT16:
    return Float16Type::get(ctx);
  case onnx::TensorProto::BFLOAT16:
    return BFloat16Type::get(ctx);
  case onnx::TensorProto::BOOL:
    return signedInt(1);
  case onnx::TensorProto::INT8:
    return signedInt(8);
  case onnx::TensorProto::INT16:
    return signedInt(16);
  case onnx::TensorProto::INT32:
    return signedInt(32);
  case onnx::TensorProto::INT64:
    return signedInt(64);
  case onnx::TensorProto::UINT8:
    return unsignedInt(8);
  case onnx::TensorProto::UINT16:
    return unsignedInt(16);
  case onnx::TensorProto::UINT32:
    return unsignedInt(32);
  case onnx::TensorProto::UINT64:
    return unsignedInt(64);
  default:
    return std::nullopt;
  }
}

void addElementwiseConverters(ConverterMap &map) {
  map["Relu"] = convertSimpleUnary<top::ReluOp>;
  map["Sigmoid"] = convertSimpleUnary<top::SigmoidOp>;
  map["Tanh"] = convertSimpleUnary<top::TanhOp>;
  map["HardSwish"] = convertSimpleUnary<top::HardSwishOp>;
  map["Softplus"] = convertSimpleUnary<top::SoftplusOp>;
  map["Mish"] = convertSimpleUnary<top::MishOp>;
  map["Erf"] = convertSimpleUnary<top::ErfOp>;
  map["Exp"] = convertSimpleUnary<top::ExpOp>;
  map["Log"] = convertSimpleUnary<top::LogOp>;
  map["Sqrt"] = convertSimpleUnary<top::SqrtOp>;
  map["Abs"] = convertSimpleUnary<top::AbsOp>;
  map["LeakyRelu"] = convertLeakyRelu;
  map["HardSigmoid"] = convertHardSigmoid;
  map["Elu"] = convertElu;
  map["Gelu"] = {convertGelu, checkGelu};
  map["PRelu"] = convertPRelu;
  map["Clip"] = convertClip;
  map["Pow"] = convertPow;
  map["Reciprocal"] = convertReciprocal;
  map["Neg"] = convertNeg;
  map["Add"] = convertAdd;
  map["Sub"] = convertSub;
  map["Mul"] = convertMul;
  map["Div"] = convertDiv;
  map["Max"] = convertVariadic<top::MaxOp>;
  map["Min"] = convertVariadic<top::MinOp>;
  map["Sum"] = convertVariadic<top::AddOp>;
  map["Mean"] = convertMean;
  map["Equal"] = convertCompare;
  map["Greater"] = convertCompare;
  map["GreaterOrEqual"] = convertCompare;
  map["Less"] = convertCompare;
  map["LessOrEqual"] = convertCompare;
  map["Not"] = convertNot;
  map["And"] = convertAnd;
  map["Or"] = convertOr;
  map["Xor"] = convertXor;
  map["Where"] = convertWhere;
  map["Cast"] = {convertCast, checkCast};
  map["CastLike"] = convertCastLike;
  map["Identity"] = convertIdentity;
  map["Dropout"] = convertDropout;
}

} // namespace tpuc::onnx_import
