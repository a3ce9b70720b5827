//===- Evaluator.cpp - model_eval's stages run over the images ------------===//
//
// The Evaluator's work up to the scores: it creates the stages, lists the
// images and their labels, runs every image through every stage and scores
// the decoded outputs. Report.cpp prints the scores.
//
//===----------------------------------------------------------------------===//

#include "ModelEval.h"

#include "tpuc/Frontend/ImagePreprocess.h"
#include "tpuc/Quant/Accuracy/ImagePlacement.h"
#include "tpuc/Quant/Accuracy/Labels.h"
#include "tpuc/Quant/Accuracy/YoloDecode.h"
#include "tpuc/Quant/Calibration/Dataset.h"
#include "tpuc/Support/ToolSupport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>
#include <map>

using namespace llvm;
using namespace tpuc::accuracy;

namespace tpuc::eval {

namespace {

/// The resize an input's preprocessing does: its resize dims, or the
/// input's own height and width.
std::vector<int64_t> resizedTo(const tpuc::calibration::ModelInput &in) {
  if (!in.preprocess->resizeDims.empty())
    return in.preprocess->resizeDims;
  auto [h, w] = tpuc::calibration::getImageSize(in);
  return {h, w};
}

bool samePreprocess(const tpuc::eval::Stage &x, const tpuc::eval::Stage &y) {
  const tpuc::calibration::ModelInput &a = x.input(), &b = y.input();
  if (!a.preprocess || !b.preprocess)
    return false;
  const tpuc::InputPreprocess &p = *a.preprocess, &q = *b.preprocess;
  bool sameGeometry = tpuc::calibration::getImageSize(a) ==
                          tpuc::calibration::getImageSize(b) &&
                      resizedTo(a) == resizedTo(b) &&
                      p.keepAspectRatio == q.keepAspectRatio &&
                      p.padValue == q.padValue;
  // A stage that takes frames applies its mean, scale and channel order in
  // the model: only where the pixels land can be compared.
  if (x.frame() || y.frame())
    return sameGeometry;
  return sameGeometry && a.shape == b.shape && p.pixelFormat == q.pixelFormat &&
         p.channelFormat == q.channelFormat && p.mean == q.mean &&
         p.scale == q.scale;
}

} // namespace

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
  if (stages_.size() == 2 && !samePreprocess(*stages_[0], *stages_[1]))
    return optionError("the stages preprocess images differently (" +
                       describePreprocess(*stages_[0]) + " vs " +
                       describePreprocess(*stages_[1]) +
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
  // The images are preprocessed as the first stage that takes them
  // preprocessed does it (stages on frames build their own from the file).
  const tpuc::eval::Stage *preprocessing = stages_[0].get();
  for (const auto &stage : stages_)
    if (!stage->frame()) {
      preprocessing = stage.get();
      break;
    }
  const tpuc::calibration::ModelInput &input = preprocessing->input();
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
      if (Error err = stage->run(tensor, image.path, outputs)) {
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

} // namespace tpuc::eval
