//===- TopRunPaths.cpp - Top ops the Interpreter runs itself --------------===//
//
// The Runner's float paths that bypass the KernelRegistry, kept apart from
// the driver in Interpreter.cpp. top.Conv is run here on its oneDNN
// primitive so that the interpreter can
//  - reorder each Conv's weights into the primitive's layout once, not on
//    every run;
//  - apply the activation that is a Conv result's only user as a post-op of
//    the primitive, and skip the activation op;
//  - leave a Conv result in the layout the primitive wrote (NHWC, blocked)
//    until an op that needs row-major data reads it, so that chains of Convs
//    do not convert to row-major and back. Add, Concat, Upsample, Reshape and
//    Permute have versions here that work on such layouts.
// The last two change which tensors exist, so they only happen when nobody
// observes tensors (no RunOptions::keepAll or onResult).
//
//===----------------------------------------------------------------------===//

#include "Runner.h"
#include "Top/DnnlUtils.h"
#include "Top/KernelUtils.h"

#include <cstring>
#include <optional>
#include <unordered_map>

using namespace mlir;
namespace du = tpuc::dnnl_utils;

namespace tpuc {
namespace detail {
namespace {

/// Ops whose result is their operand's data under another shape.
bool isReshapeLike(Operation *op) {
  return isa<top::ReshapeOp, top::FlattenOp, top::SqueezeOp, top::UnsqueezeOp>(
      op);
}

/// A layout of `dims` in the same format as `desc` (NHWC, nChw16c, ...),
/// for the formats oneDNN's Conv primitives produce; nullopt for others.
std::optional<dnnl::memory::desc> sameFormat(const dnnl::memory::desc &desc,
                                             const dnnl::memory::dims &dims) {
  using tag = dnnl::memory::format_tag;
  static const tag candidates[] = {
      tag::acb,      tag::acdb,    tag::acdeb,  tag::aBc16b,  tag::aBcd16b,
      tag::aBcde16b, tag::aBc8b,   tag::aBcd8b, tag::aBcde8b, tag::aBc4b,
      tag::aBcd4b,   tag::aBcde4b, tag::abc,    tag::abcd,    tag::abcde};
  dnnl::memory::dims own = desc.dims();
  if (own.size() != dims.size())
    return std::nullopt;
  for (tag t : candidates) {
    dnnl::memory::desc probe(own, dnnl::memory::data_type::f32, t,
                             /*allow_empty=*/true);
    if (!probe.is_zero() && probe == desc)
      return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, t);
  }
  return std::nullopt;
}

} // namespace

LogicalResult Runner::runConv(top::ConvOp conv) {
  Operation *activation = fused_ ? fused_->lookup(conv) : nullptr;
  Value result =
      activation ? activation->getResult(0) : Value(conv.getOutput());
  if (isa<NoneType>(conv.getInput().getType()) ||
      isa<NoneType>(conv.getFilter().getType()))
    return conv.emitOpError("expects tensor input and filter");
  Value biasValue = conv.getBias();
  bool hasBias = !isa<NoneType>(biasValue.getType());
  auto outShape = top::getShape(conv.getOutput());

  ConvState &state = resources_.convs[{conv, activation}];
  if (!state.planned) {
    llvm::SmallVector<du::EltwisePostOp, 1> extra;
    if (activation)
      extra.push_back(*du::activationAsPostOp(activation));
    int64_t biasCount =
        hasBias ? Tensor::numelOf(top::getShape(biasValue)) : -1;
    auto plan = du::planConv(conv, top::getShape(conv.getInput()),
                             top::getShape(conv.getFilter()), biasCount,
                             outShape, extra);
    if (failed(plan))
      return failure();
    state.plan = std::move(*plan);
    state.planned = true;
  }
  const du::ConvPlan &plan = state.plan;
  auto report = [&](Slot &slot) {
    if (options_.onResult && slot.plain)
      options_.onResult(result, *slot.plain);
  };
  if (!plan.cached.primitive) {
    // No elements: nothing to compute.
    auto tensor = std::make_shared<Tensor>(outShape);
    store(result, tensor, /*owned=*/true);
    report(slots_[result]);
    return success();
  }

  // The source, in the primitive's layout.
  auto in = slots_.find(conv.getInput());
  if (in == slots_.end())
    return conv.emitOpError("uses a value that was not computed");
  AlignedBuffer srcTemp;
  dnnl::memory src;
  {
    Slot &slot = in->second;
    dnnl::memory from =
        !slot.blocked.empty()
            ? du::wrap(slot.layout, slot.blocked.data())
            : du::wrap(du::plainDesc(top::getShape(conv.getInput())),
                       slot.plain->ptr());
    if (from.get_desc() == plan.cached.srcDesc) {
      src = from;
    } else {
      srcTemp = pool_.takeAligned(floatsOf(plan.cached.srcDesc));
      src = du::wrap(plan.cached.srcDesc, srcTemp.data());
      du::reorderInto(from, src);
    }
  }

  // The weights: reordered once when they are a constant of the module.
  const Tensor *filter = plainOf(conv.getFilter());
  const Tensor *bias = hasBias ? plainOf(biasValue) : nullptr;
  if (!filter || (hasBias && !bias))
    return conv.emitOpError("uses a value that was not computed");
  bool constantFilter = conv.getFilter().getDefiningOp<top::WeightOp>();
  dnnl::memory weights;
  if (constantFilter && state.weights) {
    weights = state.weights;
  } else {
    weights =
        du::toLayout(du::wrap(du::plainDesc(plan.weightDims), filter->ptr()),
                     plan.cached.weightsDesc);
    if (constantFilter)
      state.weights = weights;
  }

  // The destination: kept in the primitive's layout unless someone observes
  // it, in which case it is reordered to row-major right away.
  const dnnl::memory::desc &dstDesc = plan.cached.dstDesc;
  dnnl::memory::desc plainDst = du::plainDesc(outShape);
  Slot &out = slots_[result];
  recycle(out);
  if (dstDesc == plainDst) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(outShape.begin(), outShape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                    du::wrap(plainDst, tensor->ptr()));
    out.plain = std::move(tensor);
    out.owned = true;
  } else {
    out.blocked = pool_.takeAligned(floatsOf(dstDesc));
    out.layout = dstDesc;
    du::executeConv(plan, src, weights, bias ? bias->ptr() : nullptr,
                    du::wrap(dstDesc, out.blocked.data()));
    if (observed_) {
      plainOf(result);
      pool_.give(std::move(out.blocked));
    }
  }
  pool_.give(std::move(srcTemp));
  report(out);
  return success();
}

