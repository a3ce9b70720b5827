//===- run_calibration.cpp - Activation calibration tables ----------------===//
//
//   run_calibration model.mlir (--dataset DIR | --data_list FILE)
//       [--input_num N] [--tune_num N] [--histogram_bin_num 2048]
//       [--cali_method kld|max|percentile9999|mse|aciq_gauss|aciq_laplace]
//       [--postprocess yolov5|yolov8|none] [--threads N] -o TABLE
//
// Runs a TOP_F32 model (model_transform's output) in the float interpreter
// over calibration samples and writes a tpu-mlir calibration table: one
// `<tensor> <threshold> <min> <max>` line per activation. Samples are
// images (preprocessed from the `top.Input` attributes, as model_transform
// does), .npy or .npz files. Progress goes to stderr, the summary to stdout;
// the table is written only when everything succeeded.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Quant/Calibration/CalibrationTable.h"
#include "tpuc/Quant/Calibration/Calibrator.h"
#include "tpuc/Quant/Calibration/Dataset.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include <omp.h>

using namespace llvm;
using namespace tpuc::calibration;
using tpuc::countFlag;
using tpuc::optionError;
using tpuc::reportError;

static constexpr StringLiteral kTool = "run_calibration";

static cl::OptionCategory category("run_calibration options");

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
    inputNumFlag("input_num",
                 cl::desc("Number of samples (default 0: all of them)"),
                 cl::cat(category));
static cl::opt<std::string>
    tuneNumFlag("tune_num",
                cl::desc("Samples for the tune step (default 5; 0 disables "
                         "it)"),
                cl::cat(category));
static cl::opt<std::string>
    binsFlag("histogram_bin_num",
             cl::desc("Histogram bins per tensor (default 2048)"),
             cl::cat(category));
static cl::opt<std::string> methodFlag(
    "cali_method",
    cl::desc("Threshold method: kld (default), max, percentile9999, mse, "
             "aciq_gauss, aciq_laplace (or tpu-mlir's use_kl, use_max, ...)"),
    cl::cat(category));
static cl::opt<std::string> postprocessFlag(
    "postprocess",
    cl::desc("How the outputs are decoded after the network: yolov5 or "
             "yolov8/yolo11 (raw head convolutions, decoded in float), or "
             "none (default). Output thresholds are then chosen for the "
             "decoded scores and boxes"),
    cl::cat(category));
// libLLVM registers a hidden `threads` option of its own; the tool's flag
// replaces it in main(), before the command line is parsed.
static cl::opt<std::string> *threadsFlag = nullptr;
static cl::opt<std::string> outputFlag("o",
                                       cl::desc("Calibration table to write"),
                                       cl::value_desc("table"),
                                       cl::cat(category));
static cl::alias outputAlias("calibration_table", cl::aliasopt(outputFlag),
                             cl::desc("Alias for -o"), cl::cat(category));

namespace {

struct Options {
  std::string mlirPath;
  std::string dataset;
  std::string dataList;
  size_t inputNum = 0;
  size_t tuneNum = 5;
  int64_t bins = 2048;
  CalibrationMethod method = CalibrationMethod::KL;
  int threads = 0;
  std::optional<tpuc::accuracy::YoloStyle> postprocess;
  std::string output;
};

Expected<Options> parseOptions() {
  Options opts;
  if (mlirFlag.empty())
    return optionError("no model given (usage: run_calibration model.mlir "
                       "--dataset DIR -o TABLE)");
  opts.mlirPath = mlirFlag;
  if (Error err = checkSampleSource(datasetFlag, dataListFlag))
    return std::move(err);
  opts.dataset = datasetFlag;
  opts.dataList = dataListFlag;
  if (outputFlag.empty())
    return optionError("-o is required (the calibration table to write)");
  opts.output = outputFlag;

  auto inputNum =
      countFlag(inputNumFlag, 0, 0, "a sample count (0 = all samples)");
  if (!inputNum)
    return inputNum.takeError();
  opts.inputNum = *inputNum;
  auto tuneNum = countFlag(tuneNumFlag, 5, 0, "a sample count (0 = no tuning)");
  if (!tuneNum)
    return tuneNum.takeError();
  opts.tuneNum = *tuneNum;
  // The upper bound keeps the histograms of a large model in memory.
  auto bins = countFlag(binsFlag, 2048, 0, "a bin count from 2 to 262144");
  if (!bins)
    return bins.takeError();
  if (*bins < 2 || *bins > 262144)
    return optionError("--histogram_bin_num " + Twine(*bins) +
                       " is out of range (2 to 262144)");
  opts.bins = static_cast<int64_t>(*bins);
  if (!methodFlag.empty()) {
    std::optional<CalibrationMethod> method =
        parseCalibrationMethod(StringRef(methodFlag).trim());
    if (!method)
      return optionError("unknown --cali_method '" + methodFlag +
                         "' (expected kld, max, percentile9999, mse, "
                         "aciq_gauss or aciq_laplace)");
    opts.method = *method;
  }
  auto postprocess = parsePostprocess(postprocessFlag);
  if (!postprocess)
    return postprocess.takeError();
  opts.postprocess = *postprocess;
  auto threads = countFlag(*threadsFlag, 0, 0, "a thread count (at least 1)");
  if (!threads)
    return threads.takeError();
  if (threadsFlag->getNumOccurrences() && (*threads < 1 || *threads > 1024))
    return optionError("--threads " + Twine(*threads) +
                       " is out of range (1 to 1024)");
  opts.threads = static_cast<int>(*threads);
  return opts;
}

std::string formatDouble(double value, const char *format) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string formatDuration(double seconds) {
  if (seconds < 60)
    return formatDouble(seconds, "%.0fs");
  long total = static_cast<long>(seconds + 0.5);
  return std::to_string(total / 60) + "m" +
         formatDouble(static_cast<double>(total % 60), "%02.0fs");
}

/// stderr, shared by the progress bar, the warnings and the reader thread.
/// OpenCV's decoders are run with stderr redirected (ImagePreprocess.cpp),
/// so nothing may be printed to stderr while a sample is being loaded: the
/// reader holds `mutex` while it loads, and every print takes it.
class Console {
public:
  std::mutex mutex;

