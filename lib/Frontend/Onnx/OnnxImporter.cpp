//===- OnnxImporter.cpp - ONNX graphs to TOP_F32 modules ------------------===//
//
// The import runs in stages so that every problem is reported before
// anything is returned:
//   1. load the file and pick the output tensors (cut at outputNames);
//   2. keep only the nodes those outputs depend on and check their op types
//      and the attribute values that need no shapes;
//   3. create one `top.Input` per real graph input, with static shapes;
//   4. visit the nodes in order: fold those whose inputs are constants,
//      convert the others to Top ops (each op's shape is inferred as soon as
//      it is built, so Shape nodes downstream fold too);
//   5. collect unsupported ops and attribute values into one error.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <deque>

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

/// The state of one import: the tensors known so far by ONNX name, the
/// module being built and the problems found.
class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, OnnxModel &model,
                const OnnxImportOptions &options, NpzMap &weights)
      : ctx_(ctx), model_(model), options_(options), weights_(weights),
        builder_(&ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  friend class NodeContext;

  struct TensorEntry {
    Value value;
    ConstTensorPtr constant;
    const onnx::TensorProto *initializer = nullptr;
    /// Produced by a node that could not be converted.
    bool poisoned = false;
    /// ONNX element type of a value that is not a constant (0 = unknown).
    int32_t dataType = 0;
  };

  LogicalResult selectOutputs();
  void collectNeededNodes();
  void checkOpTypes();
  LogicalResult loadInitializers();
  LogicalResult createFunction();
  LogicalResult convertNodes();
  LogicalResult convertNode(const onnx::NodeProto &node);
  LogicalResult createReturn();
  LogicalResult reportUnsupported();

  /// Records that node `node` (of type `opType`) uses `what`, an op type
  /// or an op type followed by an attribute value, that tpuc cannot import.
  void recordUnsupported(const std::string &opType, const std::string &what,
                         const std::string &node);
  bool nodeInputsReady(const onnx::NodeProto &node) const;
  LogicalResult preprocessAttrs(StringRef inputName, ArrayRef<int64_t> shape,
                                NamedAttrList &attrs);

  ArrayRef<int64_t> shapeOf(const TensorEntry &entry) const;
  int32_t dataTypeOf(StringRef name);
  int32_t inferDataType(const onnx::NodeProto &node, int output);
  Value materialize(StringRef name, TensorEntry &entry);
  Value createWeight(StringRef name, ArrayRef<int64_t> shape,
                     std::vector<float> data);
  std::string uniqueName(StringRef base);
  void claimName(StringRef name) { assigned_.insert(name); }

  MLIRContext &ctx_;
  OnnxModel &model_;
  const OnnxImportOptions &options_;
  NpzMap &weights_;
  OpBuilder builder_;
  ConverterMap converters_;

  OwningOpRef<ModuleOp> module_;
  func::FuncOp func_;
  Value none_;

  llvm::StringMap<TensorEntry> tensors_;
  /// Element types the model declares (graph inputs and outputs,
  /// value_info).
  llvm::StringMap<int32_t> declaredTypes_;
  std::vector<std::string> outputNames_;
  llvm::StringMap<int> producer_;
  std::vector<bool> needed_;
  llvm::StringSet<> usedTensors_;
  llvm::StringSet<> reserved_;
  llvm::StringSet<> assigned_;
  llvm::DenseMap<const ConstTensor *, Value> weightOf_;

  struct Unsupported {
    std::string opType, what;
    std::vector<std::string> nodes;
  };
  std::vector<Unsupported> unsupported_;
  llvm::StringMap<size_t> unsupportedIndex_;
  /// Nodes whose attributes an AttributeCheck rejected.
  llvm::SmallPtrSet<const onnx::NodeProto *, 4> rejected_;
  const onnx::NodeProto *currentNode_ = nullptr;
};

