//===- ToolSupport.h - Shared plumbing of the tools -------------*- C++ -*-===//
//
// Every tool reports problems as one line on stderr, `<tool>: error: ...`,
// naming the file and the op or tensor, and exits with 1.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_TOOLSUPPORT_H
#define TPUC_SUPPORT_TOOLSUPPORT_H

#include "tpuc/Support/AtomicFile.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace tpuc {

/// Prints MLIR diagnostics as single lines prefixed with the tool name;
/// notes are folded into their error's line.
class OneLineDiagnostics {
public:
  OneLineDiagnostics(mlir::MLIRContext *ctx, llvm::StringRef toolName);
  ~OneLineDiagnostics();

private:
  mlir::MLIRContext *ctx_;
  mlir::DiagnosticEngine::HandlerID id_;
};

/// Formats a location as `file:line:col` or `'tensor'`.
std::string describeLocation(mlir::Location loc);

/// Parses and verifies an .mlir file with tpuc's dialects loaded; relative
/// weight files are also looked up next to it. Diagnostics go to the handler.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(mlir::MLIRContext &ctx,
                                             llvm::StringRef path);

/// The module as text (tensor names printed inline), with `top.weight_file`
/// shown as `weightFile` (the name the weights will have once written).
std::string printModule(mlir::ModuleOp module, llvm::StringRef weightFile);

/// Prints `<tool>: error: <message>` and returns 1, for `return fail(...)`.
int reportError(llvm::StringRef toolName, const llvm::Twine &message);

/// An error carrying `message`, for a tool's flag and input problems.
llvm::Error optionError(const llvm::Twine &message);

/// Flags whose values the tools parse themselves, so that a bad value gives
/// one line naming the flag: `malformed --flag 'value': expected ...`.
/// Each returns `defaultValue` when the flag was not given.
///
/// A switch (`--flag`, `--flag=true|false|1|0`).
llvm::Expected<bool> switchFlag(const llvm::cl::opt<std::string> &flag);
/// A decimal integer of at least `low`.
llvm::Expected<uint64_t> countFlag(const llvm::cl::opt<std::string> &flag,
                                   uint64_t defaultValue, uint64_t low,
                                   llvm::StringRef expected);
/// A finite number in [low, high].
llvm::Expected<double> numberFlag(const llvm::cl::opt<std::string> &flag,
                                  double defaultValue, double low, double high,
                                  llvm::StringRef expected);

/// Parses the command line (only `category`'s options shown in --help). A
/// bad flag is reported as one `<tool>: error:` line (cl's first message)
/// and false is returned.
bool parseToolCommandLine(int argc, const char *const *argv,
                          llvm::StringRef toolName, llvm::StringRef overview,
                          llvm::cl::OptionCategory &category);

} // namespace tpuc

#endif // TPUC_SUPPORT_TOOLSUPPORT_H
