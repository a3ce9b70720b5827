//===- InterpreterHooksTest.cpp - RunOptions::onResult, runOp, getWeight --===//
//
// The hook must see every input and op result once, in program order, before
// any consumer reads it, and consumers must see its in-place changes; runOp
// must compute what run() computes; and the run-time fusion of Conv with its
// activation must not hide the Conv result from a hook or from keepAll; given
// values (RunOptions::given) stand in for the ops that compute them.
//
//===----------------------------------------------------------------------===//

#include "InterpreterTestUtils.h"

#include "tpuc/Dialect/Top/TopOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>
#include <cmath>
#include <set>

using namespace mlir;
using namespace tpuc;
using namespace tpuc::test;

namespace {

std::string convAttrs(int64_t k, int64_t stride, int64_t pad,
                      const std::string &extra = "") {
  std::string text = "kernel_shape = " + i64Array({k, k}) +
                     ", strides = " + i64Array({stride, stride}) +
                     ", pads = " + i64Array({pad, pad, pad, pad}) +
                     ", dilations = " + i64Array({1, 1});
  return extra.empty() ? text : text + ", " + extra;
}

/// Conv+activation pairs, a Conv result used twice, an Add and a Concat of
/// Conv results, a Reshape/Permute head and a returned Conv result: every
/// path the interpreter runs differently when nothing is observed.
std::string exampleNet() {
  NetBuilder b;
  std::string in = b.input("in", {1, 4, 10, 10});
  std::string c1 = b.op(
      "top.Conv", {in, b.randomWeight({8, 4, 3, 3}, 1), b.randomWeight({8}, 2)},
      convAttrs(3, 1, 1), {1, 8, 10, 10});
  std::string a1 = b.op("top.SiLU", {c1}, "", {1, 8, 10, 10});
  std::string c2 = b.op(
      "top.Conv", {a1, b.randomWeight({8, 8, 1, 1}, 3), b.randomWeight({8}, 4)},
      convAttrs(1, 1, 0), {1, 8, 10, 10});
  std::string a2 = b.op("top.Sigmoid", {c2}, "", {1, 8, 10, 10});
  std::string sum = b.op("top.Add", {a1, a2}, "", {1, 8, 10, 10});
  std::string pool = b.op("top.MaxPool", {a1},
                          "kernel_shape = " + i64Array({3, 3}) +
                              ", strides = " + i64Array({1, 1}) +
                              ", pads = " + i64Array({1, 1, 1, 1}),
                          {1, 8, 10, 10});
  std::string cat =
      b.op("top.Concat", {sum, pool}, "axis = 1 : i64", {1, 16, 10, 10});
  std::string c3 =
      b.op("top.Conv", {cat, b.randomWeight({12, 16, 3, 3}, 5), b.none()},
           convAttrs(3, 2, 1), {1, 12, 5, 5});
  std::string r = b.op("top.Reshape", {c3}, "", {1, 3, 4, 5, 5});
  std::string p = b.op("top.Permute", {r},
                       "order = " + i64Array({0, 1, 3, 4, 2}), {1, 3, 5, 5, 4});
  std::string s = b.op("top.Sigmoid", {p}, "", {1, 3, 5, 5, 4});
  std::string c4 =
      b.op("top.Conv",
           {cat, b.randomWeight({6, 16, 1, 1}, 6), b.randomWeight({6}, 7)},
           convAttrs(1, 1, 0), {1, 6, 10, 10});
  return b.module({s, c4});
}

TensorMap exampleInputs(uint32_t seed = 11) {
  TensorMap inputs;
  inputs["in"] = randomTensor({1, 4, 10, 10}, seed, -2.0f, 2.0f);
  return inputs;
}

/// The tensor names of the input and op results of `main`, in order.
std::vector<std::string> resultNamesInOrder(Interpreter &interpreter) {
  std::vector<std::string> names;
  for (Operation &op : interpreter.getFunction().getBody().front()) {
    if (isa<top::WeightOp, top::NoneOp, func::ReturnOp>(op))
      continue;
    for (Value result : op.getResults())
      names.push_back(top::getTensorName(result));
  }
  return names;
}

TEST(InterpreterHooks, SeeEveryInputAndResultInOrder) {
  LoadedNet net = loadNet(exampleNet());
  ASSERT_TRUE(net.interpreter) << net.error;
  TensorMap all;
  ASSERT_TRUE(succeeded(net.interpreter->run(exampleInputs(), all, true)));

  std::vector<std::string> seen;
  std::map<std::string, Tensor> seenTensors;
  RunOptions options;
  options.onResult = [&](Value value, Tensor &tensor) {
    seen.push_back(top::getTensorName(value));
    seenTensors[seen.back()] = tensor;
    // The shape is the value's type's.
    auto shape = top::getShape(value);
    EXPECT_EQ(ArrayRef<int64_t>(tensor.shape), shape) << seen.back();
  };
  TensorMap results;
  ASSERT_TRUE(
      succeeded(net.interpreter->run(exampleInputs(), results, options)));
  EXPECT_EQ(seen, resultNamesInOrder(*net.interpreter));
  // Weights are not reported; the pre-activation Conv results are.
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "w0"), 0);
  // Every reported tensor is the one keepAll returns.
  for (auto &[name, tensor] : seenTensors) {
    ASSERT_TRUE(all.count(name)) << name;
    EXPECT_TRUE(bitwiseEqual(tensor, all[name])) << name;
  }
  for (auto &[name, tensor] : results)
    EXPECT_TRUE(bitwiseEqual(tensor, all[name])) << name;
}

