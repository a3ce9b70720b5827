//===- ImportNodes.cpp - Visiting and converting the graph nodes ----------===//
//
// Stage 4 of the ONNX import: the nodes are visited in order (those whose
// inputs are not ready are retried), folded when their inputs are constants
// and otherwise handed to their converter.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

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

} // namespace tpuc::onnx_import
