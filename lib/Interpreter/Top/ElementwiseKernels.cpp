//===- ElementwiseKernels.cpp - Float kernels of elementwise Top ops ------===//
//
// Binary ops with numpy broadcasting, Where, the scalar-constant ops and Cast.
// Every loop runs over the contiguous output; operands that do not have the
// output's shape are read through a BroadcastIndexer. Div, Pow and PowTensor
// with an integer result element type store the integer ONNX gives (the
// float result truncated toward zero), since tensors hold floats whatever
// the element type.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Broadcast.h"
#include "tpuc/Interpreter/Kernel.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace mlir;

namespace tpuc {
namespace {

/// The relu fused into an op: clamps to [0, limit], or [0, inf) when the
/// limit is negative.
struct FusedRelu {
  bool enabled = false;
  float limit = -1.0f;

  FusedRelu(bool doRelu, const llvm::APFloat &reluLimit)
      : enabled(doRelu),
        limit(static_cast<float>(reluLimit.convertToDouble())) {}

  float operator()(float v) const {
    if (!enabled)
      return v;
    v = v < 0.0f ? 0.0f : v;
    return limit >= 0.0f && v > limit ? limit : v;
  }
};

/// Checks that the result shape is the numpy broadcast of every operand's.
LogicalResult checkBroadcastResult(Operation *op, const KernelArgs &args,
                                   unsigned numOperands) {
  for (unsigned i = 0; i < numOperands; ++i)
    if (!args.has(i))
      return op->emitOpError() << "operand " << i << " must be a tensor";
  SmallVector<int64_t> shape(args.in(0).shape.begin(), args.in(0).shape.end());
  for (unsigned i = 1; i < numOperands; ++i) {
    auto next = top::broadcastShapes(op, shape, args.in(i).shape);
    if (failed(next))
      return failure();
    shape = std::move(*next);
  }
  if (ArrayRef<int64_t>(shape) != ArrayRef<int64_t>(args.out().shape))
    return op->emitOpError()
           << "result shape " << top::shapeToString(args.out().shape)
           << " differs from the broadcast shape " << top::shapeToString(shape)
           << " of the operands";
  return success();
}

/// out = fn(lhs, rhs) with broadcasting.
template <typename F>
LogicalResult runBinary(Operation *op, KernelArgs &args, F fn) {
  if (failed(checkBroadcastResult(op, args, 2)))
    return failure();
  const Tensor &lhs = args.in(0);
  const Tensor &rhs = args.in(1);
  Tensor &out = args.out();
  const float *a = lhs.ptr();
  const float *b = rhs.ptr();
  float *o = out.ptr();
  int64_t n = out.numel();
  if (lhs.numel() == n && rhs.numel() == n) {
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i)
      o[i] = fn(a[i], b[i]);
  } else if (lhs.numel() == n && rhs.numel() == 1) {
    float scalar = b[0];
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i)
      o[i] = fn(a[i], scalar);
  } else if (lhs.numel() == 1 && rhs.numel() == n) {
    float scalar = a[0];
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i)
      o[i] = fn(scalar, b[i]);
  } else {
    BroadcastIndexer lhsIndex(lhs.shape, out.shape);
    BroadcastIndexer rhsIndex(rhs.shape, out.shape);
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i)
      o[i] = fn(a[lhsIndex(i)], b[rhsIndex(i)]);
  }
  return success();
}

/// How a float result is stored in an integer element type: truncated
/// toward zero and saturated to the type's range (NaN, which has no integer
/// value, becomes 0). Bounds are doubles: exact up to 53 bits, and for wider
/// types the nearest float is what the interpreter can store anyway.
struct IntegerResult {
  double lo, hi;

  float operator()(double x) const {
    if (std::isnan(x))
      return 0.0f;
    return static_cast<float>(std::min(std::max(std::trunc(x), lo), hi));
  }
};

/// The conversion for a result of integer element type `type` wider than one
/// bit, else nullopt (floats, bools and non-integer types).
std::optional<IntegerResult> integerResultOf(Type type) {
  if (isa<IndexType>(type))
    type = IntegerType::get(type.getContext(), 64);
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType || intType.getWidth() <= 1 || intType.getWidth() > 64)
    return std::nullopt;
  unsigned width = intType.getWidth();
  if (intType.isUnsigned())
    return IntegerResult{0.0, std::ldexp(1.0, width) - 1.0};
  return IntegerResult{-std::ldexp(1.0, width - 1),
                       std::ldexp(1.0, width - 1) - 1.0};
}

std::optional<IntegerResult> integerResultOf(Operation *op) {
  return integerResultOf(
      cast<ShapedType>(op->getResult(0).getType()).getElementType());
}

