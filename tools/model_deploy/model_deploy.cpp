//===- model_deploy.cpp - Top MLIR to a verified Tpu MLIR for a chip ------===//
//
//   model_deploy --mlir m.mlir --quantize INT8|BF16|F16|F32 --processor CHIP
//       [--calibration_table T] [--quantize_table Q] [--asymmetric]
//       [--fuse_preprocess [--customization_format RGB_PACKED]
//        [--aligned_input]] [--quant_input] [--quant_output]
//       [--test_input image|in.npz [--test_reference top_outputs.npz]
//        [--tolerance 0.8,0.5] [--compare_all] [--excepts a,b]]
//       [--skip_validation] [--op_divide] [--debug] [--model out.cvimodel]
//
// Lowers the Top module for the chip (processor-assign, calibration import,
// convert-top-to-tpu, preprocessing fusion, io-quant stripping) and writes
// `<prefix>_tpu.mlir` with `<prefix>_tpu_weights.npz`, where prefix is
// `<module>_<chip>_<mode>[_sym|_asym]`. With a test input it runs the Tpu
// interpreter (`<prefix>_tpu_outputs.npz`, real values) and compares it with
// the reference (the Top outputs), failing below the tolerance and naming
// the first tensor that diverges. Nothing is written unless every step
// succeeds.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Conversion/DeployPipeline.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Frontend/FrameInput.h"
#include "tpuc/Frontend/ImagePreprocess.h"
#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Interpreter/RealValues.h"
#include "tpuc/Support/Compare.h"
#include "tpuc/Support/LayerReport.h"
#include "tpuc/Support/ListParsing.h"
#include "tpuc/Support/Npz.h"
#include "tpuc/Support/StagedOutputs.h"
#include "tpuc/Support/ToolSupport.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace llvm;
using tpuc::optionError;
using tpuc::reportError;

static constexpr StringLiteral kTool = "model_deploy";

static cl::OptionCategory category("model_deploy options");

static cl::opt<std::string> mlirFlag("mlir", cl::desc("Top .mlir file"),
                                     cl::cat(category));
static cl::opt<std::string> quantizeFlag("quantize",
                                         cl::desc("INT8, BF16, F16 or F32"),
                                         cl::cat(category));
static cl::opt<std::string>
    processorFlag("processor",
                  cl::desc("cv180x, cv181x, cv182x, cv183x or bm1684x"),
                  cl::cat(category));
static cl::opt<std::string>
    calibrationTableFlag("calibration_table",
                         cl::desc("Calibration table (INT8)"),
                         cl::cat(category));
static cl::opt<std::string>
    quantizeTableFlag("quantize_table",
                      cl::desc("Mixed precision table (`op_name MODE`)"),
                      cl::cat(category));
static cl::opt<std::string> toleranceFlag(
    "tolerance",
    cl::desc("Minimum cosine,euclidean similarity to the reference (default "
             "0.8,0.5)"),
    cl::cat(category));
static cl::opt<std::string>
    testInputFlag("test_input",
                  cl::desc("Image or .npz input to validate with"),
                  cl::cat(category));
static cl::opt<std::string>
    testReferenceFlag("test_reference",
                      cl::desc("Reference tensors (.npz, model_transform's "
                               "--test_result); default: run the Top model"),
                      cl::cat(category));
static cl::opt<std::string>
    excepts("excepts", cl::desc("Tensors not to compare"), cl::cat(category));
static cl::opt<std::string> reportCsvFlag(
    "report_csv",
    cl::desc("Write every compared tensor's similarity as CSV (model order)"),
    cl::cat(category));
static cl::opt<std::string> reportPngFlag(
    "report_png",
    cl::desc("Plot every compared tensor's cosine (model order), the ones "
             "below the tolerance marked"),
    cl::cat(category));
static cl::opt<std::string>
    modelFlag("model", cl::desc("Output .cvimodel/.bmodel"), cl::cat(category));
static cl::opt<std::string>
    customizationFormatFlag("customization_format",
                            cl::desc("Input frame format with "
                                     "--fuse_preprocess (e.g. RGB_PACKED)"),
                            cl::cat(category));

