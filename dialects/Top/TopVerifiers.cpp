//===- TopVerifiers.cpp - Attribute and operand checks of Top ops ---------===//
//
// Verifiers check attributes against each other and against operand shapes
// where those are known. Result shapes are checked by shape inference, which
// also handles dims that are still unknown here.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"

#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace tpuc::top;

namespace {

bool isKnown(int64_t dim) { return !ShapedType::isDynamic(dim); }

/// Attribute values as "[1, 2]" for messages.
std::string listToString(ArrayRef<int64_t> values) {
  return "[" +
         llvm::join(llvm::map_range(
                        values, [](int64_t v) { return std::to_string(v); }),
                    ", ") +
         "]";
}

/// A float attribute value as "0.5" for messages.
std::string numberToString(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

LogicalResult checkCount(Operation *op, StringRef attrName,
                         ArrayRef<int64_t> values, size_t expected,
                         const Twine &why) {
  if (values.size() == expected)
    return success();
  return op->emitOpError() << attrName << " must have " << expected
                           << " entries " << why << ", got " << values.size();
}

LogicalResult checkAllAtLeast(Operation *op, StringRef attrName,
                              ArrayRef<int64_t> values, int64_t minimum) {
  if (llvm::all_of(values, [&](int64_t v) { return v >= minimum; }))
    return success();
  StringRef what = minimum == 0   ? "non-negative"
                   : minimum == 1 ? "positive"
                                  : "large enough";
  return op->emitOpError() << attrName << " entries must be " << what
                           << ", got " << listToString(values);
}

/// Checks kernel_shape, strides, pads (and dilations when given) of a 1-D or
/// 2-D window op whose input has rank `inputRank` (N, C, spatial dims).
LogicalResult verifyWindowAttrs(Operation *op, StringRef kind,
                                int64_t inputRank, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                std::optional<ArrayRef<int64_t>> dilations) {
  if (inputRank != 3 && inputRank != 4)
    return op->emitOpError() << "input must have rank 3 (1-D) or 4 (2-D) for a "
                             << kind << ", got rank " << inputRank;
  size_t spatial = inputRank - 2;
  std::string why = "for a " + std::to_string(spatial) + "-D " + kind.str();
  if (failed(checkCount(op, "kernel_shape", kernel, spatial, why)) ||
      failed(checkCount(op, "strides", strides, spatial, why)) ||
      failed(checkCount(op, "pads", pads, 2 * spatial, why)) ||
      (dilations &&
       failed(checkCount(op, "dilations", *dilations, spatial, why))))
    return failure();
  if (failed(checkAllAtLeast(op, "kernel_shape", kernel, 1)) ||
      failed(checkAllAtLeast(op, "strides", strides, 1)) ||
      failed(checkAllAtLeast(op, "pads", pads, 0)) ||
      (dilations && failed(checkAllAtLeast(op, "dilations", *dilations, 1))))
    return failure();
  return success();
}

LogicalResult checkSameRank(Operation *op, StringRef operandName, Value operand,
                            int64_t inputRank) {
  int64_t rank = rankOf(operand);
  if (rank == inputRank)
    return success();
  return op->emitOpError() << operandName << " must have rank " << inputRank
                           << " like the input, got rank " << rank;
}

/// A bias (when present) holds one value per output channel.
LogicalResult checkBias(Operation *op, Value bias, int64_t outChannels) {
  auto type = dyn_cast<RankedTensorType>(bias.getType());
  if (!type || !type.hasStaticShape() || !isKnown(outChannels))
    return success();
  if (type.getNumElements() == outChannels)
    return success();
  return op->emitOpError() << "bias must have " << outChannels
                           << " elements (one per output channel), got "
                           << type.getNumElements();
}

LogicalResult checkGroup(Operation *op, int64_t group, int64_t inChannels) {
  if (group <= 0)
    return op->emitOpError() << "group must be positive, got " << group;
  if (isKnown(inChannels) && inChannels % group != 0)
    return op->emitOpError()
           << "input channels (" << inChannels
           << ") must be divisible by group (" << group << ")";
  return success();
}

/// `kernel_shape` must agree with the filter's spatial dims.
LogicalResult checkFilterKernel(Operation *op, ArrayRef<int64_t> filterShape,
                                ArrayRef<int64_t> kernel) {
  ArrayRef<int64_t> spatial = filterShape.drop_front(2);
  for (auto [f, k] : llvm::zip_equal(spatial, kernel))
    if (isKnown(f) && f != k)
      return op->emitOpError()
             << "filter spatial dims " << shapeToString(spatial)
             << " differ from kernel_shape " << listToString(kernel);
  return success();
}

/// The dilations of a pooling op; only max pooling has them.
std::optional<ArrayRef<int64_t>> poolDilations(AvgPoolOp) {
  return std::nullopt;
}
template <typename PoolOpT>
std::optional<ArrayRef<int64_t>> poolDilations(PoolOpT op) {
  return op.getDilations();
}

template <typename PoolOpT> LogicalResult verifyPool(PoolOpT op) {
  int64_t rank = op.getInput().getType().getRank();
  ArrayRef<int64_t> kernel = op.getKernelShape();
  ArrayRef<int64_t> pads = op.getPads();
  if (failed(verifyWindowAttrs(op, "pooling", rank, kernel, op.getStrides(),
                               pads, poolDilations(op))))
    return failure();
  // A window lying entirely in the padding has no input element to pool.
  size_t spatial = kernel.size();
  for (size_t i = 0; i < spatial; ++i)
    for (int64_t pad : {pads[i], pads[i + spatial]})
      if (pad >= kernel[i])
        return op.emitOpError()
               << "pads must be smaller than the kernel, got pad " << pad
               << " for kernel " << kernel[i] << " on spatial axis " << i;
  return success();
}

/// `value` (a per-channel vector) must have `channels` elements.
LogicalResult checkChannelVector(Operation *op, StringRef name, Value value,
                                 int64_t channels) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || !isKnown(channels))
    return success();
  if (type.getNumElements() == channels)
    return success();
  return op->emitOpError() << name << " must have " << channels
                           << " elements (the input's channel count), got "
                           << type.getNumElements();
}

