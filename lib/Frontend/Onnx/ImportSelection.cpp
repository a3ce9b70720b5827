//===- ImportSelection.cpp - Outputs, needed nodes, op type checks --------===//
//
// Stages 1 and 2 of the ONNX import: index the graph, pick the output
// tensors, keep the nodes they depend on and check those nodes' op types and
// attributes, all before anything is built.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "llvm/ADT/StringExtras.h"

#include <deque>

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

namespace {

/// Ops the folder evaluates; they never reach a converter when their inputs
/// are constants.
bool isFoldOnlyOp(StringRef op) {
  return llvm::is_contained({"Shape", "Size", "Constant", "ConstantOfShape",
                             "Range", "Mod", "Floor", "Ceil", "Round", "Sign"},
                            op);
}

} // namespace

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

} // namespace tpuc::onnx_import
