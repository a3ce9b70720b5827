//===- OrtSession.h - An onnxruntime session in a node process --*- C++ -*-===//
//
// model_eval runs the ONNX model over a whole dataset. Starting node and
// creating a session per image would cost more than the inference, so one
// `node tools/ort_runner/ort_serve.js` process keeps the session and runs
// one request per image, exchanging .npz files in a scratch folder.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOOLS_MODEL_EVAL_ORTSESSION_H
#define TPUC_TOOLS_MODEL_EVAL_ORTSESSION_H

#include "tpuc/Interpreter/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace tpuc {

class OrtSession {
public:
  /// Starts onnxruntime on `model`, fetching `outputs` (inner tensors too:
  /// a copy of the model listing them as graph outputs is written to
  /// `scratchDir`, which also holds the exchanged files).
  static llvm::Expected<std::unique_ptr<OrtSession>>
  start(llvm::StringRef model, llvm::ArrayRef<std::string> outputs,
        llvm::StringRef scratchDir);
  ~OrtSession();

  /// Runs the model; `results` receives the outputs in the order given to
  /// start().
  llvm::Error run(const TensorMap &inputs, std::vector<Tensor> &results);

private:
  OrtSession() = default;
  llvm::Error readLine(std::string &line);
  llvm::Error childFailed(llvm::StringRef what);

  std::string model_;
  std::vector<std::string> outputs_;
  std::string inPath_, outPath_, errPath_;
  int pid_ = -1;
  int toChild_ = -1, fromChild_ = -1;
  std::string pending_;
};

} // namespace tpuc

#endif // TPUC_TOOLS_MODEL_EVAL_ORTSESSION_H
