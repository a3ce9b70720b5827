//===- OnnxImporter.h - ONNX models to the Top dialect -----------*- C++
//-*-===//
//
// Reads an ONNX model (IR versions 3-10, ai.onnx opsets 7-21) and builds a
// TOP_F32 module: one `top.Input` per graph input, one `top.Weight` per
// initializer or constant actually used, Top ops named after the ONNX output
// tensor they produce. Subgraphs that only compute shapes are folded at
// import time.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_FRONTEND_ONNXIMPORTER_H
#define TPUC_FRONTEND_ONNXIMPORTER_H

#include "tpuc/Support/Npz.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>
#include <vector>

namespace tpuc {

/// Preprocessing recorded on every image-like `top.Input` (see TopOps.td).
struct InputPreprocess {
  std::string pixelFormat = "bgr";    ///< rgb|bgr|gray|rgba
  std::string channelFormat = "nchw"; ///< nchw|nhwc|none
  std::vector<int64_t> resizeDims;    ///< h,w; empty = the input's dims
  bool keepAspectRatio = false;
  int64_t padValue = 0;
  std::vector<double> mean;  ///< per channel; empty = 0
  std::vector<double> scale; ///< per channel; empty = 1
};

struct OnnxImportOptions {
  std::string modelName;
  /// Overrides of the graph inputs' shapes, in input order; fixes dynamic
  /// dims. Empty = the model's own (which must then be static).
  std::vector<std::vector<int64_t>> inputShapes;
  /// Tensors to make the outputs (cutting the graph); empty = the graph's.
  std::vector<std::string> outputNames;
  /// Path recorded in `top.weight_file`.
  std::string weightFileName;
  std::optional<InputPreprocess> preprocess;
};

/// Imports `path`. Errors (unreadable file, unsupported ops with the nodes
/// that use them, shape conflicts, unknown output names) are emitted as
/// diagnostics on `ctx` and yield null. `weights` receives the data of
/// every `top.Weight` by name.
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &ctx,
                                             llvm::StringRef path,
                                             const OnnxImportOptions &options,
                                             NpzMap &weights);

/// ai.onnx op types the importer converts to Top ops for run-time inputs,
/// sorted (ops it can only fold on constants are not included). Used by the
/// conformance runner to tell unsupported ops (skips) from failures.
std::vector<std::string> getSupportedOnnxOps();

/// Reads a serialized onnx.TensorProto (as in the ONNX test data's
/// `input_0.pb`) into an array; `name` receives the tensor's name.
llvm::Expected<NpyArray> readTensorProtoFile(llvm::StringRef path,
                                             std::string &name);

} // namespace tpuc

#endif // TPUC_FRONTEND_ONNXIMPORTER_H