/// `value` (when a tensor) must broadcast to `target` without growing it.
LogicalResult checkBroadcastsTo(Operation *op, StringRef name, Value value,
                                ArrayRef<int64_t> target) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return success();
  ArrayRef<int64_t> shape = type.getShape();
  bool ok = shape.size() <= target.size();
  for (size_t i = 0; ok && i < shape.size(); ++i) {
    int64_t s = shape[shape.size() - 1 - i];
    int64_t t = target[target.size() - 1 - i];
    ok = !isKnown(s) || !isKnown(t) || s == 1 || s == t;
  }
  if (ok)
    return success();
  return op->emitOpError() << name << " of shape " << shapeToString(shape)
                           << " does not broadcast to the normalized shape "
                           << shapeToString(target);
}

/// Normalizes every axis and rejects repeats.
FailureOr<SmallVector<int64_t>>
normalizeUniqueAxes(Operation *op, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t axis : axes) {
    FailureOr<int64_t> norm = normalizeAxis(op, axis, rank);
    if (failed(norm))
      return failure();
    if (!seen.insert(*norm).second)
      return op->emitOpError() << "axes contain dim " << *norm << " twice";
    result.push_back(*norm);
  }
  return result;
}

} // namespace

//===----------------------------------------------------------------------===//
// Graph structure
//===----------------------------------------------------------------------===//

LogicalResult InputOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (std::optional<ArrayRef<int64_t>> dims = getResizeDims()) {
    if (failed(checkCount(*this, "resize_dims", *dims, 2, "(height, width)")) ||
        failed(checkAllAtLeast(*this, "resize_dims", *dims, 1)))
      return failure();
  } else if (getKeepAspectRatio()) {
    return emitOpError("keep_aspect_ratio requires resize_dims");
  }
  std::optional<ArrayRef<double>> mean = getMean();
  std::optional<ArrayRef<double>> scale = getScale();
  if (mean && scale && mean->size() != scale->size())
    return emitOpError() << "mean and scale must have the same length, got "
                         << mean->size() << " and " << scale->size();

  StringRef format = getChannelFormat().value_or("none");
  if (format == "none")
    return success();
  int64_t rank = shape.size();
  if (rank < 3)
    return emitOpError() << "channel_format '" << format
                         << "' needs an input of rank >= 3, got rank " << rank;
  int64_t channels = format == "nchw" ? shape[1] : shape.back();
  if (!isKnown(channels))
    return success();
  using NamedValues = std::pair<StringRef, std::optional<ArrayRef<double>>>;
  for (auto [name, values] : {NamedValues{"mean", mean}, {"scale", scale}})
    if (values && static_cast<int64_t>(values->size()) != channels)
      return emitOpError() << name << " must have " << channels
                           << " entries (one per channel), got "
                           << values->size();
  if (std::optional<StringRef> pixel = getPixelFormat()) {
    int64_t expected = llvm::StringSwitch<int64_t>(*pixel)
                           .Case("gray", 1)
                           .Case("rgba", 4)
                           .Default(3);
    if (channels != expected)
      return emitOpError() << "pixel_format '" << *pixel << "' needs "
                           << expected << " channels, got " << channels;
  }
  return success();
}

