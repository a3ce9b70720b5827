//===- TpuConvPlan.cpp - tpu.Conv2D planned once per op -------------------===//

#include "TpuConvPlan.h"

#include "tpuc/Dialect/Top/TopOps.h"

#include <cmath>

using namespace mlir;
namespace du = tpuc::dnnl_utils;

namespace tpuc::tpu {
namespace {

/// Input channel ranges [begin, end) of a group-1 INT8 convolution such
/// that within each, maxAbsInput * sum |w[c, range, taps]| <= 2^24 for every
/// output channel c: every partial sum a float convolution forms over a
/// range (in any order) is then an integer it represents exactly. Empty
/// when even one input channel can exceed the bound.
std::vector<std::pair<int64_t, int64_t>> exactRanges(const Tensor &filter,
                                                     int64_t maxAbsInput) {
  int64_t oc = filter.dim(0), ic = filter.dim(1);
  int64_t taps = filter.numel() / std::max<int64_t>(oc * ic, 1);
  const int64_t limit = int64_t(1) << 24;
  // |w| summed over the taps of each (output, input) channel pair.
  std::vector<int64_t> pair(oc * ic, 0);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t i = 0; i < ic; ++i) {
      const float *w = filter.ptr() + (o * ic + i) * taps;
      int64_t sum = 0;
      for (int64_t t = 0; t < taps; ++t)
        sum += static_cast<int64_t>(std::fabs(w[t]));
      pair[o * ic + i] = sum * maxAbsInput;
    }
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::vector<int64_t> running(oc, 0);
  int64_t begin = 0;
  for (int64_t i = 0; i < ic; ++i) {
    bool fits = true;
    for (int64_t o = 0; o < oc && fits; ++o)
      fits = running[o] + pair[o * ic + i] <= limit;
    if (!fits) {
      ranges.emplace_back(begin, i);
      begin = i;
      std::fill(running.begin(), running.end(), 0);
    }
    for (int64_t o = 0; o < oc; ++o) {
      running[o] += pair[o * ic + i];
      if (running[o] > limit)
        return {};
    }
  }
  ranges.emplace_back(begin, ic);
  return ranges;
}

/// Whether every value is an integer of magnitude at most `bound`.
bool allIntegers(const Tensor &t, double bound) {
  for (float v : t.data)
    if (!(std::fabs(v) <= bound) || v != std::trunc(v))
      return false;
  return true;
}

/// `filter`'s input channels [begin, end) (dim 1), as oneDNN weights of
/// `plan`'s layout.
dnnl::memory reorderedWeights(const du::ConvPlan &plan, const Tensor &filter,
                              int64_t begin, int64_t end) {
  dnnl::memory out(plan.cached.weightsDesc, du::cpuEngine());
  if (begin == 0 && end == filter.dim(1)) {
    du::reorderInto(du::wrap(du::plainDesc(plan.weightDims), filter.ptr()),
                    out);
  } else {
    int64_t oc = filter.dim(0), ic = filter.dim(1);
    int64_t taps = filter.numel() / std::max<int64_t>(oc * ic, 1);
    int64_t width = end - begin;
    std::vector<float> slice(oc * width * taps);
    for (int64_t o = 0; o < oc; ++o)
      std::copy(filter.ptr() + (o * ic + begin) * taps,
                filter.ptr() + (o * ic + end) * taps,
                slice.data() + o * width * taps);
    du::reorderInto(du::wrap(du::plainDesc(plan.weightDims), slice.data()),
                    out);
  }
  du::cpuStream().wait();
  return out;
}

} // namespace

