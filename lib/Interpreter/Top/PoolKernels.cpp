//===- PoolKernels.cpp - Pooling reference kernels ------------------------===//
//
// MaxPool/AvgPool run on oneDNN when its semantics match ONNX exactly and on
// plain loops otherwise: oneDNN can express ceil_mode only as extra end
// padding, which its include-padding average would count in the divisor,
// and it has no notion of windows lying entirely in the padding. Dilated
// max pooling and MaxPoolWithIndices always take the loops.
//
//===----------------------------------------------------------------------===//

#include "DnnlUtils.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Kernel.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace dnnl;
using namespace tpuc::dnnl_utils;

namespace tpuc {
namespace {

/// A 1-D or 2-D pooling over `planes` (batch x channel) planes; 1-D pools
/// are described as 2-D with a height of 1.
struct PoolGeometry {
  int64_t planes = 0;
  int64_t inH = 1, inW = 1, outH = 1, outW = 1;
  int64_t kernelH = 1, kernelW = 1, strideH = 1, strideW = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  int64_t dilationH = 1, dilationW = 1;
  bool is2D = false;

  bool isDilated() const { return dilationH != 1 || dilationW != 1; }
};

/// The dilations of a pooling op, empty when it has none.
ArrayRef<int64_t> poolDilations(top::AvgPoolOp) { return {}; }
template <typename OpT> ArrayRef<int64_t> poolDilations(OpT op) {
  return op.getDilations().value_or(ArrayRef<int64_t>());
}

/// Element ranges of one window along one dim.
struct WindowRange {
  int64_t begin, end;   // clamped to the input
  int64_t paddedExtent; // positions inside input + pads, for the divisor
};

inline WindowRange windowRange(int64_t out, int64_t stride, int64_t kernel,
                               int64_t padBegin, int64_t padEnd, int64_t size) {
  int64_t start = out * stride - padBegin;
  int64_t stop = start + kernel;
  // ceil_mode windows may run past the end padding; ONNX never counts
  // those positions.
  int64_t paddedStop = std::min(stop, size + padEnd);
  return {std::max<int64_t>(start, 0), std::min(stop, size),
          paddedStop - start};
}

template <typename OpT>
FailureOr<PoolGeometry> analyzePool(OpT op, const Tensor &input,
                                    const Tensor &output) {
  int64_t rank = input.rank();
  if (rank != 3 && rank != 4)
    return op.emitOpError()
           << "supports 1-D and 2-D inputs only, got rank " << rank;
  size_t spatial = rank - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    pads = op.getPads(), dilations = poolDilations(op);
  if (kernel.size() != spatial || strides.size() != spatial ||
      (!pads.empty() && pads.size() != 2 * spatial) ||
      (!dilations.empty() && dilations.size() != spatial))
    return op.emitOpError()
           << "kernel_shape/strides/pads/dilations do not match the " << spatial
           << "-D input";
  if (llvm::any_of(dilations, [](int64_t d) { return d <= 0; }))
    return op.emitOpError() << "needs positive dilations";
  if (output.rank() != rank || output.dim(0) != input.dim(0) ||
      output.dim(1) != input.dim(1))
    return op.emitOpError()
           << "result shape " << top::shapeToString(output.shape)
           << " does not fit input " << top::shapeToString(input.shape);
  for (size_t i = 0; i < spatial; ++i)
    if (kernel[i] <= 0 || strides[i] <= 0 ||
        (!pads.empty() && (pads[i] < 0 || pads[spatial + i] < 0)))
      return op.emitOpError() << "needs positive kernel_shape/strides and "
                                 "non-negative pads";
  PoolGeometry g;
  g.planes = input.dim(0) * input.dim(1);
  g.is2D = spatial == 2;
  g.inW = input.dim(-1);
  g.outW = output.dim(-1);
  g.kernelW = kernel.back();
  g.strideW = strides.back();
  if (!dilations.empty())
    g.dilationW = dilations.back();
  if (!pads.empty()) {
    g.padLeft = pads[spatial - 1];
    g.padRight = pads.back();
  }
  if (g.is2D) {
    g.inH = input.dim(2);
    g.outH = output.dim(2);
    g.kernelH = kernel[0];
    g.strideH = strides[0];
    if (!dilations.empty())
      g.dilationH = dilations[0];
    if (!pads.empty()) {
      g.padTop = pads[0];
      g.padBottom = pads[2];
    }
  }
  return g;
}

void poolLoops(const PoolGeometry &g, bool isMax, bool countIncludePad,
               const float *input, float *output) {
  int64_t inPlane = g.inH * g.inW, outPlane = g.outH * g.outW;
#pragma omp parallel for if (g.planes * outPlane > 16384)
  for (int64_t p = 0; p < g.planes; ++p) {
    const float *in = input + p * inPlane;
    float *out = output + p * outPlane;
    for (int64_t oh = 0; oh < g.outH; ++oh) {
      WindowRange rows =
          windowRange(oh, g.strideH, g.kernelH, g.padTop, g.padBottom, g.inH);
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        WindowRange cols =
            windowRange(ow, g.strideW, g.kernelW, g.padLeft, g.padRight, g.inW);
        float &result = out[oh * g.outW + ow];
        if (rows.begin >= rows.end || cols.begin >= cols.end) {
          // A window of padding only: onnxruntime's initial max value, and
          // 0 rather than its 0/0 for averages.
          result = isMax ? std::numeric_limits<float>::lowest() : 0.0f;
          continue;
        }
        if (isMax) {
          float best = std::numeric_limits<float>::lowest();
          for (int64_t h = rows.begin; h < rows.end; ++h)
            for (int64_t w = cols.begin; w < cols.end; ++w)
              best = std::max(best, in[h * g.inW + w]);
          result = best;
          continue;
        }
        float sum = 0.0f;
        for (int64_t h = rows.begin; h < rows.end; ++h)
          for (int64_t w = cols.begin; w < cols.end; ++w)
            sum += in[h * g.inW + w];
        int64_t divisor =
            countIncludePad ? rows.paddedExtent * cols.paddedExtent
                            : (rows.end - rows.begin) * (cols.end - cols.begin);
        result = sum / static_cast<float>(divisor);
      }
    }
  }
}

/// Max pooling with windows whose taps are `dilation` apart, recording in
/// `indices` (when given) where each maximum is as top.MaxPoolWithIndices
/// defines it. The maximum starts from the window's first input element, so
/// a window of -inf gives -inf; later NaNs never win a comparison.
void maxPoolLoops(const PoolGeometry &g, bool columnMajor, const float *input,
                  float *output, float *indices) {
  int64_t inPlane = g.inH * g.inW, outPlane = g.outH * g.outW;
#pragma omp parallel for if (g.planes * outPlane > 16384)
  for (int64_t p = 0; p < g.planes; ++p) {
    const float *in = input + p * inPlane;
    for (int64_t oh = 0; oh < g.outH; ++oh) {
      int64_t firstH = oh * g.strideH - g.padTop;
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        int64_t firstW = ow * g.strideW - g.padLeft;
        float best = std::numeric_limits<float>::lowest();
        int64_t bestH = -1, bestW = -1;
        for (int64_t kh = 0; kh < g.kernelH; ++kh) {
          int64_t h = firstH + kh * g.dilationH;
          if (h < 0 || h >= g.inH)
            continue;
          for (int64_t kw = 0; kw < g.kernelW; ++kw) {
            int64_t w = firstW + kw * g.dilationW;
            if (w < 0 || w >= g.inW)
              continue;
            float v = in[h * g.inW + w];
            if (bestH < 0 || v > best) {
              best = v;
              bestH = h;
              bestW = w;
            }
          }
        }
        int64_t at = p * outPlane + oh * g.outW + ow;
        output[at] = best;
        if (!indices)
          continue;
        int64_t offset =
            columnMajor ? bestW * g.inH + bestH : bestH * g.inW + bestW;
        indices[at] =
            bestH < 0 ? -1.0f : static_cast<float>(p * inPlane + offset);
      }
    }
  }
}

