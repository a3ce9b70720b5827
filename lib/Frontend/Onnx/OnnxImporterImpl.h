//===- OnnxImporterImpl.h - Internals of the ONNX importer -------*- C++
//-*-===//
//
// Shared by the files of lib/Frontend/Onnx: constant tensors known at import
// time, the loaded model, the constant folder and the per-node conversion
// context that the op converters (ConvertNN.cpp, ConvertElementwise.cpp, ...)
// build Top ops through.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_FRONTEND_ONNX_ONNXIMPORTERIMPL_H
#define TPUC_LIB_FRONTEND_ONNX_ONNXIMPORTERIMPL_H

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Frontend/OnnxImporter.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tpuc::onnx_import {

//===----------------------------------------------------------------------===//
// Constant tensors
//===----------------------------------------------------------------------===//

/// Whether an ONNX element type (onnx::TensorProto::DataType) is a floating
/// point type; such tensors keep their values as float.
bool isFloatDataType(int32_t dataType);
/// Whether it is an integer type other than BOOL.
bool isIntegerDataType(int32_t dataType);
/// "FLOAT", "INT64", ... for messages.
std::string dataTypeName(int32_t dataType);

/// A tensor whose value is known at import time: an initializer, a Constant
/// node or the result of folding. Float element types hold `floats`, integer
/// and bool types hold `ints` (exact for int64 shape arithmetic).
struct ConstTensor {
  int32_t dataType = onnx::TensorProto::FLOAT;
  std::vector<int64_t> shape;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  bool isFloat() const { return isFloatDataType(dataType); }
  int64_t numel() const;
  double getDouble(int64_t index) const;
  int64_t getInt(int64_t index) const;
  std::vector<float> toFloats() const;
  std::vector<int64_t> toInts() const;

  static ConstTensor fromInts(std::vector<int64_t> shape,
                              std::vector<int64_t> values,
                              int32_t dataType = onnx::TensorProto::INT64);
  static ConstTensor fromFloats(std::vector<int64_t> shape,
                                std::vector<float> values,
                                int32_t dataType = onnx::TensorProto::FLOAT);
};

using ConstTensorPtr = std::shared_ptr<const ConstTensor>;

/// Decodes a TensorProto (raw or typed data, or external data stored
/// relative to `baseDir`). Errors name the tensor.
llvm::Expected<ConstTensor> tensorFromProto(const onnx::TensorProto &proto,
                                            llvm::StringRef baseDir);

//===----------------------------------------------------------------------===//
// The model file
//===----------------------------------------------------------------------===//

/// A parsed ONNX model with the facts the importer needs.
struct OnnxModel {
  onnx::ModelProto proto;
  std::string path;
  /// Directory that external tensor data is relative to.
  std::string baseDir;
  /// Version of the default (ai.onnx) opset.
  int64_t opset = 0;

  const onnx::GraphProto &graph() const { return proto.graph(); }
};

/// Reads and checks `path` (IR versions 3-10, ai.onnx opsets 7-21). Errors
/// are one line naming the file.
llvm::Expected<std::unique_ptr<OnnxModel>> loadOnnxModel(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// Node attributes
//===----------------------------------------------------------------------===//

/// Typed lookups of a node's attributes with defaults.
class NodeAttributes {
public:
  explicit NodeAttributes(const onnx::NodeProto &node) : node_(node) {}

  const onnx::AttributeProto *find(llvm::StringRef name) const;
  bool has(llvm::StringRef name) const { return find(name) != nullptr; }
  int64_t getInt(llvm::StringRef name, int64_t defaultValue) const;
  float getFloat(llvm::StringRef name, float defaultValue) const;
  std::string getString(llvm::StringRef name,
                        llvm::StringRef defaultValue) const;
  std::optional<std::vector<int64_t>> getInts(llvm::StringRef name) const;
  std::optional<std::vector<float>> getFloats(llvm::StringRef name) const;
  const onnx::TensorProto *getTensor(llvm::StringRef name) const;

private:
  const onnx::NodeProto &node_;
};

//===----------------------------------------------------------------------===//
// Constant folding
//===----------------------------------------------------------------------===//

/// What the folder knows about one node input.
struct FoldInput {
  bool present = false;
  /// The value when it is a constant, else null.
  const ConstTensor *value = nullptr;
  /// The (static) shape, known for every present input.
  llvm::ArrayRef<int64_t> shape;
};

/// Evaluates `node` at import time when it is one of the small set of ops the
/// folder implements and the inputs it needs are known (only shapes for
/// Shape and Size). Returns false when the node cannot be folded; an error
/// when its inputs are invalid for the op.
llvm::Expected<bool> foldNode(const onnx::NodeProto &node, int64_t opset,
                              const std::string &baseDir,
                              llvm::ArrayRef<FoldInput> inputs,
                              std::vector<ConstTensor> &outputs);

//===----------------------------------------------------------------------===//
// Node conversion
//===----------------------------------------------------------------------===//

class GraphImporter;

/// What a converter sees of the node it converts and the graph around it.
/// Converters build Top ops through create(), which infers each result's
/// shape immediately, and bind the node's outputs with setOutput().
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node, int64_t opset);

  const onnx::NodeProto &node;
  const NodeAttributes attrs;
  const int64_t opset;
  mlir::OpBuilder &builder;

  llvm::StringRef opType() const { return node.op_type(); }
  /// The node's name, or its first output's when it has none.
  std::string nodeName() const;

  // Inputs. Absent optional inputs (missing or named "") are not present.
  unsigned numInputs() const { return node.input_size(); }
  bool hasInput(unsigned index) const;
  /// The input's constant value, or null when it is computed at run time
  /// (or absent).
  const ConstTensor *getConstant(unsigned index);
  bool isConstant(unsigned index) { return getConstant(index) != nullptr; }
  /// The input as an SSA value; constants become a `top.Weight`.
  mlir::Value getValue(unsigned index);
  llvm::ArrayRef<int64_t> getShape(unsigned index);
  int64_t getRank(unsigned index) { return getShape(index).size(); }
  /// The input's ONNX element type (onnx::TensorProto::DataType), or 0
  /// (UNDEFINED) when neither the model nor the importer knows it.
  int32_t getDataType(unsigned index);
  /// The MLIR element type of ONNX integer results of this node's first
  /// input's type (ui8 for UINT8, ...), or null when that input is not
  /// known to be an integer tensor. Ops whose result keeps their input's
  /// integer type (Div, Pow) are built with it so that their kernels give
  /// integer results.
  mlir::Type integerResultType();

  // Outputs.
  unsigned numOutputs() const { return node.output_size(); }
  llvm::StringRef outputName(unsigned index) const;
  /// Whether a node that is converted reads the output (or it is a graph
  /// output).
  bool isOutputUsed(unsigned index) const;
  void setOutput(unsigned index, mlir::Value value);
  void setConstantOutput(unsigned index, ConstTensor value);

  // Building.
  mlir::MLIRContext *getContext() { return builder.getContext(); }
  mlir::Location nameLoc(llvm::StringRef name);
  /// `base`, or `base_N`, unused by any tensor of the model or the module.
  std::string uniqueName(llvm::StringRef base);
  /// A unique name for an intermediate op of a decomposition of this node.
  std::string tempName(llvm::StringRef suffix);

  /// Creates an op with one result of `shape` (unknown dims are
  /// ShapedType::kDynamic), verifies it and infers its shape, which must
  /// become static. Errors are emitted on the op.
  /// The result's element type is `elementType`, f32 when null.
  template <typename OpT>
  mlir::FailureOr<mlir::Value>
  create(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
         mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attributes = {},
         mlir::Type elementType = {}) {
    mlir::FailureOr<mlir::Operation *> op =
        createOp(OpT::getOperationName(), nameLoc(name),
                 {makeType(shape, elementType)}, operands, attributes);
    if (mlir::failed(op))
      return mlir::failure();
    return (*op)->getResult(0);
  }
  /// Same with `rank` unknown dims.
  template <typename OpT>
  mlir::FailureOr<mlir::Value>
  createRanked(llvm::StringRef name, int64_t rank, mlir::ValueRange operands,
               llvm::ArrayRef<mlir::NamedAttribute> attributes = {},
               mlir::Type elementType = {}) {
    llvm::SmallVector<int64_t> shape(rank, mlir::ShapedType::kDynamic);
    return create<OpT>(name, shape, operands, attributes, elementType);
  }
  /// The general form (several results, any element types).
  mlir::FailureOr<mlir::Operation *>
  createOp(llvm::StringRef opName, mlir::Location loc,
           llvm::ArrayRef<mlir::Type> resultTypes, mlir::ValueRange operands,
           llvm::ArrayRef<mlir::NamedAttribute> attributes);
  mlir::RankedTensorType makeType(llvm::ArrayRef<int64_t> shape,
                                  mlir::Type elementType = {});

  /// A new `top.Weight` named after `baseName` (made unique).
  mlir::Value createWeight(llvm::StringRef baseName,
                           llvm::ArrayRef<int64_t> shape,
                           std::vector<float> data);
  /// A new `top.Weight` holding a transformed form of constant input
  /// `index`, named after that input unless its name is taken.
  mlir::Value createWeightFor(unsigned index, llvm::ArrayRef<int64_t> shape,
                              std::vector<float> data);
  mlir::Value none();

  // Attributes.
  mlir::NamedAttribute attr(llvm::StringRef name, llvm::ArrayRef<int64_t> v);
  mlir::NamedAttribute attr(llvm::StringRef name, double v);
  mlir::NamedAttribute attr(llvm::StringRef name, bool v);
  mlir::NamedAttribute attr(llvm::StringRef name, const char *v);
  mlir::NamedAttribute attr(llvm::StringRef name, llvm::StringRef v);
  mlir::NamedAttribute intAttr(llvm::StringRef name, int64_t v);

  // Problems.
  /// Records an unsupported use (`what` is e.g. "Resize mode 'cubic'") to be
  /// reported with the others; returns failure.
  mlir::LogicalResult unsupported(const llvm::Twine &what);
  /// Emits an error about this node; returns failure.
  mlir::LogicalResult error(const llvm::Twine &message);
  bool reportedUnsupported() const { return reportedUnsupported_; }

  /// Shortcut for the common case: one op named after output 0 that
  /// becomes output 0.
  template <typename OpT>
  mlir::LogicalResult
  emitAsOutput(int64_t rank, mlir::ValueRange operands,
               llvm::ArrayRef<mlir::NamedAttribute> attrs = {},
               mlir::Type elementType = {}) {
    mlir::FailureOr<mlir::Value> value =
        createRanked<OpT>(outputName(0), rank, operands, attrs, elementType);
    if (mlir::failed(value))
      return mlir::failure();
    setOutput(0, *value);
    return mlir::success();
  }

private:
  GraphImporter &graph_;
  bool reportedUnsupported_ = false;
};

