//===- ShapeKernels.cpp - Float kernels of data movement Top ops ----------===//
//
// Most of these ops read the input through a strided view: the output, seen
// as a (possibly higher-rank) shape, maps each coordinate to an input offset
// with one stride per dim (negative to walk backwards, 0 to repeat). Slice,
// Split, Permute, Expand, Tile and Depth2Space are all such views and share
// copyStridedView(). Every kernel first checks that the result type agrees
// with the operands and attributes, since shape inference may not have run.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Kernel.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;

namespace tpuc {
namespace {

/// Writes the view of `src` with dims `shape` and element strides `strides`
/// into the contiguous `dst`.
void copyStridedView(const float *src, ArrayRef<int64_t> shape,
                     ArrayRef<int64_t> strides, float *dst) {
  int64_t total = Tensor::numelOf(shape);
  if (total == 0)
    return;
  // Drop size-1 dims and merge dims that walk the source as one.
  SmallVector<int64_t, 8> dims, steps;
  for (auto [dim, stride] : llvm::zip(shape, strides)) {
    if (dim == 1)
      continue;
    if (!dims.empty() && steps.back() == stride * dim) {
      dims.back() *= dim;
      steps.back() = stride;
      continue;
    }
    dims.push_back(dim);
    steps.push_back(stride);
  }
  // Pad to two dims: the two innermost are looped directly, so the offset
  // arithmetic per outer index is amortized over a whole plane.
  while (dims.size() < 2) {
    dims.insert(dims.begin(), 1);
    steps.insert(steps.begin(), 0);
  }
  int64_t rank = dims.size();
  int64_t rows = dims[rank - 2], cols = dims[rank - 1];
  int64_t rowStep = steps[rank - 2], colStep = steps[rank - 1];
  int64_t planes = total / (rows * cols);
  // Work items are blocks of rows, so that a single large plane (e.g. a 2-D
  // transpose) is still split across threads. Transposing blocks hold about
  // 16K elements so that each column reads a long contiguous run.
  int64_t rowBlock =
      colStep == 1 ? 16 : std::clamp<int64_t>(16384 / cols, 16, 1024);
  int64_t rowBlocks = (rows + rowBlock - 1) / rowBlock;
#pragma omp parallel for if (total > kParallelThreshold)
  for (int64_t task = 0; task < planes * rowBlocks; ++task) {
    int64_t plane = task / rowBlocks;
    int64_t rowBegin = (task % rowBlocks) * rowBlock;
    int64_t rowEnd = std::min(rowBegin + rowBlock, rows);
    int64_t offset = 0;
    for (int64_t d = rank - 3, rem = plane; d >= 0; --d) {
      offset += (rem % dims[d]) * steps[d];
      rem /= dims[d];
    }
    const float *in = src + offset;
    float *out = dst + plane * rows * cols;
    if (colStep == 1) {
      for (int64_t r = rowBegin; r < rowEnd; ++r)
        std::memcpy(out + r * cols, in + r * rowStep, cols * sizeof(float));
      continue;
    }
    // Column-outer order: for a transpose (rowStep == 1) each column reads
    // one contiguous run of the block's rows while the block's output rows
    // stay in cache, instead of striding through memory for every element
    // (NCHW -> NHWC is this case).
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t r = rowBegin; r < rowEnd; ++r)
        out[r * cols + c] = in[r * rowStep + c * colStep];
  }
}

LogicalResult requireInput(Operation *op, const KernelArgs &args,
                           unsigned i = 0) {
  if (!args.has(i))
    return op->emitOpError() << "operand " << i << " must be a tensor";
  return success();
}

LogicalResult checkResultShape(Operation *op, ArrayRef<int64_t> expected,
                               ArrayRef<int64_t> actual, unsigned index = 0) {
  if (expected == actual)
    return success();
  return op->emitOpError() << "result " << index << " has shape "
                           << top::shapeToString(actual) << " but expected "
                           << top::shapeToString(expected);
}

/// Reshape, Flatten, Squeeze, Unsqueeze: the data is unchanged.
LogicalResult runCopy(Operation *op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  if (in.numel() != out.numel())
    return op->emitOpError()
           << "result shape " << top::shapeToString(out.shape)
           << " has a different element count than the input shape "
           << top::shapeToString(in.shape);
  std::copy(in.data.begin(), in.data.end(), out.data.begin());
  return success();
}

LogicalResult runConcat(top::ConcatOp op, KernelArgs &args) {
  Tensor &out = args.out();
  auto axis =
      top::normalizeAxis(op, static_cast<int64_t>(op.getAxis()), out.rank());
  if (failed(axis))
    return failure();
  int64_t axisTotal = 0;
  for (unsigned i = 0; i < args.inputs.size(); ++i) {
    if (failed(requireInput(op, args, i)))
      return failure();
    const Tensor &in = args.in(i);
    bool compatible = in.rank() == out.rank();
    for (int64_t d = 0; compatible && d < in.rank(); ++d)
      compatible = d == *axis || in.shape[d] == out.shape[d];
    if (!compatible)
      return op.emitOpError()
             << "input " << i << " of shape " << top::shapeToString(in.shape)
             << " cannot be joined along axis " << *axis
             << " into the result shape " << top::shapeToString(out.shape);
    axisTotal += in.shape[*axis];
  }
  if (axisTotal != out.shape[*axis])
    return op.emitOpError()
           << "inputs have " << axisTotal << " elements along axis " << *axis
           << " but the result has " << out.shape[*axis];

  int64_t outer =
      Tensor::numelOf(ArrayRef<int64_t>(out.shape).take_front(*axis));
  int64_t outBlock = outer == 0 ? 0 : out.numel() / outer;
  int64_t offset = 0;
  for (const Tensor *in : args.inputs) {
    int64_t block = outer == 0 ? 0 : in->numel() / outer;
    const float *src = in->ptr();
    float *dst = out.ptr() + offset;
#pragma omp parallel for if (in->numel() > kParallelThreshold)
    for (int64_t o = 0; o < outer; ++o)
      std::copy(src + o * block, src + (o + 1) * block, dst + o * outBlock);
    offset += block;
  }

  if (op.getDoRelu()) {
    float limit = static_cast<float>(op.getReluLimit().convertToDouble());
    float *o = out.ptr();
    int64_t n = out.numel();
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i) {
      float v = o[i] < 0.0f ? 0.0f : o[i];
      o[i] = limit >= 0.0f && v > limit ? limit : v;
    }
  }
  return success();
}