// Switches also accept `=true`/`=false`.
#define TPUC_SWITCH(var, name, help)                                           \
  static cl::opt<std::string> var(name, cl::ValueOptional,                     \
                                  cl::value_desc("true|false"),                \
                                  cl::desc(help), cl::cat(category))
TPUC_SWITCH(compareAllFlag, "compare_all", "Compare every tensor");
TPUC_SWITCH(skipValidationFlag, "skip_validation", "Do not run the model");
TPUC_SWITCH(quantInputFlag, "quant_input",
            "Inputs take the quantized type (no input cast)");
TPUC_SWITCH(quantOutputFlag, "quant_output",
            "Outputs keep the quantized type (no output cast)");
TPUC_SWITCH(fusePreprocessFlag, "fuse_preprocess",
            "Input is the raw uint8 frame; mean/scale run in the model");
TPUC_SWITCH(alignedInputFlag, "aligned_input",
            "Frame rows are padded to the chip's alignment (VPSS)");
TPUC_SWITCH(asymmetricFlag, "asymmetric", "Asymmetric INT8 (BM1684X)");
TPUC_SWITCH(opDivideFlag, "op_divide",
            "Split large ops to save memory (CV18xx)");
TPUC_SWITCH(debugFlag, "debug", "Keep intermediate files");
#undef TPUC_SWITCH

namespace {

struct Options {
  std::string mlirPath;
  tpuc::QuantMode mode = tpuc::QuantMode::INT8;
  std::string chip;
  std::string calibrationTable, quantizeTable;
  double tolCos = 0.8, tolEuclid = 0.5;
  std::vector<std::string> testInputs;
  std::string testReference;
  StringSet<> excepts;
  std::string reportCsv, reportPng;
  std::string modelPath;
  std::string customizationFormat;
  bool compareAll = false, skipValidation = false, quantInput = false,
       quantOutput = false, fusePreprocess = false, alignedInput = false,
       asymmetric = false, opDivide = false, debug = false;
};

Expected<Options> parseOptions() {
  Options opts;
  for (auto [flag, name] :
       {std::pair<cl::opt<std::string> *, StringRef>{&mlirFlag, "mlir"},
        {&quantizeFlag, "quantize"},
        {&processorFlag, "processor"}})
    if (flag->empty())
      return optionError("--" + name + " is required");
  opts.mlirPath = mlirFlag;
  auto mode = tpuc::symbolizeQuantMode(quantizeFlag);
  if (!mode)
    return optionError("unknown --quantize '" + quantizeFlag +
                       "' (expected INT8, BF16, F16 or F32)");
  opts.mode = *mode;
  if (!tpuc::lookupChip(processorFlag))
    return optionError("unknown --processor '" + processorFlag +
                       "' (expected " + tpuc::getChipNames() + ")");
  opts.chip = StringRef(processorFlag).lower();
  opts.calibrationTable = calibrationTableFlag;
  opts.quantizeTable = quantizeTableFlag;
  if (!toleranceFlag.empty()) {
    auto tolerance = tpuc::parseTolerance(toleranceFlag);
    if (!tolerance)
      return tolerance.takeError();
    std::tie(opts.tolCos, opts.tolEuclid) = *tolerance;
  }
  opts.testInputs = tpuc::parseNameList(testInputFlag);
  opts.testReference = testReferenceFlag;
  for (const std::string &name : tpuc::parseNameList(excepts))
    opts.excepts.insert(name);
  opts.modelPath = modelFlag;
  opts.customizationFormat = customizationFormatFlag;
  for (auto [flag, value] : {std::pair<cl::opt<std::string> *, bool *>{
                                 &compareAllFlag, &opts.compareAll},
                             {&skipValidationFlag, &opts.skipValidation},
                             {&quantInputFlag, &opts.quantInput},
                             {&quantOutputFlag, &opts.quantOutput},
                             {&fusePreprocessFlag, &opts.fusePreprocess},
                             {&alignedInputFlag, &opts.alignedInput},
                             {&asymmetricFlag, &opts.asymmetric},
                             {&opDivideFlag, &opts.opDivide},
                             {&debugFlag, &opts.debug}}) {
    auto parsed = tpuc::switchFlag(*flag);
    if (!parsed)
      return parsed.takeError();
    *value = *parsed;
  }
  if (opts.mode == tpuc::QuantMode::INT8 && opts.calibrationTable.empty())
    return optionError("--quantize INT8 needs --calibration_table (made by "
                       "run_calibration)");
  if (!opts.customizationFormat.empty() && !opts.fusePreprocess)
    return optionError("--customization_format needs --fuse_preprocess");
  if (opts.alignedInput && !opts.fusePreprocess)
    return optionError("--aligned_input needs --fuse_preprocess");
  if (!opts.testReference.empty() && opts.testInputs.empty())
    return optionError("--test_reference needs --test_input");
  opts.reportCsv = reportCsvFlag;
  opts.reportPng = reportPngFlag;
  for (auto *flag : {&reportCsvFlag, &reportPngFlag}) {
    if (flag->getNumOccurrences() && flag->empty())
      return optionError("--" + flag->ArgStr + " needs a file name");
    if (!flag->empty() && opts.testInputs.empty())
      return optionError("--" + flag->ArgStr +
                         " needs --test_input (it reports the validation)");
    if (Error err = tpuc::checkReportPath(*flag, flag->ArgStr))
      return std::move(err);
  }
  for (const std::string &file : opts.testInputs)
    if (!sys::fs::exists(file))
      return optionError("--test_input " + file + ": no such file");
  if (!opts.testReference.empty() && !sys::fs::exists(opts.testReference))
    return optionError("--test_reference " + opts.testReference +
                       ": no such file");
  for (StringRef file :
       {StringRef(opts.calibrationTable), StringRef(opts.quantizeTable)})
    if (!file.empty() && !sys::fs::exists(file))
      return optionError(file + ": no such file");
  return opts;
}

/// One comparison of a tensor with its reference.
struct Comparison {
  std::string name;
  tpuc::Similarity similarity;
  bool passed = false;
};

class Deployer {
public:
  explicit Deployer(Options opts) : opts_(std::move(opts)) {}
  int run();

private:
  mlir::LogicalResult lower();
  Error loadTestInputs(mlir::ModuleOp module, bool forTpu,
                       tpuc::TensorMap &inputs);
  Expected<tpuc::TensorMap> reference();
  Expected<bool> validate();
  void printSummary();

