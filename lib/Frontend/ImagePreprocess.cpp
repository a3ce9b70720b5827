//===- ImagePreprocess.cpp - Test inputs from images and numpy files ------===//
//
// The image steps follow tpu-mlir's python reference exactly, including its
// integer details, so that a tensor computed here matches one computed there:
// the resize works on 8-bit pixels (as cv2 does on the decoded image), the
// letterbox size truncates `side * scale`, the padding offset and the centre
// crop start round down, and mean and scale are applied in float32 after the
// channel reorder.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Frontend/ImagePreprocess.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

using namespace llvm;

namespace tpuc {

template <typename... Ts>
static Error makeError(const char *format, const Ts &...values) {
  return createStringError(inconvertibleErrorCode(), format, values...);
}

int64_t pixelFormatChannels(StringRef pixelFormat) {
  return StringSwitch<int64_t>(pixelFormat)
      .Cases("rgb", "bgr", 3)
      .Case("gray", 1)
      .Case("rgba", 4)
      .Default(0);
}

bool isNumpyFile(StringRef path) {
  std::string ext = sys::path::extension(path).lower();
  return ext == ".npy" || ext == ".npz";
}

namespace {
/// Where batch, channel, height and width sit in an image input's shape.
struct ImageLayout {
  bool hasBatch = true;
  bool nhwc = false;
  int64_t batch = 1, channels = 0, height = 0, width = 0;
};
} // namespace

static std::string joinDims(ArrayRef<int64_t> dims) {
  return join(map_range(dims, [](int64_t d) { return std::to_string(d); }),
              ",");
}

static Expected<ImageLayout> getImageLayout(const InputPreprocess &pre,
                                            ArrayRef<int64_t> shape) {
  if (pixelFormatChannels(pre.pixelFormat) == 0)
    return makeError("unknown pixel_format '%s' (expected rgb, bgr, gray or "
                     "rgba)",
                     pre.pixelFormat.c_str());
  if (pre.channelFormat == "none")
    return makeError("the input is not an image (channel_format is none)");
  if (pre.channelFormat != "nchw" && pre.channelFormat != "nhwc")
    return makeError("unknown channel_format '%s' (expected nchw, nhwc or "
                     "none)",
                     pre.channelFormat.c_str());
  std::string shapeText = top::shapeToString(shape);
  if (shape.size() != 3 && shape.size() != 4)
    return makeError("an image input needs rank 3 or 4, got shape %s",
                     shapeText.c_str());
  if (llvm::any_of(shape, [](int64_t d) { return d <= 0; }))
    return makeError("image input shape %s is not static", shapeText.c_str());
  ImageLayout layout;
  layout.hasBatch = shape.size() == 4;
  layout.nhwc = pre.channelFormat == "nhwc";
  ArrayRef<int64_t> chw = shape.take_back(3);
  layout.batch = layout.hasBatch ? shape[0] : 1;
  layout.channels = layout.nhwc ? chw[2] : chw[0];
  layout.height = layout.nhwc ? chw[0] : chw[1];
  layout.width = layout.nhwc ? chw[1] : chw[2];
  return layout;
}

Error checkPreprocess(const InputPreprocess &pre, ArrayRef<int64_t> shape) {
  auto layout = getImageLayout(pre, shape);
  if (!layout)
    return layout.takeError();
  int64_t channels = pixelFormatChannels(pre.pixelFormat);
  if (layout->channels != channels)
    return makeError("pixel_format '%s' has %d channel(s) but input shape %s "
                     "has %d in %s layout",
                     pre.pixelFormat.c_str(), static_cast<int>(channels),
                     top::shapeToString(shape).c_str(),
                     static_cast<int>(layout->channels),
                     pre.channelFormat.c_str());
  if (!pre.resizeDims.empty()) {
    if (pre.resizeDims.size() != 2 ||
        llvm::any_of(pre.resizeDims, [](int64_t d) { return d <= 0; }))
      return makeError("resize_dims must be two positive sizes (h,w), got %s",
                       joinDims(pre.resizeDims).c_str());
    if (pre.resizeDims[0] < layout->height || pre.resizeDims[1] < layout->width)
      return makeError("resize_dims %s are smaller than the input's %d,%d "
                       "(the resized image is centre-cropped to them)",
                       joinDims(pre.resizeDims).c_str(),
                       static_cast<int>(layout->height),
                       static_cast<int>(layout->width));
  }
  if (pre.padValue < 0 || pre.padValue > 255)
    return makeError("pad_value must be in 0..255, got %lld",
                     static_cast<long long>(pre.padValue));
  for (auto [name, values] :
       {std::pair<const char *, const std::vector<double> *>{"mean", &pre.mean},
        {"scale", &pre.scale}})
    if (values->size() > 1 && static_cast<int64_t>(values->size()) != channels)
      return makeError("%s has %d values but pixel_format '%s' has %d "
                       "channel(s)",
                       name, static_cast<int>(values->size()),
                       pre.pixelFormat.c_str(), static_cast<int>(channels));
  return Error::success();
}

/// Value of channel `c` of a per-channel list: empty = `fallback`, a single
/// value applies to every channel.
static float channelValue(const std::vector<double> &values, int64_t c,
                          float fallback) {
  if (values.empty())
    return fallback;
  return static_cast<float>(values.size() == 1 ? values[0] : values[c]);
}

/// cv::imread's result as 8-bit RGBA: images with alpha have it reordered,
/// images without get an opaque one.
static Expected<cv::Mat> toRgba(const cv::Mat &image, StringRef path) {
  if (image.depth() != CV_8U)
    return makeError("%s: only 8-bit images can be read as rgba",
                     path.str().c_str());
  cv::Mat rgba;
  switch (image.channels()) {
  case 4:
    cv::cvtColor(image, rgba, cv::COLOR_BGRA2RGBA);
    break;
  case 3:
    cv::cvtColor(image, rgba, cv::COLOR_BGR2RGBA);
    break;
  case 1:
    cv::cvtColor(image, rgba, cv::COLOR_GRAY2RGBA);
    break;
  default:
    return makeError("%s: cannot read a %d-channel image as rgba",
                     path.str().c_str(), image.channels());
  }
  return rgba;
}

/// Resizes to `height` x `width`: a plain stretch, or the whole image scaled
/// to fit and centred on a `padValue` canvas.
static cv::Mat resizeImage(const cv::Mat &image, int height, int width,
                           bool keepAspectRatio, int padValue) {
  cv::Mat resized;
  if (!keepAspectRatio) {
    cv::resize(image, resized, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    return resized;
  }
  double scale = std::min(static_cast<double>(width) / image.cols,
                          static_cast<double>(height) / image.rows);
  int scaledWidth = std::max(1, static_cast<int>(image.cols * scale));
  int scaledHeight = std::max(1, static_cast<int>(image.rows * scale));
  cv::resize(image, resized, cv::Size(scaledWidth, scaledHeight), 0, 0,
             cv::INTER_LINEAR);
  cv::Mat canvas(height, width, image.type(), cv::Scalar::all(padValue));
  int left = (width - scaledWidth) / 2;
  int top = (height - scaledHeight) / 2;
  resized.copyTo(canvas(cv::Rect(left, top, scaledWidth, scaledHeight)));
  return canvas;
}

namespace {
/// Codec libraries (libpng, libjpeg) print their own messages to stderr
/// before OpenCV reports a failure; callers report one error instead. The
/// lock keeps concurrent decodes from restoring the wrong descriptor.
class SilencedStderr {
public:
  SilencedStderr() : lock_(mutex()) {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDERR_FILENO);
      close(null);
    }
  }
  ~SilencedStderr() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      dup2(saved_, STDERR_FILENO);
      close(saved_);
    }
  }

