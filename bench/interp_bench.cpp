//===- interp_bench.cpp - Times the interpreter on one model --------------===//
//
//   tpuc-interp-bench --model m.mlir --input in.npz [--runs N] [--warmup N]
//                     [--profile]
//
// Loads the module and its weights once, then times Interpreter::run alone
// (no process start-up, parsing or weight loading) and prints the median,
// minimum and maximum wall time in milliseconds, and the process's CPU time
// per timed run (all threads, spinning included), which varies less than the
// wall time when other processes load the machine. The thread count is
// OpenMP's (OMP_NUM_THREADS).
//
// --profile also prints where the time goes, per op kind and for the slowest
// ops. It times the gaps between RunOptions::onResult calls, and since a hook
// turns off the interpreter's run-time fusion, the profile is of the unfused
// network.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Support/Npz.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

using namespace llvm;

static cl::opt<std::string> modelPath("model", cl::desc("Model .mlir file"),
                                      cl::value_desc("file"), cl::Required);
static cl::opt<std::string> inputPath("input", cl::desc("Input .npz file"),
                                      cl::value_desc("file"), cl::Required);
static cl::opt<unsigned> runs("runs", cl::desc("Timed runs (default 10)"),
                              cl::init(10));
static cl::opt<unsigned>
    warmups("warmup", cl::desc("Untimed runs first (default 1)"), cl::init(1));

static cl::opt<bool>
    profile("profile", cl::desc("Print per-op times (of the unfused network)"));

static constexpr StringLiteral kTool = "tpuc-interp-bench";

using Clock = std::chrono::steady_clock;

/// User plus system CPU time of the process so far, in milliseconds.
static double cpuMilliseconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval &t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

/// Runs the network a few times with a hook that timestamps every result and
/// prints the mean time per op kind and the slowest ops.
static void printProfile(tpuc::Interpreter &interpreter,
                         const tpuc::TensorMap &inputs) {
  constexpr unsigned kProfileRuns = 5;
  struct OpTime {
    mlir::Operation *op;
    double ms = 0;
  };
  std::vector<OpTime> ops;
  llvm::DenseMap<mlir::Operation *, size_t> index;
  for (unsigned run = 0; run < kProfileRuns; ++run) {
    tpuc::RunOptions options;
    Clock::time_point last = Clock::now();
    mlir::Operation *lastOp = nullptr;
    options.onResult = [&](mlir::Value value, tpuc::Tensor &) {
      mlir::Operation *op = value.getDefiningOp();
      auto now = Clock::now();
      // Multi-result ops report each result; the time goes to the first.
      if (op && op != lastOp) {
        auto [it, inserted] = index.try_emplace(op, ops.size());
        if (inserted)
          ops.push_back({op});
        ops[it->second].ms +=
            std::chrono::duration<double, std::milli>(now - last).count() /
            kProfileRuns;
      }
      lastOp = op;
      last = Clock::now();
    };
    tpuc::TensorMap results;
    if (mlir::failed(interpreter.run(inputs, results, options)))
      return;
  }
  std::map<std::string, std::pair<double, unsigned>> byKind;
  double total = 0;
  for (const OpTime &t : ops) {
    auto &entry = byKind[t.op->getName().getStringRef().str()];
    entry.first += t.ms;
    ++entry.second;
    total += t.ms;
  }
  std::vector<std::pair<std::string, std::pair<double, unsigned>>> kinds(
      byKind.begin(), byKind.end());
  std::stable_sort(kinds.begin(), kinds.end(), [](auto &a, auto &b) {
    return a.second.first > b.second.first;
  });
  outs() << format("profile (unfused, mean of %u runs): %.2f ms in ops\n",
                   kProfileRuns, total);
  for (auto &[kind, entry] : kinds)
    outs() << format("  %-20s %4u ops %8.2f ms %5.1f%%\n", kind.c_str(),
                     entry.second, entry.first, 100 * entry.first / total);
  std::stable_sort(
      ops.begin(), ops.end(),
      [](const OpTime &a, const OpTime &b) { return a.ms > b.ms; });
  outs() << "slowest ops:\n";
  for (size_t i = 0; i < std::min<size_t>(ops.size(), 15); ++i) {
    mlir::Operation *op = ops[i].op;
    std::string type;
    llvm::raw_string_ostream os(type);
    os << op->getResult(0).getType();
    outs() << format("  %8.2f ms  %-14s %s\n", ops[i].ms,
                     op->getName().getStringRef().str().c_str(),
                     os.str().c_str());
  }
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Times the tpuc interpreter on a model\n");
  if (runs == 0)
    return tpuc::reportError(kTool, "--runs must be at least 1");

  mlir::MLIRContext ctx;
  tpuc::OneLineDiagnostics diagnostics(&ctx, kTool);
  auto module = tpuc::loadModule(ctx, modelPath);
  if (!module)
    return 1;
  auto arrays = tpuc::readNpz(inputPath);
  if (!arrays)
    return tpuc::reportError(kTool, toString(arrays.takeError()));
  tpuc::TensorMap inputs;
  for (auto &[name, array] : *arrays) {
    tpuc::Tensor tensor;
    tensor.shape.assign(array.shape.begin(), array.shape.end());
    tensor.data = array.toFloat();
    inputs.emplace(name, std::move(tensor));
  }
  // Creating the interpreter converts the weights; that is set-up, not run.
  auto interpreter = tpuc::Interpreter::create(*module);
  if (mlir::failed(interpreter))
    return 1;

  std::vector<double> times;
  double cpuStart = 0;
  for (unsigned i = 0; i < warmups + runs; ++i) {
    if (i == warmups)
      cpuStart = cpuMilliseconds();
    tpuc::TensorMap results;
    auto start = std::chrono::steady_clock::now();
    if (mlir::failed((*interpreter)->run(inputs, results)))
      return 1;
    auto end = std::chrono::steady_clock::now();
    if (i >= warmups)
      times.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
  }
  double cpuPerRun = (cpuMilliseconds() - cpuStart) / runs;
  if (profile)
    printProfile(**interpreter, inputs);

  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  outs() << format("median %.2f ms, min %.2f ms, max %.2f ms over %zu runs "
                   "(cpu %.2f ms per run)\n",
                   median, times.front(), times.back(), n, cpuPerRun);
  return 0;
}