bool Runner::runWithLayouts(Operation &op) {
  if (isReshapeLike(&op) && op.getNumOperands() == 1 && op.getNumResults() == 1)
    return layoutReshape(op) || stealForReshape(op);
  if (auto add = dyn_cast<top::AddOp>(op))
    return layoutAdd(add);
  if (auto concat = dyn_cast<top::ConcatOp>(op))
    return layoutConcat(concat);
  if (auto permute = dyn_cast<top::PermuteOp>(op))
    return layoutPermute(permute);
  if (auto upsample = dyn_cast<top::UpsampleOp>(op))
    return layoutUpsample(upsample);
  return false;
}

bool Runner::stealForReshape(Operation &op) {
  Value operand = op.getOperand(0);
  Value result = op.getResult(0);
  auto uses = pendingUses_.find(operand);
  if (uses == pendingUses_.end() || uses->second != 1)
    return false;
  auto it = slots_.find(operand);
  if (it == slots_.end())
    return false;
  const Tensor *in = plainOf(operand);
  Slot &slot = it->second;
  auto shape = top::getShape(result);
  if (!slot.owned || slot.plain.use_count() != 1 ||
      in->numel() != Tensor::numelOf(shape))
    return false;
  auto tensor = std::make_shared<Tensor>();
  tensor->shape.assign(shape.begin(), shape.end());
  tensor->data = std::move(slot.plain->data);
  store(result, std::move(tensor), /*owned=*/true);
  return true;
}

Slot *Runner::layoutSlot(Value value) {
  auto it = slots_.find(value);
  if (it == slots_.end() || it->second.blocked.empty())
    return nullptr;
  return &it->second;
}

dnnl::memory Runner::memoryIn(Value value, const dnnl::memory::desc &desc,
                              AlignedBuffer &temp) {
  Slot &slot = slots_[value];
  if (!slot.blocked.empty() && slot.layout == desc)
    return du::wrap(desc, slot.blocked.data());
  auto shape = top::getShape(value);
  dnnl::memory from = !slot.blocked.empty()
                          ? du::wrap(slot.layout, slot.blocked.data())
                          : du::wrap(du::plainDesc(shape), slot.plain->ptr());
  if (from.get_desc() == desc)
    return from;
  temp = pool_.takeAligned(floatsOf(desc));
  dnnl::memory to = du::wrap(desc, temp.data());
  du::reorderInto(from, to);
  return to;
}

OpPrimitive *Runner::primitiveFor(Operation *op,
                                  const std::vector<dnnl::memory::desc> &srcs,
                                  const std::function<OpPrimitive()> &build) {
  OpPrimitive &entry = resources_.primitives[op];
  if (entry.primitive && entry.srcs == srcs)
    return &entry;
  try {
    entry = build();
  } catch (const dnnl::error &) {
    entry = OpPrimitive();
    return nullptr;
  }
  entry.srcs = srcs;
  return &entry;
}

