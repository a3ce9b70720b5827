//===- run_qtable.cpp - Mixed precision quantization tables ---------------===//
//
//   run_qtable model.mlir (--dataset DIR | --data_list FILE)
//       --calibration_table TABLE --processor CHIP -o QTABLE
//       [--fp_type auto|F16|BF16|F32] [--input_num 10]
//       [--expected_cos 0.99] [--min_layer_cos 0.99]
//       [--global_compare_layers a,b | a:0.3,b:0.7]
//       [--loss_table full_loss_table.txt] [--search greedy|fast]
//       [--max_float_layers N | P%]
//       [--postprocess yolov5|yolov8|none] [--debug_cmd ...]
//
// Chooses the layers of a TOP_F32 model (model_transform's output) that
// compute in the chip's float mode so that the INT8 model's outputs reach
// --expected_cos against the float model on the samples, and writes them as
// the quantization table model_deploy --quantize_table reads, with a loss
// table ranking every layer by the output loss it causes alone.
// `--search greedy` (the default) is tpu-mlir's layer walk; `--search fast`
// ranks the layers once and bisects on how many of the worst stay float
// (docs/MixedPrecision.md). Both files are written only on success.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Backend/Chips.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Quant/Calibration/Dataset.h"
#include "tpuc/Quant/MixedPrecision/MixedPrecision.h"
#include "tpuc/Support/AtomicFile.h"
#include "tpuc/Support/StagedOutputs.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>

using namespace llvm;
using namespace tpuc;
using tpuc::countFlag;
using tpuc::optionError;
using tpuc::reportError;

static constexpr StringLiteral kTool = "run_qtable";

static cl::OptionCategory category("run_qtable options");

// Numbers are parsed by the tool (not by cl) so that bad values give
// one-line errors naming the flag.
static cl::opt<std::string> mlirFlag(cl::Positional, cl::desc("<model.mlir>"),
                                     cl::cat(category));
static cl::opt<std::string>
    datasetFlag("dataset",
                cl::desc("Folder of samples: images, .npy or .npz files "
                         "(searched recursively, used in name order)"),
                cl::cat(category));
static cl::opt<std::string> dataListFlag(
    "data_list",
    cl::desc("File listing one sample per line (comma-separated files for "
             "several inputs)"),
    cl::cat(category));
static cl::opt<std::string>
    calibrationTableFlag("calibration_table",
                         cl::desc("Calibration table (run_calibration's)"),
                         cl::cat(category));
static cl::opt<std::string>
    processorFlag("processor",
                  cl::desc("cv180x, cv181x, cv182x, cv183x or bm1684x"),
                  cl::cat(category));
static cl::alias chipAlias("chip", cl::aliasopt(processorFlag),
                           cl::desc("Alias for --processor"),
                           cl::cat(category));
static cl::opt<std::string>
    fpTypeFlag("fp_type",
               cl::desc("Float mode of the float layers: auto (BF16 on "
                        "CV18xx, F16 on BM1684X), F16, BF16 or F32"),
               cl::cat(category));
static cl::opt<std::string>
    inputNumFlag("input_num",
                 cl::desc("Number of samples to search on (default 10; 0: "
                          "all of them)"),
                 cl::cat(category));
static cl::opt<std::string> sensitivityNumFlag(
    "sensitivity_num",
    cl::desc("Samples the loss table (each layer alone in INT8) is measured "
             "on (default 3; 0: all --input_num samples)"),
    cl::cat(category));
static cl::opt<std::string> maxFloatLayersFlag(
    "max_float_layers",
    cl::desc("At most this many float layers, a count or a percentage of "
             "the layers such as 10% (default: a quarter of them)"),
    cl::cat(category));
static cl::opt<std::string>
    expectedCosFlag("expected_cos",
                    cl::desc("Cosine the outputs must reach (default 0.99)"),
                    cl::cat(category));
static cl::opt<std::string> minLayerCosFlag(
    "min_layer_cos",
    cl::desc("Layers below this cosine move to float (greedy; default 0.99)"),
    cl::cat(category));
static cl::opt<std::string> compareLayersFlag(
    "global_compare_layers",
    cl::desc("Tensors compared instead of the outputs: 'a,b' or "
             "'a:0.3,b:0.7' (weights summing to 1)"),
    cl::cat(category));