LogicalResult WeightOp::verify() {
  RankedTensorType type = getOutput().getType();
  if (!type.hasStaticShape())
    return emitOpError() << "result must have a static shape, got "
                         << shapeToString(type.getShape());
  if (std::optional<ElementsAttr> value = getValue()) {
    ArrayRef<int64_t> valueShape = value->getShapedType().getShape();
    if (valueShape != type.getShape())
      return emitOpError() << "value has shape " << shapeToString(valueShape)
                           << " but the result has shape "
                           << shapeToString(type.getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, norms
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> filter = getFilter().getType().getShape();
  int64_t rank = input.size();
  if (failed(verifyWindowAttrs(*this, "convolution", rank, getKernelShape(),
                               getStrides(), getPads(), getDilations())) ||
      failed(checkSameRank(*this, "filter", getFilter(), rank)) ||
      failed(checkFilterKernel(*this, filter, getKernelShape())))
    return failure();
  int64_t group = static_cast<int64_t>(getGroup());
  if (failed(checkGroup(*this, group, input[1])))
    return failure();
  if (isKnown(input[1]) && isKnown(filter[1]) && filter[1] * group != input[1])
    return emitOpError() << "filter dim 1 must be input channels / group = "
                         << input[1] / group << ", got " << filter[1];
  if (isKnown(filter[0]) && filter[0] % group != 0)
    return emitOpError() << "output channels (filter dim 0 = " << filter[0]
                         << ") must be divisible by group (" << group << ")";
  return checkBias(*this, getBias(), filter[0]);
}

LogicalResult DeconvOp::verify() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> filter = getFilter().getType().getShape();
  int64_t rank = input.size();
  ArrayRef<int64_t> strides = getStrides();
  ArrayRef<int64_t> dilations = getDilations();
  if (failed(verifyWindowAttrs(*this, "transposed convolution", rank,
                               getKernelShape(), strides, getPads(),
                               dilations)) ||
      failed(checkSameRank(*this, "filter", getFilter(), rank)) ||
      failed(checkFilterKernel(*this, filter, getKernelShape())))
    return failure();
  int64_t group = static_cast<int64_t>(getGroup());
  if (failed(checkGroup(*this, group, input[1])))
    return failure();
  if (isKnown(input[1]) && isKnown(filter[0]) && filter[0] != input[1])
    return emitOpError() << "filter dim 0 must equal the input channels ("
                         << input[1] << "), got " << filter[0];
  if (std::optional<ArrayRef<int64_t>> outPad = getOutputPadding()) {
    size_t spatial = rank - 2;
    if (failed(checkCount(*this, "output_padding", *outPad, spatial,
                          "(one per spatial dim)")) ||
        failed(checkAllAtLeast(*this, "output_padding", *outPad, 0)))
      return failure();
    // Larger output padding would add rows no input contributes to.
    for (size_t i = 0; i < spatial; ++i)
      if ((*outPad)[i] >= std::max(strides[i], dilations[i]))
        return emitOpError()
               << "output_padding must be smaller than the stride or "
                  "dilation of its axis, got "
               << (*outPad)[i] << " on spatial axis " << i << " with stride "
               << strides[i] << " and dilation " << dilations[i];
  }
  int64_t outChannels =
      isKnown(filter[1]) ? filter[1] * group : ShapedType::kDynamic;
  return checkBias(*this, getBias(), outChannels);
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }

LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }

LogicalResult MaxPoolWithIndicesOp::verify() { return verifyPool(*this); }

LogicalResult AdaptiveAvgPoolOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank < 3)
    return emitOpError() << "input must have rank >= 3 (N, C, spatial dims), "
                            "got rank "
                         << rank;
  ArrayRef<int64_t> size = getOutputSize();
  if (failed(checkCount(*this, "output_size", size, rank - 2,
                        "(one per spatial dim)")) ||
      failed(checkAllAtLeast(*this, "output_size", size, 1)))
    return failure();
  return success();
}

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (shape.size() < 2)
    return emitOpError() << "input must have rank >= 2 (channels are dim 1), "
                            "got rank "
                         << shape.size();
  int64_t channels = shape[1];
  if (failed(checkChannelVector(*this, "mean", getMean(), channels)) ||
      failed(checkChannelVector(*this, "variance", getVariance(), channels)) ||
      failed(checkChannelVector(*this, "gamma", getGamma(), channels)) ||
      failed(checkChannelVector(*this, "beta", getBeta(), channels)))
    return failure();
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError() << "epsilon must be non-negative, got "
                         << numberToString(getEpsilon().convertToDouble());
  return success();
}

