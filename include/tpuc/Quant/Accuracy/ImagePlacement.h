//===- ImagePlacement.h - Where preprocessing put an image ------*- C++ -*-===//
//
// Detections come out in network-input pixels; labels are in the original
// image's. The preprocessing of a `top.Input` (lib/Frontend/ImagePreprocess)
// resizes the image (stretched, or letterboxed on a padded canvas with
// keep_aspect_ratio) to resize_dims and centre-crops it to the input size;
// this is the same arithmetic, inverted, so boxes can be mapped back.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_ACCURACY_IMAGEPLACEMENT_H
#define TPUC_QUANT_ACCURACY_IMAGEPLACEMENT_H

#include "tpuc/Quant/Accuracy/Detection.h"

#include <cstdint>

namespace tpuc::accuracy {

/// input = image * scale + offset, per axis.
struct ImagePlacement {
  int64_t imageHeight = 0, imageWidth = 0;
  double scaleX = 1, scaleY = 1;
  double offsetX = 0, offsetY = 0;

  /// A box in input pixels as a box of the original image, clipped to it.
  Box toImage(const Box &inputBox) const;
};

/// The placement of an `imageHeight` x `imageWidth` image resized to
/// `resizeHeight` x `resizeWidth` (letterboxed when `keepAspectRatio`) and
/// centre-cropped to `inputHeight` x `inputWidth`.
ImagePlacement computeImagePlacement(int64_t imageHeight, int64_t imageWidth,
                                     int64_t resizeHeight, int64_t resizeWidth,
                                     int64_t inputHeight, int64_t inputWidth,
                                     bool keepAspectRatio);

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_IMAGEPLACEMENT_H