namespace {

/// Ops the folder evaluates; they never reach a converter when their inputs
/// are constants.
bool isFoldOnlyOp(StringRef op) {
  return llvm::is_contained({"Shape", "Size", "Constant", "ConstantOfShape",
                             "Range", "Mod", "Floor", "Ceil", "Round", "Sign"},
                            op);
}

std::string nodeLabel(const onnx::NodeProto &node) {
  if (!node.name().empty())
    return node.name();
  for (const std::string &out : node.output())
    if (!out.empty())
      return out;
  return node.op_type();
}

bool isDefaultDomain(const onnx::NodeProto &node) {
  return node.domain().empty() || node.domain() == "ai.onnx";
}

/// Element type of a network input: floats become f32 and integers i32 (as
/// in tpu-mlir), bools i1.
Type inputElementType(MLIRContext *ctx, int32_t dataType) {
  if (dataType == onnx::TensorProto::BOOL)
    return IntegerType::get(ctx, 1);
  if (dataType == 0 || isFloatDataType(dataType))
    return Float32Type::get(ctx);
  return IntegerType::get(ctx, 32);
}

} // namespace

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::selectOutputs() {
  const onnx::GraphProto &graph = model_.graph();
  auto declare = [&](const onnx::ValueInfoProto &info) {
    if (int32_t type = info.type().tensor_type().elem_type())
      declaredTypes_[info.name()] = type;
  };
  llvm::for_each(graph.input(), declare);
  llvm::for_each(graph.output(), declare);
  llvm::for_each(graph.value_info(), declare);
  for (const auto &init : graph.initializer()) {
    tensors_[init.name()].initializer = &init;
    reserved_.insert(init.name());
  }
  for (const auto &input : graph.input())
    reserved_.insert(input.name());
  for (int i = 0; i < graph.node_size(); ++i)
    for (const std::string &out : graph.node(i).output())
      if (!out.empty()) {
        producer_[out] = i;
        reserved_.insert(out);
      }

  if (options_.outputNames.empty()) {
    for (const auto &out : graph.output())
      outputNames_.push_back(out.name());
  } else {
    outputNames_ = options_.outputNames;
  }
  std::vector<std::string> unknown;
  for (const std::string &name : outputNames_)
    if (!reserved_.contains(name))
      unknown.push_back("'" + name + "'");
  if (!unknown.empty())
    return emitError(UnknownLoc::get(&ctx_))
           << model_.path << ": unknown output tensor"
           << (unknown.size() > 1 ? "s " : " ") << llvm::join(unknown, ", ");
  if (outputNames_.empty())
    return emitError(UnknownLoc::get(&ctx_))
           << model_.path << ": the graph has no outputs";
  return success();
}

void GraphImporter::collectNeededNodes() {
  const onnx::GraphProto &graph = model_.graph();
  needed_.assign(graph.node_size(), false);
  std::deque<std::string> work(outputNames_.begin(), outputNames_.end());
  for (const std::string &name : outputNames_)
    usedTensors_.insert(name);
  while (!work.empty()) {
    std::string name = std::move(work.front());
    work.pop_front();
    auto it = producer_.find(name);
    if (it == producer_.end() || needed_[it->second])
      continue;
    needed_[it->second] = true;
    for (const std::string &in : graph.node(it->second).input()) {
      if (in.empty())
        continue;
      usedTensors_.insert(in);
      work.push_back(in);
    }
  }
}

void GraphImporter::checkOpTypes() {
  const onnx::GraphProto &graph = model_.graph();
  for (int i = 0; i < graph.node_size(); ++i) {
    if (!needed_[i])
      continue;
    const onnx::NodeProto &node = graph.node(i);
    if (!isDefaultDomain(node)) {
      std::string type = node.domain() + "." + node.op_type();
      recordUnsupported(type, type, nodeLabel(node));
      continue;
    }
    auto converter = converters_.find(node.op_type());
    if (converter == converters_.end()) {
      if (!isFoldOnlyOp(node.op_type()))
        recordUnsupported(node.op_type(), node.op_type(), nodeLabel(node));
      continue;
    }
    if (AttributeCheck check = converter->second.check)
      if (std::optional<std::string> problem =
              check(NodeAttributes(node), node.op_type(), model_.opset)) {
        recordUnsupported(node.op_type(), *problem, nodeLabel(node));
        rejected_.insert(&node);
      }
  }
}

LogicalResult GraphImporter::loadInitializers() {
  for (auto &entry : tensors_) {
    TensorEntry &tensor = entry.getValue();
    if (!tensor.initializer || !usedTensors_.contains(entry.getKey()))
      continue;
    auto value = tensorFromProto(*tensor.initializer, model_.baseDir);
    if (!value)
      return emitError(UnknownLoc::get(&ctx_))
             << model_.path << ": " << llvm::toString(value.takeError());
    tensor.constant = std::make_shared<const ConstTensor>(std::move(*value));
  }
  return success();
}

