//===- interp_bench.cpp - Times the interpreter on one model --------------===//
//
//   tpuc-interp-bench --model m.mlir --input in.npz [--runs N] [--warmup N]
//
// Loads the module and its weights once, then times Interpreter::run alone
// (no process start-up, parsing or weight loading) and prints the median,
// minimum and maximum wall time in milliseconds. The thread count is
// OpenMP's (OMP_NUM_THREADS).
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

#include <algorithm>
#include <chrono>
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

static constexpr StringLiteral kTool = "tpuc-interp-bench";

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
  for (unsigned i = 0; i < warmups + runs; ++i) {
    tpuc::TensorMap results;
    auto start = std::chrono::steady_clock::now();
    if (mlir::failed((*interpreter)->run(inputs, results)))
      return 1;
    auto end = std::chrono::steady_clock::now();
    if (i >= warmups)
      times.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  outs() << format("median %.2f ms, min %.2f ms, max %.2f ms over %zu runs\n",
                   median, times.front(), times.back(), n);
  return 0;
}
