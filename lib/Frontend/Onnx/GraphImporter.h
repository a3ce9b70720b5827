//===- GraphImporter.h - State of one ONNX import ---------------*- C++ -*-===//
//
// The class that runs one import (OnnxImporter.cpp lists its stages) and
// the helpers its files share. Its members are defined by stage in
// OnnxImporter.cpp, ImportSelection.cpp, ImportTensors.cpp,
// ImportFunction.cpp and ImportNodes.cpp; NodeContext.cpp gives the
// converters their view of it. Nothing outside the importer includes this
// header (the converters see only OnnxImporterImpl.h).
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
#define TPUC_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "OnnxImporterImpl.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

namespace tpuc::onnx_import {

/// The state of one import: the tensors known so far by ONNX name, the
/// module being built and the problems found.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &ctx, OnnxModel &model,
                const OnnxImportOptions &options, NpzMap &weights)
      : ctx_(ctx), model_(model), options_(options), weights_(weights),
        builder_(&ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> run();

private:
  friend class NodeContext;

  struct TensorEntry {
    mlir::Value value;
    ConstTensorPtr constant;
    const onnx::TensorProto *initializer = nullptr;
    /// Produced by a node that could not be converted.
    bool poisoned = false;
    /// ONNX element type of a value that is not a constant (0 = unknown).
    int32_t dataType = 0;
  };

  mlir::LogicalResult selectOutputs();
  void collectNeededNodes();
  void checkOpTypes();
  mlir::LogicalResult loadInitializers();
  mlir::LogicalResult createFunction();
  mlir::LogicalResult convertNodes();
  mlir::LogicalResult convertNode(const onnx::NodeProto &node);
  mlir::LogicalResult createReturn();
  mlir::LogicalResult reportUnsupported();

  /// Records that node `node` (of type `opType`) uses `what`, an op type
  /// or an op type followed by an attribute value, that tpuc cannot import.
  void recordUnsupported(const std::string &opType, const std::string &what,
                         const std::string &node);
  bool nodeInputsReady(const onnx::NodeProto &node) const;
  mlir::LogicalResult preprocessAttrs(llvm::StringRef inputName,
                                      llvm::ArrayRef<int64_t> shape,
                                      mlir::NamedAttrList &attrs);

  llvm::ArrayRef<int64_t> shapeOf(const TensorEntry &entry) const;
  int32_t dataTypeOf(llvm::StringRef name);
  int32_t inferDataType(const onnx::NodeProto &node, int output);
  mlir::Value materialize(llvm::StringRef name, TensorEntry &entry);
  mlir::Value createWeight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                           std::vector<float> data);
  std::string uniqueName(llvm::StringRef base);
  void claimName(llvm::StringRef name) { assigned_.insert(name); }

  mlir::MLIRContext &ctx_;
  OnnxModel &model_;
  const OnnxImportOptions &options_;
  NpzMap &weights_;
  mlir::OpBuilder builder_;
  ConverterMap converters_;

  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::func::FuncOp func_;
  mlir::Value none_;

  llvm::StringMap<TensorEntry> tensors_;
  /// Element types the model declares (graph inputs and outputs,
  /// value_info).
  llvm::StringMap<int32_t> declaredTypes_;
  std::vector<std::string> outputNames_;
  llvm::StringMap<int> producer_;
  std::vector<bool> needed_;
  llvm::StringSet<> usedTensors_;
  llvm::StringSet<> reserved_;
  llvm::StringSet<> assigned_;
  llvm::DenseMap<const ConstTensor *, mlir::Value> weightOf_;

  struct Unsupported {
    std::string opType, what;
    std::vector<std::string> nodes;
  };
  std::vector<Unsupported> unsupported_;
  llvm::StringMap<size_t> unsupportedIndex_;
  /// Nodes whose attributes an AttributeCheck rejected.
  llvm::SmallPtrSet<const onnx::NodeProto *, 4> rejected_;
  const onnx::NodeProto *currentNode_ = nullptr;
};

/// The node's name, else its first non-empty output, else its op type.
std::string nodeLabel(const onnx::NodeProto &node);
/// Whether the node is in the default (ai.onnx) domain.
bool isDefaultDomain(const onnx::NodeProto &node);

} // namespace tpuc::onnx_import

#endif // TPUC_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