LogicalResult runSplit(top::SplitOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  auto axis =
      top::normalizeAxis(op, static_cast<int64_t>(op.getAxis()), in.rank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> sizes = op.getSplitSize();
  if (sizes.size() != args.outputs.size())
    return op.emitOpError() << "has " << sizes.size() << " split sizes but "
                            << args.outputs.size() << " results";
  auto strides = stridesOf(in.shape);
  int64_t start = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size < 0 || start + size > in.shape[*axis])
      return op.emitOpError()
             << "split sizes do not fit the " << in.shape[*axis]
             << " elements along axis " << *axis;
    SmallVector<int64_t, 4> shape(in.shape.begin(), in.shape.end());
    shape[*axis] = size;
    if (failed(checkResultShape(op, shape, args.out(i).shape, i)))
      return failure();
    copyStridedView(in.ptr() + start * strides[*axis], shape, strides,
                    args.out(i).ptr());
    start += size;
  }
  if (start != in.shape[*axis])
    return op.emitOpError()
           << "split sizes sum to " << start << " but axis " << *axis << " has "
           << in.shape[*axis] << " elements";
  return success();
}

LogicalResult runSlice(top::SliceOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  ArrayRef<int64_t> starts = op.getStarts(), ends = op.getEnds(),
                    steps = op.getSteps(), axes = op.getAxes();
  size_t count = starts.size();
  // As in ONNX, absent axes mean the leading dims and absent steps mean 1.
  if (ends.size() != count || (!steps.empty() && steps.size() != count) ||
      (!axes.empty() && axes.size() != count))
    return op.emitOpError("starts, ends, steps and axes differ in length");
  if (axes.empty() && count > static_cast<size_t>(in.rank()))
    return op.emitOpError()
           << "has " << count << " starts for rank " << in.rank();

  auto inStrides = stridesOf(in.shape);
  SmallVector<int64_t, 4> shape(in.shape.begin(), in.shape.end());
  SmallVector<int64_t, 4> strides(inStrides.begin(), inStrides.end());
  SmallVector<bool, 4> seen(in.rank(), false);
  int64_t base = 0;
  for (size_t i = 0; i < count; ++i) {
    auto axis = top::normalizeAxis(op, axes.empty() ? i : axes[i], in.rank());
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return op.emitOpError() << "slices axis " << *axis << " twice";
    seen[*axis] = true;
    int64_t step = steps.empty() ? 1 : steps[i];
    if (step == 0)
      return op.emitOpError() << "has step 0 on axis " << *axis;
    int64_t dim = in.shape[*axis];
    int64_t start = starts[i], end = ends[i];
    // Python's slice.indices(): negative bounds count from the end, then
    // clamp to [0, dim] walking forwards or [-1, dim - 1] walking backwards.
    // (ONNX clamps a backward start below -dim to 0 instead of -1, taking
    // one element where Python takes none; shape inference follows Python.)
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    // Steps longer than the dim take at most one element; capping them
    // keeps the arithmetic below from overflowing.
    int64_t stride = std::clamp<int64_t>(step, -std::max<int64_t>(dim, 1),
                                         std::max<int64_t>(dim, 1));
    int64_t size = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      if (end > start)
        size = 1 + (end - start - 1) / stride;
    } else if (dim > 0) {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      if (start > end)
        size = 1 + (start - end - 1) / -stride;
    }
    shape[*axis] = size;
    if (size > 0)
      base += start * inStrides[*axis];
    strides[*axis] = stride * inStrides[*axis];
  }
  if (failed(checkResultShape(op, shape, args.out().shape)))
    return failure();
  copyStridedView(in.ptr() + base, shape, strides, args.out().ptr());
  return success();
}

