//===- FusePreprocess.cpp - Raw uint8 frames in, preprocessing in the model
//===//
//
// Runs after convert-top-to-tpu: the network input is still f32 and is read
// through casts (to int8 or bf16/f16), or directly in F32 mode. The input
// becomes the frame the camera pipeline delivers; layout, alignment, crop
// and channel order are data movement on the uint8 values, and the
// `(x - mean) * scale` of each cast target becomes one op: a per-channel
// 256-entry table producing the cast's int8 type directly (exact), or a
// per-channel scale in the float type.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Quant/QuantMath.h"
#include "tpuc/Transforms/FunctionTypes.h"
#include "tpuc/Transforms/Passes.h"

#include "llvm/ADT/StringExtras.h"

namespace tpuc::tpu {
#define GEN_PASS_DEF_FUSEPREPROCESS
#include "dialects/Tpu/Passes.h.inc"
} // namespace tpuc::tpu

using namespace mlir;
using namespace tpuc;
using namespace tpuc::tpu;

namespace {

struct FrameFormat {
  StringRef name;
  StringRef pixelOrder;
  bool packed;
  int64_t channels;
};

constexpr FrameFormat kFormats[] = {
    {"RGB_PLANAR", "rgb", false, 3}, {"RGB_PACKED", "rgb", true, 3},
    {"BGR_PLANAR", "bgr", false, 3}, {"BGR_PACKED", "bgr", true, 3},
    {"GRAYSCALE", "gray", false, 1}, {"RGBA_PLANAR", "rgba", false, 4},
};
// Formats tpu-mlir accepts that need a colour-space conversion tpuc does not
// have yet.
constexpr StringLiteral kUnsupported[] = {
    "YUV420_PLANAR", "YUV_NV21", "YUV_NV12", "GBRG_RAW",
    "GRBG_RAW",      "BGGR_RAW", "RGGB_RAW"};

const FrameFormat *lookupFormat(StringRef name) {
  for (const FrameFormat &f : kFormats)
    if (f.name == name)
      return &f;
  return nullptr;
}

/// The format a frame in the model's own pixel order and layout has.
StringRef defaultFormat(StringRef pixelFormat, bool nhwc) {
  if (pixelFormat == "gray")
    return "GRAYSCALE";
  if (pixelFormat == "rgba")
    return "RGBA_PLANAR";
  std::string name = pixelFormat.upper() + (nhwc ? "_PACKED" : "_PLANAR");
  for (const FrameFormat &f : kFormats)
    if (f.name == name)
      return f.name;
  return "";
}

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// One value per channel from a preprocessing attribute (one value, or
/// none meaning `fallback`).
SmallVector<double> perChannel(std::optional<ArrayRef<double>> values,
                               int64_t channels, double fallback) {
  SmallVector<double> out;
  for (int64_t c = 0; c < channels; ++c)
    out.push_back(!values || values->empty()
                      ? fallback
                      : (*values)[values->size() == 1 ? 0 : c]);
  return out;
}

struct FusePreprocessPass
    : tpuc::tpu::impl::FusePreprocessBase<FusePreprocessPass> {
  using FusePreprocessBase::FusePreprocessBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (top::getState(module) != top::State::TPU_LOWERED) {
      module.emitError("fuse-preprocess runs on a lowered module (after "
                       "convert-top-to-tpu)");
      return signalPassFailure();
    }
    const ChipInfo *chip = getChip(module);
    if (align && (!chip || chip->family != ChipFamily::CV18xx)) {
      module.emitError() << "aligned input frames are a CV18xx feature, not "
                            "for "
                         << (chip ? chip->name : StringRef("this chip"));
      return signalPassFailure();
    }
    for (StringRef name : kUnsupported)
      if (customizationFormat == name) {
        module.emitError() << "customization_format " << name
                           << " is not supported yet (supported: "
                           << "RGB_PLANAR, RGB_PACKED, BGR_PLANAR, "
                              "BGR_PACKED, GRAYSCALE, RGBA_PLANAR)";
        return signalPassFailure();
      }
    if (!customizationFormat.empty() && !lookupFormat(customizationFormat)) {
      module.emitError() << "unknown customization_format '"
                         << customizationFormat << "'";
      return signalPassFailure();
    }
    int64_t wAlign = chip && chip->name == "cv183x" ? 32 : 64;
    bool fused = false;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.getBody().empty())
        continue;
      for (auto input : llvm::make_early_inc_range(
               func.getBody().front().getOps<top::InputOp>())) {
        auto result = fuse(module, input, wAlign);
        if (failed(result))
          return signalPassFailure();
        fused |= *result;
      }
      if (failed(updateFunctionType(func)))
        return signalPassFailure();
    }
    if (!fused) {
      module.emitError("--fuse_preprocess needs an image input (one with "
                       "pixel_format and channel_format from model_transform)");
      return signalPassFailure();
    }
  }

  /// Rewrites one input; false when it is not an image input.
  FailureOr<bool> fuse(ModuleOp module, top::InputOp input, int64_t wAlign) {
    std::optional<StringRef> layout = input.getChannelFormat();
    if (!layout || *layout == "none")
      return false;
    StringRef pixelFormat = input.getPixelFormat().value_or("bgr");
    bool nhwc = *layout == "nhwc";
    auto type = cast<RankedTensorType>(input.getOutput().getType());
    if (type.getRank() != 4)
      return input.emitOpError("preprocessing fusion needs a rank-4 input");
    ArrayRef<int64_t> shape = type.getShape();
    int64_t n = shape[0], c = nhwc ? shape[3] : shape[1];
    int64_t h = nhwc ? shape[1] : shape[2], w = nhwc ? shape[2] : shape[3];
    StringRef formatName = customizationFormat.empty()
                               ? defaultFormat(pixelFormat, nhwc)
                               : StringRef(customizationFormat);
    const FrameFormat *format = lookupFormat(formatName);
    if (!format)
      return input.emitOpError() << "has pixel_format '" << pixelFormat
                                 << "', which no frame format matches";
    if (format->channels != c)
      return input.emitOpError()
             << "has " << c << " channels but customization_format "
             << format->name << " has " << format->channels;
    bool swap = format->pixelOrder != pixelFormat;
    if (swap && !((format->pixelOrder == "rgb" && pixelFormat == "bgr") ||
                  (format->pixelOrder == "bgr" && pixelFormat == "rgb")))
      return input.emitOpError() << "cannot convert " << format->name
                                 << " frames to " << pixelFormat;
    int64_t fh = h, fw = w;
    if (auto dims = input.getResizeDims()) {
      fh = std::max(h, (*dims)[0]);
      fw = std::max(w, (*dims)[1]);
    }

    MLIRContext *ctx = module.getContext();
    auto u8 = quant::UniformQuantizedType::get(
        0, IntegerType::get(ctx, 8), Float32Type::get(ctx), 1.0, 0, 0, 255);
    SmallVector<int64_t> frameShape;
    if (format->packed)
      frameShape = align ? SmallVector<int64_t>{n, fh, alignUp(fw * c, wAlign)}
                         : SmallVector<int64_t>{n, fh, fw, c};
    else
      frameShape = align ? SmallVector<int64_t>{n, c, fh, alignUp(fw, wAlign)}
                         : SmallVector<int64_t>{n, c, fh, fw};

    // The casts (or direct uses) that read the f32 input today.
    Value value = input.getOutput();
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : value.getUses())
      uses.push_back(&use);
    value.setType(RankedTensorType::get(frameShape, u8));
    if (auto arg = dyn_cast<BlockArgument>(input.getInput()))
      arg.setType(value.getType());
    std::string name = top::getOpName(input);
    // The input is no longer a preprocessed image but the frame itself:
    // its mean and scale moved into the model, its layout is the frame's.
    SmallVector<double> mean = perChannel(input.getMean(), c, 0.0);
    SmallVector<double> scale = perChannel(input.getScale(), c, 1.0);
    input.removeMeanAttr();
    input.removeScaleAttr();
    input.setChannelFormat(StringRef("none"));
    input.setPixelFormat(format->pixelOrder);
    input->setAttr("tpu.customization_format",
                   StringAttr::get(ctx, format->name));
    input->setAttr("tpu.aligned", BoolAttr::get(ctx, align));
    OpBuilder b(ctx);
    input->setAttr("tpu.frame_dims", b.getDenseI64ArrayAttr({fh, fw}));
    input->setAttr("tpu.image_dims", b.getDenseI64ArrayAttr({h, w}));
    b.setInsertionPointAfter(input);

    int step = 0;
    auto loc = [&](StringRef what) {
      return top::makeNameLoc(ctx, name + "_preprocess_" + what.str() + "_" +
                                       std::to_string(step++));
    };
    auto u8Tensor = [&](ArrayRef<int64_t> dims) {
      return RankedTensorType::get(dims, u8);
    };
    Value x = value;
    if (align && format->packed) {
      x = b.create<SliceOp>(
          loc("unalign"), u8Tensor({n, fh, fw * c}), x,
          b.getDenseI64ArrayAttr({0}), b.getDenseI64ArrayAttr({fw * c}),
          b.getDenseI64ArrayAttr({1}), b.getDenseI64ArrayAttr({2}));
      x = b.create<ReshapeOp>(loc("unpack"), u8Tensor({n, fh, fw, c}), x);
    } else if (align) {
      x = b.create<SliceOp>(
          loc("unalign"), u8Tensor({n, c, fh, fw}), x,
          b.getDenseI64ArrayAttr({0}), b.getDenseI64ArrayAttr({fw}),
          b.getDenseI64ArrayAttr({1}), b.getDenseI64ArrayAttr({3}));
    }
    if (format->packed)
      x = b.create<PermuteOp>(loc("planar"), u8Tensor({n, c, fh, fw}), x,
                              b.getDenseI64ArrayAttr({0, 3, 1, 2}));
    if (fh != h || fw != w) {
      int64_t top = (fh - h) / 2, left = (fw - w) / 2;
      x = b.create<SliceOp>(loc("crop"), u8Tensor({n, c, h, w}), x,
                            b.getDenseI64ArrayAttr({top, left}),
                            b.getDenseI64ArrayAttr({top + h, left + w}),
                            b.getDenseI64ArrayAttr({1, 1}),
                            b.getDenseI64ArrayAttr({2, 3}));
    }
    if (swap)
      x = b.create<SwapChannelOp>(loc("swap"), u8Tensor({n, c, h, w}), x,
                                  b.getDenseI64ArrayAttr({2, 1, 0}));

    // One conversion per distinct target type the readers want.
    llvm::DenseMap<Type, Value> converted;
    for (OpOperand *use : uses) {
      Operation *user = use->getOwner();
      auto cast = dyn_cast<CastOp>(user);
      Type target = cast ? cast.getOutput().getType() : Type(type);
      Value &out = converted[target];
      if (!out) {
        Location finalLoc = cast ? cast->getLoc() : loc("scale");
        out = convert(module, b, x, target, nhwc, mean, scale, finalLoc, name);
      }
      if (cast) {
        cast.getOutput().replaceAllUsesWith(out);
        cast->erase();
      } else {
        use->set(out);
      }
    }
    return true;
  }

  /// uint8 NCHW pixels to `target` (the type a cast produced, in the
  /// model's layout): a table for int8 targets, cast and scale for floats.
  Value convert(ModuleOp module, OpBuilder &b, Value x, Type target, bool nhwc,
                ArrayRef<double> mean, ArrayRef<double> scale, Location loc,
                StringRef name) {
    MLIRContext *ctx = module.getContext();
    auto targetType = cast<RankedTensorType>(target);
    ArrayRef<int64_t> nchw = cast<RankedTensorType>(x.getType()).getShape();
    int64_t c = nchw[1];
    Type element = targetType.getElementType();
    auto nchwType = RankedTensorType::get(nchw, element);
    Location stepLoc =
        nhwc ? top::makeNameLoc(ctx, name.str() + "_preprocess_nchw") : loc;
    top::WeightStore *store = top::getWeightStore(module);
    auto weightName = [&](StringRef what) {
      std::string base = name.str() + "_preprocess_" + what.str();
      std::string unique = base;
      for (int i = 1; store && store->contains(unique); ++i)
        unique = base + "_" + std::to_string(i);
      return unique;
    };
    Value out;
    if (auto q = getUniformType(target)) {
      std::vector<int64_t> table;
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t v = 0; v < 256; ++v) {
          double real = (double(v) - mean[ch]) * scale[ch];
          int64_t code =
              quantmath::roundToInt(real / q.getScale(),
                                    quantmath::RoundMode::HalfAwayFromZero) +
              q.getZeroPoint();
          table.push_back(quantmath::saturate(code, q.getStorageTypeMin(),
                                              q.getStorageTypeMax()));
        }
      Type tableElement = IntegerType::get(
          ctx, 8, q.isSigned() ? IntegerType::Signed : IntegerType::Unsigned);
      Value weight =
          createWeight(b, module, weightName("table"), {c, 256}, tableElement,
                       makeInt8Array(table, !q.isSigned()));
      out = b.create<ScaleLutOp>(stepLoc, nchwType, x, weight);
    } else {
      FloatType f = getFloatType(target);
      std::vector<float> s, bias;
      for (int64_t ch = 0; ch < c; ++ch) {
        s.push_back(static_cast<float>(scale[ch]));
        bias.push_back(static_cast<float>(-mean[ch] * scale[ch]));
      }
      auto array = [&](ArrayRef<float> values) {
        return f.isBF16()  ? makeBf16Array(values)
               : f.isF16() ? makeF16Array(values)
                           : NpyArray::fromFloat(values, {c});
      };
      Value scaleW =
          createWeight(b, module, weightName("scale"), {c}, f, array(s));
      Value biasW =
          createWeight(b, module, weightName("bias"), {c}, f, array(bias));
      Value pixels = b.create<CastOp>(
          top::makeNameLoc(ctx, name.str() + "_preprocess_pixels"),
          RankedTensorType::get(nchw, f), x, b.getStringAttr("HalfToEven"));
      out = b.create<ScaleOp>(stepLoc, nchwType, pixels, scaleW, biasW);
    }
    if (nhwc)
      out = b.create<PermuteOp>(loc, target, out,
                                b.getDenseI64ArrayAttr({0, 2, 3, 1}));
    return out;
  }
};

} // namespace