bool Runner::layoutAdd(top::AddOp op) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  auto shape = top::getShape(op.getOutput());
  if (top::getShape(lhs) != shape || top::getShape(rhs) != shape ||
      !slots_.count(lhs) || !slots_.count(rhs))
    return false;
  Slot *blocked = layoutSlot(lhs);
  if (!blocked)
    blocked = layoutSlot(rhs);
  if (!blocked)
    return false;
  // Both operands in the layout of the one a Conv left; the sum is in it too.
  dnnl::memory::desc layout = blocked->layout;
  bool doRelu = op.getDoRelu();
  double reluLimit = op.getReluLimit().convertToDouble();
  OpPrimitive *add = primitiveFor(op, {layout}, [&] {
    dnnl::binary::desc desc(dnnl::algorithm::binary_add, layout, layout,
                            layout);
    dnnl::binary::primitive_desc pd(
        desc, du::postOpsAttr(doRelu, reluLimit, {}), du::cpuEngine());
    return OpPrimitive{{}, dnnl::binary(pd), pd.dst_desc()};
  });
  if (!add || add->dst != layout)
    return false;
  AlignedBuffer lhsTemp, rhsTemp;
  dnnl::memory a = memoryIn(lhs, layout, lhsTemp);
  dnnl::memory b = memoryIn(rhs, layout, rhsTemp);
  AlignedBuffer out = pool_.takeAligned(floatsOf(layout));
  add->primitive.execute(du::cpuStream(),
                         {{DNNL_ARG_SRC_0, a},
                          {DNNL_ARG_SRC_1, b},
                          {DNNL_ARG_DST, du::wrap(layout, out.data())}});
  du::cpuStream().wait();
  pool_.give(std::move(lhsTemp));
  pool_.give(std::move(rhsTemp));
  storeLayout(op.getOutput(), std::move(out), layout);
  return true;
}

bool Runner::layoutConcat(top::ConcatOp op) {
  if (op.getDoRelu())
    return false;
  auto outShape = top::getShape(op.getOutput());
  int64_t rank = static_cast<int64_t>(outShape.size());
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  if (axis < 0 || axis >= rank)
    return false;
  bool anyBlocked = false;
  std::vector<dnnl::memory::desc> srcs;
  for (Value input : op.getInputs()) {
    auto it = slots_.find(input);
    if (it == slots_.end() || top::getShape(input).size() != outShape.size() ||
        Tensor::numelOf(top::getShape(input)) == 0)
      return false;
    if (!it->second.blocked.empty()) {
      anyBlocked = true;
      srcs.push_back(it->second.layout);
    } else {
      srcs.push_back(du::plainDesc(top::getShape(input)));
    }
  }
  if (!anyBlocked)
    return false;
  // The result takes the format of the first operand in a oneDNN layout, so
  // that a Conv reading it needs no reorder even when other operands are
  // row-major; oneDNN also checks that the shapes fit.
  std::optional<dnnl::memory::desc> dst;
  for (const dnnl::memory::desc &src : srcs)
    if (src != du::plainDesc(src.dims()) &&
        (dst = sameFormat(src, du::toDims(outShape))))
      break;
  OpPrimitive *concat = primitiveFor(op, srcs, [&] {
    auto pd = dst ? dnnl::concat::primitive_desc(*dst, static_cast<int>(axis),
                                                 srcs, du::cpuEngine())
                  : dnnl::concat::primitive_desc(static_cast<int>(axis), srcs,
                                                 du::cpuEngine());
    return OpPrimitive{{}, dnnl::concat(pd), pd.dst_desc()};
  });
  if (!concat || concat->dst.dims() != du::toDims(outShape))
    return false;
  std::unordered_map<int, dnnl::memory> args;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    Slot &slot = slots_[input];
    args.emplace(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
                 !slot.blocked.empty()
                     ? du::wrap(slot.layout, slot.blocked.data())
                     : du::wrap(srcs[i], slot.plain->ptr()));
  }
  dnnl::memory::desc plainOut = du::plainDesc(outShape);
  if (concat->dst == plainOut) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape.assign(outShape.begin(), outShape.end());
    tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
    args.emplace(DNNL_ARG_DST, du::wrap(plainOut, tensor->ptr()));
    concat->primitive.execute(du::cpuStream(), args);
    du::cpuStream().wait();
    store(op.getOutput(), std::move(tensor), /*owned=*/true);
    return true;
  }
  AlignedBuffer out = pool_.takeAligned(floatsOf(concat->dst));
  args.emplace(DNNL_ARG_DST, du::wrap(concat->dst, out.data()));
  concat->primitive.execute(du::cpuStream(), args);
  du::cpuStream().wait();
  storeLayout(op.getOutput(), std::move(out), concat->dst);
  return true;
}

