//===- model_transform.cpp - ONNX models to Top MLIR ----------------------===//
//
//   model_transform --model_name NAME --model_def model.onnx --mlir NAME.mlir
//       [--input_shapes [[1,3,640,640]]] [--input_types float32,...]
//       [--resize_dims H,W] [--keep_aspect_ratio] [--mean M,M,M]
//       [--scale S,S,S] [--pixel_format rgb|bgr|gray|rgba]
//       [--channel_format nchw|nhwc|none] [--output_names a,b]
//       [--test_input image|in.npz|in.npy,... --test_result out.npz
//        [--reference onnxruntime] [--tolerance COS,EUCLID] [--excepts a,b]]
//       [--debug]
//
// Imports the model, infers shapes, canonicalizes, and writes the .mlir with
// its weights (`<model_name>_top_origin_weight.npz`, next to the .mlir). With
// a test input it also writes the preprocessed input
// (`<model_name>_in_f32.npz`, next to the .mlir) and every tensor the
// interpreter computes (--test_result), and can check the outputs against
// onnxruntime. Nothing is written unless every step succeeds.
//
//===----------------------------------------------------------------------===//

#include "ModelSummary.h"
#include "OrtReference.h"
#include "tpuc/Support/ListParsing.h"
#include "tpuc/Support/StagedOutputs.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Frontend/ImagePreprocess.h"
#include "tpuc/Frontend/OnnxImporter.h"
#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Support/Compare.h"
#include "tpuc/Support/Npz.h"
#include "tpuc/Support/ToolSupport.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

#include <chrono>

using namespace llvm;
using tpuc::optionError;
using tpuc::reportError;

static constexpr StringLiteral kTool = "model_transform";

static cl::OptionCategory category("model_transform options");

// Every value is parsed by the tool (not by cl) so that the list spellings of
// tpu-mlir's documentation work and bad values give one-line errors.
static cl::opt<std::string> modelNameFlag("model_name",
                                          cl::desc("Name of the model"),
                                          cl::cat(category));
static cl::opt<std::string>
    modelDefFlag("model_def", cl::desc("ONNX model file"), cl::cat(category));
static cl::opt<std::string>
    modelDataFlag("model_data", cl::desc("Caffe weights (not supported)"),
                  cl::cat(category));
static cl::opt<std::string>
    inputShapesFlag("input_shapes",
                    cl::desc("Input shapes, e.g. [[1,3,640,640]]"),
                    cl::cat(category));
static cl::opt<std::string> inputTypesFlag(
    "input_types",
    cl::desc("Input dtypes of the saved test input (float32, int32, int64, "
             "int8, uint8, bool), comma separated"),
    cl::cat(category));
static cl::opt<std::string>
    resizeDimsFlag("resize_dims",
                   cl::desc("Image size h,w before the centre crop (default: "
                            "the input's)"),
                   cl::cat(category));
// Switches also accept `=true`/`=false`; the tool parses their values.
static cl::opt<std::string> keepAspectRatioFlag(
    "keep_aspect_ratio", cl::ValueOptional, cl::value_desc("true|false"),
    cl::desc("Letterbox instead of stretching"), cl::cat(category));
static cl::opt<std::string> meanFlag("mean",
                                     cl::desc("Per-channel mean (default 0)"),
                                     cl::cat(category));
static cl::opt<std::string> scaleFlag("scale",
                                      cl::desc("Per-channel scale (default 1)"),
                                      cl::cat(category));
static cl::opt<std::string>
    pixelFormatFlag("pixel_format",
                    cl::desc("rgb, bgr (default), gray or rgba"),
                    cl::cat(category));
static cl::opt<std::string>
    channelFormatFlag("channel_format",
                      cl::desc("nchw (default), nhwc or none (not an image)"),
                      cl::cat(category));
static cl::opt<std::string>
    outputNamesFlag("output_names",
                    cl::desc("Tensors to use as outputs, comma separated"),
                    cl::cat(category));
static cl::opt<std::string> testInputFlag(
    "test_input",
    cl::desc("Image, .npy or .npz test input (one file per input, comma "
             "separated, or one .npz for all)"),
    cl::cat(category));
static cl::opt<std::string>
    testResultFlag("test_result",
                   cl::desc("Output .npz of every tensor on the test input"),
                   cl::cat(category));
static cl::opt<std::string>
    exceptsFlag("excepts", cl::desc("Outputs not to compare, comma separated"),
                cl::cat(category));
