//===- ConvertResize.cpp - Resize and Upsample ----------------------------===//
//
// ONNX Resize has more coordinate modes than top.Interp. For nearest
// resizing only the source index each output index reads matters, so the
// importer computes that map as ONNX (and onnxruntime for opset < 11)
// defines it and picks a Top op that reads the same indices: top.Upsample
// for integer factors, else top.Interp with some coordinate and nearest
// mode. Anything else is reported as an unsupported attribute value.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include <cmath>

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

using Dims = std::vector<int64_t>;

/// ONNX Resize's x_original for output index `x` (nullopt for modes that are
/// not supported here).
std::optional<double> onnxSourceCoordinate(StringRef mode, int64_t x,
                                           int64_t inLen, int64_t outLen,
                                           double scale) {
  if (mode == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners")
    return outLen == 1 ? 0.0 : x * double(inLen - 1) / double(outLen - 1);
  if (mode == "asymmetric")
    return x / scale;
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (mode == "half_pixel_symmetric") {
    double adjustment = outLen / (scale * inLen);
    double center = inLen / 2.0;
    double offset = center * (1 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  return std::nullopt;
}

/// The source index ONNX nearest resizing reads for each output index.
/// "simple" is onnxruntime's rounding before opset 11 (floor when
/// upsampling, ceil when downsampling).
std::optional<Dims> onnxNearestMap(StringRef coordMode, StringRef nearestMode,
                                   int64_t inLen, int64_t outLen,
                                   double scale) {
  Dims map;
  for (int64_t x = 0; x < outLen; ++x) {
    auto source = onnxSourceCoordinate(coordMode, x, inLen, outLen, scale);
    if (!source)
      return std::nullopt;
    double s = *source, rounded;
    if (nearestMode == "round_prefer_floor")
      rounded = s - std::floor(s) == 0.5 ? std::floor(s) : std::round(s);
    else if (nearestMode == "round_prefer_ceil")
      rounded = s - std::floor(s) == 0.5 ? std::ceil(s) : std::round(s);
    else if (nearestMode == "floor")
      rounded = std::floor(s);
    else if (nearestMode == "ceil")
      rounded = std::ceil(s);
    else if (nearestMode == "simple")
      rounded = scale < 1.0 ? std::ceil(s) : std::trunc(s);
    else
      return std::nullopt;
    map.push_back(
        std::clamp<int64_t>(static_cast<int64_t>(rounded), 0, inLen - 1));
  }
  return map;
}

/// What a Resize or Upsample node asks for.
struct ResizeRequest {
  std::string mode;        ///< nearest | linear | cubic
  std::string coordMode;   ///< ONNX coordinate_transformation_mode
  std::string nearestMode; ///< ONNX nearest_mode, or "simple"
  Dims outShape;
  /// Scales used in the coordinate transform (given, or out/in).
  std::vector<double> scales;
};

/// Converts a read request to Top ops once scales and sizes are known.
LogicalResult emitResize(NodeContext &ctx, const ResizeRequest &req) {
  ArrayRef<int64_t> in = ctx.getShape(0);
  int64_t rank = in.size();
  if (rank < 2)
    return ctx.error("input must have rank >= 2");
  for (int64_t d = 0; d < rank - 2; ++d)
    if (req.outShape[d] != in[d])
      return ctx.unsupported(ctx.opType() + " of dims other than the last two");
  if (llvm::is_contained(req.outShape, 0))
    return ctx.unsupported(ctx.opType() + " to an empty tensor");
  if (ArrayRef<int64_t>(req.outShape) == in) {
    // Same size in every mode when the scale is 1 as well.
    if (req.scales[rank - 2] == 1.0 && req.scales[rank - 1] == 1.0) {
      ctx.setOutput(0, ctx.getValue(0));
      return success();
    }
  }
  double scaleH = req.scales[rank - 2], scaleW = req.scales[rank - 1];
  int64_t ih = in[rank - 2], iw = in[rank - 1];
  int64_t oh = req.outShape[rank - 2], ow = req.outShape[rank - 1];
  auto supportedCoord = [](StringRef mode) {
    return llvm::is_contained(
        {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"},
        mode);
  };

  // checkResize let through only nearest and linear, and linear only with
  // coordinate modes Interp has.
  if (req.mode == "linear") {
    // Interp's result type must carry the exact output size.
    FailureOr<Value> result = ctx.create<top::InterpOp>(
        ctx.outputName(0), req.outShape, {ctx.getValue(0)},
        {ctx.attr("mode", "linear"),
         ctx.attr("coord_mode", StringRef(req.coordMode)),
         ctx.attr("scale_h", scaleH), ctx.attr("scale_w", scaleW)});
    if (failed(result))
      return failure();
    ctx.setOutput(0, *result);
    return success();
  }

  auto wantH = onnxNearestMap(req.coordMode, req.nearestMode, ih, oh, scaleH);
  auto wantW = onnxNearestMap(req.coordMode, req.nearestMode, iw, ow, scaleW);
  if (!wantH || !wantW)
    return ctx.unsupported(ctx.opType() + " nearest with coordinate mode '" +
                           req.coordMode + "' and nearest_mode '" +
                           req.nearestMode + "'");
  // Integer factors: top.Upsample reads index x / factor.
  if (oh % ih == 0 && ow % iw == 0) {
    int64_t fh = oh / ih, fw = ow / iw;
    auto upsampleMap = [](int64_t outLen, int64_t factor) {
      Dims map;
      for (int64_t x = 0; x < outLen; ++x)
        map.push_back(x / factor);
      return map;
    };
    if (*wantH == upsampleMap(oh, fh) && *wantW == upsampleMap(ow, fw))
      return ctx.emitAsOutput<top::UpsampleOp>(
          rank, {ctx.getValue(0)},
          {ctx.intAttr("scale_h", fh), ctx.intAttr("scale_w", fw)});
  }
  // Otherwise any Interp coordinate and nearest mode that read the same
  // indices, the requested ones first (tf_half_pixel_for_nn, for one, reads
  // what half_pixel with ceil reads).
  std::vector<std::string> coordModes = {req.coordMode, "asymmetric",
                                         "half_pixel", "align_corners",
                                         "pytorch_half_pixel"};
  std::vector<std::string> nearestModes = {
      req.nearestMode, "round_prefer_floor", "round_prefer_ceil", "floor",
      "ceil"};
  for (const std::string &coord : coordModes) {
    if (!supportedCoord(coord))
      continue;
    for (const std::string &nearest : nearestModes) {
      if (nearest == "simple" ||
          onnxNearestMap(coord, nearest, ih, oh, scaleH) != *wantH ||
          onnxNearestMap(coord, nearest, iw, ow, scaleW) != *wantW)
        continue;
      llvm::SmallVector<NamedAttribute> attrs = {
          ctx.attr("mode", "nearest"), ctx.attr("coord_mode", StringRef(coord)),
          ctx.attr("scale_h", scaleH), ctx.attr("scale_w", scaleW)};
      // Interp's default rounding is left implicit, so that the common
      // exports (half_pixel rounding half down, PyTorch's asymmetric floor)
      // give the same IR as before nearest_mode existed.
      StringRef implicit =
          coord == "asymmetric" ? "floor" : "round_prefer_floor";
      if (nearest != implicit)
        attrs.push_back(ctx.attr("nearest_mode", StringRef(nearest)));
      FailureOr<Value> result = ctx.create<top::InterpOp>(
          ctx.outputName(0), req.outShape, {ctx.getValue(0)}, attrs);
      if (failed(result))
        return failure();
      ctx.setOutput(0, *result);
      return success();
    }
  }
  return ctx.unsupported(ctx.opType() + " nearest_mode '" + req.nearestMode +
                         "' with coordinate mode '" + req.coordMode + "'");
}

/// Output shape and transform scales from scales (given) or sizes.
LogicalResult resolveSizes(NodeContext &ctx, ResizeRequest &req,
                           const std::vector<float> *scales, const Dims *sizes,
                           const Dims &axes) {
  ArrayRef<int64_t> in = ctx.getShape(0);
  int64_t rank = in.size();
  req.outShape.assign(in.begin(), in.end());
  req.scales.assign(rank, 1.0);
  size_t count = scales ? scales->size() : sizes->size();
  if (count != axes.size())
    return ctx.error((scales ? "scales" : "sizes") + llvm::Twine(" has ") +
                     llvm::Twine(count) + " entries for " +
                     llvm::Twine(axes.size()) + " axes");
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t d = axes[i];
    if (scales) {
      double s = (*scales)[i];
      if (!(s > 0))
        return ctx.error("scales must be positive");
      req.scales[d] = s;
      req.outShape[d] =
          static_cast<int64_t>(std::floor(in[d] * static_cast<float>(s)));
    } else {
      req.outShape[d] = (*sizes)[i];
      req.scales[d] = double((*sizes)[i]) / double(in[d]);
    }
  }
  return success();
}

/// Modes top.Interp has no counterpart of.
std::optional<std::string> checkResize(const NodeAttributes &attrs,
                                       StringRef opType, int64_t opset) {
  std::string mode = attrs.getString("mode", "nearest");
  if (opType == "Upsample" && mode == "bilinear")
    mode = "linear";
  if (mode != "nearest" && mode != "linear")
    return (opType + " mode '" + mode + "'").str();
  if (opType != "Resize" || opset < 11)
    return std::nullopt;
  std::string coordMode =
      attrs.getString("coordinate_transformation_mode", "half_pixel");
  if (coordMode == "tf_crop_and_resize")
    return "Resize coordinate mode 'tf_crop_and_resize'";
  // Nearest resizing is matched by the indices it reads (see emitResize);
  // linear needs Interp to have the coordinate mode itself.
  if (mode == "linear" &&
      !llvm::is_contained(
          {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"},
          coordMode))
    return "Resize linear coordinate mode '" + coordMode + "'";
  if (attrs.getInt("antialias", 0) != 0)
    return "Resize antialias=1";
  std::string policy = attrs.getString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch")
    return "Resize keep_aspect_ratio_policy '" + policy + "'";
  return std::nullopt;
}

LogicalResult convertResize(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  ResizeRequest req;
  req.mode = ctx.attrs.getString("mode", "nearest");
  if (ctx.opset < 11) {
    req.coordMode = "asymmetric";
    req.nearestMode = "simple";
  } else {
    req.coordMode =
        ctx.attrs.getString("coordinate_transformation_mode", "half_pixel");
    req.nearestMode = ctx.attrs.getString("nearest_mode", "round_prefer_floor");
  }

  Dims axes;
  if (auto given = ctx.attrs.getInts("axes")) {
    for (int64_t a : *given) {
      auto norm = normalizeAxisValue(a, rank);
      if (!norm)
        return ctx.error("axis " + llvm::Twine(a) + " is out of range");
      axes.push_back(*norm);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }

  unsigned scalesIndex = ctx.opset < 11 ? 1 : 2;
  unsigned sizesIndex = 3;
  std::optional<std::vector<float>> scales;
  std::optional<Dims> sizes;
  if (ctx.hasInput(scalesIndex)) {
    const ConstTensor *c = ctx.getConstant(scalesIndex);
    if (!c)
      return ctx.unsupported("Resize with non-constant scales");
    if (c->numel() > 0)
      scales = c->toFloats();
  }
  if (ctx.opset >= 11 && ctx.hasInput(sizesIndex)) {
    const ConstTensor *c = ctx.getConstant(sizesIndex);
    if (!c)
      return ctx.unsupported("Resize with non-constant sizes");
    if (c->numel() > 0)
      sizes = c->toInts();
  }
  if (!scales && !sizes)
    return ctx.error("needs scales or sizes");
  if (failed(resolveSizes(ctx, req, sizes ? nullptr : &*scales,
                          sizes ? &*sizes : nullptr, axes)))
    return failure();
  return emitResize(ctx, req);
}

LogicalResult convertUpsample(NodeContext &ctx) {
  ResizeRequest req;
  req.mode = ctx.attrs.getString("mode", "nearest");
  if (req.mode == "bilinear")
    req.mode = "linear";
  req.coordMode = "asymmetric";
  req.nearestMode = "simple";
  std::vector<float> scales;
  if (ctx.opset < 9) {
    scales = ctx.attrs.getFloats("scales").value_or(std::vector<float>());
  } else {
    const ConstTensor *c = ctx.getConstant(1);
    if (!c)
      return ctx.unsupported("Upsample with non-constant scales");
    scales = c->toFloats();
  }
  Dims axes;
  for (int64_t d = 0; d < ctx.getRank(0); ++d)
    axes.push_back(d);
  if (failed(resolveSizes(ctx, req, &scales, nullptr, axes)))
    return failure();
  return emitResize(ctx, req);
}

} // namespace

void addResizeConverters(ConverterMap &map) {
  map["Resize"] = {convertResize, checkResize};
  map["Upsample"] = {convertUpsample, checkResize};
}

} // namespace tpuc::onnx_import
