//===- NodeContext.cpp - What a converter sees of the import --------------===//
//
// NodeContext, declared in OnnxImporterImpl.h, is the converters' view of
// the GraphImporter: a node's inputs and outputs, building verified and
// shape-inferred Top ops and weights, and reporting problems.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

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
