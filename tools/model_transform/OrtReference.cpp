//===- OrtReference.cpp - onnxruntime as the reference engine -------------===//

#include "OrtReference.h"

#include "tpuc/Support/ToolSupport.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx_pb.h>

#include <climits>
#include <pwd.h>
#include <unistd.h>

extern char **environ;

using namespace llvm;

namespace tpuc {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

/// The tpuc source tree: $TPUC_SOURCE_DIR, else the one this tool was built
/// from.
static std::string sourceDir() {
  if (std::optional<std::string> dir = sys::Process::GetEnv("TPUC_SOURCE_DIR"))
    return *dir;
  return TPUC_SOURCE_DIR;
}

/// The last non-empty line of a captured output file.
static std::string lastLine(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return "";
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  return lines.empty() ? "" : lines.back().trim().str();
}

/// The current environment with `overrides` (NAME=value) replacing or adding
/// entries. HOME is filled in from the password database when unset (as under
/// lit), since the installer caches onnxruntime-node below it.
static std::vector<std::string>
childEnvironment(ArrayRef<std::string> overrides) {
  std::vector<std::string> env;
  auto overridden = [&](StringRef entry) {
    StringRef name = entry.split('=').first;
    return llvm::any_of(overrides, [&](const std::string &o) {
      return StringRef(o).split('=').first == name;
    });
  };
  bool hasHome = false;
  for (char **entry = environ; *entry; ++entry) {
    if (overridden(*entry))
      continue;
    hasHome |= StringRef(*entry).starts_with("HOME=");
    env.push_back(*entry);
  }
  if (!hasHome)
    if (const passwd *user = getpwuid(getuid()); user && user->pw_dir)
      env.push_back(std::string("HOME=") + user->pw_dir);
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

namespace {
/// A program run with stdout and stderr captured in temporary files.
struct CapturedRun {
  SmallString<128> out, err;
  FileRemover outRemover, errRemover;
  int status = -1;
  std::string errorMessage;

  Error run(StringRef program, ArrayRef<StringRef> args,
            ArrayRef<std::string> envStrings) {
    std::vector<StringRef> env(envStrings.begin(), envStrings.end());
    if (std::error_code ec =
            sys::fs::createTemporaryFile("model_transform", "out", out))
      return makeError("cannot create a temporary file: " + ec.message());
    outRemover.setFile(out);
    if (std::error_code ec =
            sys::fs::createTemporaryFile("model_transform", "err", err))
      return makeError("cannot create a temporary file: " + ec.message());
    errRemover.setFile(err);
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(out),
                                            StringRef(err)};
    status =
        sys::ExecuteAndWait(program, args, env, redirects, 0, 0, &errorMessage);
    return Error::success();
  }
};
} // namespace

/// Where onnxruntime-node is installed (installing it on first use).
static Expected<std::string> findNodeModules(StringRef srcDir) {
  SmallString<256> installer(srcDir);
  sys::path::append(installer, "scripts", "install-ort.sh");
  if (!sys::fs::exists(installer))
    return makeError(installer + " not found (set TPUC_SOURCE_DIR to the tpuc "
                                 "source tree)");
  auto bash = sys::findProgramByName("bash");
  if (!bash)
    return makeError("bash not found on PATH (needed to run " + installer +
                     ")");
  CapturedRun install;
  StringRef args[] = {*bash, installer};
  if (Error err = install.run(*bash, args, childEnvironment({})))
    return std::move(err);
  std::string modules = lastLine(install.out);
  if (install.status != 0 || modules.empty())
    return makeError("cannot install onnxruntime-node with " + installer +
                     ": " + lastLine(install.err));
  return modules;
}

/// `model` when every tensor of `outputs` is a graph output; otherwise a copy
/// written to `scratchModel` that lists them as outputs too, since
/// onnxruntime only fetches graph outputs.
static Expected<std::string> modelWithOutputs(StringRef model,
                                              ArrayRef<std::string> outputs,
                                              StringRef scratchModel) {
  auto buffer = MemoryBuffer::getFile(model, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(model + ": " + buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  onnx::ModelProto proto;
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(data.data()),
      static_cast<int>(std::min<size_t>(data.size(), INT_MAX)));
  stream.SetTotalBytesLimit(INT_MAX);
  if (data.size() > static_cast<size_t>(INT_MAX) ||
      !proto.ParseFromCodedStream(&stream))
    return makeError(model + ": cannot parse for onnxruntime");
  onnx::GraphProto *graph = proto.mutable_graph();
  StringSet<> present;
  for (const onnx::ValueInfoProto &output : graph->output())
    present.insert(output.name());
  bool added = false;
  for (const std::string &name : outputs)
    if (present.insert(name).second) {
      // A name alone: onnxruntime infers the type.
      graph->add_output()->set_name(name);
      added = true;
    }
  if (!added)
    return model.str();
  for (const onnx::TensorProto &init : graph->initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL)
      return makeError(model + ": cannot compare inner tensors of a model "
                               "with external data");
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return makeError(model + ": cannot serialize a copy for onnxruntime");
  if (Error err = writeFileAtomically(scratchModel, bytes))
    return std::move(err);
  return scratchModel.str();
}

Error runOnnxRuntime(StringRef model, StringRef inputNpz, StringRef outputNpz,
                     ArrayRef<std::string> outputs, StringRef scratchModel) {
  std::string srcDir = sourceDir();
  SmallString<256> runner(srcDir);
  sys::path::append(runner, "tools", "ort_runner", "ort_run.js");
  if (!sys::fs::exists(runner))
    return makeError(runner + " not found (set TPUC_SOURCE_DIR to the tpuc "
                              "source tree)");
  auto node = sys::findProgramByName("node");
  if (!node)
    return makeError("--reference onnxruntime needs node on PATH");
  auto modules = findNodeModules(srcDir);
  if (!modules)
    return modules.takeError();

  auto runModel = modelWithOutputs(model, outputs, scratchModel);
  if (!runModel)
    return runModel.takeError();
  std::string outputList = join(outputs, ",");
  StringRef args[] = {*node,     runner,      *runModel, inputNpz,
                      outputNpz, "--outputs", outputList};
  CapturedRun run;
  if (Error err =
          run.run(*node, args, childEnvironment({"NODE_PATH=" + *modules})))
    return err;
  if (run.status != 0) {
    std::string why = lastLine(run.err);
    if (why.empty())
      why = run.errorMessage;
    return makeError("onnxruntime failed: " + why);
  }
  return Error::success();
}

} // namespace tpuc
