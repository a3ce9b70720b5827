//===- NNKernels.cpp - Conv, Deconv and MatMul reference kernels ----------===//
//
// Float reference kernels built on oneDNN. Tensors stay in the interpreter's
// plain row-major layout; sources and weights are reordered into whatever
// blocked layout oneDNN prefers for each primitive, since the reorders cost
// far less than running convolutions on plain layouts.
//
//===----------------------------------------------------------------------===//

#include "DnnlUtils.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Broadcast.h"
#include "tpuc/Interpreter/Kernel.h"

#include <algorithm>
#include <map>

using namespace mlir;
using namespace dnnl;
using namespace tpuc::dnnl_utils;

namespace tpuc {
namespace {

//===----------------------------------------------------------------------===//
// Convolution geometry
//===----------------------------------------------------------------------===//

/// Spatial attributes of a Conv/Deconv, one entry per spatial dim.
struct WindowParams {
  llvm::SmallVector<int64_t, 2> kernel, strides, dilations, padBegin, padEnd;
};

/// Validates the spatial attributes for an input of `inputRank` (3 for 1-D,
/// 4 for 2-D). Empty `dilations`/`pads` mean 1s/0s.
FailureOr<WindowParams> parseWindowParams(Operation *op, int64_t inputRank,
                                          ArrayRef<int64_t> kernel,
                                          ArrayRef<int64_t> strides,
                                          ArrayRef<int64_t> pads,
                                          ArrayRef<int64_t> dilations) {
  if (inputRank != 3 && inputRank != 4)
    return op->emitOpError()
           << "supports 1-D and 2-D inputs only, got rank " << inputRank;
  size_t spatial = inputRank - 2;
  if (kernel.size() != spatial || strides.size() != spatial ||
      (!dilations.empty() && dilations.size() != spatial) ||
      (!pads.empty() && pads.size() != 2 * spatial))
    return op->emitOpError()
           << "kernel_shape/strides/dilations/pads do not match the " << spatial
           << "-D input";
  WindowParams params;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t dilation = dilations.empty() ? 1 : dilations[i];
    int64_t begin = pads.empty() ? 0 : pads[i];
    int64_t end = pads.empty() ? 0 : pads[spatial + i];
    if (kernel[i] <= 0 || strides[i] <= 0 || dilation <= 0 || begin < 0 ||
        end < 0)
      return op->emitOpError()
             << "needs positive kernel_shape/strides/dilations and "
                "non-negative pads";
    params.kernel.push_back(kernel[i]);
    params.strides.push_back(strides[i]);
    params.dilations.push_back(dilation);
    params.padBegin.push_back(begin);
    params.padEnd.push_back(end);
  }
  return params;
}

/// oneDNN counts dilation from 0 (no dilation).
memory::dims dnnlDilations(const WindowParams &params) {
  memory::dims dims;
  for (int64_t d : params.dilations)
    dims.push_back(d - 1);
  return dims;
}

void addWindowKey(PrimitiveKey &key, const WindowParams &params) {
  key.add(params.kernel)
      .add(params.strides)
      .add(params.dilations)
      .add(params.padBegin)
      .add(params.padEnd);
}

/// Filters of constant weights in a primitive's layout, per thread (as the
/// primitives are), by (interpreter, tensor) and layout.
struct ReorderedWeights {
  struct Entry {
    memory::desc layout;
    memory reordered;
  };
  std::map<std::pair<uint64_t, const Tensor *>, std::vector<Entry>> entries;
  size_t bytes = 0;
};
// Bounded so that a process running many models does not grow forever.
constexpr size_t kMaxReorderedBytes = size_t(512) << 20;

/// `weights` in `layout`: reordered once per (owner, tensor, layout) when
/// the tensor is a constant of interpreter `owner` (nonzero).
memory weightsInLayout(const memory &weights, const memory::desc &layout,
                       uint64_t owner, const Tensor *tensor) {
  if (!owner || weights.get_desc() == layout)
    return toLayout(weights, layout);
  thread_local ReorderedWeights cache;
  std::vector<ReorderedWeights::Entry> &list = cache.entries[{owner, tensor}];
  for (const ReorderedWeights::Entry &entry : list)
    if (entry.layout == layout)
      return entry.reordered;
  memory reordered = toLayout(weights, layout);
  if (cache.bytes + layout.get_size() > kMaxReorderedBytes) {
    cache.entries.clear();
    cache.bytes = 0;
    return reordered;
  }
  cache.bytes += layout.get_size();
  list.push_back({layout, reordered});
  return reordered;
}

/// Runs a conv/deconv primitive on plain user buffers. `weights` is a
/// memory in the user's layout (possibly strided); `dst` is plain.
/// `weightsOwner` and `filter` name a constant filter (KernelArgs) whose
/// reorder may be reused; owner 0 reorders every time.
void executeWindowPrimitive(const CachedPrimitive &cached, const memory &src,
                            const memory &weights, const Tensor *bias,
                            const memory &dst, uint64_t weightsOwner = 0,
                            const Tensor *filter = nullptr) {
  memory srcMem = toLayout(src, cached.srcDesc);
  memory weightsMem =
      weightsInLayout(weights, cached.weightsDesc, weightsOwner, filter);
  bool dstPlain = dst.get_desc() == cached.dstDesc;
  memory dstMem = dstPlain ? dst : memory(cached.dstDesc, cpuEngine());
  std::unordered_map<int, memory> argMap = {{DNNL_ARG_SRC, srcMem},
                                            {DNNL_ARG_WEIGHTS, weightsMem},
                                            {DNNL_ARG_DST, dstMem}};
  if (bias)
    argMap.emplace(DNNL_ARG_BIAS,
                   wrap(plainDesc({bias->numel()}), bias->ptr()));
  cached.primitive.execute(cpuStream(), argMap);
  if (!dstPlain)
    reorderInto(dstMem, dst);
  cpuStream().wait();
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

FailureOr<ConvPlan> planConvOp(Operation *op, const ConvAttrs &attrs,
                               ArrayRef<int64_t> inputShape,
                               ArrayRef<int64_t> filterShape, int64_t biasCount,
                               ArrayRef<int64_t> outputShape,
                               ArrayRef<EltwisePostOp> extra) {
  int64_t rank = static_cast<int64_t>(inputShape.size());
  auto params = parseWindowParams(op, rank, attrs.kernel, attrs.strides,
                                  attrs.pads, attrs.dilations);
  if (failed(params))
    return failure();
  int64_t group = attrs.group;
  int64_t inChannels = inputShape[1];
  int64_t outChannels = filterShape.empty() ? 0 : filterShape[0];
  if (filterShape.size() != inputShape.size())
    return op->emitOpError()
           << "filter " << top::shapeToString(filterShape)
           << " does not fit input " << top::shapeToString(inputShape)
           << " with group " << group;
  if (group <= 0 || inChannels % group || outChannels % group)
    return op->emitOpError()
           << "group " << group << " does not divide " << inChannels
           << " input and " << outChannels << " output channels";
  if (filterShape[1] != inChannels / group)
    return op->emitOpError()
           << "filter " << top::shapeToString(filterShape)
           << " does not fit input " << top::shapeToString(inputShape)
           << " with group " << group;
  if (biasCount >= 0 && biasCount != outChannels)
    return op->emitOpError()
           << "bias has " << biasCount << " elements, expected " << outChannels;
  int64_t spatial = rank - 2;
  llvm::SmallVector<int64_t, 4> expected = {inputShape[0], outChannels};
  for (int64_t i = 0; i < spatial; ++i) {
    if (filterShape[2 + i] != params->kernel[i])
      return op->emitOpError() << "filter " << top::shapeToString(filterShape)
                               << " does not match kernel_shape";
    int64_t extent = params->dilations[i] * (params->kernel[i] - 1) + 1;
    int64_t padded =
        inputShape[2 + i] + params->padBegin[i] + params->padEnd[i];
    expected.push_back(
        padded < extent ? 0 : (padded - extent) / params->strides[i] + 1);
  }
  if (ArrayRef<int64_t>(expected) != outputShape)
    return op->emitOpError()
           << "result shape " << top::shapeToString(outputShape)
           << " differs from the computed " << top::shapeToString(expected);

  // oneDNN's grouped weights are [g, oc/g, ic/g, k...]: the same bytes as our
  // [oc, ic/g, k...] filter.
  ConvPlan plan;
  plan.outChannels = outChannels;
  if (group > 1)
    plan.weightDims = {group, outChannels / group, inChannels / group};
  else
    plan.weightDims = {outChannels, inChannels};
  plan.weightDims.append(params->kernel.begin(), params->kernel.end());
  if (Tensor::numelOf(outputShape) == 0)
    return plan;

  bool doRelu = attrs.doRelu;
  double reluLimit = attrs.reluLimit;
  PrimitiveKey key("conv");
  key.add(inputShape).add(plan.weightDims).add(int64_t(biasCount >= 0));
  addWindowKey(key, *params);
  key.add(int64_t(doRelu)).add(reluLimit);
  addPostOpsKey(key, extra);
  plan.cached = getOrCreatePrimitive(key, [&] {
    memory::desc srcDesc = anyDesc(inputShape);
    memory::desc weightsDesc = anyDesc(plan.weightDims);
    memory::desc dstDesc = anyDesc(outputShape);
    memory::dims strides = toDims(params->strides);
    memory::dims dilations = dnnlDilations(*params);
    memory::dims padL = toDims(params->padBegin);
    memory::dims padR = toDims(params->padEnd);
    auto desc =
        biasCount >= 0
            ? convolution_forward::desc(prop_kind::forward_inference,
                                        algorithm::convolution_direct, srcDesc,
                                        weightsDesc, plainDesc({outChannels}),
                                        dstDesc, strides, dilations, padL, padR)
            : convolution_forward::desc(prop_kind::forward_inference,
                                        algorithm::convolution_direct, srcDesc,
                                        weightsDesc, dstDesc, strides,
                                        dilations, padL, padR);
    convolution_forward::primitive_desc pd(
        desc, postOpsAttr(doRelu, reluLimit, extra), cpuEngine());
    return CachedPrimitive{convolution_forward(pd), pd.src_desc(),
                           pd.weights_desc(), pd.dst_desc()};
  });
  if (!plan.cached.primitive)
    return op->emitOpError() << "has no oneDNN implementation for this shape";
  return plan;
}

LogicalResult runConv(top::ConvOp op, KernelArgs &args) {
  if (!args.has(0) || !args.has(1))
    return op.emitOpError("expects tensor input and filter");
  const Tensor &input = args.in(0);
  const Tensor &filter = args.in(1);
  const Tensor *bias = args.has(2) ? args.inputs[2] : nullptr;
  Tensor &output = args.out();
  auto plan = planConvOp(op, getConvAttrs(op), input.shape, filter.shape,
                         bias ? bias->numel() : -1, output.shape, {});
  if (failed(plan))
    return failure();
  if (!plan->cached.primitive)
    return success();
  executeWindowPrimitive(plan->cached,
                         wrap(plainDesc(input.shape), input.ptr()),
                         wrap(plainDesc(plan->weightDims), filter.ptr()), bias,
                         wrap(plainDesc(output.shape), output.ptr()),
                         args.isConstant(1) ? args.weightsOwner : 0, &filter);
  return success();
}

//===----------------------------------------------------------------------===//
// Deconv
//===----------------------------------------------------------------------===//

/// Copies `computed` (plain [n, c, s...]) into the top-left corner of the
/// larger plain `output`; every other output element becomes its channel's
/// bias. Used when output_padding adds positions no input reaches.
void copyWithBiasBorder(const Tensor &computed, const Tensor *bias,
                        Tensor &output) {
  int64_t planes = output.dim(0) * output.dim(1);
  int64_t channels = output.dim(1);
  bool is2D = output.rank() == 4;
  int64_t outH = is2D ? output.dim(2) : 1, outW = output.dim(-1);
  int64_t inH = is2D ? computed.dim(2) : 1, inW = computed.dim(-1);
  for (int64_t p = 0; p < planes; ++p) {
    float fill = bias ? bias->data[p % channels] : 0.0f;
    float *dst = output.ptr() + p * outH * outW;
    const float *src = computed.ptr() + p * inH * inW;
    std::fill(dst, dst + outH * outW, fill);
    for (int64_t h = 0; h < inH; ++h)
      std::copy(src + h * inW, src + (h + 1) * inW, dst + h * outW);
  }
}

LogicalResult runDeconv(top::DeconvOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  const Tensor &filter = args.in(1);
  const Tensor *bias = args.has(2) ? args.inputs[2] : nullptr;
  Tensor &output = args.out();
  auto params =
      parseWindowParams(op, input.rank(), op.getKernelShape(), op.getStrides(),
                        op.getPads(), op.getDilations());
  if (failed(params))
    return failure();
  int64_t spatial = input.rank() - 2;
  llvm::SmallVector<int64_t, 2> outputPadding(spatial, 0);
  if (auto attr = op.getOutputPadding()) {
    if (static_cast<int64_t>(attr->size()) != spatial)
      return op.emitOpError()
             << "output_padding needs " << spatial << " values";
    outputPadding.assign(attr->begin(), attr->end());
  }
  int64_t group = op.getGroup();
  int64_t inChannels = input.dim(1);
  if (group <= 0 || inChannels % group)
    return op.emitOpError() << "group " << group << " does not divide "
                            << inChannels << " input channels";
  if (filter.rank() != input.rank() || filter.dim(0) != inChannels)
    return op.emitOpError()
           << "filter " << top::shapeToString(filter.shape)
           << " does not fit input " << top::shapeToString(input.shape);
  int64_t outChannels = filter.dim(1) * group;
  if (bias && bias->numel() != outChannels)
    return op.emitOpError() << "bias has " << bias->numel()
                            << " elements, expected " << outChannels;

  // Output positions past the last one an input reaches exist only through
  // output_padding. oneDNN rejects (or runs slowly with) the negative end
  // padding that would express them, so those are filled separately.
  llvm::SmallVector<int64_t, 4> expected = {input.dim(0), outChannels};
  llvm::SmallVector<int64_t, 4> computedShape = expected;
  llvm::SmallVector<int64_t, 2> dnnlPadEnd;
  bool needsBorder = false;
  for (int64_t i = 0; i < spatial; ++i) {
    if (filter.dim(2 + i) != params->kernel[i])
      return op.emitOpError() << "filter " << top::shapeToString(filter.shape)
                              << " does not match kernel_shape";
    if (outputPadding[i] < 0)
      return op.emitOpError() << "needs non-negative output_padding";
    int64_t full = (input.dim(2 + i) - 1) * params->strides[i] +
                   params->dilations[i] * (params->kernel[i] - 1) + 1;
    int64_t size =
        full - params->padBegin[i] - params->padEnd[i] + outputPadding[i];
    int64_t padEnd = params->padEnd[i] - outputPadding[i];
    if (padEnd < 0) {
      needsBorder = true;
      padEnd = 0;
    }
    expected.push_back(size);
    computedShape.push_back(full - params->padBegin[i] - padEnd);
    dnnlPadEnd.push_back(padEnd);
  }
  if (ArrayRef<int64_t>(expected) != ArrayRef<int64_t>(output.shape))
    return op.emitOpError()
           << "result shape " << top::shapeToString(output.shape)
           << " differs from the computed " << top::shapeToString(expected);
  if (output.numel() == 0)
    return success();
  if (llvm::any_of(computedShape, [](int64_t d) { return d <= 0; }))
    return op.emitOpError() << "pads leave no computed output";

  // oneDNN wants [g, oc/g, ic/g, k...]; ours is [ic, oc/g, k...] =
  // [g, ic/g, oc/g, k...], so the weights are described with permuted
  // strides and the reorder to oneDNN's layout transposes them.
  int64_t kernelSize = Tensor::numelOf(params->kernel);
  int64_t icPerGroup = inChannels / group, ocPerGroup = outChannels / group;
  llvm::SmallVector<int64_t, 5> weightDims, weightStrides;
  if (group > 1) {
    weightDims = {group, ocPerGroup, icPerGroup};
    weightStrides = {icPerGroup * ocPerGroup * kernelSize, kernelSize,
                     ocPerGroup * kernelSize};
  } else {
    weightDims = {outChannels, inChannels};
    weightStrides = {kernelSize, outChannels * kernelSize};
  }
  weightDims.append(params->kernel.begin(), params->kernel.end());
  if (spatial == 2)
    weightStrides.append({params->kernel[1], 1});
  else
    weightStrides.push_back(1);

  bool doRelu = op.getDoRelu();
  double reluLimit = op.getReluLimit().convertToDouble();
  PrimitiveKey key("deconv");
  key.add(input.shape).add(weightDims).add(int64_t(bias != nullptr));
  addWindowKey(key, *params);
  key.add(dnnlPadEnd).add(int64_t(doRelu)).add(reluLimit);
  CachedPrimitive cached = getOrCreatePrimitive(key, [&] {
    memory::desc srcDesc = anyDesc(input.shape);
    memory::desc weightsDesc = anyDesc(weightDims);
    memory::desc dstDesc = anyDesc(computedShape);
    memory::dims strides = toDims(params->strides);
    memory::dims dilations = dnnlDilations(*params);
    memory::dims padL = toDims(params->padBegin);
    memory::dims padR = toDims(dnnlPadEnd);
    auto desc =
        bias ? deconvolution_forward::desc(prop_kind::forward_inference,
                                           algorithm::deconvolution_direct,
                                           srcDesc, weightsDesc,
                                           plainDesc({outChannels}), dstDesc,
                                           strides, dilations, padL, padR)
             : deconvolution_forward::desc(prop_kind::forward_inference,
                                           algorithm::deconvolution_direct,
                                           srcDesc, weightsDesc, dstDesc,
                                           strides, dilations, padL, padR);
    deconvolution_forward::primitive_desc pd(desc, reluAttr(doRelu, reluLimit),
                                             cpuEngine());
    return CachedPrimitive{deconvolution_forward(pd), pd.src_desc(),
                           pd.weights_desc(), pd.dst_desc()};
  });
  if (!cached.primitive)
    return op.emitOpError() << "has no oneDNN implementation for this shape";
  memory src = wrap(plainDesc(input.shape), input.ptr());
  memory weights = wrap(stridedDesc(weightDims, weightStrides), filter.ptr());
  if (!needsBorder) {
    executeWindowPrimitive(cached, src, weights, bias,
                           wrap(plainDesc(output.shape), output.ptr()));
    return success();
  }
  Tensor computed(computedShape);
  executeWindowPrimitive(cached, src, weights, bias,
                         wrap(plainDesc(computedShape), computed.ptr()));
  copyWithBiasBorder(computed, bias, output);
  // The border holds raw bias; the activation is idempotent on the rest.
  applyRelu(output.ptr(), output.numel(), doRelu, reluLimit);
  return success();
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

/// A MatMul reduced to `batch` products of [m, k] x [k, n] matrices, with
/// each operand's layout given by element strides.
struct MatMulProblem {
  int64_t m = 1, k = 1, n = 1;
  bool leftTransposed = false, rightTransposed = false;
  /// Batch dims of each operand, left-padded with 1s to the output's.
  llvm::SmallVector<int64_t, 4> leftBatch, rightBatch, outBatch;
};

FailureOr<MatMulProblem> analyzeMatMul(top::MatMulOp op, const Tensor &left,
                                       const Tensor &right,
                                       ArrayRef<int64_t> resultShape) {
  if (left.rank() == 0 || right.rank() == 0)
    return op.emitOpError() << "needs operands of rank >= 1";
  MatMulProblem p;
  int64_t leftK, rightK;
  ArrayRef<int64_t> leftBatch, rightBatch;
  if (left.rank() == 1) {
    leftK = left.dim(0);
  } else {
    p.leftTransposed = op.getLeftTranspose();
    p.m = p.leftTransposed ? left.dim(-1) : left.dim(-2);
    leftK = p.leftTransposed ? left.dim(-2) : left.dim(-1);
    leftBatch = ArrayRef<int64_t>(left.shape).drop_back(2);
  }
  if (right.rank() == 1) {
    rightK = right.dim(0);
  } else {
    p.rightTransposed = op.getRightTranspose();
    rightK = p.rightTransposed ? right.dim(-1) : right.dim(-2);
    p.n = p.rightTransposed ? right.dim(-2) : right.dim(-1);
    rightBatch = ArrayRef<int64_t>(right.shape).drop_back(2);
  }
  if (leftK != rightK)
    return op.emitOpError()
           << "contracts " << leftK << " with " << rightK
           << " elements (shapes " << top::shapeToString(left.shape) << ", "
           << top::shapeToString(right.shape) << ")";
  p.k = leftK;
  size_t batchRank = std::max(leftBatch.size(), rightBatch.size());
  p.leftBatch.assign(batchRank - leftBatch.size(), 1);
  p.leftBatch.append(leftBatch.begin(), leftBatch.end());
  p.rightBatch.assign(batchRank - rightBatch.size(), 1);
  p.rightBatch.append(rightBatch.begin(), rightBatch.end());
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t l = p.leftBatch[i], r = p.rightBatch[i];
    if (l != r && l != 1 && r != 1)
      return op.emitOpError() << "cannot broadcast batch dims of "
                              << top::shapeToString(left.shape) << " and "
                              << top::shapeToString(right.shape);
    p.outBatch.push_back(l == 1 ? r : l);
  }
  llvm::SmallVector<int64_t, 6> expected(p.outBatch.begin(), p.outBatch.end());
  if (left.rank() > 1)
    expected.push_back(p.m);
  if (right.rank() > 1)
    expected.push_back(p.n);
  if (ArrayRef<int64_t>(expected) != resultShape)
    return op.emitOpError()
           << "result shape " << top::shapeToString(resultShape)
           << " differs from the computed " << top::shapeToString(expected);
  return p;
}

/// Element offsets of each output batch's matrix inside an operand with
/// (padded) batch dims `batch`; broadcast dims repeat the same matrix.
std::vector<int64_t> batchOffsets(ArrayRef<int64_t> batch,
                                  ArrayRef<int64_t> outBatch,
                                  int64_t matrixSize) {
  int64_t count = Tensor::numelOf(outBatch);
  std::vector<int64_t> offsets(count, 0);
  llvm::SmallVector<int64_t, 4> strides(batch.size(), 0);
  int64_t stride = matrixSize;
  for (int64_t i = static_cast<int64_t>(batch.size()) - 1; i >= 0; --i) {
    strides[i] = batch[i] == 1 ? 0 : stride;
    stride *= batch[i];
  }
  for (int64_t b = 0; b < count; ++b) {
    int64_t rest = b, offset = 0;
    for (int64_t i = static_cast<int64_t>(outBatch.size()) - 1; i >= 0; --i) {
      offset += (rest % outBatch[i]) * strides[i];
      rest /= outBatch[i];
    }
    offsets[b] = offset;
  }
  return offsets;
}

/// Plain loops for the layouts oneDNN's matmul does not take.
void matMulLoops(const MatMulProblem &p, const float *left, const float *right,
                 float *out) {
  std::vector<int64_t> leftOffsets =
      batchOffsets(p.leftBatch, p.outBatch, p.m * p.k);
  std::vector<int64_t> rightOffsets =
      batchOffsets(p.rightBatch, p.outBatch, p.k * p.n);
  int64_t batches = static_cast<int64_t>(leftOffsets.size());
  // Element (row, col) of each operand, honoring the transposes.
  int64_t lRow = p.leftTransposed ? 1 : p.k, lCol = p.leftTransposed ? p.m : 1;
  int64_t rRow = p.rightTransposed ? 1 : p.n,
          rCol = p.rightTransposed ? p.k : 1;
#pragma omp parallel for collapse(2) if (batches * p.m * p.k * p.n > 65536)
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t i = 0; i < p.m; ++i) {
      const float *l = left + leftOffsets[b];
      const float *r = right + rightOffsets[b];
      float *o = out + (b * p.m + i) * p.n;
      std::fill(o, o + p.n, 0.0f);
      for (int64_t kk = 0; kk < p.k; ++kk) {
        float a = l[i * lRow + kk * lCol];
        for (int64_t j = 0; j < p.n; ++j)
          o[j] += a * r[kk * rRow + j * rCol];
      }
    }
  }
}