LogicalResult GraphImporter::preprocessAttrs(StringRef inputName,
                                             ArrayRef<int64_t> shape,
                                             NamedAttrList &attrs) {
  if (!options_.preprocess)
    return success();
  const InputPreprocess &pre = *options_.preprocess;
  // Only image-like inputs: 4-D with at most 4 channels.
  if (pre.channelFormat == "none" || shape.size() != 4)
    return success();
  int64_t channels = pre.channelFormat == "nhwc" ? shape[3] : shape[1];
  if (channels > 4)
    return success();
  auto perChannel = [&](const std::vector<double> &values,
                        double fill) -> std::optional<std::vector<double>> {
    if (values.empty())
      return std::vector<double>(channels, fill);
    if (values.size() == 1)
      return std::vector<double>(channels, values[0]);
    if (static_cast<int64_t>(values.size()) == channels)
      return values;
    return std::nullopt;
  };
  auto mean = perChannel(pre.mean, 0.0);
  auto scale = perChannel(pre.scale, 1.0);
  if (!mean || !scale)
    return emitError(UnknownLoc::get(&ctx_))
           << "input '" << inputName << "' has " << channels
           << " channels but the preprocessing gives "
           << (mean ? pre.scale.size() : pre.mean.size()) << " "
           << (mean ? "scale" : "mean") << " values";
  attrs.append("pixel_format", builder_.getStringAttr(pre.pixelFormat));
  attrs.append("channel_format", builder_.getStringAttr(pre.channelFormat));
  if (!pre.resizeDims.empty())
    attrs.append("resize_dims", builder_.getDenseI64ArrayAttr(pre.resizeDims));
  if (pre.keepAspectRatio)
    attrs.append("keep_aspect_ratio", builder_.getBoolAttr(true));
  if (pre.padValue != 0)
    attrs.append("pad_value", builder_.getI64IntegerAttr(pre.padValue));
  attrs.append("mean", builder_.getDenseF64ArrayAttr(*mean));
  attrs.append("scale", builder_.getDenseF64ArrayAttr(*scale));
  return success();
}