using Converter = mlir::LogicalResult (*)(NodeContext &);

/// What of a node's attributes alone makes it unsupported (e.g. "Resize
/// mode 'cubic'"), or nullopt. Checks run on every node the outputs need
/// before any node is converted, so that nodes downstream of an unsupported
/// one, which are never converted, are reported as well; converters are
/// only called on nodes that pass.
using AttributeCheck = std::optional<std::string> (*)(
    const NodeAttributes &attrs, llvm::StringRef opType, int64_t opset);

struct ConverterEntry {
  ConverterEntry() = default;
  ConverterEntry(Converter convert, AttributeCheck check = nullptr)
      : convert(convert), check(check) {}
  Converter convert = nullptr;
  AttributeCheck check = nullptr;
};
using ConverterMap = llvm::StringMap<ConverterEntry>;

void addNNConverters(ConverterMap &map);
void addElementwiseConverters(ConverterMap &map);
void addShapeConverters(ConverterMap &map);
void addResizeConverters(ConverterMap &map);

//===----------------------------------------------------------------------===//
// Helpers shared by converters
//===----------------------------------------------------------------------===//

/// The MLIR element type tpuc gives a tensor of ONNX type `dataType` when
/// an op must keep it (Cast's result, integer results): f32 for FLOAT and
/// DOUBLE, f16, bf16, i1 for BOOL, signed or unsigned integers of the
/// type's width; nullopt for types tpuc has no counterpart of (STRING,
/// complex, the float8 types).
std::optional<mlir::Type> elementTypeOf(mlir::MLIRContext *ctx,
                                        int32_t dataType);

/// Normalizes a possibly negative axis; nullopt when out of range.
std::optional<int64_t> normalizeAxisValue(int64_t axis, int64_t rank);
/// Fills Slice's omitted axes (0, 1, ...) and steps (all 1); false when
/// starts, ends, axes and steps then differ in length.
bool completeSliceArgs(const std::vector<int64_t> &starts,
                       const std::vector<int64_t> &ends,
                       std::vector<int64_t> &axes, std::vector<int64_t> &steps);
/// numpy broadcast of two static shapes; nullopt when incompatible.
std::optional<std::vector<int64_t>> broadcastStatic(llvm::ArrayRef<int64_t> a,
                                                    llvm::ArrayRef<int64_t> b);
int64_t productOf(llvm::ArrayRef<int64_t> dims);

} // namespace tpuc::onnx_import

#endif // TPUC_LIB_FRONTEND_ONNX_ONNXIMPORTERIMPL_H