/// Row-major strides of a [batch..., rows, cols] operand, with the last two
/// swapped when it is stored transposed.
llvm::SmallVector<int64_t, 6> operandStrides(ArrayRef<int64_t> dims,
                                             bool transposed) {
  llvm::SmallVector<int64_t, 6> storedDims(dims);
  size_t r = storedDims.size();
  if (transposed)
    std::swap(storedDims[r - 2], storedDims[r - 1]);
  llvm::SmallVector<int64_t, 6> strides(r, 1);
  for (int64_t i = static_cast<int64_t>(r) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * storedDims[i + 1];
  if (transposed)
    std::swap(strides[r - 2], strides[r - 1]);
  return strides;
}

/// Runs the product with oneDNN; false when it has no implementation.
bool matMulDnnl(const MatMulProblem &p, const float *left, const float *right,
                const float *biasRow, bool doRelu, double reluLimit,
                float *out) {
  // Shape the problem with as few batch dims as possible: a right operand
  // shared by all batches folds the left batches into its rows.
  llvm::SmallVector<int64_t, 6> leftDims, rightDims, outDims;
  int64_t rightBatchCount = Tensor::numelOf(p.rightBatch);
  if (rightBatchCount == 1 && !p.leftTransposed) {
    int64_t rows = Tensor::numelOf(p.outBatch) * p.m;
    leftDims = {rows, p.k};
    rightDims = {p.k, p.n};
    outDims = {rows, p.n};
  } else if (p.leftBatch == p.rightBatch) {
    int64_t batches = Tensor::numelOf(p.outBatch);
    leftDims = {batches, p.m, p.k};
    rightDims = {batches, p.k, p.n};
    outDims = {batches, p.m, p.n};
  } else {
    if (p.outBatch.size() + 2 > DNNL_MAX_NDIMS)
      return false;
    leftDims.assign(p.leftBatch.begin(), p.leftBatch.end());
    leftDims.append({p.m, p.k});
    rightDims.assign(p.rightBatch.begin(), p.rightBatch.end());
    rightDims.append({p.k, p.n});
    outDims.assign(p.outBatch.begin(), p.outBatch.end());
    outDims.append({p.m, p.n});
  }
  llvm::SmallVector<int64_t, 6> biasDims(outDims.size(), 1);
  biasDims.back() = p.n;
  auto leftStrides = operandStrides(leftDims, p.leftTransposed);
  auto rightStrides = operandStrides(rightDims, p.rightTransposed);

  PrimitiveKey key("matmul");
  key.add(leftDims)
      .add(leftStrides)
      .add(rightDims)
      .add(rightStrides)
      .add(int64_t(biasRow != nullptr))
      .add(int64_t(doRelu))
      .add(reluLimit);
  CachedPrimitive cached = getOrCreatePrimitive(key, [&] {
    // Plain layouts: reordering weights into a blocked layout on every run
    // would cost as much as a thin product itself.
    memory::desc leftDesc = stridedDesc(leftDims, leftStrides);
    memory::desc rightDesc = stridedDesc(rightDims, rightStrides);
    memory::desc outDesc = plainDesc(outDims);
    auto desc = biasRow ? matmul::desc(leftDesc, rightDesc, plainDesc(biasDims),
                                       outDesc)
                        : matmul::desc(leftDesc, rightDesc, outDesc);
    matmul::primitive_desc pd(desc, reluAttr(doRelu, reluLimit), cpuEngine());
    return CachedPrimitive{matmul(pd), pd.src_desc(), pd.weights_desc(),
                           pd.dst_desc()};
  });
  if (!cached.primitive)
    return false;
  std::unordered_map<int, memory> argMap = {
      {DNNL_ARG_SRC, wrap(cached.srcDesc, left)},
      {DNNL_ARG_WEIGHTS, wrap(cached.weightsDesc, right)},
      {DNNL_ARG_DST, wrap(cached.dstDesc, out)}};
  if (biasRow)
    argMap.emplace(DNNL_ARG_BIAS, wrap(plainDesc(biasDims), biasRow));
  cached.primitive.execute(cpuStream(), argMap);
  cpuStream().wait();
  return true;
}

LogicalResult runMatMul(top::MatMulOp op, KernelArgs &args) {
  const Tensor &left = args.in(0);
  const Tensor &right = args.in(1);
  const Tensor *bias = args.has(2) ? args.inputs[2] : nullptr;
  Tensor &output = args.out();
  auto problem = analyzeMatMul(op, left, right, output.shape);
  if (failed(problem))
    return failure();
  if (output.numel() == 0)
    return success();

  // A bias along the last dim of a matrix result ([n], [1, n], a scalar)
  // is fused into the product; any other broadcastable bias is added after.
  std::vector<float> biasRow;
  bool biasAfter = false;
  if (bias) {
    if (bias->rank() > output.rank())
      return op.emitOpError() << "bias " << top::shapeToString(bias->shape)
                              << " has a higher rank than the result";
    for (int64_t i = 1; i <= bias->rank(); ++i)
      if (bias->dim(-i) != 1 && bias->dim(-i) != output.dim(-i))
        return op.emitOpError()
               << "bias " << top::shapeToString(bias->shape)
               << " does not broadcast to " << top::shapeToString(output.shape);
    bool rowBias = right.rank() > 1 && bias->numel() == problem->n &&
                   bias->rank() >= 1 && bias->dim(-1) == problem->n;
    if (bias->numel() == 1)
      biasRow.assign(problem->n, bias->data[0]);
    else if (rowBias)
      biasRow = bias->data;
    else
      biasAfter = true;
  }
  bool doRelu = op.getDoRelu();
  double reluLimit = op.getReluLimit().convertToDouble();
  bool fuseEpilogue = !biasAfter;
  // An empty contraction (k == 0) leaves the zero-filled product.
  bool usedDnnl = problem->k > 0 &&
                  matMulDnnl(*problem, left.ptr(), right.ptr(),
                             biasRow.empty() ? nullptr : biasRow.data(),
                             fuseEpilogue && doRelu, reluLimit, output.ptr());
  if (usedDnnl && fuseEpilogue)
    return success();
  if (!usedDnnl) {
    if (problem->k > 0)
      matMulLoops(*problem, left.ptr(), right.ptr(), output.ptr());
    if (!biasRow.empty()) {
      int64_t rows = output.numel() / problem->n;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < problem->n; ++j)
          output.data[r * problem->n + j] += biasRow[j];
    }
  }
  if (biasAfter) {
    BroadcastIndexer biasIndex(bias->shape, output.shape);
    for (int64_t i = 0, e = output.numel(); i < e; ++i)
      output.data[i] += bias->data[biasIndex(i)];
  }
  applyRelu(output.ptr(), output.numel(), doRelu, reluLimit);
  return success();
}

} // namespace

