//===- InterpreterTestUtils.h - Networks in interpreter tests --*- C++ -*-===//
//
// NetBuilder writes the textual IR of a small network (inputs, inline
// weights, ops) so that tests can run it through tpuc::Interpreter rather
// than one kernel at a time.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TEST_UNIT_INTERPRETER_INTERPRETERTESTUTILS_H
#define TPUC_TEST_UNIT_INTERPRETER_INTERPRETERTESTUTILS_H

#include "KernelTestUtils.h"

#include "tpuc/Interpreter/Interpreter.h"

#include <map>
#include <string>
#include <vector>

namespace tpuc::test {

class NetBuilder {
public:
  /// Adds a `top.Input` named `name`; returns its value.
  std::string input(const std::string &name, llvm::ArrayRef<int64_t> shape);
  /// Adds a `top.Weight` holding `data` inline (exact, as hex).
  std::string weight(const Tensor &data);
  /// A weight of uniform values in [lo, hi).
  std::string randomWeight(llvm::ArrayRef<int64_t> shape, uint32_t seed,
                           float lo = -1.0f, float hi = 1.0f);
  std::string none();
  /// Adds `opName` on `operands` with `attributes` (the text inside `{}`)
  /// and one result of `shape`; the result's tensor name is returned
  /// value's name without the `%`.
  std::string op(const std::string &opName,
                 const std::vector<std::string> &operands,
                 const std::string &attributes, llvm::ArrayRef<int64_t> shape);
  /// The same for an op with several results, returned in order.
  std::vector<std::string>
  multiOp(const std::string &opName, const std::vector<std::string> &operands,
          const std::string &attributes,
          const std::vector<std::vector<int64_t>> &shapes);
  /// The module returning `results`.
  std::string module(const std::vector<std::string> &results) const;

  /// The tensor name of value `v` ("%v3" -> "v3").
  static std::string nameOf(const std::string &v) { return v.substr(1); }

private:
  std::string type(const std::string &value) const;

  std::vector<std::string> args_, argTypes_, lines_;
  std::map<std::string, std::string> types_;
  int next_ = 0;
};

/// A parsed module and the interpreter of it.
struct LoadedNet {
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<Interpreter> interpreter;
  /// Diagnostics of parsing and creating.
  std::string error;
};

/// Parses `source` and creates its interpreter (null on error).
LoadedNet loadNet(const std::string &source);

/// Element-wise identical (NaNs count as equal), with the first difference
/// reported.
::testing::AssertionResult bitwiseEqual(const Tensor &actual,
                                        const Tensor &expected);

} // namespace tpuc::test

#endif // TPUC_TEST_UNIT_INTERPRETER_INTERPRETERTESTUTILS_H
