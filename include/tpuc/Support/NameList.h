//===- NameList.h - Short lists of names for messages -----------*- C++ -*-===//
//
// Diagnostics that concern many tensors or ops name the first few and mark
// the rest with "...", so that the message stays one readable line.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_NAMELIST_H
#define TPUC_SUPPORT_NAMELIST_H

#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace tpuc {

/// The first `shown` names joined by ", ", followed by ", ..." when there
/// are more; empty for no names.
inline std::string joinFirstNames(llvm::ArrayRef<std::string> names,
                                  size_t shown) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < shown; ++i)
    list += (i ? ", " : "") + names[i];
  if (names.size() > shown)
    list += ", ...";
  return list;
}

} // namespace tpuc

#endif // TPUC_SUPPORT_NAMELIST_H