TEST(InterpreterHooks, ConsumersSeeInPlaceChanges) {
  LoadedNet net = loadNet(exampleNet());
  ASSERT_TRUE(net.interpreter) << net.error;
  Interpreter &interp = *net.interpreter;
  // Record each tensor as computed and as the hook left it; the hook halves
  // and offsets every result, which no consumer could undo by accident.
  std::map<std::string, Tensor> computed, changed;
  RunOptions options;
  options.onResult = [&](Value value, Tensor &tensor) {
    std::string name = top::getTensorName(value);
    computed[name] = tensor;
    for (float &v : tensor.data)
      v = 0.5f * v + 0.25f;
    changed[name] = tensor;
  };
  TensorMap results;
  ASSERT_TRUE(succeeded(interp.run(exampleInputs(), results, options)));
  // Each op's result, recomputed from the changed operands, is what the run
  // computed: consumers read the hook's data.
  for (Operation &op : interp.getFunction().getBody().front()) {
    if (isa<top::WeightOp, top::NoneOp, top::InputOp, func::ReturnOp>(op))
      continue;
    std::vector<const Tensor *> operands;
    for (Value operand : op.getOperands()) {
      if (isa<NoneType>(operand.getType()))
        operands.push_back(nullptr);
      else if (auto weight = operand.getDefiningOp<top::WeightOp>())
        operands.push_back(interp.getWeight(weight));
      else
        operands.push_back(&changed.at(top::getTensorName(operand)));
    }
    std::vector<Tensor> outputs;
    ASSERT_TRUE(succeeded(interp.runOp(&op, operands, outputs)));
    for (auto [result, tensor] : llvm::zip(op.getResults(), outputs)) {
      std::string name = top::getTensorName(result);
      EXPECT_TRUE(bitwiseEqual(tensor, computed.at(name))) << name;
    }
  }
  // The returned tensors are the changed ones.
  for (auto &[name, tensor] : results)
    EXPECT_TRUE(bitwiseEqual(tensor, changed.at(name))) << name;
}

