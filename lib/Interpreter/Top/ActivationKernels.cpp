//===- ActivationKernels.cpp - Float kernels of activations and math ------===//
//
// Pointwise functions of one tensor (PRelu also reads a broadcast slope).
// Formulas avoid overflow for large |x| so that the reference never produces
// NaN where the mathematical value is finite.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Broadcast.h"
#include "tpuc/Interpreter/Kernel.h"
#include "tpuc/Support/VectorClones.h"
#include "tpuc/Support/VectorMath.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace tpuc {
namespace {

using vmath::vexp;
using vmath::vsigmoid;

/// tanh from e^-2|x|, with an odd Taylor polynomial near 0 where 1 - e^-2|x|
/// would cancel.
inline float vtanh(float x) {
  float a = std::fabs(x);
  float e = vexp(-2.0f * a);
  float large = (1.0f - e) / (1.0f + e);
  float x2 = a * a;
  // tanh(a) = a - a^3/3 + 2a^5/15 - 17a^7/315 + 62a^9/2835 - 1382a^11/155925
  // + ...; for a < 1/4 the rest is below 2^-30 relative.
  float small =
      a * (1.0f +
           x2 * (-1.0f / 3 +
                 x2 * (2.0f / 15 +
                       x2 * (-17.0f / 315 +
                             x2 * (62.0f / 2835 + x2 * (-1382.0f / 155925))))));
  float t = a < 0.25f ? small : large;
  return std::copysign(t, x);
}

TPUC_VECTOR_CLONES void expBlock(const float *x, float *o, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = vexp(x[i]);
}

TPUC_VECTOR_CLONES void sigmoidBlock(const float *x, float *o, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = vsigmoid(x[i]);
}

TPUC_VECTOR_CLONES void siluBlock(const float *x, float *o, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = x[i] * vsigmoid(x[i]);
}

TPUC_VECTOR_CLONES void tanhBlock(const float *x, float *o, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = vtanh(x[i]);
}

/// runUnary for a function applied by a block routine, split into chunks
/// that the threads share.
LogicalResult runUnaryBlocks(Operation *op, KernelArgs &args,
                             void (*block)(const float *, float *, int64_t)) {
  if (failed(checkUnaryOperand(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  const float *x = in.ptr();
  float *o = out.ptr();
  int64_t n = out.numel();
  // 4096 floats: long enough for the vector loop, short enough to balance.
  constexpr int64_t kChunk = 4096;
  int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for if (n > kParallelThreshold)
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t begin = c * kChunk;
    block(x + begin, o + begin, std::min(kChunk, n - begin));
  }
  return success();
}

/// log(1 + exp(x)) without overflowing for large x.
float softplus(float x) {
  return std::log1p(std::exp(-std::fabs(x))) + std::max(x, 0.0f);
}

float clamp01(float v) { return std::min(std::max(v, 0.0f), 1.0f); }

LogicalResult runPRelu(top::PReluOp op, KernelArgs &args) {
  if (!args.has(0) || !args.has(1))
    return op.emitOpError("expects tensor input and slope");
  const Tensor &in = args.in(0);
  const Tensor &slope = args.in(1);
  Tensor &out = args.out();
  if (in.shape != out.shape)
    return op.emitOpError()
           << "result shape " << top::shapeToString(out.shape)
           << " differs from the input shape " << top::shapeToString(in.shape);
  // The slope broadcasts to the input (numpy rules, right-aligned) and must
  // not enlarge it.
  auto broadcast = top::broadcastShapes(op, slope.shape, in.shape);
  if (failed(broadcast))
    return failure();
  if (ArrayRef<int64_t>(*broadcast) != ArrayRef<int64_t>(in.shape))
    return op.emitOpError() << "slope shape " << top::shapeToString(slope.shape)
                            << " does not broadcast to the input shape "
                            << top::shapeToString(in.shape);
  BroadcastIndexer slopeIndex(slope.shape, in.shape);
  const float *x = in.ptr();
  const float *s = slope.ptr();
  float *o = out.ptr();
  int64_t n = out.numel();
#pragma omp parallel for if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i)
    o[i] = x[i] >= 0.0f ? x[i] : x[i] * s[slopeIndex(i)];
  return success();
}

LogicalResult runGELU(top::GELUOp op, KernelArgs &args) {
  if (op.getApproxMode() == "normal")
    return runUnary(op, args, [](float x) {
      return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(M_SQRT1_2)));
    });
  if (op.getApproxMode() == "tanh") {
    const float k = static_cast<float>(std::sqrt(2.0 / M_PI));
    return runUnary(op, args, [k](float x) {
      return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
    });
  }
  return op.emitOpError() << "has unknown approx_mode '" << op.getApproxMode()
                          << "'";
}

} // namespace

