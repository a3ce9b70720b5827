//===- TpuShapeKernels.cpp - Data movement, reductions and norms ----------===//
//
// Data movement computes on stored values exactly as the Top ops do, so the
// kernels run the Top implementations; only the INT8 requantization inside
// Concat and Reduce, and SwapChannel, are Tpu-specific.
//
//===----------------------------------------------------------------------===//

#include "TpuKernelUtils.h"
#include "TpuVector.h"

using namespace mlir;

namespace tpuc::tpu {
namespace {

LogicalResult runAsTopRounded(Operation *op, StringRef topName,
                              KernelArgs &args) {
  if (failed(runAsTop(op, topName, args)))
    return failure();
  for (auto [result, tensor] : llvm::zip(op->getResults(), args.outputs))
    roundToStorage(result, tensor);
  return success();
}

LogicalResult runConcat(ConcatOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  if (!out.quantized)
    return runAsTopRounded(op, "top.Concat", args);
  // Each input is brought to the result's scale first.
  auto multipliers = *op.getMultipliers(), rshifts = *op.getRshifts();
  quantmath::RoundMode mode = getRoundMode(op);
  // Inputs already at the result's scale are joined as they are.
  std::vector<Tensor> scaled(op.getInputs().size());
  KernelArgs moved;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    Storage in = getStorage(input);
    const Tensor &x = args.in(i);
    if (multipliers[i] == 1 && rshifts[i] == 0 &&
        in.zeroPoint == out.zeroPoint) {
      moved.inputs.push_back(&x);
      continue;
    }
    // (x - zp) * m >> shift + zp_out, saturated.
    Tensor &t = scaled[i];
    t.shape = x.shape;
    t.data.resize(x.data.size());
    vec::Int8Arith p;
    p.za = in.zeroPoint;
    p.m0 = multipliers[i];
    p.shift = rshifts[i];
    p.mode = mode;
    p.zp = out.zeroPoint;
    p.lo = p.qmin = out.qmin;
    p.hi = p.qmax = out.qmax;
    vec::int8Arith(p, x.ptr(), nullptr, t.ptr(), x.numel());
    moved.inputs.push_back(&t);
  }
  moved.outputs = args.outputs;
  SmallVector<NamedAttribute> attrs;
  for (NamedAttribute attr : op->getAttrs())
    if (attr.getName() != "do_relu")
      attrs.push_back(attr);
  if (failed(runAsTop(op, "top.Concat", attrs, moved)))
    return failure();
  applyQuantizedRelu(out, op.getDoRelu(), op.getReluLimit().convertToDouble(),
                     args.out());
  return success();
}

LogicalResult runSwapChannel(SwapChannelOp op, KernelArgs &args) {
  const Tensor &x = args.in(0);
  Tensor &y = args.out();
  int64_t n = x.dim(0), c = x.dim(1), inner = x.numel() / (n * c);
  auto order = op.getChannelOrder();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t k = 0; k < c; ++k)
      std::copy(x.ptr() + (b * c + order[k]) * inner,
                x.ptr() + (b * c + order[k] + 1) * inner,
                y.ptr() + (b * c + k) * inner);
  return success();
}

LogicalResult runReduce(ReduceOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  StringRef mode = op.getMode();
  if (!out.quantized || mode == "ReduceMax" || mode == "ReduceMin")
    return runAsTopRounded(op, "top.Reduce", args);
  // Integer sum of the centered codes, then one multiplier.
  Storage in = getStorage(op.getInput());
  Tensor x = args.in(0);
  for (float &v : x.data)
    v -= static_cast<float>(in.zeroPoint);
  SmallVector<NamedAttribute> attrs;
  for (NamedAttribute attr : op->getAttrs())
    if (attr.getName() != "mode")
      attrs.push_back(attr);
  attrs.push_back(
      NamedAttribute(StringAttr::get(op.getContext(), "mode"),
                     StringAttr::get(op.getContext(), "ReduceSum")));
  KernelArgs summed;
  summed.inputs = {&x};
  summed.outputs = args.outputs;
  if (failed(runAsTop(op, "top.Reduce", attrs, summed)))
    return failure();
  int64_t m = (*op.getMultiplier())[0], shift = (*op.getRshift())[0];
  quantmath::RoundMode round = getRoundMode(op);
  for (float &v : args.out().data) {
    int64_t q = quantmath::applyMultiplierShift(
        static_cast<int64_t>(std::llround(v)), m, shift, round);
    v = static_cast<float>(
        quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax));
  }
  return success();
}

} // namespace

void registerTpuShapeKernels(KernelRegistry &registry) {
  for (auto [tpuName, topName] :
       {std::pair<StringRef, StringRef>{ReshapeOp::getOperationName(),
                                        "top.Reshape"},
        {PermuteOp::getOperationName(), "top.Permute"},
        {SliceOp::getOperationName(), "top.Slice"},
        {TileOp::getOperationName(), "top.Tile"},
        {PadOp::getOperationName(), "top.Pad"},
        {UpsampleOp::getOperationName(), "top.Upsample"},
        {InterpOp::getOperationName(), "top.Interp"},
        {Depth2SpaceOp::getOperationName(), "top.Depth2Space"},
        {GatherOp::getOperationName(), "top.Gather"},
        {ArgOp::getOperationName(), "top.Arg"},
        {SoftmaxOp::getOperationName(), "top.Softmax"},
        {LayerNormOp::getOperationName(), "top.LayerNorm"},
        {InstanceNormOp::getOperationName(), "top.InstanceNorm"}})
    registry.add(tpuName, [topName = topName](Operation *op, KernelArgs &args) {
      return runAsTopRounded(op, topName, args);
    });
  registry.add<ConcatOp>(runConcat);
  registry.add<SwapChannelOp>(runSwapChannel);
  registry.add<ReduceOp>(runReduce);
}

} // namespace tpuc::tpu