LogicalResult runDiv(top::DivOp op, KernelArgs &args) {
  if (std::optional<IntegerResult> toInt = integerResultOf(op))
    return runBinary(op, args, [convert = *toInt](float a, float b) {
      // The operands hold integers, so the double quotient truncates to the
      // exact integer quotient.
      if (b == 0.0f)
        return 0.0f;
      return convert(static_cast<double>(a) / static_cast<double>(b));
    });
  return runBinary(op, args, [](float a, float b) { return a / b; });
}

LogicalResult runPowTensor(top::PowTensorOp op, KernelArgs &args) {
  auto power = [](float x, float y) {
    return std::pow(static_cast<double>(x), static_cast<double>(y));
  };
  if (std::optional<IntegerResult> toInt = integerResultOf(op))
    return runBinary(op, args, [convert = *toInt, power](float x, float y) {
      return convert(power(x, y));
    });
  return runBinary(op, args, [power](float x, float y) {
    return static_cast<float>(power(x, y));
  });
}

// numpy's maximum/minimum propagate NaN; so do these.
float maxPropagatingNaN(float a, float b) {
  return (a > b || std::isnan(a)) ? a : b;
}
float minPropagatingNaN(float a, float b) {
  return (a < b || std::isnan(a)) ? a : b;
}

enum class CompareMode {
  Equal,
  Greater,
  GreaterOrEqual,
  Less,
  LessOrEqual,
  NotEqual
};

LogicalResult runCompare(top::CompareOp op, KernelArgs &args) {
  auto mode = llvm::StringSwitch<std::optional<CompareMode>>(op.getMode())
                  .Case("Equal", CompareMode::Equal)
                  .Case("Greater", CompareMode::Greater)
                  .Case("GreaterOrEqual", CompareMode::GreaterOrEqual)
                  .Case("Less", CompareMode::Less)
                  .Case("LessOrEqual", CompareMode::LessOrEqual)
                  .Case("NotEqual", CompareMode::NotEqual)
                  .Default(std::nullopt);
  if (!mode)
    return op.emitOpError()
           << "has unknown compare mode '" << op.getMode() << "'";
  auto asFloat = [](bool b) { return b ? 1.0f : 0.0f; };
  switch (*mode) {
  case CompareMode::Equal:
    return runBinary(op, args,
                     [&](float a, float b) { return asFloat(a == b); });
  case CompareMode::Greater:
    return runBinary(op, args,
                     [&](float a, float b) { return asFloat(a > b); });
  case CompareMode::GreaterOrEqual:
    return runBinary(op, args,
                     [&](float a, float b) { return asFloat(a >= b); });
  case CompareMode::Less:
    return runBinary(op, args,
                     [&](float a, float b) { return asFloat(a < b); });
  case CompareMode::LessOrEqual:
    return runBinary(op, args,
                     [&](float a, float b) { return asFloat(a <= b); });
  case CompareMode::NotEqual:
    return runBinary(op, args,
                     [&](float a, float b) { return asFloat(a != b); });
  }
  return failure();
}

LogicalResult runWhere(top::WhereOp op, KernelArgs &args) {
  if (failed(checkBroadcastResult(op, args, 3)))
    return failure();
  const Tensor &cond = args.in(0);
  const Tensor &x = args.in(1);
  const Tensor &y = args.in(2);
  Tensor &out = args.out();
  BroadcastIndexer condIndex(cond.shape, out.shape);
  BroadcastIndexer xIndex(x.shape, out.shape);
  BroadcastIndexer yIndex(y.shape, out.shape);
  const float *c = cond.ptr();
  const float *a = x.ptr();
  const float *b = y.ptr();
  float *o = out.ptr();
  int64_t n = out.numel();
#pragma omp parallel for if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i)
    o[i] = c[condIndex(i)] != 0.0f ? a[xIndex(i)] : b[yIndex(i)];
  return success();
}

