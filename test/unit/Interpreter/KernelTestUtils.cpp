//===- KernelTestUtils.cpp - Helpers for interpreter kernel tests ---------===//

#include "KernelTestUtils.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Interpreter/Kernel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <random>
#include <sstream>

using namespace mlir;

namespace tpuc::test {

std::unique_ptr<MLIRContext> makeContext() {
  auto ctx = std::make_unique<MLIRContext>(MLIRContext::Threading::DISABLED);
  ctx->loadDialect<func::FuncDialect, top::TopDialect>();
  return ctx;
}

OwningOpRef<ModuleOp> parseModule(MLIRContext &ctx, llvm::StringRef source,
                                  std::string *error) {
  std::string messages;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    messages += diag.str() + "\n";
    return success();
  });
  auto module = parseSourceString<ModuleOp>(source, &ctx);
  if (error)
    *error = messages;
  return module;
}

std::string tensorType(llvm::ArrayRef<int64_t> shape,
                       llvm::StringRef elementType) {
  std::string text = "tensor<";
  for (int64_t dim : shape)
    text += std::to_string(dim) + "x";
  return text + elementType.str() + ">";
}

std::string f64Attr(double v) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17e : f64", v);
  return text;
}

std::string i64Array(llvm::ArrayRef<int64_t> values) {
  std::string text = "array<i64";
  for (auto [i, v] : llvm::enumerate(values))
    text += (i == 0 ? ": " : ", ") + std::to_string(v);
  return text + ">";
}

std::string singleOpModule(llvm::StringRef opName,
                           llvm::ArrayRef<std::string> operandTypes,
                           llvm::StringRef attributes,
                           llvm::ArrayRef<std::string> resultTypes) {
  std::ostringstream os;
  std::vector<std::string> args, operands;
  for (auto [i, type] : llvm::enumerate(operandTypes)) {
    args.push_back("%arg" + std::to_string(i) + ": " + type);
    operands.push_back("%arg" + std::to_string(i));
  }
  std::string results = llvm::join(resultTypes, ", ");
  os << "module {\n  func.func @main(" << llvm::join(args, ", ") << ") -> ("
     << results << ") {\n    %0";
  if (resultTypes.size() > 1)
    os << ":" << resultTypes.size();
  os << " = " << opName.str() << " " << llvm::join(operands, ", ");
  if (!attributes.empty())
    os << " {" << attributes.str() << "}";
  os << " : (" << llvm::join(operandTypes, ", ") << ") -> (" << results
     << ") loc(\"out\")\n    return ";
  std::vector<std::string> returned;
  for (size_t i = 0; i < resultTypes.size(); ++i)
    returned.push_back(resultTypes.size() > 1 ? "%0#" + std::to_string(i)
                                              : std::string("%0"));
  os << llvm::join(returned, ", ") << " : " << results << "\n  }\n}\n";
  return os.str();
}

KernelResult runKernel(llvm::StringRef moduleSource,
                       llvm::ArrayRef<Tensor> inputs) {
  KernelResult result;
  auto ctx = makeContext();
  ScopedDiagnosticHandler handler(ctx.get(), [&](Diagnostic &diag) {
    result.error += diag.str() + "\n";
    return success();
  });
  auto module = parseSourceString<ModuleOp>(moduleSource, ctx.get());
  if (!module)
    return result;
  auto main = module->lookupSymbol<func::FuncOp>("main");
  if (!main || main.getBody().empty()) {
    result.error += "the module has no 'main' function\n";
    return result;
  }
  Block &body = main.getBody().front();
  if (body.getOperations().size() < 2) {
    result.error += "'main' has no op to run\n";
    return result;
  }
  Operation *op = body.getTerminator()->getPrevNode();
  if (main.getNumArguments() != inputs.size()) {
    result.error += "'main' takes " + std::to_string(main.getNumArguments()) +
                    " arguments but " + std::to_string(inputs.size()) +
                    " inputs were given\n";
    return result;
  }

  std::deque<Tensor> weights;
  KernelArgs args;
  for (Value operand : op->getOperands()) {
    if (auto arg = dyn_cast<BlockArgument>(operand)) {
      args.inputs.push_back(&inputs[arg.getArgNumber()]);
    } else if (operand.getDefiningOp<top::NoneOp>()) {
      args.inputs.push_back(nullptr);
    } else if (auto weight = operand.getDefiningOp<top::WeightOp>()) {
      auto data = top::readWeightAsFloat(weight);
      if (failed(data))
        return result;
      Tensor &tensor = weights.emplace_back();
      auto shape = top::getShape(weight.getOutput());
      tensor.shape.assign(shape.begin(), shape.end());
      tensor.data = std::move(*data);
      args.inputs.push_back(&tensor);
    } else {
      result.error += "operands must be arguments, top.None or top.Weight\n";
      return result;
    }
  }
  for (Value value : op->getResults())
    result.outputs.emplace_back(top::getShape(value));
  args.outputs = result.outputs;

  const KernelFn *kernel =
      getKernelRegistry().lookup(op->getName().getStringRef());
  if (!kernel) {
    result.error +=
        "no kernel for " + op->getName().getStringRef().str() + "\n";
    return result;
  }
  result.ok = succeeded((*kernel)(op, args));
  return result;
}