/// The end padding that makes oneDNN's floor output size equal `out`, or
/// -1 when it would change the result (see the file comment).
int64_t dnnlPadEnd(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                   int64_t padBegin, int64_t padEnd, bool extensionChanges) {
  int64_t needed = (out - 1) * stride + kernel;
  int64_t have = in + padBegin + padEnd;
  if (have >= needed + stride)
    return -1; // fewer outputs than a floor division gives: not ONNX's
  int64_t end = padEnd;
  if (have < needed) {
    if (extensionChanges)
      return -1;
    end = needed - in - padBegin;
  }
  // Windows must all reach the input.
  if (padBegin >= kernel || end >= kernel)
    return -1;
  return end;
}

/// Pools with oneDNN; false when its semantics differ for this case.
bool poolDnnl(const PoolGeometry &g, ArrayRef<int64_t> inShape,
              ArrayRef<int64_t> outShape, bool isMax, bool countIncludePad,
              const float *input, float *output) {
  bool extensionChanges = !isMax && countIncludePad;
  int64_t padRight = dnnlPadEnd(g.inW, g.outW, g.kernelW, g.strideW, g.padLeft,
                                g.padRight, extensionChanges);
  int64_t padBottom = dnnlPadEnd(g.inH, g.outH, g.kernelH, g.strideH, g.padTop,
                                 g.padBottom, extensionChanges);
  if (padRight < 0 || padBottom < 0)
    return false;
  llvm::SmallVector<int64_t, 2> kernel = {g.kernelW}, strides = {g.strideW},
                                padL = {g.padLeft}, padR = {padRight};
  if (g.is2D) {
    kernel.insert(kernel.begin(), g.kernelH);
    strides.insert(strides.begin(), g.strideH);
    padL.insert(padL.begin(), g.padTop);
    padR.insert(padR.begin(), padBottom);
  }
  algorithm alg = isMax             ? algorithm::pooling_max
                  : countIncludePad ? algorithm::pooling_avg_include_padding
                                    : algorithm::pooling_avg_exclude_padding;
  PrimitiveKey key("pool");
  key.add(static_cast<int64_t>(alg))
      .add(inShape)
      .add(outShape)
      .add(kernel)
      .add(strides)
      .add(padL)
      .add(padR);
  CachedPrimitive cached = getOrCreatePrimitive(key, [&] {
    // Plain layouts: pooling is memory bound, a reorder would double it.
    pooling_forward::desc desc(prop_kind::forward_inference, alg,
                               plainDesc(inShape), plainDesc(outShape),
                               toDims(strides), toDims(kernel), toDims(padL),
                               toDims(padR));
    pooling_forward::primitive_desc pd(desc, cpuEngine());
    return CachedPrimitive{
        pooling_forward(pd), pd.src_desc(), {}, pd.dst_desc()};
  });
  if (!cached.primitive)
    return false;
  cached.primitive.execute(cpuStream(),
                           {{DNNL_ARG_SRC, wrap(cached.srcDesc, input)},
                            {DNNL_ARG_DST, wrap(cached.dstDesc, output)}});
  cpuStream().wait();
  return true;
}

