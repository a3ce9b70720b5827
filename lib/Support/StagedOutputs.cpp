//===- StagedOutputs.cpp - All-or-nothing output files --------------------===//

#include "tpuc/Support/StagedOutputs.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"

using namespace llvm;

namespace tpuc {

static void removeFile(const std::string &path) {
  sys::fs::remove(path);
  sys::DontRemoveFileOnSignal(path);
}

StagedOutputs::~StagedOutputs() {
  for (const Staged &file : staged_)
    removeFile(file.temp);
  for (const std::string &path : scratch_)
    removeFile(path);
}

Expected<std::string> StagedOutputs::reserve(StringRef model) {
  SmallString<256> pattern(model);
  pattern += ".tmp-%%%%%%";
  if (std::error_code ec = sys::fs::make_absolute(pattern))
    return createStringError(ec, "%s: %s", model.str().c_str(),
                             ec.message().c_str());
  int fd;
  SmallString<256> temp;
  if (std::error_code ec = sys::fs::createUniqueFile(pattern, fd, temp))
    return createStringError(ec, "%s: cannot create: %s", model.str().c_str(),
                             ec.message().c_str());
  sys::Process::SafelyCloseFileDescriptor(fd);
  sys::RemoveFileOnSignal(temp);
  return std::string(temp);
}

Expected<std::string> StagedOutputs::stage(StringRef destination) {
  SmallString<256> absolute(destination);
  sys::fs::make_absolute(absolute);
  sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  for (const Staged &file : staged_)
    if (file.destination == absolute)
      return createStringError(inconvertibleErrorCode(),
                               "%s: used for two different outputs",
                               destination.str().c_str());
  auto temp = reserve(destination);
  if (!temp)
    return temp.takeError();
  staged_.push_back({*temp, std::string(absolute)});
  return *temp;
}

Expected<std::string> StagedOutputs::scratch(StringRef near) {
  auto temp = reserve(near);
  if (!temp)
    return temp.takeError();
  scratch_.push_back(*temp);
  return *temp;
}

Error StagedOutputs::commit() {
  for (size_t i = 0; i < staged_.size(); ++i) {
    if (std::error_code ec =
            sys::fs::rename(staged_[i].temp, staged_[i].destination)) {
      for (size_t done = 0; done < i; ++done)
        sys::fs::remove(staged_[done].destination);
      return createStringError(ec, "%s: cannot write: %s",
                               staged_[i].destination.c_str(),
                               ec.message().c_str());
    }
    sys::DontRemoveFileOnSignal(staged_[i].temp);
  }
  staged_.clear();
  return Error::success();
}

} // namespace tpuc