LogicalResult GraphImporter::createFunction() {
  const onnx::GraphProto &graph = model_.graph();
  Location fileLoc = FileLineColLoc::get(&ctx_, model_.path, 0, 0);
  std::string name = options_.modelName;
  if (name.empty())
    name = llvm::sys::path::stem(model_.path).str();
  module_ = ModuleOp::create(fileLoc, name);
  ModuleOp module = *module_;
  module->setAttr(top::TopDialect::kStateAttr,
                  builder_.getStringAttr("TOP_F32"));
  module->setAttr(top::TopDialect::kChipAttr, builder_.getStringAttr("ALL"));
  module->setAttr(top::TopDialect::kPlatformAttr,
                  builder_.getStringAttr("ONNX"));
  if (!options_.weightFileName.empty())
    module->setAttr(top::TopDialect::kWeightFileAttr,
                    builder_.getStringAttr(options_.weightFileName));

  // Real inputs: graph inputs that are not initializers (IR < 4 lists the
  // initializers among the inputs).
  struct RealInput {
    const onnx::ValueInfoProto *info;
    std::vector<int64_t> shape;
    Type elementType;
    /// Some dims (or the rank) are unknown.
    bool dynamic;
  };
  std::vector<RealInput> inputs;
  size_t realIndex = 0;
  for (const auto &input : graph.input()) {
    auto found = tensors_.find(input.name());
    if (found != tensors_.end() && found->second.initializer)
      continue;
    const auto &tensorType = input.type().tensor_type();
    std::vector<int64_t> shape;
    bool dynamic = !tensorType.has_shape();
    for (const auto &dim : tensorType.shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        shape.push_back(dim.dim_value());
      } else {
        shape.push_back(ShapedType::kDynamic);
        dynamic = true;
      }
    }
    if (realIndex < options_.inputShapes.size()) {
      const std::vector<int64_t> &given = options_.inputShapes[realIndex];
      if (input.type().tensor_type().has_shape() &&
          given.size() != shape.size())
        return emitError(UnknownLoc::get(&ctx_))
               << "input '" << input.name() << "' has rank " << shape.size()
               << " but the given shape " << top::shapeToString(given)
               << " has rank " << given.size();
      for (size_t d = 0; d < shape.size(); ++d)
        if (!ShapedType::isDynamic(shape[d]) && shape[d] != given[d])
          emitWarning(UnknownLoc::get(&ctx_))
              << "input '" << input.name() << "': the given shape "
              << top::shapeToString(given) << " overrides the model's "
              << top::shapeToString(shape);
      for (int64_t d : given)
        if (d <= 0)
          return emitError(UnknownLoc::get(&ctx_))
                 << "input '" << input.name() << "': invalid shape "
                 << top::shapeToString(given);
      shape = given;
      dynamic = false;
    }
    ++realIndex;
    inputs.push_back({&input, shape,
                      inputElementType(&ctx_, tensorType.elem_type()),
                      dynamic});
  }
  if (options_.inputShapes.size() > realIndex)
    return emitError(UnknownLoc::get(&ctx_))
           << options_.inputShapes.size() << " input shapes given but the "
           << "model has " << realIndex << " inputs";

  // A cut graph only keeps the inputs its outputs depend on.
  if (!options_.outputNames.empty())
    llvm::erase_if(inputs, [&](const RealInput &input) {
      return !usedTensors_.contains(input.info->name());
    });
  for (const RealInput &input : inputs)
    if (input.dynamic)
      return emitError(UnknownLoc::get(&ctx_))
             << "input '" << input.info->name() << "' has dynamic shape "
             << (input.info->type().tensor_type().has_shape()
                     ? top::shapeToString(input.shape)
                     : std::string("(unknown rank)"))
             << "; give its static shape in the input shapes";

  SmallVector<Type> argTypes;
  for (const RealInput &input : inputs)
    argTypes.push_back(RankedTensorType::get(input.shape, input.elementType));
  builder_.setInsertionPointToEnd(module.getBody());
  func_ = builder_.create<func::FuncOp>(fileLoc, "main",
                                        builder_.getFunctionType(argTypes, {}));
  Block *body = func_.addEntryBlock();
  builder_.setInsertionPointToEnd(body);
  for (auto [input, arg] : llvm::zip_equal(inputs, body->getArguments())) {
    StringRef name = input.info->name();
    NamedAttrList attrs;
    if (failed(preprocessAttrs(name, input.shape, attrs)))
      return failure();
    auto op = builder_.create<top::InputOp>(top::makeNameLoc(&ctx_, name),
                                            TypeRange{arg.getType()},
                                            ValueRange{arg}, attrs.getAttrs());
    claimName(name);
    tensors_[name].value = op.getOutput();
    tensors_[name].dataType = input.info->type().tensor_type().elem_type();
  }
  return success();
}

bool GraphImporter::nodeInputsReady(const onnx::NodeProto &node) const {
  for (const std::string &in : node.input()) {
    if (in.empty())
      continue;
    auto it = tensors_.find(in);
    if (it == tensors_.end())
      return false;
    const TensorEntry &e = it->second;
    if (!e.value && !e.constant && !e.poisoned)
      return false;
  }
  return true;
}

LogicalResult GraphImporter::convertNodes() {
  const onnx::GraphProto &graph = model_.graph();
  std::vector<int> pending;
  for (int i = 0; i < graph.node_size(); ++i)
    if (needed_[i])
      pending.push_back(i);
  // ONNX requires topological order; a few exporters break it, so nodes
  // whose inputs are not ready yet are retried after the others.
  while (!pending.empty()) {
    std::vector<int> deferred;
    for (int i : pending) {
      const onnx::NodeProto &node = graph.node(i);
      if (!nodeInputsReady(node)) {
        deferred.push_back(i);
        continue;
      }
      if (failed(convertNode(node)))
        return failure();
    }
    if (deferred.size() == pending.size()) {
      const onnx::NodeProto &node = graph.node(deferred.front());
      std::string missing;
      for (const std::string &in : node.input()) {
        auto it = tensors_.find(in);
        if (!in.empty() && (it == tensors_.end() ||
                            (!it->second.value && !it->second.constant &&
                             !it->second.poisoned)))
          missing = in;
      }
      return emitError(UnknownLoc::get(&ctx_))
             << model_.path << ": node '" << nodeLabel(node)
             << "' reads tensor '" << missing
             << "', which no node, input or initializer provides";
    }
    pending = std::move(deferred);
  }
  return success();
}