  Console() : tty_(sys::Process::StandardErrIsDisplayed()) {}

  void warning(const std::string &message) {
    std::lock_guard<std::mutex> lock(mutex);
    clearBar();
    std::string text = message;
    for (char &c : text)
      if (c == '\n')
        c = ' ';
    errs() << kTool << ": warning: " << text << "\n";
    errs().flush();
  }

  void startPhase(StringRef phase, size_t total) {
    std::lock_guard<std::mutex> lock(mutex);
    phase_ = phase.str();
    total_ = total;
    start_ = Clock::now();
    lastDraw_ = {};
    drawBar(0);
  }

  void progress(size_t done) {
    // Without a terminal there is nothing to draw, and no reason to wait
    // for the reader thread's lock.
    if (!tty_)
      return;
    std::lock_guard<std::mutex> lock(mutex);
    drawBar(done);
  }

  /// Ends the bar; returns the phase's duration.
  double finishPhase() {
    std::lock_guard<std::mutex> lock(mutex);
    clearBar();
    return secondsSinceStart();
  }

  void clear() {
    std::lock_guard<std::mutex> lock(mutex);
    clearBar();
  }

private:
  using Clock = std::chrono::steady_clock;

  double secondsSinceStart() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }

  // Callers hold `mutex`.
  void drawBar(size_t done) {
    if (!tty_)
      return;
    Clock::time_point now = Clock::now();
    if (done != 0 && done != total_ &&
        now - lastDraw_ < std::chrono::milliseconds(100))
      return;
    lastDraw_ = now;
    constexpr size_t kWidth = 30;
    size_t filled = total_ ? std::min(kWidth, done * kWidth / total_) : 0;
    double elapsed = secondsSinceStart();
    std::string line = phase_ + " [" + std::string(filled, '#') +
                       std::string(kWidth - filled, '.') + "] " +
                       std::to_string(done) + "/" + std::to_string(total_);
    if (done > 0 && elapsed > 0) {
      double rate = done / elapsed;
      line += "  " + formatDouble(rate, "%.1f") + " samples/s";
      if (done < total_)
        line += "  ETA " + formatDuration((total_ - done) / rate);
    }
    errs() << "\r" << line << "\033[K";
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

  bool tty_;
  bool barShown_ = false;
  std::string phase_;
  size_t total_ = 0;
  Clock::time_point start_, lastDraw_;
};

/// The dataset entries; loads under the console lock (see Console).
class FileSource : public SampleSource {
public:
  FileSource(std::vector<SampleFiles> samples, std::vector<ModelInput> inputs,
             Console &console)
      : samples_(std::move(samples)), inputs_(std::move(inputs)),
        console_(console) {}