static cl::opt<std::string> toleranceFlag(
    "tolerance",
    cl::desc("Minimum cosine,euclidean similarity to onnxruntime (default "
             "0.99,0.99)"),
    cl::cat(category));
static cl::opt<std::string> referenceFlag(
    "reference", cl::desc("Check the outputs against this engine: onnxruntime"),
    cl::cat(category));
static cl::opt<std::string>
    debugFlag("debug", cl::ValueOptional, cl::value_desc("true|false"),
              cl::desc("Keep intermediate files (<model_name>_origin.mlir "
                       "and its weights, onnxruntime's outputs)"),
              cl::cat(category));
static cl::opt<std::string> mlirFlag("mlir", cl::desc("Output .mlir file"),
                                     cl::cat(category));

namespace {

struct Options {
  std::string modelName;
  std::string modelDef;
  std::string mlirPath;
  std::vector<std::vector<int64_t>> inputShapes;
  std::vector<tpuc::DType> inputTypes;
  std::vector<std::string> outputNames;
  tpuc::InputPreprocess preprocess;
  std::vector<std::string> testInputs;
  std::string testResult;
  StringSet<> excepts;
  double tolCos = 0.99, tolEuclid = 0.99;
  bool compareWithOrt = false;
  bool debug = false;
};

/// Wraps a list syntax error with the flag and its value.
template <typename T>
Expected<T> flagValue(Expected<T> value, StringRef flag, StringRef text) {
  if (!value)
    return optionError("malformed --" + flag + " '" + text +
                       "': " + toString(value.takeError()));
  return value;
}

/// A switch: given alone or as =true/=false (or 1/0).
Expected<tpuc::DType> parseInputType(StringRef name) {
  std::optional<tpuc::DType> type =
      StringSwitch<std::optional<tpuc::DType>>(name)
          .Cases("float32", "f32", tpuc::DType::F32)
          .Cases("int32", "i32", tpuc::DType::I32)
          .Cases("int64", "i64", tpuc::DType::I64)
          .Cases("int8", "i8", tpuc::DType::I8)
          .Cases("uint8", "u8", tpuc::DType::U8)
          .Case("bool", tpuc::DType::Bool)
          .Default(std::nullopt);
  if (!type)
    return optionError("unknown --input_types entry '" + name +
                       "' (expected float32, int32, int64, int8, uint8 or "
                       "bool)");
  return *type;
}

/// The preprocessing flags, checked against each other (the input shapes
/// are checked once the model is imported).
Error parsePreprocess(tpuc::InputPreprocess &pre) {
  if (!pixelFormatFlag.empty())
    pre.pixelFormat = pixelFormatFlag;
  int64_t channels = tpuc::pixelFormatChannels(pre.pixelFormat);
  if (channels == 0)
    return optionError("unknown --pixel_format '" + pre.pixelFormat +
                       "' (expected rgb, bgr, gray or rgba)");
  if (!channelFormatFlag.empty())
    pre.channelFormat = channelFormatFlag;
  if (pre.channelFormat != "nchw" && pre.channelFormat != "nhwc" &&
      pre.channelFormat != "none")
    return optionError("unknown --channel_format '" + pre.channelFormat +
                       "' (expected nchw, nhwc or none)");
  if (!resizeDimsFlag.empty()) {
    auto dims = flagValue(tpuc::parseDimList(resizeDimsFlag), "resize_dims",
                          resizeDimsFlag);
    if (!dims)
      return dims.takeError();
    if (dims->size() != 2)
      return optionError("malformed --resize_dims '" + resizeDimsFlag +
                         "': expected h,w");
    pre.resizeDims = *dims;
  }
  auto keepAspectRatio = tpuc::switchFlag(keepAspectRatioFlag);
  if (!keepAspectRatio)
    return keepAspectRatio.takeError();
  pre.keepAspectRatio = *keepAspectRatio;
  // A single mean or scale applies to every channel.
  for (auto [flag, name, values] :
       {std::tuple<cl::opt<std::string> *, StringRef, std::vector<double> *>{
            &meanFlag, "mean", &pre.mean},
        {&scaleFlag, "scale", &pre.scale}}) {
    if (flag->empty())
      continue;
    auto parsed =
        flagValue(tpuc::parseNumberList(*flag), name, flag->getValue());
    if (!parsed)
      return parsed.takeError();
    if (parsed->size() == 1)
      parsed->assign(channels, parsed->front());
    if (static_cast<int64_t>(parsed->size()) != channels)
      return optionError("--" + name + " has " + Twine(parsed->size()) +
                         " values but pixel_format '" + pre.pixelFormat +
                         "' has " + Twine(channels) + " channel(s)");
    *values = std::move(*parsed);
  }
  return Error::success();
}

Expected<Options> parseOptions() {
  Options opts;
  for (auto [flag, name] : {std::pair<cl::opt<std::string> *, StringRef>{
                                &modelNameFlag, "model_name"},
                            {&modelDefFlag, "model_def"},
                            {&mlirFlag, "mlir"}})
    if (flag->empty())
      return optionError("--" + name + " is required");
  opts.modelName = modelNameFlag;
  if (StringRef(opts.modelName).find_first_of("/\\") != StringRef::npos)
    return optionError("malformed --model_name '" + opts.modelName +
                       "': it names files, so it cannot contain '/'");
  opts.modelDef = modelDefFlag;
  if (sys::path::extension(opts.modelDef).lower() != ".onnx")
    return optionError("only ONNX models are supported (got " + opts.modelDef +
                       ")");
  if (!modelDataFlag.empty())
    return optionError("--model_data is for Caffe models; only ONNX models "
                       "are supported (got " +
                       modelDataFlag + ")");
  opts.mlirPath = mlirFlag;

  if (!inputShapesFlag.empty()) {
    auto shapes = flagValue(tpuc::parseShapeList(inputShapesFlag),
                            "input_shapes", inputShapesFlag);
    if (!shapes)
      return shapes.takeError();
    opts.inputShapes = std::move(*shapes);
  }
  for (const std::string &name : tpuc::parseNameList(inputTypesFlag)) {
    auto type = parseInputType(name);
    if (!type)
      return type.takeError();
    opts.inputTypes.push_back(*type);
  }
  if (Error err = parsePreprocess(opts.preprocess))
    return std::move(err);
  opts.outputNames = tpuc::parseNameList(outputNamesFlag);
  if (!outputNamesFlag.empty() && opts.outputNames.empty())
    return optionError("malformed --output_names '" + outputNamesFlag +
                       "': no names");

  opts.testInputs = tpuc::parseNameList(testInputFlag);
  opts.testResult = testResultFlag;
  if (!testInputFlag.empty() && opts.testInputs.empty())
    return optionError("malformed --test_input '" + testInputFlag +
                       "': no files");
  if (!opts.testInputs.empty() && opts.testResult.empty())
    return optionError("--test_input needs --test_result (where to write the "
                       "tensors)");
  if (opts.testInputs.empty() && !opts.testResult.empty())
    return optionError("--test_result needs --test_input");
  for (const std::string &name : tpuc::parseNameList(exceptsFlag))
    opts.excepts.insert(name);
  if (!toleranceFlag.empty()) {
    auto tolerance = tpuc::parseTolerance(toleranceFlag);
    if (!tolerance)
      return tolerance.takeError();
    std::tie(opts.tolCos, opts.tolEuclid) = *tolerance;
  }
  if (!referenceFlag.empty()) {
    if (referenceFlag != "onnxruntime")
      return optionError("unknown --reference '" + referenceFlag +
                         "' (expected onnxruntime)");
    if (opts.testInputs.empty())
      return optionError("--reference needs --test_input");
    opts.compareWithOrt = true;
  }
  auto debug = tpuc::switchFlag(debugFlag);
  if (!debug)
    return debug.takeError();
  opts.debug = *debug;
  return opts;
}

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One run of the tool; every output goes through `staged_`.
class Transformer {
public:
  explicit Transformer(Options opts) : opts_(std::move(opts)) {}
  int run();

private:
  std::string besideMlir(StringRef fileName) const;
  mlir::LogicalResult importModel();
  Error writeOriginModule(const tpuc::NpzMap &weights);
  mlir::LogicalResult simplify();
  Error writeModule(StringRef path, StringRef weightFile);
  Error prepareTestInputs();
  mlir::LogicalResult runInterpreter();
  Expected<bool> compareWithOnnxRuntime();