LogicalResult GraphImporter::convertNode(const onnx::NodeProto &node) {
  currentNode_ = &node;
  auto poison = [&]() {
    for (const std::string &out : node.output())
      if (!out.empty())
        tensors_[out].poisoned = true;
  };
  bool inputPoisoned = llvm::any_of(node.input(), [&](const std::string &in) {
    return !in.empty() && tensors_[in].poisoned;
  });
  if (inputPoisoned || unsupportedIndex_.count(node.op_type()) ||
      rejected_.contains(&node) || !isDefaultDomain(node)) {
    poison();
    return success();
  }

  // Fold when the inputs are known.
  std::vector<FoldInput> foldInputs;
  for (const std::string &in : node.input()) {
    FoldInput input;
    if (!in.empty()) {
      TensorEntry &entry = tensors_[in];
      input.present = true;
      input.value = entry.constant.get();
      input.shape = shapeOf(entry);
    }
    foldInputs.push_back(input);
  }
  std::vector<ConstTensor> folded;
  auto didFold =
      foldNode(node, model_.opset, model_.baseDir, foldInputs, folded);
  if (!didFold) {
    std::string name = node.output_size() ? node.output(0) : node.name();
    return emitError(top::makeNameLoc(&ctx_, name))
           << llvm::toString(didFold.takeError());
  }
  if (*didFold) {
    for (size_t i = 0; i < folded.size() && i < (size_t)node.output_size(); ++i)
      if (!node.output(i).empty())
        tensors_[node.output(i)].constant =
            std::make_shared<const ConstTensor>(std::move(folded[i]));
    return success();
  }

  auto converter = converters_.find(node.op_type());
  NodeContext context(*this, node, model_.opset);
  if (converter == converters_.end()) {
    // A fold-only op whose inputs are computed at run time.
    (void)context.unsupported(node.op_type() + " with non-constant inputs");
    poison();
    return success();
  }
  if (failed(converter->second.convert(context))) {
    if (!context.reportedUnsupported())
      return failure();
    poison();
    return success();
  }
  for (int i = 0; i < node.output_size(); ++i) {
    const std::string &out = node.output(i);
    if (out.empty())
      continue;
    if (!tensors_[out].constant)
      tensors_[out].dataType = inferDataType(node, i);
    if (!usedTensors_.contains(out))
      continue;
    const TensorEntry &entry = tensors_[out];
    if (!entry.value && !entry.constant) {
      (void)context.unsupported(node.op_type() + " output " +
                                std::to_string(i));
      poison();
      return success();
    }
  }
  return success();
}

LogicalResult GraphImporter::createReturn() {
  SmallVector<Value> results;
  llvm::StringSet<> outputSet;
  for (const std::string &name : outputNames_)
    outputSet.insert(name);
  for (const std::string &name : outputNames_) {
    TensorEntry &entry = tensors_[name];
    if (entry.poisoned)
      return failure();
    Value value = entry.value;
    if (!value && entry.constant)
      value = materialize(name, entry);
    if (!value)
      return emitError(UnknownLoc::get(&ctx_))
             << "output '" << name << "' was not computed";
    // An output passed through Identity-like nodes carries its producer's
    // name. Outputs keep their ONNX names: rename the producer, or copy
    // (with a same-shape Reshape) an input, a weight, a result of a
    // multi-result op or another output.
    Operation *def = value.getDefiningOp();
    std::string current = top::getTensorName(value);
    if (current != name) {
      if (def && def->getNumResults() == 1 &&
          !isa<top::InputOp, top::WeightOp>(def) &&
          !outputSet.contains(current)) {
        def->setLoc(top::makeNameLoc(&ctx_, name));
      } else {
        auto type = cast<RankedTensorType>(value.getType());
        value = builder_.create<top::ReshapeOp>(
            top::makeNameLoc(&ctx_, name), type, value,
            builder_.getDenseI64ArrayAttr(type.getShape()));
      }
      claimName(name);
    }
    results.push_back(value);
  }
  builder_.create<func::ReturnOp>(func_.getLoc(), results);
  func_.setFunctionType(builder_.getFunctionType(
      func_.getArgumentTypes(), ValueRange(results).getTypes()));
  return success();
}