LogicalResult runPermute(top::PermuteOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  ArrayRef<int64_t> order = op.getOrder();
  if (static_cast<int64_t>(order.size()) != in.rank())
    return op.emitOpError()
           << "order has " << order.size() << " entries for rank " << in.rank();
  auto inStrides = stridesOf(in.shape);
  SmallVector<bool, 4> used(in.rank(), false);
  SmallVector<int64_t, 4> shape, strides;
  for (int64_t src : order) {
    if (src < 0 || src >= in.rank() || used[src])
      return op.emitOpError("order is not a permutation of the input dims");
    used[src] = true;
    shape.push_back(in.shape[src]);
    strides.push_back(inStrides[src]);
  }
  if (failed(checkResultShape(op, shape, args.out().shape)))
    return failure();
  copyStridedView(in.ptr(), shape, strides, args.out().ptr());
  return success();
}

/// Strides that read `inShape` broadcast (numpy rules) to `outShape`, or
/// failure when it does not broadcast.
FailureOr<SmallVector<int64_t, 4>>
broadcastStrides(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape) {
  int64_t inRank = inShape.size(), outRank = outShape.size();
  SmallVector<int64_t, 4> strides(outRank, 0);
  auto inStrides = stridesOf(inShape);
  for (int64_t i = 1; i <= inRank; ++i) {
    int64_t dim = inShape[inRank - i];
    if (i > outRank) {
      if (dim != 1)
        return failure();
      continue;
    }
    int64_t outDim = outShape[outRank - i];
    if (dim == outDim && dim != 1)
      strides[outRank - i] = inStrides[inRank - i];
    else if (dim != 1)
      return failure();
  }
  return strides;
}

