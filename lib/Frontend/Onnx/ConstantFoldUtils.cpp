//===- ConstantFoldUtils.cpp - Helpers of the constant folder -------------===//
//
// Index arithmetic (strides, C-order iteration, broadcasting offsets),
// gathering elements, axis and attribute handling and error messages that
// several groups of folding kernels share.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolderImpl.h"

using llvm::ArrayRef;
using llvm::Expected;
using llvm::StringRef;

namespace tpuc::onnx_import {

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

Expected<int64_t> axisAttribute(const onnx::NodeProto &node,
                                const NodeAttributes &attrs, int64_t rank) {
  auto axis = normalizeAxisValue(attrs.getInt("axis", 0), rank);
  if (!axis)
    return foldError(node,
                     "axis is out of range for rank " + llvm::Twine(rank));
  return *axis;
}

} // namespace tpuc::onnx_import
