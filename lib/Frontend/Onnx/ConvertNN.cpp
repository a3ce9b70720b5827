//===- ConvertNN.cpp - Convolution, matmul, pooling, norms, softmax -------===//

#include "OnnxImporterImpl.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

using Dims = std::vector<int64_t>;

/// Window attributes of Conv, ConvTranspose and the pools.
struct Window {
  Dims kernel, strides, dilations, pads;
};

/// Reads kernel_shape (or `defaultKernel`), strides, dilations and pads for
/// `spatial` dims; pads come from auto_pad SAME_* / VALID when set, computed
/// for an output of ceil(in / stride) as ONNX specifies.
FailureOr<Window> readWindow(NodeContext &ctx, ArrayRef<int64_t> inputShape,
                             ArrayRef<int64_t> defaultKernel) {
  size_t spatial = inputShape.size() - 2;
  Window w;
  w.kernel = ctx.attrs.getInts("kernel_shape").value_or(Dims(defaultKernel));
  w.strides = ctx.attrs.getInts("strides").value_or(Dims(spatial, 1));
  w.dilations = ctx.attrs.getInts("dilations").value_or(Dims(spatial, 1));
  w.pads = ctx.attrs.getInts("pads").value_or(Dims(2 * spatial, 0));
  if (w.kernel.size() != spatial || w.strides.size() != spatial ||
      w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    return ctx.error("kernel_shape, strides, dilations or pads do not match "
                     "the " +
                     llvm::Twine(spatial) + " spatial dims of the input");
  for (size_t i = 0; i < spatial; ++i)
    if (w.strides[i] <= 0 || w.kernel[i] <= 0 || w.dilations[i] <= 0)
      return ctx.error("kernel_shape, strides and dilations must be positive");
  std::string autoPad = ctx.attrs.getString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = inputShape[2 + i];
      int64_t out = (in + w.strides[i] - 1) / w.strides[i];
      int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total =
          std::max<int64_t>((out - 1) * w.strides[i] + extent - in, 0);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  }
  // Other auto_pad values were rejected by checkWindowAttrs.
  return w;
}

/// auto_pad values ONNX does not define, and AveragePool's dilations (opset
/// 19), which top.AvgPool does not have.
std::optional<std::string> checkWindowAttrs(const NodeAttributes &attrs,
                                            StringRef opType, int64_t) {
  std::string autoPad = attrs.getString("auto_pad", "NOTSET");
  if (!llvm::is_contained({"NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"},
                          autoPad))
    return (opType + " auto_pad '" + autoPad + "'").str();
  if (opType == "AveragePool")
    if (auto dilations = attrs.getInts("dilations"))
      if (llvm::any_of(*dilations, [](int64_t d) { return d != 1; }))
        return std::string("AveragePool with dilations");
  return std::nullopt;
}

