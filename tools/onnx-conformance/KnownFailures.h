//===- KnownFailures.h - Checked-in list of expected failures ---*- C++ -*-===//
//
// One test per line, `test_name: reason`; `#` starts a comment line. Listed
// tests that fail do not fail the run; listed tests that pass do, so the
// list stays current.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOOLS_ONNXCONFORMANCE_KNOWNFAILURES_H
#define TPUC_TOOLS_ONNXCONFORMANCE_KNOWNFAILURES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>

namespace tpuc::conformance {

/// Test name -> the reason it is expected to fail.
using KnownFailures = std::map<std::string, std::string, std::less<>>;

/// Parses the list; errors name the file and line.
llvm::Expected<KnownFailures> readKnownFailures(llvm::StringRef path);

} // namespace tpuc::conformance

#endif // TPUC_TOOLS_ONNXCONFORMANCE_KNOWNFAILURES_H
