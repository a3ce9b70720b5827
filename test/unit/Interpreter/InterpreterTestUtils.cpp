//===- InterpreterTestUtils.cpp - Whole networks in interpreter tests -----===//

#include "InterpreterTestUtils.h"

#include "tpuc/Dialect/Top/TopOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

using namespace mlir;

namespace tpuc::test {

std::string NetBuilder::type(const std::string &value) const {
  auto it = types_.find(value);
  // A misspelt value makes the module fail to parse, which the test reports.
  return it == types_.end() ? std::string("none") : it->second;
}

std::string NetBuilder::input(const std::string &name,
                              llvm::ArrayRef<int64_t> shape) {
  std::string arg = "%arg" + std::to_string(args_.size());
  std::string t = tensorType(shape);
  args_.push_back(arg + ": " + t);
  argTypes_.push_back(t);
  std::string v = "%" + name;
  lines_.push_back(v + " = top.Input " + arg + " : (" + t + ") -> " + t +
                   " loc(\"" + name + "\")");
  types_[v] = t;
  return v;
}

std::string NetBuilder::weight(const Tensor &data) {
  std::string v = "%w" + std::to_string(next_++);
  std::string t = tensorType(data.shape);
  // Hex keeps every float exact; dense hex data is little-endian.
  std::string hex = "0x";
  char byte[3];
  for (float f : data.data) {
    unsigned char bytes[4];
    std::memcpy(bytes, &f, 4);
    for (unsigned char b : bytes) {
      std::snprintf(byte, sizeof(byte), "%02X", b);
      hex += byte;
    }
  }
  lines_.push_back(v + " = top.Weight {value = dense<\"" + hex + "\"> : " + t +
                   "} : () -> " + t + " loc(\"" + v.substr(1) + "\")");
  types_[v] = t;
  return v;
}

std::string NetBuilder::randomWeight(llvm::ArrayRef<int64_t> shape,
                                     uint32_t seed, float lo, float hi) {
  return weight(randomTensor(shape, seed, lo, hi));
}

std::string NetBuilder::none() {
  std::string v = "%n" + std::to_string(next_++);
  lines_.push_back(v + " = top.None");
  types_[v] = "none";
  return v;
}

std::string NetBuilder::op(const std::string &opName,
                           const std::vector<std::string> &operands,
                           const std::string &attributes,
                           llvm::ArrayRef<int64_t> shape) {
  return multiOp(opName, operands, attributes,
                 {std::vector<int64_t>(shape.begin(), shape.end())})
      .front();
}

std::vector<std::string>
NetBuilder::multiOp(const std::string &opName,
                    const std::vector<std::string> &operands,
                    const std::string &attributes,
                    const std::vector<std::vector<int64_t>> &shapes) {
  std::string v = "%v" + std::to_string(next_++);
  std::vector<std::string> operandTypes, resultTypes, results, names;
  for (const std::string &operand : operands)
    operandTypes.push_back(type(operand));
  for (size_t i = 0; i < shapes.size(); ++i) {
    resultTypes.push_back(tensorType(shapes[i]));
    std::string r = shapes.size() == 1 ? v : v + "#" + std::to_string(i);
    std::string name = shapes.size() == 1
                           ? v.substr(1)
                           : v.substr(1) + "_" + std::to_string(i);
    types_[r] = resultTypes.back();
    results.push_back(r);
    names.push_back("\"" + name + "\"");
  }
  std::string line = v;
  if (shapes.size() > 1)
    line += ":" + std::to_string(shapes.size());
  line += " = " + opName + " " + llvm::join(operands, ", ");
  if (!attributes.empty())
    line += " {" + attributes + "}";
  line += " : (" + llvm::join(operandTypes, ", ") + ") -> (" +
          llvm::join(resultTypes, ", ") + ")";
  line += shapes.size() == 1 ? " loc(" + names.front() + ")"
                             : " loc(fused[" + llvm::join(names, ", ") + "])";
  lines_.push_back(line);
  return results;
}

std::string NetBuilder::module(const std::vector<std::string> &results) const {
  std::vector<std::string> resultTypes;
  for (const std::string &r : results)
    resultTypes.push_back(type(r));
  std::ostringstream os;
  os << "module {\n  func.func @main(" << llvm::join(args_, ", ") << ") -> ("
     << llvm::join(resultTypes, ", ") << ") {\n";
  for (const std::string &line : lines_)
    os << "    " << line << "\n";
  os << "    return " << llvm::join(results, ", ") << " : "
     << llvm::join(resultTypes, ", ") << "\n  }\n}\n";
  return os.str();
}

LoadedNet loadNet(const std::string &source) {
  LoadedNet net;
  net.context = makeContext();
  ScopedDiagnosticHandler handler(net.context.get(), [&](Diagnostic &diag) {
    net.error += diag.str() + "\n";
    return success();
  });
  net.module = parseSourceString<ModuleOp>(source, net.context.get());
  if (!net.module)
    return net;
  auto interpreter = Interpreter::create(*net.module);
  if (succeeded(interpreter))
    net.interpreter = std::move(*interpreter);
  return net;
}

::testing::AssertionResult bitwiseEqual(const Tensor &actual,
                                        const Tensor &expected) {
  if (actual.shape != expected.shape)
    return ::testing::AssertionFailure()
           << "shape " << top::shapeToString(actual.shape) << " != expected "
           << top::shapeToString(expected.shape);
  if (actual.data.size() != expected.data.size())
    return ::testing::AssertionFailure()
           << "element count " << actual.data.size() << " != expected "
           << expected.data.size();
  for (size_t i = 0; i < actual.data.size(); ++i) {
    float a = actual.data[i], e = expected.data[i];
    if (std::isnan(a) && std::isnan(e))
      continue;
    if (std::memcmp(&a, &e, sizeof(float)) != 0)
      return ::testing::AssertionFailure()
             << "element " << i << " is " << a << ", expected " << e;
  }
  return ::testing::AssertionSuccess();
}

} // namespace tpuc::test
