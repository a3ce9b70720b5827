//===- AtomicFile.h - Write files through a temporary name -------*- C++
//-*-===//

#ifndef TPUC_SUPPORT_ATOMICFILE_H
#define TPUC_SUPPORT_ATOMICFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace tpuc {

/// Writes `text` to `path` through a temporary file renamed into place, so
/// a failure never leaves a partial file.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef text);

} // namespace tpuc

#endif // TPUC_SUPPORT_ATOMICFILE_H
