//===- TpuRunPaths.cpp - Tpu ops the Interpreter runs itself --------------===//
//
// The Runner's chip-arithmetic path that bypasses the KernelRegistry, kept
// apart from the driver in Interpreter.cpp: tpu.Conv2D runs on the oneDNN
// primitives its plan (Tpu/TpuConvPlan.h) prepared once per op, reading and
// writing oneDNN layouts as top.Conv does (TopRunPaths.cpp), then
// requantizes or rounds the sums in place. Convs the plan does not cover run
// their kernel.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"
#include "Top/DnnlUtils.h"
#include "Top/KernelUtils.h"
#include "Tpu/TpuConvPlan.h"
#include "Tpu/TpuVector.h"

using namespace mlir;
namespace du = tpuc::dnnl_utils;

namespace tpuc {
namespace detail {
namespace {

/// The tensor kinds the Tpu conv computes on directly: row-major and
/// channels-last (both without padding), with the channel of each element.
enum class ChannelLayout { Plain, ChannelsLast, Other };

ChannelLayout channelLayoutOf(const dnnl::memory::desc &desc) {
  if (desc == du::plainDesc(desc.dims()))
    return ChannelLayout::Plain;
  if (isChannelsLast(desc))
    return ChannelLayout::ChannelsLast;
  return ChannelLayout::Other;
}

} // namespace

LogicalResult Runner::runTpuConv(tpu::Conv2DOp conv) {
  TpuConvState &state = resources_.tpuConvs[conv];
  if (!state.prepared) {
    auto weight = [&](Value v) -> const Tensor * {
      Operation *def = v.getDefiningOp();
      return def && isa<top::WeightOp>(def) ? weights_.lookup(def).get()
                                            : nullptr;
    };
    auto prepared = tpu::prepareConv(conv, weight(conv.getFilter()),
                                     weight(conv.getBias()));
    if (failed(prepared))
      return failure();
    state.conv = std::move(*prepared);
    state.prepared = true;
  }
  if (!state.conv)
    return runKernel(*conv);
  const tpu::PreparedConv &prepared = *state.conv;
  Value result = conv.getOutput();
  auto inShape = top::getShape(conv.getInput());
  auto outShape = top::getShape(conv.getOutput());
  if (!prepared.chunks.front().plan.cached.primitive) {
    // No elements: nothing to compute.
    storeResult(result, std::make_shared<Tensor>(outShape), AlignedBuffer(),
                {});
    return success();
  }
  auto in = slots_.find(conv.getInput());
  if (in == slots_.end())
    return conv.emitOpError("uses a value that was not computed");

  // The source: the input's memory, with the zero point subtracted (in a
  // copy) for asymmetric INT8, and row-major when it is cut into channel
  // ranges.
  std::vector<AlignedBuffer> temps;
  bool split = prepared.chunks.size() > 1;
  dnnl::memory source =
      split ? du::wrap(du::plainDesc(inShape), plainOf(conv.getInput())->ptr())
            : memoryOf(in->second, inShape);
  int64_t zeroPoint = prepared.quantized ? prepared.in.zeroPoint : 0;
  if (zeroPoint != 0) {
    dnnl::memory::desc desc = source.get_desc();
    if (floatsOf(desc) != static_cast<size_t>(Tensor::numelOf(inShape))) {
      // Padded layout: center the row-major data instead.
      desc = du::plainDesc(inShape);
      source = du::wrap(desc, plainOf(conv.getInput())->ptr());
    }
    AlignedBuffer centered = pool_.takeAligned(floatsOf(desc));
    const float *from = static_cast<const float *>(source.get_data_handle());
    float *to = centered.data();
    float zp = static_cast<float>(zeroPoint);
    int64_t n = static_cast<int64_t>(floatsOf(desc));
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i)
      to[i] = from[i] - zp;
    source = du::wrap(desc, to);
    temps.push_back(std::move(centered));
  }

