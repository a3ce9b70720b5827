//===- OnnxRuntime.cpp - Starting onnxruntime-node from the tools ---------===//

#include "tpuc/Support/OnnxRuntime.h"

#include "tpuc/Support/AtomicFile.h"

#include "llvm/ADT/SmallString.h"
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

static std::string sourceDir() {
  if (std::optional<std::string> dir = sys::Process::GetEnv("TPUC_SOURCE_DIR"))
    return *dir;
  return TPUC_SOURCE_DIR;
}

std::string lastLineOf(StringRef path) {
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

Expected<CapturedRun> runCaptured(StringRef program, ArrayRef<StringRef> args,
                                  ArrayRef<std::string> environment) {
  SmallString<128> out, err;
  if (std::error_code ec = sys::fs::createTemporaryFile("tpuc", "out", out))
    return makeError("cannot create a temporary file: " + ec.message());
  FileRemover outRemover(out);
  if (std::error_code ec = sys::fs::createTemporaryFile("tpuc", "err", err))
    return makeError("cannot create a temporary file: " + ec.message());
  FileRemover errRemover(err);
  std::vector<StringRef> env(environment.begin(), environment.end());
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(out),
                                          StringRef(err)};
  CapturedRun result;
  result.status = sys::ExecuteAndWait(program, args, env, redirects, 0, 0,
                                      &result.launchError);
  result.lastStdoutLine = lastLineOf(out);
  result.lastStderrLine = lastLineOf(err);
  return result;
}

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
  StringRef args[] = {*bash, installer};
  auto install = runCaptured(*bash, args, childEnvironment({}));
  if (!install)
    return install.takeError();
  if (install->status != 0 || install->lastStdoutLine.empty()) {
    std::string why = install->lastStderrLine.empty() ? install->launchError
                                                      : install->lastStderrLine;
    return makeError("cannot install onnxruntime-node with " + installer +
                     ": " + why);
  }
  return install->lastStdoutLine;
}

Expected<NodeLaunch> prepareNodeLaunch(StringRef scriptName,
                                       StringRef purpose) {
  std::string srcDir = sourceDir();
  SmallString<256> script(srcDir);
  sys::path::append(script, "tools", "ort_runner", scriptName);
  if (!sys::fs::exists(script))
    return makeError(script + " not found (set TPUC_SOURCE_DIR to the tpuc "
                              "source tree)");
  auto node = sys::findProgramByName("node");
  if (!node)
    return makeError(purpose + " needs node on PATH");
  auto modules = findNodeModules(srcDir);
  if (!modules)
    return modules.takeError();
  NodeLaunch launch;
  launch.node = *node;
  launch.script = std::string(script);
  launch.environment = childEnvironment({"NODE_PATH=" + *modules});
  return launch;
}

Expected<std::string> modelExposingOutputs(StringRef model,
                                           ArrayRef<std::string> outputs,
                                           StringRef copyPath) {
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
    return makeError(model + ": not an ONNX model (cannot parse it)");
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
      return makeError(model + ": cannot fetch inner tensors of a model with "
                               "external data");
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return makeError(model + ": cannot serialize a copy for onnxruntime");
  if (Error err = writeFileAtomically(copyPath, bytes))
    return std::move(err);
  return copyPath.str();
}

} // namespace tpuc
