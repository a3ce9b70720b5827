//===- Stages.cpp - The models model_eval can run -------------------------===//

#include "Stages.h"
#include "OrtSession.h"

#include "tpuc/Conversion/DeployPipeline.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Frontend/ImagePreprocess.h"
#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Interpreter/RealValues.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace tpuc::eval {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

/// An error whose message the MLIR diagnostics have already printed.
static Error reported() {
  return createStringError(inconvertibleErrorCode(), "");
}

Expected<StageSpec> parseStageSpec(StringRef text) {
  StageSpec spec;
  spec.text = text.str();
  if (text.empty())
    return makeError("empty stage name");
  if (!sys::fs::exists(text)) {
    if (std::optional<QuantMode> mode = symbolizeQuantMode(text)) {
      spec.kind = StageSpec::Kind::Lowered;
      spec.mode = *mode;
      return spec;
    }
    return makeError(text + ": no such file (a stage is an .onnx or .mlir "
                            "file, or INT8, BF16, F16 or F32: the Top MLIR "
                            "lowered for --processor)");
  }
  if (sys::fs::is_directory(text))
    return makeError(text + ": is a directory, not a model");
  std::string ext = sys::path::extension(text).lower();
  if (ext == ".onnx")
    spec.kind = StageSpec::Kind::Onnx;
  else if (ext == ".mlir")
    spec.kind = StageSpec::Kind::Mlir;
  else if (ext == ".cvimodel" || ext == ".bmodel")
    return makeError(text + ": cannot run " + ext +
                     " files yet (code generation and its simulator are not "
                     "implemented); evaluate the Tpu MLIR model_deploy wrote");
  else
    return makeError(text + ": unknown model type (expected .onnx or .mlir)");
  spec.path = text.str();
  return spec;
}

/// The returned values of `main`: names and shapes.
static std::vector<std::string> outputNamesOf(mlir::func::FuncOp main) {
  std::vector<std::string> names;
  mlir::Operation *ret = main.getBody().front().getTerminator();
  for (mlir::Value v : ret->getOperands())
    names.push_back(top::getTensorName(v));
  return names;
}

static Expected<mlir::func::FuncOp> mainOf(mlir::ModuleOp module,
                                           StringRef path) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  if (!main || main.getBody().empty())
    return makeError(path + ": has no main function");
  return main;
}

static Expected<std::vector<accuracy::Shape>>
outputShapesOf(mlir::func::FuncOp main, StringRef path) {
  std::vector<accuracy::Shape> shapes;
  for (auto [i, type] : llvm::enumerate(main.getFunctionType().getResults())) {
    auto ranked = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (!ranked || !ranked.hasStaticShape())
      return makeError(path + ": output " + Twine(i) + " has no static shape");
    shapes.emplace_back(ranked.getShape().begin(), ranked.getShape().end());
  }
  if (shapes.empty())
    return makeError(path + ": the model has no outputs");
  return shapes;
}

/// The input of a model deployed with --fuse_preprocess, as the image
/// preprocessing it starts with: the resize into the frame, then the crop
/// to the dims the model computes on, in planes; no mean or scale.
static calibration::ModelInput frameInputOf(const calibration::ModelInput &in,
                                            const FrameInput &frame) {
  calibration::ModelInput input;
  input.name = in.name;
  int64_t channels = pixelFormatChannels(frame.resize.pixelFormat);
  input.shape = {frame.shape[0], channels, frame.imageDims[0],
                 frame.imageDims[1]};
  InputPreprocess pre = frame.resize;
  pre.channelFormat = "nchw";
  input.preprocess = std::move(pre);
  return input;
}

/// The single image input of a module, and its frame when it takes frames.
static Expected<calibration::ModelInput>
imageInputOf(mlir::ModuleOp module, StringRef path,
             std::optional<FrameInput> *frame = nullptr) {
  auto inputs = calibration::getModelInputs(module);
  if (!inputs)
    return makeError(path + ": " + toString(inputs.takeError()));
  if (inputs->size() != 1)
    return makeError(path + ": the model has " + Twine(inputs->size()) +
                     " inputs; model_eval evaluates models with one image "
                     "input");
  top::InputOp inputOp;
  module.walk([&](top::InputOp op) { inputOp = op; });
  auto fused = getFrameInput(inputOp);
  if (!fused)
    return makeError(path + ": " + toString(fused.takeError()));
  if (*fused) {
    // Boxes are mapped back through the crop, which must be known.
    if ((*fused)->imageDims.size() != 2)
      return makeError(path + ": input '" + inputs->front().name +
                       "' does not record the dims the model crops its "
                       "frames to (tpu.image_dims); deploy it again");
    if (!frame)
      return makeError(path + ": the input takes raw frames "
                              "(--fuse_preprocess); give this model as a "
                              "stage (--model or --compare)");
    calibration::ModelInput input = frameInputOf(inputs->front(), **fused);
    *frame = std::move(*fused);
    return input;
  }
  calibration::ModelInput input = std::move(inputs->front());
  if (!input.preprocess)
    return makeError(path + ": input '" + input.name +
                     "' has no image preprocessing (model_transform records "
                     "it from --mean, --scale, --pixel_format, ...)");
  return input;
}

