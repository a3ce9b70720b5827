//===- NodeTest.cpp - One ONNX backend node test --------------------------===//

#include "NodeTest.h"

#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Frontend/OnnxImporter.h"
#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Support/ToolSupport.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace llvm;

namespace tpuc::conformance {

namespace {

Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

TestResult fail(const Twine &reason) {
  return {Verdict::Fail, reason.str(), {}, {}};
}

/// Collects the context's errors as single lines (notes folded in) instead
/// of printing them; warnings (e.g. input shape overrides) are dropped.
class ErrorCollector {
public:
  explicit ErrorCollector(mlir::MLIRContext &ctx)
      : handler_(&ctx, [this](mlir::Diagnostic &diag) {
          if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
            return mlir::success();
          std::string where = describeLocation(diag.getLocation());
          std::string text = (where.empty() ? "" : where + ": ") + diag.str();
          for (mlir::Diagnostic &note : diag.getNotes())
            text += " (" + note.str() + ")";
          std::replace(text.begin(), text.end(), '\n', ' ');
          errors_.push_back(std::move(text));
          return mlir::success();
        }) {}

  ArrayRef<std::string> errors() const { return errors_; }
  std::string first(StringRef fallback) const {
    return errors_.empty() ? fallback.str() : errors_.front();
  }

private:
  std::vector<std::string> errors_;
  mlir::ScopedDiagnosticHandler handler_;
};

/// The model op types the importer rejected as unsupported, read from its
/// "unsupported ONNX ops: A (node n); B with non-constant inputs (node m)"
/// error, which has one `; `-separated item per op type. Items that name op
/// variants (e.g. "Resize mode 'cubic' (node a), coordinate mode
/// 'tf_crop_and_resize' (node b)") are not op types and make the test fail
/// instead.
std::vector<std::string> unsupportedOpTypes(ArrayRef<std::string> errors,
                                            ArrayRef<std::string> opTypes) {
  static constexpr StringLiteral kPrefix = "unsupported ONNX ops: ";
  std::vector<std::string> found;
  for (StringRef error : errors) {
    size_t at = error.find(kPrefix);
    if (at == StringRef::npos)
      continue;
    SmallVector<StringRef> items;
    error.drop_front(at + kPrefix.size()).split(items, "; ");
    for (StringRef item : items) {
      StringRef what = item.split(" (node").first.trim();
      // Ops the importer only folds cannot run on the test's inputs.
      what.consume_back(" with non-constant inputs");
      if (llvm::is_contained(opTypes, what) && !llvm::is_contained(found, what))
        found.push_back(what.str());
    }
  }
  return found;
}

std::string shapeString(ArrayRef<int64_t> shape) {
  return "[" +
         join(map_range(shape, [](int64_t d) { return itostr(d); }), ",") + "]";
}

std::string formatValue(double value) {
  std::string text;
  raw_string_ostream os(text);
  os << format("%.7g", value);
  return text;
}

/// The index of flat element `flat` in `shape`, as "[i,j,k]".
std::string indexString(int64_t flat, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] <= 0)
      return "[" + itostr(flat) + "]";
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shapeString(index);
}

bool isFloatDType(DType type) {
  return type == DType::F32 || type == DType::F64 || type == DType::F16;
}

/// Reads `<dir>/<stem>_0.pb`, `<stem>_1.pb`, ... until one is missing.
Expected<std::vector<NpyArray>> readNumbered(StringRef dir, StringRef stem) {
  std::vector<NpyArray> arrays;
  for (unsigned i = 0;; ++i) {
    SmallString<256> path(dir);
    sys::path::append(path, stem + "_" + Twine(i) + ".pb");
    if (!sys::fs::exists(path))
      return arrays;
    std::string name;
    auto array = readTensorProtoFile(path, name);
    if (!array)
      return array.takeError();
    arrays.push_back(std::move(*array));
  }
}

bool hasDynamicShapes(mlir::ModuleOp module) {
  bool dynamic = false;
  module.walk([&](mlir::Operation *op) {
    for (mlir::Type type : op->getResultTypes())
      if (auto shaped = dyn_cast<mlir::ShapedType>(type))
        dynamic |= !shaped.hasStaticShape();
  });
  return dynamic;
}

