//===- ModelEval.h - model_eval's options and evaluator ---------*- C++ -*-===//
//
// Declarations shared by model_eval's files: the checked command line
// (Options.cpp), the Evaluator that runs the stages over the images
// (Evaluator.cpp) and prints what they scored (Report.cpp), and main
// (model_eval.cpp). Private to tools/model_eval.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOOLS_MODEL_EVAL_MODELEVAL_H
#define TPUC_TOOLS_MODEL_EVAL_MODELEVAL_H

#include "Stages.h"

#include "tpuc/Quant/Accuracy/ClassificationMetrics.h"
#include "tpuc/Quant/Accuracy/Detection.h"
#include "tpuc/Quant/Accuracy/DetectionMetrics.h"
#include "tpuc/Quant/Accuracy/Labels.h"
#include "tpuc/Quant/Accuracy/YoloDecode.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tpuc::eval {

inline constexpr llvm::StringLiteral kTool = "model_eval";

/// The category of model_eval's flags (Options.cpp).
extern llvm::cl::OptionCategory category;

using tpuc::optionError;

enum class Task { Detect, Classify };
enum class Postprocess { Yolo, Rows };

struct Options {
  std::vector<tpuc::eval::StageSpec> stages;
  std::string mlir;
  tpuc::eval::LoweringFlags lowering;
  std::string dataset, labels, labelFile, classNames;
  Task task = Task::Detect;
  Postprocess postprocess = Postprocess::Yolo;
  accuracy::YoloStyle style = accuracy::YoloStyle::V5;
  accuracy::YoloHeadOptions head;
  accuracy::YoloDecodeOptions decode;
  accuracy::NmsOptions nms;
  size_t maxImages = 0;
  size_t bootstrap = 1000;
  bool perClass = false;
};

/// The flags, checked (Options.cpp).
llvm::Expected<Options> parseOptions();

/// `value` printed with a printf `format` (Report.cpp).
std::string formatDouble(double value, const char *format);
/// A stage's input shape and preprocessing in one line (Report.cpp).
std::string describePreprocess(const tpuc::eval::Stage &stage);

/// One image of the dataset with its ground truth.
struct Image {
  std::string path;
  /// Detection: the objects, normalized; whether a label file exists.
  std::vector<accuracy::NormalizedBox> boxes;
  bool labelled = false;
  /// Classification: the true class.
  int64_t classId = -1;
};

/// Removes the scratch folder when the tool ends.
struct ScratchDir {
  llvm::SmallString<128> path;
  ~ScratchDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};

/// Runs the stages over the images (Evaluator.cpp) and prints their scores
/// (Report.cpp).
class Evaluator {
public:
  explicit Evaluator(Options opts) : opts_(std::move(opts)) {}
  int run();

private:
  llvm::Error createStages();
  llvm::Error listImages();
  llvm::Error prepareDetection();
  llvm::Error prepareClassification();
  llvm::Error evaluate();
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
  std::vector<accuracy::YoloHead> heads_;
  std::vector<accuracy::DetectionEvaluator> detection_;
  std::vector<accuracy::TopKAccuracy> classification_;
  std::vector<double> seconds_;
  size_t evaluated_ = 0, skipped_ = 0, unlabelled_ = 0;
};

} // namespace tpuc::eval

#endif // TPUC_TOOLS_MODEL_EVAL_MODELEVAL_H
