//===- TopShapeInference.cpp - Result shapes of Top ops -------------------===//
//
// Each inferShapes() computes the result shape from operand shapes and
// attributes, then sets or checks it with setOrCheckShape. Unknown operand
// dims propagate as ShapedType::kDynamic into the dims they determine.
// Attributes were checked by the verifiers, so only shape facts that may
// still have been unknown there are reported here.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace tpuc::top;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

bool isKnown(int64_t dim) { return !ShapedType::isDynamic(dim); }

/// ceil(a / b) for a >= 0, b > 0.
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Product of dims, kDynamic when any is unknown.
int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (!isKnown(d))
      return kDynamic;
    n *= d;
  }
  return n;
}

/// Output size of a convolution or pooling window along one spatial dim;
/// fails when the padded input is smaller than the (dilated) kernel.
FailureOr<int64_t> windowOutputSize(Operation *op, unsigned spatialIndex,
                                    int64_t in, int64_t kernel, int64_t stride,
                                    int64_t padBegin, int64_t padEnd,
                                    int64_t dilation, bool ceilMode) {
  if (!isKnown(in))
    return kDynamic;
  int64_t effectiveKernel = dilation * (kernel - 1) + 1;
  int64_t span = in + padBegin + padEnd - effectiveKernel;
  if (span < 0)
    return op->emitOpError()
           << "padded input size " << in + padBegin + padEnd
           << " is smaller than the kernel size " << effectiveKernel
           << " on spatial dim " << spatialIndex;
  if (!ceilMode)
    return span / stride + 1;
  int64_t out = ceilDiv(span, stride) + 1;
  // As in ONNX and PyTorch: the last window must start inside the input or
  // its left padding, never in the right padding alone.
  if ((out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// Shared by Conv and pooling: [N, channels, out spatial...].
FailureOr<SmallVector<int64_t>>
inferWindowShape(Operation *op, ArrayRef<int64_t> input, int64_t channels,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                 bool ceilMode) {
  size_t spatial = kernel.size();
  SmallVector<int64_t> out{input[0], channels};
  for (size_t i = 0; i < spatial; ++i) {
    FailureOr<int64_t> size = windowOutputSize(
        op, i, input[2 + i], kernel[i], strides[i], pads[i], pads[spatial + i],
        dilations.empty() ? 1 : dilations[i], ceilMode);
    if (failed(size))
      return failure();
    out.push_back(*size);
  }
  return out;
}

/// The dilations of a pooling op, empty for none (all 1).
ArrayRef<int64_t> poolDilations(AvgPoolOp) { return {}; }
template <typename PoolOpT> ArrayRef<int64_t> poolDilations(PoolOpT op) {
  return op.getDilations().value_or(ArrayRef<int64_t>());
}

/// Sets every result of a pooling op to the pooled shape.
template <typename PoolOpT> LogicalResult inferPoolShape(PoolOpT op) {
  ArrayRef<int64_t> input = op.getInput().getType().getShape();
  FailureOr<SmallVector<int64_t>> out = inferWindowShape(
      op, input, input[1], op.getKernelShape(), op.getStrides(), op.getPads(),
      poolDilations(op), op.getCeilMode());
  if (failed(out))
    return failure();
  for (Value result : op->getResults())
    if (failed(setOrCheckShape(op, result, *out)))
      return failure();
  return success();
}

LogicalResult inferBroadcastShape(Operation *op, ValueRange inputs) {
  SmallVector<int64_t> shape(getShape(inputs.front()));
  for (Value input : inputs.drop_front()) {
    FailureOr<SmallVector<int64_t>> next =
        broadcastShapes(op, shape, getShape(input));
    if (failed(next))
      return failure();
    shape = std::move(*next);
  }
  return setOrCheckShape(op, op->getResult(0), shape);
}

/// Length of Python's `range(dim)[start:end:step]`.
int64_t sliceLength(int64_t dim, int64_t start, int64_t end, int64_t step) {
  auto clampIndex = [&](int64_t index, int64_t low, int64_t high) {
    if (index < 0)
      index = index < -dim ? low : index + dim;
    return std::clamp(index, low, high);
  };
  // Steps longer than the dim take one element; capping them keeps the
  // arithmetic in range.
  if (step > 0) {
    int64_t first = clampIndex(start, 0, dim);
    int64_t last = clampIndex(end, 0, dim);
    return last > first ? ceilDiv(last - first, std::min(step, dim)) : 0;
  }
  int64_t first = clampIndex(start, -1, dim - 1);
  int64_t last = clampIndex(end, -1, dim - 1);
  // -(step + 1) + 1 is |step| without negating INT64_MIN.
  int64_t stride = std::min(-(step + 1), dim) + 1;
  return first > last ? ceilDiv(first - last, stride) : 0;
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution, matmul, pooling
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> filter = getFilter().getType().getShape();
  FailureOr<SmallVector<int64_t>> out =
      inferWindowShape(*this, input, filter[0], getKernelShape(), getStrides(),
                       getPads(), getDilations(), /*ceilMode=*/false);
  if (failed(out))
    return failure();
  return setOrCheckShape(*this, getOutput(), *out);
}

LogicalResult DeconvOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> filter = getFilter().getType().getShape();
  ArrayRef<int64_t> kernel = getKernelShape(), strides = getStrides(),
                    pads = getPads(), dilations = getDilations();
  std::optional<ArrayRef<int64_t>> outputPadding = getOutputPadding();
  auto group = static_cast<int64_t>(getGroup());
  size_t spatial = kernel.size();
  SmallVector<int64_t> out{input[0],
                           isKnown(filter[1]) ? filter[1] * group : kDynamic};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input[2 + i];
    if (!isKnown(in)) {
      out.push_back(kDynamic);
      continue;
    }
    int64_t size = (in - 1) * strides[i] - pads[i] - pads[spatial + i] +
                   dilations[i] * (kernel[i] - 1) + 1 +
                   (outputPadding ? (*outputPadding)[i] : 0);
    if (size <= 0)
      return emitOpError() << "output size " << size << " on spatial dim " << i
                           << " is not positive (pads too large)";
    out.push_back(size);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult MatMulOp::inferShapes() {
  SmallVector<int64_t> lhs(getInput().getType().getShape());
  SmallVector<int64_t> rhs(getRight().getType().getShape());
  if (lhs.empty() || rhs.empty())
    return emitOpError("operands must have rank >= 1");
  if ((getLeftTranspose() && lhs.size() < 2) ||
      (getRightTranspose() && rhs.size() < 2))
    return emitOpError("a transposed operand must have rank >= 2");
  if (getLeftTranspose())
    std::swap(lhs[lhs.size() - 1], lhs[lhs.size() - 2]);
  if (getRightTranspose())
    std::swap(rhs[rhs.size() - 1], rhs[rhs.size() - 2]);
  // numpy promotes 1-D operands to matrices and drops the added dim after.
  bool lhsVector = lhs.size() == 1, rhsVector = rhs.size() == 1;
  if (lhsVector)
    lhs.insert(lhs.begin(), 1);
  if (rhsVector)
    rhs.push_back(1);
  int64_t lhsK = lhs.back(), rhsK = rhs[rhs.size() - 2];
  if (isKnown(lhsK) && isKnown(rhsK) && lhsK != rhsK)
    return emitOpError() << "contracting dims differ: input gives "
                         << shapeToString(lhs) << " and right gives "
                         << shapeToString(rhs) << " (after transposes)";
  FailureOr<SmallVector<int64_t>> batch = broadcastShapes(
      *this, ArrayRef(lhs).drop_back(2), ArrayRef(rhs).drop_back(2));
  if (failed(batch))
    return failure();
  SmallVector<int64_t> out = std::move(*batch);
  if (!lhsVector)
    out.push_back(lhs[lhs.size() - 2]);
  if (!rhsVector)
    out.push_back(rhs.back());
  if (auto biasType = dyn_cast<RankedTensorType>(getBias().getType())) {
    ArrayRef<int64_t> bias = biasType.getShape();
    // The bias adds to the output and must not enlarge it.
    bool fits = bias.size() <= out.size();
    for (size_t i = 0; fits && i < bias.size(); ++i) {
      int64_t b = bias[bias.size() - 1 - i], o = out[out.size() - 1 - i];
      fits = b == 1 || !isKnown(b) || !isKnown(o) || b == o;
    }
    if (!fits)
      return emitOpError() << "bias of shape " << shapeToString(bias)
                           << " does not broadcast to the output shape "
                           << shapeToString(out);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult MaxPoolOp::inferShapes() { return inferPoolShape(*this); }

LogicalResult AvgPoolOp::inferShapes() { return inferPoolShape(*this); }

LogicalResult MaxPoolWithIndicesOp::inferShapes() {
  return inferPoolShape(*this);
}

LogicalResult GlobalAvgPoolOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  if (input.size() < 2)
    return emitOpError() << "input must have rank >= 2 (N, C, spatial dims), "
                            "got rank "
                         << input.size();
  SmallVector<int64_t> out(input);
  std::fill(out.begin() + 2, out.end(), 1);
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult AdaptiveAvgPoolOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  SmallVector<int64_t> out{input[0], input[1]};
  llvm::append_range(out, getOutputSize());
  return setOrCheckShape(*this, getOutput(), out);
}

//===----------------------------------------------------------------------===//
// Broadcasting elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult AddOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult SubOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult MulOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult DivOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult MaxOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult MinOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult PowTensorOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult CompareOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}
LogicalResult WhereOp::inferShapes() {
  return inferBroadcastShape(*this, getOperands());
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  SmallVector<bool> reduced(input.size(), false);
  for (int64_t axis : getAxes()) {
    FailureOr<int64_t> norm = normalizeAxis(*this, axis, input.size());
    if (failed(norm))
      return failure();
    reduced[*norm] = true;
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < input.size(); ++d) {
    if (!reduced[d])
      out.push_back(input[d]);
    else if (getKeepdims())
      out.push_back(1);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult ArgOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), input.size());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> out;
  for (size_t d = 0; d < input.size(); ++d) {
    if (static_cast<int64_t>(d) != *axis)
      out.push_back(input[d]);
    else if (getKeepdims())
      out.push_back(1);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult ConcatOp::inferShapes() {
  SmallVector<int64_t> out(getShape(getInputs().front()));
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), out.size());
  if (failed(axis))
    return failure();
  out[*axis] = 0;
  for (Value input : getInputs()) {
    ArrayRef<int64_t> shape = getShape(input);
    if (shape.size() != out.size())
      return emitOpError("inputs must all have the same rank");
    for (size_t d = 0; d < out.size(); ++d) {
      if (static_cast<int64_t>(d) == *axis) {
        out[d] =
            isKnown(out[d]) && isKnown(shape[d]) ? out[d] + shape[d] : kDynamic;
      } else if (!isKnown(out[d])) {
        out[d] = shape[d];
      } else if (isKnown(shape[d]) && shape[d] != out[d]) {
        return emitOpError()
               << "inputs differ in dim " << d << " (" << out[d] << " vs "
               << shape[d] << "), only the concat axis may differ";
      }
    }
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult SplitOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), input.size());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> sizes = getSplitSize();
  if (sizes.size() != getNumResults())
    return emitOpError() << "split_size has " << sizes.size()
                         << " entries but the op has " << getNumResults()
                         << " results";
  int64_t total = 0;
  for (int64_t size : sizes)
    total += size;
  if (isKnown(input[*axis]) && total != input[*axis])
    return emitOpError() << "split_size sums to " << total << " but input dim "
                         << *axis << " has size " << input[*axis];
  for (auto [result, size] : llvm::zip_equal(getOutputs(), sizes)) {
    SmallVector<int64_t> out(input);
    out[*axis] = size;
    if (failed(setOrCheckShape(*this, result, out)))
      return failure();
  }
  return success();
}

LogicalResult SliceOp::inferShapes() {
  SmallVector<int64_t> out(getInput().getType().getShape());
  ArrayRef<int64_t> starts = getStarts(), ends = getEnds(), steps = getSteps(),
                    axes = getAxes();
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(*this, axes[i], out.size());
    if (failed(axis))
      return failure();
    if (steps[i] == 0)
      return emitOpError("steps must be non-zero");
    if (isKnown(out[*axis]))
      out[*axis] = sliceLength(out[*axis], starts[i], ends[i], steps[i]);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult ReshapeOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  int64_t inputCount = product(input);
  std::optional<ArrayRef<int64_t>> shapeAttr = getShape();
  if (!shapeAttr) {
    // The result type is the shape; a single unknown dim can be solved.
    SmallVector<int64_t> out(getOutput().getType().getShape());
    int64_t known = 1;
    int64_t unknownIndex = -1, numUnknown = 0;
    for (auto [i, d] : llvm::enumerate(out)) {
      if (isKnown(d)) {
        known *= d;
      } else {
        unknownIndex = i;
        ++numUnknown;
      }
    }
    if (!isKnown(inputCount))
      return success();
    if (numUnknown == 0 && known != inputCount)
      return emitOpError() << "result " << shapeToString(out) << " has "
                           << known << " elements but the input "
                           << shapeToString(input) << " has " << inputCount;
    if (numUnknown == 1 && known != 0) {
      if (inputCount % known != 0)
        return emitOpError() << "input " << shapeToString(input)
                             << " cannot be reshaped to " << shapeToString(out);
      out[unknownIndex] = inputCount / known;
      return setOrCheckShape(*this, getOutput(), out);
    }
    return success();
  }

  SmallVector<int64_t> out;
  int64_t inferIndex = -1;
  for (auto [i, d] : llvm::enumerate(*shapeAttr)) {
    if (d == 0) {
      if (i >= input.size())
        return emitOpError() << "shape entry " << i
                             << " is 0 (copy the input dim) but the input "
                                "has rank "
                             << input.size();
      out.push_back(input[i]);
    } else if (d == -1) {
      if (inferIndex >= 0)
        return emitOpError("shape may contain at most one -1");
      inferIndex = i;
      out.push_back(kDynamic);
    } else if (d < -1) {
      return emitOpError() << "shape entries must be >= -1, got " << d;
    } else {
      out.push_back(d);
    }
  }
  int64_t known = 1;
  bool allKnown = true;
  for (auto [i, d] : llvm::enumerate(out)) {
    if (static_cast<int64_t>(i) == inferIndex)
      continue;
    if (isKnown(d))
      known *= d;
    else
      allKnown = false;
  }
  if (allKnown && isKnown(inputCount)) {
    if (inferIndex >= 0) {
      if (known == 0 || inputCount % known != 0)
        return emitOpError() << "input " << shapeToString(input)
                             << " cannot be reshaped to " << shapeToString(out);
      out[inferIndex] = inputCount / known;
    } else if (known != inputCount) {
      return emitOpError() << "shape " << shapeToString(out) << " has " << known
                           << " elements but the input " << shapeToString(input)
                           << " has " << inputCount;
    }
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult PermuteOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  SmallVector<int64_t> out;
  for (int64_t d : getOrder()) {
    if (d < 0 || d >= static_cast<int64_t>(input.size()))
      return emitOpError() << "order entry " << d << " is out of range";
    out.push_back(input[d]);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult FlattenOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  if (input.empty())
    return setOrCheckShape(*this, getOutput(), {1});
  FailureOr<int64_t> start =
      normalizeAxis(*this, static_cast<int64_t>(getStartDim()), input.size());
  FailureOr<int64_t> end =
      normalizeAxis(*this, static_cast<int64_t>(getEndDim()), input.size());
  if (failed(start) || failed(end))
    return failure();
  if (*start > *end)
    return emitOpError() << "start_dim " << *start << " is after end_dim "
                         << *end;
  SmallVector<int64_t> out(input.take_front(*start));
  out.push_back(product(input.slice(*start, *end - *start + 1)));
  llvm::append_range(out, input.drop_front(*end + 1));
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult SqueezeOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  SmallVector<bool> removed(input.size(), false);
  if (getAxes().empty()) {
    // Unknown dims are assumed not to be 1: squeezing them needs axes.
    for (size_t d = 0; d < input.size(); ++d)
      removed[d] = input[d] == 1;
  }
  for (int64_t axis : getAxes()) {
    FailureOr<int64_t> norm = normalizeAxis(*this, axis, input.size());
    if (failed(norm))
      return failure();
    if (isKnown(input[*norm]) && input[*norm] != 1)
      return emitOpError() << "cannot squeeze dim " << *norm << " of size "
                           << input[*norm];
    removed[*norm] = true;
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < input.size(); ++d)
    if (!removed[d])
      out.push_back(input[d]);
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult UnsqueezeOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  int64_t rank = input.size() + getAxes().size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : getAxes()) {
    FailureOr<int64_t> norm = normalizeAxis(*this, axis, rank);
    if (failed(norm))
      return failure();
    if (inserted[*norm])
      return emitOpError() << "axes contain dim " << *norm << " twice";
    inserted[*norm] = true;
  }
  SmallVector<int64_t> out;
  const int64_t *next = input.begin();
  for (int64_t d = 0; d < rank; ++d)
    out.push_back(inserted[d] ? 1 : *next++);
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult ExpandOp::inferShapes() {
  FailureOr<SmallVector<int64_t>> out =
      broadcastShapes(*this, getInput().getType().getShape(), getShape());
  if (failed(out))
    return failure();
  return setOrCheckShape(*this, getOutput(), *out);
}

LogicalResult TileOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> repeats = getRepeats();
  if (repeats.size() != input.size())
    return emitOpError("repeats must have one entry per input dim");
  SmallVector<int64_t> out;
  for (auto [d, r] : llvm::zip_equal(input, repeats))
    out.push_back(isKnown(d) ? d * r : kDynamic);
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult PadOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> paddings = getPaddings();
  size_t rank = input.size();
  if (paddings.size() != 2 * rank)
    return emitOpError("paddings must have two entries per input dim");
  SmallVector<int64_t> out;
  for (size_t d = 0; d < rank; ++d) {
    if (!isKnown(input[d])) {
      out.push_back(kDynamic);
      continue;
    }
    int64_t size = input[d] + paddings[d] + paddings[rank + d];
    if (size < 0)
      return emitOpError() << "paddings (" << paddings[d] << ", "
                           << paddings[rank + d] << ") crop dim " << d
                           << " of size " << input[d] << " below zero";
    out.push_back(size);
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult UpsampleOp::inferShapes() {
  SmallVector<int64_t> out(getInput().getType().getShape());
  size_t rank = out.size();
  if (rank < 2)
    return emitOpError("input must have rank >= 2");
  int64_t scales[] = {static_cast<int64_t>(getScaleH()),
                      static_cast<int64_t>(getScaleW())};
  for (int i = 0; i < 2; ++i) {
    int64_t &d = out[rank - 2 + i];
    if (isKnown(d))
      d *= scales[i];
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult InterpOp::inferShapes() {
  SmallVector<int64_t> out(getInput().getType().getShape());
  ArrayRef<int64_t> current = getOutput().getType().getShape();
  size_t rank = out.size();
  if (rank < 2 || current.size() != rank)
    return emitOpError() << "result must have the input's rank " << rank
                         << " (>= 2), got rank " << current.size();
  double scales[] = {getScaleH().convertToDouble(),
                     getScaleW().convertToDouble()};
  for (int i = 0; i < 2; ++i) {
    size_t d = rank - 2 + i;
    // A known result size wins: frameworks give sizes that the scale only
    // approximates.
    if (isKnown(current[d]))
      out[d] = current[d];
    else if (isKnown(out[d]))
      out[d] = static_cast<int64_t>(std::floor(out[d] * scales[i]));
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult Depth2SpaceOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  if (input.size() != 4)
    return emitOpError("input must have rank 4");
  auto blockH = static_cast<int64_t>(getBlockH());
  auto blockW = static_cast<int64_t>(getBlockW());
  int64_t block = blockH * blockW;
  auto scaleDim = [](int64_t d, int64_t mul, int64_t div) {
    return isKnown(d) ? d * mul / div : kDynamic;
  };
  // The verifier could not check dims that were unknown then.
  if (!getIsInversed() && isKnown(input[1]) && input[1] % block != 0)
    return emitOpError() << "input channels (" << input[1]
                         << ") must be divisible by block_h * block_w ("
                         << block << ")";
  if (getIsInversed() && ((isKnown(input[2]) && input[2] % blockH != 0) ||
                          (isKnown(input[3]) && input[3] % blockW != 0)))
    return emitOpError() << "input spatial dims " << shapeToString(input)
                         << " must be divisible by the blocks (" << blockH
                         << ", " << blockW << ")";
  SmallVector<int64_t> out{input[0]};
  if (getIsInversed()) {
    out.push_back(scaleDim(input[1], block, 1));
    out.push_back(scaleDim(input[2], 1, blockH));
    out.push_back(scaleDim(input[3], 1, blockW));
  } else {
    out.push_back(scaleDim(input[1], 1, block));
    out.push_back(scaleDim(input[2], blockH, 1));
    out.push_back(scaleDim(input[3], blockW, 1));
  }
  return setOrCheckShape(*this, getOutput(), out);
}

LogicalResult GatherOp::inferShapes() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), input.size());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> out(input.take_front(*axis));
  llvm::append_range(out, getIndices().getType().getShape());
  llvm::append_range(out, input.drop_front(*axis + 1));
  return setOrCheckShape(*this, getOutput(), out);
}
