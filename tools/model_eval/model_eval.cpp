//===- model_eval.cpp - Task accuracy of a model at any stage -------------===//
//
//   model_eval --model STAGE [--compare STAGE] --dataset DIR
//       [--mlir top.mlir] [--processor CHIP [--calibration_table T]
//        [--quantize_table Q] [--asymmetric]]
//       [--task detect] --postprocess yolov5|yolov8|yolo11|none
//         [--labels DIR] [--conf 0.001] [--iou 0.65] [--max_det 300]
//         [--anchors A] [--reg_max 16] [--single_label] [--agnostic_nms]
//       [--task classify] [--label_file FILE]
//       [--class_names FILE] [--max_images N] [--per_class]
//       [--bootstrap 1000]
//
// A STAGE is an .onnx file (run by onnxruntime), a Top MLIR (the float
// interpreter), a Tpu MLIR from model_deploy, or INT8/BF16/F16/F32: the Top
// MLIR lowered in-process for --processor exactly as model_deploy lowers it.
// Every image of the dataset is preprocessed as the model's `top.Input`
// says, run through each stage, decoded (detection) and scored against its
// labels: mAP@.5, mAP@.75 and mAP@.5:.95 (COCO-style), or top-1 and top-5.
// With --compare both stages see the same images and the delta is printed,
// with its 95 % interval from a paired bootstrap over the images.
// Nothing is written; progress and warnings go to stderr, results to stdout.
//
//===----------------------------------------------------------------------===//

#include "Stages.h"

#include "tpuc/Frontend/ImagePreprocess.h"
#include "tpuc/Quant/Accuracy/Bootstrap.h"
#include "tpuc/Quant/Accuracy/ClassificationMetrics.h"
#include "tpuc/Quant/Accuracy/DetectionMetrics.h"
#include "tpuc/Quant/Accuracy/ImagePlacement.h"
#include "tpuc/Quant/Accuracy/Labels.h"
#include "tpuc/Quant/Accuracy/YoloDecode.h"
#include "tpuc/Quant/Calibration/Dataset.h"
#include "tpuc/Support/ListParsing.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>

using namespace llvm;
using namespace tpuc::accuracy;
using tpuc::reportError;

static constexpr StringLiteral kTool = "model_eval";

static cl::OptionCategory category("model_eval options");

// Numbers are parsed by the tool (not by cl) so that bad values give
// one-line errors naming the flag.
static cl::opt<std::string> modelFlag(
    "model",
    cl::desc("Stage to evaluate: model.onnx, top.mlir, tpu.mlir, or INT8, "
             "BF16, F16, F32 (the Top MLIR lowered for --processor)"),
    cl::cat(category));
static cl::opt<std::string>
    compareFlag("compare",
                cl::desc("A second stage, evaluated on the same images"),
                cl::cat(category));
static cl::opt<std::string> mlirFlag(
    "mlir",
    cl::desc("Top MLIR for INT8/BF16/... stages and for the preprocessing "
             "and outputs of an .onnx stage (default: the Top MLIR stage)"),
    cl::cat(category));
static cl::opt<std::string>
    processorFlag("processor",
                  cl::desc("Chip of INT8/BF16/F16/F32 stages (cv181x, ...)"),
                  cl::cat(category));
static cl::opt<std::string>
    calibrationTableFlag("calibration_table",
                         cl::desc("Calibration table of INT8 stages"),
                         cl::cat(category));
static cl::opt<std::string> quantizeTableFlag(
    "quantize_table",
    cl::desc("Mixed precision table of lowered stages (`op_name MODE`)"),
    cl::cat(category));
static cl::opt<std::string>
    datasetFlag("dataset",
                cl::desc("Folder of images (searched recursively, used in "
                         "name order)"),
                cl::cat(category));
static cl::opt<std::string> labelsFlag(
    "labels",
    cl::desc("Folder of YOLO txt labels (default: the `labels` folder "
             "beside each image's `images` folder)"),
    cl::cat(category));
static cl::opt<std::string> labelFileFlag(
    "label_file",
    cl::desc("Classification: `<image> <class>` lines (default: each "
             "image's folder names its class)"),
    cl::cat(category));