void GraphImporter::recordUnsupported(const std::string &opType,
                                      const std::string &what,
                                      const std::string &node) {
  auto [it, inserted] =
      unsupportedIndex_.try_emplace(what, unsupported_.size());
  if (inserted)
    unsupported_.push_back({opType, what, {}});
  unsupported_[it->second].nodes.push_back(node);
}

/// One error for the whole model: each op type once, in the order first
/// met, with every unsupported use and the nodes that have it, e.g.
/// "TopK (nodes a, b); Resize mode 'cubic' (node c), coordinate mode
/// 'tf_crop_and_resize' (node d)".
LogicalResult GraphImporter::reportUnsupported() {
  if (unsupported_.empty())
    return success();
  std::vector<std::string> opTypes;
  for (const Unsupported &entry : unsupported_)
    if (!llvm::is_contained(opTypes, entry.opType))
      opTypes.push_back(entry.opType);
  std::vector<std::string> groups;
  for (const std::string &opType : opTypes) {
    std::vector<std::string> uses;
    for (const Unsupported &entry : unsupported_) {
      if (entry.opType != opType)
        continue;
      // The op type is said once, before its first use.
      StringRef what = entry.what;
      if (!uses.empty() && what.starts_with(opType + " "))
        what = what.drop_front(opType.size() + 1);
      uses.push_back((what + " (node" + (entry.nodes.size() > 1 ? "s " : " ") +
                      llvm::join(entry.nodes, ", ") + ")")
                         .str());
    }
    groups.push_back(llvm::join(uses, ", "));
  }
  emitError(UnknownLoc::get(&ctx_))
      << "unsupported ONNX ops: " << llvm::join(groups, "; ");
  return failure();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  ctx_.getOrLoadDialect<top::TopDialect>();
  ctx_.getOrLoadDialect<func::FuncDialect>();
  addNNConverters(converters_);
  addElementwiseConverters(converters_);
  addShapeConverters(converters_);
  addResizeConverters(converters_);

  // Errors inside a node name it.
  ScopedDiagnosticHandler nodeNotes(&ctx_, [&](Diagnostic &diag) {
    if (currentNode_ && diag.getSeverity() == DiagnosticSeverity::Error)
      diag.attachNote() << "in ONNX node '" << nodeLabel(*currentNode_) << "' ("
                        << currentNode_->op_type() << ")";
    return failure();
  });

  if (failed(selectOutputs()))
    return nullptr;
  collectNeededNodes();
  checkOpTypes();
  if (failed(loadInitializers()) || failed(createFunction())) {
    (void)reportUnsupported();
    return nullptr;
  }
  LogicalResult converted = convertNodes();
  currentNode_ = nullptr;
  if (failed(reportUnsupported()) || failed(converted) ||
      failed(createReturn()))
    return nullptr;
  if (failed(verify(*module_)))
    return nullptr;
  return std::move(module_);
}

//===----------------------------------------------------------------------===//
// Tensors and weights
//===----------------------------------------------------------------------===//

ArrayRef<int64_t> GraphImporter::shapeOf(const TensorEntry &entry) const {
  if (entry.constant)
    return entry.constant->shape;
  if (entry.value)
    return top::getShape(entry.value);
  return {};
}

int32_t GraphImporter::dataTypeOf(StringRef name) {
  auto it = tensors_.find(name);
  if (it == tensors_.end())
    return 0;
  if (it->second.constant)
    return it->second.constant->dataType;
  return it->second.dataType;
}

/// The element type of output `output` of a converted node: the model's
/// declaration when it has one, else what the ONNX op definition gives for
/// the input types (most ops keep their first input's type).
int32_t GraphImporter::inferDataType(const onnx::NodeProto &node, int output) {
  auto declared = declaredTypes_.find(node.output(output));
  if (declared != declaredTypes_.end())
    return declared->second;
  auto input = [&](int index) -> int32_t {
    return index < node.input_size() ? dataTypeOf(node.input(index)) : 0;
  };
  StringRef op = node.op_type();
  if (op == "Cast")
    return NodeAttributes(node).getInt("to", 0);
  if (op == "CastLike" || op == "Where")
    return input(1);
  if (llvm::is_contained({"Equal", "Greater", "GreaterOrEqual", "Less",
                          "LessOrEqual", "Not", "And", "Or", "Xor", "IsNaN",
                          "IsInf"},
                         op) ||
      (op == "Dropout" && output == 1))
    return onnx::TensorProto::BOOL;
  if (llvm::is_contained({"ArgMax", "ArgMin", "Shape", "Size", "NonZero"},
                         op) ||
      (llvm::is_contained({"MaxPool", "TopK"}, op) && output == 1))
    return onnx::TensorProto::INT64;
  return input(0);
}

