//===- ImportFunction.cpp - The main function, its inputs and outputs -----===//
//
// Stage 3 of the ONNX import and its end: the module and `main` with one
// `top.Input` per real graph input (static shapes, preprocessing
// attributes), and the return of the graph outputs under their ONNX names.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "llvm/Support/Path.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {

namespace {

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

} // namespace tpuc::onnx_import
