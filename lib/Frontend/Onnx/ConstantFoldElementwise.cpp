//===- ConstantFoldElementwise.cpp - Folding of elementwise ops -----------===//
//
// Cast, the unary ops and the broadcasting binary, comparison and logical
// ops of the constant folder, with the float rounding and integer wrapping
// to the result's element type that they share.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolderImpl.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <functional>

using llvm::Expected;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

/// A float element rounded to what `dataType` can hold.
float roundToType(float v, int32_t dataType) {
  if (dataType == onnx::TensorProto::FLOAT16)
    return halfToFloat(floatToHalf(v));
  if (dataType == onnx::TensorProto::BFLOAT16)
    return bf16ToFloat(floatToBf16(v));
  return v;
}

/// An integer wrapped to the width of `dataType`, as a C++ conversion does.
int64_t wrapToType(int64_t v, int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::INT8:
    return static_cast<int8_t>(v);
  case onnx::TensorProto::UINT8:
    return static_cast<uint8_t>(v);
  case onnx::TensorProto::INT16:
    return static_cast<int16_t>(v);
  case onnx::TensorProto::UINT16:
    return static_cast<uint16_t>(v);
  case onnx::TensorProto::INT32:
    return static_cast<int32_t>(v);
  case onnx::TensorProto::UINT32:
    return static_cast<uint32_t>(v);
  case onnx::TensorProto::BOOL:
    return v != 0;
  default:
    return v;
  }
}

bool isComparison(BinaryKind k) {
  return k == BinaryKind::Equal || k == BinaryKind::Less ||
         k == BinaryKind::Greater || k == BinaryKind::LessOrEqual ||
         k == BinaryKind::GreaterOrEqual || k == BinaryKind::And ||
         k == BinaryKind::Or || k == BinaryKind::Xor;
}

template <typename T> bool compare(BinaryKind kind, T a, T b) {
  switch (kind) {
  case BinaryKind::Equal:
    return a == b;
  case BinaryKind::Less:
    return a < b;
  case BinaryKind::Greater:
    return a > b;
  case BinaryKind::LessOrEqual:
    return a <= b;
  case BinaryKind::GreaterOrEqual:
    return a >= b;
  case BinaryKind::And:
    return a != 0 && b != 0;
  case BinaryKind::Or:
    return a != 0 || b != 0;
  case BinaryKind::Xor:
    return (a != 0) != (b != 0);
  default:
    return false;
  }
}

} // namespace

ConstTensor castTo(const ConstTensor &src, int32_t dataType) {
  ConstTensor out;
  out.dataType = dataType;
  out.shape = src.shape;
  int64_t n = src.numel();
  if (isFloatDataType(dataType)) {
    out.floats.reserve(n);
    for (int64_t i = 0; i < n; ++i)
      out.floats.push_back(
          roundToType(static_cast<float>(src.getDouble(i)), dataType));
  } else if (dataType == onnx::TensorProto::BOOL) {
    out.ints.reserve(n);
    for (int64_t i = 0; i < n; ++i)
      out.ints.push_back(src.getDouble(i) != 0.0);
  } else {
    out.ints.reserve(n);
    for (int64_t i = 0; i < n; ++i)
      out.ints.push_back(wrapToType(src.getInt(i), dataType));
  }
  return out;
}

