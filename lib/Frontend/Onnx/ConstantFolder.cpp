//===- ConstantFolder.cpp - Import-time evaluation of constant subgraphs --===//
//
// Exported models compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape, ...) and keep small constant expressions. With static input
// shapes all of these are constants; evaluating them here keeps them out of
// the Top graph and turns them into the attributes Top ops expect. Integer
// tensors are evaluated exactly in int64, float tensors in float32 as the
// ONNX runtime would.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <functional>

using llvm::ArrayRef;
using llvm::Expected;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

using Shape = std::vector<int64_t>;

llvm::Error foldError(const onnx::NodeProto &node, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (node.op_type() + ": " + message).str());
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Shape stridesOf(ArrayRef<int64_t> shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `fn(index)` for every multi-index of `shape` in C order.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  if (productOf(shape) == 0)
    return;
  Shape index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t d = static_cast<int64_t>(shape.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

/// For each element of `outShape`, the offset of the element of an input of
/// `inShape` that numpy broadcasting reads.
Shape broadcastOffsets(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape) {
  Shape strides = stridesOf(inShape);
  size_t lead = outShape.size() - inShape.size();
  Shape offsets;
  offsets.reserve(productOf(outShape));
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (size_t d = 0; d < inShape.size(); ++d)
      if (inShape[d] != 1)
        offset += index[lead + d] * strides[d];
    offsets.push_back(offset);
  });
  return offsets;
}

/// The elements of `src` at `offsets`, shaped `shape`.
ConstTensor take(const ConstTensor &src, Shape shape,
                 ArrayRef<int64_t> offsets) {
  ConstTensor out;
  out.dataType = src.dataType;
  out.shape = std::move(shape);
  if (src.isFloat()) {
    out.floats.reserve(offsets.size());
    for (int64_t o : offsets)
      out.floats.push_back(src.floats[o]);
  } else {
    out.ints.reserve(offsets.size());
    for (int64_t o : offsets)
      out.ints.push_back(src.ints[o]);
  }
  return out;
}

ConstTensor withShape(const ConstTensor &src, Shape shape) {
  ConstTensor out = src;
  out.shape = std::move(shape);
  return out;
}

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

/// Fetches an int list that is an attribute before `inputSinceOpset` and an
/// optional input from then on.
std::optional<Shape> intsFromAttrOrInput(const NodeAttributes &attrs,
                                         StringRef name, int64_t opset,
                                         int64_t inputSinceOpset,
                                         ArrayRef<FoldInput> inputs,
                                         unsigned inputIndex) {
  if (opset < inputSinceOpset)
    return attrs.getInts(name);
  if (inputIndex < inputs.size() && inputs[inputIndex].present)
    return inputs[inputIndex].value->toInts();
  return std::nullopt;
}