std::string GraphImporter::uniqueName(StringRef base) {
  std::string name = base.str();
  for (int i = 1; reserved_.contains(name) || assigned_.contains(name); ++i)
    name = (base + "_" + llvm::Twine(i)).str();
  claimName(name);
  return name;
}

Value GraphImporter::createWeight(StringRef name, ArrayRef<int64_t> shape,
                                  std::vector<float> data) {
  auto type = RankedTensorType::get(shape, builder_.getF32Type());
  Location loc = top::makeNameLoc(&ctx_, name);
  claimName(name);
  if (options_.weightFileName.empty()) {
    auto value = DenseElementsAttr::get(type, ArrayRef<float>(data));
    return builder_.create<top::WeightOp>(loc, type, cast<ElementsAttr>(value))
        .getOutput();
  }
  weights_[name.str()] = NpyArray::fromFloat(data, shape);
  return builder_.create<top::WeightOp>(loc, type, ElementsAttr()).getOutput();
}

Value GraphImporter::materialize(StringRef name, TensorEntry &entry) {
  if (Value existing = weightOf_.lookup(entry.constant.get()))
    return existing;
  // The tensor's own name is free unless another form of it took it.
  std::string weightName =
      assigned_.contains(name) ? uniqueName(name) : name.str();
  Value weight = createWeight(weightName, entry.constant->shape,
                              entry.constant->toFloats());
  weightOf_[entry.constant.get()] = weight;
  entry.value = weight;
  return weight;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
                         int64_t opset)
    : node(node), attrs(node), opset(opset), builder(graph.builder_),
      graph_(graph) {}

std::string NodeContext::nodeName() const { return nodeLabel(node); }

bool NodeContext::hasInput(unsigned index) const {
  return index < numInputs() && !node.input(index).empty();
}

const ConstTensor *NodeContext::getConstant(unsigned index) {
  if (!hasInput(index))
    return nullptr;
  return graph_.tensors_[node.input(index)].constant.get();
}

Value NodeContext::getValue(unsigned index) {
  if (!hasInput(index))
    return none();
  auto &entry = graph_.tensors_[node.input(index)];
  if (entry.value)
    return entry.value;
  return graph_.materialize(node.input(index), entry);
}

ArrayRef<int64_t> NodeContext::getShape(unsigned index) {
  if (!hasInput(index))
    return {};
  return graph_.shapeOf(graph_.tensors_[node.input(index)]);
}

int32_t NodeContext::getDataType(unsigned index) {
  if (!hasInput(index))
    return 0;
  return graph_.dataTypeOf(node.input(index));
}

Type NodeContext::integerResultType() {
  int32_t type = getDataType(0);
  if (!isIntegerDataType(type))
    return {};
  return elementTypeOf(getContext(), type).value_or(Type());
}

StringRef NodeContext::outputName(unsigned index) const {
  return node.output(index);
}

bool NodeContext::isOutputUsed(unsigned index) const {
  return index < numOutputs() && !node.output(index).empty() &&
         graph_.usedTensors_.contains(node.output(index));
}

void NodeContext::setOutput(unsigned index, Value value) {
  if (index < numOutputs() && !node.output(index).empty())
    graph_.tensors_[node.output(index)].value = value;
}

void NodeContext::setConstantOutput(unsigned index, ConstTensor value) {
  if (index < numOutputs() && !node.output(index).empty())
    graph_.tensors_[node.output(index)].constant =
        std::make_shared<const ConstTensor>(std::move(value));
}

Location NodeContext::nameLoc(StringRef name) {
  graph_.claimName(name);
  return top::makeNameLoc(getContext(), name);
}

std::string NodeContext::uniqueName(StringRef base) {
  return graph_.uniqueName(base);
}

