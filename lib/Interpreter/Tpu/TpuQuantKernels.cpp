//===- TpuQuantKernels.cpp - Casts, requantization, preprocessing ---------===//

#include "TpuKernelUtils.h"
#include "TpuVector.h"

#include <cmath>

using namespace mlir;

namespace tpuc::tpu {
namespace {

LogicalResult runCast(CastOp op, KernelArgs &args) {
  Storage in = getStorage(op.getInput()), out = getStorage(op.getOutput());
  quantmath::RoundMode mode = getRoundMode(op);
  // value = (code - zp) * scale for a quantized input, then rounded to
  // the result's code or storage (vec::cast spells out the definition).
  vec::cast(in, out, mode, args.in(0).ptr(), args.out().ptr(),
            args.out().numel());
  return success();
}

LogicalResult runRequant(RequantOp op, KernelArgs &args) {
  Storage in = getStorage(op.getInput()), out = getStorage(op.getOutput());
  int64_t m = (*op.getMultiplier())[0], shift = (*op.getRshift())[0];
  bool qdm = op.getQuantMode() == "QDM";
  quantmath::RoundMode mode = getRoundMode(op);
  const Tensor &x = args.in(0);
  Tensor &y = args.out();
  int64_t n = y.numel();
  if (!qdm) {
    // (x - zp) * m >> shift + zp_out, saturated.
    vec::Int8Arith p;
    p.za = in.zeroPoint;
    p.m0 = m;
    p.shift = shift;
    p.mode = mode;
    p.zp = out.zeroPoint;
    p.lo = p.qmin = out.qmin;
    p.hi = p.qmax = out.qmax;
    vec::int8Arith(p, x.ptr(), nullptr, y.ptr(), n);
    return success();
  }
#pragma omp parallel for if (n > (1 << 16))
  for (int64_t i = 0; i < n; ++i) {
    int64_t a = static_cast<int64_t>(x.data[i]) - in.zeroPoint;
    int64_t q = qdm ? quantmath::applyQdm(a, m, shift, mode)
                    : quantmath::applyMultiplierShift(a, m, shift, mode);
    y.data[i] = static_cast<float>(
        quantmath::saturate(q + out.zeroPoint, out.qmin, out.qmax));
  }
  return success();
}

/// Per-channel tables of [c, 256] (ScaleLut) or per-channel scale and bias
/// (Scale) over dim 1.
LogicalResult runScaleLut(ScaleLutOp op, KernelArgs &args) {
  const Tensor &x = args.in(0), &table = args.in(1);
  Tensor &y = args.out();
  int64_t c = x.dim(1), inner = x.numel() / (x.dim(0) * c);
  int64_t planes = y.numel() / std::max<int64_t>(inner, 1);
#pragma omp parallel for if (y.numel() > (1 << 16))
  for (int64_t p = 0; p < planes; ++p) {
    const float *channelTable = table.ptr() + (p % c) * 256;
    for (int64_t i = p * inner; i < (p + 1) * inner; ++i)
      y.data[i] = channelTable[static_cast<int64_t>(x.data[i]) & 255];
  }
  return success();
}

LogicalResult runScale(ScaleOp op, KernelArgs &args) {
  Storage out = getStorage(op.getOutput());
  const Tensor &x = args.in(0), &scale = args.in(1), &bias = args.in(2);
  Tensor &y = args.out();
  int64_t c = x.rank() >= 2 ? x.dim(1) : 1;
  int64_t inner = x.numel() / (x.dim(0) * c);
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t channel = (i / inner) % c;
    y.data[i] =
        out.store(double(x.data[i]) * scale.data[channel] + bias.data[channel]);
  }
  return success();
}

} // namespace

void registerTpuQuantKernels(KernelRegistry &registry) {
  registry.add<CastOp>(runCast);
  registry.add<RequantOp>(runRequant);
  registry.add<ScaleLutOp>(runScaleLut);
  registry.add<ScaleOp>(runScale);
}

} // namespace tpuc::tpu