Expected<Shape> normalizeAxes(const onnx::NodeProto &node,
                              ArrayRef<int64_t> axes, int64_t rank) {
  Shape result;
  for (int64_t axis : axes) {
    auto norm = normalizeAxisValue(axis, rank);
    if (!norm)
      return foldError(node, "axis " + llvm::Twine(axis) +
                                 " is out of range for rank " +
                                 llvm::Twine(rank));
    result.push_back(*norm);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

enum class BinaryKind {
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Pow,
  Max,
  Min,
  Equal,
  Less,
  Greater,
  LessOrEqual,
  GreaterOrEqual,
  And,
  Or,
  Xor,
  Unknown
};

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

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Expected<ConstTensor> foldGather(const onnx::NodeProto &node,
                                 const NodeAttributes &attrs,
                                 const ConstTensor &data,
                                 const ConstTensor &indices) {
  int64_t rank = data.shape.size();
  auto axis = normalizeAxisValue(attrs.getInt("axis", 0), rank);
  if (!axis)
    return foldError(node,
                     "axis is out of range for rank " + llvm::Twine(rank));
  int64_t dim = data.shape[*axis];
  Shape idx = indices.toInts();
  for (int64_t &i : idx) {
    if (i < -dim || i >= dim)
      return foldError(node, "index " + llvm::Twine(i) +
                                 " is out of range for a dim of size " +
                                 llvm::Twine(dim));
    if (i < 0)
      i += dim;
  }
  Shape outShape(data.shape.begin(), data.shape.begin() + *axis);
  outShape.insert(outShape.end(), indices.shape.begin(), indices.shape.end());
  outShape.insert(outShape.end(), data.shape.begin() + *axis + 1,
                  data.shape.end());
  int64_t outer = productOf(ArrayRef<int64_t>(data.shape).take_front(*axis));
  int64_t inner =
      productOf(ArrayRef<int64_t>(data.shape).drop_front(*axis + 1));
  Shape offsets;
  offsets.reserve(outer * idx.size() * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx)
      for (int64_t k = 0; k < inner; ++k)
        offsets.push_back((o * dim + i) * inner + k);
  return take(data, outShape, offsets);
}

Expected<ConstTensor> foldConcat(const onnx::NodeProto &node,
                                 const NodeAttributes &attrs,
                                 ArrayRef<const ConstTensor *> parts) {
  if (parts.empty())
    return foldError(node, "needs at least one input");
  const ConstTensor &first = *parts.front();
  int64_t rank = first.shape.size();
  auto axis = normalizeAxisValue(attrs.getInt("axis", 0), rank);
  if (!axis)
    return foldError(node,
                     "axis is out of range for rank " + llvm::Twine(rank));
  Shape outShape = first.shape;
  outShape[*axis] = 0;
  for (const ConstTensor *part : parts) {
    if (static_cast<int64_t>(part->shape.size()) != rank)
      return foldError(node, "inputs differ in rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && part->shape[d] != first.shape[d])
        return foldError(node, "inputs " + shapeText(first.shape) + " and " +
                                   shapeText(part->shape) +
                                   " differ outside the axis");
    outShape[*axis] += part->shape[*axis];
  }
  int64_t outer = productOf(ArrayRef<int64_t>(outShape).take_front(*axis));
  int64_t inner = productOf(ArrayRef<int64_t>(outShape).drop_front(*axis + 1));
  ConstTensor out;
  out.dataType = first.dataType;
  out.shape = outShape;
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConstTensor *part : parts) {
      int64_t block = part->shape[*axis] * inner;
      for (int64_t k = 0; k < block; ++k) {
        int64_t src = o * block + k;
        if (out.isFloat())
          out.floats.push_back(static_cast<float>(part->getDouble(src)));
        else
          out.ints.push_back(part->getInt(src));
      }
    }
  }
  return out;
}

Expected<bool> foldSplit(const onnx::NodeProto &node,
                         const NodeAttributes &attrs, int64_t opset,
                         ArrayRef<FoldInput> inputs,
                         std::vector<ConstTensor> &outputs) {
  const ConstTensor &data = *inputs[0].value;
  int64_t rank = data.shape.size();
  auto axis = normalizeAxisValue(attrs.getInt("axis", 0), rank);
  if (!axis)
    return foldError(node,
                     "axis is out of range for rank " + llvm::Twine(rank));
  int64_t dim = data.shape[*axis];
  int64_t numOutputs = node.output_size();
  Shape sizes = intsFromAttrOrInput(attrs, "split", opset, 13, inputs, 1)
                    .value_or(Shape());
  if (sizes.empty()) {
    int64_t n = attrs.getInt("num_outputs", numOutputs);
    if (n <= 0)
      return foldError(node, "num_outputs must be positive");
    // Equal parts; from opset 18 the last one may be smaller.
    int64_t chunk = (dim + n - 1) / n;
    if (opset < 18 && dim % n != 0)
      return foldError(node, "dim of size " + llvm::Twine(dim) +
                                 " cannot be split into " + llvm::Twine(n) +
                                 " equal parts");
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(std::min(chunk, dim - i * chunk), 0));
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return foldError(node, "negative split size");
    total += s;
  }
  if (total != dim || static_cast<int64_t>(sizes.size()) != numOutputs)
    return foldError(node, "split sizes " + shapeText(sizes) +
                               " do not cut a dim of size " + llvm::Twine(dim) +
                               " into " + llvm::Twine(numOutputs) + " outputs");
  int64_t outer = productOf(ArrayRef<int64_t>(data.shape).take_front(*axis));
  int64_t inner =
      productOf(ArrayRef<int64_t>(data.shape).drop_front(*axis + 1));
  int64_t begin = 0;
  for (int64_t size : sizes) {
    Shape shape = data.shape, offsets;
    shape[*axis] = size;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < size * inner; ++k)
        offsets.push_back((o * dim + begin) * inner + k);
    outputs.push_back(take(data, shape, offsets));
    begin += size;
  }
  return true;
}