LogicalResult runPow(top::PowOp op, KernelArgs &args) {
  double exponent = op.getExponent().convertToDouble();
  if (std::optional<IntegerResult> toInt = integerResultOf(op))
    return runUnary(op, args, [convert = *toInt, exponent](float x) {
      return convert(std::pow(static_cast<double>(x), exponent));
    });
  // x * x is exactly pow(x, 2) rounded to float: the double square of a float
  // is exact.
  if (exponent == 2.0)
    return runUnary(op, args, [](float x) { return x * x; });
  if (exponent == 1.0)
    return runUnary(op, args, [](float x) { return x; });
  return runUnary(op, args, [exponent](float x) {
    return static_cast<float>(std::pow(static_cast<double>(x), exponent));
  });
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

/// Rounds to the nearest bfloat16 (ties to even), keeping NaN.
float roundToBF16(float x) {
  if (std::isnan(x))
    return x;
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  bits &= 0xFFFF0000u;
  float rounded;
  std::memcpy(&rounded, &bits, sizeof(rounded));
  return rounded;
}

/// Rounds to the nearest IEEE half (ties to even), including its subnormals
/// and overflow to infinity.
float roundToF16(float x) {
  if (std::isnan(x) || std::isinf(x))
    return x;
  float magnitude = std::fabs(x);
  // 65520 lies halfway between the largest half (65504) and 65536, and ties
  // go to the even 65536, which overflows.
  if (magnitude >= 65520.0f)
    return std::copysign(std::numeric_limits<float>::infinity(), x);
  // Spacing of halves around `magnitude`: 2^-24 in the subnormal range,
  // else 2^(e-11) for magnitude in [2^(e-1), 2^e). Scaling by powers of two
  // is exact, so rint() does the rounding.
  int exponent;
  std::frexp(magnitude, &exponent);
  int spacingExp = std::max(exponent - 11, -24);
  float units = std::ldexp(magnitude, -spacingExp);
  float rounded = std::ldexp(std::nearbyint(units), spacingExp);
  return std::copysign(rounded, x);
}

LogicalResult runCast(top::CastOp op, KernelArgs &args) {
  Type elementType =
      cast<ShapedType>(op.getOutput().getType()).getElementType();
  if (isa<IndexType>(elementType))
    elementType = IntegerType::get(op.getContext(), 64);

  if (auto intType = dyn_cast<IntegerType>(elementType)) {
    if (intType.getWidth() == 1)
      return runUnary(op, args,
                      [](float x) { return x != 0.0f ? 1.0f : 0.0f; });
    std::optional<IntegerResult> toInt = integerResultOf(intType);
    if (!toInt)
      return op.emitOpError() << "cannot cast to " << elementType;
    // NaN has no integer value; ONNX leaves it undefined, 0 is chosen.
    return runUnary(op, args, [convert = *toInt](float x) {
      return convert(static_cast<double>(x));
    });
  }

  auto floatType = dyn_cast<FloatType>(elementType);
  if (!floatType)
    return op.emitOpError() << "cannot cast to " << elementType;
  if (floatType.isF32() || floatType.isF64())
    return runUnary(op, args, [](float x) { return x; });
  if (floatType.isF16())
    return runUnary(op, args, roundToF16);
  if (floatType.isBF16())
    return runUnary(op, args, roundToBF16);
  // Narrower formats (tf32, the f8 variants) go through APFloat, which knows
  // each format's range, NaN and saturation rules.
  const llvm::fltSemantics &semantics = floatType.getFloatSemantics();
  return runUnary(op, args, [&semantics](float x) {
    llvm::APFloat value(x);
    bool losesInfo;
    value.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    value.convert(llvm::APFloat::IEEEsingle(),
                  llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    return value.convertToFloat();
  });
}

} // namespace

void registerTopElementwiseKernels(KernelRegistry &registry) {
  registry.add<top::AddOp>([](top::AddOp op, KernelArgs &args) {
    FusedRelu relu(op.getDoRelu(), op.getReluLimit());
    return runBinary(op, args,
                     [relu](float a, float b) { return relu(a + b); });
  });
  registry.add<top::SubOp>([](top::SubOp op, KernelArgs &args) {
    return runBinary(op, args, [](float a, float b) { return a - b; });
  });
  registry.add<top::MulOp>([](top::MulOp op, KernelArgs &args) {
    return runBinary(op, args, [](float a, float b) { return a * b; });
  });
  registry.add<top::DivOp>(runDiv);
  registry.add<top::PowTensorOp>(runPowTensor);
  registry.add<top::MaxOp>([](top::MaxOp op, KernelArgs &args) {
    return runBinary(op, args, maxPropagatingNaN);
  });
  registry.add<top::MinOp>([](top::MinOp op, KernelArgs &args) {
    return runBinary(op, args, minPropagatingNaN);
  });
  registry.add<top::CompareOp>(runCompare);
  registry.add<top::WhereOp>(runWhere);
  registry.add<top::AddConstOp>([](top::AddConstOp op, KernelArgs &args) {
    FusedRelu relu(op.getDoRelu(), op.getReluLimit());
    float c = static_cast<float>(op.getConstVal().convertToDouble());
    return runUnary(op, args, [relu, c](float x) { return relu(x + c); });
  });
  registry.add<top::MulConstOp>([](top::MulConstOp op, KernelArgs &args) {
    FusedRelu relu(op.getDoRelu(), op.getReluLimit());
    float c = static_cast<float>(op.getConstVal().convertToDouble());
    return runUnary(op, args, [relu, c](float x) { return relu(x * c); });
  });
  registry.add<top::PowOp>(runPow);
  registry.add<top::CastOp>(runCast);
}

} // namespace tpuc
