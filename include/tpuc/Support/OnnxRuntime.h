//===- OnnxRuntime.h - Starting onnxruntime-node from the tools -*- C++ -*-===//
//
// onnxruntime is the reference engine of model_transform --reference and of
// model_eval. It runs in node (npm onnxruntime-node, installed on first use
// by scripts/install-ort.sh) driven by the scripts of tools/ort_runner; this
// is the plumbing both tools share to find and start them.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_ONNXRUNTIME_H
#define TPUC_SUPPORT_ONNXRUNTIME_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace tpuc {

/// What it takes to start one tools/ort_runner script under node.
struct NodeLaunch {
  std::string node;   // The node executable.
  std::string script; // The script's path.
  /// The current environment with NODE_PATH pointing at onnxruntime-node and
  /// HOME filled in when unset (as under lit).
  std::vector<std::string> environment;
};

/// Finds node, tools/ort_runner/`scriptName` of the tpuc source tree
/// ($TPUC_SOURCE_DIR, else the tree the tool was built from) and
/// onnxruntime-node, installing the latter on first use. `purpose` names what
/// needs node in the error when it is missing.
llvm::Expected<NodeLaunch> prepareNodeLaunch(llvm::StringRef scriptName,
                                             llvm::StringRef purpose);

/// `model` when each tensor of `outputs` is a graph output; otherwise a copy
/// written to `copyPath` that lists them as outputs too, since onnxruntime
/// only fetches graph outputs.
llvm::Expected<std::string>
modelExposingOutputs(llvm::StringRef model, llvm::ArrayRef<std::string> outputs,
                     llvm::StringRef copyPath);

/// The outcome of a program run with its stdout and stderr captured.
struct CapturedRun {
  int status = -1;
  std::string lastStdoutLine, lastStderrLine;
  std::string launchError; // Set when the program could not be started.
};

/// Runs `program` with `args` (args[0] included) in `environment` and waits.
llvm::Expected<CapturedRun>
runCaptured(llvm::StringRef program, llvm::ArrayRef<llvm::StringRef> args,
            llvm::ArrayRef<std::string> environment);

/// The last non-empty line of the file at `path` ("" when unreadable).
std::string lastLineOf(llvm::StringRef path);

} // namespace tpuc

#endif // TPUC_SUPPORT_ONNXRUNTIME_H