FailureOr<std::optional<PreparedConv>>
prepareConv(Conv2DOp op, const Tensor *filter, const Tensor *bias) {
  PreparedConv prepared;
  prepared.in = getStorage(op.getInput());
  prepared.out = getStorage(op.getOutput());
  prepared.quantized = prepared.out.quantized;
  auto inShape = top::getShape(op.getInput());
  auto filterShape = top::getShape(op.getFilter());
  auto outShape = top::getShape(op.getOutput());
  bool hasBias = !isa<NoneType>(op.getBias().getType());
  du::ConvAttrs attrs = du::getConvAttrs(op);

  if (!prepared.quantized) {
    // As the kernel: the Top convolution with the op's relu and bias, then
    // rounding to the result type.
    int64_t biasCount =
        hasBias ? Tensor::numelOf(top::getShape(op.getBias())) : -1;
    auto plan = du::planConvWith(op, attrs, inShape, filterShape, biasCount,
                                 outShape, {});
    if (failed(plan))
      return failure();
    ConvChunk chunk;
    chunk.end = inShape.size() > 1 ? inShape[1] : 0;
    chunk.plan = std::move(*plan);
    if (filter && chunk.plan.cached.primitive)
      chunk.weights = reorderedWeights(
          chunk.plan, *filter, 0, filterShape.size() > 1 ? filterShape[1] : 0);
    prepared.chunks.push_back(std::move(chunk));
    return std::optional<PreparedConv>(std::move(prepared));
  }

  // INT8 needs integer codes in a small range, a constant integer filter
  // and bias, and a 2-D shape; anything else is the kernel's.
  const Storage &in = prepared.in;
  if (!in.quantized || !filter || (hasBias && !bias) || inShape.size() != 4 ||
      filterShape.size() != 4 || !op.getMultiplier() || !op.getRshift())
    return std::optional<PreparedConv>();
  int64_t maxAbsInput = std::max(std::abs(in.qmin - in.zeroPoint),
                                 std::abs(in.qmax - in.zeroPoint));
  if (maxAbsInput > 65535 || !allIntegers(*filter, 65535.0))
    return std::optional<PreparedConv>();
  std::optional<std::vector<int64_t>> biasValues;
  if (hasBias) {
    auto raw = readIntWeight(op.getBias());
    if (failed(raw))
      return std::optional<PreparedConv>();
    biasValues = std::move(*raw);
  }
  auto requant = vec::makeRequant(
      op, *op.getMultiplier(), *op.getRshift(), op.getQuantMode() == "QDM",
      biasValues ? &*biasValues : nullptr, outShape[1], prepared.out,
      op.getDoRelu(), op.getReluLimit().convertToDouble());
  if (failed(requant))
    return std::optional<PreparedConv>();
  prepared.requant = std::move(*requant);

  // The accumulation: no bias and no relu (both come with the requant).
  attrs.doRelu = false;
  attrs.reluLimit = -1.0;
  auto whole =
      du::planConvWith(op, attrs, inShape, filterShape, -1, outShape, {});
  if (failed(whole))
    return failure();
  std::vector<std::pair<int64_t, int64_t>> ranges;
  if (attrs.group == 1) {
    ranges = exactRanges(*filter, maxAbsInput);
  } else {
    // Grouped: each output channel reads its own group's channels, which
    // must all fit in one float sum.
    auto single = exactRanges(
        *filter, maxAbsInput); // treats dim 1 (ic / group) as the channels
    if (single.size() == 1)
      ranges.emplace_back(0, inShape[1]);
  }
  if (ranges.empty())
    return std::optional<PreparedConv>();
  if (ranges.size() == 1) {
    ConvChunk chunk;
    chunk.begin = 0;
    chunk.end = inShape[1];
    chunk.plan = std::move(*whole);
    if (chunk.plan.cached.primitive)
      chunk.weights = reorderedWeights(chunk.plan, *filter, 0, filterShape[1]);
    prepared.chunks.push_back(std::move(chunk));
    return std::optional<PreparedConv>(std::move(prepared));
  }
  for (auto [begin, end] : ranges) {
    llvm::SmallVector<int64_t, 4> chunkIn(inShape.begin(), inShape.end());
    llvm::SmallVector<int64_t, 4> chunkFilter(filterShape.begin(),
                                              filterShape.end());
    chunkIn[1] = chunkFilter[1] = end - begin;
    auto plan =
        du::planConvWith(op, attrs, chunkIn, chunkFilter, -1, outShape, {});
    if (failed(plan))
      return failure();
    ConvChunk chunk;
    chunk.begin = begin;
    chunk.end = end;
    chunk.plan = std::move(*plan);
    if (chunk.plan.cached.primitive)
      chunk.weights = reorderedWeights(chunk.plan, *filter, begin, end);
    prepared.chunks.push_back(std::move(chunk));
  }
  return std::optional<PreparedConv>(std::move(prepared));
}

} // namespace tpuc::tpu