LogicalResult InstanceNormOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (shape.size() < 3)
    return emitOpError() << "input must have rank >= 3 (channels, then "
                            "spatial dims), got rank "
                         << shape.size();
  if (failed(checkChannelVector(*this, "weight", getWeight(), shape[1])) ||
      failed(checkChannelVector(*this, "bias", getBias(), shape[1])))
    return failure();
  if (getEps().convertToDouble() < 0)
    return emitOpError() << "eps must be non-negative, got "
                         << numberToString(getEps().convertToDouble());
  return success();
}

LogicalResult LayerNormOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), shape.size());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normalized = shape.drop_front(*axis);
  if (failed(checkBroadcastsTo(*this, "weight", getWeight(), normalized)) ||
      failed(checkBroadcastsTo(*this, "bias", getBias(), normalized)))
    return failure();
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(*this, static_cast<int64_t>(getAxis()),
                       getInput().getType().getRank());
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  double min = getMin().convertToDouble();
  double max = getMax().convertToDouble();
  if (!(min <= max))
    return emitOpError() << "min (" << numberToString(min)
                         << ") must not exceed max (" << numberToString(max)
                         << ")";
  return success();
}

LogicalResult PowTensorOp::verify() {
  // Shape inference also checks this, but only once it runs; unknown dims
  // broadcast with anything until then.
  if (failed(broadcastShapes(*this, getShape(getLhs()), getShape(getRhs()))))
    return failure();
  Type element = getOutput().getType().getElementType();
  if (!isa<FloatType>(element) &&
      !(isa<IntegerType>(element) && element.getIntOrFloatBitWidth() > 1))
    return emitOpError() << "result element type must be a float or an "
                            "integer wider than 1 bit, got "
                         << element;
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::verify() {
  if (getAxes().empty())
    return emitOpError("axes must not be empty");
  return normalizeUniqueAxes(*this, getAxes(), getInput().getType().getRank());
}

LogicalResult ArgOp::verify() {
  return normalizeAxis(*this, static_cast<int64_t>(getAxis()),
                       getInput().getType().getRank());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  ArrayRef<int64_t> first = getShape(getInputs().front());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), first.size());
  if (failed(axis))
    return failure();
  for (auto [index, input] : llvm::enumerate(getInputs())) {
    ArrayRef<int64_t> shape = getShape(input);
    if (shape.size() != first.size())
      return emitOpError() << "input " << index << " has rank " << shape.size()
                           << ", but input 0 has rank " << first.size();
    for (size_t d = 0; d < shape.size(); ++d)
      if (static_cast<int64_t>(d) != *axis && isKnown(shape[d]) &&
          isKnown(first[d]) && shape[d] != first[d])
        return emitOpError()
               << "input " << index << " has size " << shape[d] << " in dim "
               << d << ", but input 0 has " << first[d] << " (only the axis "
               << *axis << " may differ)";
  }
  return success();
}

LogicalResult SplitOp::verify() {
  ArrayRef<int64_t> sizes = getSplitSize();
  if (getOutputs().empty())
    return emitOpError("needs at least one result");
  if (sizes.size() != getNumResults())
    return emitOpError() << "split_size has " << sizes.size()
                         << " entries but the op has " << getNumResults()
                         << " results";
  if (failed(checkAllAtLeast(*this, "split_size", sizes, 1)))
    return failure();
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, static_cast<int64_t>(getAxis()), shape.size());
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (isKnown(shape[*axis]) && total != shape[*axis])
    return emitOpError() << "split_size sums to " << total << " but input dim "
                         << *axis << " has size " << shape[*axis];
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> starts = getStarts(), ends = getEnds(), steps = getSteps(),
                    axes = getAxes();
  if (ends.size() != starts.size() || steps.size() != starts.size() ||
      axes.size() != starts.size())
    return emitOpError() << "starts, ends, steps and axes must have the same "
                            "length, got "
                         << starts.size() << ", " << ends.size() << ", "
                         << steps.size() << " and " << axes.size();
  if (llvm::is_contained(steps, 0))
    return emitOpError() << "steps must be non-zero, got "
                         << listToString(steps);
  return normalizeUniqueAxes(*this, axes, getInput().getType().getRank());
}

