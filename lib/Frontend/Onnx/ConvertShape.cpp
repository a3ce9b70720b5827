//===- ConvertShape.cpp - Data movement, reshapes and reductions ----------===//
//
// Shape operands (Reshape's shape, Slice's starts, ...) must be constants by
// the time a node is converted: the constant folder has evaluated every
// shape subgraph of a model with static input shapes.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

using Dims = std::vector<int64_t>;

/// An int list that is the attribute `name` before `inputSinceOpset` and the
/// optional input `index` from then on. Fails (as unsupported) when the
/// input is present but computed at run time.
FailureOr<std::optional<Dims>> intsAttrOrInput(NodeContext &ctx, StringRef name,
                                               int64_t inputSinceOpset,
                                               unsigned index) {
  if (ctx.opset < inputSinceOpset)
    return ctx.attrs.getInts(name);
  if (!ctx.hasInput(index))
    return std::optional<Dims>();
  const ConstTensor *c = ctx.getConstant(index);
  if (!c) {
    (void)ctx.unsupported(ctx.opType() + " with non-constant " + name);
    return failure();
  }
  return std::optional<Dims>(c->toInts());
}

/// Normalizes axes against `rank`, reporting out-of-range ones.
FailureOr<Dims> normalizeAxes(NodeContext &ctx, ArrayRef<int64_t> axes,
                              int64_t rank) {
  Dims result;
  for (int64_t axis : axes) {
    auto norm = normalizeAxisValue(axis, rank);
    if (!norm)
      return ctx.error("axis " + llvm::Twine(axis) +
                       " is out of range for rank " + llvm::Twine(rank));
    if (llvm::is_contained(result, *norm))
      return ctx.error("axis " + llvm::Twine(axis) + " is repeated");
    result.push_back(*norm);
  }
  return result;
}

FailureOr<int64_t> readAxis(NodeContext &ctx, int64_t defaultAxis,
                            int64_t rank) {
  auto axis = normalizeAxisValue(ctx.attrs.getInt("axis", defaultAxis), rank);
  if (!axis)
    return ctx.error("axis is out of range for rank " + llvm::Twine(rank));
  return *axis;
}

//===----------------------------------------------------------------------===//
// Joining and splitting
//===----------------------------------------------------------------------===//

LogicalResult convertConcat(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  FailureOr<int64_t> axis = readAxis(ctx, 0, rank);
  if (failed(axis))
    return failure();
  llvm::SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    // Empty parts (allowed by ONNX) add nothing.
    if (!ctx.hasInput(i) || productOf(ctx.getShape(i)) == 0)
      continue;
    inputs.push_back(ctx.getValue(i));
  }
  if (inputs.empty())
    return ctx.unsupported("Concat of empty tensors");
  if (inputs.size() == 1) {
    ctx.setOutput(0, inputs.front());
    return success();
  }
  return ctx.emitAsOutput<top::ConcatOp>(rank, inputs,
                                         {ctx.intAttr("axis", *axis)});
}

