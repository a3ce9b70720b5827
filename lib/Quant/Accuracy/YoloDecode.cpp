//===- YoloDecode.cpp - Detections from YOLO model outputs ----------------===//
//
// The decode follows the Ultralytics reference (Detect.forward, DFL,
// make_anchors, dist2bbox and non_max_suppression of YOLOv5 and YOLOv8) in
// float. Logits are first compared with the logit of the confidence
// threshold, so that the sigmoids of the many hopeless cells are never
// computed; the comparison that decides uses the sigmoid itself.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/Accuracy/YoloDecode.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace llvm;

namespace tpuc::accuracy {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

std::optional<YoloStyle> parseYoloStyle(StringRef name) {
  return StringSwitch<std::optional<YoloStyle>>(name.lower())
      .Case("yolov5", YoloStyle::V5)
      .Cases("yolov8", "yolo11", "yolov11", YoloStyle::V8)
      .Default(std::nullopt);
}

StringRef stringifyYoloStyle(YoloStyle style) {
  return style == YoloStyle::V5 ? "yolov5" : "yolov8";
}

std::vector<std::pair<float, float>> getDefaultYoloV5Anchors(int64_t stride) {
  switch (stride) {
  case 8:
    return {{10, 13}, {16, 30}, {33, 23}};
  case 16:
    return {{30, 61}, {62, 45}, {59, 119}};
  case 32:
    return {{116, 90}, {156, 198}, {373, 326}};
  default:
    return {};
  }
}

static std::string shapeText(ArrayRef<int64_t> shape) {
  return "[" +
         join(map_range(shape, [](int64_t d) { return std::to_string(d); }),
              ",") +
         "]";
}

static std::string shapesText(ArrayRef<Shape> shapes) {
  return join(map_range(shapes, [](const Shape &s) { return shapeText(s); }),
              ", ");
}

std::string YoloHead::describe() const {
  std::string text = stringifyYoloStyle(style).str();
  if (decoded) {
    text += " decoded output: " + std::to_string(numBoxes) + " boxes";
  } else {
    text += " heads: " + std::to_string(levels.size()) + " levels (";
    text += join(map_range(levels,
                           [](const Level &l) {
                             return std::to_string(l.height) + "x" +
                                    std::to_string(l.width) + " /" +
                                    std::to_string(l.stride);
                           }),
                 ", ");
    text += ")";
    if (style == YoloStyle::V5)
      text += ", " + std::to_string(levels.front().anchors.size()) +
              " anchors per level";
    else
      text += ", reg_max " + std::to_string(regMax);
  }
  return text + ", " + std::to_string(numClasses) + " classes";
}

/// The stride of a level of `height` x `width` cells on the input, or 0 when
/// the input is not an integer multiple of it (the same in both directions).
static int64_t levelStride(int64_t height, int64_t width, int64_t inputHeight,
                           int64_t inputWidth) {
  if (height <= 0 || width <= 0 || inputHeight % height || inputWidth % width ||
      inputHeight / height != inputWidth / width)
    return 0;
  return inputHeight / height;
}

static Error checkClasses(int64_t found, const YoloHeadOptions &options,
                          const Twine &where, StringRef expected) {
  if (found < 1)
    return makeError(where + " leaves no room for class scores; " + expected);
  if (options.numClasses && found != options.numClasses)
    return makeError(where + " gives " + Twine(found) +
                     " classes, but the class names list " +
                     Twine(options.numClasses));
  return Error::success();
}

static Expected<YoloHead> analyzeV5(ArrayRef<Shape> shapes, int64_t inputH,
                                    int64_t inputW,
                                    const YoloHeadOptions &options) {
  YoloHead head;
  head.style = YoloStyle::V5;
  head.outputShapes.assign(shapes.begin(), shapes.end());
  std::string expected =
      "yolov5 postprocessing takes the decoded output [1,N,5+classes] or the "
      "head convolutions [1,A*(5+classes),H,W] (or [1,A,H,W,5+classes]) of "
      "every level; the model's outputs are " +
      shapesText(shapes);
  if (shapes.size() == 1 && (shapes[0].size() == 2 || shapes[0].size() == 3)) {
    ArrayRef<int64_t> s = shapes[0];
    head.decoded = true;
    head.numBoxes = s[s.size() - 2];
    head.numClasses = s.back() - 5;
    if (Error err = checkClasses(head.numClasses, options,
                                 "decoded output " + shapeText(s), expected))
      return std::move(err);
    return head;
  }
  bool rank4 =
      llvm::all_of(shapes, [](const Shape &s) { return s.size() == 4; });
  bool rank5 =
      llvm::all_of(shapes, [](const Shape &s) { return s.size() == 5; });
  if (shapes.empty() || (!rank4 && !rank5))
    return makeError(expected);
  if (!options.anchors.empty() && options.anchors.size() != shapes.size())
    return makeError("--anchors gives " + Twine(options.anchors.size()) +
                     " levels but the model has " + Twine(shapes.size()) +
                     " head outputs");
  std::vector<std::pair<int64_t, size_t>> byStride;
  for (auto [index, shape] : llvm::enumerate(shapes)) {
    YoloHead::Level level;
    level.boxOutput = level.classOutput = index;
    level.anchorsOutermost = rank5;
    // [B, A*per, H, W] and [B, A, H, W, per] both have the grid at 2, 3.
    level.height = shape[2];
    level.width = shape[3];
    level.stride = levelStride(level.height, level.width, inputH, inputW);
    if (!level.stride)
      return makeError("head output " + Twine(index) + " " + shapeText(shape) +
                       " is not a grid over the " + Twine(inputH) + "x" +
                       Twine(inputW) +
                       " input (its size must divide the input's by one "
                       "stride); " +
                       expected);
    head.levels.push_back(level);
    byStride.push_back({level.stride, index});
  }
  // Levels by stride, and anchors given smallest stride first.
  llvm::sort(byStride);
  std::vector<YoloHead::Level> sorted;
  for (auto [rank, entry] : llvm::enumerate(byStride)) {
    YoloHead::Level level = head.levels[entry.second];
    level.anchors = options.anchors.empty()
                        ? getDefaultYoloV5Anchors(level.stride)
                        : options.anchors[rank];
    if (level.anchors.empty())
      return makeError("no default anchors for stride " + Twine(level.stride) +
                       " (the YOLOv5 defaults are for strides 8, 16 and 32); "
                       "give --anchors");
    const Shape &shape = shapes[level.boxOutput];
    int64_t numAnchors = static_cast<int64_t>(level.anchors.size());
    int64_t perAnchor = 0;
    if (rank5) {
      if (shape[1] != numAnchors)
        return makeError(
            "head output " + Twine(level.boxOutput) + " " + shapeText(shape) +
            " has " + Twine(shape[1]) + " anchors but " + Twine(numAnchors) +
            " anchors are given for stride " + Twine(level.stride));
      perAnchor = shape[4];
    } else {
      if (shape[1] % numAnchors)
        return makeError("head output " + Twine(level.boxOutput) + " " +
                         shapeText(shape) + ": " + Twine(shape[1]) +
                         " channels are not " + Twine(numAnchors) +
                         " anchors x (5 + classes); " + expected);
      perAnchor = shape[1] / numAnchors;
    }
    int64_t classes = perAnchor - 5;
    if (Error err = checkClasses(classes, options,
                                 "head output " + Twine(level.boxOutput) + " " +
                                     shapeText(shape),
                                 expected))
      return std::move(err);
    if (head.numClasses && classes != head.numClasses)
      return makeError("head outputs disagree on the number of classes (" +
                       Twine(head.numClasses) + " and " + Twine(classes) +
                       "): " + shapesText(shapes));
    head.numClasses = classes;
    sorted.push_back(std::move(level));
  }
  // After the channel checks, which say more about a model of another style.
  for (size_t i = 1; i < byStride.size(); ++i)
    if (byStride[i].first == byStride[i - 1].first)
      return makeError("head outputs " + Twine(byStride[i - 1].second) +
                       " and " + Twine(byStride[i].second) +
                       " have the same stride " + Twine(byStride[i].first) +
                       "; " + expected);
  head.levels = std::move(sorted);
  return head;
}

static Expected<YoloHead> analyzeV8(ArrayRef<Shape> shapes, int64_t inputH,
                                    int64_t inputW,
                                    const YoloHeadOptions &options) {
  YoloHead head;
  head.style = YoloStyle::V8;
  head.regMax = options.regMax;
  head.outputShapes.assign(shapes.begin(), shapes.end());
  int64_t boxChannels = 4 * options.regMax;
  std::string expected =
      "yolov8 postprocessing takes the decoded output [1,4+classes,N] or "
      "per level a box convolution [1," +
      std::to_string(boxChannels) +
      ",H,W] and a class convolution [1,classes,H,W] (or the two "
      "concatenated); the model's outputs are " +
      shapesText(shapes);
  if (shapes.size() == 1 && (shapes[0].size() == 2 || shapes[0].size() == 3)) {
    ArrayRef<int64_t> s = shapes[0];
    int64_t a = s[s.size() - 2], b = s.back();
    head.decoded = true;
    // Which dim holds 4 + classes: the class count decides when known,
    // else the smaller dim (boxes outnumber classes in any real model).
    if (options.numClasses)
      head.channelsFirst = a == 4 + options.numClasses;
    else
      head.channelsFirst = a < b;
    head.numBoxes = head.channelsFirst ? b : a;
    head.numClasses = (head.channelsFirst ? a : b) - 4;
    if (Error err = checkClasses(head.numClasses, options,
                                 "decoded output " + shapeText(s), expected))
      return std::move(err);
    return head;
  }
  if (shapes.empty() ||
      !llvm::all_of(shapes, [](const Shape &s) { return s.size() == 4; }))
    return makeError(expected);
  // Outputs by grid size, in model order within each.
  std::map<std::pair<int64_t, int64_t>, std::vector<size_t>> grids;
  for (auto [index, shape] : llvm::enumerate(shapes))
    grids[{shape[2], shape[3]}].push_back(index);
  std::vector<YoloHead::Level> levels;
  for (auto &[size, indices] : grids) {
    YoloHead::Level level;
    level.height = size.first;
    level.width = size.second;
    level.stride = levelStride(level.height, level.width, inputH, inputW);
    if (!level.stride)
      return makeError("head output " + Twine(indices.front()) + " " +
                       shapeText(shapes[indices.front()]) +
                       " is not a grid over the " + Twine(inputH) + "x" +
                       Twine(inputW) +
                       " input (its size must divide the input's by one "
                       "stride); " +
                       expected);
    int64_t classes = 0;
    if (indices.size() == 1) {
      level.boxOutput = level.classOutput = indices[0];
      classes = shapes[indices[0]][1] - boxChannels;
    } else if (indices.size() == 2) {
      int64_t c0 = shapes[indices[0]][1], c1 = shapes[indices[1]][1];
      // The box convolution is the one with 4*reg_max channels; when both
      // have that many, the first (Ultralytics lists cv2 before cv3).
      size_t box = c0 == boxChannels ? 0 : c1 == boxChannels ? 1 : 2;
      if (box == 2)
        return makeError("the " + Twine(level.height) + "x" +
                         Twine(level.width) + " level has outputs " +
                         shapeText(shapes[indices[0]]) + " and " +
                         shapeText(shapes[indices[1]]) + ", neither with " +
                         Twine(boxChannels) + " box channels (4 x reg_max " +
                         Twine(options.regMax) + "); " + expected);
      level.boxOutput = indices[box];
      level.classOutput = indices[1 - box];
      classes = shapes[level.classOutput][1];
    } else {
      return makeError("the " + Twine(level.height) + "x" + Twine(level.width) +
                       " level has " + Twine(indices.size()) + " outputs; " +
                       expected);
    }
    if (Error err = checkClasses(classes, options,
                                 "the " + Twine(level.height) + "x" +
                                     Twine(level.width) + " level (" +
                                     shapeText(shapes[level.classOutput]) + ")",
                                 expected))
      return std::move(err);
    if (head.numClasses && classes != head.numClasses)
      return makeError("head outputs disagree on the number of classes (" +
                       Twine(head.numClasses) + " and " + Twine(classes) +
                       "): " + shapesText(shapes));
    head.numClasses = classes;
    levels.push_back(level);
  }
  llvm::sort(levels, [](const YoloHead::Level &a, const YoloHead::Level &b) {
    return a.stride < b.stride;
  });
  for (size_t i = 1; i < levels.size(); ++i)
    if (levels[i].stride == levels[i - 1].stride)
      return makeError("two levels have the stride " + Twine(levels[i].stride) +
                       "; " + expected);
  head.levels = std::move(levels);
  return head;
}

Expected<YoloHead> analyzeYoloOutputs(YoloStyle style, ArrayRef<Shape> shapes,
                                      int64_t inputHeight, int64_t inputWidth,
                                      const YoloHeadOptions &options) {
  if (options.regMax < 1)
    return makeError("reg_max must be at least 1, got " +
                     Twine(options.regMax));
  for (const Shape &shape : shapes)
    if (shape.empty() || llvm::any_of(shape, [](int64_t d) { return d < 1; }))
      return makeError("output shape " + shapeText(shape) + " is not static");
  if (style == YoloStyle::V5)
    return analyzeV5(shapes, inputHeight, inputWidth, options);
  return analyzeV8(shapes, inputHeight, inputWidth, options);
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

namespace {

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

/// Collects candidates, prefiltering logits against the threshold's logit.
class Candidates {
public:
  explicit Candidates(const YoloDecodeOptions &options) : options_(options) {
    double conf = std::clamp<double>(options.confThreshold, 1e-12, 1.0 - 1e-7);
    // Slightly below, so that float rounding of the sigmoid cannot make a
    // logit that fails here pass the exact comparison.
    logitThreshold_ = static_cast<float>(std::log(conf / (1.0 - conf)) - 1e-3);
  }

  /// Whether a logit may give a score above the threshold.
  bool mayPass(float logit) const { return logit > logitThreshold_; }
  float threshold() const { return options_.confThreshold; }

  /// Adds the box with class scores `score(c)`, c < numClasses.
  template <typename ScoreFn>
  void add(const Box &box, int64_t numClasses, ScoreFn score) {
    if (options_.multiLabel) {
      for (int64_t c = 0; c < numClasses; ++c) {
        float s = score(c);
        if (s > options_.confThreshold)
          out_.push_back({box, s, c});
      }
      return;
    }
    int64_t best = -1;
    float bestScore = 0;
    for (int64_t c = 0; c < numClasses; ++c) {
      float s = score(c);
      if (best < 0 || s > bestScore) {
        best = c;
        bestScore = s;
      }
    }
    if (best >= 0 && bestScore > options_.confThreshold)
      out_.push_back({box, bestScore, best});
  }

  std::vector<Detection> take() {
    if (options_.maxCandidates && out_.size() > options_.maxCandidates) {
      std::stable_sort(out_.begin(), out_.end(),
                       [](const Detection &a, const Detection &b) {
                         return a.score > b.score;
                       });
      out_.resize(options_.maxCandidates);
    }
    return std::move(out_);
  }

private:
  const YoloDecodeOptions &options_;
  float logitThreshold_;
  std::vector<Detection> out_;
};

} // namespace

/// The first batch entry of `tensor`, after checking its shape.
static Expected<const float *> firstEntry(const Tensor *tensor,
                                          const Shape &shape, size_t index) {
  if (!tensor)
    return makeError("output " + Twine(index) + " is missing");
  if (tensor->numel() != Tensor::numelOf(shape))
    return makeError("output " + Twine(index) + " has shape " +
                     shapeText(tensor->shape) +
                     " but the head was analyzed "
                     "as " +
                     shapeText(shape));
  return tensor->ptr();
}

static void decodeV5Decoded(const YoloHead &head, const float *data,
                            Candidates &candidates) {
  int64_t per = head.numClasses + 5;
  for (int64_t i = 0; i < head.numBoxes; ++i) {
    const float *row = data + i * per;
    float obj = row[4];
    if (!(obj > candidates.threshold()))
      continue;
    Box box = Box::fromCenter(row[0], row[1], row[2], row[3]);
    candidates.add(box, head.numClasses,
                   [&](int64_t c) { return obj * row[5 + c]; });
  }
}

static void decodeV8Decoded(const YoloHead &head, const float *data,
                            Candidates &candidates) {
  int64_t per = head.numClasses + 4, n = head.numBoxes;
  // Channels-first rows are strided by the box count.
  auto value = [&](int64_t box, int64_t k) {
    return head.channelsFirst ? data[k * n + box] : data[box * per + k];
  };
  for (int64_t i = 0; i < n; ++i) {
    float best = 0;
    for (int64_t c = 0; c < head.numClasses; ++c)
      best = std::max(best, value(i, 4 + c));
    if (!(best > candidates.threshold()))
      continue;
    Box box =
        Box::fromCenter(value(i, 0), value(i, 1), value(i, 2), value(i, 3));
    candidates.add(box, head.numClasses,
                   [&](int64_t c) { return value(i, 4 + c); });
  }
}

static void decodeV5Level(const YoloHead &head, const YoloHead::Level &level,
                          const float *data, Candidates &candidates) {
  int64_t per = head.numClasses + 5, h = level.height, w = level.width;
  int64_t cells = h * w;
  std::vector<float> scores(head.numClasses);
  for (auto [a, anchor] : llvm::enumerate(level.anchors)) {
    for (int64_t y = 0; y < h; ++y) {
      for (int64_t x = 0; x < w; ++x) {
        int64_t cell = y * w + x;
        // [A*per, H, W] strides channels by the cell count; [A, H, W, per]
        // keeps a cell's values together.
        const float *base = level.anchorsOutermost
                                ? data + (a * cells + cell) * per
                                : data + a * per * cells + cell;
        int64_t step = level.anchorsOutermost ? 1 : cells;
        auto v = [&](int64_t k) { return base[k * step]; };
        if (!candidates.mayPass(v(4)))
          continue;
        float obj = sigmoid(v(4));
        if (!(obj > candidates.threshold()))
          continue;
        float sx = sigmoid(v(0)), sy = sigmoid(v(1));
        float sw = sigmoid(v(2)), sh = sigmoid(v(3));
        float stride = static_cast<float>(level.stride);
        float cx = (sx * 2.0f - 0.5f + static_cast<float>(x)) * stride;
        float cy = (sy * 2.0f - 0.5f + static_cast<float>(y)) * stride;
        float bw = (sw * 2.0f) * (sw * 2.0f) * anchor.first;
        float bh = (sh * 2.0f) * (sh * 2.0f) * anchor.second;
        for (int64_t c = 0; c < head.numClasses; ++c)
          scores[c] = obj * sigmoid(v(5 + c));
        candidates.add(Box::fromCenter(cx, cy, bw, bh), head.numClasses,
                       [&](int64_t c) { return scores[c]; });
      }
    }
  }
}

static void decodeV8Level(const YoloHead &head, const YoloHead::Level &level,
                          const float *boxData, const float *classData,
                          Candidates &candidates) {
  int64_t h = level.height, w = level.width, cells = h * w;
  int64_t regMax = head.regMax, boxChannels = 4 * regMax;
  // A concatenated head has its class channels after the box channels.
  if (level.boxOutput == level.classOutput)
    classData = boxData + boxChannels * cells;
  std::vector<float> scores(head.numClasses), bins(regMax);
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      int64_t cell = y * w + x;
      bool any = false;
      for (int64_t c = 0; c < head.numClasses && !any; ++c)
        any = candidates.mayPass(classData[c * cells + cell]);
      if (!any)
        continue;
      for (int64_t c = 0; c < head.numClasses; ++c)
        scores[c] = sigmoid(classData[c * cells + cell]);
      // DFL: per side, the expected bin of a softmax over reg_max bins.
      float distance[4];
      for (int64_t side = 0; side < 4; ++side) {
        const float *logits = boxData + side * regMax * cells + cell;
        if (regMax == 1) {
          distance[side] = logits[0];
          continue;
        }
        float maxLogit = logits[0];
        for (int64_t b = 1; b < regMax; ++b)
          maxLogit = std::max(maxLogit, logits[b * cells]);
        float sum = 0, weighted = 0;
        for (int64_t b = 0; b < regMax; ++b) {
          bins[b] = std::exp(logits[b * cells] - maxLogit);
          sum += bins[b];
          weighted += bins[b] * static_cast<float>(b);
        }
        distance[side] = weighted / sum;
      }
      float stride = static_cast<float>(level.stride);
      float ax = static_cast<float>(x) + 0.5f,
            ay = static_cast<float>(y) + 0.5f;
      Box box{(ax - distance[0]) * stride, (ay - distance[1]) * stride,
              (ax + distance[2]) * stride, (ay + distance[3]) * stride};
      candidates.add(box, head.numClasses,
                     [&](int64_t c) { return scores[c]; });
    }
  }
}

