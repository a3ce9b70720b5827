//===- ImportTensors.cpp - Initializers, tensor types and weights ---------===//
//
// The importer's tensors: decoding the initializers the outputs need, the
// shapes and ONNX element types of values, unique names and the
// `top.Weight` ops constants become when an op reads them.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

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

} // namespace tpuc::onnx_import