Expected<ConstTensor> foldSlice(const onnx::NodeProto &node,
                                const NodeAttributes &attrs, int64_t opset,
                                ArrayRef<FoldInput> inputs) {
  const ConstTensor &data = *inputs[0].value;
  int64_t rank = data.shape.size();
  Shape starts, ends, axes, steps;
  if (opset < 10) {
    starts = attrs.getInts("starts").value_or(Shape());
    ends = attrs.getInts("ends").value_or(Shape());
    axes = attrs.getInts("axes").value_or(Shape());
  } else {
    if (inputs.size() < 3)
      return foldError(node, "needs starts and ends");
    starts = inputs[1].value->toInts();
    ends = inputs[2].value->toInts();
    if (inputs.size() > 3 && inputs[3].present)
      axes = inputs[3].value->toInts();
    if (inputs.size() > 4 && inputs[4].present)
      steps = inputs[4].value->toInts();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return foldError(node, "starts, ends, axes and steps differ in length");
  Shape begin(rank, 0), step(rank, 1), outShape = data.shape;
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = normalizeAxisValue(axes[i], rank);
    if (!axis)
      return foldError(node,
                       "axis " + llvm::Twine(axes[i]) + " is out of range");
    if (steps[i] == 0)
      return foldError(node, "steps must be non-zero");
    int64_t dim = data.shape[*axis];
    int64_t s = starts[i], e = ends[i], st = steps[i];
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    int64_t length;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      length = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      length = s > e ? (s - e + (-st) - 1) / (-st) : 0;
    }
    begin[*axis] = s;
    step[*axis] = st;
    outShape[*axis] = length;
  }
  Shape strides = stridesOf(data.shape);
  Shape offsets;
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += (begin[d] + index[d] * step[d]) * strides[d];
    offsets.push_back(offset);
  });
  return take(data, outShape, offsets);
}

Expected<ConstTensor> foldTranspose(const onnx::NodeProto &node,
                                    const NodeAttributes &attrs,
                                    const ConstTensor &data) {
  int64_t rank = data.shape.size();
  Shape perm = attrs.getInts("perm").value_or(Shape());
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  if (static_cast<int64_t>(perm.size()) != rank)
    return foldError(node, "perm does not match the rank");
  Shape strides = stridesOf(data.shape), outShape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return foldError(node, "perm entry out of range");
    outShape.push_back(data.shape[p]);
  }
  Shape offsets;
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * strides[perm[d]];
    offsets.push_back(offset);
  });
  return take(data, outShape, offsets);
}

Expected<ConstTensor> foldTile(const onnx::NodeProto &node,
                               const ConstTensor &data,
                               const ConstTensor &repeatsTensor) {
  Shape repeats = repeatsTensor.toInts();
  int64_t rank = data.shape.size();
  if (static_cast<int64_t>(repeats.size()) != rank)
    return foldError(node, "repeats must have one entry per dim");
  Shape outShape, strides = stridesOf(data.shape);
  for (int64_t d = 0; d < rank; ++d) {
    if (repeats[d] < 0)
      return foldError(node, "repeats must be non-negative");
    outShape.push_back(data.shape[d] * repeats[d]);
  }
  Shape offsets;
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += (index[d] % data.shape[d]) * strides[d];
    offsets.push_back(offset);
  });
  return take(data, outShape, offsets);
}