  Options opts_;
  mlir::MLIRContext ctx_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  tpuc::StagedOutputs staged_;
  /// Where the weights are while the tool runs: the staged weight file.
  std::string workingWeightPath_;
  /// Test inputs by input name, in the order of the model's inputs.
  std::vector<std::pair<std::string, tpuc::NpyArray>> testInputs_;
  std::string stagedTestInputs_;
  tpuc::TensorMap results_;
  std::vector<std::string> outputNames_;
};

std::string Transformer::besideMlir(StringRef fileName) const {
  SmallString<256> path(sys::path::parent_path(opts_.mlirPath));
  sys::path::append(path, fileName);
  return std::string(path);
}

mlir::LogicalResult Transformer::importModel() {
  tpuc::OnnxImportOptions importOptions;
  importOptions.modelName = opts_.modelName;
  importOptions.inputShapes = opts_.inputShapes;
  importOptions.outputNames = opts_.outputNames;
  importOptions.weightFileName = workingWeightPath_;
  importOptions.preprocess = opts_.preprocess;
  // A letterbox without resize_dims fits the input's own size, which is only
  // known once imported; the Input op needs explicit dims for it.
  bool letterboxToInputSize =
      opts_.preprocess.keepAspectRatio && opts_.preprocess.resizeDims.empty();
  if (letterboxToInputSize)
    importOptions.preprocess->keepAspectRatio = false;
  tpuc::NpzMap weights;
  module_ = tpuc::importOnnx(ctx_, opts_.modelDef, importOptions, weights);
  if (!module_)
    return mlir::failure();
  if (letterboxToInputSize)
    module_->walk([&](tpuc::top::InputOp input) {
      std::optional<StringRef> format = input.getChannelFormat();
      if (!format || *format == "none" || input.getResizeDims())
        return;
      ArrayRef<int64_t> shape = input.getOutput().getType().getShape();
      if (shape.size() < 3)
        return;
      ArrayRef<int64_t> hw = *format == "nhwc" ? shape.drop_back().take_back(2)
                                               : shape.take_back(2);
      if (llvm::any_of(hw, [](int64_t d) { return d <= 0; }))
        return;
      input.setResizeDims(hw);
      input.setKeepAspectRatio(true);
    });

  if (opts_.debug) {
    if (Error err = writeOriginModule(weights)) {
      reportError(kTool, toString(std::move(err)));
      return mlir::failure();
    }
  }

  // The weights stay in memory until the passes are done; saveWeights then
  // writes the ones still used.
  (*module_)->setAttr(tpuc::top::TopDialect::kWeightFileAttr,
                      mlir::StringAttr::get(&ctx_, workingWeightPath_));
  tpuc::top::WeightStore *store = tpuc::top::getWeightStore(*module_);
  for (auto &[name, array] : weights)
    store->set(name, std::move(array));
  return mlir::success();
}

/// With --debug: the module as imported, with all of the importer's weights.
Error Transformer::writeOriginModule(const tpuc::NpzMap &weights) {
  std::string weightName = opts_.modelName + "_origin_weight.npz";
  auto weightPath = staged_.stage(besideMlir(weightName));
  if (!weightPath)
    return weightPath.takeError();
  if (Error err = tpuc::writeNpz(*weightPath, weights))
    return err;
  auto mlirPath = staged_.stage(besideMlir(opts_.modelName + "_origin.mlir"));
  if (!mlirPath)
    return mlirPath.takeError();
  return writeModule(*mlirPath, weightName);
}

mlir::LogicalResult Transformer::simplify() {
  mlir::PassManager pm(&ctx_);
  pm.addPass(tpuc::top::createShapeInferPass());
  pm.addPass(mlir::createCanonicalizerPass());
  if (mlir::failed(pm.run(*module_)))
    return mlir::failure();
  return tpuc::top::saveWeights(*module_, workingWeightPath_);
}

/// Prints the module (with tensor names as inline locations) pointing at
/// `weightFile`; the working weight path is restored afterwards.
Error Transformer::writeModule(StringRef path, StringRef weightFile) {
  return tpuc::writeFileAtomically(path,
                                   tpuc::printModule(*module_, weightFile));
}

Error Transformer::prepareTestInputs() {
  // The module's own record of the preprocessing, or the flags for inputs
  // the importer did not describe as images.
  std::vector<mlir::Operation *> inputOps;
  module_->walk([&](tpuc::top::InputOp op) { inputOps.push_back(op); });
  const size_t numInputs = inputOps.size();
  const std::vector<std::string> &files = opts_.testInputs;
  bool oneArchive =
      files.size() == 1 && sys::path::extension(files[0]).lower() == ".npz";
  if (!oneArchive && files.size() != numInputs)
    return optionError("--test_input has " + Twine(files.size()) +
                       " file(s) but the model has " + Twine(numInputs) +
                       " input(s)");
  if (!opts_.inputTypes.empty() && opts_.inputTypes.size() != numInputs)
    return optionError("--input_types has " + Twine(opts_.inputTypes.size()) +
                       " entries but the model has " + Twine(numInputs) +
                       " input(s)");
  if (oneArchive && numInputs > 1) {
    auto reader = tpuc::NpzReader::open(files[0]);
    if (!reader)
      return reader.takeError();
    for (mlir::Operation *op : inputOps)
      if (!(*reader)->contains(tpuc::top::getOpName(op)))
        return optionError(files[0] + ": no array for input '" +
                           tpuc::top::getOpName(op) + "'");
  }

  for (size_t i = 0; i < numInputs; ++i) {
    auto input = cast<tpuc::top::InputOp>(inputOps[i]);
    std::string name = tpuc::top::getOpName(input);
    const std::string &file = oneArchive ? files[0] : files[i];
    auto type = cast<mlir::RankedTensorType>(input.getOutput().getType());
    if (!type.hasStaticShape())
      return optionError("input '" + name + "' has the dynamic shape " +
                         tpuc::top::shapeToString(type.getShape()) +
                         " (fix it with --input_shapes)");
    tpuc::InputPreprocess pre =
        tpuc::getInputPreprocess(input).value_or(opts_.preprocess);
    auto array = tpuc::loadTestInput(file, name, pre, type.getShape());
    if (!array)
      return array.takeError();
    tpuc::DType dtype =
        opts_.inputTypes.empty() ? tpuc::DType::F32 : opts_.inputTypes[i];
    if (array->dtype != dtype)
      *array = tpuc::NpyArray::fromFloat(array->toFloat(), array->shape, dtype);
    testInputs_.emplace_back(name, std::move(*array));
  }

  tpuc::NpzMap arrays(testInputs_.begin(), testInputs_.end());
  auto path = staged_.stage(besideMlir(opts_.modelName + "_in_f32.npz"));
  if (!path)
    return path.takeError();
  stagedTestInputs_ = *path;
  return tpuc::writeNpz(stagedTestInputs_, arrays);
}

mlir::LogicalResult Transformer::runInterpreter() {
  auto interpreter = tpuc::Interpreter::create(*module_);
  if (mlir::failed(interpreter))
    return mlir::failure();
  tpuc::TensorMap inputs;
  for (const auto &[name, array] : testInputs_)
    inputs.emplace(name, tpuc::tensorFromArray(array));
  if (mlir::failed((*interpreter)->run(inputs, results_, /*keepAll=*/true)))
    return mlir::failure();
  outputNames_.assign((*interpreter)->getOutputNames().begin(),
                      (*interpreter)->getOutputNames().end());

  tpuc::NpzMap out;
  for (const auto &[name, tensor] : results_)
    out[name] = tpuc::NpyArray::fromFloat(tensor.data, tensor.shape);
  auto path = staged_.stage(opts_.testResult);
  Error err = path ? tpuc::writeNpz(*path, out) : path.takeError();
  if (err) {
    reportError(kTool, toString(std::move(err)));
    return mlir::failure();
  }
  return mlir::success();
}

std::string formatDouble(double value, const char *format) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

/// Runs onnxruntime on the test input and compares the outputs; returns
/// whether every compared output is within tolerance.
Expected<bool> Transformer::compareWithOnnxRuntime() {
  std::string refName = opts_.modelName + "_ref_outputs.npz";
  auto refPath = opts_.debug ? staged_.stage(besideMlir(refName))
                             : staged_.scratch(besideMlir(refName));
  if (!refPath)
    return refPath.takeError();
  auto scratchModel =
      staged_.scratch(besideMlir(opts_.modelName + "_outputs.onnx"));
  if (!scratchModel)
    return scratchModel.takeError();
  if (Error err = tpuc::runOnnxRuntime(opts_.modelDef, stagedTestInputs_,
                                       *refPath, outputNames_, *scratchModel))
    return std::move(err);
  auto reference = tpuc::NpzReader::open(*refPath);
  if (!reference)
    return reference.takeError();

  outs() << "compare with onnxruntime (tolerance cos "
         << formatDouble(opts_.tolCos, "%g") << ", euclid "
         << formatDouble(opts_.tolEuclid, "%g") << "):\n";
  size_t width = 0;
  for (const std::string &name : outputNames_)
    width = std::max(width, name.size());
  bool allPassed = true;
  for (const std::string &name : outputNames_) {
    outs() << "  " << name << std::string(width - name.size(), ' ');
    if (opts_.excepts.contains(name)) {
      outs() << "  SKIPPED (excepted)\n";
      continue;
    }
    auto expected = (*reference)->read(name);
    if (!expected)
      return expected.takeError();
    const tpuc::Tensor &actual = results_.at(name);
    if (expected->numel() != actual.numel()) {
      outs() << "  shape " << tpuc::top::shapeToString(actual.shape)
             << " vs onnxruntime's "
             << tpuc::top::shapeToString(expected->shape) << "  FAILED\n";
      allPassed = false;
      continue;
    }
    tpuc::Similarity s =
        tpuc::computeSimilarity(expected->toFloat(), actual.data);
    // Written so that NaN similarities fail.
    bool passed = s.cosine >= opts_.tolCos && s.euclidean >= opts_.tolEuclid;
    outs() << "  cos " << formatDouble(s.cosine, "%.6f") << "  euclid "
           << formatDouble(s.euclidean, "%.6f") << "  max_abs_diff "
           << formatDouble(s.maxAbsDiff, "%.6g") << "  "
           << (passed ? "PASSED" : "FAILED") << "\n";
    allPassed &= passed;
  }
  return allPassed;
}

int Transformer::run() {
  mlir::DialectRegistry registry;
  tpuc::registerTpucDialects(registry);
  ctx_.appendDialectRegistry(registry);
  ctx_.loadAllAvailableDialects();
  // Errors name the op; printing it too would not fit on one line.
  ctx_.printOpOnDiagnostic(false);
  tpuc::OneLineDiagnostics diagnostics(&ctx_, kTool);

  auto fail = [](Error err) {
    return reportError(kTool, toString(std::move(err)));
  };
  std::string weightName = opts_.modelName + "_top_origin_weight.npz";
  auto weightPath = staged_.stage(besideMlir(weightName));
  if (!weightPath)
    return fail(weightPath.takeError());
  workingWeightPath_ = *weightPath;
  auto mlirPath = staged_.stage(opts_.mlirPath);
  if (!mlirPath)
    return fail(mlirPath.takeError());

  Clock::time_point start = Clock::now();
  if (mlir::failed(importModel()))
    return 1;
  double importSeconds = secondsSince(start);
  start = Clock::now();
  if (mlir::failed(simplify()))
    return 1;
  double simplifySeconds = secondsSince(start);
  outs() << "model " << opts_.modelName << " (" << opts_.modelDef << ")\n";
  tpuc::printModelSummary(*module_, outs());

  double runSeconds = 0, ortSeconds = 0;
  bool compared = true;
  if (!opts_.testInputs.empty()) {
    if (Error err = prepareTestInputs())
      return fail(std::move(err));
    start = Clock::now();
    if (mlir::failed(runInterpreter()))
      return 1;
    runSeconds = secondsSince(start);
    if (opts_.compareWithOrt) {
      start = Clock::now();
      auto passed = compareWithOnnxRuntime();
      if (!passed)
        return fail(passed.takeError());
      compared = *passed;
      ortSeconds = secondsSince(start);
    }
  }

  if (Error err = writeModule(*mlirPath, weightName))
    return fail(std::move(err));
  if (Error err = staged_.commit())
    return fail(std::move(err));

  outs() << "time: import " << formatDouble(importSeconds, "%.2f")
         << "s, shape-infer+canonicalize "
         << formatDouble(simplifySeconds, "%.2f") << "s";
  if (!opts_.testInputs.empty())
    outs() << ", interpreter " << formatDouble(runSeconds, "%.2f") << "s";
  if (opts_.compareWithOrt)
    outs() << ", onnxruntime " << formatDouble(ortSeconds, "%.2f") << "s";
  outs() << "\nwrote " << opts_.mlirPath << " and " << besideMlir(weightName)
         << "\n";
  if (!compared)
    return reportError(kTool, "outputs differ from onnxruntime beyond the "
                              "tolerance (see FAILED above)");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (!tpuc::parseToolCommandLine(
          argc, argv, kTool,
          "Converts an ONNX model to a Top dialect .mlir file\n", category))
    return 1;
  auto opts = parseOptions();
  if (!opts)
    return reportError(kTool, toString(opts.takeError()));
  outs().SetUnbuffered();
  return Transformer(std::move(*opts)).run();
}