  size_t size() const override { return samples_.size(); }
  std::string describe(size_t i) const override {
    return samples_[i].describe();
  }
  Expected<std::optional<tpuc::TensorMap>>
  load(size_t i, std::string &skipReason) override {
    std::lock_guard<std::mutex> lock(console_.mutex);
    return loadSample(samples_[i], inputs_, skipReason);
  }

private:
  std::vector<SampleFiles> samples_;
  std::vector<ModelInput> inputs_;
  Console &console_;
};

/// Progress bar on stderr, one line per finished phase on stdout.
class ConsoleObserver : public CalibrationObserver {
public:
  explicit ConsoleObserver(Console &console) : console_(console) {}

  void warning(const std::string &message) override {
    console_.warning(message);
  }
  void phaseStarted(StringRef phase, size_t total) override {
    phase_ = phase.str();
    console_.startPhase(phase, total);
  }
  void progress(size_t done) override {
    done_ = done;
    console_.progress(done);
  }
  void phaseFinished() override {
    double seconds = console_.finishPhase();
    outs() << phase_ << ": " << done_ << " sample(s) in "
           << formatDouble(seconds, "%.2f") << "s ("
           << formatDouble(seconds > 0 ? done_ / seconds : 0.0, "%.1f")
           << " samples/s)\n";
  }

private:
  Console &console_;
  std::string phase_;
  size_t done_ = 0;
};

/// Holds back the MLIR diagnostics emitted while the reader thread may be
/// decoding (and stderr redirected), then emits them to the handlers
/// registered before it.
class HeldDiagnostics {
public:
  explicit HeldDiagnostics(mlir::MLIRContext &ctx) : ctx_(ctx) {
    id_ = ctx.getDiagEngine().registerHandler(
        [this](mlir::Diagnostic &diag) -> mlir::LogicalResult {
          if (!holding_)
            return mlir::failure();
          held_.push_back(std::move(diag));
          return mlir::success();
        });
  }
  ~HeldDiagnostics() { ctx_.getDiagEngine().eraseHandler(id_); }

  bool empty() const { return held_.empty(); }
  /// Emits what was held, with `note` (if any) on the first error, and
  /// stops holding.
  void release(const std::string &note) {
    holding_ = false;
    bool noted = note.empty();
    for (mlir::Diagnostic &diag : held_) {
      if (!noted && diag.getSeverity() == mlir::DiagnosticSeverity::Error) {
        diag.attachNote() << note;
        noted = true;
      }
      ctx_.getDiagEngine().emit(std::move(diag));
    }
    held_.clear();
  }

private:
  mlir::MLIRContext &ctx_;
  mlir::DiagnosticEngine::HandlerID id_;
  bool holding_ = true;
  std::vector<mlir::Diagnostic> held_;
};

/// The table's date line: SOURCE_DATE_EPOCH (UTC) when set, so that builds
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

int run(const Options &opts) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  if (opts.threads > 0)
    omp_set_num_threads(opts.threads);

  // Fail on an unwritable destination before the long run, not after it.
  StringRef outputDir = sys::path::parent_path(opts.output);
  if (!outputDir.empty() && !sys::fs::is_directory(outputDir))
    return reportError(kTool, opts.output +
                                  ": cannot write: no such "
                                  "directory '" +
                                  outputDir + "'");
  if (sys::fs::is_directory(opts.output))
    return reportError(kTool, opts.output + ": is a directory");

  mlir::MLIRContext ctx;
  ctx.printOpOnDiagnostic(false);
  tpuc::OneLineDiagnostics diagnostics(&ctx, kTool);
  auto module = tpuc::loadModule(ctx, opts.mlirPath);
  if (!module)
    return 1;
  tpuc::top::State state = tpuc::top::getState(*module);
  if (state != tpuc::top::State::TOP_F32)
    return reportError(kTool, opts.mlirPath + ": the model is in state " +
                                  tpuc::top::stringifyState(state) +
                                  "; calibration needs a TOP_F32 model "
                                  "(model_transform's output)");
  auto inputs = getModelInputs(*module);
  if (!inputs)
    return reportError(kTool,
                       opts.mlirPath + ": " + toString(inputs.takeError()));
  auto interpreter = tpuc::Interpreter::create(*module);
  if (mlir::failed(interpreter))
    return 1;
  auto decodes = opts.postprocess
                     ? getModelOutputDecodes(*module, *opts.postprocess)
                     : std::map<std::string, OutputDecode>{};
  if (!decodes)
    return reportError(kTool, opts.mlirPath + ": --postprocess " +
                                  postprocessFlag + ": " +
                                  toString(decodes.takeError()));

  auto samples = listSamples(opts.dataset, opts.dataList, *inputs);
  if (!samples)
    return reportError(kTool, toString(samples.takeError()));