private:
  static std::mutex &mutex() {
    static std::mutex instance;
    return instance;
  }
  std::lock_guard<std::mutex> lock_;
  int saved_ = -1;
};
/// cv::imread with the flags of the pixel format, codec chatter silenced.
cv::Mat decodeSilently(const std::string &file, StringRef pixelFormat) {
  int flags = pixelFormat == "gray"   ? cv::IMREAD_GRAYSCALE
              : pixelFormat == "rgba" ? cv::IMREAD_UNCHANGED
                                      : cv::IMREAD_COLOR;
  SilencedStderr silenced;
  return cv::imread(file, flags);
}
} // namespace

Expected<std::pair<int64_t, int64_t>> decodedImageSize(StringRef path,
                                                       StringRef pixelFormat) {
  std::string file = path.str();
  cv::Mat image;
  try {
    image = decodeSilently(file, pixelFormat);
  } catch (const cv::Exception &e) {
    return makeError("%s: %s", file.c_str(), e.err.c_str());
  }
  if (image.empty())
    return makeError("%s: cannot read the image", file.c_str());
  return std::pair<int64_t, int64_t>{image.rows, image.cols};
}

/// Decodes and resizes; OpenCV failures become errors naming the file.
static Expected<cv::Mat> readAndResize(StringRef path,
                                       const InputPreprocess &pre,
                                       const ImageLayout &layout) {
  std::string file = path.str();
  if (!sys::fs::exists(path))
    return makeError("%s: no such file", file.c_str());
  if (sys::fs::is_directory(path))
    return makeError("%s: is a directory, not an image", file.c_str());
  try {
    cv::Mat image = decodeSilently(file, pre.pixelFormat);
    if (image.empty())
      return makeError("%s: cannot read the image (not an image file, "
                       "unsupported format or corrupt)",
                       file.c_str());
    if (pre.pixelFormat == "rgba") {
      auto rgba = toRgba(image, path);
      if (!rgba)
        return rgba.takeError();
      image = *rgba;
    }
    int height = pre.resizeDims.empty() ? layout.height : pre.resizeDims[0];
    int width = pre.resizeDims.empty() ? layout.width : pre.resizeDims[1];
    cv::Mat resized = resizeImage(image, height, width, pre.keepAspectRatio,
                                  static_cast<int>(pre.padValue));
    // Centre crop to the input's size when resize_dims are larger.
    int top = height / 2 - static_cast<int>(layout.height) / 2;
    int left = width / 2 - static_cast<int>(layout.width) / 2;
    return resized(cv::Rect(left, top, layout.width, layout.height));
  } catch (const cv::Exception &e) {
    return makeError("%s: %s", file.c_str(), e.err.c_str());
  }
}