LogicalResult runExpand(top::ExpandOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  auto shape = top::broadcastShapes(op, in.shape, op.getShape());
  if (failed(shape) || failed(checkResultShape(op, *shape, args.out().shape)))
    return failure();
  auto strides = broadcastStrides(in.shape, *shape);
  if (failed(strides))
    return op.emitOpError()
           << "input shape " << top::shapeToString(in.shape)
           << " does not broadcast to " << top::shapeToString(*shape);
  copyStridedView(in.ptr(), *shape, *strides, args.out().ptr());
  return success();
}

LogicalResult runTile(top::TileOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  ArrayRef<int64_t> repeats = op.getRepeats();
  if (static_cast<int64_t>(repeats.size()) != in.rank())
    return op.emitOpError()
           << "has " << repeats.size() << " repeats for rank " << in.rank();
  // Output dim i of size repeats[i] * dim[i] is the view [repeats[i], dim[i]]
  // whose outer part does not move in the input.
  auto inStrides = stridesOf(in.shape);
  SmallVector<int64_t, 4> outShape, viewShape, viewStrides;
  for (int64_t d = 0; d < in.rank(); ++d) {
    if (repeats[d] < 0)
      return op.emitOpError() << "has negative repeat " << repeats[d];
    outShape.push_back(repeats[d] * in.shape[d]);
    viewShape.append({repeats[d], in.shape[d]});
    viewStrides.append({0, inStrides[d]});
  }
  if (failed(checkResultShape(op, outShape, args.out().shape)))
    return failure();
  copyStridedView(in.ptr(), viewShape, viewStrides, args.out().ptr());
  return success();
}

LogicalResult runDepth2Space(top::Depth2SpaceOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  if (in.rank() != 4)
    return op.emitOpError()
           << "expects a 4-D input, got " << top::shapeToString(in.shape);
  int64_t bh = static_cast<int64_t>(op.getBlockH());
  int64_t bw = static_cast<int64_t>(op.getBlockW());
  if (bh <= 0 || bw <= 0)
    return op.emitOpError()
           << "has non-positive block size " << bh << "x" << bw;
  int64_t n = in.shape[0], c = in.shape[1], h = in.shape[2], w = in.shape[3];
  int64_t sN = c * h * w, sC = h * w, sH = w;
  bool crd = op.getIs_CRD();
  SmallVector<int64_t, 4> outShape;
  SmallVector<int64_t, 6> viewShape, viewStrides;
  if (!op.getIsInversed()) {
    if (c % (bh * bw) != 0)
      return op.emitOpError()
             << "channels " << c << " are not divisible by the block " << bh
             << "x" << bw;
    int64_t oc = c / (bh * bw);
    outShape = {n, oc, h * bh, w * bw};
    // Output [n, oc, h, i, w, j] reads input channel (i*bw+j)*oc + c (DCR)
    // or c*bh*bw + i*bw + j (CRD) at (h, w).
    viewShape = {n, oc, h, bh, w, bw};
    if (crd)
      viewStrides = {sN, bh * bw * sC, sH, bw * sC, 1, sC};
    else
      viewStrides = {sN, sC, sH, bw * oc * sC, 1, oc * sC};
  } else {
    if (h % bh != 0 || w % bw != 0)
      return op.emitOpError()
             << "spatial dims " << h << "x" << w
             << " are not divisible by the block " << bh << "x" << bw;
    int64_t oh = h / bh, ow = w / bw;
    outShape = {n, c * bh * bw, oh, ow};
    // Output channel (i*bw+j)*c + c' (DCR, as ONNX SpaceToDepth) or
    // c'*bh*bw + i*bw + j (CRD) at (y, x) reads input (c', y*bh+i, x*bw+j).
    if (crd) {
      viewShape = {n, c, bh, bw, oh, ow};
      viewStrides = {sN, sC, sH, 1, bh * sH, bw};
    } else {
      viewShape = {n, bh, bw, c, oh, ow};
      viewStrides = {sN, sH, 1, sC, bh * sH, bw};
    }
  }
  if (failed(checkResultShape(op, outShape, args.out().shape)))
    return failure();
  copyStridedView(in.ptr(), viewShape, viewStrides, args.out().ptr());
  return success();
}

