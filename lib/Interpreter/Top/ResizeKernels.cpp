//===- ResizeKernels.cpp - Float kernels of Upsample and Interp -----------===//
//
// Both ops resize the last two dims; every leading dim is an independent
// plane. Interp follows ONNX Resize: each output coordinate is mapped to a
// source coordinate by the coordinate transformation mode, then either
// rounded by the nearest mode (nearest) or interpolated between its two
// neighbours (linear), separately along height and width.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Kernel.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;

namespace tpuc {
namespace {

/// Checks that input and result have rank >= 2 and equal leading dims, and
/// that an empty input does not have to fill a non-empty result.
LogicalResult checkPlanes(Operation *op, const KernelArgs &args) {
  if (!args.has(0))
    return op->emitOpError("operand 0 must be a tensor");
  const Tensor &in = args.in(0);
  const Tensor &out = args.out();
  if (in.rank() < 2 || in.rank() != out.rank() ||
      ArrayRef<int64_t>(in.shape).drop_back(2) !=
          ArrayRef<int64_t>(out.shape).drop_back(2))
    return op->emitOpError() << "cannot resize " << top::shapeToString(in.shape)
                             << " to " << top::shapeToString(out.shape)
                             << "; only the last two dims may change";
  if (in.numel() == 0 && out.numel() != 0)
    return op->emitOpError()
           << "cannot resize the empty input " << top::shapeToString(in.shape);
  return success();
}

LogicalResult runUpsample(top::UpsampleOp op, KernelArgs &args) {
  if (failed(checkPlanes(op, args)))
    return failure();
  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  int64_t scaleH = static_cast<int64_t>(op.getScaleH());
  int64_t scaleW = static_cast<int64_t>(op.getScaleW());
  if (scaleH <= 0 || scaleW <= 0)
    return op.emitOpError()
           << "has non-positive scale " << scaleH << "x" << scaleW;
  int64_t ih = in.dim(-2), iw = in.dim(-1);
  int64_t oh = out.dim(-2), ow = out.dim(-1);
  if (oh != ih * scaleH || ow != iw * scaleW)
    return op.emitOpError()
           << "result shape " << top::shapeToString(out.shape)
           << " is not the input shape " << top::shapeToString(in.shape)
           << " scaled by " << scaleH << "x" << scaleW;
  int64_t rows = out.numel() / std::max<int64_t>(ow, 1);
  const float *src = in.ptr();
  float *dst = out.ptr();
#pragma omp parallel for if (out.numel() > kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t plane = r / oh, y = r % oh;
    const float *srcRow = src + (plane * ih + y / scaleH) * iw;
    float *dstRow = dst + r * ow;
    for (int64_t x = 0; x < ow; ++x)
      dstRow[x] = srcRow[x / scaleW];
  }
  return success();
}

enum class CoordMode { HalfPixel, AlignCorners, Asymmetric, PytorchHalfPixel };

/// ONNX Resize's x_original for output coordinate `x`. `scale` is the
/// output/input length ratio.
double sourceCoordinate(CoordMode mode, int64_t x, int64_t inLen,
                        int64_t outLen, double scale) {
  switch (mode) {
  case CoordMode::HalfPixel:
    return (x + 0.5) / scale - 0.5;
  case CoordMode::PytorchHalfPixel:
    return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  case CoordMode::AlignCorners:
    return outLen == 1 ? 0.0
                       : x * static_cast<double>(inLen - 1) / (outLen - 1);
  case CoordMode::Asymmetric:
    return x / scale;
  }
  return 0.0;
}

enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

/// The source index nearest resizing reads for source coordinate `s`.
double roundNearest(NearestMode mode, double s) {
  switch (mode) {
  case NearestMode::RoundPreferFloor:
    return std::ceil(s - 0.5);
  case NearestMode::RoundPreferCeil:
    return std::floor(s + 0.5);
  case NearestMode::Floor:
    return std::floor(s);
  case NearestMode::Ceil:
    return std::ceil(s);
  }
  return std::floor(s);
}

/// The two source neighbours of an output coordinate along one dim and the
/// weight of the second; indices are clamped to the edges as ONNX does.
struct LinearTap {
  int64_t lo, hi;
  float weight;
};

LogicalResult runInterp(top::InterpOp op, KernelArgs &args) {
  if (failed(checkPlanes(op, args)))
    return failure();
  auto coordMode =
      llvm::StringSwitch<std::optional<CoordMode>>(op.getCoordMode())
          .Case("half_pixel", CoordMode::HalfPixel)
          .Case("align_corners", CoordMode::AlignCorners)
          .Case("asymmetric", CoordMode::Asymmetric)
          .Case("pytorch_half_pixel", CoordMode::PytorchHalfPixel)
          .Default(std::nullopt);
  if (!coordMode)
    return op.emitOpError()
           << "has unknown coord_mode '" << op.getCoordMode() << "'";
  bool linear = op.getMode() == "linear";
  if (!linear && op.getMode() != "nearest")
    return op.emitOpError() << "has unknown mode '" << op.getMode() << "'";
  // Without nearest_mode: PyTorch's floor for asymmetric, ONNX's default
  // round_prefer_floor otherwise.
  StringRef nearestName = op.getNearestMode().value_or(
      *coordMode == CoordMode::Asymmetric ? "floor" : "round_prefer_floor");
  auto nearestMode =
      llvm::StringSwitch<std::optional<NearestMode>>(nearestName)
          .Case("round_prefer_floor", NearestMode::RoundPreferFloor)
          .Case("round_prefer_ceil", NearestMode::RoundPreferCeil)
          .Case("floor", NearestMode::Floor)
          .Case("ceil", NearestMode::Ceil)
          .Default(std::nullopt);
  if (!nearestMode)
    return op.emitOpError()
           << "has unknown nearest_mode '" << nearestName << "'";

  const Tensor &in = args.in(0);
  Tensor &out = args.out();
  int64_t ih = in.dim(-2), iw = in.dim(-1);
  int64_t oh = out.dim(-2), ow = out.dim(-1);
  if (out.numel() == 0)
    return success();

  // ONNX transforms coordinates with the given scales when the model has
  // them and with output/input otherwise; the attributes play the role of
  // the given scales when positive.
  double scaleH = op.getScaleH().convertToDouble();
  double scaleW = op.getScaleW().convertToDouble();
  if (!(scaleH > 0.0))
    scaleH = static_cast<double>(oh) / ih;
  if (!(scaleW > 0.0))
    scaleW = static_cast<double>(ow) / iw;

  auto taps = [&](int64_t inLen, int64_t outLen, double scale) {
    std::vector<LinearTap> result(outLen);
    for (int64_t x = 0; x < outLen; ++x) {
      double source = sourceCoordinate(*coordMode, x, inLen, outLen, scale);
      if (!linear) {
        double rounded = roundNearest(*nearestMode, source);
        int64_t index = std::clamp<double>(rounded, 0, inLen - 1);
        result[x] = {index, index, 0.0f};
        continue;
      }
      double lo = std::floor(source);
      result[x] = {
          static_cast<int64_t>(std::clamp<double>(lo, 0, inLen - 1)),
          static_cast<int64_t>(std::clamp<double>(lo + 1, 0, inLen - 1)),
          static_cast<float>(source - lo)};
    }
    return result;
  };
  std::vector<LinearTap> rowTaps = taps(ih, oh, scaleH);
  std::vector<LinearTap> colTaps = taps(iw, ow, scaleW);

  int64_t rows = out.numel() / ow;
  const float *src = in.ptr();
  float *dst = out.ptr();
#pragma omp parallel for if (out.numel() > kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t plane = r / oh;
    const LinearTap &rowTap = rowTaps[r % oh];
    const float *top = src + (plane * ih + rowTap.lo) * iw;
    const float *bottom = src + (plane * ih + rowTap.hi) * iw;
    float *dstRow = dst + r * ow;
    if (!linear) {
      for (int64_t x = 0; x < ow; ++x)
        dstRow[x] = top[colTaps[x].lo];
      continue;
    }
    float wy = rowTap.weight;
    for (int64_t x = 0; x < ow; ++x) {
      const LinearTap &c = colTaps[x];
      float upper = top[c.lo] + (top[c.hi] - top[c.lo]) * c.weight;
      float lower = bottom[c.lo] + (bottom[c.hi] - bottom[c.lo]) * c.weight;
      dstRow[x] = upper + (lower - upper) * wy;
    }
  }
  return success();
}

} // namespace

void registerTopResizeKernels(KernelRegistry &registry) {
  registry.add<top::UpsampleOp>(runUpsample);
  registry.add<top::InterpOp>(runInterp);
}

} // namespace tpuc