  // Each chunk's sums, all in the first chunk's destination layout; the
  // first into the result's buffer.
  const dnnl::memory::desc &dstDesc =
      prepared.chunks.front().plan.cached.dstDesc;
  std::shared_ptr<Tensor> plainOut;
  AlignedBuffer blockedOut;
  float *outData;
  if (dstDesc == du::plainDesc(outShape)) {
    plainOut = std::make_shared<Tensor>();
    plainOut->shape.assign(outShape.begin(), outShape.end());
    plainOut->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    outData = plainOut->ptr();
  } else {
    blockedOut = pool_.takeAligned(floatsOf(dstDesc));
    outData = blockedOut.data();
  }
  std::vector<const float *> sums;
  const Tensor *bias = nullptr;
  if (!prepared.quantized && !isa<NoneType>(conv.getBias().getType())) {
    bias = plainOf(conv.getBias());
    if (!bias)
      return conv.emitOpError("uses a value that was not computed");
  }
  for (const tpu::ConvChunk &chunk : prepared.chunks) {
    const du::ConvPlan &plan = chunk.plan;
    dnnl::memory src = source;
    if (split) {
      llvm::SmallVector<int64_t, 4> dims(inShape.begin(), inShape.end());
      dims[1] = chunk.end - chunk.begin;
      llvm::SmallVector<int64_t, 4> offsets(dims.size(), 0);
      offsets[1] = chunk.begin;
      src = du::wrap(source.get_desc().submemory_desc(du::toDims(dims),
                                                      du::toDims(offsets)),
                     static_cast<const float *>(source.get_data_handle()));
    }
    if (src.get_desc() != plan.cached.srcDesc) {
      AlignedBuffer temp = pool_.takeAligned(floatsOf(plan.cached.srcDesc));
      dnnl::memory to = du::wrap(plan.cached.srcDesc, temp.data());
      du::reorderInto(src, to);
      src = to;
      temps.push_back(std::move(temp));
    }
    dnnl::memory weights = chunk.weights;
    if (!weights) {
      const Tensor *filter = plainOf(conv.getFilter());
      if (!filter)
        return conv.emitOpError("uses a value that was not computed");
      weights =
          du::toLayout(du::wrap(du::plainDesc(plan.weightDims), filter->ptr()),
                       plan.cached.weightsDesc);
    }
    float *dst = outData;
    if (!sums.empty()) {
      temps.push_back(pool_.takeAligned(floatsOf(dstDesc)));
      dst = temps.back().data();
    }
    if (plan.cached.dstDesc == dstDesc) {
      du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                      du::wrap(dstDesc, dst));
    } else {
      AlignedBuffer own = pool_.takeAligned(floatsOf(plan.cached.dstDesc));
      du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                      du::wrap(plan.cached.dstDesc, own.data()));
      du::reorderInto(du::wrap(plan.cached.dstDesc, own.data()),
                      du::wrap(dstDesc, dst));
      du::cpuStream().wait();
      pool_.give(std::move(own));
    }
    sums.push_back(dst);
  }

  // Requantization or rounding, on the layouts whose channel of each
  // element is known; others are made row-major first.
  ChannelLayout layout = channelLayoutOf(dstDesc);
  if (layout == ChannelLayout::Other) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(outShape.begin(), outShape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    for (const float *&sum : sums) {
      float *to = sum == outData ? tensor->ptr() : nullptr;
      if (!to) {
        temps.push_back(pool_.takeAligned(Tensor::numelOf(outShape)));
        to = temps.back().data();
      }
      du::reorderInto(du::wrap(dstDesc, sum),
                      du::wrap(du::plainDesc(outShape), to));
      sum = to;
    }
    du::cpuStream().wait();
    pool_.give(std::move(blockedOut));
    plainOut = std::move(tensor);
    outData = plainOut->ptr();
    layout = ChannelLayout::Plain;
  }
  int64_t n = Tensor::numelOf(outShape);
  if (prepared.quantized) {
    int64_t channels = outShape[1];
    int64_t inner = n / std::max<int64_t>(outShape[0] * channels, 1);
    if (layout == ChannelLayout::Plain)
      tpu::vec::requantize(prepared.requant, sums.data(),
                           static_cast<int>(sums.size()), outShape[0], channels,
                           inner, outData);
    else
      tpu::vec::requantize(prepared.requant, sums.data(),
                           static_cast<int>(sums.size()), outShape[0] * inner,
                           channels, 1, outData);
  } else {
    const tpu::Storage &out = prepared.out;
    if (out.bf16 || out.f16 || out.integer)
      tpu::vec::store(out, outData, outData, n);
  }
  for (AlignedBuffer &temp : temps)
    pool_.give(std::move(temp));
  storeResult(result, std::move(plainOut), std::move(blockedOut), dstDesc);
  return success();
}

} // namespace detail
} // namespace tpuc