LogicalResult convertSplit(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.getShape(0);
  int64_t rank = shape.size();
  FailureOr<int64_t> axis = readAxis(ctx, 0, rank);
  if (failed(axis))
    return failure();
  int64_t dim = shape[*axis];
  unsigned numOutputs = ctx.numOutputs();
  auto split = intsAttrOrInput(ctx, "split", 13, 1);
  if (failed(split))
    return failure();
  Dims sizes;
  if (*split && !(*split)->empty()) {
    sizes = **split;
  } else if (ctx.opset >= 18 && ctx.attrs.has("num_outputs")) {
    // Equal chunks of ceil(dim / n); the last one may be smaller.
    int64_t n = ctx.attrs.getInt("num_outputs", numOutputs);
    if (n <= 0)
      return ctx.error("num_outputs must be positive");
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::min(chunk, dim - i * chunk));
  } else {
    if (dim % numOutputs != 0)
      return ctx.error("dim " + llvm::Twine(*axis) + " (size " +
                       llvm::Twine(dim) + ") cannot be split into " +
                       llvm::Twine(numOutputs) + " equal parts");
    sizes.assign(numOutputs, dim / numOutputs);
  }
  if (sizes.size() != numOutputs)
    return ctx.error("split has " + llvm::Twine(sizes.size()) +
                     " sizes but the node has " + llvm::Twine(numOutputs) +
                     " outputs");
  if (llvm::any_of(sizes, [](int64_t s) { return s <= 0; }))
    return ctx.unsupported("Split with empty outputs");
  if (numOutputs == 1) {
    ctx.setOutput(0, ctx.getValue(0));
    return success();
  }
  llvm::SmallVector<Location> locs;
  llvm::SmallVector<Type> types;
  for (unsigned i = 0; i < numOutputs; ++i) {
    std::string name = ctx.outputName(i).empty()
                           ? ctx.tempName("part" + std::to_string(i))
                           : ctx.outputName(i).str();
    locs.push_back(ctx.nameLoc(name));
    types.push_back(ctx.makeType(Dims(rank, ShapedType::kDynamic)));
  }
  FailureOr<Operation *> op = ctx.createOp(
      top::SplitOp::getOperationName(), FusedLoc::get(ctx.getContext(), locs),
      types, {ctx.getValue(0)},
      {ctx.intAttr("axis", *axis), ctx.attr("split_size", sizes)});
  if (failed(op))
    return failure();
  for (unsigned i = 0; i < numOutputs; ++i)
    ctx.setOutput(i, (*op)->getResult(i));
  return success();
}

//===----------------------------------------------------------------------===//
// Slicing and gathering
//===----------------------------------------------------------------------===//

LogicalResult convertSlice(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  Dims starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.attrs.getInts("starts").value_or(Dims());
    ends = ctx.attrs.getInts("ends").value_or(Dims());
    axes = ctx.attrs.getInts("axes").value_or(Dims());
  } else {
    for (unsigned i = 1; i < 5; ++i) {
      if (!ctx.hasInput(i))
        continue;
      const ConstTensor *c = ctx.getConstant(i);
      if (!c)
        return ctx.unsupported("Slice with non-constant starts/ends/axes/"
                               "steps");
      (i == 1 ? starts : i == 2 ? ends : i == 3 ? axes : steps) = c->toInts();
    }
  }
  if (!completeSliceArgs(starts, ends, axes, steps))
    return ctx.error("starts, ends, axes and steps differ in length");
  FailureOr<Dims> normAxes = normalizeAxes(ctx, axes, rank);
  if (failed(normAxes))
    return failure();
  return ctx.emitAsOutput<top::SliceOp>(
      rank, {ctx.getValue(0)},
      {ctx.attr("starts", starts), ctx.attr("ends", ends),
       ctx.attr("steps", steps), ctx.attr("axes", *normAxes)});
}

LogicalResult convertGather(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.getShape(0);
  FailureOr<int64_t> axis = readAxis(ctx, 0, shape.size());
  if (failed(axis))
    return failure();
  const ConstTensor *indices = ctx.getConstant(1);
  if (!indices)
    return ctx.unsupported("Gather with non-constant indices");
  int64_t dim = shape[*axis];
  std::vector<float> data;
  for (int64_t i : indices->toInts()) {
    if (i < -dim || i >= dim)
      return ctx.error("index " + llvm::Twine(i) +
                       " is out of range for a dim of size " +
                       llvm::Twine(dim));
    data.push_back(static_cast<float>(i < 0 ? i + dim : i));
  }
  Value indexWeight = ctx.createWeightFor(1, indices->shape, std::move(data));
  return ctx.emitAsOutput<top::GatherOp>(
      shape.size() - 1 + indices->shape.size(), {ctx.getValue(0), indexWeight},
      {ctx.intAttr("axis", *axis)});
}

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