static cl::opt<std::string>
    lossTableFlag("loss_table",
                  cl::desc("Loss table to write (default "
                           "full_loss_table.txt)"),
                  cl::cat(category));
static cl::opt<std::string>
    searchFlag("search",
               cl::desc("greedy (tpu-mlir's walk, default) or fast (rank "
                        "once, bisect on the count)"),
               cl::cat(category));
static cl::opt<std::string> postprocessFlag(
    "postprocess",
    cl::desc("How the outputs are decoded after the network: yolov5 or "
             "yolov8/yolo11 (raw head convolutions, decoded in float), or "
             "none (default). The outputs are then compared after the "
             "decode"),
    cl::cat(category));
static cl::opt<std::string>
    debugCmdFlag("debug_cmd",
                 cl::desc("Debug switches, ';'-separated: debug_log, "
                          "plain_cos (tpu-mlir's whole-output cosine)"),
                 cl::cat(category));
static cl::opt<std::string> outputFlag("o",
                                       cl::desc("Quantization table to write"),
                                       cl::value_desc("qtable"),
                                       cl::cat(category));
static cl::alias outputAlias("quantize_table", cl::aliasopt(outputFlag),
                             cl::desc("Alias for -o"), cl::cat(category));

namespace {

struct Options {
  std::string mlirPath;
  std::string dataset, dataList;
  size_t inputNum = 10;
  mix::SearchOptions search;
  std::string output, lossTable = "full_loss_table.txt";
  bool debugLog = false;
  std::optional<accuracy::YoloStyle> postprocess;
  std::vector<std::string> warnings;
};

/// A cosine flag in (0, 1], or its default.
Expected<double> cosineFlag(const cl::opt<std::string> &flag, double value) {
  if (flag.getNumOccurrences() == 0)
    return value;
  StringRef text = StringRef(flag).trim();
  if (text.getAsDouble(value) || !std::isfinite(value) || value <= 0 ||
      value > 1)
    return optionError("malformed --" + flag.ArgStr + " '" + flag +
                       "': expected a cosine in (0, 1]");
  return value;
}

Expected<Options> parseOptions() {
  Options opts;
  if (mlirFlag.empty())
    return optionError("no model given (usage: run_qtable model.mlir "
                       "--dataset DIR --calibration_table T --processor CHIP "
                       "-o QTABLE)");
  opts.mlirPath = mlirFlag;
  if (Error err = calibration::checkSampleSource(datasetFlag, dataListFlag))
    return std::move(err);
  opts.dataset = datasetFlag;
  opts.dataList = dataListFlag;
  if (calibrationTableFlag.empty())
    return optionError("--calibration_table is required (made by "
                       "run_calibration)");
  if (!sys::fs::exists(calibrationTableFlag))
    return optionError("--calibration_table " + calibrationTableFlag +
                       ": no such file");
  opts.search.calibrationTable = calibrationTableFlag;
  if (processorFlag.empty())
    return optionError("--processor is required (" + getChipNames() + ")");
  const ChipInfo *chip = lookupChip(StringRef(processorFlag).lower());
  if (!chip)
    return optionError("unknown --processor '" + processorFlag +
                       "' (expected " + getChipNames() + ")");
  opts.search.chip = chip->name.str();
  if (outputFlag.empty())
    return optionError("-o is required (the quantization table to write)");
  opts.output = outputFlag;
  if (lossTableFlag.getNumOccurrences()) {
    if (lossTableFlag.empty())
      return optionError("--loss_table needs a file name");
    opts.lossTable = lossTableFlag;
  }

  // The float mode: BF16 on CV18xx, F16 elsewhere, unless asked.
  StringRef fpType = StringRef(fpTypeFlag).trim();
  QuantMode floatMode = getDefaultFloatMode(*chip);
  if (!fpType.empty() && !fpType.equals_insensitive("auto")) {
    auto mode = symbolizeQuantMode(fpType.upper());
    if (!mode || *mode == QuantMode::INT8)
      return optionError("unknown --fp_type '" + fpTypeFlag +
                         "' (expected auto, F16, BF16 or F32)");
    auto choice = chooseMode(*chip, *mode, /*asymmetric=*/false);
    if (!choice) {
      consumeError(choice.takeError());
      return optionError("--fp_type " + fpType + ": " + chip->name +
                         " cannot compute " + stringifyQuantMode(*mode) +
                         "; its float mode is " +
                         stringifyQuantMode(getDefaultFloatMode(*chip)));
    }
    if (!choice->warning.empty())
      opts.warnings.push_back("--fp_type " + fpType.str() + ": " +
                              choice->warning);
    floatMode = choice->mode;
  }
  opts.search.floatMode = floatMode;

  auto inputNum = countFlag(inputNumFlag, opts.inputNum, 0,
                            "a sample count (0 = all samples)");
  if (!inputNum)
    return inputNum.takeError();
  opts.inputNum = *inputNum;
  auto sensitivityNum =
      countFlag(sensitivityNumFlag, opts.search.sensitivitySamples, 0,
                "a sample count (0 = all samples)");
  if (!sensitivityNum)
    return sensitivityNum.takeError();
  opts.search.sensitivitySamples = *sensitivityNum;
  if (maxFloatLayersFlag.getNumOccurrences()) {
    StringRef text = StringRef(maxFloatLayersFlag).trim();
    uint64_t count = 0;
    double percent = 0;
    if (text.consume_back("%")) {
      if (text.trim().getAsDouble(percent) || !(percent > 0 && percent <= 100))
        return optionError("malformed --max_float_layers '" +
                           maxFloatLayersFlag +
                           "': expected a percentage in (0, 100]");
      opts.search.maxFloatFraction = percent / 100;
    } else if (text.getAsInteger(10, count) || count == 0) {
      return optionError("malformed --max_float_layers '" + maxFloatLayersFlag +
                         "': expected a positive count or a percentage "
                         "such as 10%");
    } else {
      opts.search.maxFloatLayers = count;
    }
  }
  auto expected = cosineFlag(expectedCosFlag, 0.99);
  if (!expected)
    return expected.takeError();
  opts.search.expectedCos = *expected;
  auto minLayer = cosineFlag(minLayerCosFlag, 0.99);
  if (!minLayer)
    return minLayer.takeError();
  opts.search.minLayerCos = *minLayer;
  if (compareLayersFlag.getNumOccurrences()) {
    auto layers = mix::parseCompareLayers(compareLayersFlag);
    if (!layers)
      return layers.takeError();
    opts.search.compareLayers = std::move(*layers);
  }
  StringRef method = StringRef(searchFlag).trim();
  if (method.empty() || method == "greedy")
    opts.search.method = mix::SearchMethod::Greedy;
  else if (method == "fast")
    opts.search.method = mix::SearchMethod::Fast;
  else
    return optionError("unknown --search '" + searchFlag +
                       "' (expected greedy or fast)");

  auto postprocess = calibration::parsePostprocess(postprocessFlag);
  if (!postprocess)
    return postprocess.takeError();
  opts.postprocess = *postprocess;

  // tpu-mlir's debug_cmd is `key;key=value;...`.
  SmallVector<StringRef> switches;
  StringRef(debugCmdFlag).split(switches, ';', -1, /*KeepEmpty=*/false);
  for (StringRef item : switches) {
    StringRef key = item.split('=').first.trim();
    if (key.empty())
      continue;
    if (key == "debug_log") {
      opts.debugLog = true;
    } else if (key == "plain_cos") {
      // tpu-mlir's measure: one cosine of each whole output as it is.
      opts.search.centered = false;
      opts.search.parts = false;
    } else if (key == "run_bias_correction")
      return optionError("--debug_cmd run_bias_correction is not supported "
                         "(tpuc only searches mixed precision)");
    else
      opts.warnings.push_back("--debug_cmd '" + key.str() +
                              "' is not used by tpuc; ignored");
  }
  return opts;
}

std::string formatDouble(double value, const char *format) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

/// The tables' date line: SOURCE_DATE_EPOCH (UTC) when set, so that runs
/// can be reproducible, else the local time.
std::string tableDate() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  const char *epoch = std::getenv("SOURCE_DATE_EPOCH");
  long long seconds;
  if (epoch && !StringRef(epoch).getAsInteger(10, seconds)) {
    now = static_cast<std::time_t>(seconds);
    gmtime_r(&now, &parts);
  } else {
    localtime_r(&now, &parts);
  }
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

/// The search log on stdout; a progress bar on stderr when it is a
/// terminal.
class Console : public mix::SearchObserver {
public:
  explicit Console(bool verbose)
      : tty_(sys::Process::StandardErrIsDisplayed()), verbose_(verbose) {}

