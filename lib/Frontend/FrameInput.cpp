//===- FrameInput.cpp - Frames for inputs fused with their preprocessing --===//

#include "tpuc/Frontend/FrameInput.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Frontend/ImagePreprocess.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace tpuc {

Expected<std::optional<FrameInput>> getFrameInput(top::InputOp input) {
  auto format =
      input->getAttrOfType<mlir::StringAttr>("tpu.customization_format");
  if (!format)
    return std::optional<FrameInput>();
  auto frameDims =
      input->getAttrOfType<mlir::DenseI64ArrayAttr>("tpu.frame_dims");
  auto imageDims =
      input->getAttrOfType<mlir::DenseI64ArrayAttr>("tpu.image_dims");
  auto aligned = input->getAttrOfType<mlir::BoolAttr>("tpu.aligned");
  auto type = dyn_cast<mlir::RankedTensorType>(input.getOutput().getType());
  std::string pixelFormat = input.getPixelFormat().value_or("bgr").str();
  if (!frameDims || frameDims.size() != 2 || !type || !type.hasStaticShape() ||
      type.getRank() == 0 || pixelFormatChannels(pixelFormat) == 0)
    return createStringError(inconvertibleErrorCode(),
                             "input '" + top::getOpName(input) +
                                 "' has no frame description");
  FrameInput frame;
  frame.format = format.getValue().str();
  frame.packed = StringRef(frame.format).ends_with("_PACKED");
  frame.aligned = aligned && aligned.getValue();
  frame.frameDims.assign(frameDims.asArrayRef().begin(),
                         frameDims.asArrayRef().end());
  // Left empty for models fused before the crop was recorded.
  if (imageDims && imageDims.size() == 2)
    frame.imageDims.assign(imageDims.asArrayRef().begin(),
                           imageDims.asArrayRef().end());
  frame.resize.pixelFormat = pixelFormat;
  frame.resize.channelFormat = frame.packed ? "nhwc" : "nchw";
  frame.resize.keepAspectRatio = input.getKeepAspectRatio();
  frame.resize.padValue = input.getPadValue();
  frame.resize.resizeDims = frame.frameDims;
  frame.shape.assign(type.getShape().begin(), type.getShape().end());
  return std::optional<FrameInput>(std::move(frame));
}

Expected<NpyArray> loadFrame(StringRef path, const FrameInput &frame) {
  int64_t n = frame.shape[0];
  int64_t c = pixelFormatChannels(frame.resize.pixelFormat);
  int64_t h = frame.frameDims[0], w = frame.frameDims[1];
  std::vector<int64_t> logical = frame.packed
                                     ? std::vector<int64_t>{n, h, w, c}
                                     : std::vector<int64_t>{n, c, h, w};
  auto image = preprocessImage(path, frame.resize, logical);
  if (!image)
    return image.takeError();
  std::vector<float> pixels = image->toFloat();
  for (float &v : pixels)
    v = std::clamp(std::round(v), 0.0f, 255.0f);
  // Rows of (w * c) packed bytes, or of w bytes per plane, padded to the
  // frame's row length.
  int64_t row = frame.packed ? w * c : w;
  int64_t rows = frame.packed ? n * h : n * c * h;
  int64_t stride = frame.aligned ? frame.shape.back() : row;
  int64_t total = 1;
  for (int64_t d : frame.shape)
    total *= d;
  if (stride < row || rows * stride != total)
    return createStringError(inconvertibleErrorCode(),
                             "the frame's shape does not hold its " + Twine(h) +
                                 "x" + Twine(w) + " pixels");
  std::vector<float> data(rows * stride, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    std::copy(pixels.begin() + r * row, pixels.begin() + (r + 1) * row,
              data.begin() + r * stride);
  return NpyArray::fromFloat(data, frame.shape);
}

} // namespace tpuc