LogicalResult convertReshape(NodeContext &ctx) {
  const ConstTensor *shapeTensor = ctx.getConstant(1);
  if (!shapeTensor)
    return ctx.unsupported("Reshape with a non-constant shape");
  ArrayRef<int64_t> input = ctx.getShape(0);
  bool allowZero = ctx.attrs.getInt("allowzero", 0) != 0;
  // Resolve 0 (copy) and -1 (infer) here so the op carries the final shape.
  Dims shape = shapeTensor->toInts();
  int64_t inferIndex = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= input.size())
        return ctx.error("shape entry " + llvm::Twine(i) +
                         " copies a dim the input lacks");
      shape[i] = input[i];
    }
    if (shape[i] == -1) {
      if (inferIndex >= 0)
        return ctx.error("shape has more than one -1");
      inferIndex = i;
    } else if (shape[i] < 0) {
      return ctx.error("invalid shape entry " + llvm::Twine(shape[i]));
    } else {
      known *= shape[i];
    }
  }
  int64_t total = productOf(input);
  if (inferIndex >= 0) {
    if (known == 0 || total % known != 0)
      return ctx.error("cannot reshape " + top::shapeToString(input) + " to " +
                       top::shapeToString(shapeTensor->toInts()));
    shape[inferIndex] = total / known;
  }
  if (llvm::is_contained(shape, 0))
    return ctx.unsupported("Reshape to an empty tensor");
  return ctx.emitAsOutput<top::ReshapeOp>(shape.size(), {ctx.getValue(0)},
                                          {ctx.attr("shape", shape)});
}

LogicalResult convertFlatten(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.getShape(0);
  int64_t rank = shape.size();
  int64_t axis = ctx.attrs.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return ctx.error("axis is out of range");
  // ONNX Flatten always gives [prod(d < axis), prod(d >= axis)]; top.Flatten
  // merges [start_dim, end_dim], which matches only for axis 1.
  if (axis == 1 && rank >= 2)
    return ctx.emitAsOutput<top::FlattenOp>(
        2, {ctx.getValue(0)},
        {ctx.intAttr("start_dim", 1), ctx.intAttr("end_dim", -1)});
  Dims out = {productOf(shape.take_front(axis)),
              productOf(shape.drop_front(axis))};
  return ctx.emitAsOutput<top::ReshapeOp>(2, {ctx.getValue(0)},
                                          {ctx.attr("shape", out)});
}

LogicalResult convertTranspose(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  Dims perm = ctx.attrs.getInts("perm").value_or(Dims());
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  return ctx.emitAsOutput<top::PermuteOp>(rank, {ctx.getValue(0)},
                                          {ctx.attr("order", perm)});
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.getShape(0);
  int64_t rank = shape.size();
  auto axesList = intsAttrOrInput(ctx, "axes", 13, 1);
  if (failed(axesList))
    return failure();
  Dims axes;
  if (*axesList && !(*axesList)->empty()) {
    FailureOr<Dims> norm = normalizeAxes(ctx, **axesList, rank);
    if (failed(norm))
      return failure();
    axes = *norm;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      if (shape[d] == 1)
        axes.push_back(d);
  }
  llvm::sort(axes);
  return ctx.emitAsOutput<top::SqueezeOp>(rank - axes.size(), {ctx.getValue(0)},
                                          {ctx.attr("axes", axes)});
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  auto axesList = intsAttrOrInput(ctx, "axes", 13, 1);
  if (failed(axesList))
    return failure();
  if (!*axesList || (*axesList)->empty())
    return ctx.error("axes are required");
  int64_t rank = ctx.getRank(0) + (*axesList)->size();
  FailureOr<Dims> axes = normalizeAxes(ctx, **axesList, rank);
  if (failed(axes))
    return failure();
  llvm::sort(*axes);
  return ctx.emitAsOutput<top::UnsqueezeOp>(rank, {ctx.getValue(0)},
                                            {ctx.attr("axes", *axes)});
}