namespace dnnl_utils {

std::optional<EltwisePostOp> activationAsPostOp(Operation *op) {
  // Each matches the op's kernel in ActivationKernels.cpp up to float
  // rounding (the unit tests compare fused with unfused runs).
  if (isa<top::SiLUOp>(op))
    return EltwisePostOp{algorithm::eltwise_swish, 1.0f, 0.0f};
  if (isa<top::SigmoidOp>(op))
    return EltwisePostOp{algorithm::eltwise_logistic, 0.0f, 0.0f};
  if (isa<top::TanhOp>(op))
    return EltwisePostOp{algorithm::eltwise_tanh, 0.0f, 0.0f};
  if (auto relu = dyn_cast<top::ReluOp>(op)) {
    float limit = static_cast<float>(relu.getReluLimit().convertToDouble());
    if (limit < 0.0f)
      return EltwisePostOp{algorithm::eltwise_relu, 0.0f, 0.0f};
    return EltwisePostOp{algorithm::eltwise_clip, 0.0f, limit};
  }
  if (auto leaky = dyn_cast<top::LeakyReluOp>(op))
    return EltwisePostOp{algorithm::eltwise_relu,
                         static_cast<float>(leaky.getAlpha().convertToDouble()),
                         0.0f};
  if (auto clip = dyn_cast<top::ClipOp>(op)) {
    float lo = static_cast<float>(clip.getMin().convertToDouble());
    float hi = static_cast<float>(clip.getMax().convertToDouble());
    // The kernel's min(max(x, lo), hi) is hi everywhere when lo > hi;
    // oneDNN's clip does not promise that.
    if (!(lo <= hi))
      return std::nullopt;
    return EltwisePostOp{algorithm::eltwise_clip, lo, hi};
  }
  return std::nullopt;
}

ConvAttrs getConvAttrs(Operation *op) {
  ConvAttrs attrs;
  auto ints = [&](StringRef name) {
    llvm::SmallVector<int64_t, 2> values;
    if (auto array = op->getAttrOfType<DenseI64ArrayAttr>(name))
      values.assign(array.asArrayRef().begin(), array.asArrayRef().end());
    return values;
  };
  attrs.kernel = ints("kernel_shape");
  attrs.strides = ints("strides");
  attrs.pads = ints("pads");
  attrs.dilations = ints("dilations");
  if (auto group = op->getAttrOfType<IntegerAttr>("group"))
    attrs.group = group.getInt();
  if (auto doRelu = op->getAttrOfType<BoolAttr>("do_relu"))
    attrs.doRelu = doRelu.getValue();
  if (auto limit = op->getAttrOfType<FloatAttr>("relu_limit"))
    attrs.reluLimit = limit.getValueAsDouble();
  return attrs;
}

FailureOr<ConvPlan> planConv(Operation *op, ArrayRef<int64_t> inputShape,
                             ArrayRef<int64_t> filterShape, int64_t biasCount,
                             ArrayRef<int64_t> outputShape,
                             ArrayRef<EltwisePostOp> extra) {
  auto conv = dyn_cast<top::ConvOp>(op);
  if (!conv)
    return op->emitOpError("is not a top.Conv");
  return planConvOp(conv, getConvAttrs(conv), inputShape, filterShape,
                    biasCount, outputShape, extra);
}

FailureOr<ConvPlan> planConvWith(Operation *op, const ConvAttrs &attrs,
                                 ArrayRef<int64_t> inputShape,
                                 ArrayRef<int64_t> filterShape,
                                 int64_t biasCount,
                                 ArrayRef<int64_t> outputShape,
                                 ArrayRef<EltwisePostOp> extra) {
  return planConvOp(op, attrs, inputShape, filterShape, biasCount, outputShape,
                    extra);
}

void executeConv(const ConvPlan &plan, const memory &src, const memory &weights,
                 const float *bias, const memory &dst) {
  std::unordered_map<int, memory> argMap = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (bias)
    argMap.emplace(DNNL_ARG_BIAS, wrap(plainDesc({plan.outChannels}), bias));
  plan.cached.primitive.execute(cpuStream(), argMap);
  cpuStream().wait();
}

} // namespace dnnl_utils

void registerTopNNKernels(KernelRegistry &registry) {
  registry.add<top::ConvOp>(runConv);
  registry.add<top::DeconvOp>(runDeconv);
  registry.add<top::MatMulOp>(runMatMul);
}

} // namespace tpuc