LogicalResult PermuteOp::verify() {
  ArrayRef<int64_t> order = getOrder();
  int64_t rank = getInput().getType().getRank();
  if (static_cast<int64_t>(order.size()) != rank)
    return emitOpError() << "order must have " << rank
                         << " entries (the input rank), got " << order.size();
  SmallVector<bool> used(rank, false);
  for (int64_t d : order) {
    if (d < 0 || d >= rank || used[d])
      return emitOpError() << "order " << listToString(order)
                           << " is not a permutation of [0, " << rank << ")";
    used[d] = true;
  }
  return success();
}

LogicalResult TileOp::verify() {
  ArrayRef<int64_t> repeats = getRepeats();
  int64_t rank = getInput().getType().getRank();
  if (failed(
          checkCount(*this, "repeats", repeats, rank, "(one per input dim)")) ||
      failed(checkAllAtLeast(*this, "repeats", repeats, 1)))
    return failure();
  return success();
}

LogicalResult PadOp::verify() {
  ArrayRef<int64_t> paddings = getPaddings();
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  size_t rank = shape.size();
  if (paddings.size() != 2 * rank)
    return emitOpError() << "paddings must have " << 2 * rank
                         << " entries (begin and end pads of each of the "
                         << rank << " dims), got " << paddings.size();
  if (getMode() != "reflect")
    return success();
  // Reflection mirrors without repeating the border element.
  for (size_t d = 0; d < rank; ++d)
    for (int64_t pad : {paddings[d], paddings[d + rank]})
      if (isKnown(shape[d]) && pad >= shape[d])
        return emitOpError() << "reflect padding of dim " << d
                             << " must be smaller than its size " << shape[d]
                             << ", got " << pad;
  return success();
}

LogicalResult UpsampleOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank < 2)
    return emitOpError() << "input must have rank >= 2 (the last two dims are "
                            "scaled), got rank "
                         << rank;
  auto scaleH = static_cast<int64_t>(getScaleH());
  auto scaleW = static_cast<int64_t>(getScaleW());
  if (scaleH <= 0 || scaleW <= 0)
    return emitOpError() << "scales must be positive, got scale_h = " << scaleH
                         << " and scale_w = " << scaleW;
  return success();
}

LogicalResult InterpOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank < 2)
    return emitOpError() << "input must have rank >= 2 (the last two dims are "
                            "resized), got rank "
                         << rank;
  double scaleH = getScaleH().convertToDouble();
  double scaleW = getScaleW().convertToDouble();
  if (!(scaleH > 0 && scaleW > 0) || !std::isfinite(scaleH) ||
      !std::isfinite(scaleW))
    return emitOpError() << "scales must be positive, got scale_h = "
                         << numberToString(scaleH)
                         << " and scale_w = " << numberToString(scaleW);
  if (getNearestMode() && getMode() != "nearest")
    return emitOpError() << "nearest_mode applies to mode 'nearest' only, "
                            "got mode '"
                         << getMode() << "'";
  return success();
}

LogicalResult Depth2SpaceOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (shape.size() != 4)
    return emitOpError() << "input must have rank 4 (N, C, H, W), got rank "
                         << shape.size();
  auto blockH = static_cast<int64_t>(getBlockH());
  auto blockW = static_cast<int64_t>(getBlockW());
  if (blockH <= 0 || blockW <= 0)
    return emitOpError() << "block sizes must be positive, got block_h = "
                         << blockH << " and block_w = " << blockW;
  if (!getIsInversed()) {
    if (isKnown(shape[1]) && shape[1] % (blockH * blockW) != 0)
      return emitOpError() << "input channels (" << shape[1]
                           << ") must be divisible by block_h * block_w ("
                           << blockH * blockW << ")";
    return success();
  }
  if (isKnown(shape[2]) && shape[2] % blockH != 0)
    return emitOpError() << "input height (" << shape[2]
                         << ") must be divisible by block_h (" << blockH << ")";
  if (isKnown(shape[3]) && shape[3] % blockW != 0)
    return emitOpError() << "input width (" << shape[3]
                         << ") must be divisible by block_w (" << blockW << ")";
  return success();
}

LogicalResult GatherOp::verify() {
  return normalizeAxis(*this, static_cast<int64_t>(getAxis()),
                       getInput().getType().getRank());
}
