//===- LayerGraph.cpp - The Top model as the searches see it --------------===//
//
// The Evaluator's view of the Top model, built once by prepare(): its
// layers and how they connect, the tensors the searches compare (and their
// decodes), and the parts of the tensors assembled by Concat. Kept apart
// from the runs of the mixed models in Evaluator.cpp.
//
//===----------------------------------------------------------------------===//

#include "Evaluator.h"
#include "EvaluatorSupport.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace tpuc::mix {

namespace {

/// The ops whose lowering keeps their input's type whatever the table says
/// (LowerShape.cpp), and those tpu-mlir never searches (max pooling, which
/// keeps the scale, and softmax, which has no INT8 form): tpu-mlir's skip
/// list in tpuc's op names.
bool movesData(Operation *op) {
  return isa<top::ReshapeOp, top::FlattenOp, top::SqueezeOp, top::UnsqueezeOp,
             top::PermuteOp, top::SliceOp, top::SplitOp, top::TileOp,
             top::ExpandOp, top::PadOp, top::UpsampleOp, top::Depth2SpaceOp,
             top::GatherOp, top::CastOp, top::MaxPoolOp, top::SoftmaxOp>(op);
}

/// Ops that assemble a tensor from others without computing: what a
/// concatenation's parts flow through on their way to an output.
bool assembles(Operation *op) {
  return isa<top::ConcatOp, top::ReshapeOp, top::FlattenOp, top::SqueezeOp,
             top::UnsqueezeOp, top::PermuteOp, top::SliceOp, top::SplitOp>(op);
}

} // namespace

llvm::Error Evaluator::buildGraph() {
  auto main = top_.lookupSymbol<func::FuncOp>("main");
  if (!main || main.getBody().empty())
    return failure("the model has no 'main' function");
  Block &body = main.getBody().front();
  llvm::DenseMap<Value, unsigned> tensorOf;
  for (Operation &op : body) {
    if (isa<top::WeightOp, top::NoneOp, func::ReturnOp>(op))
      continue;
    if (isa<top::InputOp>(op)) {
      Value v = op.getResult(0);
      tensorOf[v] = tensors_.size();
      tensorIndex_[top::getTensorName(v)] = tensors_.size();
      tensors_.push_back({top::getTensorName(v), top::getNumElements(v), -1});
      continue;
    }
    unsigned index = layers_.size();
    Layer layer;
    layer.name = top::getOpName(&op);
    layer.type = op.getName().getStringRef().str();
    layer.op = &op;
    layer.movesData = movesData(&op);
    for (Value operand : op.getOperands()) {
      auto it = tensorOf.find(operand);
      if (it == tensorOf.end()) {
        layer.operands.push_back(-1);
        continue;
      }
      layer.operands.push_back(static_cast<int>(it->second));
      int producer = tensors_[it->second].layer;
      if (producer >= 0 && !llvm::is_contained(layer.preds, unsigned(producer)))
        layer.preds.push_back(producer);
    }
    for (Value result : op.getResults()) {
      std::string name = top::getTensorName(result);
      if (name.empty() || tensorIndex_.count(name))
        return failure("the tensor names of '" + layer.name +
                       "' are missing or not unique");
      tensorOf[result] = tensors_.size();
      layer.results.push_back(tensors_.size());
      tensorIndex_[name] = tensors_.size();
      tensors_.push_back(
          {name, top::getNumElements(result), static_cast<int>(index)});
    }
    layers_.push_back(std::move(layer));
  }
  for (auto [index, layer] : llvm::enumerate(layers_))
    for (unsigned pred : layer.preds)
      layers_[pred].succs.push_back(index);
  if (layers_.empty())
    return failure("the model has no layers");
  return llvm::Error::success();
}

llvm::Error Evaluator::resolveCompareTensors() {
  if (llvm::Error err = resolveCompareNames())
    return err;
  // Each compare tensor's decode, checked against its shape.
  llvm::StringMap<Value> values;
  top_.walk([&](Operation *op) {
    for (Value v : op->getResults())
      values[top::getTensorName(v)] = v;
  });
  decodes_.assign(compare_.size(), {});
  compareShapes_.assign(compare_.size(), {});
  for (auto [c, index] : llvm::enumerate(compare_)) {
    const std::string &name = tensors_[index].name;
    auto it = options_.outputDecodes.find(name);
    if (it == options_.outputDecodes.end())
      continue;
    auto type = dyn_cast<ShapedType>(values.lookup(name).getType());
    if (!type || !type.hasStaticShape())
      return failure("'" + name + "' has no static shape to decode");
    compareShapes_[c].assign(type.getShape().begin(), type.getShape().end());
    if (llvm::Error err =
            calibration::checkDecodeFits(it->second, compareShapes_[c]))
      return failure("'" + name + "': " + llvm::toString(std::move(err)));
    decodes_[c] = it->second;
  }
  return llvm::Error::success();
}

