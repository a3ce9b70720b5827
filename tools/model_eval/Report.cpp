//===- Report.cpp - model_eval's results on stdout ------------------------===//
//
// What model_eval prints once every image has run: the preprocessing and
// postprocessing, the metrics of each stage and their delta, the bootstrap
// intervals and the per-class APs. Kept apart from the evaluation so that
// the output format is in one place.
//
//===----------------------------------------------------------------------===//

#include "ModelEval.h"

#include "tpuc/Quant/Accuracy/Bootstrap.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <map>

using namespace llvm;
using namespace tpuc::accuracy;

namespace tpuc::eval {

std::string formatDouble(double value, const char *format) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string describePreprocess(const tpuc::eval::Stage &stage) {
  const tpuc::calibration::ModelInput &in = stage.input();
  std::string text =
      "input " + in.name + " [" +
      join(map_range(in.shape, [](int64_t d) { return std::to_string(d); }),
           ",") +
      "]";
  if (!in.preprocess)
    return text;
  const tpuc::InputPreprocess &p = *in.preprocess;
  auto list = [](const std::vector<double> &v) {
    return join(map_range(v, [](double x) { return formatDouble(x, "%g"); }),
                ",");
  };
  text += " " + p.pixelFormat + " " + p.channelFormat;
  if (!p.resizeDims.empty())
    text += " resize " + std::to_string(p.resizeDims[0]) + "x" +
            std::to_string(p.resizeDims[1]);
  if (p.keepAspectRatio)
    text += " letterbox (pad " + std::to_string(p.padValue) + ")";
  if (!p.mean.empty())
    text += " mean " + list(p.mean);
  if (!p.scale.empty())
    text += " scale " + list(p.scale);
  if (!stage.frameFormat().empty())
    text += " into " + stage.frameFormat() +
            " frames (mean and scale in "
            "the model)";
  return text;
}

std::string Evaluator::className(int64_t id) const {
  std::string text = std::to_string(id);
  if (id >= 0 && id < static_cast<int64_t>(classNames_.size()))
    text += " " + classNames_[id];
  return text;
}

/// The stage column, at least as wide as every label.
static size_t labelWidth(ArrayRef<std::unique_ptr<tpuc::eval::Stage>> stages) {
  size_t width = 5;
  for (const auto &stage : stages)
    width = std::max(width, stage->label().size());
  return width + 2;
}

/// Resamples are numbered from this seed: the intervals are reproducible.
static constexpr uint64_t kBootstrapSeed = 1;

/// One line of 95 % bootstrap intervals over `resamples` resamples: of the
/// delta between two stages (paired: each resample draws the same images
/// for both), or of the one stage's metrics. `metrics(stage, counts)` gives
/// the values `names` name.
static void printIntervals(
    size_t resamples, size_t numImages, size_t numStages,
    ArrayRef<StringRef> names,
    function_ref<std::vector<double>(int, ArrayRef<uint32_t>)> metrics) {
  if (resamples == 0)
    return;
  bool paired = numStages == 2;
  PairedBootstrap bootstrap = pairedBootstrap(
      numImages, paired ? 2 : 1, resamples, 0.95, kBootstrapSeed, metrics);
  outs() << (paired ? "delta 95% interval (paired bootstrap, "
                    : "95% interval (bootstrap, ")
         << bootstrap.resamples << " resamples of the " << numImages
         << " images):";
  ArrayRef<Interval> intervals = paired ? bootstrap.delta : bootstrap.first;
  // The metrics are fractions: a basic interval may reach past them on few
  // images.
  double lowest = paired ? -1.0 : 0.0;
  for (auto [name, interval] : llvm::zip(names, intervals))
    outs() << "  " << name
           << format(paired ? " [%+.4f, %+.4f]" : " [%.4f, %.4f]",
                     std::clamp(interval.low, lowest, 1.0),
                     std::clamp(interval.high, lowest, 1.0));
  outs() << "\n";
}

void Evaluator::reportDetection() {
  std::vector<DetectionMetrics> metrics;
  for (const DetectionEvaluator &e : detection_)
    metrics.push_back(e.compute());
  outs() << "images: " << evaluated_ << " (" << unlabelled_
         << " without labels";
  if (skipped_)
    outs() << ", " << skipped_ << " unreadable skipped";
  outs() << "), objects: " << metrics.front().numGroundTruth << " of "
         << metrics.front().numClasses << " classes\n";
  outs() << describePreprocess(*stages_.front()) << "\n";
  std::vector<std::string> postprocess;
  for (size_t s = 0; s < stages_.size(); ++s)
    postprocess.push_back(opts_.postprocess == Postprocess::Rows
                              ? std::string("detection rows (x1,y1,x2,y2,"
                                            "score,class)")
                              : heads_[s].describe());
  if (llvm::all_equal(postprocess))
    outs() << "postprocess: " << postprocess.front() << "\n";
  else
    for (auto [s, stage] : llvm::enumerate(stages_))
      outs() << "postprocess (" << stage->label() << "): " << postprocess[s]
             << "\n";
  outs() << "conf " << formatDouble(opts_.decode.confThreshold, "%g");
  // Rows are final detections: no decode, no NMS.
  if (opts_.postprocess == Postprocess::Yolo)
    outs() << ", iou " << formatDouble(opts_.nms.iouThreshold, "%g")
           << ", max_det " << opts_.nms.maxDetections
           << (opts_.decode.multiLabel ? ", multi-label" : ", single-label")
           << (opts_.nms.classAgnostic ? ", class-agnostic NMS" : "");
  outs() << "\n\n";
  size_t width = labelWidth(stages_);
  outs() << left_justify("stage", width)
         << "  mAP@.5  mAP@.75  mAP@.5:.95  detections  s/image\n";
  for (auto [s, stage] : llvm::enumerate(stages_)) {
    const DetectionMetrics &m = metrics[s];
    outs() << left_justify(stage->label(), width)
           << format("%8.4f %8.4f %11.4f %11zu %8.3f\n", m.map50, m.map75,
                     m.map50to95, m.numDetections,
                     seconds_[s] / std::max<size_t>(evaluated_, 1));
  }
  if (metrics.size() == 2)
    outs() << left_justify("delta", width)
           << format("%+8.4f %+8.4f %+11.4f\n",
                     metrics[1].map50 - metrics[0].map50,
                     metrics[1].map75 - metrics[0].map75,
                     metrics[1].map50to95 - metrics[0].map50to95);
  printIntervals(opts_.bootstrap, detection_.front().numImages(),
                 detection_.size(), {"mAP@.5", "mAP@.75", "mAP@.5:.95"},
                 [&](int stage, ArrayRef<uint32_t> counts) {
                   DetectionMetrics m = detection_[stage].compute(counts);
                   return std::vector<double>{m.map50, m.map75, m.map50to95};
                 });
  if (!opts_.perClass)
    return;
  // The classes mAP averages over: those with objects.
  std::map<int64_t, std::vector<const ClassAp *>> rows;
  for (auto [s, m] : llvm::enumerate(metrics))
    for (const ClassAp &c : m.perClass) {
      if (!c.numGroundTruth)
        continue;
      auto &row = rows[c.classId];
      row.resize(metrics.size(), nullptr);
      row[s] = &c;
    }
  size_t nameWidth = 5;
  for (auto &[id, row] : rows)
    nameWidth = std::max(nameWidth, className(id).size());
  nameWidth += 2;
  outs() << "\n" << left_justify("class", nameWidth) << " objects";
  for (size_t s = 0; s < metrics.size(); ++s)
    outs() << "   AP@.5 AP@.5:.95";
  if (metrics.size() == 2)
    outs() << "  delta@.5:.95";
  outs() << "\n";
  for (auto &[id, row] : rows) {
    size_t objects = 0;
    for (const ClassAp *c : row)
      if (c)
        objects = c->numGroundTruth;
    outs() << left_justify(className(id), nameWidth) << format("%8zu", objects);
    for (const ClassAp *c : row)
      outs() << format("  %6.4f    %6.4f", c->ap50(), c->ap50to95());
    if (row.size() == 2)
      outs() << format("  %+12.4f", row[1]->ap50to95() - row[0]->ap50to95());
    outs() << "\n";
  }
}

void Evaluator::reportClassification() {
  outs() << "images: " << evaluated_;
  if (skipped_)
    outs() << " (" << skipped_ << " unreadable skipped)";
  outs() << ", classes: " << numClasses_ << "\n"
         << describePreprocess(*stages_.front()) << "\n\n";
  size_t width = labelWidth(stages_);
  outs() << left_justify("stage", width) << "   top-1   top-5  s/image\n";
  for (auto [s, stage] : llvm::enumerate(stages_))
    outs() << left_justify(stage->label(), width)
           << format("%8.4f %7.4f %8.3f\n", classification_[s].top1(),
                     classification_[s].top5(),
                     seconds_[s] / std::max<size_t>(evaluated_, 1));
  if (stages_.size() == 2)
    outs() << left_justify("delta", width)
           << format("%+8.4f %+7.4f\n",
                     classification_[1].top1() - classification_[0].top1(),
                     classification_[1].top5() - classification_[0].top5());
  printIntervals(opts_.bootstrap, classification_.front().count(),
                 classification_.size(), {"top-1", "top-5"},
                 [&](int stage, ArrayRef<uint32_t> counts) {
                   auto [top1, top5] = classification_[stage].topK(counts);
                   return std::vector<double>{top1, top5};
                 });
}

} // namespace tpuc::eval