  Options opts_;
  mlir::MLIRContext ctx_;
  mlir::OwningOpRef<mlir::ModuleOp> top_;
  mlir::OwningOpRef<mlir::ModuleOp> tpu_;
  tpuc::StagedOutputs staged_;
  std::string prefix_;
  std::string weightPath_;
};

mlir::LogicalResult Deployer::lower() {
  tpuc::DeployOptions options;
  options.chip = opts_.chip;
  options.mode = opts_.mode;
  options.asymmetric = opts_.asymmetric;
  options.calibrationTable = opts_.calibrationTable;
  options.quantizeTable = opts_.quantizeTable;
  options.fusePreprocess = opts_.fusePreprocess;
  options.customizationFormat = opts_.customizationFormat;
  options.alignedInput = opts_.alignedInput;
  options.quantInput = opts_.quantInput;
  options.quantOutput = opts_.quantOutput;
  tpu_ = tpuc::lowerToTpu(*top_, options);
  return mlir::success(static_cast<bool>(tpu_));
}

/// The frame a fused input (after --fuse_preprocess) takes for an image.
Expected<tpuc::Tensor> loadRawFrame(StringRef file, tpuc::top::InputOp input) {
  auto frame = tpuc::getFrameInput(input);
  if (!frame)
    return frame.takeError();
  if (!*frame)
    return optionError("input '" + tpuc::top::getOpName(input) +
                       "' has no frame description");
  auto array = tpuc::loadFrame(file, **frame);
  if (!array)
    return array.takeError();
  return tpuc::tensorFromArray(*array);
}

/// The test input of every network input, as the module expects it: real
/// values for Top and f32-input Tpu modules, stored codes for quantized
/// inputs, raw frame pixels after --fuse_preprocess.
Error Deployer::loadTestInputs(mlir::ModuleOp module, bool forTpu,
                               tpuc::TensorMap &inputs) {
  std::vector<tpuc::top::InputOp> inputOps;
  module.walk([&](tpuc::top::InputOp op) { inputOps.push_back(op); });
  const std::vector<std::string> &files = opts_.testInputs;
  bool oneArchive =
      files.size() == 1 && sys::path::extension(files[0]).lower() == ".npz";
  if (!oneArchive && files.size() != inputOps.size())
    return optionError("--test_input has " + Twine(files.size()) +
                       " file(s) but the model has " + Twine(inputOps.size()) +
                       " input(s)");
  for (auto [i, input] : llvm::enumerate(inputOps)) {
    std::string name = tpuc::top::getOpName(input);
    const std::string &file = oneArchive ? files[0] : files[i];
    auto type = mlir::cast<mlir::RankedTensorType>(input.getOutput().getType());
    bool isFrame = forTpu && input->hasAttr("tpu.customization_format");
    if (isFrame && !tpuc::isNumpyFile(file)) {
      auto frame = loadRawFrame(file, input);
      if (!frame)
        return frame.takeError();
      inputs.emplace(name, std::move(*frame));
      continue;
    }
    std::optional<tpuc::InputPreprocess> pre = tpuc::getInputPreprocess(input);
    auto array = tpuc::loadTestInput(
        file, name, pre.value_or(tpuc::InputPreprocess()), type.getShape());
    if (!array)
      return array.takeError();
    tpuc::Tensor tensor = tpuc::tensorFromArray(*array, type.getShape());
    bool isCodes =
        array->dtype == tpuc::DType::I8 || array->dtype == tpuc::DType::U8;
    if (forTpu && !isCodes && !isFrame)
      tensor = tpuc::toStoredValues(type, tensor);
    inputs.emplace(name, std::move(tensor));
  }
  return Error::success();
}

Expected<tpuc::TensorMap> Deployer::reference() {
  if (!opts_.testReference.empty()) {
    auto arrays = tpuc::readNpz(opts_.testReference);
    if (!arrays)
      return arrays.takeError();
    tpuc::TensorMap tensors;
    for (auto &[name, array] : *arrays)
      tensors.emplace(name, tpuc::tensorFromArray(array));
    return tensors;
  }
  // No reference file: the Top model on the same input is the reference.
  tpuc::TensorMap inputs, results;
  if (Error err = loadTestInputs(*top_, /*forTpu=*/false, inputs))
    return std::move(err);
  auto interpreter = tpuc::Interpreter::create(*top_);
  if (mlir::failed(interpreter) ||
      mlir::failed((*interpreter)->run(inputs, results, /*keepAll=*/true)))
    return optionError("the Top model failed on the test input");
  return results;
}

Expected<bool> Deployer::validate() {
  tpuc::TensorMap inputs, results;
  if (Error err = loadTestInputs(*tpu_, /*forTpu=*/true, inputs))
    return std::move(err);
  auto interpreter = tpuc::Interpreter::create(*tpu_);
  if (mlir::failed(interpreter))
    return optionError("the Tpu model cannot run in the interpreter");
  if (mlir::failed((*interpreter)->run(inputs, results, /*keepAll=*/true)))
    return optionError("the Tpu model failed on the test input");
  tpuc::toRealValues((*interpreter)->getFunction(), results);

  auto outputsPath = staged_.stage(prefix_ + "_tpu_outputs.npz");
  if (!outputsPath)
    return outputsPath.takeError();
  tpuc::NpzMap out;
  for (auto &[name, tensor] : results)
    out[name] = tpuc::NpyArray::fromFloat(tensor.data, tensor.shape);
  if (Error err = tpuc::writeNpz(*outputsPath, out))
    return std::move(err);

  auto ref = reference();
  if (!ref)
    return ref.takeError();

  // Tensors in the Tpu module's order, so the first failure is the first
  // tensor that diverges; the outputs are what --tolerance judges.
  std::vector<std::string> order;
  StringSet<> outputs;
  (*interpreter)->getFunction().walk([&](mlir::Operation *op) {
    if (mlir::isa<tpuc::top::WeightOp, tpuc::top::NoneOp>(op))
      return;
    // A fused input is the raw frame, not the reference's preprocessed one.
    if (op->hasAttr("tpu.customization_format"))
      return;
    for (mlir::Value v : op->getResults())
      order.push_back(tpuc::top::getTensorName(v));
  });
  // The returned values are casts named `<tensor>_f32`; the reference knows
  // the tensor itself.
  mlir::Operation *ret =
      (*interpreter)->getFunction().getBody().front().getTerminator();
  for (mlir::Value v : ret->getOperands()) {
    mlir::Value source = v;
    if (auto cast = v.getDefiningOp<tpuc::tpu::CastOp>())
      source = cast.getInput();
    outputs.insert(tpuc::top::getTensorName(source));
  }
  std::vector<Comparison> compared;
  for (const std::string &name : order) {
    auto want = ref->find(name);
    auto got = results.find(name);
    if (want == ref->end() || got == results.end() ||
        opts_.excepts.contains(name))
      continue;
    if (want->second.numel() != got->second.numel()) {
      errs() << kTool << ": warning: '" << name << "' has "
             << got->second.numel() << " elements but the reference has "
             << want->second.numel() << "; not compared\n";
      continue;
    }
    Comparison c;
    c.name = name;
    c.similarity = tpuc::computeSimilarity(want->second.data, got->second.data);
    c.passed = c.similarity.cosine >= opts_.tolCos &&
               c.similarity.euclidean >= opts_.tolEuclid;
    compared.push_back(c);
  }
  bool ok = true;
  const Comparison *firstBad = nullptr;
  size_t shown = 0;
  for (const Comparison &c : compared) {
    bool isOutput = outputs.contains(c.name);
    if (!c.passed && !firstBad)
      firstBad = &c;
    if (isOutput && !c.passed)
      ok = false;
    if (!isOutput && !opts_.compareAll)
      continue;
    ++shown;
    outs() << format("%-48s cos %.6f  euclid %.6f  sqnr %6.1fdB  %s\n",
                     c.name.c_str(), c.similarity.cosine,
                     c.similarity.euclidean, c.similarity.sqnrDb,
                     c.passed ? (const char *)"PASSED" : "FAILED");
  }
  size_t outputsCompared = llvm::count_if(
      compared, [&](const Comparison &c) { return outputs.contains(c.name); });
  if (outputsCompared == 0)
    return optionError("no output of the Tpu model is in the reference (" +
                       (opts_.testReference.empty()
                            ? std::string("the Top model's outputs")
                            : opts_.testReference) +
                       "); check --test_reference");
  outs() << compared.size() << " tensors compared with the reference, "
         << outputsCompared << " outputs; tolerance cos "
         << format("%g", opts_.tolCos) << ", euclid "
         << format("%g", opts_.tolEuclid) << "\n";
  // The report is written whatever the outcome: a failed validation is
  // when it is needed.
  if (!opts_.reportCsv.empty() || !opts_.reportPng.empty()) {
    std::vector<tpuc::LayerReportEntry> entries;
    for (const Comparison &c : compared)
      entries.push_back(
          {c.name, c.similarity, c.passed, outputs.contains(c.name)});
    tpuc::LayerReportOptions report;
    report.tolCos = opts_.tolCos;
    report.tolEuclid = opts_.tolEuclid;
    report.title = "model_deploy " + sys::path::filename(opts_.mlirPath).str() +
                   " " + prefix_ + " vs " +
                   (opts_.testReference.empty() ? std::string("the Top model")
                                                : opts_.testReference);
    if (Error err = tpuc::writeLayerReport(entries, report, opts_.reportCsv,
                                           opts_.reportPng))
      return std::move(err);
  }
  if (!ok && firstBad)
    errs() << kTool << ": error: outputs are below the tolerance; the first "
           << "tensor below it is '" << firstBad->name << "' (cos "
           << format("%.6f", firstBad->similarity.cosine) << ", euclid "
           << format("%.6f", firstBad->similarity.euclidean) << ")\n";
  return ok;
}

void Deployer::printSummary() {
  std::map<std::string, int> histogram;
  size_t weightBytes = 0;
  tpu_->walk([&](mlir::Operation *op) {
    if (auto weight = mlir::dyn_cast<tpuc::top::WeightOp>(op)) {
      auto type = mlir::cast<mlir::RankedTensorType>(weight.getType());
      unsigned bits = tpuc::tpu::isInt8Storage(type) ? 8
                      : type.getElementType().isIntOrFloat()
                          ? type.getElementType().getIntOrFloatBitWidth()
                          : 32;
      weightBytes += type.getNumElements() * bits / 8;
      return;
    }
    if (mlir::isa<tpuc::tpu::TpuDialect>(op->getDialect()))
      ++histogram[op->getName().stripDialect().str()];
  });
  outs() << "deployed " << sys::path::filename(opts_.mlirPath) << " for "
         << opts_.chip << " "
         << (tpuc::tpu::getMode(*tpu_)
                 ? tpuc::stringifyQuantMode(*tpuc::tpu::getMode(*tpu_))
                 : StringRef("?"))
         << "\nops:";
  std::vector<std::pair<int, std::string>> sorted;
  for (auto &[name, count] : histogram)
    sorted.push_back({-count, name});
  llvm::sort(sorted);
  for (auto &[count, name] : sorted)
    outs() << " " << name << " " << -count;
  outs() << format("\nweights: %.2f MiB\n", weightBytes / 1048576.0);
}

int Deployer::run() {
  tpuc::OneLineDiagnostics diagnostics(&ctx_, kTool);
  top_ = tpuc::loadModule(ctx_, opts_.mlirPath);
  if (!top_)
    return 1;
  if (tpuc::top::getState(*top_) != tpuc::top::State::TOP_F32)
    return reportError(
        kTool, opts_.mlirPath + ": is a " +
                   tpuc::top::stringifyState(tpuc::top::getState(*top_)) +
                   " module; model_deploy takes the Top MLIR "
                   "model_transform writes");
  if (mlir::failed(lower()))
    return 1;

  std::string name = top_->getSymName() ? top_->getSymName()->str() : "model";
  auto mode = tpuc::tpu::getMode(*tpu_);
  prefix_ = StringRef(name + "_" + opts_.chip + "_" +
                      tpuc::stringifyQuantMode(*mode).str())
                .lower();
  if (*mode == tpuc::QuantMode::INT8)
    prefix_ += tpuc::tpu::isAsymmetric(*tpu_) ? "_asym" : "_sym";
  std::string weightName = prefix_ + "_tpu_weights.npz";
  auto weightPath = staged_.stage(weightName);
  auto mlirPath = staged_.stage(prefix_ + "_tpu.mlir");
  if (!weightPath || !mlirPath)
    return reportError(kTool, toString(!weightPath ? weightPath.takeError()
                                                   : mlirPath.takeError()));
  if (mlir::failed(tpuc::top::saveWeights(*tpu_, *weightPath)))
    return 1;
  if (Error err = tpuc::writeFileAtomically(
          *mlirPath, tpuc::printModule(*tpu_, weightName)))
    return reportError(kTool, toString(std::move(err)));
  printSummary();
  if (opts_.opDivide)
    errs() << kTool << ": note: --op_divide takes effect in code generation, "
           << "which is not implemented yet\n";

  if (!opts_.testInputs.empty() && !opts_.skipValidation) {
    auto ok = validate();
    if (!ok)
      return reportError(kTool, toString(ok.takeError()));
    if (!*ok)
      return 1;
  }
  if (Error err = staged_.commit())
    return reportError(kTool, toString(std::move(err)));
  outs() << "wrote " << prefix_ << "_tpu.mlir and " << weightName << "\n";
  if (!opts_.modelPath.empty())
    return reportError(kTool, "cannot write " + opts_.modelPath +
                                  ": code generation for " + opts_.chip +
                                  " (cvimodel/bmodel) is not implemented "
                                  "yet; the verified Tpu MLIR is " +
                                  prefix_ + "_tpu.mlir");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (!tpuc::parseToolCommandLine(
          argc, argv, kTool, "Lowers a Top model for a chip and verifies it\n",
          category))
    return 1;
  auto opts = parseOptions();
  if (!opts)
    return reportError(kTool, toString(opts.takeError()));
  return Deployer(std::move(*opts)).run();
}
