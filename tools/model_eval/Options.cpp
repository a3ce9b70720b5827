//===- Options.cpp - model_eval's command line ----------------------------===//
//
// The flags of model_eval and their checks, apart from the evaluation: every
// bad value becomes a one-line error naming the flag before any model is
// loaded.
//
//===----------------------------------------------------------------------===//

#include "ModelEval.h"

#include "tpuc/Support/ListParsing.h"
#include "tpuc/Support/ToolSupport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"

using namespace llvm;
using namespace tpuc::accuracy;

namespace tpuc::eval {

cl::OptionCategory category("model_eval options");

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
      return optionError("malformed --anchors '" + text +
                         "': " + toString(numbers.takeError()));
    if (numbers->empty() || numbers->size() % 2 ||
        llvm::any_of(*numbers, [](double v) { return v <= 0; }))
      return optionError("malformed --anchors '" + text +
                         "': each level needs positive w,h pairs");
    std::vector<std::pair<float, float>> level;
    for (size_t i = 0; i < numbers->size(); i += 2)
      level.push_back({static_cast<float>((*numbers)[i]),
                       static_cast<float>((*numbers)[i + 1])});
    if (!levels.empty() && level.size() != levels.front().size())
      return optionError("malformed --anchors '" + text +
                         "': every level needs the same number of anchors");
    levels.push_back(std::move(level));
  }
  if (levels.empty())
    return optionError("malformed --anchors '" + text + "': no anchors");
  return levels;
}

} // namespace

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
  auto asymmetric = tpuc::switchFlag(asymmetricFlag);
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
    return optionError("malformed --conf '" + confFlag +
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
    return optionError("malformed --reg_max '" + regMaxFlag +
                       "': expected at most 1024");
  auto maxImages = countFlag(maxImagesFlag, 0, 1, "a positive count");
  if (!maxImages)
    return maxImages.takeError();
  auto bootstrap = countFlag(bootstrapFlag, 1000, 0, "a count");
  if (!bootstrap)
    return bootstrap.takeError();
  if (*bootstrap > 100000)
    return optionError("malformed --bootstrap '" + bootstrapFlag +
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
    auto parsed = tpuc::switchFlag(*flag);
    if (!parsed)
      return parsed.takeError();
    if (value)
      *value = *parsed;
    else
      opts.decode.multiLabel = !*parsed;
  }
  return opts;
}

} // namespace tpuc::eval