  void note(const std::string &line) override {
    clearBar();
    outs() << line << "\n";
  }
  void phaseStarted(StringRef phase, size_t total) override {
    phase_ = phase.str();
    total_ = total;
    start_ = Clock::now();
    lastDraw_ = {};
    if (verbose_)
      outs() << phase << "...\n";
    draw(0);
  }
  void progress(size_t done) override { draw(done); }
  void phaseFinished() override {
    clearBar();
    double seconds =
        std::chrono::duration<double>(Clock::now() - start_).count();
    outs() << phase_ << ": " << formatDouble(seconds, "%.2f") << "s\n";
  }

private:
  using Clock = std::chrono::steady_clock;

  void draw(size_t done) {
    if (!tty_ || total_ == 0)
      return;
    Clock::time_point now = Clock::now();
    if (done != 0 && done != total_ &&
        now - lastDraw_ < std::chrono::milliseconds(200))
      return;
    lastDraw_ = now;
    constexpr size_t kWidth = 30;
    size_t filled = std::min(kWidth, done * kWidth / total_);
    errs() << "\r" << phase_ << " [" << std::string(filled, '#')
           << std::string(kWidth - filled, '.') << "] " << done << "/" << total_
           << "\033[K";
    errs().flush();
    barShown_ = true;
  }
  void clearBar() {
    if (!barShown_)
      return;
    errs() << "\r\033[K";
    errs().flush();
    barShown_ = false;
  }

