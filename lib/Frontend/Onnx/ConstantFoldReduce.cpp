//===- ConstantFoldReduce.cpp - Folding of reductions ---------------------===//
//
// ReduceSum, ReduceProd, ReduceMax and ReduceMin of the constant folder,
// which accumulate in double whatever the element type.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolderImpl.h"

#include <algorithm>

using llvm::ArrayRef;
using llvm::Expected;
using llvm::StringRef;

namespace tpuc::onnx_import {

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

} // namespace tpuc::onnx_import
