//===- ImagePlacement.cpp - Where preprocessing put an image --------------===//
//
// Mirrors resizeImage and readAndResize of lib/Frontend/ImagePreprocess.cpp:
// the letterbox scale is min(W / w, H / h), the scaled size truncates (at
// least 1 pixel), the padding offsets and the crop start round down. The
// resize maps pixel edges linearly, so in continuous coordinates each axis
// scales by scaled size / original size.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Accuracy/ImagePlacement.h"

#include <algorithm>

namespace tpuc::accuracy {

ImagePlacement computeImagePlacement(int64_t imageHeight, int64_t imageWidth,
                                     int64_t resizeHeight, int64_t resizeWidth,
                                     int64_t inputHeight, int64_t inputWidth,
                                     bool keepAspectRatio) {
  ImagePlacement placement;
  placement.imageHeight = imageHeight;
  placement.imageWidth = imageWidth;
  if (imageHeight <= 0 || imageWidth <= 0)
    return placement;
  int64_t scaledWidth = resizeWidth, scaledHeight = resizeHeight;
  int64_t left = 0, top = 0;
  if (keepAspectRatio) {
    double scale = std::min(static_cast<double>(resizeWidth) / imageWidth,
                            static_cast<double>(resizeHeight) / imageHeight);
    scaledWidth = std::max<int64_t>(1, static_cast<int>(imageWidth * scale));
    scaledHeight = std::max<int64_t>(1, static_cast<int>(imageHeight * scale));
    left = (resizeWidth - scaledWidth) / 2;
    top = (resizeHeight - scaledHeight) / 2;
  }
  int64_t cropTop = resizeHeight / 2 - inputHeight / 2;
  int64_t cropLeft = resizeWidth / 2 - inputWidth / 2;
  placement.scaleX = static_cast<double>(scaledWidth) / imageWidth;
  placement.scaleY = static_cast<double>(scaledHeight) / imageHeight;
  placement.offsetX = static_cast<double>(left - cropLeft);
  placement.offsetY = static_cast<double>(top - cropTop);
  return placement;
}

Box ImagePlacement::toImage(const Box &b) const {
  auto mapX = [&](float x) {
    double v = (x - offsetX) / scaleX;
    return static_cast<float>(std::clamp<double>(v, 0.0, imageWidth));
  };
  auto mapY = [&](float y) {
    double v = (y - offsetY) / scaleY;
    return static_cast<float>(std::clamp<double>(v, 0.0, imageHeight));
  };
  return Box{mapX(b.x1), mapY(b.y1), mapX(b.x2), mapY(b.y2)};
}

} // namespace tpuc::accuracy
