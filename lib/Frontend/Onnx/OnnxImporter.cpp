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
// This file holds the driver (GraphImporter::run), the error that lists the
// unsupported ops and the public entry point; the stages live in
// ImportSelection.cpp (1, 2), ImportTensors.cpp (initializers and weights),
// ImportFunction.cpp (3 and the return), ImportNodes.cpp (4) and
// NodeContext.cpp (what converters see).
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

//===----------------------------------------------------------------------===//
// Helpers shared by the importer's files
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Driver and problem report
//===----------------------------------------------------------------------===//

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
