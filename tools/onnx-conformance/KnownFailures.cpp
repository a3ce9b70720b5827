//===- KnownFailures.cpp - Checked-in list of expected failures -----------===//

#include "KnownFailures.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace tpuc::conformance {

Expected<KnownFailures> readKnownFailures(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return createStringError(
        buffer.getError(),
        path + ": cannot read: " + buffer.getError().message());
  KnownFailures list;
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [index, rawLine] : llvm::enumerate(lines)) {
    StringRef line = rawLine.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    auto [name, reason] = line.split(':');
    name = name.trim();
    reason = reason.trim();
    auto where = [&, index = index] {
      return (path + ":" + Twine(index + 1) + ": ").str();
    };
    if (name.empty() || name.contains(' ') || reason.empty())
      return createStringError(inconvertibleErrorCode(),
                               where() + "expected 'test_name: reason'");
    if (!list.emplace(name.str(), reason.str()).second)
      return createStringError(inconvertibleErrorCode(),
                               where() + "'" + name + "' is listed twice");
  }
  return list;
}

} // namespace tpuc::conformance
