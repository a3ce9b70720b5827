//===- YoloDecode.h - Detections from YOLO model outputs --------*- C++ -*-===//
//
// YOLO models are deployed either whole (the output holds decoded boxes) or
// cut before the decode, which quantizes badly (the seeds' models end at the
// head convolutions and decode in float on the CPU). Both forms are read
// here:
//
// * YOLOv5: decoded [1, N, 5+nc] (cx, cy, w, h in input pixels, objectness,
//   class scores), or per level the head convolution [1, A*(5+nc), H, W]
//   (also as [1, A, H, W, 5+nc]) decoded with anchors:
//   xy = (2 sigmoid - 0.5 + grid) * stride, wh = (2 sigmoid)^2 * anchor,
//   score = sigmoid(obj) * sigmoid(class).
// * YOLOv8 / YOLO11: decoded [1, 4+nc, N] or [1, N, 4+nc] (cx, cy, w, h,
//   class scores), or per level a box convolution of 4*reg_max channels and
//   a class convolution of nc channels (or the two concatenated, box
//   first): each side's distance is the expectation of a softmax over
//   reg_max bins, the box spans (grid + 0.5 -/+ distance) * stride, and
//   score = sigmoid(class).
//
// analyzeYoloOutputs works the layout out from the output shapes once (so a
// model that does not fit is an error before any image runs);
// decodeYoloOutputs turns one image's outputs into candidates, and
// nonMaxSuppression (Detection.h) into detections.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_ACCURACY_YOLODECODE_H
#define TPUC_QUANT_ACCURACY_YOLODECODE_H

#include "tpuc/Interpreter/Tensor.h"
#include "tpuc/Quant/Accuracy/Detection.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tpuc::accuracy {

enum class YoloStyle { V5, V8 };

/// "yolov5" -> V5; "yolov8", "yolo11", "yolov11" -> V8.
std::optional<YoloStyle> parseYoloStyle(llvm::StringRef name);
llvm::StringRef stringifyYoloStyle(YoloStyle style);

using Shape = llvm::SmallVector<int64_t, 4>;

/// The YOLOv5 COCO anchors (w, h) of stride 8, 16 or 32; empty otherwise.
std::vector<std::pair<float, float>> getDefaultYoloV5Anchors(int64_t stride);

struct YoloHeadOptions {
  /// Classes the model predicts; 0 takes them from the shapes.
  int64_t numClasses = 0;
  /// YOLOv8 raw heads: bins per box side (box convolutions have 4 times as
  /// many channels).
  int64_t regMax = 16;
  /// YOLOv5 raw heads: anchors (w, h) per level, smallest stride first;
  /// empty takes getDefaultYoloV5Anchors for each level's stride.
  std::vector<std::vector<std::pair<float, float>>> anchors;
};

/// The layout of a YOLO model's outputs.
struct YoloHead {
  YoloStyle style = YoloStyle::V5;
  /// The outputs hold decoded boxes (one tensor) rather than raw heads.
  bool decoded = false;
  /// Decoded YOLOv8: [1, 4+nc, N] rather than [1, N, 4+nc].
  bool channelsFirst = false;
  int64_t numClasses = 0;
  /// Decoded: boxes per image.
  int64_t numBoxes = 0;
  /// YOLOv8 raw heads: DFL bins per side.
  int64_t regMax = 16;

  struct Level {
    int64_t height = 0, width = 0, stride = 0;
    /// The output with the level's boxes and the one with its class scores
    /// (the same one for YOLOv5 and for concatenated YOLOv8 heads).
    size_t boxOutput = 0, classOutput = 0;
    /// YOLOv5: [1, A, H, W, 5+nc] rather than [1, A*(5+nc), H, W].
    bool anchorsOutermost = false;
    /// YOLOv5: anchors (w, h) in input pixels.
    std::vector<std::pair<float, float>> anchors;
  };
  /// By ascending stride.
  std::vector<Level> levels;
  /// The shapes analyzed, which every decoded image's outputs must have.
  std::vector<Shape> outputShapes;

  /// One line for people: "yolov5 heads: 3 levels (80x80 /8, ...), 80
  /// classes".
  std::string describe() const;
};

/// Works out the head from the model's output shapes (batch first; only the
/// first batch entry is used) and the network input's height and width.
/// The error says which shapes the style takes and which the model has.
llvm::Expected<YoloHead> analyzeYoloOutputs(YoloStyle style,
                                            llvm::ArrayRef<Shape> shapes,
                                            int64_t inputHeight,
                                            int64_t inputWidth,
                                            const YoloHeadOptions &options);

struct YoloDecodeOptions {
  /// Candidates need a score above this.
  float confThreshold = 0.001f;
  /// Every class above the threshold gives a candidate (COCO evaluation
  /// practice); otherwise only the best class of each box.
  bool multiLabel = true;
  /// The best-scoring candidates kept for NMS (0: all).
  size_t maxCandidates = 30000;
};

/// One image's candidates, in network-input pixels, before NMS. The outputs
/// are in model order with the shapes the head was analyzed from.
llvm::Expected<std::vector<Detection>>
decodeYoloOutputs(const YoloHead &head, llvm::ArrayRef<const Tensor *> outputs,
                  const YoloDecodeOptions &options);

/// Detections a model computes itself: rows of (x1, y1, x2, y2, score,
/// class) in network-input pixels, shape [..., K, 6]; rows scoring at most
/// `confThreshold` are padding.
llvm::Expected<std::vector<Detection>> readDetectionRows(const Tensor &output,
                                                         float confThreshold);

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_YOLODECODE_H
