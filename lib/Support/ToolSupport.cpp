//===- ToolSupport.cpp - Shared plumbing of the command-line tools --------===//

#include "tpuc/Support/ToolSupport.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Support/ListParsing.h"
#include "tpuc/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <memory>

using namespace mlir;

namespace tpuc {

std::string describeLocation(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    // Line 0 is a whole file (the module of an imported model): the message
    // itself says what is wrong with it.
    if (file.getLine() == 0)
      return "";
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  }
  if (auto named = dyn_cast<NameLoc>(loc)) {
    std::string inner = describeLocation(named.getChildLoc());
    std::string name = "'" + named.getName().str() + "'";
    return inner.empty() ? name : inner + ": " + name;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location sub : fused.getLocations()) {
      std::string text = describeLocation(sub);
      if (!text.empty())
        return text;
    }
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return describeLocation(callSite.getCallee());
  return "";
}

OneLineDiagnostics::OneLineDiagnostics(MLIRContext *ctx,
                                       llvm::StringRef toolName)
    : ctx_(ctx) {
  // A failing verifier would otherwise append the whole op (often the whole
  // module) to the message.
  ctx->printOpOnDiagnostic(false);
  std::string tool = toolName.str();
  // Errors after the first are mostly its consequences (an unreadable
  // weight file fails every weight op, then every op that reads them): the
  // user sees the first, on one line.
  auto errorShown = std::make_shared<bool>(false);
  id_ = ctx->getDiagEngine().registerHandler([tool,
                                              errorShown](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      if (*errorShown)
        return success();
      *errorShown = true;
    }
    const char *kind = diag.getSeverity() == DiagnosticSeverity::Error ? "error"
                       : diag.getSeverity() == DiagnosticSeverity::Warning
                           ? "warning"
                           : "note";
    std::string where = describeLocation(diag.getLocation());
    std::string text = diag.str();
    for (Diagnostic &note : diag.getNotes()) {
      std::string noteWhere = describeLocation(note.getLocation());
      text += " (" + note.str() +
              (noteWhere.empty() ? "" : " at " + noteWhere) + ")";
    }
    for (char &c : text)
      if (c == '\n')
        c = ' ';
    llvm::errs() << tool << ": " << kind << ": "
                 << (where.empty() ? "" : where + ": ") << text << "\n";
    return success();
  });
}

OneLineDiagnostics::~OneLineDiagnostics() {
  ctx_->getDiagEngine().eraseHandler(id_);
}

OwningOpRef<ModuleOp> loadModule(MLIRContext &ctx, llvm::StringRef path) {
  DialectRegistry registry;
  registerTpucDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  if (!llvm::sys::fs::exists(path)) {
    emitError(UnknownLoc::get(&ctx)) << path << ": no such file";
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, &ctx);
  if (!module)
    return nullptr;
  top::setWeightSearchDir(&ctx, llvm::sys::path::parent_path(path));
  top::setWeightSearchDir(*module, llvm::sys::path::parent_path(path));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

llvm::Error optionError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str().c_str());
}

llvm::Expected<bool> switchFlag(const llvm::cl::opt<std::string> &flag) {
  return parseSwitch(flag.ArgStr, flag, flag.getNumOccurrences() > 0);
}

/// `malformed --flag 'value': expected ...`.
static llvm::Error malformed(const llvm::cl::opt<std::string> &flag,
                             llvm::StringRef expected) {
  return optionError("malformed --" + flag.ArgStr + " '" + flag +
                     "': expected " + expected);
}

llvm::Expected<uint64_t> countFlag(const llvm::cl::opt<std::string> &flag,
                                   uint64_t defaultValue, uint64_t low,
                                   llvm::StringRef expected) {
  if (flag.getNumOccurrences() == 0)
    return defaultValue;
  uint64_t value;
  if (llvm::StringRef(flag).trim().getAsInteger(10, value) || value < low)
    return malformed(flag, expected);
  return value;
}

llvm::Expected<double> numberFlag(const llvm::cl::opt<std::string> &flag,
                                  double defaultValue, double low, double high,
                                  llvm::StringRef expected) {
  if (flag.getNumOccurrences() == 0)
    return defaultValue;
  double value;
  if (llvm::StringRef(flag).trim().getAsDouble(value) ||
      !std::isfinite(value) || !(value >= low && value <= high))
    return malformed(flag, expected);
  return value;
}

int reportError(llvm::StringRef toolName, const llvm::Twine &message) {
  std::string text = message.str();
  for (char &c : text)
    if (c == '\n')
      c = ' ';
  llvm::errs() << toolName << ": error: " << text << "\n";
  return 1;
}

bool parseToolCommandLine(int argc, const char *const *argv,
                          llvm::StringRef toolName, llvm::StringRef overview,
                          llvm::cl::OptionCategory &category) {
  llvm::cl::HideUnrelatedOptions(category);
  std::string parseErrors;
  llvm::raw_string_ostream errorStream(parseErrors);
  if (llvm::cl::ParseCommandLineOptions(argc, argv, overview, &errorStream))
    return true;
  // cl reports "<program>: <message>" lines; keep the first message.
  llvm::StringRef message = llvm::StringRef(parseErrors).split('\n').first;
  message.consume_front(llvm::sys::path::filename(argv[0]));
  message.consume_front(":");
  reportError(toolName, message.trim());
  return false;
}

std::string printModule(ModuleOp module, llvm::StringRef weightFile) {
  Operation *op = module.getOperation();
  Attribute working = op->getAttr(top::TopDialect::kWeightFileAttr);
  if (!weightFile.empty())
    op->setAttr(top::TopDialect::kWeightFileAttr,
                StringAttr::get(module.getContext(), weightFile));
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  flags.useLocalScope();
  module.print(os, flags);
  os << "\n";
  if (working)
    op->setAttr(top::TopDialect::kWeightFileAttr, working);
  else
    op->removeAttr(top::TopDialect::kWeightFileAttr);
  return text;
}

} // namespace tpuc