Expected<std::vector<Detection>>
decodeYoloOutputs(const YoloHead &head, ArrayRef<const Tensor *> outputs,
                  const YoloDecodeOptions &options) {
  if (outputs.size() != head.outputShapes.size())
    return makeError("the model gave " + Twine(outputs.size()) +
                     " outputs but the head has " +
                     Twine(head.outputShapes.size()));
  std::vector<const float *> data;
  for (auto [index, tensor] : llvm::enumerate(outputs)) {
    auto entry = firstEntry(tensor, head.outputShapes[index], index);
    if (!entry)
      return entry.takeError();
    data.push_back(*entry);
  }
  Candidates candidates(options);
  if (head.decoded) {
    if (head.style == YoloStyle::V5)
      decodeV5Decoded(head, data[0], candidates);
    else
      decodeV8Decoded(head, data[0], candidates);
    return candidates.take();
  }
  for (const YoloHead::Level &level : head.levels) {
    if (head.style == YoloStyle::V5)
      decodeV5Level(head, level, data[level.boxOutput], candidates);
    else
      decodeV8Level(head, level, data[level.boxOutput], data[level.classOutput],
                    candidates);
  }
  return candidates.take();
}

Expected<std::vector<Detection>> readDetectionRows(const Tensor &output,
                                                   float confThreshold) {
  if (output.rank() < 1 || output.shape.back() != 6)
    return makeError("detection rows need a last dim of 6 (x1, y1, x2, y2, "
                     "score, class); the output is " +
                     shapeText(output.shape));
  std::vector<Detection> detections;
  for (int64_t i = 0; i + 6 <= output.numel(); i += 6) {
    const float *row = output.ptr() + i;
    if (!(row[4] > confThreshold))
      continue;
    float cls = row[5];
    if (!(cls >= 0) || cls != std::floor(cls) || cls > 1e9f)
      return makeError("detection row " + Twine(i / 6) + " has class " +
                       std::to_string(cls) + ", not a class index");
    detections.push_back({Box{row[0], row[1], row[2], row[3]}, row[4],
                          static_cast<int64_t>(cls)});
  }
  return detections;
}

} // namespace tpuc::accuracy