Expected<NpyArray> preprocessImage(StringRef path, const InputPreprocess &pre,
                                   ArrayRef<int64_t> inputShape) {
  if (Error err = checkPreprocess(pre, inputShape))
    return makeError("%s: %s", path.str().c_str(),
                     toString(std::move(err)).c_str());
  ImageLayout layout = *getImageLayout(pre, inputShape);
  auto image = readAndResize(path, pre, layout);
  if (!image)
    return image.takeError();

  const int64_t channels = layout.channels;
  const int64_t height = layout.height;
  const int64_t width = layout.width;
  // imread yields BGR: rgb reverses the channels; bgr, gray and the already
  // reordered rgba keep them.
  const bool reverse = pre.pixelFormat == "rgb";
  std::vector<float> mean(channels), scale(channels);
  for (int64_t c = 0; c < channels; ++c) {
    mean[c] = channelValue(pre.mean, c, 0.0f);
    scale[c] = channelValue(pre.scale, c, 1.0f);
  }

  const int64_t imageSize = channels * height * width;
  std::vector<float> data(layout.batch * imageSize);
  for (int64_t h = 0; h < height; ++h) {
    const uint8_t *row = image->ptr<uint8_t>(static_cast<int>(h));
    for (int64_t w = 0; w < width; ++w) {
      for (int64_t c = 0; c < channels; ++c) {
        int64_t source = reverse ? channels - 1 - c : c;
        float pixel = static_cast<float>(row[w * channels + source]);
        int64_t index = layout.nhwc ? (h * width + w) * channels + c
                                    : (c * height + h) * width + w;
        data[index] = (pixel - mean[c]) * scale[c];
      }
    }
  }
  // A single image fills every batch entry.
  for (int64_t n = 1; n < layout.batch; ++n)
    std::copy_n(data.begin(), imageSize, data.begin() + n * imageSize);
  return NpyArray::fromFloat(data, inputShape);
}

/// The array of a .npy file, or the one named `inputName` (or the only one)
/// of an .npz file; `arrayName` receives the name used.
static Expected<NpyArray> readNumpyArray(StringRef path, StringRef inputName,
                                         std::string &arrayName) {
  arrayName = inputName.str();
  if (sys::path::extension(path).lower() == ".npy")
    return readNpy(path);
  auto reader = NpzReader::open(path);
  if (!reader)
    return reader.takeError();
  const std::vector<std::string> &names = (*reader)->names();
  if (!(*reader)->contains(inputName)) {
    if (names.size() != 1)
      return makeError("%s: no array for input '%s' (it has: %s)",
                       path.str().c_str(), arrayName.c_str(),
                       join(names, ", ").c_str());
    arrayName = names.front();
  }
  return (*reader)->read(arrayName);
}

Expected<NpyArray> loadNumpyInput(StringRef path, StringRef inputName,
                                  ArrayRef<int64_t> inputShape) {
  std::string arrayName;
  auto array = readNumpyArray(path, inputName, arrayName);
  if (!array)
    return array.takeError();
  int64_t expected = 1;
  for (int64_t d : inputShape)
    expected *= d;
  if (array->numel() != expected)
    return makeError("%s: array '%s' has shape %s but input '%s' has shape %s",
                     path.str().c_str(), arrayName.c_str(),
                     top::shapeToString(array->shape).c_str(),
                     inputName.str().c_str(),
                     top::shapeToString(inputShape).c_str());
  array->shape.assign(inputShape.begin(), inputShape.end());
  return array;
}

Expected<NpyArray> loadTestInput(StringRef path, StringRef inputName,
                                 const InputPreprocess &pre,
                                 ArrayRef<int64_t> inputShape) {
  if (isNumpyFile(path))
    return loadNumpyInput(path, inputName, inputShape);
  return preprocessImage(path, pre, inputShape);
}

std::optional<InputPreprocess> getInputPreprocess(top::InputOp op) {
  std::optional<StringRef> channelFormat = op.getChannelFormat();
  if (!channelFormat || *channelFormat == "none")
    return std::nullopt;
  InputPreprocess pre;
  pre.channelFormat = channelFormat->str();
  if (std::optional<StringRef> pixelFormat = op.getPixelFormat())
    pre.pixelFormat = pixelFormat->str();
  if (std::optional<ArrayRef<int64_t>> dims = op.getResizeDims())
    pre.resizeDims.assign(dims->begin(), dims->end());
  pre.keepAspectRatio = op.getKeepAspectRatio();
  pre.padValue = op.getPadValue();
  if (std::optional<ArrayRef<double>> mean = op.getMean())
    pre.mean.assign(mean->begin(), mean->end());
  if (std::optional<ArrayRef<double>> scale = op.getScale())
    pre.scale.assign(scale->begin(), scale->end());
  return pre;
}

} // namespace tpuc