Expected<ConstTensor> foldReshape(const onnx::NodeProto &node,
                                  const NodeAttributes &attrs,
                                  const ConstTensor &data,
                                  const ConstTensor &shapeTensor) {
  Shape requested = shapeTensor.toInts();
  bool allowZero = attrs.getInt("allowzero", 0) != 0;
  Shape out;
  int64_t inferIndex = -1, known = 1;
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t d = requested[i];
    if (d == 0 && !allowZero) {
      if (i >= data.shape.size())
        return foldError(node, "shape entry " + llvm::Twine(i) +
                                   " copies a dim the input lacks");
      d = data.shape[i];
    }
    if (d == -1) {
      if (inferIndex >= 0)
        return foldError(node, "shape has more than one -1");
      inferIndex = i;
    } else if (d < 0) {
      return foldError(node, "invalid shape entry " + llvm::Twine(d));
    } else {
      known *= d;
    }
    out.push_back(d);
  }
  int64_t total = data.numel();
  if (inferIndex >= 0) {
    if (known == 0 || total % known != 0)
      return foldError(node, "cannot reshape " + shapeText(data.shape) +
                                 " to " + shapeText(requested));
    out[inferIndex] = total / known;
  } else if (known != total) {
    return foldError(node, "cannot reshape " + shapeText(data.shape) + " to " +
                               shapeText(requested));
  }
  return withShape(data, out);
}

Expected<ConstTensor> foldReduce(const onnx::NodeProto &node,
                                 const NodeAttributes &attrs, int64_t opset,
                                 ArrayRef<FoldInput> inputs) {
  const ConstTensor &data = *inputs[0].value;
  int64_t rank = data.shape.size();
  StringRef op = node.op_type();
  int64_t axesInputOpset = op == "ReduceSum" ? 13 : 18;
  auto axesList =
      intsFromAttrOrInput(attrs, "axes", opset, axesInputOpset, inputs, 1);
  Shape axes = axesList.value_or(Shape());
  if (axes.empty()) {
    if (attrs.getInt("noop_with_empty_axes", 0))
      return data;
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  auto norm = normalizeAxes(node, axes, rank);
  if (!norm)
    return norm.takeError();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : *norm)
    reduced[a] = true;
  bool keepDims = attrs.getInt("keepdims", 1) != 0;
  Shape keptShape, outShape;
  for (int64_t d = 0; d < rank; ++d) {
    keptShape.push_back(reduced[d] ? 1 : data.shape[d]);
    if (!reduced[d] || keepDims)
      outShape.push_back(keptShape.back());
  }
  int64_t n = productOf(keptShape);
  Shape keptStrides = stridesOf(keptShape);
  std::vector<double> acc(n, op == "ReduceProd" ? 1.0 : 0.0);
  std::vector<bool> seen(n, false);
  int64_t linear = 0;
  forEachIndex(data.shape, [&](ArrayRef<int64_t> index) {
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (!reduced[d])
        o += index[d] * keptStrides[d];
    double v = data.getDouble(linear++);
    if (op == "ReduceSum")
      acc[o] += v;
    else if (op == "ReduceProd")
      acc[o] *= v;
    else if (op == "ReduceMax")
      acc[o] = seen[o] ? std::max(acc[o], v) : v;
    else
      acc[o] = seen[o] ? std::min(acc[o], v) : v;
    seen[o] = true;
  });
  ConstTensor out;
  out.dataType = data.dataType;
  out.shape = outShape;
  for (double v : acc) {
    if (data.isFloat())
      out.floats.push_back(static_cast<float>(v));
    else
      out.ints.push_back(static_cast<int64_t>(v));
  }
  return out;
}