/// Op types the importer rejects in this model: every op outside ai.onnx
/// (the only domain it reads), and those its unsupported-op error names when
/// the model is imported with its own input shapes. Found before the test
/// data is read, as data of unsupported kinds (sequences, strings) may not
/// be readable.
std::vector<std::string> findUnsupportedOps(StringRef modelPath,
                                            const ModelInfo &model) {
  std::vector<std::string> ops;
  for (const std::string &op : model.opTypes)
    if (StringRef(op).contains('.'))
      ops.push_back(op);
  if (!ops.empty())
    return ops;
  mlir::MLIRContext ctx;
  ctx.disableMultithreading();
  ErrorCollector errors(ctx);
  OnnxImportOptions options;
  options.weightFileName = "probe_weights.npz";
  NpzMap weights;
  if (!importOnnx(ctx, modelPath, options, weights))
    ops = unsupportedOpTypes(errors.errors(), model.opTypes);
  return ops;
}

/// Imports the model with the given input shapes; on failure sets `result`
/// to the reason.
mlir::OwningOpRef<mlir::ModuleOp>
importModel(mlir::MLIRContext &ctx, StringRef modelPath, const ModelInfo &model,
            std::vector<std::vector<int64_t>> shapes, TestResult &result) {
  ErrorCollector errors(ctx);
  OnnxImportOptions options;
  options.modelName = "conformance";
  options.inputShapes = std::move(shapes);
  // Never written: the weights stay in the store's memory.
  options.weightFileName = "conformance_weights.npz";
  NpzMap weights;
  auto module = importOnnx(ctx, modelPath, options, weights);
  if (!module) {
    std::vector<std::string> ops =
        unsupportedOpTypes(errors.errors(), model.opTypes);
    if (!ops.empty())
      result = {Verdict::Skip, "op " + join(ops, ", "), ops, {}};
    else
      result = fail("import: " + errors.first("failed without a message"));
    return nullptr;
  }
  top::WeightStore *store = top::getWeightStore(*module);
  if (!store && !weights.empty()) {
    result = fail("import: the module has weights but no weight file");
    return nullptr;
  }
  for (auto &[name, array] : weights)
    store->set(name, std::move(array));
  if (hasDynamicShapes(*module)) {
    mlir::PassManager pm(&ctx);
    pm.addPass(top::createShapeInferPass());
    if (mlir::failed(pm.run(*module))) {
      result = fail("shape inference: " + errors.first("failed"));
      return nullptr;
    }
  }
  return module;
}

/// The ONNX 1.12 test data stores bfloat16 tensors as uint16 bit patterns;
/// the model's declared type tells them apart.
void decodeBfloat16(NpyArray &array, int32_t declaredType) {
  if (declaredType != onnx::TensorProto::BFLOAT16 || array.dtype != DType::U16)
    return;
  std::vector<float> values(array.numel());
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t bits;
    std::memcpy(&bits, array.bytes.data() + 2 * i, 2);
    values[i] = bf16ToFloat(bits);
  }
  array = NpyArray::fromFloat(values, array.shape);
}

/// Writes a copy of the model in which the graph inputs from `firstFrozen`
/// on are initializers holding the data set's values, to `path`.
Error writeFrozenModel(StringRef modelPath, StringRef dataDir,
                       const ModelInfo &model, size_t firstFrozen,
                       StringRef path) {
  std::ifstream in(modelPath.str(), std::ios::binary);
  onnx::ModelProto proto;
  if (!in || !proto.ParseFromIstream(&in))
    return makeError(modelPath + ": cannot read the model");
  onnx::GraphProto *graph = proto.mutable_graph();
  for (size_t i = firstFrozen; i < model.inputNames.size(); ++i) {
    SmallString<256> pbPath(dataDir);
    sys::path::append(pbPath, "input_" + Twine(i) + ".pb");
    std::ifstream pb(pbPath.str().str(), std::ios::binary);
    onnx::TensorProto *tensor = graph->add_initializer();
    if (!pb || !tensor->ParseFromIstream(&pb))
      return makeError(pbPath + ": not a serialized ONNX TensorProto");
    tensor->set_name(model.inputNames[i]);
    if (model.inputTypes[i] == onnx::TensorProto::BFLOAT16 &&
        tensor->data_type() == onnx::TensorProto::UINT16)
      tensor->set_data_type(onnx::TensorProto::BFLOAT16);
  }
  std::ofstream out(path.str(), std::ios::binary);
  if (!out || !proto.SerializeToOstream(&out))
    return makeError(path + ": cannot write");
  return Error::success();
}