static cl::opt<std::string> taskFlag("task",
                                     cl::desc("detect (default) or classify"),
                                     cl::cat(category));
static cl::opt<std::string> postprocessFlag(
    "postprocess",
    cl::desc("Detection outputs: yolov5, yolov8 (also yolo11), or none "
             "(rows of x1,y1,x2,y2,score,class)"),
    cl::cat(category));
static cl::opt<std::string>
    classNamesFlag("class_names", cl::desc("File with one class name a line"),
                   cl::cat(category));
static cl::opt<std::string>
    confFlag("conf", cl::desc("Score threshold of detections (default 0.001)"),
             cl::cat(category));
static cl::opt<std::string>
    iouFlag("iou", cl::desc("NMS IoU threshold (default 0.65)"),
            cl::cat(category));
static cl::opt<std::string>
    maxDetFlag("max_det", cl::desc("Detections kept per image (default 300)"),
               cl::cat(category));
static cl::opt<std::string>
    anchorsFlag("anchors",
                cl::desc("YOLOv5 anchors per level, smallest stride first: "
                         "w,h,w,h,...;w,h,...  (default: the COCO anchors)"),
                cl::cat(category));
static cl::opt<std::string>
    regMaxFlag("reg_max", cl::desc("YOLOv8 DFL bins per box side (default 16)"),
               cl::cat(category));
static cl::opt<std::string>
    maxImagesFlag("max_images",
                  cl::desc("Evaluate the first N images (default: all)"),
                  cl::cat(category));
static cl::opt<std::string> bootstrapFlag(
    "bootstrap",
    cl::desc("Resamples of the images for the 95% intervals (default 1000; "
             "0: no intervals)"),
    cl::cat(category));

// Switches also accept `=true`/`=false`.
#define TPUC_SWITCH(var, name, help)                                           \
  static cl::opt<std::string> var(name, cl::ValueOptional,                     \
                                  cl::value_desc("true|false"),                \
                                  cl::desc(help), cl::cat(category))
TPUC_SWITCH(perClassFlag, "per_class", "Print the AP of every class");
TPUC_SWITCH(singleLabelFlag, "single_label",
            "One class per box (default: every class above --conf)");
TPUC_SWITCH(agnosticFlag, "agnostic_nms", "NMS across classes");
TPUC_SWITCH(asymmetricFlag, "asymmetric", "Asymmetric INT8 (BM1684X)");
#undef TPUC_SWITCH

