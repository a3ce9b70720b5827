//===- ConstantFoldDataMovement.cpp - Folding of data movement ops --------===//
//
// Gather, Concat, Split, Slice, Transpose, Tile and Reshape of the constant
// folder: ops that only rearrange or select their input's elements. The
// folder evaluates the shape subgraphs of exported models with these.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolderImpl.h"

#include <algorithm>

using llvm::ArrayRef;
using llvm::Expected;

namespace tpuc::onnx_import {

Expected<ConstTensor> foldGather(const onnx::NodeProto &node,
                                 const NodeAttributes &attrs,
                                 const ConstTensor &data,
                                 const ConstTensor &indices) {
  int64_t rank = data.shape.size();
  auto axis = axisAttribute(node, attrs, rank);
  if (!axis)
    return axis.takeError();
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
  auto axis = axisAttribute(node, attrs, rank);
  if (!axis)
    return axis.takeError();
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
  auto axis = axisAttribute(node, attrs, rank);
  if (!axis)
    return axis.takeError();
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
  if (!completeSliceArgs(starts, ends, axes, steps))
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

} // namespace tpuc::onnx_import