Expected<ConstTensor> foldBinary(const onnx::NodeProto &node, BinaryKind kind,
                                 const ConstTensor &a, const ConstTensor &b,
                                 bool fmod) {
  auto shape = broadcastStatic(a.shape, b.shape);
  if (!shape)
    return foldError(node, "cannot broadcast " + shapeText(a.shape) + " and " +
                               shapeText(b.shape));
  Shape offA = broadcastOffsets(a.shape, *shape);
  Shape offB = broadcastOffsets(b.shape, *shape);
  ConstTensor out;
  out.shape = *shape;
  bool useFloat = a.isFloat() || b.isFloat();
  int64_t n = productOf(*shape);
  if (isComparison(kind)) {
    out.dataType = onnx::TensorProto::BOOL;
    out.ints.resize(n);
    for (int64_t i = 0; i < n; ++i)
      out.ints[i] =
          useFloat ? compare<double>(kind, a.getDouble(offA[i]),
                                     b.getDouble(offB[i]))
                   : compare<int64_t>(kind, a.ints[offA[i]], b.ints[offB[i]]);
    return out;
  }
  if (useFloat) {
    out.dataType = a.isFloat() ? a.dataType : b.dataType;
    out.floats.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      float x = static_cast<float>(a.getDouble(offA[i]));
      float y = static_cast<float>(b.getDouble(offB[i]));
      float r = 0;
      switch (kind) {
      case BinaryKind::Add:
        r = x + y;
        break;
      case BinaryKind::Sub:
        r = x - y;
        break;
      case BinaryKind::Mul:
        r = x * y;
        break;
      case BinaryKind::Div:
        r = x / y;
        break;
      case BinaryKind::Mod:
        r = std::fmod(x, y);
        if (!fmod && r != 0 && ((r < 0) != (y < 0)))
          r += y;
        break;
      case BinaryKind::Pow:
        r = std::pow(x, y);
        break;
      case BinaryKind::Max:
        r = std::max(x, y);
        break;
      case BinaryKind::Min:
        r = std::min(x, y);
        break;
      default:
        break;
      }
      out.floats[i] = roundToType(r, out.dataType);
    }
    return out;
  }
  out.dataType = a.dataType;
  out.ints.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t x = a.ints[offA[i]], y = b.ints[offB[i]];
    int64_t r = 0;
    switch (kind) {
    case BinaryKind::Add:
      r = static_cast<int64_t>(static_cast<uint64_t>(x) +
                               static_cast<uint64_t>(y));
      break;
    case BinaryKind::Sub:
      r = static_cast<int64_t>(static_cast<uint64_t>(x) -
                               static_cast<uint64_t>(y));
      break;
    case BinaryKind::Mul:
      r = static_cast<int64_t>(static_cast<uint64_t>(x) *
                               static_cast<uint64_t>(y));
      break;
    case BinaryKind::Div:
    case BinaryKind::Mod:
      if (y == 0)
        return foldError(node, "integer division by zero");
      if (x == INT64_MIN && y == -1)
        r = kind == BinaryKind::Div ? INT64_MIN : 0;
      else if (kind == BinaryKind::Div)
        r = x / y;
      else {
        r = x % y;
        if (!fmod && r != 0 && ((r < 0) != (y < 0)))
          r += y;
      }
      break;
    case BinaryKind::Pow:
      r = static_cast<int64_t>(std::pow(static_cast<double>(x), y));
      break;
    case BinaryKind::Max:
      r = std::max(x, y);
      break;
    case BinaryKind::Min:
      r = std::min(x, y);
      break;
    default:
      break;
    }
    out.ints[i] = wrapToType(r, out.dataType);
  }
  return out;
}

std::optional<ConstTensor> foldUnary(StringRef op, const ConstTensor &x) {
  ConstTensor out = x;
  if (op == "Not") {
    out.dataType = onnx::TensorProto::BOOL;
    out.ints = x.toInts();
    out.floats.clear();
    for (int64_t &v : out.ints)
      v = v == 0;
    return out;
  }
  if (!x.isFloat()) {
    for (int64_t &v : out.ints) {
      if (op == "Neg")
        v = static_cast<int64_t>(0 - static_cast<uint64_t>(v));
      else if (op == "Abs")
        v = v < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(v)) : v;
      else if (op == "Relu")
        v = std::max<int64_t>(v, 0);
      else if (op == "Sign")
        v = (v > 0) - (v < 0);
      else if (op != "Floor" && op != "Ceil" && op != "Round")
        return std::nullopt;
      v = wrapToType(v, x.dataType);
    }
    return out;
  }
  std::function<float(float)> fn =
      llvm::StringSwitch<std::function<float(float)>>(op)
          .Case("Neg", [](float v) { return -v; })
          .Case("Abs", [](float v) { return std::fabs(v); })
          .Case("Floor", [](float v) { return std::floor(v); })
          .Case("Ceil", [](float v) { return std::ceil(v); })
          .Case("Round", [](float v) { return std::nearbyint(v); })
          .Case("Sqrt", [](float v) { return std::sqrt(v); })
          .Case("Reciprocal", [](float v) { return 1.0f / v; })
          .Case("Relu", [](float v) { return std::max(v, 0.0f); })
          .Case("Exp", [](float v) { return std::exp(v); })
          .Case("Log", [](float v) { return std::log(v); })
          .Case("Sign",
                [](float v) { return static_cast<float>((v > 0) - (v < 0)); })
          .Default(nullptr);
  if (!fn)
    return std::nullopt;
  for (float &v : out.floats)
    v = roundToType(fn(v), x.dataType);
  return out;
}

BinaryKind binaryKindOf(StringRef op) {
  return llvm::StringSwitch<BinaryKind>(op)
      .Case("Add", BinaryKind::Add)
      .Case("Sub", BinaryKind::Sub)
      .Case("Mul", BinaryKind::Mul)
      .Case("Div", BinaryKind::Div)
      .Case("Mod", BinaryKind::Mod)
      .Case("Pow", BinaryKind::Pow)
      .Case("Max", BinaryKind::Max)
      .Case("Min", BinaryKind::Min)
      .Case("Sum", BinaryKind::Add)
      .Case("Equal", BinaryKind::Equal)
      .Case("Less", BinaryKind::Less)
      .Case("Greater", BinaryKind::Greater)
      .Case("LessOrEqual", BinaryKind::LessOrEqual)
      .Case("GreaterOrEqual", BinaryKind::GreaterOrEqual)
      .Case("And", BinaryKind::And)
      .Case("Or", BinaryKind::Or)
      .Case("Xor", BinaryKind::Xor)
      .Default(BinaryKind::Unknown);
}

} // namespace tpuc::onnx_import
