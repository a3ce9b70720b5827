//===- onnx-import.cpp - Imports an ONNX model into the Top dialect -------===//
//
//   tpuc-onnx-import model.onnx [-o model.mlir] [--weights weights.npz]
//                    [--input-shapes "[[1,3,224,224]]"] [--output-names a,b]
//                    [--model-name name]
//   tpuc-onnx-import --tensor input_0.pb -o input_0.npz
//
// Prints the TOP_F32 module (with tensor names as locations). With
// --weights the weights are written to that .npz and the module refers to
// it; without, they are inlined into the `top.Weight` ops. Nothing is
// written when the import fails. With --tensor the file is a serialized
// TensorProto (as in ONNX's test data), written as an .npz keyed by its name.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Frontend/OnnxImporter.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required);
static cl::opt<std::string> outputPath("o", cl::desc("Output .mlir file"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<std::string>
    weightsPath("weights",
                cl::desc("Write the weights to this .npz (else inline them)"),
                cl::value_desc("file"));
static cl::opt<std::string>
    inputShapes("input-shapes",
                cl::desc("Input shapes, e.g. [[1,3,224,224],[1,10]]"),
                cl::value_desc("shapes"));
static cl::opt<std::string>
    outputNames("output-names",
                cl::desc("Comma separated tensors to make the outputs"),
                cl::value_desc("names"));
static cl::opt<std::string> modelName("model-name",
                                      cl::desc("Module name (default: the "
                                               "file's stem)"),
                                      cl::value_desc("name"));

static cl::opt<bool>
    tensorMode("tensor",
               cl::desc("The input is a TensorProto; write it as an .npz"));

static constexpr StringLiteral kTool = "tpuc-onnx-import";

/// Parses `[[a,b],[c]]`, `[a,b]` or `a,b` into shapes.
static Expected<std::vector<std::vector<int64_t>>> parseShapes(StringRef text) {
  auto bad = [&]() {
    return createStringError(inconvertibleErrorCode(),
                             "invalid --input-shapes '%s'", text.str().c_str());
  };
  std::string compact;
  for (char c : text)
    if (!isSpace(c))
      compact += c;
  StringRef rest(compact);
  bool nested = rest.starts_with("[[");
  if (nested) {
    if (!rest.consume_front("[") || !rest.consume_back("]"))
      return bad();
  }
  std::vector<std::vector<int64_t>> shapes;
  while (!rest.empty()) {
    StringRef item = rest;
    if (rest.starts_with("[")) {
      size_t close = rest.find(']');
      if (close == StringRef::npos)
        return bad();
      item = rest.slice(1, close);
      rest = rest.drop_front(close + 1);
      if (!rest.empty() && !rest.consume_front(","))
        return bad();
    } else {
      if (nested)
        return bad();
      rest = StringRef();
    }
    std::vector<int64_t> shape;
    SmallVector<StringRef> dims;
    item.split(dims, ',', -1, /*KeepEmpty=*/false);
    for (StringRef dim : dims) {
      int64_t value;
      if (dim.getAsInteger(10, value) || value <= 0)
        return bad();
      shape.push_back(value);
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Imports an ONNX model into the Top dialect\n");

  if (tensorMode) {
    if (outputPath == "-")
      return tpuc::reportError(kTool, "--tensor needs -o file.npz");
    std::string name;
    auto array = tpuc::readTensorProtoFile(modelPath, name);
    if (!array)
      return tpuc::reportError(kTool, toString(array.takeError()));
    tpuc::NpzMap arrays;
    arrays[name.empty() ? "tensor" : name] = std::move(*array);
    if (Error err = tpuc::writeNpz(outputPath, arrays))
      return tpuc::reportError(kTool, toString(std::move(err)));
    return 0;
  }

  tpuc::OnnxImportOptions options;
  options.modelName = modelName;
  options.weightFileName = weightsPath;
  if (!inputShapes.empty()) {
    auto shapes = parseShapes(inputShapes);
    if (!shapes)
      return tpuc::reportError(kTool, toString(shapes.takeError()));
    options.inputShapes = std::move(*shapes);
  }
  SmallVector<StringRef> names;
  StringRef(outputNames).split(names, ',', -1, /*KeepEmpty=*/false);
  for (StringRef name : names)
    options.outputNames.push_back(name.trim().str());

  mlir::MLIRContext ctx;
  // Errors name the tensor and the ONNX node; the op's IR adds nothing.
  ctx.printOpOnDiagnostic(false);
  tpuc::OneLineDiagnostics diagnostics(&ctx, kTool);
  tpuc::NpzMap weights;
  auto module = tpuc::importOnnx(ctx, modelPath, options, weights);
  if (!module)
    return 1;

  std::string text;
  raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  flags.useLocalScope();
  module->print(os, flags);
  os << "\n";
  if (!weightsPath.empty())
    if (Error err = tpuc::writeNpz(weightsPath, weights))
      return tpuc::reportError(kTool, toString(std::move(err)));
  if (outputPath == "-") {
    outs() << text;
    return 0;
  }
  if (Error err = tpuc::writeFileAtomically(outputPath, text))
    return tpuc::reportError(kTool, toString(std::move(err)));
  return 0;
}
