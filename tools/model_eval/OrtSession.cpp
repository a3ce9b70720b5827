//===- OrtSession.cpp - An onnxruntime session in a node process ----------===//

#include "OrtSession.h"

#include "tpuc/Support/AtomicFile.h"
#include "tpuc/Support/Npz.h"

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

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace llvm;

namespace tpuc {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

/// The tpuc source tree (for tools/ort_runner and scripts/install-ort.sh):
/// $TPUC_SOURCE_DIR, else the one this tool was built from.
static std::string sourceDir() {
  if (std::optional<std::string> dir = sys::Process::GetEnv("TPUC_SOURCE_DIR"))
    return *dir;
  return TPUC_SOURCE_DIR;
}

static std::string lastLine(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return "";
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  return lines.empty() ? "" : lines.back().trim().str();
}

/// The environment plus `extra` entries; HOME comes from the password
/// database when unset (as under lit): the installer caches below it.
static std::vector<std::string> childEnvironment(ArrayRef<std::string> extra) {
  std::vector<std::string> env;
  bool hasHome = false;
  for (char **entry = environ; *entry; ++entry) {
    StringRef e(*entry);
    if (llvm::any_of(extra, [&](const std::string &x) {
          return StringRef(x).split('=').first == e.split('=').first;
        }))
      continue;
    hasHome |= e.starts_with("HOME=");
    env.push_back(*entry);
  }
  if (!hasHome)
    if (const passwd *user = getpwuid(getuid()); user && user->pw_dir)
      env.push_back(std::string("HOME=") + user->pw_dir);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

/// Where onnxruntime-node is installed, installing it on first use.
static Expected<std::string> findNodeModules(StringRef srcDir,
                                             StringRef scratchDir) {
  SmallString<256> installer(srcDir);
  sys::path::append(installer, "scripts", "install-ort.sh");
  if (!sys::fs::exists(installer))
    return makeError(installer + " not found (set TPUC_SOURCE_DIR to the tpuc "
                                 "source tree)");
  auto bash = sys::findProgramByName("bash");
  if (!bash)
    return makeError("bash not found on PATH (needed to run " + installer +
                     ")");
  SmallString<256> out(scratchDir), err(scratchDir);
  sys::path::append(out, "install.out");
  sys::path::append(err, "install.err");
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(out),
                                          StringRef(err)};
  std::vector<std::string> envStrings = childEnvironment({});
  std::vector<StringRef> env(envStrings.begin(), envStrings.end());
  StringRef args[] = {*bash, installer};
  std::string message;
  int status = sys::ExecuteAndWait(*bash, args, env, redirects, 0, 0, &message);
  std::string modules = lastLine(out);
  if (status != 0 || modules.empty())
    return makeError("cannot install onnxruntime-node with " + installer +
                     ": " + (lastLine(err).empty() ? message : lastLine(err)));
  return modules;
}

/// `model`, or a copy in `scratchDir` that also lists those of `outputs`
/// that are inner tensors as graph outputs (onnxruntime only fetches graph
/// outputs).
static Expected<std::string> modelWithOutputs(StringRef model,
                                              ArrayRef<std::string> outputs,
                                              StringRef scratchDir) {
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
  SmallString<256> copy(scratchDir);
  sys::path::append(copy, "model.onnx");
  if (Error err = writeFileAtomically(copy, bytes))
    return std::move(err);
  return std::string(copy);
}

Expected<std::unique_ptr<OrtSession>>
OrtSession::start(StringRef model, ArrayRef<std::string> outputs,
                  StringRef scratchDir) {
  std::string srcDir = sourceDir();
  SmallString<256> server(srcDir);
  sys::path::append(server, "tools", "ort_runner", "ort_serve.js");
  if (!sys::fs::exists(server))
    return makeError(server + " not found (set TPUC_SOURCE_DIR to the tpuc "
                              "source tree)");
  auto node = sys::findProgramByName("node");
  if (!node)
    return makeError("running " + model +
                     " with onnxruntime needs node on "
                     "PATH");
  auto modules = findNodeModules(srcDir, scratchDir);
  if (!modules)
    return modules.takeError();
  auto runModel = modelWithOutputs(model, outputs, scratchDir);
  if (!runModel)
    return runModel.takeError();

  std::unique_ptr<OrtSession> session(new OrtSession());
  session->model_ = model.str();
  session->outputs_.assign(outputs.begin(), outputs.end());
  auto inScratch = [&](StringRef name) {
    SmallString<256> path(scratchDir);
    sys::path::append(path, name);
    return std::string(path);
  };
  session->inPath_ = inScratch("in.npz");
  session->outPath_ = inScratch("out.npz");
  session->errPath_ = inScratch("ort.err");

  int toChild[2], fromChild[2];
  if (pipe2(toChild, O_CLOEXEC) != 0)
    return makeError(Twine("cannot create a pipe: ") + std::strerror(errno));
  if (pipe2(fromChild, O_CLOEXEC) != 0) {
    close(toChild[0]);
    close(toChild[1]);
    return makeError(Twine("cannot create a pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                   session->errPath_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string outputList = join(outputs, ",");
  std::vector<std::string> argStrings = {*node, std::string(server), *runModel,
                                         "--outputs", outputList};
  std::vector<char *> argv;
  for (std::string &a : argStrings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> envStrings =
      childEnvironment({"NODE_PATH=" + *modules});
  std::vector<char *> envp;
  for (std::string &e : envStrings)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid;
  int spawned = posix_spawn(&pid, node->c_str(), &actions, nullptr, argv.data(),
                            envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(toChild[0]);
  close(fromChild[1]);
  session->toChild_ = toChild[1];
  session->fromChild_ = fromChild[0];
  if (spawned != 0)
    return makeError("cannot start " + *node + ": " + std::strerror(spawned));
  session->pid_ = pid;
  std::string line;
  if (Error err = session->readLine(line))
    return std::move(err);
  if (line != "ready")
    return session->childFailed("did not start");
  return session;
}

/// Waits for `pid` after its stdin was closed, ending it when it does not
/// exit within seconds.
static void reap(int pid) {
  int status;
  for (int tries = 0; tries < 100; ++tries) {
    if (waitpid(pid, &status, WNOHANG) != 0)
      return;
    usleep(50000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

OrtSession::~OrtSession() {
  // With its stdin closed the server finishes and exits.
  if (toChild_ >= 0)
    close(toChild_);
  if (fromChild_ >= 0)
    close(fromChild_);
  if (pid_ > 0)
    reap(pid_);
}

Error OrtSession::childFailed(StringRef what) {
  if (pid_ > 0) {
    close(toChild_);
    toChild_ = -1;
    reap(pid_);
    pid_ = -1;
  }
  std::string why = lastLine(errPath_);
  if (why.empty())
    why = "node exited without a message";
  return makeError("onnxruntime " + what + " on " + model_ + ": " + why);
}

Error OrtSession::readLine(std::string &line) {
  while (true) {
    size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return Error::success();
    }
    char buffer[256];
    ssize_t got = read(fromChild_, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return childFailed("failed");
    pending_.append(buffer, static_cast<size_t>(got));
  }
}

Error OrtSession::run(const TensorMap &inputs, std::vector<Tensor> &results) {
  NpzMap arrays;
  for (const auto &[name, tensor] : inputs)
    arrays[name] = NpyArray::fromFloat(tensor.data, tensor.shape);
  if (Error err = writeNpz(inPath_, arrays))
    return err;
  std::string request = inPath_ + "\t" + outPath_ + "\n";
  for (size_t done = 0; done < request.size();) {
    ssize_t wrote =
        write(toChild_, request.data() + done, request.size() - done);
    if (wrote < 0 && errno == EINTR)
      continue;
    if (wrote <= 0)
      return childFailed("failed");
    done += static_cast<size_t>(wrote);
  }
  std::string reply;
  if (Error err = readLine(reply))
    return err;
  if (reply != "ok")
    return childFailed("failed");
  auto reader = NpzReader::open(outPath_);
  if (!reader)
    return reader.takeError();
  results.clear();
  for (const std::string &name : outputs_) {
    auto array = (*reader)->read(name);
    if (!array)
      return array.takeError();
    Tensor tensor;
    tensor.shape.assign(array->shape.begin(), array->shape.end());
    tensor.data = array->toFloat();
    results.push_back(std::move(tensor));
  }
  return Error::success();
}

} // namespace tpuc
