//===- model_runner.cpp - Runs a model on an input .npz -------------------===//
//
//   model_runner --input in.npz --model m.mlir --output out.npz
//                [--dump_all_tensors]
//
// Executes the module with the interpreter (float reference for Top ops,
// chip-exact arithmetic for Tpu ops) and writes its outputs, or every named
// tensor, as float32 arrays. Quantized tensors are written as the real
// values they stand for; a quantized input (after --quant_input) takes int8
// or uint8 arrays as stored codes and float arrays as real values.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Interpreter/RealValues.h"
#include "tpuc/Support/Npz.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

using namespace llvm;

static cl::OptionCategory category("model_runner options");
static cl::opt<std::string> modelPath("model", cl::desc("Model .mlir file"),
                                      cl::value_desc("file"),
                                      cl::cat(category));
static cl::opt<std::string> inputPath("input", cl::desc("Input .npz file"),
                                      cl::value_desc("file"),
                                      cl::cat(category));
static cl::opt<std::string> outputPath("output", cl::desc("Output .npz file"),
                                       cl::value_desc("file"),
                                       cl::cat(category));
static cl::opt<bool> dumpAll("dump_all_tensors",
                             cl::desc("Write every named tensor, not only "
                                      "the model outputs"),
                             cl::cat(category));

static constexpr StringLiteral kTool = "model_runner";

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (!tpuc::parseToolCommandLine(
          argc, argv, kTool, "Runs a tpuc model on the tensors of an .npz\n",
          category))
    return 1;
  for (const cl::opt<std::string> *flag : {&modelPath, &inputPath, &outputPath})
    if (flag->empty())
      return tpuc::reportError(kTool, "--" + flag->ArgStr + " is required");

  mlir::MLIRContext ctx;
  tpuc::OneLineDiagnostics diagnostics(&ctx, kTool);
  auto module = tpuc::loadModule(ctx, modelPath);
  if (!module)
    return 1;

  auto arrays = tpuc::readNpz(inputPath);
  if (!arrays)
    return tpuc::reportError(kTool, toString(arrays.takeError()));
  auto interpreter = tpuc::Interpreter::create(*module);
  if (mlir::failed(interpreter))
    return 1;
  llvm::StringMap<mlir::Type> inputTypes;
  (*interpreter)->getFunction().walk([&](tpuc::top::InputOp op) {
    inputTypes[tpuc::top::getOpName(op)] = op.getOutput().getType();
  });
  tpuc::TensorMap inputs;
  for (auto &[name, array] : *arrays) {
    tpuc::Tensor tensor = tpuc::tensorFromArray(array);
    bool isCodes =
        array.dtype == tpuc::DType::I8 || array.dtype == tpuc::DType::U8;
    auto type = inputTypes.find(name);
    if (!isCodes && type != inputTypes.end())
      tensor = tpuc::toStoredValues(type->second, tensor);
    inputs.emplace(name, std::move(tensor));
  }
  tpuc::TensorMap results;
  if (mlir::failed((*interpreter)->run(inputs, results, dumpAll)))
    return 1;
  tpuc::toRealValues((*interpreter)->getFunction(), results);

  tpuc::NpzMap out;
  for (auto &[name, tensor] : results)
    out[name] = tpuc::NpyArray::fromFloat(tensor.data, tensor.shape);
  if (Error err = tpuc::writeNpz(outputPath, out))
    return tpuc::reportError(kTool, toString(std::move(err)));
  return 0;
}