KernelResult runOp(llvm::StringRef opName, llvm::ArrayRef<Tensor> inputs,
                   llvm::StringRef attributes,
                   llvm::ArrayRef<std::string> resultTypes) {
  std::vector<std::string> operandTypes;
  for (const Tensor &input : inputs)
    operandTypes.push_back(tensorType(input.shape));
  return runKernel(
      singleOpModule(opName, operandTypes, attributes, resultTypes), inputs);
}

KernelResult runWithOptionalBias(llvm::StringRef opName, const Tensor &input,
                                 const Tensor &second, const Tensor *bias,
                                 const std::string &attributes,
                                 llvm::ArrayRef<int64_t> resultShape) {
  std::string resultType = tensorType(resultShape);
  if (bias)
    return runOp(opName, {input, second, *bias}, attributes, {resultType});
  std::string t0 = tensorType(input.shape), t1 = tensorType(second.shape);
  std::string source =
      "module {\n  func.func @main(%arg0: " + t0 + ", %arg1: " + t1 + ") -> " +
      resultType +
      " {\n    %none = top.None loc(\"none\")\n    %0 = " + opName.str() +
      " %arg0, %arg1, %none {" + attributes + "} : (" + t0 + ", " + t1 +
      ", none) -> " + resultType +
      " loc(\"out\")\n    return %0 : " + resultType + "\n  }\n}\n";
  return runKernel(source, {input, second});
}

double applyReluRef(double v, bool doRelu, double limit) {
  if (!doRelu)
    return v;
  v = std::max(v, 0.0);
  return limit >= 0 ? std::min(v, limit) : v;
}

std::string reluAttrs(bool doRelu, double limit) {
  if (!doRelu)
    return "";
  return ", do_relu = true, relu_limit = " + f64Attr(limit);
}

Tensor randomTensor(llvm::ArrayRef<int64_t> shape, uint32_t seed, float lo,
                    float hi) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor tensor(shape);
  for (float &v : tensor.data)
    v = dist(engine);
  return tensor;
}

Tensor makeTensor(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> values) {
  Tensor tensor(shape);
  EXPECT_EQ(tensor.numel(), static_cast<int64_t>(values.size()))
      << "makeTensor: value count does not match the shape";
  std::copy_n(values.begin(),
              std::min<size_t>(values.size(), tensor.data.size()),
              tensor.data.begin());
  return tensor;
}

::testing::AssertionResult allClose(const Tensor &actual,
                                    const Tensor &expected, double atol,
                                    double rtol) {
  if (actual.shape != expected.shape)
    return ::testing::AssertionFailure()
           << "shape " << top::shapeToString(actual.shape) << " != expected "
           << top::shapeToString(expected.shape);
  if (actual.data.size() != expected.data.size())
    return ::testing::AssertionFailure()
           << "element count " << actual.data.size() << " != expected "
           << expected.data.size();
  double maxAbs = 0, maxRel = 0;
  int64_t mismatches = 0, firstBad = -1;
  for (size_t i = 0; i < actual.data.size(); ++i) {
    double a = actual.data[i], e = expected.data[i];
    bool ok;
    if (std::isnan(a) || std::isnan(e)) {
      ok = std::isnan(a) && std::isnan(e);
    } else if (std::isinf(a) || std::isinf(e)) {
      ok = a == e;
    } else {
      double diff = std::fabs(a - e);
      maxAbs = std::max(maxAbs, diff);
      if (e != 0)
        maxRel = std::max(maxRel, diff / std::fabs(e));
      ok = diff <= atol + rtol * std::fabs(e);
    }
    if (!ok) {
      ++mismatches;
      if (firstBad < 0)
        firstBad = i;
    }
  }
  if (mismatches == 0)
    return ::testing::AssertionSuccess();
  auto coords = unravelIndex(firstBad, expected.shape);
  std::vector<std::string> coordText;
  for (int64_t c : coords)
    coordText.push_back(std::to_string(c));
  return ::testing::AssertionFailure()
         << mismatches << " of " << actual.data.size()
         << " elements differ (max abs " << maxAbs << ", max rel " << maxRel
         << "); first at [" << llvm::join(coordText, ", ")
         << "]: " << actual.data[firstBad] << " vs expected "
         << expected.data[firstBad];
}

std::vector<int64_t> unravelIndex(int64_t index,
                                  llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> coords(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    coords[i] = index % shape[i];
    index /= shape[i];
  }
  return coords;
}

int64_t ravelIndex(llvm::ArrayRef<int64_t> coords,
                   llvm::ArrayRef<int64_t> shape) {
  int64_t index = 0;
  for (size_t i = 0; i < shape.size(); ++i)
    index = index * shape[i] + coords[i];
  return index;
}

} // namespace tpuc::test