TestResult runDataSet(StringRef modelPath, const ModelInfo &model,
                      StringRef dataDir) {
  auto inputs = readNumbered(dataDir, "input");
  auto references = readNumbered(dataDir, "output");
  if (!inputs || !references)
    return fail("test data: " + toString(joinErrors(inputs.takeError(),
                                                    references.takeError())));
  if (inputs->size() != model.inputNames.size())
    return fail("the data set has " + Twine(inputs->size()) +
                " inputs but the model " + Twine(model.inputNames.size()));
  for (size_t i = 0; i < inputs->size(); ++i)
    decodeBfloat16((*inputs)[i], model.inputTypes[i]);
  for (size_t i = 0; i < references->size() && i < model.outputTypes.size();
       ++i)
    decodeBfloat16((*references)[i], model.outputTypes[i]);
  std::vector<std::vector<int64_t>> shapes;
  for (const NpyArray &input : *inputs)
    shapes.push_back(input.shape);

  mlir::MLIRContext ctx;
  ctx.disableMultithreading();
  TestResult result;
  std::vector<std::string> constantInputs;
  auto module = importModel(ctx, modelPath, model, shapes, result);
  // tpuc compiles for static shapes, so operands such as Reshape's shape or
  // Slice's starts must be constants, while the node tests feed them as graph
  // inputs. A test that does not import runs again with every input but the
  // first made an initializer holding the data set's value (what a deployed
  // model has); the second attempt's outcome is reported.
  if (!module && result.verdict == Verdict::Fail && shapes.size() > 1) {
    SmallString<128> frozenPath;
    if (std::error_code ec = sys::fs::createTemporaryFile("tpuc-conformance",
                                                          "onnx", frozenPath))
      return fail("cannot create a temporary file: " + ec.message());
    FileRemover remover(frozenPath);
    if (Error err = writeFrozenModel(modelPath, dataDir, model, 1, frozenPath))
      return fail(toString(std::move(err)));
    TestResult firstAttempt = result;
    module = importModel(ctx, frozenPath, model, {shapes.front()}, result);
    // Messages name the model file: the original, not the copy.
    for (size_t at;
         (at = result.reason.find(frozenPath.str())) != std::string::npos;)
      result.reason.replace(at, frozenPath.size(), modelPath.str());
    if (module || result.reason != firstAttempt.reason) {
      constantInputs.assign(model.inputNames.begin() + 1,
                            model.inputNames.end());
      result.constantInputs = constantInputs;
    } else {
      // Constants made no difference: report the model as it is.
      result = firstAttempt;
    }
  }
  if (!module)
    return result;

  ErrorCollector errors(ctx);
  auto interpreter = Interpreter::create(*module);
  auto failWith = [&](const Twine &reason) {
    TestResult failed = fail(reason);
    failed.constantInputs = constantInputs;
    return failed;
  };
  if (mlir::failed(interpreter))
    return failWith("interpreter: " + errors.first("cannot run the module"));
  TensorMap feeds;
  for (const std::string &name : (*interpreter)->getInputNames()) {
    auto it = llvm::find(model.inputNames, name);
    if (it == model.inputNames.end())
      return failWith("the module's input '" + name +
                      "' is not a graph input of the model");
    const NpyArray &array = (*inputs)[it - model.inputNames.begin()];
    feeds.emplace(name, tensorFromArray(array));
  }
  TensorMap outputs;
  if (mlir::failed((*interpreter)->run(feeds, outputs)))
    return failWith("run: " + errors.first("failed without a message"));

  ArrayRef<std::string> ourNames = (*interpreter)->getOutputNames();
  if (ourNames.size() != references->size())
    return failWith("the module has " + Twine(ourNames.size()) +
                    " outputs but the data set " + Twine(references->size()));
  for (size_t i = 0; i < ourNames.size(); ++i) {
    auto found = outputs.find(ourNames[i]);
    if (found == outputs.end())
      return failWith("run: no result for output '" + ourNames[i] + "'");
    std::string name =
        i < model.outputNames.size() ? model.outputNames[i] : ourNames[i];
    if (auto mismatch = compareOutput(name, (*references)[i], found->second))
      return failWith(*mismatch);
  }
  return {Verdict::Pass, "", {}, constantInputs};
}

} // namespace