  Console console;
  const std::string sourceName =
      opts.dataset.empty() ? opts.dataList : opts.dataset;
  if (opts.inputNum > samples->size())
    console.warning("--input_num " + std::to_string(opts.inputNum) + " but " +
                    sourceName + " has only " +
                    std::to_string(samples->size()) + " sample(s); using " +
                    std::to_string(samples->size()));

  CalibrationOptions options;
  options.method = opts.method;
  options.histogramBins = opts.bins;
  options.inputNum = opts.inputNum;
  options.tuneNum = opts.tuneNum;
  options.outputDecodes = std::move(*decodes);
  FileSource source(std::move(*samples), std::move(*inputs), console);
  ConsoleObserver observer(console);
  outs() << "calibrating " << opts.mlirPath << " on " << sourceName << " ("
         << getCalibrationMethodName(opts.method) << ", " << opts.bins
         << " bins, " << omp_get_max_threads() << " thread(s))\n";

  HeldDiagnostics held(ctx);
  Expected<CalibrationResult> result =
      calibrate(**interpreter, source, options, observer);
  console.clear();
  bool diagnosed = false;
  std::string failedSample;
  Error failure = result ? Error::success()
                         : handleErrors(result.takeError(),
                                        [&](const DiagnosedError &error) {
                                          diagnosed = true;
                                          failedSample = error.context();
                                        });
  // Interpreter failures were reported as diagnostics naming the op; the
  // sample goes on the same line as a note.
  bool hadDiagnostics = !held.empty();
  held.release(diagnosed ? "on sample " + failedSample : "");
  if (diagnosed) {
    if (!hadDiagnostics)
      reportError(kTool, failedSample + ": the interpreter failed");
    return 1;
  }
  if (failure)
    return reportError(kTool, toString(std::move(failure)));

  std::vector<std::string> header = {
      "# tool: tpuc run_calibration",
      "# mlir: " + opts.mlirPath,
      // tpu-mlir's own spelling, kept for scripts that look for it.
      "# genetated time: " + tableDate(),
      "# calibration method: " + getCalibrationMethodName(opts.method).str(),
      "# histogram number: " + std::to_string(opts.bins),
      "# sample number: " + std::to_string(result->samples.size()),
      "# tune number: " + std::to_string(result->tuneSamples),
  };
  if (opts.postprocess)
    header.push_back(
        "# output thresholds for the decode of: " +
        tpuc::accuracy::stringifyYoloStyle(*opts.postprocess).str());
  CalibrationTable table = makeCalibrationTable(*result, std::move(header));
  if (Error err = writeCalibrationTable(opts.output, table))
    return reportError(kTool, toString(std::move(err)));

  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  size_t tuned = 0, decoded = 0;
  for (const TensorCalibration &tensor : result->tensors) {
    tuned += tensor.tuned;
    decoded += tensor.decoded;
  }
  size_t count = result->samples.size();
  outs() << "tensors: " << result->tensors.size() << " (" << tuned
         << " raised by tuning on " << result->tuneSamples << " sample(s)";
  if (decoded)
    outs() << ", " << decoded << " output(s) set for the "
           << tpuc::accuracy::stringifyYoloStyle(*opts.postprocess)
           << " decode on " << result->decodeSamples << " sample(s)";
  outs() << ")\n"
         << "samples: " << count;
  if (result->skipped)
    outs() << " (" << result->skipped << " skipped)";
  outs() << "\ntime: " << formatDouble(seconds, "%.2f") << "s, "
         << formatDouble(seconds > 0 ? count / seconds : 0.0, "%.2f")
         << " samples/s (min/max " << formatDouble(result->rangeSeconds, "%.2f")
         << "s, histogram " << formatDouble(result->histogramSeconds, "%.2f")
         << "s, thresholds " << formatDouble(result->thresholdSeconds, "%.2f")
         << "s, tune " << formatDouble(result->tuneSeconds, "%.2f") << "s";
  if (decoded)
    outs() << ", decode " << formatDouble(result->decodeSeconds, "%.2f") << "s";
  outs() << ")\n"
         << "wrote " << opts.output << "\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (cl::Option *existing = cl::getRegisteredOptions().lookup("threads"))
    existing->removeArgument();
  static cl::opt<std::string> threads(
      "threads", cl::desc("Threads (default: one per core)"),
      cl::cat(category));
  threadsFlag = &threads;
  if (!tpuc::parseToolCommandLine(
          argc, argv, kTool,
          "Computes a calibration table of a TOP_F32 model over samples\n",
          category))
    return 1;
  auto opts = parseOptions();
  if (!opts)
    return reportError(kTool, toString(opts.takeError()));
  outs().SetUnbuffered();
  return run(*opts);
}