Expected<ConstTensor> constantNodeValue(const onnx::NodeProto &node,
                                        const NodeAttributes &attrs,
                                        const std::string &baseDir) {
  if (const onnx::TensorProto *t = attrs.getTensor("value"))
    return tensorFromProto(*t, baseDir);
  if (const auto *a = attrs.find("value_float"))
    return ConstTensor::fromFloats({}, {a->f()});
  if (auto v = attrs.getFloats("value_floats"))
    return ConstTensor::fromFloats({static_cast<int64_t>(v->size())}, *v);
  if (const auto *a = attrs.find("value_int"))
    return ConstTensor::fromInts({}, {a->i()});
  if (auto v = attrs.getInts("value_ints"))
    return ConstTensor::fromInts({static_cast<int64_t>(v->size())}, *v);
  return foldError(node, "only tensor, float and int values are supported "
                         "(not strings or sparse tensors)");
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

/// Folds nodes whose inputs are all constants; false when the op is not one
/// the folder implements.
Expected<bool> foldValues(const onnx::NodeProto &node, int64_t opset,
                          const NodeAttributes &attrs,
                          ArrayRef<FoldInput> inputs,
                          std::vector<ConstTensor> &outputs) {
  StringRef op = node.op_type();
  auto in = [&](unsigned i) -> const ConstTensor & { return *inputs[i].value; };
  auto result = [&](Expected<ConstTensor> value) -> Expected<bool> {
    if (!value)
      return value.takeError();
    outputs.push_back(std::move(*value));
    return true;
  };
  auto need = [&](unsigned count) -> llvm::Error {
    if (inputs.size() < count)
      return foldError(node, "needs " + llvm::Twine(count) + " inputs");
    for (unsigned i = 0; i < count; ++i)
      if (!inputs[i].present)
        return foldError(node, "input " + llvm::Twine(i) + " is missing");
    return llvm::Error::success();
  };

  if (op == "Identity" || op == "Dropout") {
    if (auto err = need(1))
      return std::move(err);
    outputs.push_back(in(0));
    if (op == "Dropout" && node.output_size() > 1) {
      ConstTensor mask = castTo(in(0), onnx::TensorProto::BOOL);
      std::fill(mask.ints.begin(), mask.ints.end(), 1);
      outputs.push_back(std::move(mask));
    }
    return true;
  }
  if (op == "Cast") {
    if (auto err = need(1))
      return std::move(err);
    return result(castTo(in(0), attrs.getInt("to", onnx::TensorProto::FLOAT)));
  }
  if (op == "CastLike") {
    if (auto err = need(2))
      return std::move(err);
    return result(castTo(in(0), in(1).dataType));
  }
  if (op == "Reshape") {
    if (opset < 5)
      return false;
    if (auto err = need(2))
      return std::move(err);
    return result(foldReshape(node, attrs, in(0), in(1)));
  }
  if (op == "Flatten") {
    if (auto err = need(1))
      return std::move(err);
    int64_t rank = in(0).shape.size();
    int64_t axis = attrs.getInt("axis", 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis > rank)
      return foldError(node, "axis out of range");
    ArrayRef<int64_t> shape = in(0).shape;
    return result(withShape(in(0), {productOf(shape.take_front(axis)),
                                    productOf(shape.drop_front(axis))}));
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    if (auto err = need(1))
      return std::move(err);
    auto axesList = intsFromAttrOrInput(attrs, "axes", opset, 13, inputs, 1);
    Shape axes = axesList.value_or(Shape());
    const Shape &shape = in(0).shape;
    Shape out;
    if (op == "Squeeze") {
      auto norm = normalizeAxes(node, axes, shape.size());
      if (!norm)
        return norm.takeError();
      for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
        bool listed = llvm::is_contained(*norm, d);
        if (listed && shape[d] != 1)
          return foldError(node, "cannot squeeze dim " + llvm::Twine(d) +
                                     " of size " + llvm::Twine(shape[d]));
        if (!(listed || (norm->empty() && shape[d] == 1)))
          out.push_back(shape[d]);
      }
    } else {
      int64_t rank = shape.size() + axes.size();
      auto norm = normalizeAxes(node, axes, rank);
      if (!norm)
        return norm.takeError();
      auto next = shape.begin();
      for (int64_t d = 0; d < rank; ++d) {
        if (llvm::is_contained(*norm, d))
          out.push_back(1);
        else if (next != shape.end())
          out.push_back(*next++);
        else
          return foldError(node, "repeated axes");
      }
    }
    return result(withShape(in(0), out));
  }
  if (op == "Concat") {
    std::vector<const ConstTensor *> parts;
    for (const FoldInput &input : inputs)
      if (input.present)
        parts.push_back(input.value);
    return result(foldConcat(node, attrs, parts));
  }
  if (op == "Split") {
    if (auto err = need(1))
      return std::move(err);
    return foldSplit(node, attrs, opset, inputs, outputs);
  }
  if (op == "Gather") {
    if (auto err = need(2))
      return std::move(err);
    return result(foldGather(node, attrs, in(0), in(1)));
  }
  if (op == "Slice") {
    if (auto err = need(opset < 10 ? 1 : 3))
      return std::move(err);
    return result(foldSlice(node, attrs, opset, inputs));
  }
  if (op == "Transpose") {
    if (auto err = need(1))
      return std::move(err);
    return result(foldTranspose(node, attrs, in(0)));
  }
  if (op == "Tile") {
    if (auto err = need(2))
      return std::move(err);
    return result(foldTile(node, in(0), in(1)));
  }
  if (op == "Expand") {
    if (auto err = need(2))
      return std::move(err);
    auto shape = broadcastStatic(in(0).shape, in(1).toInts());
    if (!shape)
      return foldError(node, "cannot expand " + shapeText(in(0).shape) +
                                 " to " + shapeText(in(1).toInts()));
    return result(take(in(0), *shape, broadcastOffsets(in(0).shape, *shape)));
  }
  if (op == "Where") {
    if (auto err = need(3))
      return std::move(err);
    auto shape01 = broadcastStatic(in(0).shape, in(1).shape);
    auto shape =
        shape01 ? broadcastStatic(*shape01, in(2).shape) : std::nullopt;
    if (!shape)
      return foldError(node, "inputs do not broadcast");
    Shape c = broadcastOffsets(in(0).shape, *shape);
    Shape x = broadcastOffsets(in(1).shape, *shape);
    Shape y = broadcastOffsets(in(2).shape, *shape);
    ConstTensor out;
    out.dataType = in(1).dataType;
    out.shape = *shape;
    for (size_t i = 0; i < c.size(); ++i) {
      const ConstTensor &src = in(0).getDouble(c[i]) != 0 ? in(1) : in(2);
      int64_t offset = &src == &in(1) ? x[i] : y[i];
      if (out.isFloat())
        out.floats.push_back(static_cast<float>(src.getDouble(offset)));
      else
        out.ints.push_back(src.getInt(offset));
    }
    return result(std::move(out));
  }
  if (op == "Range") {
    if (auto err = need(3))
      return std::move(err);
    const ConstTensor &start = in(0), &limit = in(1), &delta = in(2);
    if (start.numel() != 1 || limit.numel() != 1 || delta.numel() != 1)
      return foldError(node, "inputs must be scalars");
    if (start.isFloat()) {
      float s = start.floats[0], l = static_cast<float>(limit.getDouble(0)),
            d = static_cast<float>(delta.getDouble(0));
      if (d == 0)
        return foldError(node, "delta must be non-zero");
      int64_t n =
          std::max<int64_t>(static_cast<int64_t>(std::ceil((l - s) / d)), 0);
      std::vector<float> values;
      for (int64_t i = 0; i < n; ++i)
        values.push_back(s + i * d);
      return result(ConstTensor::fromFloats({n}, values, start.dataType));
    }
    int64_t s = start.ints[0], l = limit.getInt(0), d = delta.getInt(0);
    if (d == 0)
      return foldError(node, "delta must be non-zero");
    int64_t span = l - s;
    int64_t n = d > 0 ? (span > 0 ? (span + d - 1) / d : 0)
                      : (span < 0 ? (-span + (-d) - 1) / (-d) : 0);
    std::vector<int64_t> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(s + i * d);
    return result(ConstTensor::fromInts({n}, values, start.dataType));
  }
  if (op == "ConstantOfShape") {
    if (auto err = need(1))
      return std::move(err);
    Shape shape = in(0).toInts();
    for (int64_t d : shape)
      if (d < 0)
        return foldError(node, "negative dim in " + shapeText(shape));
    ConstTensor fill = ConstTensor::fromFloats({1}, {0.0f});
    if (const onnx::TensorProto *t = attrs.getTensor("value")) {
      auto value = tensorFromProto(*t, "");
      if (!value)
        return value.takeError();
      if (value->numel() != 1)
        return foldError(node, "value must have one element");
      fill = std::move(*value);
    }
    int64_t n = productOf(shape);
    Shape offsets(n, 0);
    return result(take(fill, shape, offsets));
  }
  if (op.starts_with("Reduce") &&
      llvm::is_contained({"ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin"},
                         op)) {
    if (auto err = need(1))
      return std::move(err);
    return result(foldReduce(node, attrs, opset, inputs));
  }
  if (auto unary = inputs.size() == 1 && inputs[0].present
                       ? foldUnary(op, in(0))
                       : std::nullopt) {
    outputs.push_back(std::move(*unary));
    return true;
  }
  BinaryKind kind = binaryKindOf(op);
  if (kind != BinaryKind::Unknown) {
    // Max, Min and Sum are variadic.
    bool variadic = op == "Max" || op == "Min" || op == "Sum";
    if (auto err = need(variadic ? 1 : 2))
      return std::move(err);
    ConstTensor acc = in(0);
    for (unsigned i = 1; i < inputs.size(); ++i) {
      auto next =
          foldBinary(node, kind, acc, in(i), attrs.getInt("fmod", 0) != 0);
      if (!next)
        return next.takeError();
      acc = std::move(*next);
    }
    outputs.push_back(std::move(acc));
    return true;
  }
  return false;
}

} // namespace