Expected<ModelInfo> readModelInfo(StringRef modelPath) {
  std::ifstream file(modelPath.str(), std::ios::binary);
  if (!file)
    return makeError(modelPath + ": cannot open");
  onnx::ModelProto proto;
  if (!proto.ParseFromIstream(&file))
    return makeError(modelPath + ": not a serialized ONNX model");
  const onnx::GraphProto &graph = proto.graph();
  ModelInfo info;
  for (const onnx::NodeProto &node : graph.node()) {
    std::string type = node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      type = node.domain() + "." + type;
    if (!llvm::is_contained(info.opTypes, type))
      info.opTypes.push_back(type);
  }
  StringSet<> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue;
    info.inputNames.push_back(input.name());
    info.inputTypes.push_back(input.type().tensor_type().elem_type());
  }
  for (const onnx::ValueInfoProto &output : graph.output()) {
    info.outputNames.push_back(output.name());
    info.outputTypes.push_back(output.type().tensor_type().elem_type());
  }
  return info;
}

TestResult runNodeTest(StringRef testDir, const ModelInfo &model) {
  SmallString<256> modelPath(testDir);
  sys::path::append(modelPath, "model.onnx");
  std::vector<std::string> dataSets;
  std::error_code ec;
  for (sys::fs::directory_iterator it(testDir, ec), end; it != end && !ec;
       it.increment(ec))
    if (sys::path::filename(it->path()).starts_with("test_data_set_"))
      dataSets.push_back(it->path());
  if (ec)
    return fail("cannot list " + testDir + ": " + ec.message());
  if (dataSets.empty())
    return fail("no test_data_set_* directory");
  llvm::sort(dataSets);
  std::vector<std::string> unsupported = findUnsupportedOps(modelPath, model);
  if (!unsupported.empty())
    return {Verdict::Skip, "op " + join(unsupported, ", "), unsupported, {}};
  std::vector<std::string> constantInputs;
  for (const std::string &dataSet : dataSets) {
    TestResult result = runDataSet(modelPath, model, dataSet);
    if (result.verdict == Verdict::Pass) {
      constantInputs = result.constantInputs;
      continue;
    }
    if (result.verdict == Verdict::Fail && dataSets.size() > 1)
      result.reason = sys::path::filename(dataSet).str() + ": " + result.reason;
    return result;
  }
  return {Verdict::Pass, "", {}, constantInputs};
}

std::optional<std::string>
compareOutput(StringRef name, const NpyArray &reference, const Tensor &got) {
  std::vector<float> expected = reference.toFloat();
  if (static_cast<int64_t>(expected.size()) != got.numel())
    return ("output '" + name + "' has " + Twine(got.numel()) + " elements " +
            shapeString(got.shape) + ", expected " + Twine(expected.size()) +
            " " + shapeString(reference.shape))
        .str();
  bool exact = !isFloatDType(reference.dtype);
  int64_t mismatches = 0;
  int64_t worst = -1;
  double worstExcess = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    double want = expected[i];
    double have = got.data[i];
    double excess = 0; // How far beyond the tolerance; 0 = within.
    if (std::isnan(want) || std::isnan(have)) {
      if (std::isnan(want) != std::isnan(have))
        excess = std::numeric_limits<double>::infinity();
    } else if (exact || std::isinf(want) || std::isinf(have)) {
      if (want != have)
        excess = std::numeric_limits<double>::infinity();
    } else {
      double tolerance = kAbsTol + kRelTol * std::fabs(want);
      double diff = std::fabs(have - want);
      if (diff > tolerance)
        excess = diff / tolerance;
    }
    if (excess == 0)
      continue;
    ++mismatches;
    if (worst < 0 || excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (mismatches == 0)
    return std::nullopt;
  double want = expected[worst];
  std::string bound =
      exact ? "exact"
            : "tolerance " + formatValue(kAbsTol + kRelTol * std::fabs(want));
  return ("output '" + name + "': " + Twine(mismatches) + " of " +
          Twine(expected.size()) + " elements differ; worst at " +
          indexString(worst, reference.shape) + ": got " +
          formatValue(got.data[worst]) + ", expected " + formatValue(want) +
          " (" + bound + ")")
      .str();
}

} // namespace tpuc::conformance