namespace {

Error optionError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

enum class Task { Detect, Classify };
enum class Postprocess { Yolo, Rows };

struct Options {
  std::vector<tpuc::eval::StageSpec> stages;
  std::string mlir;
  tpuc::eval::LoweringFlags lowering;
  std::string dataset, labels, labelFile, classNames;
  Task task = Task::Detect;
  Postprocess postprocess = Postprocess::Yolo;
  YoloStyle style = YoloStyle::V5;
  YoloHeadOptions head;
  YoloDecodeOptions decode;
  NmsOptions nms;
  size_t maxImages = 0;
  size_t bootstrap = 1000;
  bool perClass = false;
};

Expected<double> numberFlag(const cl::opt<std::string> &flag, double value,
                            double low, double high, StringRef what) {
  if (flag.getNumOccurrences() == 0)
    return value;
  StringRef text = StringRef(flag).trim();
  if (text.getAsDouble(value) || !(value >= low && value <= high))
    return optionError("bad --" + flag.ArgStr + " '" + flag + "': expected " +
                       what);
  return value;
}

Expected<uint64_t> countFlag(const cl::opt<std::string> &flag, uint64_t value,
                             uint64_t low, StringRef what) {
  if (flag.getNumOccurrences() == 0)
    return value;
  StringRef text = StringRef(flag).trim();
  if (text.getAsInteger(10, value) || value < low)
    return optionError("bad --" + flag.ArgStr + " '" + flag + "': expected " +
                       what);
  return value;
}

Expected<bool> switchValue(const cl::opt<std::string> &flag) {
  return tpuc::parseSwitch(flag.ArgStr, flag, flag.getNumOccurrences() > 0);
}

/// `w,h,w,h;w,h,...` (also `[[w,h,...],[...]]`): anchors per level.
Expected<std::vector<std::vector<std::pair<float, float>>>>
parseAnchors(StringRef text) {
  std::string flat = text.str();
  for (size_t pos; (pos = flat.find("],[")) != std::string::npos;)
    flat.replace(pos, 3, ";");
  std::string cleaned;
  for (char c : flat)
    if (c != '[' && c != ']' && c != ' ')
      cleaned += c;
  std::vector<std::vector<std::pair<float, float>>> levels;
  SmallVector<StringRef, 4> parts;
  StringRef(cleaned).split(parts, ';', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    auto numbers = tpuc::parseNumberList(part);
    if (!numbers)
      return optionError("bad --anchors '" + text +
                         "': " + toString(numbers.takeError()));
    if (numbers->empty() || numbers->size() % 2 ||
        llvm::any_of(*numbers, [](double v) { return v <= 0; }))
      return optionError("bad --anchors '" + text +
                         "': each level needs positive w,h pairs");
    std::vector<std::pair<float, float>> level;
    for (size_t i = 0; i < numbers->size(); i += 2)
      level.push_back({static_cast<float>((*numbers)[i]),
                       static_cast<float>((*numbers)[i + 1])});
    if (!levels.empty() && level.size() != levels.front().size())
      return optionError("bad --anchors '" + text +
                         "': every level needs the same number of anchors");
    levels.push_back(std::move(level));
  }
  if (levels.empty())
    return optionError("bad --anchors '" + text + "': no anchors");
  return levels;
}

Expected<Options> parseOptions() {
  Options opts;
  if (modelFlag.empty())
    return optionError("--model is required (an .onnx, Top or Tpu .mlir "
                       "file, or INT8/BF16/F16/F32)");
  if (datasetFlag.empty())
    return optionError("--dataset is required (a folder of images)");
  for (const cl::opt<std::string> *flag : {&modelFlag, &compareFlag}) {
    if (flag->getNumOccurrences() == 0)
      continue;
    auto spec = tpuc::eval::parseStageSpec(StringRef(*flag).trim());
    if (!spec)
      return optionError("--" + flag->ArgStr + ": " +
                         toString(spec.takeError()));
    opts.stages.push_back(std::move(*spec));
  }
  opts.mlir = mlirFlag;
  if (!opts.mlir.empty() && !sys::fs::exists(opts.mlir))
    return optionError("--mlir " + opts.mlir + ": no such file");
  opts.lowering.chip = StringRef(processorFlag).trim().lower();
  if (!opts.lowering.chip.empty() && !tpuc::lookupChip(opts.lowering.chip))
    return optionError("unknown --processor '" + processorFlag +
                       "' (expected " + tpuc::getChipNames() + ")");
  opts.lowering.calibrationTable = calibrationTableFlag;
  opts.lowering.quantizeTable = quantizeTableFlag;
  for (StringRef file : {StringRef(opts.lowering.calibrationTable),
                         StringRef(opts.lowering.quantizeTable)})
    if (!file.empty() && !sys::fs::exists(file))
      return optionError(file + ": no such file");
  auto asymmetric = switchValue(asymmetricFlag);
  if (!asymmetric)
    return asymmetric.takeError();
  opts.lowering.asymmetric = *asymmetric;
  bool lowered = llvm::any_of(opts.stages, [](const auto &s) {
    return s.kind == tpuc::eval::StageSpec::Kind::Lowered;
  });
  if (!lowered &&
      (!opts.lowering.chip.empty() || !opts.lowering.calibrationTable.empty() ||
       !opts.lowering.quantizeTable.empty()))
    return optionError("--processor, --calibration_table and "
                       "--quantize_table apply to INT8/BF16/F16/F32 stages; "
                       "neither --model nor --compare names one");

  opts.dataset = datasetFlag;
  opts.labels = labelsFlag;
  opts.labelFile = labelFileFlag;
  opts.classNames = classNamesFlag;
  StringRef task = StringRef(taskFlag).trim();
  if (task.empty() || task == "detect" || task == "detection")
    opts.task = Task::Detect;
  else if (task == "classify" || task == "classification")
    opts.task = Task::Classify;
  else
    return optionError("unknown --task '" + taskFlag +
                       "' (expected detect or classify)");

  StringRef post = StringRef(postprocessFlag).trim();
  if (opts.task == Task::Detect) {
    if (post.empty())
      return optionError("detection needs --postprocess yolov5, yolov8 "
                         "(also yolo11) or none");
    if (post == "none") {
      opts.postprocess = Postprocess::Rows;
    } else if (std::optional<YoloStyle> style = parseYoloStyle(post)) {
      opts.style = *style;
    } else {
      return optionError("unknown --postprocess '" + postprocessFlag +
                         "' (expected yolov5, yolov8, yolo11 or none)");
    }
    if (!opts.labelFile.empty())
      return optionError("--label_file is for --task classify; detection "
                         "labels are YOLO txt files (--labels DIR)");
  } else {
    if (!post.empty() && post != "none")
      return optionError("--postprocess " + post +
                         " is for detection; classification scores the "
                         "model's output as it is");
    if (!opts.labels.empty())
      return optionError("--labels is for detection; classification takes "
                         "--label_file");
  }
  if (!opts.labels.empty() && !sys::fs::is_directory(opts.labels))
    return optionError("--labels " + opts.labels + ": no such directory");

  auto conf = numberFlag(confFlag, 0.001, 0.0, 1.0, "a score in [0, 1)");
  if (!conf)
    return conf.takeError();
  if (*conf >= 1.0)
    return optionError("bad --conf '" + confFlag +
                       "': expected a score in [0, 1)");
  auto iou = numberFlag(iouFlag, 0.65, 0.0, 1.0, "an IoU in [0, 1]");
  if (!iou)
    return iou.takeError();
  auto maxDet = countFlag(maxDetFlag, 300, 1, "a positive count");
  if (!maxDet)
    return maxDet.takeError();
  auto regMax = countFlag(regMaxFlag, 16, 1, "a positive bin count");
  if (!regMax)
    return regMax.takeError();
  if (*regMax > 1024)
    return optionError("bad --reg_max '" + regMaxFlag +
                       "': expected at most 1024");
  auto maxImages = countFlag(maxImagesFlag, 0, 1, "a positive count");
  if (!maxImages)
    return maxImages.takeError();
  auto bootstrap = countFlag(bootstrapFlag, 1000, 0, "a count");
  if (!bootstrap)
    return bootstrap.takeError();
  if (*bootstrap > 100000)
    return optionError("bad --bootstrap '" + bootstrapFlag +
                       "': expected at most 100000 resamples");
  opts.bootstrap = *bootstrap;
  opts.decode.confThreshold = static_cast<float>(*conf);
  opts.nms.iouThreshold = static_cast<float>(*iou);
  opts.nms.maxDetections = *maxDet;
  opts.head.regMax = static_cast<int64_t>(*regMax);
  opts.maxImages = *maxImages;
  if (!anchorsFlag.empty()) {
    if (opts.task != Task::Detect || opts.postprocess != Postprocess::Yolo ||
        opts.style != YoloStyle::V5)
      return optionError("--anchors is for --postprocess yolov5");
    auto anchors = parseAnchors(anchorsFlag);
    if (!anchors)
      return anchors.takeError();
    opts.head.anchors = std::move(*anchors);
  }
  for (auto [flag, value] : {std::pair<cl::opt<std::string> *, bool *>{
                                 &perClassFlag, &opts.perClass},
                             {&singleLabelFlag, nullptr},
                             {&agnosticFlag, &opts.nms.classAgnostic}}) {
    auto parsed = switchValue(*flag);
    if (!parsed)
      return parsed.takeError();
    if (value)
      *value = *parsed;
    else
      opts.decode.multiLabel = !*parsed;
  }
  return opts;
}

std::string formatDouble(double value, const char *format) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

bool samePreprocess(const tpuc::calibration::ModelInput &a,
                    const tpuc::calibration::ModelInput &b) {
  if (a.shape != b.shape || !a.preprocess || !b.preprocess)
    return false;
  const tpuc::InputPreprocess &p = *a.preprocess, &q = *b.preprocess;
  return p.pixelFormat == q.pixelFormat && p.channelFormat == q.channelFormat &&
         p.resizeDims == q.resizeDims &&
         p.keepAspectRatio == q.keepAspectRatio && p.padValue == q.padValue &&
         p.mean == q.mean && p.scale == q.scale;
}

std::string describePreprocess(const tpuc::calibration::ModelInput &in) {
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
  return text;
}

/// One image of the dataset with its ground truth.
struct Image {
  std::string path;
  /// Detection: the objects, normalized; whether a label file exists.
  std::vector<NormalizedBox> boxes;
  bool labelled = false;
  /// Classification: the true class.
  int64_t classId = -1;
};

/// Removes the scratch folder when the tool ends.
struct ScratchDir {
  SmallString<128> path;
  ~ScratchDir() {
    if (!path.empty())
      sys::fs::remove_directories(path);
  }
};

class Evaluator {
public:
  explicit Evaluator(Options opts) : opts_(std::move(opts)) {}
  int run();

private:
  Error createStages();
  Error listImages();
  Error prepareDetection();
  Error prepareClassification();
  Error evaluate();
  void reportDetection();
  void reportClassification();
  std::string className(int64_t id) const;

