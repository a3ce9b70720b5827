//===- LowerActivation.cpp - Unary functions ------------------------------===//
//
// INT8: every unary function of an int8 tensor is a 256-entry lookup table,
// exact by construction. CV18xx BF16: smooth transcendental functions are
// interpolated from bf16 tables (tpu.LutBF16) as the chip does; functions
// made of basic arithmetic, and exp/log/sqrt, are tpu.Active (computed in
// f32 and rounded). Other chips compute every function as tpu.Active.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"
#include "tpuc/Quant/Lut.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplus(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }

} // namespace

std::optional<UnaryFunction> describeUnary(Operation *op) {
  if (isa<top::SigmoidOp>(op))
    return UnaryFunction{sigmoid, "Sigmoid", {}, 12};
  if (isa<top::SiLUOp>(op))
    return UnaryFunction{
        [](double x) { return x * sigmoid(x); }, "SiLU", {}, 12};
  if (isa<top::TanhOp>(op))
    return UnaryFunction{[](double x) { return std::tanh(x); }, "Tanh", {}, 8};
  if (isa<top::MishOp>(op))
    return UnaryFunction{
        [](double x) { return x * std::tanh(softplus(x)); }, "Mish", {}, 8};
  if (isa<top::SoftplusOp>(op))
    return UnaryFunction{softplus, "Softplus", {}, 8};
  if (isa<top::ErfOp>(op))
    return UnaryFunction{[](double x) { return std::erf(x); }, "Erf", {}, 4};
  if (auto gelu = dyn_cast<top::GELUOp>(op)) {
    if (gelu.getApproxMode() == "tanh")
      return UnaryFunction{[](double x) {
                             return 0.5 * x *
                                    (1 + std::tanh(0.7978845608028654 *
                                                   (x + 0.044715 * x * x * x)));
                           },
                           "GELUTanh",
                           {},
                           8};
    return UnaryFunction{
        [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); },
        "GELU",
        {},
        8};
  }
  if (auto elu = dyn_cast<top::EluOp>(op)) {
    double alpha = elu.getAlpha().convertToDouble();
    return UnaryFunction{
        [alpha](double x) { return x > 0 ? x : alpha * std::expm1(x); },
        "Elu",
        {alpha},
        8};
  }
  if (auto hs = dyn_cast<top::HardSigmoidOp>(op)) {
    double alpha = hs.getAlpha().convertToDouble();
    double beta = hs.getBeta().convertToDouble();
    return UnaryFunction{[alpha, beta](double x) {
                           return std::clamp(alpha * x + beta, 0.0, 1.0);
                         },
                         "HardSigmoid",
                         {alpha, beta},
                         0};
  }
  if (isa<top::HardSwishOp>(op))
    return UnaryFunction{
        [](double x) { return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0); },
        "HardSwish",
        {},
        0};
  if (isa<top::ExpOp>(op))
    return UnaryFunction{[](double x) { return std::exp(x); }, "Exp", {}, 0};
  if (isa<top::LogOp>(op))
    return UnaryFunction{[](double x) { return std::log(x); }, "Log", {}, 0};
  if (isa<top::SqrtOp>(op))
    return UnaryFunction{[](double x) { return std::sqrt(x); }, "Sqrt", {}, 0};
  if (isa<top::AbsOp>(op))
    return UnaryFunction{[](double x) { return std::fabs(x); }, "Abs", {}, 0};
  if (auto pow = dyn_cast<top::PowOp>(op)) {
    double e = pow.getExponent().convertToDouble();
    return UnaryFunction{
        [e](double x) { return std::pow(x, e); }, "Pow", {e}, 0};
  }
  if (auto leaky = dyn_cast<top::LeakyReluOp>(op)) {
    double alpha = leaky.getAlpha().convertToDouble();
    return UnaryFunction{[alpha](double x) { return x >= 0 ? x : alpha * x; },
                         "LeakyRelu",
                         {alpha},
                         0};
  }
  if (auto clip = dyn_cast<top::ClipOp>(op)) {
    double lo = clip.getMin().convertToDouble();
    double hi = clip.getMax().convertToDouble();
    return UnaryFunction{
        [lo, hi](double x) { return std::min(std::max(x, lo), hi); },
        "Clip",
        {lo, hi},
        0};
  }
  return std::nullopt;
}