LogicalResult convertExpand(NodeContext &ctx) {
  const ConstTensor *shapeTensor = ctx.getConstant(1);
  if (!shapeTensor)
    return ctx.unsupported("Expand with a non-constant shape");
  Dims shape = shapeTensor->toInts();
  int64_t rank = std::max<int64_t>(ctx.getRank(0), shape.size());
  return ctx.emitAsOutput<top::ExpandOp>(rank, {ctx.getValue(0)},
                                         {ctx.attr("shape", shape)});
}

LogicalResult convertTile(NodeContext &ctx) {
  const ConstTensor *repeats = ctx.getConstant(1);
  if (!repeats)
    return ctx.unsupported("Tile with non-constant repeats");
  Dims values = repeats->toInts();
  if (llvm::any_of(values, [](int64_t r) { return r <= 0; }))
    return ctx.unsupported("Tile with zero repeats");
  return ctx.emitAsOutput<top::TileOp>(ctx.getRank(0), {ctx.getValue(0)},
                                       {ctx.attr("repeats", values)});
}

std::optional<std::string> checkPad(const NodeAttributes &attrs, StringRef,
                                    int64_t) {
  std::string mode = attrs.getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return "Pad mode '" + mode + "'";
  return std::nullopt;
}

LogicalResult convertPad(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  std::string mode = ctx.attrs.getString("mode", "constant");
  Dims pads;
  double value = 0.0;
  Dims axes;
  if (ctx.opset < 11) {
    pads = ctx.attrs.getInts("pads").value_or(Dims());
    value = ctx.attrs.getFloat("value", 0.0f);
  } else {
    const ConstTensor *padsTensor = ctx.getConstant(1);
    if (!padsTensor)
      return ctx.unsupported("Pad with non-constant pads");
    pads = padsTensor->toInts();
    if (ctx.hasInput(2)) {
      const ConstTensor *c = ctx.getConstant(2);
      if (!c || c->numel() > 1)
        return ctx.unsupported("Pad with a non-constant value");
      if (c->numel() == 1)
        value = c->getDouble(0);
    }
    if (ctx.hasInput(3)) {
      const ConstTensor *c = ctx.getConstant(3);
      if (!c)
        return ctx.unsupported("Pad with non-constant axes");
      FailureOr<Dims> norm = normalizeAxes(ctx, c->toInts(), rank);
      if (failed(norm))
        return failure();
      axes = *norm;
    }
  }
  if (!axes.empty()) {
    // Pads of the listed axes only: spread them over all dims.
    if (pads.size() != 2 * axes.size())
      return ctx.error("pads must have two entries per axis");
    Dims full(2 * rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      full[axes[i]] = pads[i];
      full[rank + axes[i]] = pads[axes.size() + i];
    }
    pads = std::move(full);
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.error("pads must have two entries per dim");
  return ctx.emitAsOutput<top::PadOp>(rank, {ctx.getValue(0)},
                                      {ctx.attr("paddings", pads),
                                       ctx.attr("val", value),
                                       ctx.attr("mode", StringRef(mode))});
}

std::optional<std::string> checkDepthToSpace(const NodeAttributes &attrs,
                                             StringRef opType, int64_t) {
  std::string mode = attrs.getString("mode", "DCR");
  if (opType == "DepthToSpace" && mode != "DCR" && mode != "CRD")
    return "DepthToSpace mode '" + mode + "'";
  return std::nullopt;
}

LogicalResult convertDepthToSpace(NodeContext &ctx) {
  int64_t block = ctx.attrs.getInt("blocksize", 0);
  if (block <= 0)
    return ctx.error("blocksize must be positive");
  bool toDepth = ctx.opType() == "SpaceToDepth";
  std::string mode = ctx.attrs.getString("mode", "DCR");
  if (ctx.getRank(0) != 4)
    return ctx.error("input must be 4-D");
  return ctx.emitAsOutput<top::Depth2SpaceOp>(
      4, {ctx.getValue(0)},
      {ctx.intAttr("block_h", block), ctx.intAttr("block_w", block),
       ctx.attr("is_CRD", !toDepth && mode == "CRD"),
       ctx.attr("is_inversed", toDepth)});
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

LogicalResult convertReduce(NodeContext &ctx) {
  StringRef op = ctx.opType();
  int64_t rank = ctx.getRank(0);
  auto axesList = intsAttrOrInput(ctx, "axes", op == "ReduceSum" ? 13 : 18, 1);
  if (failed(axesList))
    return failure();
  Dims axes = axesList->value_or(Dims());
  if (axes.empty()) {
    if (ctx.attrs.getInt("noop_with_empty_axes", 0)) {
      ctx.setOutput(0, ctx.getValue(0));
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  FailureOr<Dims> norm = normalizeAxes(ctx, axes, rank);
  if (failed(norm))
    return failure();
  llvm::sort(*norm);
  bool keepDims = ctx.attrs.getInt("keepdims", 1) != 0;
  int64_t outRank = keepDims ? rank : rank - norm->size();

  // ReduceL1, ReduceSumSquare and ReduceLogSum decompose around a sum.
  StringRef mode =
      llvm::StringSwitch<StringRef>(op)
          .Cases("ReduceL1", "ReduceSumSquare", "ReduceLogSum", "ReduceSum")
          .Default(op);
  Value input = ctx.getValue(0);
  if (op == "ReduceL1" || op == "ReduceSumSquare") {
    FailureOr<Value> pre =
        op == "ReduceL1"
            ? ctx.createRanked<top::AbsOp>(ctx.tempName("abs"), rank, {input})
            : ctx.createRanked<top::MulOp>(ctx.tempName("square"), rank,
                                           {input, input});
    if (failed(pre))
      return failure();
    input = *pre;
  }
  std::string name =
      op == "ReduceLogSum" ? ctx.tempName("sum") : ctx.outputName(0).str();
  FailureOr<Value> reduced = ctx.createRanked<top::ReduceOp>(
      name, outRank, {input},
      {ctx.attr("axes", *norm), ctx.attr("keepdims", keepDims),
       ctx.attr("mode", mode)});
  if (failed(reduced))
    return failure();
  if (op == "ReduceLogSum")
    return ctx.emitAsOutput<top::LogOp>(outRank, {*reduced});
  ctx.setOutput(0, *reduced);
  return success();
}

LogicalResult convertArg(NodeContext &ctx) {
  int64_t rank = ctx.getRank(0);
  FailureOr<int64_t> axis = readAxis(ctx, 0, rank);
  if (failed(axis))
    return failure();
  bool keepDims = ctx.attrs.getInt("keepdims", 1) != 0;
  return ctx.emitAsOutput<top::ArgOp>(
      keepDims ? rank : rank - 1, {ctx.getValue(0)},
      {ctx.intAttr("axis", *axis), ctx.attr("keepdims", keepDims),
       ctx.attr("mode", ctx.opType()),
       ctx.attr("select_last_index",
                ctx.attrs.getInt("select_last_index", 0) != 0)});
}

} // namespace

void addShapeConverters(ConverterMap &map) {
  map["Concat"] = convertConcat;
  map["Split"] = convertSplit;
  map["Slice"] = convertSlice;
  map["Gather"] = convertGather;
  map["Reshape"] = convertReshape;
  map["Flatten"] = convertFlatten;
  map["Transpose"] = convertTranspose;
  map["Squeeze"] = convertSqueeze;
  map["Unsqueeze"] = convertUnsqueeze;
  map["Expand"] = convertExpand;
  map["Tile"] = convertTile;
  map["Pad"] = {convertPad, checkPad};
  map["DepthToSpace"] = {convertDepthToSpace, checkDepthToSpace};
  map["SpaceToDepth"] = convertDepthToSpace;
  map["ArgMax"] = convertArg;
  map["ArgMin"] = convertArg;
  for (const char *op :
       {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd",
        "ReduceL2", "ReduceL1", "ReduceSumSquare", "ReduceLogSum"})
    map[op] = convertReduce;
}

} // namespace tpuc::onnx_import