bool Runner::layoutUpsample(top::UpsampleOp op) {
  Slot *slot = layoutSlot(op.getInput());
  if (!slot || slot->plain || !isChannelsLast(slot->layout))
    return false;
  auto inShape = top::getShape(op.getInput());
  auto outShape = top::getShape(op.getOutput());
  int64_t scaleH = op.getScaleH(), scaleW = op.getScaleW();
  if (outShape.size() != 4 || scaleH <= 0 || scaleW <= 0 ||
      outShape[0] != inShape[0] || outShape[1] != inShape[1] ||
      outShape[2] != inShape[2] * scaleH || outShape[3] != inShape[3] * scaleW)
    return false;
  // Nearest neighbour by whole pixels: each output pixel copies the C
  // contiguous channels of its source pixel, exactly as the kernel's
  // out[y][x] = in[y / scaleH][x / scaleW] per plane.
  std::optional<dnnl::memory::desc> layout =
      sameFormat(slot->layout, du::toDims(outShape));
  if (!layout)
    return false;
  AlignedBuffer out = pool_.takeAligned(floatsOf(*layout));
  int64_t channels = inShape[1], ih = inShape[2], iw = inShape[3];
  int64_t oh = outShape[2], ow = outShape[3];
  int64_t rows = outShape[0] * oh;
  const float *src = slot->blocked.data();
  float *dst = out.data();
#pragma omp parallel for if (rows * ow * channels > kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t n = r / oh, y = r % oh;
    const float *srcRow = src + ((n * ih + y / scaleH) * iw) * channels;
    float *dstRow = dst + r * ow * channels;
    for (int64_t x = 0; x < ow; ++x)
      std::memcpy(dstRow + x * channels, srcRow + (x / scaleW) * channels,
                  channels * sizeof(float));
  }
  storeLayout(op.getOutput(), std::move(out), *layout);
  return true;
}

bool Runner::layoutReshape(Operation &op) {
  Value operand = op.getOperand(0);
  Slot *slot = layoutSlot(operand);
  auto uses = pendingUses_.find(operand);
  if (!slot || slot->plain || uses == pendingUses_.end() || uses->second != 1)
    return false;
  // The same bytes under the new dims, when the layout allows it (splitting
  // or merging dims that are dense in memory).
  dnnl::memory::desc view = slot->layout.reshape(
      du::toDims(top::getShape(op.getResult(0))), /*allow_empty=*/true);
  if (view.is_zero())
    return false;
  AlignedBuffer buffer = std::move(slot->blocked);
  storeLayout(op.getResult(0), std::move(buffer), view);
  return true;
}

bool Runner::layoutPermute(top::PermuteOp op) {
  Slot *slot = layoutSlot(op.getInput());
  if (!slot || slot->plain)
    return false;
  ArrayRef<int64_t> order = op.getOrder();
  int64_t rank = static_cast<int64_t>(order.size());
  if (rank != slot->layout.data.ndims)
    return false;
  // oneDNN's permutation maps input axes to output axes: perm[order[i]] = i.
  std::vector<int> perm(rank, -1);
  for (int64_t i = 0; i < rank; ++i) {
    if (order[i] < 0 || order[i] >= rank || perm[order[i]] != -1)
      return false;
    perm[order[i]] = static_cast<int>(i);
  }
  auto outShape = top::getShape(op.getOutput());
  dnnl::memory::desc view;
  try {
    view = slot->layout.permute_axes(perm);
  } catch (const dnnl::error &) {
    return false;
  }
  if (view.dims() != du::toDims(outShape))
    return false;
  // One reorder from the permuted view straight to the row-major result.
  auto tensor = std::make_shared<Tensor>();
  tensor->shape.assign(outShape.begin(), outShape.end());
  tensor->data = pool_.takeVector(Tensor::numelOf(outShape), false);
  try {
    du::reorderInto(du::wrap(view, slot->blocked.data()),
                    du::wrap(du::plainDesc(outShape), tensor->ptr()));
  } catch (const dnnl::error &) {
    // No reorder for this view: the kernel permutes the row-major data.
    pool_.give(std::move(tensor->data));
    return false;
  }
  du::cpuStream().wait();
  store(op.getOutput(), std::move(tensor), /*owned=*/true);
  return true;
}

} // namespace detail
} // namespace tpuc