llvm::Error Evaluator::resolveCompareNames() {
  if (options_.compareLayers.empty()) {
    auto main = top_.lookupSymbol<func::FuncOp>("main");
    for (Value v : main.getBody().front().getTerminator()->getOperands()) {
      auto it = tensorIndex_.find(top::getTensorName(v));
      if (it == tensorIndex_.end())
        return failure("the model's output '" + top::getTensorName(v) +
                       "' has no name to compare by");
      if (!llvm::is_contained(compare_, it->second)) {
        compare_.push_back(it->second);
        weights_.push_back(1);
      }
    }
    return llvm::Error::success();
  }
  for (const CompareLayer &layer : options_.compareLayers) {
    auto it = tensorIndex_.find(layer.name);
    if (it == tensorIndex_.end())
      return failure("--global_compare_layers: '" + layer.name +
                     "' is no tensor of the model");
    compare_.push_back(it->second);
    weights_.push_back(layer.weight);
  }
  return llvm::Error::success();
}

llvm::Error Evaluator::buildPartMaps() {
  if (!options_.parts)
    return llvm::Error::success();
  // Tensors judged part by part: the compared ones and every concat result.
  std::vector<unsigned> targets(compare_.begin(), compare_.end());
  for (const Layer &layer : layers_)
    if (isa<top::ConcatOp>(layer.op))
      for (unsigned r : layer.results)
        if (!llvm::is_contained(targets, r))
          targets.push_back(r);
  DiagnosticCapture capture(top_.getContext());
  for (unsigned target : targets) {
    // Back from the target through assembling ops; whatever else produces
    // a tensor on the way (or a network input, or a weight) is a part.
    std::vector<unsigned> chain;
    std::vector<unsigned> sources;
    std::vector<bool> seen(tensors_.size(), false);
    std::vector<unsigned> stack = {target};
    bool hasConcat = false;
    while (!stack.empty()) {
      unsigned t = stack.back();
      stack.pop_back();
      if (seen[t])
        continue;
      seen[t] = true;
      int producer = tensors_[t].layer;
      if (producer < 0 || !assembles(layers_[producer].op)) {
        sources.push_back(t);
        continue;
      }
      const Layer &layer = layers_[producer];
      hasConcat |= isa<top::ConcatOp>(layer.op);
      if (!llvm::is_contained(chain, unsigned(producer)))
        chain.push_back(producer);
      for (unsigned r : layer.results)
        seen[r] = true;
      for (int operand : layer.operands)
        if (operand >= 0)
          stack.push_back(operand);
    }
    if (!hasConcat || sources.size() < 2 || sources.size() > 65535)
      continue;
    // Labels flow through the same ops: each source is filled with its
    // number and the chain runs on them in model order.
    llvm::sort(chain);
    std::vector<Tensor> labels(tensors_.size());
    for (auto [k, source] : llvm::enumerate(sources)) {
      Tensor &t = labels[source];
      t.shape.clear();
      t.data.assign(tensors_[source].numel, static_cast<float>(k));
    }
    bool ok = true;
    std::vector<std::unique_ptr<Tensor>> constants;
    for (unsigned l : chain) {
      const Layer &layer = layers_[l];
      std::vector<const Tensor *> operands;
      for (auto [i, operand] : llvm::enumerate(layer.operands)) {
        Value v = layer.op->getOperand(i);
        if (operand >= 0) {
          Tensor &t = labels[operand];
          if (t.shape.empty() && !t.data.empty()) {
            auto shape = top::getShape(v);
            t.shape.assign(shape.begin(), shape.end());
          }
          operands.push_back(&t);
        } else if (isa<NoneType>(v.getType())) {
          operands.push_back(nullptr);
        } else {
          // A constant part (a weight concatenated in): one more label.
          auto weight = v.getDefiningOp<top::WeightOp>();
          const Tensor *w = weight ? topInterp_->getWeight(weight) : nullptr;
          if (!w) {
            ok = false;
            break;
          }
          auto constant = std::make_unique<Tensor>(*w);
          std::fill(constant->data.begin(), constant->data.end(),
                    static_cast<float>(sources.size()));
          operands.push_back(constant.get());
          constants.push_back(std::move(constant));
        }
      }
      std::vector<Tensor> results;
      if (!ok || failed(topInterp_->runOp(layer.op, operands, results))) {
        ok = false;
        break;
      }
      for (auto [r, result] : llvm::zip(layer.results, results))
        labels[r] = std::move(result);
    }
    // A chain the label kernels cannot follow is judged as one tensor.
    if (!ok || int64_t(labels[target].data.size()) != tensors_[target].numel)
      continue;
    // Parts are runs of consecutive elements (a concat along an axis, then
    // reshapes): kept as segments, so comparisons stay vector loops.
    PartMap map;
    llvm::SmallSetVector<unsigned, 8> present;
    const std::vector<float> &values = labels[target].data;
    for (size_t i = 0; i < values.size();) {
      size_t j = i + 1;
      while (j < values.size() && values[j] == values[i])
        ++j;
      uint16_t part = static_cast<uint16_t>(values[i]);
      map.segments.push_back(
          {static_cast<uint32_t>(i), static_cast<uint32_t>(j - i), part});
      present.insert(part);
      i = j;
    }
    if (present.size() < 2)
      continue;
    map.numParts = sources.size() + 1;
    parts_[target] = std::move(map);
  }
  return llvm::Error::success();
}

} // namespace tpuc::mix