/// Conv and pooling support 1-D and 2-D windows.
LogicalResult checkWindowRank(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  if (rank == 3 || rank == 4)
    return success();
  return ctx.unsupported(ctx.opType() + " on rank-" + llvm::Twine(rank) +
                         " input");
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

LogicalResult convertConv(NodeContext &ctx) {
  if (failed(checkWindowRank(ctx)))
    return failure();
  ArrayRef<int64_t> filter = ctx.getShape(1);
  if (filter.size() != ctx.getShape(0).size())
    return ctx.error("the weight must have the input's rank");
  FailureOr<Window> w = readWindow(ctx, ctx.getShape(0), filter.drop_front(2));
  if (failed(w))
    return failure();
  return ctx.emitAsOutput<top::ConvOp>(
      ctx.getRank(0), {ctx.getValue(0), ctx.getValue(1), ctx.getValue(2)},
      {ctx.attr("kernel_shape", w->kernel), ctx.attr("strides", w->strides),
       ctx.attr("pads", w->pads), ctx.attr("dilations", w->dilations),
       ctx.intAttr("group", ctx.attrs.getInt("group", 1))});
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  if (failed(checkWindowRank(ctx)))
    return failure();
  ArrayRef<int64_t> input = ctx.getShape(0);
  ArrayRef<int64_t> filter = ctx.getShape(1);
  size_t spatial = input.size() - 2;
  if (filter.size() != input.size())
    return ctx.error("the weight must have the input's rank");
  Window w;
  w.kernel = ctx.attrs.getInts("kernel_shape")
                 .value_or(Dims(filter.begin() + 2, filter.end()));
  w.strides = ctx.attrs.getInts("strides").value_or(Dims(spatial, 1));
  w.dilations = ctx.attrs.getInts("dilations").value_or(Dims(spatial, 1));
  w.pads = ctx.attrs.getInts("pads").value_or(Dims(2 * spatial, 0));
  Dims outputPadding =
      ctx.attrs.getInts("output_padding").value_or(Dims(spatial, 0));
  if (w.kernel.size() != spatial || w.strides.size() != spatial ||
      w.dilations.size() != spatial || w.pads.size() != 2 * spatial ||
      outputPadding.size() != spatial)
    return ctx.error("window attributes do not match the " +
                     llvm::Twine(spatial) + " spatial dims of the input");
  std::string autoPad = ctx.attrs.getString("auto_pad", "NOTSET");
  std::optional<Dims> outputShape = ctx.attrs.getInts("output_shape");
  if (outputShape && outputShape->size() == spatial + 2)
    outputShape = Dims(outputShape->begin() + 2, outputShape->end());
  if (outputShape && outputShape->size() != spatial)
    return ctx.error("output_shape must have one entry per spatial dim");
  if (!outputShape && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")) {
    outputShape = Dims();
    for (size_t i = 0; i < spatial; ++i)
      outputShape->push_back(input[2 + i] * w.strides[i]);
  }
  if (autoPad == "VALID")
    std::fill(w.pads.begin(), w.pads.end(), 0);
  if (outputShape) {
    // ONNX: total_padding = stride * (in - 1) + output_padding +
    // (k - 1) * dilation + 1 - output_shape, split by auto_pad.
    for (size_t i = 0; i < spatial; ++i) {
      int64_t total = w.strides[i] * (input[2 + i] - 1) + outputPadding[i] +
                      (w.kernel[i] - 1) * w.dilations[i] + 1 -
                      (*outputShape)[i];
      if (total < 0) {
        // A larger output than the window covers grows at the end.
        outputPadding[i] -= total;
        total = 0;
      }
      int64_t small = total / 2, large = total - small;
      bool upper = autoPad == "SAME_UPPER";
      w.pads[i] = upper ? small : large;
      w.pads[spatial + i] = upper ? large : small;
    }
  }
  llvm::SmallVector<NamedAttribute> attrs = {
      ctx.attr("kernel_shape", w.kernel), ctx.attr("strides", w.strides),
      ctx.attr("pads", w.pads), ctx.attr("dilations", w.dilations),
      ctx.intAttr("group", ctx.attrs.getInt("group", 1))};
  if (llvm::any_of(outputPadding, [](int64_t p) { return p != 0; }))
    attrs.push_back(ctx.attr("output_padding", outputPadding));
  return ctx.emitAsOutput<top::DeconvOp>(
      input.size(), {ctx.getValue(0), ctx.getValue(1), ctx.getValue(2)}, attrs);
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

int64_t matmulRank(int64_t lhs, int64_t rhs) {
  if (lhs == 1 && rhs == 1)
    return 0;
  if (lhs == 1)
    return rhs - 1;
  if (rhs == 1)
    return lhs - 1;
  return std::max(lhs, rhs);
}

LogicalResult convertMatMul(NodeContext &ctx) {
  return ctx.emitAsOutput<top::MatMulOp>(
      matmulRank(ctx.getRank(0), ctx.getRank(1)),
      {ctx.getValue(0), ctx.getValue(1), ctx.none()});
}

/// A constant input scaled by `factor` as a new weight.
Value scaledWeight(NodeContext &ctx, unsigned index, float factor) {
  const ConstTensor *c = ctx.getConstant(index);
  std::vector<float> data = c->toFloats();
  for (float &v : data)
    v *= factor;
  return ctx.createWeight(ctx.node.input(index) + "_scaled", c->shape,
                          std::move(data));
}

LogicalResult convertGemm(NodeContext &ctx) {
  float alpha = ctx.attrs.getFloat("alpha", 1.0f);
  float beta = ctx.attrs.getFloat("beta", 1.0f);
  bool transA = ctx.attrs.getInt("transA", 0) != 0;
  bool transB = ctx.attrs.getInt("transB", 0) != 0;
  if (ctx.getRank(0) != 2 || ctx.getRank(1) != 2)
    return ctx.error("A and B must be matrices");

  // alpha and beta fold into constant operands; otherwise they scale at run
  // time.
  Value right;
  bool alphaApplied = alpha == 1.0f;
  if (!alphaApplied && ctx.isConstant(1)) {
    right = scaledWeight(ctx, 1, alpha);
    alphaApplied = true;
  } else {
    right = ctx.getValue(1);
  }
  Value bias;
  if (ctx.hasInput(2) && beta != 0.0f) {
    if (beta == 1.0f) {
      bias = ctx.getValue(2);
    } else if (ctx.isConstant(2)) {
      bias = scaledWeight(ctx, 2, beta);
    } else {
      FailureOr<Value> scaled = ctx.createRanked<top::MulConstOp>(
          ctx.tempName("beta"), ctx.getRank(2), {ctx.getValue(2)},
          {ctx.attr("const_val", double(beta))});
      if (failed(scaled))
        return failure();
      bias = *scaled;
    }
  }
  if (!bias)
    bias = ctx.none();
  llvm::SmallVector<NamedAttribute> attrs;
  if (transA)
    attrs.push_back(ctx.attr("left_transpose", true));
  if (transB)
    attrs.push_back(ctx.attr("right_transpose", true));
  if (alphaApplied)
    return ctx.emitAsOutput<top::MatMulOp>(2, {ctx.getValue(0), right, bias},
                                           attrs);

  FailureOr<Value> product = ctx.createRanked<top::MatMulOp>(
      ctx.tempName("matmul"), 2, {ctx.getValue(0), right, ctx.none()}, attrs);
  if (failed(product))
    return failure();
  bool hasBias = !isa<NoneType>(bias.getType());
  FailureOr<Value> scaled = ctx.createRanked<top::MulConstOp>(
      hasBias ? ctx.tempName("alpha") : ctx.outputName(0).str(), 2, {*product},
      {ctx.attr("const_val", double(alpha))});
  if (failed(scaled))
    return failure();
  if (!hasBias) {
    ctx.setOutput(0, *scaled);
    return success();
  }
  return ctx.emitAsOutput<top::AddOp>(2, {*scaled, bias});
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

std::optional<std::string> checkBatchNorm(const NodeAttributes &attrs,
                                          StringRef, int64_t opset) {
  if (opset < 9 && attrs.getInt("spatial", 1) == 0)
    return std::string("BatchNormalization spatial=0");
  if (attrs.getInt("training_mode", 0) != 0)
    return std::string("BatchNormalization training_mode=1");
  return std::nullopt;
}

LogicalResult convertBatchNorm(NodeContext &ctx) {
  for (unsigned i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.isOutputUsed(i))
      return ctx.unsupported("BatchNormalization training outputs");
  // ONNX order: X, scale, B, mean, var.
  return ctx.emitAsOutput<top::BatchNormOp>(
      ctx.getRank(0),
      {ctx.getValue(0), ctx.getValue(3), ctx.getValue(4), ctx.getValue(1),
       ctx.getValue(2)},
      {ctx.attr("epsilon", double(ctx.attrs.getFloat("epsilon", 1e-5f)))});
}

LogicalResult convertInstanceNorm(NodeContext &ctx) {
  return ctx.emitAsOutput<top::InstanceNormOp>(
      ctx.getRank(0), {ctx.getValue(0), ctx.getValue(1), ctx.getValue(2)},
      {ctx.attr("eps", double(ctx.attrs.getFloat("epsilon", 1e-5f)))});
}

/// LayerNormalization's optional Mean and InvStdDev outputs (the statistics
/// over dims [axis, rank), kept as size 1), built from reductions:
/// mean(x) and (mean((x - mean(x))^2) + epsilon)^-0.5.
LogicalResult convertLayerNormStats(NodeContext &ctx, int64_t axis,
                                    double eps) {
  int64_t rank = ctx.getRank(0);
  Dims axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  auto name = [&](unsigned output, StringRef temp) {
    return ctx.isOutputUsed(output) ? ctx.outputName(output).str()
                                    : ctx.tempName(temp);
  };
  auto reduceMean = [&](StringRef resultName, Value input) {
    return ctx.createRanked<top::ReduceOp>(resultName, rank, {input},
                                           {ctx.attr("axes", axes),
                                            ctx.attr("keepdims", true),
                                            ctx.attr("mode", "ReduceMean")});
  };
  Value x = ctx.getValue(0);
  FailureOr<Value> mean = reduceMean(name(1, "mean"), x);
  if (failed(mean))
    return failure();
  ctx.setOutput(1, *mean);
  if (!ctx.isOutputUsed(2))
    return success();
  FailureOr<Value> centered =
      ctx.createRanked<top::SubOp>(ctx.tempName("centered"), rank, {x, *mean});
  if (failed(centered))
    return failure();
  FailureOr<Value> squared = ctx.createRanked<top::MulOp>(
      ctx.tempName("squared"), rank, {*centered, *centered});
  if (failed(squared))
    return failure();
  FailureOr<Value> variance = reduceMean(ctx.tempName("variance"), *squared);
  if (failed(variance))
    return failure();
  FailureOr<Value> shifted = ctx.createRanked<top::AddConstOp>(
      ctx.tempName("variance_eps"), rank, {*variance},
      {ctx.attr("const_val", eps)});
  if (failed(shifted))
    return failure();
  FailureOr<Value> invStdDev = ctx.createRanked<top::PowOp>(
      ctx.outputName(2), rank, {*shifted}, {ctx.attr("exponent", -0.5)});
  if (failed(invStdDev))
    return failure();
  ctx.setOutput(2, *invStdDev);
  return success();
}

LogicalResult convertLayerNorm(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  auto axis = normalizeAxisValue(ctx.attrs.getInt("axis", -1), rank);
  if (!axis)
    return ctx.error("axis is out of range");
  double eps = ctx.attrs.getFloat("epsilon", 1e-5f);
  if (ctx.isOutputUsed(0) &&
      failed(ctx.emitAsOutput<top::LayerNormOp>(
          rank, {ctx.getValue(0), ctx.getValue(1), ctx.getValue(2)},
          {ctx.intAttr("axis", *axis), ctx.attr("eps", eps)})))
    return failure();
  // The statistics are training outputs; inference graphs rarely ask for
  // them, so they are separate ops rather than results of top.LayerNorm.
  if (ctx.isOutputUsed(1) || ctx.isOutputUsed(2))
    return convertLayerNormStats(ctx, *axis, eps);
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// MaxPool with its Indices output.
LogicalResult
convertMaxPoolWithIndices(NodeContext &ctx,
                          llvm::SmallVector<NamedAttribute> attrs) {
  int64_t order = ctx.attrs.getInt("storage_order", 0);
  if (order != 0 && order != 1)
    return ctx.error("storage_order must be 0 or 1, got " + llvm::Twine(order));
  if (order == 1)
    attrs.push_back(ctx.attr("column_major", true));
  int64_t rank = ctx.getRank(0);
  // Output 0 is required by ONNX, so only a malformed node lacks its name.
  std::string outputName = ctx.outputName(0).empty() ? ctx.tempName("values")
                                                     : ctx.outputName(0).str();
  Location loc =
      FusedLoc::get(ctx.getContext(),
                    {ctx.nameLoc(outputName), ctx.nameLoc(ctx.outputName(1))});
  Dims unknown(rank, ShapedType::kDynamic);
  FailureOr<Operation *> op =
      ctx.createOp(top::MaxPoolWithIndicesOp::getOperationName(), loc,
                   {ctx.makeType(unknown),
                    ctx.makeType(unknown, ctx.builder.getIntegerType(64))},
                   {ctx.getValue(0)}, attrs);
  if (failed(op))
    return failure();
  ctx.setOutput(0, (*op)->getResult(0));
  ctx.setOutput(1, (*op)->getResult(1));
  return success();
}

template <typename OpT> LogicalResult convertPool(NodeContext &ctx) {
  constexpr bool isMax = std::is_same_v<OpT, top::MaxPoolOp>;
  if (failed(checkWindowRank(ctx)))
    return failure();
  if (!ctx.attrs.has("kernel_shape"))
    return ctx.error("kernel_shape is required");
  FailureOr<Window> w = readWindow(ctx, ctx.getShape(0), {});
  if (failed(w))
    return failure();
  // checkWindowAttrs rejected AveragePool's dilations.
  bool dilated = llvm::any_of(w->dilations, [](int64_t d) { return d != 1; });
  size_t spatial = w->kernel.size();
  for (size_t i = 0; i < 2 * spatial; ++i)
    if (w->pads[i] >= w->kernel[i % spatial])
      return ctx.unsupported(ctx.opType() +
                             " pads not smaller than the kernel");
  llvm::SmallVector<NamedAttribute> attrs = {
      ctx.attr("kernel_shape", w->kernel), ctx.attr("strides", w->strides),
      ctx.attr("pads", w->pads)};
  if (dilated)
    attrs.push_back(ctx.attr("dilations", w->dilations));
  if (ctx.attrs.getInt("ceil_mode", 0))
    attrs.push_back(ctx.attr("ceil_mode", true));
  if constexpr (isMax)
    if (ctx.isOutputUsed(1))
      return convertMaxPoolWithIndices(ctx, attrs);
  if (ctx.attrs.getInt("count_include_pad", 0))
    attrs.push_back(ctx.attr("count_include_pad", true));
  return ctx.emitAsOutput<OpT>(ctx.getRank(0), {ctx.getValue(0)}, attrs);
}

LogicalResult convertGlobalAvgPool(NodeContext &ctx) {
  return ctx.emitAsOutput<top::GlobalAvgPoolOp>(ctx.getRank(0),
                                                {ctx.getValue(0)});
}

LogicalResult convertGlobalMaxPool(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  if (rank < 3)
    return ctx.error("input must have spatial dims");
  Dims axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  return ctx.emitAsOutput<top::ReduceOp>(rank, {ctx.getValue(0)},
                                         {ctx.attr("axes", axes),
                                          ctx.attr("keepdims", true),
                                          ctx.attr("mode", "ReduceMax")});
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

LogicalResult convertSoftmax(NodeContext &ctx) {
  bool log = ctx.opType() == "LogSoftmax";
  ArrayRef<int64_t> shape = ctx.getShape(0);
  int64_t rank = shape.size();
  auto axis = normalizeAxisValue(
      ctx.attrs.getInt("axis", ctx.opset < 13 ? 1 : -1), rank);
  if (!axis)
    return ctx.error("axis is out of range");
  auto softmax = [&](StringRef name, Value input, int64_t inputRank,
                     int64_t at) {
    return ctx.createRanked<top::SoftmaxOp>(
        name, inputRank, {input},
        {ctx.intAttr("axis", at), ctx.attr("log", log)});
  };
  int64_t softAxis = *axis;
  if (ctx.opset < 13) {
    // Before opset 13 the input is seen as 2-D [prod(d < axis),
    // prod(d >= axis)]. With at most one non-1 dim from axis on, that is a
    // softmax along that dim; otherwise reshape around it.
    int64_t nonUnit = 0;
    for (int64_t d = *axis; d < rank; ++d)
      if (shape[d] != 1) {
        ++nonUnit;
        softAxis = d;
      }
    if (nonUnit > 1) {
      Dims flat = {productOf(shape.take_front(*axis)),
                   productOf(shape.drop_front(*axis))};
      FailureOr<Value> reshaped = ctx.create<top::ReshapeOp>(
          ctx.tempName("2d"), flat, {ctx.getValue(0)},
          {ctx.attr("shape", flat)});
      if (failed(reshaped))
        return failure();
      FailureOr<Value> soft = softmax(ctx.tempName("softmax"), *reshaped, 2, 1);
      if (failed(soft))
        return failure();
      return ctx.emitAsOutput<top::ReshapeOp>(
          rank, {*soft}, {ctx.attr("shape", ArrayRef<int64_t>(shape))});
    }
  }
  FailureOr<Value> result =
      softmax(ctx.outputName(0), ctx.getValue(0), rank, softAxis);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

} // namespace

void addNNConverters(ConverterMap &map) {
  map["Conv"] = {convertConv, checkWindowAttrs};
  map["ConvTranspose"] = {convertConvTranspose, checkWindowAttrs};
  map["MatMul"] = convertMatMul;
  map["Gemm"] = convertGemm;
  map["BatchNormalization"] = {convertBatchNorm, checkBatchNorm};
  map["InstanceNormalization"] = convertInstanceNorm;
  map["LayerNormalization"] = convertLayerNorm;
  map["MaxPool"] = {convertPool<top::MaxPoolOp>, checkWindowAttrs};
  map["AveragePool"] = {convertPool<top::AvgPoolOp>, checkWindowAttrs};
  map["GlobalAveragePool"] = convertGlobalAvgPool;
  map["GlobalMaxPool"] = convertGlobalMaxPool;
  map["Softmax"] = convertSoftmax;
  map["LogSoftmax"] = convertSoftmax;
}

} // namespace tpuc::onnx_import
