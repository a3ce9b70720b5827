//===- ImagePreprocess.h - Test inputs from images and numpy files -*- C++ -*-//
//
// Turns a test input file into the tensor a network input expects. Images go
// through the same steps as tpu-mlir's reference preprocessing (so results
// can be compared with models converted there): read with OpenCV, resize
// (stretch, or letterbox with keep_aspect_ratio), centre-crop to the input's
// height and width, reorder channels, `(x - mean) * scale`, lay out as
// nchw/nhwc and repeat over the batch. `.npy`/`.npz` files are used as is.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_FRONTEND_IMAGEPREPROCESS_H
#define TPUC_FRONTEND_IMAGEPREPROCESS_H

#include "tpuc/Frontend/OnnxImporter.h"
#include "tpuc/Support/Npz.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <utility>

namespace tpuc {

namespace top {
class InputOp;
} // namespace top

/// Number of channels a pixel format has: gray 1, rgba 4, rgb/bgr 3; 0 for
/// an unknown format.
int64_t pixelFormatChannels(llvm::StringRef pixelFormat);

/// Whether `path` is a numpy file (.npy or .npz) rather than an image.
bool isNumpyFile(llvm::StringRef path);

/// Checks that `pre` can produce a tensor of `inputShape` (rank 4 with a
/// batch, or rank 3 without; channel count matching the pixel format; resize
/// dims no smaller than the input's; one or per-channel mean/scale values).
llvm::Error checkPreprocess(const InputPreprocess &pre,
                            llvm::ArrayRef<int64_t> inputShape);

/// Reads the image at `path` and converts it to an f32 array of
/// `inputShape`. Errors name the file.
llvm::Expected<NpyArray> preprocessImage(llvm::StringRef path,
                                         const InputPreprocess &pre,
                                         llvm::ArrayRef<int64_t> inputShape);

/// The height and width of the image at `path` as preprocessImage decodes
/// it (same flags, so EXIF orientation applies alike). Errors name the file.
llvm::Expected<std::pair<int64_t, int64_t>>
decodedImageSize(llvm::StringRef path, llvm::StringRef pixelFormat);

/// Reads the array for input `inputName` from a .npy file, or from an .npz
/// file (the array of that name, or its only array), reshaped to
/// `inputShape` (the element count must match). The dtype is kept.
llvm::Expected<NpyArray> loadNumpyInput(llvm::StringRef path,
                                        llvm::StringRef inputName,
                                        llvm::ArrayRef<int64_t> inputShape);

/// `loadNumpyInput` for numpy files, `preprocessImage` for anything else.
llvm::Expected<NpyArray> loadTestInput(llvm::StringRef path,
                                       llvm::StringRef inputName,
                                       const InputPreprocess &pre,
                                       llvm::ArrayRef<int64_t> inputShape);

/// The preprocessing recorded on a `top.Input`, or nullopt when it has no
/// image description (no channel_format, or channel_format "none").
std::optional<InputPreprocess> getInputPreprocess(top::InputOp op);

} // namespace tpuc

#endif // TPUC_FRONTEND_IMAGEPREPROCESS_H
