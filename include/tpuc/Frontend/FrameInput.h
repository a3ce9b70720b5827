//===- FrameInput.h - Frames for fused-preprocess inputs --------*- C++ -*-===//
//
// After model_deploy --fuse_preprocess a network input takes the camera's
// uint8 frame (`tpu.customization_format`, `tpu.frame_dims`, ...) and the
// model does the rest. model_deploy validates such a model on a test image
// and model_eval evaluates it on a dataset; both build the frame here, the
// way the camera pipeline would deliver the image.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_FRONTEND_FRAMEINPUT_H
#define TPUC_FRONTEND_FRAMEINPUT_H

#include "tpuc/Frontend/OnnxImporter.h"
#include "tpuc/Support/Npz.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace tpuc {

namespace top {
class InputOp;
} // namespace top

/// What a fused input takes.
struct FrameInput {
  /// RGB_PACKED, BGR_PLANAR, ...
  std::string format;
  /// Pixels interleaved (h, w, c) rather than in planes (c, h, w).
  bool packed = false;
  /// Rows padded to the chip's alignment.
  bool aligned = false;
  /// The image is resized into the frame (frameDims) as `resize` says,
  /// then the model crops the centre imageDims; both are (height, width).
  /// imageDims is empty in models fused before tpuc recorded it.
  std::vector<int64_t> frameDims, imageDims;
  /// Pixel order, letterboxing and padding of that resize; no mean/scale
  /// (the model applies them).
  InputPreprocess resize;
  /// The input's shape, padding included.
  std::vector<int64_t> shape;
};

/// The frame description of `input`; nullopt when it is not fused, an
/// error naming the input when its attributes are incomplete.
llvm::Expected<std::optional<FrameInput>> getFrameInput(top::InputOp input);

/// The frame for the image at `path`: uint8 values (as f32) in the frame's
/// channel order and layout, rows padded when aligned. Errors name the file.
llvm::Expected<NpyArray> loadFrame(llvm::StringRef path,
                                   const FrameInput &frame);

} // namespace tpuc

#endif // TPUC_FRONTEND_FRAMEINPUT_H