void registerTopActivationKernels(KernelRegistry &registry) {
  registry.add<top::ReluOp>([](top::ReluOp op, KernelArgs &args) {
    float limit = static_cast<float>(op.getReluLimit().convertToDouble());
    if (limit < 0.0f)
      return runUnary(op, args, [](float x) { return x < 0.0f ? 0.0f : x; });
    return runUnary(op, args, [limit](float x) {
      return x < 0.0f ? 0.0f : (x > limit ? limit : x);
    });
  });
  registry.add<top::LeakyReluOp>([](top::LeakyReluOp op, KernelArgs &args) {
    float alpha = static_cast<float>(op.getAlpha().convertToDouble());
    return runUnary(op, args,
                    [alpha](float x) { return x >= 0.0f ? x : alpha * x; });
  });
  registry.add<top::PReluOp>(runPRelu);
  registry.add<top::ClipOp>([](top::ClipOp op, KernelArgs &args) {
    float lo = static_cast<float>(op.getMin().convertToDouble());
    float hi = static_cast<float>(op.getMax().convertToDouble());
    return runUnary(
        op, args, [lo, hi](float x) { return std::min(std::max(x, lo), hi); });
  });
  registry.add<top::SigmoidOp>([](top::SigmoidOp op, KernelArgs &args) {
    return runUnaryBlocks(op, args, sigmoidBlock);
  });
  registry.add<top::SiLUOp>([](top::SiLUOp op, KernelArgs &args) {
    return runUnaryBlocks(op, args, siluBlock);
  });
  registry.add<top::HardSigmoidOp>([](top::HardSigmoidOp op, KernelArgs &args) {
    float alpha = static_cast<float>(op.getAlpha().convertToDouble());
    float beta = static_cast<float>(op.getBeta().convertToDouble());
    return runUnary(
        op, args, [alpha, beta](float x) { return clamp01(alpha * x + beta); });
  });
  registry.add<top::HardSwishOp>([](top::HardSwishOp op, KernelArgs &args) {
    return runUnary(op, args,
                    [](float x) { return x * clamp01(x / 6.0f + 0.5f); });
  });
  registry.add<top::MishOp>([](top::MishOp op, KernelArgs &args) {
    return runUnary(op, args,
                    [](float x) { return x * std::tanh(softplus(x)); });
  });
  registry.add<top::GELUOp>(runGELU);
  registry.add<top::TanhOp>([](top::TanhOp op, KernelArgs &args) {
    return runUnaryBlocks(op, args, tanhBlock);
  });
  registry.add<top::ExpOp>([](top::ExpOp op, KernelArgs &args) {
    return runUnaryBlocks(op, args, expBlock);
  });
  registry.add<top::LogOp>([](top::LogOp op, KernelArgs &args) {
    return runUnary(op, args, [](float x) { return std::log(x); });
  });
  registry.add<top::SqrtOp>([](top::SqrtOp op, KernelArgs &args) {
    return runUnary(op, args, [](float x) { return std::sqrt(x); });
  });
  registry.add<top::AbsOp>([](top::AbsOp op, KernelArgs &args) {
    return runUnary(op, args, [](float x) { return std::fabs(x); });
  });
  registry.add<top::ErfOp>([](top::ErfOp op, KernelArgs &args) {
    return runUnary(op, args, [](float x) { return std::erf(x); });
  });
  registry.add<top::EluOp>([](top::EluOp op, KernelArgs &args) {
    float alpha = static_cast<float>(op.getAlpha().convertToDouble());
    // expm1 keeps precision for small negative x.
    return runUnary(op, args, [alpha](float x) {
      return x > 0.0f ? x : alpha * std::expm1(x);
    });
  });
  registry.add<top::SoftplusOp>([](top::SoftplusOp op, KernelArgs &args) {
    return runUnary(op, args, softplus);
  });
}

} // namespace tpuc
