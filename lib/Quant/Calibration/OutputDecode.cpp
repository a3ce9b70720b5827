//===- OutputDecode.cpp - Thresholds of outputs read through a decode -----===//

#include "tpuc/Quant/Calibration/OutputDecode.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Quant/Calibration/Dataset.h"
#include "tpuc/Support/VectorClones.h"
#include "tpuc/Support/VectorMath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace tpuc::calibration {
namespace {

Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// The int8 level of x at threshold T, as fakeQuantizeActivation rounds
/// (clip to [-128, 127], nearest, ties to even).
int level(float x, float scale) {
  float v = std::min(std::max(x * scale, -128.0f), 127.0f);
  return static_cast<int>(std::nearbyint(v));
}

/// sigmoid of n contiguous values in place, as the Top interpreter's
/// Sigmoid computes it (decoding millions of head values per layer is a
/// large part of run_qtable's sensitivity pass).
TPUC_VECTOR_CLONES void sigmoidInPlace(float *values, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    values[i] = vmath::vsigmoid(values[i]);
}

/// The tensor viewed as [outer, channels, inner] around the decode's axis.
struct View {
  int64_t outer = 1, channels = 1, inner = 1;
  int64_t at(int64_t o, int64_t c, int64_t i) const {
    return (o * channels + c) * inner + i;
  }
};

/// Calls fn(index) for every value of a sigmoid range, in a fixed order.
template <typename F>
void forEachValue(const View &view, const OutputDecode::Range &range, F fn) {
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t c = range.begin; c < range.end; ++c)
      for (int64_t i = 0; i < view.inner; ++i)
        fn(view.at(o, c, i));
}

/// Calls fn(first) for every group of a softmax range, in a fixed order;
/// bin b of the group is at first + b * view.inner.
template <typename F>
void forEachGroup(const View &view, const OutputDecode::Range &range, F fn) {
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t g = range.begin; g < range.end; g += range.softmaxBins)
      for (int64_t i = 0; i < view.inner; ++i)
        fn(view.at(o, g, i));
}

/// exp(x_b - max x) of one group into `weights`; returns their sum.
double softmaxWeights(const float *x, int64_t first, int64_t stride,
                      int64_t bins, double *weights) {
  double top = x[first];
  for (int64_t b = 1; b < bins; ++b)
    top = std::max(top, double(x[first + b * stride]));
  double sum = 0;
  for (int64_t b = 0; b < bins; ++b) {
    weights[b] = std::exp(x[first + b * stride] - top);
    sum += weights[b];
  }
  return sum;
}

/// The view of a tensor of `shape` the decode reads, or why it does not
/// fit.
Expected<View> viewOf(const OutputDecode &decode, ArrayRef<int64_t> shape) {
  const int64_t axis = decode.axis, rank = static_cast<int64_t>(shape.size());
  if (axis < 0 || axis >= rank)
    return makeError("the decode's axis " + Twine(axis) +
                     " is not a dimension of the output");
  View view;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis    ? view.outer
     : d == axis ? view.channels
                 : view.inner) *= shape[d];
  for (const OutputDecode::Range &range : decode.ranges)
    if (range.begin < 0 || range.end > view.channels ||
        range.begin >= range.end ||
        (range.softmaxBins > 1 &&
         (range.end - range.begin) % range.softmaxBins != 0))
      return makeError("channels [" + Twine(range.begin) + ", " +
                       Twine(range.end) + ") do not fit an output of " +
                       Twine(view.channels) + " channels");
  return view;
}

} // namespace

Error checkDecodeFits(const OutputDecode &decode, ArrayRef<int64_t> shape) {
  auto view = viewOf(decode, shape);
  return view ? Error::success() : view.takeError();
}

