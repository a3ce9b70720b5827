//===- Stages.h - The models model_eval can run -----------------*- C++ -*-===//
//
// A stage is one form of the model: the ONNX file in onnxruntime, the Top
// MLIR in the float interpreter, or a Tpu MLIR (a file model_deploy wrote,
// or the Top MLIR lowered in-process exactly as model_deploy lowers it) in
// the chip-arithmetic interpreter. Every stage takes the same preprocessed
// image and returns its outputs as real values, in output order; a Tpu MLIR
// deployed with --fuse_preprocess builds the camera frame from the image
// file instead, and its preprocessing is checked for the same geometry.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOOLS_MODEL_EVAL_STAGES_H
#define TPUC_TOOLS_MODEL_EVAL_STAGES_H

#include "tpuc/Backend/Chips.h"
#include "tpuc/Frontend/FrameInput.h"
#include "tpuc/Interpreter/Tensor.h"
#include "tpuc/Quant/Accuracy/YoloDecode.h"
#include "tpuc/Quant/Calibration/Dataset.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tpuc::eval {

/// What --model or --compare names.
struct StageSpec {
  enum class Kind { Onnx, Mlir, Lowered };
  Kind kind = Kind::Mlir;
  /// The file (Onnx, Mlir); the Top MLIR to lower (Lowered).
  std::string path;
  QuantMode mode = QuantMode::INT8;
  /// As given on the command line.
  std::string text;
};

/// Parses a spec: a mode name (INT8, BF16, F16, F32) unless a file of that
/// name exists, a .onnx file, or an .mlir file.
llvm::Expected<StageSpec> parseStageSpec(llvm::StringRef text);

/// How Lowered stages are lowered (model_deploy's flags).
struct LoweringFlags {
  std::string chip;
  std::string calibrationTable;
  std::string quantizeTable;
  bool asymmetric = false;
};

class Stage {
public:
  virtual ~Stage() = default;

  /// Row label: "onnxruntime yolov5n.onnx", "Top F32 yolov5n.mlir", ...
  const std::string &label() const { return label_; }
  /// The image input and its preprocessing.
  const calibration::ModelInput &input() const { return input_; }
  /// Static output shapes, in output order.
  const std::vector<accuracy::Shape> &outputShapes() const {
    return outputShapes_;
  }

  /// The frame the stage takes instead of a preprocessed image
  /// (--fuse_preprocess): input() then describes the resize into the
  /// frame, and its mean and scale are the model's own business.
  const std::optional<FrameInput> &frame() const { return frame_; }
  /// Its format (RGB_PACKED, ...); empty for a stage that takes images.
  std::string frameFormat() const { return frame_ ? frame_->format : ""; }

  /// Runs one image: `image` is the file preprocessed (of input().shape),
  /// `path` the file itself.
  virtual llvm::Error run(const Tensor &image, llvm::StringRef path,
                          std::vector<Tensor> &outputs) = 0;

protected:
  std::string label_;
  calibration::ModelInput input_;
  std::optional<FrameInput> frame_;
  std::vector<accuracy::Shape> outputShapes_;
};

/// Builds stages, loading each MLIR file once.
class StageFactory {
public:
  StageFactory(mlir::MLIRContext &ctx, std::string topMlir,
               LoweringFlags lowering, std::string scratchDir)
      : ctx_(ctx), topMlir_(std::move(topMlir)), lowering_(std::move(lowering)),
        scratchDir_(std::move(scratchDir)) {}

  /// The Top MLIR that ONNX and Lowered stages use: --mlir, or else the
  /// first of the specs that is a Top MLIR (set with chooseTopMlir).
  void chooseTopMlir(llvm::ArrayRef<StageSpec> specs);

  llvm::Expected<std::unique_ptr<Stage>> create(const StageSpec &spec);

private:
  llvm::Expected<mlir::ModuleOp> load(llvm::StringRef path);
  llvm::Expected<mlir::ModuleOp> topModule(llvm::StringRef forWhat);

  mlir::MLIRContext &ctx_;
  std::string topMlir_;
  LoweringFlags lowering_;
  std::string scratchDir_;
  int ortStages_ = 0;
  std::map<std::string, mlir::OwningOpRef<mlir::ModuleOp>> modules_;
};

} // namespace tpuc::eval

#endif // TPUC_TOOLS_MODEL_EVAL_STAGES_H