TEST(InterpreterHooks, RunOpMatchesRun) {
  LoadedNet net = loadNet(exampleNet());
  ASSERT_TRUE(net.interpreter) << net.error;
  Interpreter &interp = *net.interpreter;
  TensorMap all;
  ASSERT_TRUE(succeeded(interp.run(exampleInputs(), all, true)));
  int checked = 0;
  for (Operation &op : interp.getFunction().getBody().front()) {
    if (isa<top::WeightOp, top::NoneOp, top::InputOp, func::ReturnOp>(op))
      continue;
    std::vector<const Tensor *> operands;
    for (Value operand : op.getOperands()) {
      if (isa<NoneType>(operand.getType()))
        operands.push_back(nullptr);
      else if (auto weight = operand.getDefiningOp<top::WeightOp>())
        operands.push_back(interp.getWeight(weight));
      else
        operands.push_back(&all.at(top::getTensorName(operand)));
    }
    std::vector<Tensor> outputs;
    ASSERT_TRUE(succeeded(interp.runOp(&op, operands, outputs)));
    ASSERT_EQ(outputs.size(), op.getNumResults());
    for (auto [result, tensor] : llvm::zip(op.getResults(), outputs)) {
      std::string name = top::getTensorName(result);
      EXPECT_TRUE(bitwiseEqual(tensor, all.at(name))) << name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 12);
}

TEST(InterpreterHooks, RunOpChecksItsOperands) {
  LoadedNet net = loadNet(exampleNet());
  ASSERT_TRUE(net.interpreter) << net.error;
  Operation *conv = nullptr;
  for (Operation &op : net.interpreter->getFunction().getBody().front())
    if (isa<top::ConvOp>(op) && !conv)
      conv = &op;
  ASSERT_TRUE(conv);
  std::string error;
  ScopedDiagnosticHandler handler(net.context.get(), [&](Diagnostic &diag) {
    error += diag.str();
    return success();
  });
  std::vector<Tensor> outputs;
  Tensor x = randomTensor({1, 4, 10, 10}, 1);
  EXPECT_TRUE(failed(net.interpreter->runOp(conv, {&x}, outputs)));
  EXPECT_NE(error.find("operand tensors"), std::string::npos) << error;
}

TEST(InterpreterHooks, GetWeightReturnsTheData) {
  NetBuilder b;
  std::string in = b.input("in", {2, 3});
  Tensor data = randomTensor({2, 3}, 5);
  std::string w = b.weight(data);
  std::string sum = b.op("top.Add", {in, w}, "", {2, 3});
  LoadedNet net = loadNet(b.module({sum}));
  ASSERT_TRUE(net.interpreter) << net.error;
  Operation *weightOp = nullptr, *addOp = nullptr;
  for (Operation &op : net.interpreter->getFunction().getBody().front()) {
    if (isa<top::WeightOp>(op))
      weightOp = &op;
    if (isa<top::AddOp>(op))
      addOp = &op;
  }
  ASSERT_TRUE(weightOp && addOp);
  const Tensor *weight = net.interpreter->getWeight(weightOp);
  ASSERT_TRUE(weight);
  EXPECT_TRUE(bitwiseEqual(*weight, data));
  EXPECT_EQ(net.interpreter->getWeight(addOp), nullptr);
}

TEST(InterpreterHooks, FusionDoesNotHideConvResults) {
  // Conv -> SiLU is fused when nothing is observed; a hook or keepAll must
  // still get the Conv result, and the same final results.
  NetBuilder b;
  std::string in = b.input("in", {1, 3, 9, 9});
  std::string c =
      b.op("top.Conv",
           {in, b.randomWeight({5, 3, 3, 3}, 21), b.randomWeight({5}, 22)},
           convAttrs(3, 1, 1), {1, 5, 9, 9});
  std::string a = b.op("top.SiLU", {c}, "", {1, 5, 9, 9});
  LoadedNet net = loadNet(b.module({a}));
  ASSERT_TRUE(net.interpreter) << net.error;
  TensorMap inputs;
  inputs["in"] = randomTensor({1, 3, 9, 9}, 23, -3.0f, 3.0f);

  TensorMap fast;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, fast)));
  EXPECT_EQ(fast.size(), 1u);

  std::vector<std::string> seen;
  Tensor convResult;
  RunOptions options;
  options.onResult = [&](Value value, Tensor &tensor) {
    seen.push_back(top::getTensorName(value));
    if (seen.back() == NetBuilder::nameOf(c))
      convResult = tensor;
  };
  TensorMap hooked;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, hooked, options)));
  EXPECT_EQ(seen, (std::vector<std::string>{"in", NetBuilder::nameOf(c),
                                            NetBuilder::nameOf(a)}));
  TensorMap all;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, all, true)));
  ASSERT_TRUE(all.count(NetBuilder::nameOf(c)));
  EXPECT_TRUE(bitwiseEqual(convResult, all[NetBuilder::nameOf(c)]));
  // The fused activation agrees with the SiLU kernel up to rounding.
  std::string out = NetBuilder::nameOf(a);
  EXPECT_TRUE(bitwiseEqual(hooked[out], all[out]));
  EXPECT_TRUE(allClose(fast[out], all[out], 1e-6, 1e-5));
}