enum class PadMode { Constant, Reflect, Edge };

LogicalResult runPad(top::PadOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  int64_t rank = in.rank();
  ArrayRef<int64_t> pads = op.getPaddings();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return op.emitOpError() << "has " << pads.size() << " paddings for rank "
                            << rank << "; expected " << 2 * rank;
  auto mode = llvm::StringSwitch<std::optional<PadMode>>(op.getMode())
                  .Case("constant", PadMode::Constant)
                  .Case("reflect", PadMode::Reflect)
                  .Case("edge", PadMode::Edge)
                  .Default(std::nullopt);
  if (!mode)
    return op.emitOpError() << "has unknown pad mode '" << op.getMode() << "'";

  SmallVector<int64_t, 4> outShape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = in.shape[d] + pads[d] + pads[d + rank];
    if (size < 0)
      return op.emitOpError()
             << "paddings crop more than dim " << d << " holds";
    if (*mode != PadMode::Constant && in.shape[d] == 0 && size > 0)
      return op.emitOpError() << "cannot pad empty dim " << d << " in "
                              << op.getMode() << " mode";
    outShape.push_back(size);
  }
  if (failed(checkResultShape(op, outShape, out.shape)))
    return failure();
  if (out.numel() == 0)
    return success();
  if (rank == 0) {
    out.data[0] = in.data[0];
    return success();
  }

  // Source index along each dim for every output position, -1 for the
  // constant fill.
  auto inStrides = stridesOf(in.shape);
  SmallVector<std::vector<int64_t>, 4> sourceIndex(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = in.shape[d];
    for (int64_t o = 0; o < outShape[d]; ++o) {
      int64_t i = o - pads[d];
      if (*mode == PadMode::Constant) {
        if (i < 0 || i >= dim)
          i = -1;
      } else if (*mode == PadMode::Edge) {
        i = std::clamp<int64_t>(i, 0, dim - 1);
      } else if (dim == 1) {
        i = 0;
      } else {
        // Reflection without repeating the edge is periodic in 2*(dim-1);
        // this also covers pads wider than the dim, as numpy does.
        int64_t period = 2 * (dim - 1);
        i = ((i % period) + period) % period;
        if (i >= dim)
          i = period - i;
      }
      sourceIndex[d].push_back(i);
    }
  }

  float fill = static_cast<float>(op.getVal().convertToDouble());
  int64_t cols = outShape[rank - 1];
  int64_t rows = out.numel() / cols;
  const std::vector<int64_t> &colIndex = sourceIndex[rank - 1];
  const float *src = in.ptr();
  float *dst = out.ptr();
#pragma omp parallel for if (out.numel() > kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t offset = 0;
    bool inside = true;
    for (int64_t d = rank - 2, rem = r; d >= 0; --d) {
      int64_t i = sourceIndex[d][rem % outShape[d]];
      rem /= outShape[d];
      inside &= i >= 0;
      offset += i * inStrides[d];
    }
    float *row = dst + r * cols;
    for (int64_t c = 0; c < cols; ++c)
      row[c] = inside && colIndex[c] >= 0 ? src[offset + colIndex[c]] : fill;
  }
  return success();
}