Error decodeInPlace(const OutputDecode &decode, ArrayRef<int64_t> shape,
                    float *values) {
  auto fitted = viewOf(decode, shape);
  if (!fitted)
    return fitted.takeError();
  const View view = *fitted;
  for (const OutputDecode::Range &range : decode.ranges) {
    if (range.softmaxBins <= 1) {
      // Channels [begin, end) of one outer index are contiguous.
      for (int64_t o = 0; o < view.outer; ++o)
        sigmoidInPlace(values + view.at(o, range.begin, 0),
                       (range.end - range.begin) * view.inner);
      continue;
    }
    const int64_t bins = range.softmaxBins;
    std::vector<double> weights(bins);
    forEachGroup(view, range, [&](int64_t first) {
      double sum =
          softmaxWeights(values, first, view.inner, bins, weights.data());
      for (int64_t b = 0; b < bins; ++b)
        values[first + b * view.inner] = static_cast<float>(weights[b] / sum);
    });
  }
  return Error::success();
}

DecodedThresholdSearch::DecodedThresholdSearch(OutputDecode decode,
                                               double absMax)
    : decode_(std::move(decode)), absMax_(absMax), errors_(kCandidates, 0.0) {}

Error DecodedThresholdSearch::addSample(const Tensor &output) {
  auto fitted = viewOf(decode_, output.shape);
  if (!fitted)
    return fitted.takeError();
  const View view = *fitted;
  if (!(absMax_ > 0))
    return Error::success();

  const float *x = output.ptr();
  // The float decode of the sample, computed once for every candidate.
  struct Part {
    const OutputDecode::Range *range;
    std::vector<double> reference;
  };
  std::vector<Part> parts;
  for (const OutputDecode::Range &range : decode_.ranges) {
    Part part{&range, {}};
    if (range.softmaxBins <= 1) {
      forEachValue(view, range, [&](int64_t at) {
        part.reference.push_back(sigmoid(x[at]));
      });
    } else {
      const int64_t bins = range.softmaxBins;
      std::vector<double> weights(bins);
      forEachGroup(view, range, [&](int64_t first) {
        double sum = softmaxWeights(x, first, view.inner, bins, weights.data());
        double weighted = 0;
        for (int64_t b = 0; b < bins; ++b)
          weighted += weights[b] * b;
        part.reference.push_back(weighted / sum);
      });
    }
    parts.push_back(std::move(part));
  }

  // Each candidate sums its own error in a fixed order: deterministic
  // whatever the thread count.
#pragma omp parallel for schedule(static)
  for (int k = 0; k < kCandidates; ++k) {
    const double threshold = candidate(k);
    const float scale = static_cast<float>(127.0 / threshold);
    const double step = threshold / 127.0;
    // Decoded value of each int8 level: sigmoid(q * step), and for the
    // softmax exp(-d * step) for d = qmax - q in [0, 255].
    double sig[256], decay[256];
    for (int q = -128; q < 128; ++q)
      sig[q + 128] = sigmoid(q * step);
    for (int d = 0; d < 256; ++d)
      decay[d] = std::exp(-d * step);
    double total = 0;
    for (const Part &part : parts) {
      const OutputDecode::Range &range = *part.range;
      size_t n = 0;
      if (range.softmaxBins <= 1) {
        forEachValue(view, range, [&](int64_t at) {
          double e = sig[level(x[at], scale) + 128] - part.reference[n++];
          total += e * e;
        });
        continue;
      }
      const int64_t bins = range.softmaxBins;
      std::vector<int> levels(bins);
      forEachGroup(view, range, [&](int64_t first) {
        int top = -128;
        for (int64_t b = 0; b < bins; ++b) {
          levels[b] = level(x[first + b * view.inner], scale);
          top = std::max(top, levels[b]);
        }
        double sum = 0, weighted = 0;
        for (int64_t b = 0; b < bins; ++b) {
          double e = decay[top - levels[b]];
          sum += e;
          weighted += e * b;
        }
        double e = weighted / sum - part.reference[n++];
        total += e * e;
      });
    }
    errors_[k] += total;
  }
  return Error::success();
}