TEST(InterpreterHooks, InputsAreReportedAndCopiedForTheHook) {
  // The hook may change the input tensor; the caller's stays unchanged.
  NetBuilder b;
  std::string in = b.input("in", {1, 2, 3});
  std::string out =
      b.op("top.MulConst", {in}, "const_val = 2.0 : f64", {1, 2, 3});
  LoadedNet net = loadNet(b.module({out}));
  ASSERT_TRUE(net.interpreter) << net.error;
  TensorMap inputs;
  inputs["in"] = makeTensor({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  RunOptions options;
  options.onResult = [](Value value, Tensor &tensor) {
    if (top::getTensorName(value) == "in")
      for (float &v : tensor.data)
        v += 1.0f;
  };
  TensorMap results;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, results, options)));
  EXPECT_TRUE(bitwiseEqual(results[NetBuilder::nameOf(out)],
                           makeTensor({1, 2, 3}, {4, 6, 8, 10, 12, 14})));
  EXPECT_TRUE(
      bitwiseEqual(inputs["in"], makeTensor({1, 2, 3}, {1, 2, 3, 4, 5, 6})));
}

} // namespace

/// The largest |a - b| relative to b's largest magnitude.
float relativeMaxDiff(const Tensor &a, const Tensor &b) {
  float diff = 0, scale = 1e-30f;
  for (size_t i = 0; i < a.data.size(); ++i) {
    diff = std::max(diff, std::fabs(a.data[i] - b.data[i]));
    scale = std::max(scale, std::fabs(b.data[i]));
  }
  return diff / scale;
}

TEST(InterpreterHooks, GivenValuesReplaceTheirOps) {
  LoadedNet net = loadNet(exampleNet());
  ASSERT_TRUE(net.interpreter) << net.error;
  Interpreter &interp = *net.interpreter;
  TensorMap all, plain;
  ASSERT_TRUE(succeeded(interp.run(exampleInputs(), all, true)));
  ASSERT_TRUE(succeeded(interp.run(exampleInputs(), plain)));

  // Nothing given: the ordinary run. Everything given: no op runs, and the
  // outputs are the given tensors.
  for (bool everything : {false, true}) {
    RunOptions options;
    options.given = [&](Value value) -> const Tensor * {
      return everything ? &all.at(top::getTensorName(value)) : nullptr;
    };
    TensorMap results;
    ASSERT_TRUE(succeeded(interp.run(exampleInputs(), results, options)));
    for (auto &[name, tensor] : plain)
      EXPECT_TRUE(
          bitwiseEqual(results.at(name), everything ? all.at(name) : tensor))
          << name;
  }

  // One tensor changed, everything it does not reach given: the outputs are
  // those of a run whose hook changes that tensor (on other kernel paths, so
  // within float rounding), whichever tensor it is, fused activations and
  // their Convs included.
  for (const std::string &changedName : resultNamesInOrder(interp)) {
    if (changedName == "in")
      continue;
    Tensor changed = all.at(changedName);
    for (float &v : changed.data)
      v = 0.5f * v + 0.25f;
    std::set<std::string> reached = {changedName};
    for (Operation &op : interp.getFunction().getBody().front())
      for (Value operand : op.getOperands())
        if (reached.count(top::getTensorName(operand)))
          for (Value result : op.getResults())
            reached.insert(top::getTensorName(result));
    RunOptions given;
    given.given = [&](Value value) -> const Tensor * {
      std::string name = top::getTensorName(value);
      if (name == changedName)
        return &changed;
      return reached.count(name) ? nullptr : &all.at(name);
    };
    RunOptions hooked;
    hooked.onResult = [&](Value value, Tensor &tensor) {
      if (top::getTensorName(value) == changedName)
        tensor = changed;
    };
    TensorMap fromGiven, fromHook;
    ASSERT_TRUE(succeeded(interp.run(exampleInputs(), fromGiven, given)));
    ASSERT_TRUE(succeeded(interp.run(exampleInputs(), fromHook, hooked)));
    for (auto &[name, tensor] : fromHook) {
      EXPECT_LT(relativeMaxDiff(fromGiven.at(name), tensor), 1e-5f)
          << changedName << " -> " << name;
      // The change reaches the output or the output is the given one.
      if (!reached.count(name)) {
        EXPECT_TRUE(bitwiseEqual(fromGiven.at(name), all.at(name))) << name;
      }
    }
  }
}