  Options opts_;
  mlir::MLIRContext ctx_;
  ScratchDir scratch_;
  /// Owns the loaded modules the stages run; outlives them.
  std::unique_ptr<tpuc::eval::StageFactory> factory_;
  std::vector<std::unique_ptr<tpuc::eval::Stage>> stages_;
  std::vector<Image> images_;
  std::vector<std::string> classNames_;
  int64_t numClasses_ = 0;
  std::vector<YoloHead> heads_;
  std::vector<DetectionEvaluator> detection_;
  std::vector<TopKAccuracy> classification_;
  std::vector<double> seconds_;
  size_t evaluated_ = 0, skipped_ = 0, unlabelled_ = 0;
};

Error Evaluator::createStages() {
  if (std::error_code ec =
          sys::fs::createUniqueDirectory("model_eval", scratch_.path))
    return optionError("cannot create a scratch folder: " + ec.message());
  factory_ = std::make_unique<tpuc::eval::StageFactory>(
      ctx_, opts_.mlir, opts_.lowering, std::string(scratch_.path));
  factory_->chooseTopMlir(opts_.stages);
  for (const tpuc::eval::StageSpec &spec : opts_.stages) {
    auto stage = factory_->create(spec);
    if (!stage)
      return stage.takeError();
    stages_.push_back(std::move(*stage));
  }
  if (stages_.size() == 2 &&
      !samePreprocess(stages_[0]->input(), stages_[1]->input()))
    return optionError("the stages preprocess images differently (" +
                       describePreprocess(stages_[0]->input()) + " vs " +
                       describePreprocess(stages_[1]->input()) +
                       "); compare stages of the same model");
  seconds_.assign(stages_.size(), 0.0);
  return Error::success();
}

Error Evaluator::listImages() {
  auto samples = tpuc::calibration::listDataset(opts_.dataset, 1);
  if (!samples)
    return samples.takeError();
  size_t numpy = 0;
  for (const tpuc::calibration::SampleFiles &sample : *samples) {
    const std::string &file = sample.files.front();
    if (!tpuc::calibration::isImageFile(file)) {
      ++numpy;
      continue;
    }
    images_.push_back(Image{file, {}, false, -1});
  }
  if (images_.empty())
    return optionError(opts_.dataset + ": no images (model_eval needs images "
                                       "to map predictions to their labels)");
  if (numpy)
    errs() << kTool << ": warning: " << opts_.dataset << ": ignoring " << numpy
           << " .npy/.npz file(s); model_eval evaluates images\n";
  if (opts_.maxImages && images_.size() > opts_.maxImages)
    images_.resize(opts_.maxImages);
  return Error::success();
}

/// The image's path below the dataset folder.
static std::string relativePath(StringRef path, StringRef dataset) {
  StringRef rel = path;
  if (rel.consume_front(dataset))
    rel = rel.ltrim('/');
  return rel.str();
}

Error Evaluator::prepareDetection() {
  if (!opts_.classNames.empty())
    opts_.head.numClasses = static_cast<int64_t>(classNames_.size());
  auto [inH, inW] = tpuc::calibration::getImageSize(stages_[0]->input());
  for (const auto &stage : stages_) {
    if (opts_.postprocess == Postprocess::Rows) {
      const auto &shapes = stage->outputShapes();
      if (shapes.size() != 1 || shapes[0].back() != 6)
        return optionError(stage->label() +
                           ": --postprocess none takes one output of "
                           "detection rows [...,K,6] (x1,y1,x2,y2,score,"
                           "class); the model has " +
                           Twine(shapes.size()) + " output(s)" +
                           (shapes.size() == 1
                                ? " of last dim " + Twine(shapes[0].back())
                                : Twine("")));
      continue;
    }
    auto head = analyzeYoloOutputs(opts_.style, stage->outputShapes(), inH, inW,
                                   opts_.head);
    if (!head)
      return optionError(stage->label() + ": " + toString(head.takeError()));
    if (!heads_.empty() && head->numClasses != heads_.front().numClasses)
      return optionError("the stages predict different numbers of classes (" +
                         Twine(heads_.front().numClasses) + " and " +
                         Twine(head->numClasses) + ")");
    heads_.push_back(std::move(*head));
  }
  numClasses_ = heads_.empty() ? static_cast<int64_t>(classNames_.size())
                               : heads_.front().numClasses;

  size_t objects = 0;
  std::string firstLabel;
  for (Image &image : images_) {
    std::string label;
    if (!opts_.labels.empty()) {
      // The image's place below the dataset, without a leading images/.
      SmallString<256> rel(relativePath(image.path, opts_.dataset));
      StringRef relText = rel;
      if (relText.starts_with("images/"))
        relText = relText.drop_front(strlen("images/"));
      SmallString<256> path(opts_.labels);
      sys::path::append(path, relText);
      sys::path::replace_extension(path, ".txt");
      label = std::string(path);
    } else {
      label = yoloLabelPath(image.path);
      if (label.empty())
        return optionError(image.path + ": its path has no 'images' folder "
                                        "to find the labels beside (give "
                                        "--labels DIR)");
    }
    if (firstLabel.empty())
      firstLabel = label;
    if (!sys::fs::exists(label))
      continue;
    auto boxes = readYoloLabels(label, numClasses_);
    if (!boxes)
      return boxes.takeError();
    image.boxes = std::move(*boxes);
    image.labelled = true;
    objects += image.boxes.size();
  }
  if (objects == 0)
    return optionError(
        "the labels hold no objects (looked for " + firstLabel +
        (opts_.labels.empty() ? ", ...; give --labels DIR)" : ", ...)"));
  detection_.assign(stages_.size(), DetectionEvaluator());
  return Error::success();
}

Error Evaluator::prepareClassification() {
  for (const auto &stage : stages_) {
    const auto &shapes = stage->outputShapes();
    if (shapes.size() != 1)
      return optionError(stage->label() +
                         ": classification takes a model "
                         "with one output of class scores; "
                         "it has " +
                         Twine(shapes.size()));
    int64_t batch = shapes[0].front();
    int64_t classes =
        tpuc::Tensor::numelOf(shapes[0]) / (shapes[0].size() > 1 ? batch : 1);
    if (numClasses_ && classes != numClasses_)
      return optionError("the stages predict different numbers of classes (" +
                         Twine(numClasses_) + " and " + Twine(classes) + ")");
    numClasses_ = classes;
  }
  if (!classNames_.empty() &&
      static_cast<int64_t>(classNames_.size()) != numClasses_)
    return optionError(opts_.classNames + " has " + Twine(classNames_.size()) +
                       " class names but the model predicts " +
                       Twine(numClasses_) + " classes");
  std::map<std::string, int64_t> labels;
  if (!opts_.labelFile.empty()) {
    auto read =
        readClassificationLabels(opts_.labelFile, classNames_, numClasses_);
    if (!read)
      return read.takeError();
    labels = std::move(*read);
  }
  for (Image &image : images_) {
    std::string rel = relativePath(image.path, opts_.dataset);
    if (!opts_.labelFile.empty()) {
      auto it = labels.find(rel);
      if (it == labels.end())
        it = labels.find(sys::path::filename(image.path).str());
      if (it == labels.end())
        return optionError(image.path + ": no label in " + opts_.labelFile);
      image.classId = it->second;
      continue;
    }
    // ImageNet layout: the folder names the class.
    StringRef folder = sys::path::filename(sys::path::parent_path(image.path));
    auto named = llvm::find(classNames_, folder);
    int64_t id;
    if (named != classNames_.end())
      id = named - classNames_.begin();
    else if (folder.getAsInteger(10, id) || id < 0)
      return optionError(image.path + ": its folder '" + folder +
                         "' is not a class " +
                         (classNames_.empty() ? "index (give --label_file or "
                                                "--class_names)"
                                              : "name or index (give "
                                                "--label_file)"));
    if (id >= numClasses_)
      return optionError(image.path + ": class " + Twine(id) +
                         " is beyond the model's " + Twine(numClasses_) +
                         " classes");
    image.classId = id;
  }
  classification_.assign(stages_.size(), TopKAccuracy());
  return Error::success();
}

Error Evaluator::evaluate() {
  const tpuc::calibration::ModelInput &input = stages_[0]->input();
  std::vector<tpuc::calibration::ModelInput> inputs = {input};
  auto [inH, inW] = tpuc::calibration::getImageSize(input);
  const tpuc::InputPreprocess &pre = *input.preprocess;
  int64_t resizeH = pre.resizeDims.empty() ? inH : pre.resizeDims[0];
  int64_t resizeW = pre.resizeDims.empty() ? inW : pre.resizeDims[1];
  bool tty = sys::Process::StandardErrIsDisplayed();
  std::vector<tpuc::Tensor> outputs;
  for (auto [index, image] : llvm::enumerate(images_)) {
    if (tty) {
      errs() << "\r" << kTool << ": image " << index + 1 << "/"
             << images_.size() << "\033[K";
      errs().flush();
    }
    std::string skipReason;
    auto sample = tpuc::calibration::loadSample(
        tpuc::calibration::SampleFiles{{image.path}}, inputs, skipReason);
    if (!sample)
      return sample.takeError();
    if (!*sample) {
      if (tty)
        errs() << "\r\033[K";
      errs() << kTool << ": warning: " << skipReason << "; skipped\n";
      ++skipped_;
      continue;
    }
    const tpuc::Tensor &tensor = (*sample)->begin()->second;
    ImagePlacement placement;
    std::vector<GroundTruth> objects;
    if (opts_.task == Task::Detect) {
      auto size = tpuc::decodedImageSize(image.path, pre.pixelFormat);
      if (!size)
        return size.takeError();
      placement = computeImagePlacement(size->first, size->second, resizeH,
                                        resizeW, inH, inW, pre.keepAspectRatio);
      objects = toPixels(image.boxes, size->second, size->first);
    }
    for (auto [s, stage] : llvm::enumerate(stages_)) {
      auto start = std::chrono::steady_clock::now();
      if (Error err = stage->run(tensor, outputs)) {
        std::string message = toString(std::move(err));
        return optionError(stage->label() + " failed on " + image.path +
                           (message.empty() ? "" : ": " + message));
      }
      seconds_[s] += std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
      if (opts_.task == Task::Classify) {
        const tpuc::Tensor &scores = outputs.front();
        if (scores.numel() < numClasses_)
          return optionError(stage->label() + " on " + image.path +
                             ": the output has " + Twine(scores.numel()) +
                             " values for " + Twine(numClasses_) + " classes");
        classification_[s].add(
            ArrayRef<float>(scores.ptr(), static_cast<size_t>(numClasses_)),
            image.classId);
        continue;
      }
      std::vector<Detection> detections;
      if (opts_.postprocess == Postprocess::Rows) {
        auto rows =
            readDetectionRows(outputs.front(), opts_.decode.confThreshold);
        if (!rows)
          return optionError(stage->label() + " on " + image.path + ": " +
                             toString(rows.takeError()));
        detections = std::move(*rows);
        for (const Detection &d : detections)
          if (numClasses_ && d.classId >= numClasses_)
            return optionError(stage->label() + " on " + image.path +
                               ": a detection has class " + Twine(d.classId) +
                               " but --class_names lists " +
                               Twine(numClasses_));
      } else {
        std::vector<const tpuc::Tensor *> pointers;
        for (const tpuc::Tensor &t : outputs)
          pointers.push_back(&t);
        auto candidates = decodeYoloOutputs(heads_[s], pointers, opts_.decode);
        if (!candidates)
          return optionError(stage->label() + " on " + image.path + ": " +
                             toString(candidates.takeError()));
        detections = nonMaxSuppression(std::move(*candidates), opts_.nms);
      }
      for (Detection &d : detections)
        d.box = placement.toImage(d.box);
      detection_[s].addImage(objects, detections);
    }
    ++evaluated_;
    unlabelled_ += !image.labelled;
  }
  if (tty) {
    errs() << "\r\033[K";
    errs().flush();
  }
  if (evaluated_ == 0)
    return optionError(opts_.dataset + ": no image could be read");
  return Error::success();
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

/// One line of 95 % bootstrap intervals: of the delta between two stages
/// (paired: each resample draws the same images for both), or of the one
/// stage's metrics.
static void printIntervals(const PairedBootstrap &bootstrap, size_t numImages,
                           size_t numStages, ArrayRef<StringRef> names) {
  if (bootstrap.resamples == 0)
    return;
  bool paired = numStages == 2;
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
  outs() << describePreprocess(stages_.front()->input()) << "\n";
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
  if (opts_.bootstrap) {
    size_t numImages = detection_.front().numImages();
    size_t last = detection_.size() - 1;
    PairedBootstrap bootstrap = pairedBootstrap(
        numImages, opts_.bootstrap, 0.95, kBootstrapSeed,
        [&](int stage, ArrayRef<uint32_t> counts) {
          DetectionMetrics m =
              detection_[std::min<size_t>(stage, last)].compute(counts);
          return std::vector<double>{m.map50, m.map75, m.map50to95};
        });
    printIntervals(bootstrap, numImages, detection_.size(),
                   {"mAP@.5", "mAP@.75", "mAP@.5:.95"});
  }
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
         << describePreprocess(stages_.front()->input()) << "\n\n";
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
  if (opts_.bootstrap) {
    size_t numImages = classification_.front().count();
    size_t last = classification_.size() - 1;
    PairedBootstrap bootstrap = pairedBootstrap(
        numImages, opts_.bootstrap, 0.95, kBootstrapSeed,
        [&](int stage, ArrayRef<uint32_t> counts) {
          auto [top1, top5] =
              classification_[std::min<size_t>(stage, last)].topK(counts);
          return std::vector<double>{top1, top5};
        });
    printIntervals(bootstrap, numImages, classification_.size(),
                   {"top-1", "top-5"});
  }
}

int Evaluator::run() {
  tpuc::OneLineDiagnostics diagnostics(&ctx_, kTool);
  auto fail = [](Error err) {
    std::string message = toString(std::move(err));
    // An empty message was printed by the MLIR diagnostics already.
    return message.empty() ? 1 : reportError(kTool, message);
  };
  if (!opts_.classNames.empty()) {
    auto names = readClassNames(opts_.classNames);
    if (!names)
      return fail(names.takeError());
    classNames_ = std::move(*names);
  }
  if (Error err = listImages())
    return fail(std::move(err));
  if (Error err = createStages())
    return fail(std::move(err));
  Error prepared =
      opts_.task == Task::Detect ? prepareDetection() : prepareClassification();
  if (prepared)
    return fail(std::move(prepared));
  if (Error err = evaluate())
    return fail(std::move(err));
  if (opts_.task == Task::Detect)
    reportDetection();
  else
    reportClassification();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // A dead onnxruntime process must show up as an error, not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  if (!tpuc::parseToolCommandLine(
          argc, argv, kTool,
          "Measures detection mAP or classification accuracy of a model at any "
          "stage\n",
          category))
    return 1;
  auto opts = parseOptions();
  if (!opts)
    return reportError(kTool, toString(opts.takeError()));
  return Evaluator(std::move(*opts)).run();
}