LogicalResult runGather(top::GatherOp op, KernelArgs &args) {
  if (failed(requireInput(op, args, 0)) || failed(requireInput(op, args, 1)))
    return failure();
  const Tensor &in = args.in(0);
  const Tensor &indices = args.in(1);
  auto axis =
      top::normalizeAxis(op, static_cast<int64_t>(op.getAxis()), in.rank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> inShape = in.shape;
  SmallVector<int64_t, 4> outShape(inShape.take_front(*axis));
  outShape.append(indices.shape.begin(), indices.shape.end());
  outShape.append(inShape.begin() + *axis + 1, inShape.end());
  if (failed(checkResultShape(op, outShape, args.out().shape)))
    return failure();

  int64_t dim = in.shape[*axis];
  std::vector<int64_t> rows;
  rows.reserve(indices.numel());
  for (float value : indices.data) {
    if (!std::isfinite(value) || value != std::trunc(value))
      return op.emitOpError() << "index " << value << " is not an integer";
    // Huge values are out of range and must not be converted to int64.
    if (std::fabs(value) >= 0x1p62f)
      return op.emitOpError()
             << "index " << static_cast<double>(value)
             << " is out of range for axis " << *axis << " of size " << dim;
    int64_t index = static_cast<int64_t>(value);
    int64_t normalized = index < 0 ? index + dim : index;
    if (normalized < 0 || normalized >= dim)
      return op.emitOpError()
             << "index " << index << " is out of range for axis " << *axis
             << " of size " << dim;
    rows.push_back(normalized);
  }

  int64_t outer = Tensor::numelOf(inShape.take_front(*axis));
  int64_t inner = Tensor::numelOf(inShape.drop_front(*axis + 1));
  int64_t count = rows.size();
  const float *src = in.ptr();
  float *dst = args.out().ptr();
#pragma omp parallel for if (args.out().numel() > kParallelThreshold)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k)
      std::copy_n(src + (o * dim + rows[k]) * inner, inner,
                  dst + (o * count + k) * inner);
  return success();
}

enum class ReduceMode { Mean, Max, Min, Sum, Prod, L2 };

LogicalResult runArg(top::ArgOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  auto axis =
      top::normalizeAxis(op, static_cast<int64_t>(op.getAxis()), in.rank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t, 4> outShape;
  for (int64_t d = 0; d < in.rank(); ++d) {
    if (d != *axis)
      outShape.push_back(in.shape[d]);
    else if (op.getKeepdims())
      outShape.push_back(1);
  }
  if (failed(checkResultShape(op, outShape, out.shape)))
    return failure();
  int64_t outer =
      Tensor::numelOf(ArrayRef<int64_t>(in.shape).take_front(*axis));
  int64_t len = in.shape[*axis];
  int64_t inner =
      Tensor::numelOf(ArrayRef<int64_t>(in.shape).drop_front(*axis + 1));
  bool isMax = op.getMode() == "ArgMax";
  bool last = op.getSelectLastIndex();
  const float *src = in.ptr();
  float *dst = out.ptr();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float *base = src + o * len * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < len; ++k) {
        float v = base[k * inner], b = base[best * inner];
        bool better =
            isMax ? (v > b || (last && v == b)) : (v < b || (last && v == b));
        if (better)
          best = k;
      }
      dst[o * inner + i] = static_cast<float>(best);
    }
  }
  return success();
}

