//===- OrtSession.cpp - An onnxruntime session in a node process ----------===//

#include "OrtSession.h"

#include "tpuc/Support/Npz.h"
#include "tpuc/Support/OnnxRuntime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;

namespace tpuc {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

Expected<std::unique_ptr<OrtSession>>
OrtSession::start(StringRef model, ArrayRef<std::string> outputs,
                  StringRef scratchDir) {
  auto launch = prepareNodeLaunch("ort_serve.js", "running " + model.str() +
                                                      " with onnxruntime");
  if (!launch)
    return launch.takeError();
  SmallString<256> copy(scratchDir);
  sys::path::append(copy, "model.onnx");
  auto runModel = modelExposingOutputs(model, outputs, copy);
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
  std::vector<std::string> argStrings = {launch->node, launch->script,
                                         *runModel, "--outputs", outputList};
  std::vector<char *> argv;
  for (std::string &a : argStrings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char *> envp;
  for (std::string &e : launch->environment)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid;
  int spawned = posix_spawn(&pid, launch->node.c_str(), &actions, nullptr,
                            argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(toChild[0]);
  close(fromChild[1]);
  session->toChild_ = toChild[1];
  session->fromChild_ = fromChild[0];
  if (spawned != 0)
    return makeError("cannot start " + launch->node + ": " +
                     std::strerror(spawned));
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
  std::string why = lastLineOf(errPath_);
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
    results.push_back(tensorFromArray(*array));
  }
  return Error::success();
}

} // namespace tpuc