Expected<bool> foldNode(const onnx::NodeProto &node, int64_t opset,
                        const std::string &baseDir, ArrayRef<FoldInput> inputs,
                        std::vector<ConstTensor> &outputs) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return false;
  NodeAttributes attrs(node);
  StringRef op = node.op_type();
  outputs.clear();

  // Ops that only need their inputs' shapes.
  if (op == "Shape" || op == "Size") {
    if (inputs.empty() || !inputs[0].present)
      return foldError(node, "needs an input");
    ArrayRef<int64_t> shape = inputs[0].shape;
    if (op == "Size") {
      outputs.push_back(ConstTensor::fromInts({}, {productOf(shape)}));
      return true;
    }
    int64_t rank = shape.size();
    int64_t start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    Shape dims(shape.begin() + start, shape.begin() + end);
    outputs.push_back(
        ConstTensor::fromInts({static_cast<int64_t>(dims.size())}, dims));
    return true;
  }
  if (op == "Constant") {
    auto value = constantNodeValue(node, attrs, baseDir);
    if (!value)
      return value.takeError();
    outputs.push_back(std::move(*value));
    return true;
  }

  for (const FoldInput &input : inputs)
    if (input.present && !input.value)
      return false;
  return foldValues(node, opset, attrs, inputs, outputs);
}

} // namespace tpuc::onnx_import