template <typename OpT>
LogicalResult runPool(OpT op, KernelArgs &args, bool isMax) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  auto geometry = analyzePool(op, input, output);
  if (failed(geometry))
    return failure();
  if (output.numel() == 0)
    return success();
  if (input.numel() == 0)
    return op.emitOpError() << "pools an empty input";
  bool countIncludePad = op.getCountIncludePad();
  if (geometry->isDilated())
    maxPoolLoops(*geometry, /*columnMajor=*/false, input.ptr(), output.ptr(),
                 /*indices=*/nullptr);
  else if (!poolDnnl(*geometry, input.shape, output.shape, isMax,
                     countIncludePad, input.ptr(), output.ptr()))
    poolLoops(*geometry, isMax, countIncludePad, input.ptr(), output.ptr());
  applyRelu(output.ptr(), output.numel(), op.getDoRelu(),
            op.getReluLimit().convertToDouble());
  return success();
}

LogicalResult runMaxPoolWithIndices(top::MaxPoolWithIndicesOp op,
                                    KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out(0);
  Tensor &indices = args.out(1);
  auto geometry = analyzePool(op, input, output);
  if (failed(geometry))
    return failure();
  if (indices.shape != output.shape)
    return op.emitOpError()
           << "indices shape " << top::shapeToString(indices.shape)
           << " differs from the output shape "
           << top::shapeToString(output.shape);
  if (output.numel() == 0)
    return success();
  if (input.numel() == 0)
    return op.emitOpError() << "pools an empty input";
  maxPoolLoops(*geometry, op.getColumnMajor(), input.ptr(), output.ptr(),
               indices.ptr());
  return success();
}