namespace {

LoweringResult lowerUnary(Operation *op, LoweringContext &ctx, QuantMode mode) {
  auto fn = describeUnary(op);
  if (!fn)
    return op->emitOpError("has no unary lowering");
  auto in = ctx.operandIn(op->getOperand(0), mode, op);
  if (failed(in))
    return failure();
  OpBuilder &b = ctx.builder();
  Type type = ctx.resultType(op->getResult(0).getType(), mode);
  std::string name = top::getOpName(op);
  if (mode == QuantMode::INT8) {
    auto inQ = getUniformType(*in), outQ = getUniformType(type);
    auto table = quantmath::buildInt8Lut(
        {inQ.getScale(), inQ.getZeroPoint(), inQ.isSigned()},
        {outQ.getScale(), outQ.getZeroPoint(), outQ.isSigned()}, fn->eval);
    Value weight =
        ctx.createInt8Weight(name, "table", {256}, table, !outQ.isSigned());
    return lowered({b.create<LutOp>(ctx.nameLoc(op), type, *in, weight)});
  }
  if (mode == QuantMode::BF16 && ctx.isCV18xx() && fn->bf16Range > 0) {
    double range = fn->bf16Range;
    auto tables = quantmath::buildBf16SlopeTable(fn->eval, -range, range);
    Value values = ctx.createFloatWeight(name, "table", {256}, tables.values,
                                         QuantMode::BF16);
    Value slopes = ctx.createFloatWeight(name, "slope", {256}, tables.slopes,
                                         QuantMode::BF16);
    return lowered({b.create<LutBF16Op>(ctx.nameLoc(op), type, *in, values,
                                        slopes, b.getF64FloatAttr(-range),
                                        b.getF64FloatAttr(range))});
  }
  DenseF64ArrayAttr coeffs;
  if (!fn->coeffs.empty())
    coeffs = b.getDenseF64ArrayAttr(fn->coeffs);
  return lowered({b.create<ActiveOp>(ctx.nameLoc(op), type, *in,
                                     b.getStringAttr(fn->activeMode), coeffs)});
}

/// Relu keeps the scale in INT8: negative codes become the zero point.
LoweringResult lowerRelu(top::ReluOp op, LoweringContext &ctx, QuantMode mode) {
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  Type type = mode == QuantMode::INT8
                  ? in->getType()
                  : ctx.resultType(op.getOutput().getType(), mode);
  return lowered({ctx.builder().create<ReluOp>(ctx.nameLoc(op), type, *in,
                                               op.getReluLimitAttr())});
}

LoweringResult lowerPRelu(top::PReluOp op, LoweringContext &ctx,
                          QuantMode mode) {
  auto slope = ctx.weightData(op.getSlope());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  int64_t channels = inType.getRank() >= 2 ? inType.getDimSize(1) : 1;
  // Per-channel slopes are what the chips implement; others need a Where.
  // The slope broadcasts numpy-style, so it is per channel only when every
  // dim but the one aligned with the input's dim 1 is 1 ([C, 1, 1] for
  // NCHW; a [C] slope would run along the last dim).
  auto slopeShape = top::getShape(op.getSlope());
  int64_t rank = inType.getRank();
  bool perChannel = static_cast<int64_t>(slopeShape.size()) <= rank;
  for (auto [i, dim] : llvm::enumerate(slopeShape)) {
    int64_t inputDim = rank - static_cast<int64_t>(slopeShape.size()) +
                       static_cast<int64_t>(i);
    if (dim != 1 && (inputDim != 1 || dim != channels))
      perChannel = false;
  }
  if (slope && perChannel && slope->size() == 1)
    slope->assign(channels, (*slope)[0]);
  if (!slope || !perChannel || static_cast<int64_t>(slope->size()) != channels)
    return op.emitOpError("PRelu needs a constant slope with one value per "
                          "channel");
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  OpBuilder &b = ctx.builder();
  Type type = ctx.resultType(op.getOutput().getType(), mode);
  std::string name = top::getOpName(op);
  if (mode == QuantMode::INT8) {
    double ratio =
        getUniformType(*in).getScale() / getUniformType(type).getScale();
    auto pos = quantmath::getInt8MultiplierShift(ratio);
    std::vector<double> scaled;
    for (float s : *slope)
      scaled.push_back(s * ratio);
    auto [codes, shift] = quantmath::getInt8Multipliers(scaled);
    Value weight =
        ctx.createInt8Weight(name, "slope_i8", {channels},
                             std::vector<int64_t>(codes.begin(), codes.end()));
    return lowered({b.create<PReluOp>(
        ctx.nameLoc(op), type, *in, weight, b.getI64IntegerAttr(shift),
        b.getI64IntegerAttr(pos.multiplier), b.getI64IntegerAttr(pos.rshift))});
  }
  Value weight = ctx.createFloatWeight(
      name, "slope_" + std::string(stringifyQuantMode(mode).lower()),
      {channels}, *slope, mode);
  return lowered({b.create<PReluOp>(
      ctx.nameLoc(op), type, *in, weight, b.getI64IntegerAttr(0),
      b.getI64IntegerAttr(1), b.getI64IntegerAttr(0))});
}

} // namespace

void registerActivationLowerings(LoweringRegistry &registry) {
  for (StringRef name :
       {top::SigmoidOp::getOperationName(), top::SiLUOp::getOperationName(),
        top::TanhOp::getOperationName(), top::MishOp::getOperationName(),
        top::SoftplusOp::getOperationName(), top::ErfOp::getOperationName(),
        top::GELUOp::getOperationName(), top::EluOp::getOperationName(),
        top::HardSigmoidOp::getOperationName(),
        top::HardSwishOp::getOperationName(), top::ExpOp::getOperationName(),
        top::LogOp::getOperationName(), top::SqrtOp::getOperationName(),
        top::AbsOp::getOperationName(), top::PowOp::getOperationName(),
        top::LeakyReluOp::getOperationName(), top::ClipOp::getOperationName()})
    registry.add(name, lowerUnary);
  registry.add<top::ReluOp>(lowerRelu);
  registry.add<top::PReluOp>(lowerPRelu);
}

} // namespace tpuc::tpu
