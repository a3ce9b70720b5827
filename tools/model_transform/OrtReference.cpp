//===- OrtReference.cpp - onnxruntime as the reference engine -------------===//

#include "OrtReference.h"

#include "tpuc/Support/OnnxRuntime.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace tpuc {

Error runOnnxRuntime(StringRef model, StringRef inputNpz, StringRef outputNpz,
                     ArrayRef<std::string> outputs, StringRef scratchModel) {
  auto launch = prepareNodeLaunch("ort_run.js", "--reference onnxruntime");
  if (!launch)
    return launch.takeError();
  auto runModel = modelExposingOutputs(model, outputs, scratchModel);
  if (!runModel)
    return runModel.takeError();
  std::string outputList = join(outputs, ",");
  StringRef args[] = {launch->node, launch->script, *runModel, inputNpz,
                      outputNpz,    "--outputs",    outputList};
  auto run = runCaptured(launch->node, args, launch->environment);
  if (!run)
    return run.takeError();
  if (run->status != 0) {
    std::string why =
        run->lastStderrLine.empty() ? run->launchError : run->lastStderrLine;
    return createStringError(inconvertibleErrorCode(),
                             ("onnxruntime failed: " + why).c_str());
  }
  return Error::success();
}

} // namespace tpuc