std::string NodeContext::tempName(StringRef suffix) {
  std::string base = numOutputs() ? node.output(0) : nodeName();
  return graph_.uniqueName(base + "_" + suffix.str());
}

RankedTensorType NodeContext::makeType(ArrayRef<int64_t> shape,
                                       Type elementType) {
  return RankedTensorType::get(shape, elementType ? elementType
                                                  : builder.getF32Type());
}

FailureOr<Operation *>
NodeContext::createOp(StringRef opName, Location loc,
                      ArrayRef<Type> resultTypes, ValueRange operands,
                      ArrayRef<NamedAttribute> attributes) {
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addTypes(resultTypes);
  state.addAttributes(attributes);
  Operation *op = builder.create(state);
  if (failed(verify(op, /*verifyRecursively=*/false)))
    return failure();
  if (auto shaped = dyn_cast<top::ShapeInferenceOpInterface>(op))
    if (failed(shaped.inferShapes()))
      return failure();
  for (Value result : op->getResults()) {
    auto type = cast<RankedTensorType>(result.getType());
    if (!type.hasStaticShape())
      return op->emitOpError() << "result '" << top::getTensorName(result)
                               << "' has no static shape (got "
                               << top::shapeToString(type.getShape()) << ")";
  }
  return op;
}

Value NodeContext::createWeight(StringRef baseName, ArrayRef<int64_t> shape,
                                std::vector<float> data) {
  return graph_.createWeight(graph_.uniqueName(baseName), shape,
                             std::move(data));
}

Value NodeContext::createWeightFor(unsigned index, ArrayRef<int64_t> shape,
                                   std::vector<float> data) {
  StringRef name = node.input(index);
  std::string weightName =
      graph_.assigned_.contains(name) ? graph_.uniqueName(name) : name.str();
  return graph_.createWeight(weightName, shape, std::move(data));
}

Value NodeContext::none() {
  if (!graph_.none_) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&graph_.func_.getBody().front());
    graph_.none_ = builder.create<top::NoneOp>(builder.getUnknownLoc(),
                                               builder.getNoneType());
  }
  return graph_.none_;
}

NamedAttribute NodeContext::attr(StringRef name, ArrayRef<int64_t> v) {
  return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(v));
}
NamedAttribute NodeContext::attr(StringRef name, double v) {
  return builder.getNamedAttr(name, builder.getF64FloatAttr(v));
}
NamedAttribute NodeContext::attr(StringRef name, bool v) {
  return builder.getNamedAttr(name, builder.getBoolAttr(v));
}
NamedAttribute NodeContext::attr(StringRef name, const char *v) {
  return builder.getNamedAttr(name, builder.getStringAttr(v));
}
NamedAttribute NodeContext::attr(StringRef name, StringRef v) {
  return builder.getNamedAttr(name, builder.getStringAttr(v));
}
NamedAttribute NodeContext::intAttr(StringRef name, int64_t v) {
  return builder.getNamedAttr(name, builder.getI64IntegerAttr(v));
}

LogicalResult NodeContext::unsupported(const llvm::Twine &what) {
  reportedUnsupported_ = true;
  graph_.recordUnsupported(node.op_type(), what.str(), nodeName());
  return failure();
}

LogicalResult NodeContext::error(const llvm::Twine &message) {
  std::string name = numOutputs() ? node.output(0) : nodeName();
  return emitError(top::makeNameLoc(getContext(), name)) << message;
}

} // namespace tpuc::onnx_import

//===----------------------------------------------------------------------===//
// Public entry point
//===----------------------------------------------------------------------===//

namespace tpuc {

OwningOpRef<ModuleOp> importOnnx(MLIRContext &ctx, StringRef path,
                                 const OnnxImportOptions &options,
                                 NpzMap &weights) {
  auto model = onnx_import::loadOnnxModel(path);
  if (!model) {
    emitError(UnknownLoc::get(&ctx)) << llvm::toString(model.takeError());
    return nullptr;
  }
  NpzMap imported;
  onnx_import::GraphImporter importer(ctx, **model, options, imported);
  OwningOpRef<ModuleOp> module = importer.run();
  if (module)
    for (auto &[name, array] : imported)
      weights[name] = std::move(array);
  return module;
}

} // namespace tpuc