LogicalResult runGlobalAvgPool(top::GlobalAvgPoolOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  if (input.rank() < 2)
    return op.emitOpError() << "needs an input of rank >= 2";
  int64_t planes = input.dim(0) * input.dim(1);
  if (output.numel() != planes)
    return op.emitOpError()
           << "result shape " << top::shapeToString(output.shape)
           << " does not fit input " << top::shapeToString(input.shape);
  if (planes == 0)
    return success();
  int64_t planeSize = input.numel() / planes;
  if (planeSize == 0)
    return op.emitOpError() << "averages an empty input";
#pragma omp parallel for if (input.numel() > 65536)
  for (int64_t p = 0; p < planes; ++p) {
    const float *in = input.ptr() + p * planeSize;
    double sum = 0.0;
    for (int64_t i = 0; i < planeSize; ++i)
      sum += in[i];
    output.data[p] = static_cast<float>(sum / planeSize);
  }
  return success();
}

/// PyTorch's adaptive bins: [floor(i*in/out), ceil((i+1)*in/out)).
inline int64_t binBegin(int64_t i, int64_t in, int64_t out) {
  return (i * in) / out;
}
inline int64_t binEnd(int64_t i, int64_t in, int64_t out) {
  return ((i + 1) * in + out - 1) / out;
}

LogicalResult runAdaptiveAvgPool(top::AdaptiveAvgPoolOp op, KernelArgs &args) {
  const Tensor &input = args.in(0);
  Tensor &output = args.out();
  ArrayRef<int64_t> outputSize = op.getOutputSize();
  int64_t rank = input.rank();
  if ((rank != 3 && rank != 4) ||
      static_cast<int64_t>(outputSize.size()) != rank - 2)
    return op.emitOpError() << "needs a 1-D or 2-D input matching "
                               "output_size, got "
                            << top::shapeToString(input.shape);
  llvm::SmallVector<int64_t, 4> expected = {input.dim(0), input.dim(1)};
  expected.append(outputSize.begin(), outputSize.end());
  if (ArrayRef<int64_t>(expected) != ArrayRef<int64_t>(output.shape))
    return op.emitOpError()
           << "result shape " << top::shapeToString(output.shape)
           << " differs from the computed " << top::shapeToString(expected);
  if (output.numel() == 0)
    return success();
  bool is2D = rank == 4;
  int64_t inH = is2D ? input.dim(2) : 1, inW = input.dim(-1);
  int64_t outH = is2D ? output.dim(2) : 1, outW = output.dim(-1);
  if (inH == 0 || inW == 0)
    return op.emitOpError() << "averages an empty input";
  int64_t planes = input.dim(0) * input.dim(1);
#pragma omp parallel for if (input.numel() > 65536)
  for (int64_t p = 0; p < planes; ++p) {
    const float *in = input.ptr() + p * inH * inW;
    float *out = output.ptr() + p * outH * outW;
    for (int64_t oh = 0; oh < outH; ++oh) {
      int64_t h0 = binBegin(oh, inH, outH), h1 = binEnd(oh, inH, outH);
      for (int64_t ow = 0; ow < outW; ++ow) {
        int64_t w0 = binBegin(ow, inW, outW), w1 = binEnd(ow, inW, outW);
        float sum = 0.0f;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w)
            sum += in[h * inW + w];
        out[oh * outW + ow] = sum / static_cast<float>((h1 - h0) * (w1 - w0));
      }
    }
  }
  return success();
}

} // namespace

void registerTopPoolKernels(KernelRegistry &registry) {
  registry.add<top::MaxPoolOp>([](top::MaxPoolOp op, KernelArgs &args) {
    return runPool(op, args, /*isMax=*/true);
  });
  registry.add<top::AvgPoolOp>([](top::AvgPoolOp op, KernelArgs &args) {
    return runPool(op, args, /*isMax=*/false);
  });
  registry.add<top::MaxPoolWithIndicesOp>(runMaxPoolWithIndices);
  registry.add<top::GlobalAvgPoolOp>(runGlobalAvgPool);
  registry.add<top::AdaptiveAvgPoolOp>(runAdaptiveAvgPool);
}

} // namespace tpuc
