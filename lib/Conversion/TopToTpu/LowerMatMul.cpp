//===- LowerMatMul.cpp - Matrix products ----------------------------------===//
//
// INT8 products quantize a constant right operand per tensor; the int32
// product (plus bias) is requantized with one QDM multiplier. The weight is
// quantized against the representable scale, as convolutions are.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

LoweringResult lowerMatMul(top::MatMulOp op, LoweringContext &ctx,
                           QuantMode mode) {
  OpBuilder &b = ctx.builder();
  std::string name = top::getOpName(op);
  auto in = ctx.operandIn(op.getInput(), mode, op);
  if (failed(in))
    return failure();
  Type type = ctx.resultType(op.getOutput().getType(), mode);
  auto rightData = ctx.weightData(op.getRight());
  std::optional<std::vector<float>> biasData;
  if (!isa<NoneType>(op.getBias().getType())) {
    biasData = ctx.weightData(op.getBias());
    if (!biasData)
      return op.emitOpError("bias must be a constant weight");
  }
  auto rightShape = top::getShape(op.getRight());
  int64_t biasCount = biasData ? static_cast<int64_t>(biasData->size()) : 0;
  Value right, bias = ctx.none();
  DenseI64ArrayAttr multiplier, rshift;
  StringRef quantMode = "MultiplierShift", roundMode = "HalfAwayFromZero";
  if (mode == QuantMode::INT8) {
    double sx = getUniformType(*in).getScale();
    double sy = getUniformType(type).getScale();
    double sr;
    if (rightData) {
      double wmax = 0;
      for (float v : *rightData)
        wmax = std::max(wmax, double(std::fabs(v)));
      sr = wmax > 0 ? wmax / 127.0 : 1e-8;
    } else {
      auto r = ctx.operandIn(op.getRight(), mode, op);
      if (failed(r))
        return failure();
      right = *r;
      sr = getUniformType(right).getScale();
    }
    double qscale = sx * sr / sy;
    if (biasData)
      for (float v : *biasData)
        qscale = std::max(qscale, std::fabs(v) / (sy * 2147483647.0 * 0.998));
    auto params = quantmath::getQdmMultiplierShift(qscale, !ctx.isCV18xx());
    if (params.multiplier == 0)
      params = {1 << 30, 63};
    double actual = quantmath::getQdmScale(params);
    if (rightData) {
      std::vector<int64_t> codes;
      for (float v : *rightData)
        codes.push_back(quantmath::saturateInt8(quantmath::roundToInt(
            double(v) * sx / (sy * actual), quantmath::RoundMode::HalfToEven)));
      right = ctx.createInt8Weight(name, "right_i8", rightShape, codes);
    }
    if (biasData) {
      std::vector<int64_t> codes;
      for (float v : *biasData)
        codes.push_back(quantmath::saturateInt32(
            quantmath::roundToInt(double(v) / (sy * actual),
                                  quantmath::RoundMode::HalfAwayFromZero)));
      bias = ctx.createInt32Weight(name, "bias_i32", {biasCount}, codes);
    }
    multiplier = b.getDenseI64ArrayAttr({params.multiplier});
    rshift = b.getDenseI64ArrayAttr({params.rshift});
    quantMode = "QDM";
    roundMode = "HalfUp";
  } else {
    auto r = ctx.operandIn(op.getRight(), mode, op);
    if (failed(r))
      return failure();
    right = *r;
    if (biasData)
      bias = ctx.createFloatWeight(name, "bias_f32", {biasCount}, *biasData,
                                   QuantMode::F32);
  }
  return lowered({b.create<MatMulOp>(
      ctx.nameLoc(op), type, *in, right, bias, op.getLeftTransposeAttr(),
      op.getRightTransposeAttr(), op.getDoReluAttr(), op.getReluLimitAttr(),
      multiplier, rshift, b.getStringAttr(quantMode),
      b.getStringAttr(roundMode))});
}

} // namespace

void registerMatMulLowerings(LoweringRegistry &registry) {
  registry.add<top::MatMulOp>(lowerMatMul);
}

} // namespace tpuc::tpu
