//===- OutputDecode.h - Thresholds of outputs read through a decode -*- C++
//-*-===//
//
// The seeds cut YOLO models at their head convolutions and decode the heads
// in float on the CPU: every raw value goes through a sigmoid (YOLOv5, the
// YOLOv8 class branch) or a softmax over DFL bins (the YOLOv8 box branch).
// A threshold chosen for the raw values covers the long negative tail of
// background logits (-20 and below), which the sigmoid maps to 0 anyway, and
// so leaves few int8 levels for the scores that decide the detections. When
// the decode is known (`run_calibration --postprocess`), an output's
// threshold is instead the candidate whose fake quantization changes the
// decoded values least: the smallest sum of squared differences over the
// samples, among absMax * k / kCandidates for k = 1 .. kCandidates.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_OUTPUTDECODE_H
#define TPUC_QUANT_CALIBRATION_OUTPUTDECODE_H

#include "tpuc/Interpreter/Tensor.h"
#include "tpuc/Quant/Accuracy/YoloDecode.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tpuc::calibration {

/// How the float post-processing reads one model output.
struct OutputDecode {
  /// Channels [begin, end) along `axis`, decoded alike.
  struct Range {
    int64_t begin = 0, end = 0;
    /// 0: each value through a sigmoid. n > 1: the expectation (in bins)
    /// of a softmax over each n consecutive channels, as YOLOv8's DFL.
    int64_t softmaxBins = 0;
  };
  int64_t axis = 1;
  /// Channels outside every range do not matter.
  std::vector<Range> ranges;
};

/// Checks that the decode's axis and ranges fit a tensor of `shape`.
llvm::Error checkDecodeFits(const OutputDecode &decode,
                            llvm::ArrayRef<int64_t> shape);

/// Replaces the values the decode reads by their decoded form, in place:
/// the sigmoid, or the softmax probabilities of each group of DFL bins
/// (rather than their expectation, so that the tensor keeps its size and
/// still compares element by element, as run_qtable does).
llvm::Error decodeInPlace(const OutputDecode &decode,
                          llvm::ArrayRef<int64_t> shape, float *values);

/// Finds one output's threshold for its decode over any number of samples.
class DecodedThresholdSearch {
public:
  static constexpr int kCandidates = 64;

  /// `absMax` (> 0) is the output's largest magnitude over the samples.
  DecodedThresholdSearch(OutputDecode decode, double absMax);

  /// Adds one sample's float output. Fails when the shape does not fit the
  /// decode's axis and ranges.
  llvm::Error addSample(const Tensor &output);

  /// The candidate with the smallest total error (the largest of equals).
  double best() const;
  /// The total squared error of candidate `k` (0-based).
  double error(int k) const { return errors_[k]; }
  double candidate(int k) const { return absMax_ * (k + 1) / kCandidates; }

private:
  OutputDecode decode_;
  double absMax_;
  std::vector<double> errors_;
};

/// The decodes of a YOLO model's raw head outputs, by output index (an
/// output holding no head gets no ranges). Errors when the shapes are not
/// raw heads of `style` (decoded outputs included: they hold boxes, not
/// logits).
llvm::Expected<std::vector<OutputDecode>>
getYoloOutputDecodes(accuracy::YoloStyle style,
                     llvm::ArrayRef<accuracy::Shape> shapes,
                     int64_t inputHeight, int64_t inputWidth);

/// The decode a `--postprocess` value names (run_calibration, run_qtable):
/// yolov5, yolov8, yolo11, or nullopt for none (and empty). The error
/// names the value and the choices.
llvm::Expected<std::optional<accuracy::YoloStyle>>
parsePostprocess(llvm::StringRef value);

/// getYoloOutputDecodes for the outputs of a Top model's `main` (one image
/// input), by output tensor name.
llvm::Expected<std::map<std::string, OutputDecode>>
getModelOutputDecodes(mlir::ModuleOp module, accuracy::YoloStyle style);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_OUTPUTDECODE_H