LogicalResult runReduce(top::ReduceOp op, KernelArgs &args) {
  if (failed(requireInput(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  auto mode = llvm::StringSwitch<std::optional<ReduceMode>>(op.getMode())
                  .Case("ReduceMean", ReduceMode::Mean)
                  .Case("ReduceMax", ReduceMode::Max)
                  .Case("ReduceMin", ReduceMode::Min)
                  .Case("ReduceSum", ReduceMode::Sum)
                  .Case("ReduceProd", ReduceMode::Prod)
                  .Case("ReduceL2", ReduceMode::L2)
                  .Default(std::nullopt);
  if (!mode)
    return op.emitOpError()
           << "has unknown reduce mode '" << op.getMode() << "'";

  // Empty axes reduce every dim, as ONNX does by default.
  SmallVector<bool, 4> reduced(in.rank(), op.getAxes().empty());
  for (int64_t axis : op.getAxes()) {
    auto norm = top::normalizeAxis(op, axis, in.rank());
    if (failed(norm))
      return failure();
    reduced[*norm] = true;
  }
  auto inStrides = stridesOf(in.shape);
  SmallVector<int64_t, 4> outShape, keptDims, keptStrides, reducedDims,
      reducedStrides;
  for (int64_t d = 0; d < in.rank(); ++d) {
    if (reduced[d]) {
      reducedDims.push_back(in.shape[d]);
      reducedStrides.push_back(inStrides[d]);
      if (op.getKeepdims())
        outShape.push_back(1);
    } else {
      keptDims.push_back(in.shape[d]);
      keptStrides.push_back(inStrides[d]);
      outShape.push_back(in.shape[d]);
    }
  }
  if (failed(checkResultShape(op, outShape, out.shape)))
    return failure();

  // Input offsets of the reduced elements relative to their output's.
  int64_t reduceCount = Tensor::numelOf(reducedDims);
  std::vector<int64_t> reducedOffsets(reduceCount);
  for (int64_t r = 0; r < reduceCount; ++r) {
    int64_t offset = 0;
    for (int64_t d = reducedDims.size() - 1, rem = r; d >= 0; --d) {
      offset += (rem % reducedDims[d]) * reducedStrides[d];
      rem /= reducedDims[d];
    }
    reducedOffsets[r] = offset;
  }

  const float *src = in.ptr();
  float *dst = out.ptr();
  int64_t outCount = out.numel();
  ReduceMode m = *mode;
#pragma omp parallel for if (in.numel() > kParallelThreshold && outCount > 1)
  for (int64_t o = 0; o < outCount; ++o) {
    int64_t base = 0;
    for (int64_t d = keptDims.size() - 1, rem = o; d >= 0; --d) {
      base += (rem % keptDims[d]) * keptStrides[d];
      rem /= keptDims[d];
    }
    const float *x = src + base;
    if (m == ReduceMode::Max || m == ReduceMode::Min) {
      // An empty reduction gives the identity (-inf / +inf), as ONNX does.
      float acc = (m == ReduceMode::Max ? -1.0f : 1.0f) *
                  std::numeric_limits<float>::infinity();
      for (int64_t off : reducedOffsets) {
        float v = x[off];
        if (std::isnan(v) || (m == ReduceMode::Max ? v > acc : v < acc))
          acc = v;
        if (std::isnan(acc))
          break;
      }
      dst[o] = acc;
      continue;
    }
    // Sums accumulate in double so the reference is not limited by the
    // order of float additions.
    double acc = m == ReduceMode::Prod ? 1.0 : 0.0;
    for (int64_t off : reducedOffsets) {
      double v = x[off];
      if (m == ReduceMode::Prod)
        acc *= v;
      else if (m == ReduceMode::L2)
        acc += v * v;
      else
        acc += v;
    }
    if (m == ReduceMode::Mean)
      acc /= static_cast<double>(reduceCount);
    else if (m == ReduceMode::L2)
      acc = std::sqrt(acc);
    dst[o] = static_cast<float>(acc);
  }
  return success();
}

} // namespace

void registerTopShapeKernels(KernelRegistry &registry) {
  registry.add<top::ConcatOp>(runConcat);
  registry.add<top::SplitOp>(runSplit);
  registry.add<top::SliceOp>(runSlice);
  registry.add<top::ReshapeOp>(
      [](top::ReshapeOp op, KernelArgs &args) { return runCopy(op, args); });
  registry.add<top::FlattenOp>(
      [](top::FlattenOp op, KernelArgs &args) { return runCopy(op, args); });
  registry.add<top::SqueezeOp>(
      [](top::SqueezeOp op, KernelArgs &args) { return runCopy(op, args); });
  registry.add<top::UnsqueezeOp>(
      [](top::UnsqueezeOp op, KernelArgs &args) { return runCopy(op, args); });
  registry.add<top::PermuteOp>(runPermute);
  registry.add<top::ExpandOp>(runExpand);
  registry.add<top::TileOp>(runTile);
  registry.add<top::PadOp>(runPad);
  registry.add<top::Depth2SpaceOp>(runDepth2Space);
  registry.add<top::GatherOp>(runGather);
  registry.add<top::ReduceOp>(runReduce);
  registry.add<top::ArgOp>(runArg);
}

} // namespace tpuc