namespace {

/// A module run by the interpreter (Top float, or Tpu chip arithmetic).
class InterpreterStage : public Stage {
public:
  static Expected<std::unique_ptr<Stage>>
  create(mlir::ModuleOp module, mlir::OwningOpRef<mlir::ModuleOp> owned,
         StringRef path, std::string label) {
    std::unique_ptr<InterpreterStage> stage(new InterpreterStage());
    stage->label_ = std::move(label);
    stage->owned_ = std::move(owned);
    auto input = imageInputOf(module, path, &stage->frame_);
    if (!input)
      return input.takeError();
    stage->input_ = std::move(*input);
    if (stage->frame_)
      stage->label_ += " (" + stage->frame_->format + " frames)";
    auto main = mainOf(module, path);
    if (!main)
      return main.takeError();
    auto shapes = outputShapesOf(*main, path);
    if (!shapes)
      return shapes.takeError();
    stage->outputShapes_ = std::move(*shapes);
    stage->outputTypes_.assign(main->getFunctionType().getResults().begin(),
                               main->getFunctionType().getResults().end());
    module.walk(
        [&](top::InputOp op) { stage->inputType_ = op.getOutput().getType(); });
    stage->isTpu_ = top::getState(module) != top::State::TOP_F32;
    auto interpreter = Interpreter::create(module);
    if (mlir::failed(interpreter))
      return reported();
    stage->interpreter_ = std::move(*interpreter);
    return std::unique_ptr<Stage>(std::move(stage));
  }

  Error run(const Tensor &image, StringRef path,
            std::vector<Tensor> &outputs) override {
    TensorMap inputs, results;
    if (frame_) {
      // Frame pixels are the stored values (u8, scale 1).
      auto array = loadFrame(path, *frame_);
      if (!array)
        return array.takeError();
      inputs.emplace(input_.name, tensorFromArray(*array));
    } else {
      // Quantized (--quant_input) and bf16 inputs take their stored values.
      inputs.emplace(input_.name,
                     isTpu_ ? toStoredValues(inputType_, image) : image);
    }
    if (mlir::failed(interpreter_->run(inputs, results)))
      return reported();
    outputs.clear();
    for (auto [name, type] :
         llvm::zip(interpreter_->getOutputNames(), outputTypes_)) {
      auto it = results.find(name);
      if (it == results.end())
        return makeError("the interpreter did not return output '" + name +
                         "'");
      outputs.push_back(toRealValues(type, it->second));
    }
    return Error::success();
  }

private:
  mlir::OwningOpRef<mlir::ModuleOp> owned_;
  std::unique_ptr<Interpreter> interpreter_;
  mlir::Type inputType_;
  std::vector<mlir::Type> outputTypes_;
  bool isTpu_ = false;
};

/// The ONNX model in onnxruntime, fetching the Top MLIR's outputs (so a
/// model cut with --output_names is evaluated at the same tensors).
class OnnxStage : public Stage {
public:
  static Expected<std::unique_ptr<Stage>> create(StringRef onnx,
                                                 mlir::ModuleOp top,
                                                 StringRef topPath,
                                                 StringRef scratchDir) {
    std::unique_ptr<OnnxStage> stage(new OnnxStage());
    stage->label_ = "onnxruntime " + sys::path::filename(onnx).str();
    auto input = imageInputOf(top, topPath);
    if (!input)
      return input.takeError();
    stage->input_ = std::move(*input);
    auto main = mainOf(top, topPath);
    if (!main)
      return main.takeError();
    auto shapes = outputShapesOf(*main, topPath);
    if (!shapes)
      return shapes.takeError();
    stage->outputShapes_ = std::move(*shapes);
    std::vector<std::string> names = outputNamesOf(*main);
    for (auto [i, name] : llvm::enumerate(names))
      if (name.empty())
        return makeError(topPath + ": output " + Twine(i) +
                         " has no tensor name to fetch from " + onnx);
    auto session = OrtSession::start(onnx, names, scratchDir);
    if (!session)
      return session.takeError();
    stage->session_ = std::move(*session);
    return std::unique_ptr<Stage>(std::move(stage));
  }

  Error run(const Tensor &image, StringRef,
            std::vector<Tensor> &outputs) override {
    TensorMap inputs;
    inputs.emplace(input_.name, image);
    return session_->run(inputs, outputs);
  }

private:
  std::unique_ptr<OrtSession> session_;
};

} // namespace