  bool tty_, verbose_;
  bool barShown_ = false;
  std::string phase_;
  size_t total_ = 0;
  Clock::time_point start_, lastDraw_;
};

/// The samples, in dataset order: the first `count` that decode (0: all).
Expected<std::vector<TensorMap>>
loadSamples(const Options &opts, ArrayRef<calibration::ModelInput> inputs) {
  auto files = calibration::listSamples(opts.dataset, opts.dataList, inputs);
  if (!files)
    return files.takeError();
  const std::string &source =
      opts.dataset.empty() ? opts.dataList : opts.dataset;
  size_t wanted = opts.inputNum == 0 ? files->size() : opts.inputNum;
  if (wanted > files->size()) {
    errs() << kTool << ": warning: --input_num " << wanted << " but " << source
           << " has only " << files->size() << " sample(s); using "
           << files->size() << "\n";
    wanted = files->size();
  }
  std::vector<TensorMap> samples;
  for (const calibration::SampleFiles &sample : *files) {
    if (samples.size() == wanted)
      break;
    std::string skipReason;
    auto loaded = calibration::loadSample(sample, inputs, skipReason);
    if (!loaded)
      return loaded.takeError();
    if (!*loaded) {
      errs() << kTool << ": warning: " << sample.describe()
             << ": skipped: " << skipReason << "\n";
      continue;
    }
    samples.push_back(std::move(**loaded));
  }
  if (samples.empty())
    return optionError(source + ": no sample could be read");
  return samples;
}

int run(const Options &opts) {
  for (const std::string &warning : opts.warnings)
    errs() << kTool << ": warning: " << warning << "\n";
  // Fail on unwritable destinations before the long run, not after it.
  StagedOutputs staged;
  auto tablePath = staged.stage(opts.output);
  if (!tablePath)
    return reportError(kTool, toString(tablePath.takeError()));
  auto lossPath = staged.stage(opts.lossTable);
  if (!lossPath)
    return reportError(kTool, toString(lossPath.takeError()));

  mlir::MLIRContext ctx;
  ctx.printOpOnDiagnostic(false);
  OneLineDiagnostics diagnostics(&ctx, kTool);
  auto module = loadModule(ctx, opts.mlirPath);
  if (!module)
    return 1;
  top::State state = top::getState(*module);
  if (state != top::State::TOP_F32)
    return reportError(kTool, opts.mlirPath + ": the model is in state " +
                                  top::stringifyState(state) +
                                  "; run_qtable needs a TOP_F32 model "
                                  "(model_transform's output)");
  auto inputs = calibration::getModelInputs(*module);
  if (!inputs)
    return reportError(kTool,
                       opts.mlirPath + ": " + toString(inputs.takeError()));
  mix::SearchOptions search = opts.search;
  if (opts.postprocess) {
    auto decodes =
        calibration::getModelOutputDecodes(*module, *opts.postprocess);
    if (!decodes)
      return reportError(kTool, opts.mlirPath + ": --postprocess " +
                                    postprocessFlag + ": " +
                                    toString(decodes.takeError()));
    search.outputDecodes = std::move(*decodes);
  }
  auto samples = loadSamples(opts, *inputs);
  if (!samples)
    return reportError(kTool, toString(samples.takeError()));

  outs() << "searching " << opts.mlirPath << " for " << opts.search.chip
         << " (INT8 + " << stringifyQuantMode(opts.search.floatMode) << ", "
         << (opts.search.method == mix::SearchMethod::Greedy ? "greedy"
                                                             : "fast")
         << " search) on " << samples->size() << " sample(s); expected_cos "
         << formatDouble(opts.search.expectedCos, "%g") << ", min_layer_cos "
         << formatDouble(opts.search.minLayerCos, "%g") << "\n";
  Console console(opts.debugLog);
  auto result = mix::searchMixedPrecision(*module, *samples, search, console);
  if (!result)
    return reportError(kTool,
                       opts.mlirPath + ": " + toString(result.takeError()));

  std::string date = tableDate();
  if (Error err = writeFileAtomically(
          *tablePath, mix::formatQuantTable(*result, opts.search, date)))
    return reportError(kTool, toString(std::move(err)));
  if (Error err = writeFileAtomically(
          *lossPath, mix::formatLossTable(*result, opts.search, date)))
    return reportError(kTool, toString(std::move(err)));
  if (Error err = staged.commit())
    return reportError(kTool, toString(std::move(err)));

  StringRef mode = stringifyQuantMode(opts.search.floatMode);
  size_t worst = std::min<size_t>(5, result->lossTable.size());
  outs() << "worst layers alone:";
  for (size_t i = 0; i < worst; ++i)
    outs() << (i ? ", " : " ") << result->lossTable[i].name << " "
           << formatDouble(result->lossTable[i].outputCos, "%.6f");
  outs() << "\n";
  outs() << "outputs cos to the all-" << mode << " model: all INT8 "
         << formatDouble(result->int8Cos, "%.6f") << ", with the table "
         << formatDouble(result->finalCos, "%.6f") << "\n"
         << mode << " layers: " << result->floatLayers.size() << " of "
         << result->numOps << " ("
         << formatDouble(100.0 * result->floatLayers.size() /
                             std::max<size_t>(1, result->numOps),
                         "%.1f")
         << "%); " << result->stopReason << "\n"
         << "time: " << formatDouble(result->seconds, "%.2f") << "s (reference "
         << formatDouble(result->referenceSeconds, "%.2f") << "s, sensitivity "
         << formatDouble(result->sensitivitySeconds, "%.2f") << "s, search "
         << formatDouble(result->searchSeconds, "%.2f") << "s), "
         << result->modelsEvaluated << " mixed models run on "
         << result->numSamples << " sample(s)\n"
         << "wrote " << opts.output << " and " << opts.lossTable << "\n";
  if (!result->reachedExpected)
    errs() << kTool << ": warning: the outputs reach cos "
           << formatDouble(result->finalCos, "%.6f")
           << ", below --expected_cos "
           << formatDouble(opts.search.expectedCos, "%g") << " ("
           << result->stopReason << ")\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (!parseToolCommandLine(
          argc, argv, kTool,
          "Chooses the layers of an INT8 model that compute in float\n",
          category))
    return 1;
  auto opts = parseOptions();
  if (!opts)
    return reportError(kTool, toString(opts.takeError()));
  outs().SetUnbuffered();
  return run(*opts);
}
