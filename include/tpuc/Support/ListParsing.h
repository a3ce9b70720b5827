//===- ListParsing.h - List-valued command-line flags ----------*- C++ -*-===//
//
// The flags take the spellings tpu-mlir's users type: `[[1,3,640,640]]`, the
// same in quotes that survived the shell, `[1,3,640,640]` or `1,3,640,640`
// for shapes; `0.0,0.0,0.0` or `[0,0,0]` for per-channel values; plain comma
// separated names (which may contain '/' and '.') for tensors and files.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_LISTPARSING_H
#define TPUC_SUPPORT_LISTPARSING_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tpuc {

/// One shape per input: `[[a,b],[c]]`, or a single shape `[a,b]` / `a,b`.
/// Dims must be positive integers.
llvm::Expected<std::vector<std::vector<int64_t>>>
parseShapeList(llvm::StringRef text);

/// Positive integers: `[a,b]` or `a,b`.
llvm::Expected<std::vector<int64_t>> parseDimList(llvm::StringRef text);

/// Finite numbers: `[a,b,c]` or `a,b,c`.
llvm::Expected<std::vector<double>> parseNumberList(llvm::StringRef text);

/// Comma separated names, trimmed, empty entries dropped.
std::vector<std::string> parseNameList(llvm::StringRef text);

/// The value of a switch flag that may be given alone (`--flag`, true) or
/// as `--flag=true|false|1|0`; `given` says whether it appeared at all.
/// Errors name the flag.
llvm::Expected<bool> parseSwitch(llvm::StringRef flag, llvm::StringRef text,
                                 bool given);

/// `COS,EUCLID` similarity thresholds, e.g. `0.99,0.9`.
llvm::Expected<std::pair<double, double>> parseTolerance(llvm::StringRef text);

} // namespace tpuc

#endif // TPUC_SUPPORT_LISTPARSING_H
