//===- ConstantFolderImpl.h - Internals of the constant folder --*- C++ -*-===//
//
// Shared by the files of the ONNX constant folder: ConstantFolder.cpp (the
// driver, foldNode) and the kernels it dispatches to, grouped by kind in
// ConstantFold*.cpp. Nothing outside the folder includes this header.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_FRONTEND_ONNX_CONSTANTFOLDERIMPL_H
#define TPUC_LIB_FRONTEND_ONNX_CONSTANTFOLDERIMPL_H

#include "OnnxImporterImpl.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>
#include <vector>

namespace tpuc::onnx_import {

using Shape = std::vector<int64_t>;

//===----------------------------------------------------------------------===//
// Helpers shared by the kernels (ConstantFoldUtils.cpp)
//===----------------------------------------------------------------------===//

llvm::Error foldError(const onnx::NodeProto &node, const llvm::Twine &message);

std::string shapeText(llvm::ArrayRef<int64_t> shape);

Shape stridesOf(llvm::ArrayRef<int64_t> shape);

/// Calls `fn(index)` for every multi-index of `shape` in C order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn);

/// For each element of `outShape`, the offset of the element of an input of
/// `inShape` that numpy broadcasting reads.
Shape broadcastOffsets(llvm::ArrayRef<int64_t> inShape,
                       llvm::ArrayRef<int64_t> outShape);

/// The elements of `src` at `offsets`, shaped `shape`.
ConstTensor take(const ConstTensor &src, Shape shape,
                 llvm::ArrayRef<int64_t> offsets);

ConstTensor withShape(const ConstTensor &src, Shape shape);

/// Fetches an int list that is an attribute before `inputSinceOpset` and an
/// optional input from then on.
std::optional<Shape> intsFromAttrOrInput(const NodeAttributes &attrs,
                                         llvm::StringRef name, int64_t opset,
                                         int64_t inputSinceOpset,
                                         llvm::ArrayRef<FoldInput> inputs,
                                         unsigned inputIndex);

llvm::Expected<Shape> normalizeAxes(const onnx::NodeProto &node,
                                    llvm::ArrayRef<int64_t> axes, int64_t rank);
/// The node's `axis` attribute (default 0) normalized for `rank`.
llvm::Expected<int64_t> axisAttribute(const onnx::NodeProto &node,
                                      const NodeAttributes &attrs,
                                      int64_t rank);

//===----------------------------------------------------------------------===//
// Elementwise (ConstantFoldElementwise.cpp)
//===----------------------------------------------------------------------===//

ConstTensor castTo(const ConstTensor &src, int32_t dataType);

enum class BinaryKind {
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Pow,
  Max,
  Min,
  Equal,
  Less,
  Greater,
  LessOrEqual,
  GreaterOrEqual,
  And,
  Or,
  Xor,
  Unknown
};

llvm::Expected<ConstTensor> foldBinary(const onnx::NodeProto &node,
                                       BinaryKind kind, const ConstTensor &a,
                                       const ConstTensor &b, bool fmod);

std::optional<ConstTensor> foldUnary(llvm::StringRef op, const ConstTensor &x);

BinaryKind binaryKindOf(llvm::StringRef op);

//===----------------------------------------------------------------------===//
// Data movement (ConstantFoldDataMovement.cpp)
//===----------------------------------------------------------------------===//

llvm::Expected<ConstTensor> foldGather(const onnx::NodeProto &node,
                                       const NodeAttributes &attrs,
                                       const ConstTensor &data,
                                       const ConstTensor &indices);

llvm::Expected<ConstTensor>
foldConcat(const onnx::NodeProto &node, const NodeAttributes &attrs,
           llvm::ArrayRef<const ConstTensor *> parts);

llvm::Expected<bool> foldSplit(const onnx::NodeProto &node,
                               const NodeAttributes &attrs, int64_t opset,
                               llvm::ArrayRef<FoldInput> inputs,
                               std::vector<ConstTensor> &outputs);

llvm::Expected<ConstTensor> foldSlice(const onnx::NodeProto &node,
                                      const NodeAttributes &attrs,
                                      int64_t opset,
                                      llvm::ArrayRef<FoldInput> inputs);

llvm::Expected<ConstTensor> foldTranspose(const onnx::NodeProto &node,
                                          const NodeAttributes &attrs,
                                          const ConstTensor &data);

llvm::Expected<ConstTensor> foldTile(const onnx::NodeProto &node,
                                     const ConstTensor &data,
                                     const ConstTensor &repeatsTensor);

llvm::Expected<ConstTensor> foldReshape(const onnx::NodeProto &node,
                                        const NodeAttributes &attrs,
                                        const ConstTensor &data,
                                        const ConstTensor &shapeTensor);

//===----------------------------------------------------------------------===//
// Reductions (ConstantFoldReduce.cpp)
//===----------------------------------------------------------------------===//

llvm::Expected<ConstTensor> foldReduce(const onnx::NodeProto &node,
                                       const NodeAttributes &attrs,
                                       int64_t opset,
                                       llvm::ArrayRef<FoldInput> inputs);

} // namespace tpuc::onnx_import

#endif // TPUC_LIB_FRONTEND_ONNX_CONSTANTFOLDERIMPL_H