void StageFactory::chooseTopMlir(ArrayRef<StageSpec> specs) {
  if (!topMlir_.empty())
    return;
  for (const StageSpec &spec : specs) {
    if (spec.kind != StageSpec::Kind::Mlir)
      continue;
    auto module = load(spec.path);
    if (!module) {
      consumeError(module.takeError());
      continue;
    }
    if (top::getState(*module) == top::State::TOP_F32) {
      topMlir_ = spec.path;
      return;
    }
  }
}

Expected<mlir::ModuleOp> StageFactory::load(StringRef path) {
  auto it = modules_.find(path.str());
  if (it != modules_.end()) {
    if (!it->second)
      return reported();
    return *it->second;
  }
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModule(ctx_, path);
  bool ok = static_cast<bool>(module);
  mlir::ModuleOp op = ok ? *module : nullptr;
  modules_.emplace(path.str(), std::move(module));
  if (!ok)
    return reported();
  return op;
}

Expected<mlir::ModuleOp> StageFactory::topModule(StringRef forWhat) {
  if (topMlir_.empty())
    return makeError(forWhat + " needs the Top MLIR model_transform wrote "
                               "(give --mlir FILE)");
  if (!sys::fs::exists(topMlir_))
    return makeError(topMlir_ + ": no such file");
  auto module = load(topMlir_);
  if (!module)
    return module.takeError();
  if (top::getState(*module) != top::State::TOP_F32)
    return makeError(topMlir_ + ": is a " +
                     top::stringifyState(top::getState(*module)) + " module; " +
                     forWhat + " needs the Top MLIR model_transform wrote");
  return *module;
}

Expected<std::unique_ptr<Stage>> StageFactory::create(const StageSpec &spec) {
  switch (spec.kind) {
  case StageSpec::Kind::Onnx: {
    auto top = topModule("the onnxruntime stage (for its preprocessing and "
                         "output names)");
    if (!top)
      return top.takeError();
    SmallString<256> scratch(scratchDir_);
    sys::path::append(scratch, "ort" + std::to_string(ortStages_++));
    if (std::error_code ec = sys::fs::create_directories(scratch))
      return makeError(scratch + ": " + ec.message());
    return OnnxStage::create(spec.path, *top, topMlir_, scratch);
  }
  case StageSpec::Kind::Mlir: {
    auto module = load(spec.path);
    if (!module)
      return module.takeError();
    top::State state = top::getState(*module);
    std::string name = sys::path::filename(spec.path).str();
    std::string label;
    if (state == top::State::TOP_F32) {
      label = "Top F32 " + name;
    } else if (state == top::State::TPU_LOWERED) {
      const ChipInfo *chip = tpu::getChip(*module);
      std::optional<QuantMode> mode = tpu::getMode(*module);
      label = "Tpu " + (chip ? chip->name.str() : std::string("?")) + " " +
              (mode ? stringifyQuantMode(*mode).str() : std::string("?")) +
              " " + name;
    } else {
      return makeError(spec.path + ": is a " + top::stringifyState(state) +
                       " module; model_eval runs Top MLIR (model_transform) "
                       "and Tpu MLIR (model_deploy)");
    }
    return InterpreterStage::create(*module, nullptr, spec.path, label);
  }
  case StageSpec::Kind::Lowered: {
    std::string what = "stage " + spec.text;
    auto top = topModule(what);
    if (!top)
      return top.takeError();
    if (lowering_.chip.empty())
      return makeError(what + " needs --processor (" + getChipNames() + ")");
    if (spec.mode == QuantMode::INT8 && lowering_.calibrationTable.empty())
      return makeError(what + " needs --calibration_table (made by "
                              "run_calibration)");
    DeployOptions options;
    options.chip = lowering_.chip;
    options.mode = spec.mode;
    options.asymmetric = lowering_.asymmetric;
    options.calibrationTable = lowering_.calibrationTable;
    options.quantizeTable = lowering_.quantizeTable;
    mlir::OwningOpRef<mlir::ModuleOp> tpu = lowerToTpu(*top, options);
    if (!tpu)
      return reported();
    std::optional<QuantMode> mode = tpu::getMode(*tpu);
    std::string label = "Tpu " + lowering_.chip + " " +
                        (mode ? stringifyQuantMode(*mode).str()
                              : stringifyQuantMode(spec.mode).str()) +
                        " " + sys::path::filename(topMlir_).str();
    if (!lowering_.quantizeTable.empty())
      label += " +" + sys::path::filename(lowering_.quantizeTable).str();
    mlir::ModuleOp module = *tpu;
    return InterpreterStage::create(module, std::move(tpu), topMlir_, label);
  }
  }
  return makeError("unknown stage kind");
}

} // namespace tpuc::eval
