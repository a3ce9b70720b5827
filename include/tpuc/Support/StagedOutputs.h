//===- StagedOutputs.h - All-or-nothing output files -----------*- C++ -*-===//
//
// model_transform writes several files that only make sense together (the
// .mlir, its weights, the test input and result). Each is written to a
// temporary name next to its destination and renamed into place by
// `commit()`; if the tool fails (or is interrupted) before that, the
// temporaries are removed and no output is left behind.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_STAGEDOUTPUTS_H
#define TPUC_SUPPORT_STAGEDOUTPUTS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace tpuc {

class StagedOutputs {
public:
  StagedOutputs() = default;
  StagedOutputs(const StagedOutputs &) = delete;
  StagedOutputs &operator=(const StagedOutputs &) = delete;
  /// Removes whatever was not committed.
  ~StagedOutputs();

  /// Reserves an absolute temporary path that `commit()` renames to
  /// `destination`. Fails if the directory is not writable or `destination`
  /// was already staged.
  llvm::Expected<std::string> stage(llvm::StringRef destination);
  /// Reserves an absolute temporary path next to `near` that is always
  /// removed.
  llvm::Expected<std::string> scratch(llvm::StringRef near);

  /// Renames every staged file into place; on failure removes the files
  /// already renamed.
  llvm::Error commit();

private:
  llvm::Expected<std::string> reserve(llvm::StringRef model);

  struct Staged {
    std::string temp;
    std::string destination;
  };
  std::vector<Staged> staged_;
  std::vector<std::string> scratch_;
};

} // namespace tpuc

#endif // TPUC_SUPPORT_STAGEDOUTPUTS_H