double DecodedThresholdSearch::best() const {
  int best = kCandidates - 1;
  for (int k = kCandidates - 1; k-- > 0;)
    if (errors_[k] < errors_[best])
      best = k;
  return candidate(best);
}

Expected<std::vector<OutputDecode>>
getYoloOutputDecodes(accuracy::YoloStyle style,
                     ArrayRef<accuracy::Shape> shapes, int64_t inputHeight,
                     int64_t inputWidth) {
  // Anchors do not change what is read through a sigmoid; placeholders
  // (three per level, YOLOv5's count, or the count a [B,A,H,W,5+nc] head
  // has) let heads of any stride through.
  accuracy::YoloHeadOptions options;
  if (style == accuracy::YoloStyle::V5 &&
      llvm::all_of(shapes, [](const accuracy::Shape &s) {
        return s.size() == 4 || s.size() == 5;
      }))
    for (const accuracy::Shape &shape : shapes)
      options.anchors.emplace_back(shape.size() == 5 ? shape[1] : 3,
                                   std::pair<float, float>{1.0f, 1.0f});
  auto head = accuracy::analyzeYoloOutputs(style, shapes, inputHeight,
                                           inputWidth, options);
  if (!head)
    return head.takeError();
  if (head->decoded)
    return makeError("the output is already decoded (" + head->describe() +
                     "); a decode's thresholds apply to raw head outputs "
                     "(cut the model at its head convolutions)");
  std::vector<OutputDecode> decodes(shapes.size());
  for (const accuracy::YoloHead::Level &level : head->levels) {
    if (style == accuracy::YoloStyle::V5) {
      // Every value is read through a sigmoid, whatever the layout.
      const accuracy::Shape &shape = shapes[level.boxOutput];
      OutputDecode &decode = decodes[level.boxOutput];
      decode.axis = 1;
      decode.ranges = {{0, shape[1], 0}};
      continue;
    }
    const int64_t boxChannels = 4 * head->regMax;
    decodes[level.boxOutput].ranges.push_back({0, boxChannels, head->regMax});
    const int64_t classBegin =
        level.classOutput == level.boxOutput ? boxChannels : 0;
    decodes[level.classOutput].ranges.push_back(
        {classBegin, classBegin + head->numClasses, 0});
  }
  return decodes;
}

Expected<std::optional<accuracy::YoloStyle>> parsePostprocess(StringRef value) {
  StringRef name = value.trim();
  if (name.empty() || name == "none")
    return std::nullopt;
  if (auto style = accuracy::parseYoloStyle(name))
    return style;
  return makeError("unknown --postprocess '" + value +
                   "' (expected yolov5, yolov8, yolo11 or none)");
}

Expected<std::map<std::string, OutputDecode>>
getModelOutputDecodes(mlir::ModuleOp module, accuracy::YoloStyle style) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  if (!main)
    return makeError("the module has no main function");
  auto inputs = getModelInputs(module);
  if (!inputs)
    return inputs.takeError();
  if (inputs->size() != 1 || inputs->front().shape.size() != 4)
    return makeError("a YOLO decode needs one [N,C,H,W] or [N,H,W,C] image "
                     "input");
  auto [height, width] = getImageSize(inputs->front());
  std::vector<accuracy::Shape> shapes;
  SmallVector<mlir::Value> outputs(
      main.getBody().front().getTerminator()->getOperands());
  for (mlir::Value value : outputs) {
    auto type = dyn_cast<mlir::RankedTensorType>(value.getType());
    if (!type || !type.hasStaticShape())
      return makeError("output '" + top::getTensorName(value) +
                       "' has no static shape");
    shapes.emplace_back(type.getShape());
  }
  auto decodes = getYoloOutputDecodes(style, shapes, height, width);
  if (!decodes)
    return decodes.takeError();
  std::map<std::string, OutputDecode> byName;
  for (auto [value, decode] : llvm::zip(outputs, *decodes))
    if (!decode.ranges.empty())
      byName[top::getTensorName(value)] = std::move(decode);
  return byName;
}

} // namespace tpuc::calibration
