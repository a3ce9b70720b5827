//===- ConstantFolder.cpp - Import-time evaluation of constant subgraphs --===//
//
// Exported models compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape, ...) and keep small constant expressions. With static input
// shapes all of these are constants; evaluating them here keeps them out of
// the Top graph and turns them into the attributes Top ops expect. Integer
// tensors are evaluated exactly in int64, float tensors in float32 as the
// ONNX runtime would.
//
// This file is the driver: foldNode and the dispatch on the op type. The
// kernels it calls are grouped by kind in ConstantFoldElementwise.cpp,
// ConstantFoldDataMovement.cpp and ConstantFoldReduce.cpp, with the helpers
// they share in ConstantFoldUtils.cpp (declared in ConstantFolderImpl.h).
//
//===----------------------------------------------------------------------===//

#include "ConstantFolderImpl.h"

#include <algorithm>
#include <cmath>

using llvm::ArrayRef;
using llvm::Expected;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

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
