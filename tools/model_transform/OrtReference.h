//===- OrtReference.h - onnxruntime as the reference engine ------*- C++
//-*-===//
//
// Runs the original ONNX model with onnxruntime (node + onnxruntime-node,
// installed by scripts/install-ort.sh, driven by tools/ort_runner/ort_run.js
// of the tpuc source tree) so that the imported model can be checked against
// it.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOOLS_MODEL_TRANSFORM_ORTREFERENCE_H
#define TPUC_TOOLS_MODEL_TRANSFORM_ORTREFERENCE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace tpuc {

/// Runs `model` on the arrays of `inputNpz` (keyed by input name) and writes
/// the tensors `outputs` to `outputNpz` as float32. When some of them are not
/// graph outputs, a copy of the model exposing them is written to
/// `scratchModel` and run instead.
llvm::Error runOnnxRuntime(llvm::StringRef model, llvm::StringRef inputNpz,
                           llvm::StringRef outputNpz,
                           llvm::ArrayRef<std::string> outputs,
                           llvm::StringRef scratchModel);

} // namespace tpuc

#endif // TPUC_TOOLS_MODEL_TRANSFORM_ORTREFERENCE_H
