//===- InterpreterFastPathTest.cpp - What run() does when unobserved ------===//
//
// Without keepAll or a hook, run() fuses Conv with its activation, keeps Conv
// results in oneDNN's layouts through Add/Concat/Reshape/Permute, recycles
// buffers between runs and skips zero-filling some results. None of that may
// change results beyond float rounding of the fused activations: each test
// compares with a keepAll run (every op on its own, row-major tensors) or
// with a fresh interpreter.
//
//===----------------------------------------------------------------------===//

#include "InterpreterTestUtils.h"

#include "tpuc/Dialect/Top/TopOps.h"

#include <random>
#include <thread>

using namespace mlir;
using namespace tpuc;
using namespace tpuc::test;

namespace {

std::string convAttrs(int64_t k, int64_t stride, int64_t pad, int64_t group = 1,
                      const std::string &extra = "") {
  std::string text = "kernel_shape = " + i64Array({k, k}) +
                     ", strides = " + i64Array({stride, stride}) +
                     ", pads = " + i64Array({pad, pad, pad, pad}) +
                     ", dilations = " + i64Array({1, 1}) +
                     ", group = " + std::to_string(group) + " : i64";
  return extra.empty() ? text : text + ", " + extra;
}

/// Runs `source` unobserved and with keepAll on `inputs` and compares every
/// returned tensor.
void expectFastMatchesObserved(const std::string &source,
                               const TensorMap &inputs, double atol,
                               double rtol, const std::string &what) {
  LoadedNet net = loadNet(source);
  ASSERT_TRUE(net.interpreter) << net.error << source;
  TensorMap fast, observed;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, fast))) << what;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, observed, true))) << what;
  for (const std::string &name : net.interpreter->getOutputNames()) {
    ASSERT_TRUE(fast.count(name) && observed.count(name)) << name;
    EXPECT_TRUE(allClose(fast[name], observed[name], atol, rtol))
        << what << ": " << name;
  }
}

struct ActivationCase {
  const char *op;
  std::string attributes;
};

TEST(InterpreterFastPath, FusedActivationsMatchTheirKernels) {
  const ActivationCase activations[] = {
      {"top.SiLU", ""},
      {"top.Sigmoid", ""},
      {"top.Tanh", ""},
      {"top.Relu", ""},
      {"top.Relu", "relu_limit = 6.0 : f64"},
      {"top.LeakyRelu", "alpha = 0.125 : f64"},
      {"top.Clip", "min = -0.5 : f64, max = 1.5 : f64"}};
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 24; ++trial) {
    const ActivationCase &act = activations[trial % std::size(activations)];
    int64_t k = std::vector<int64_t>{1, 3, 5}[pick(0, 2)];
    int64_t stride = pick(1, 2), pad = k / 2;
    bool depthwise = trial % 5 == 4;
    int64_t ic = depthwise ? 8 : pick(1, 12);
    int64_t oc = depthwise ? 8 : pick(1, 20);
    int64_t group = depthwise ? 8 : 1;
    int64_t h = pick(k, 17), w = pick(k, 17);
    int64_t oh = (h + 2 * pad - k) / stride + 1;
    int64_t ow = (w + 2 * pad - k) / stride + 1;
    bool bias = trial % 3 != 0;
    bool doRelu = trial % 7 == 6;

    NetBuilder b;
    std::string in = b.input("in", {1, ic, h, w});
    std::string c =
        b.op("top.Conv",
             {in, b.randomWeight({oc, ic / group, k, k}, 100 + trial),
              bias ? b.randomWeight({oc}, 200 + trial) : b.none()},
             convAttrs(k, stride, pad, group, doRelu ? "do_relu = true" : ""),
             {1, oc, oh, ow});
    std::string a = b.op(act.op, {c}, act.attributes, {1, oc, oh, ow});
    TensorMap inputs;
    inputs["in"] = randomTensor({1, ic, h, w}, 300 + trial, -3.0f, 3.0f);
    expectFastMatchesObserved(b.module({a}), inputs, 1e-6, 1e-5,
                              std::string(act.op) + " trial " +
                                  std::to_string(trial));
  }
}

TEST(InterpreterFastPath, ConvResultUsedTwiceIsNotFused) {
  // The Conv result is returned as well as activated: both must be right.
  NetBuilder b;
  std::string in = b.input("in", {1, 3, 8, 8});
  std::string c = b.op(
      "top.Conv", {in, b.randomWeight({4, 3, 3, 3}, 1), b.randomWeight({4}, 2)},
      convAttrs(3, 1, 1), {1, 4, 8, 8});
  std::string a = b.op("top.SiLU", {c}, "", {1, 4, 8, 8});
  TensorMap inputs;
  inputs["in"] = randomTensor({1, 3, 8, 8}, 3, -2.0f, 2.0f);
  expectFastMatchesObserved(b.module({c, a}), inputs, 0, 0, "returned conv");
}

/// Conv chains with residual Adds (Conv + Conv, Conv + row-major), Concats
/// of Conv results with row-major tensors, a Reshape/Permute head, a Conv
/// result read by many ops and one returned directly.
std::string layoutNet(const std::string &activation) {
  NetBuilder b;
  std::string in = b.input("in", {1, 3, 16, 16});
  std::string c0 =
      b.op("top.Conv",
           {in, b.randomWeight({16, 3, 3, 3}, 1), b.randomWeight({16}, 2)},
           convAttrs(3, 2, 1), {1, 16, 8, 8});
  std::string a0 = b.op(activation, {c0}, "", {1, 16, 8, 8});
  std::string c1 =
      b.op("top.Conv",
           {a0, b.randomWeight({16, 16, 1, 1}, 3), b.randomWeight({16}, 4)},
           convAttrs(1, 1, 0), {1, 16, 8, 8});
  std::string a1 = b.op(activation, {c1}, "", {1, 16, 8, 8});
  std::string c2 =
      b.op("top.Conv",
           {a1, b.randomWeight({16, 1, 3, 3}, 5), b.randomWeight({16}, 6)},
           convAttrs(3, 1, 1, 16), {1, 16, 8, 8});
  std::string a2 = b.op("top.Relu", {c2}, "", {1, 16, 8, 8});
  std::string res = b.op("top.Add", {a0, a2},
                         "do_relu = true, relu_limit = "
                         "4.0 : f64",
                         {1, 16, 8, 8});
  std::string plain =
      b.op("top.MulConst", {a1}, "const_val = 0.5 : f64", {1, 16, 8, 8});
  std::string mixed = b.op("top.Add", {plain, res}, "", {1, 16, 8, 8});
  std::string up =
      b.op("top.Upsample", {a1}, "scale_h = 1, scale_w = 1", {1, 16, 8, 8});
  std::string cat =
      b.op("top.Concat", {mixed, a1, up, res}, "axis = 1 : i64", {1, 64, 8, 8});
  std::string cat2 =
      b.op("top.Concat", {a0, a1}, "axis = -3 : i64", {1, 32, 8, 8});
  std::string c3 =
      b.op("top.Conv",
           {cat, b.randomWeight({15, 64, 1, 1}, 7), b.randomWeight({15}, 8)},
           convAttrs(1, 1, 0), {1, 15, 8, 8});
  std::string r = b.op("top.Reshape", {c3}, "", {1, 3, 5, 8, 8});
  std::string p = b.op("top.Permute", {r},
                       "order = " + i64Array({0, 1, 3, 4, 2}), {1, 3, 8, 8, 5});
  std::string s = b.op("top.Sigmoid", {p}, "", {1, 3, 8, 8, 5});
  std::string flat = b.op("top.Reshape", {s}, "", {1, 192, 5});
  std::string c4 =
      b.op("top.Conv", {cat2, b.randomWeight({7, 32, 3, 3}, 9), b.none()},
           convAttrs(3, 1, 1), {1, 7, 8, 8});
  std::string p2 = b.op("top.Permute", {c4},
                        "order = " + i64Array({0, 2, 3, 1}), {1, 8, 8, 7});
  std::string up2 =
      b.op("top.Upsample", {a2}, "scale_h = 2, scale_w = 3", {1, 16, 16, 24});
  return b.module({flat, c4, p2, res, up2});
}

TEST(InterpreterFastPath, LayoutsFlowThroughAddConcatReshapePermute) {
  TensorMap inputs;
  inputs["in"] = randomTensor({1, 3, 16, 16}, 10, -2.0f, 2.0f);
  // Relu as a post-op is exact, and so is moving data between layouts: the
  // results are bitwise those of the ops run one by one.
  expectFastMatchesObserved(layoutNet("top.Relu"), inputs, 0, 0,
                            "layouts with relu");
  // A fused SiLU rounds differently from the kernel; Convs summing 64
  // channels with cancellation magnify that in absolute terms.
  expectFastMatchesObserved(layoutNet("top.SiLU"), inputs, 3e-5, 1e-5,
                            "layouts with silu");
}

TEST(InterpreterFastPath, RepeatedRunsMatchAFreshInterpreter) {
  // Buffers recycled from a run on other inputs must not leak into results.
  NetBuilder b;
  std::string in = b.input("in", {1, 4, 12, 12});
  std::string c0 = b.op(
      "top.Conv", {in, b.randomWeight({8, 4, 3, 3}, 1), b.randomWeight({8}, 2)},
      convAttrs(3, 1, 1), {1, 8, 12, 12});
  std::string a0 = b.op("top.SiLU", {c0}, "", {1, 8, 12, 12});
  std::string c1 = b.op(
      "top.Conv", {a0, b.randomWeight({8, 8, 3, 3}, 3), b.randomWeight({8}, 4)},
      convAttrs(3, 1, 1), {1, 8, 12, 12});
  std::string sum = b.op("top.Add", {a0, c1}, "", {1, 8, 12, 12});
  std::string cat =
      b.op("top.Concat", {sum, a0}, "axis = 1 : i64", {1, 16, 12, 12});
  std::string out = b.op("top.Sigmoid", {cat}, "", {1, 16, 12, 12});
  std::string source = b.module({out, sum});
  LoadedNet reused = loadNet(source);
  ASSERT_TRUE(reused.interpreter) << reused.error;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    TensorMap inputs;
    inputs["in"] = randomTensor({1, 4, 12, 12}, seed, -2.0f, 2.0f);
    for (bool keepAll : {false, true}) {
      TensorMap again, fresh;
      ASSERT_TRUE(succeeded(reused.interpreter->run(inputs, again, keepAll)));
      LoadedNet once = loadNet(source);
      ASSERT_TRUE(succeeded(once.interpreter->run(inputs, fresh, keepAll)));
      ASSERT_EQ(again.size(), fresh.size());
      for (auto &[name, tensor] : fresh)
        EXPECT_TRUE(bitwiseEqual(again[name], tensor))
            << name << " seed " << seed << " keepAll " << keepAll;
    }
  }
}

struct OverwriteCase {
  const char *op;
  std::string attributes;
  std::vector<std::vector<int64_t>> operandShapes;
  std::vector<std::vector<int64_t>> resultShapes;
};

TEST(InterpreterFastPath, KernelsGivenUnfilledBuffersWriteEveryElement) {
  // The interpreter hands these kernels recycled, not zero-filled, result
  // buffers. Run each on one input, then on another: if it left any element
  // unwritten, the second result would hold the first run's data and differ
  // from a fresh interpreter's.
  const std::string k3 = "kernel_shape = array<i64: 3, 3>, strides = "
                         "array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>";
  const OverwriteCase cases[] = {
      {"top.Conv",
       k3 + ", dilations = array<i64: 1, 1>",
       {{1, 3, 6, 6}, {4, 3, 3, 3}},
       {{1, 4, 6, 6}}},
      {"top.Deconv",
       k3 + ", dilations = array<i64: 1, 1>",
       {{1, 3, 6, 6}, {3, 4, 3, 3}},
       {{1, 4, 6, 6}}},
      {"top.MatMul", "", {{2, 6, 5}, {5, 7}}, {{2, 6, 7}}},
      {"top.Relu", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.LeakyRelu", "alpha = 0.5 : f64", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.PRelu", "", {{2, 3, 50}, {3, 1}}, {{2, 3, 50}}},
      {"top.Clip",
       "min = -0.5 : f64, max = 0.5 : f64",
       {{2, 3, 50}},
       {{2, 3, 50}}},
      {"top.Sigmoid", "", {{2, 3, 5000}}, {{2, 3, 5000}}},
      {"top.SiLU", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.HardSigmoid", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.HardSwish", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Mish", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.GELU", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Tanh", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Exp", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Log", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Sqrt", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Abs", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Erf", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Elu", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Softplus", "", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Add", "", {{2, 3, 50}, {3, 1}}, {{2, 3, 50}}},
      {"top.Sub", "", {{2, 3, 50}, {2, 3, 50}}, {{2, 3, 50}}},
      {"top.Mul", "", {{2, 3, 50}, {1}}, {{2, 3, 50}}},
      {"top.Max", "", {{1}, {2, 3, 50}}, {{2, 3, 50}}},
      {"top.Min", "", {{2, 1, 50}, {2, 3, 1}}, {{2, 3, 50}}},
      {"top.AddConst", "const_val = 1.5 : f64", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.MulConst", "const_val = 1.5 : f64", {{2, 3, 50}}, {{2, 3, 50}}},
      {"top.Concat", "axis = 1 : i64", {{2, 3, 5}, {2, 4, 5}}, {{2, 7, 5}}},
      {"top.Split",
       "axis = 2 : i64, split_size = array<i64: 2, 3>",
       {{2, 3, 5}},
       {{2, 3, 2}, {2, 3, 3}}},
      {"top.Reshape", "", {{2, 3, 5}}, {{6, 5}}},
      {"top.Flatten", "", {{2, 3, 5}}, {{2, 15}}},
      {"top.Squeeze", "axes = array<i64: 1>", {{2, 1, 5}}, {{2, 5}}},
      {"top.Unsqueeze", "axes = array<i64: 0>", {{2, 5}}, {{1, 2, 5}}},
      {"top.Permute", "order = array<i64: 2, 0, 1>", {{2, 3, 5}}, {{5, 2, 3}}},
      {"top.Upsample",
       "scale_h = 2, scale_w = 3",
       {{1, 2, 3, 4}},
       {{1, 2, 6, 12}}},
  };
  for (const OverwriteCase &c : cases) {
    NetBuilder b;
    std::vector<std::string> operands;
    for (size_t i = 0; i < c.operandShapes.size(); ++i)
      operands.push_back(b.input("in" + std::to_string(i), c.operandShapes[i]));
    if (std::string(c.op) == "top.Conv" || std::string(c.op) == "top.Deconv" ||
        std::string(c.op) == "top.MatMul")
      operands.push_back(b.none());
    std::vector<std::string> results =
        b.multiOp(c.op, operands, c.attributes, c.resultShapes);
    // Each result feeds another op, so that its buffer is recycled.
    std::vector<std::string> outs;
    for (auto [result, shape] : llvm::zip(results, c.resultShapes))
      outs.push_back(b.op("top.Abs", {result}, "", shape));
    std::string source = b.module(outs);
    LoadedNet reused = loadNet(source);
    ASSERT_TRUE(reused.interpreter) << c.op << ": " << reused.error << source;
    auto inputsFor = [&](uint32_t seed) {
      TensorMap inputs;
      for (size_t i = 0; i < c.operandShapes.size(); ++i)
        inputs["in" + std::to_string(i)] =
            randomTensor(c.operandShapes[i], seed + i, 0.1f, 2.0f);
      return inputs;
    };
    TensorMap first, second, fresh;
    ASSERT_TRUE(succeeded(reused.interpreter->run(inputsFor(1), first)))
        << c.op;
    ASSERT_TRUE(succeeded(reused.interpreter->run(inputsFor(50), second)))
        << c.op;
    LoadedNet once = loadNet(source);
    ASSERT_TRUE(succeeded(once.interpreter->run(inputsFor(50), fresh)));
    for (auto &[name, tensor] : fresh)
      EXPECT_TRUE(bitwiseEqual(second[name], tensor)) << c.op << " " << name;
  }
}

// Runs on several threads at once, each reusing what its earlier runs left
// (a oneDNN primitive created on one thread and run on another corrupted
// the Concat about once in 30 repetitions of this test).
TEST(InterpreterFastPath, ConcurrentRunsAgree) {
  NetBuilder b;
  std::string in = b.input("in", {1, 8, 20, 20});
  std::string c0 =
      b.op("top.Conv",
           {in, b.randomWeight({16, 8, 3, 3}, 1), b.randomWeight({16}, 2)},
           convAttrs(3, 1, 1), {1, 16, 20, 20});
  std::string a0 = b.op("top.SiLU", {c0}, "", {1, 16, 20, 20});
  std::string cat =
      b.op("top.Concat", {a0, in}, "axis = 1 : i64", {1, 24, 20, 20});
  LoadedNet net = loadNet(b.module({cat}));
  ASSERT_TRUE(net.interpreter) << net.error;
  TensorMap inputs;
  inputs["in"] = randomTensor({1, 8, 20, 20}, 3, -2.0f, 2.0f);
  TensorMap expected;
  ASSERT_TRUE(succeeded(net.interpreter->run(inputs, expected)));
  std::vector<TensorMap> got(4);
  // char, not bool: the threads write their flags at the same time.
  std::vector<char> ok(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      bool all = true;
      for (int i = 0; i < 5; ++i) {
        got[t].clear();
        all &= succeeded(net.interpreter->run(inputs, got[t]));
      }
      ok[t] = all;
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_TRUE(ok[t]);
    for (auto &[name, tensor] : expected)
      EXPECT_TRUE(bitwiseEqual(got[t][name], tensor)) << name;
  }
}

TEST(InterpreterFastPath, ErrorsAreReportedOnEveryRun) {
  // A Conv whose result type is wrong fails in every run with the kernel's
  // message, not only in the first one.
  NetBuilder b;
  std::string in = b.input("in", {1, 3, 8, 8});
  std::string c =
      b.op("top.Conv", {in, b.randomWeight({4, 3, 3, 3}, 1), b.none()},
           convAttrs(3, 1, 1), {1, 4, 7, 7});
  std::string a = b.op("top.SiLU", {c}, "", {1, 4, 7, 7});
  LoadedNet net = loadNet(b.module({a}));
  ASSERT_TRUE(net.interpreter) << net.error;
  TensorMap inputs;
  inputs["in"] = randomTensor({1, 3, 8, 8}, 2);
  for (bool keepAll : {false, false, true}) {
    std::string error;
    ScopedDiagnosticHandler handler(net.context.get(), [&](Diagnostic &diag) {
      error += diag.str();
      return success();
    });
    TensorMap results;
    EXPECT_TRUE(failed(net.interpreter->run(inputs, results, keepAll)));
    EXPECT_NE(error.find("differs from the computed"), std::string::npos)
        << error;
  }
}

} // namespace

namespace {

/// The Conv of a one-conv net, with the tensors runOp needs.
struct OneConv {
  LoadedNet net;
  Operation *conv = nullptr;
  const Tensor *filter = nullptr, *bias = nullptr;
};

OneConv oneConv(uint64_t seed) {
  NetBuilder b;
  std::string in = b.input("in", {1, 8, 12, 12});
  std::string c = b.op(
      "top.Conv",
      {in, b.randomWeight({16, 8, 3, 3}, seed), b.randomWeight({16}, seed + 1)},
      convAttrs(3, 1, 1), {1, 16, 12, 12});
  OneConv one{loadNet(b.module({c}))};
  if (!one.net.interpreter)
    return one;
  one.net.interpreter->getFunction().walk([&](top::ConvOp op) {
    one.conv = op;
    one.filter = one.net.interpreter->getWeight(op.getFilter().getDefiningOp());
    one.bias = one.net.interpreter->getWeight(op.getBias().getDefiningOp());
  });
  return one;
}

} // namespace

// runOp keeps the reordered filters of an interpreter's own weights (the
// sensitivity pass of run_qtable calls it for every op many times). Each
// call must still give what run() gives, a later interpreter's weights
// (possibly at the same address) must not see an earlier one's filters, and
// filters that are not the interpreter's weights are reordered every time.
TEST(InterpreterFastPath, RunOpReusesFiltersOfItsOwnWeightsOnly) {
  Tensor input = randomTensor({1, 8, 12, 12}, 7, -1.0f, 1.0f);
  for (uint64_t seed : {11u, 21u, 31u}) {
    OneConv one = oneConv(seed);
    ASSERT_TRUE(one.net.interpreter) << one.net.error;
    ASSERT_TRUE(one.conv && one.filter && one.bias);
    TensorMap inputs, expected;
    inputs["in"] = input;
    ASSERT_TRUE(succeeded(one.net.interpreter->run(inputs, expected, true)));
    const Tensor &want =
        expected[one.net.interpreter->getOutputNames().front()];
    for (int repeat = 0; repeat < 2; ++repeat) {
      std::vector<Tensor> out;
      ASSERT_TRUE(succeeded(one.net.interpreter->runOp(
          one.conv, {&input, one.filter, one.bias}, out)));
      EXPECT_TRUE(bitwiseEqual(out[0], want)) << seed << " " << repeat;
    }
    // A caller's filter: changing it between calls changes the result.
    Tensor scaled = *one.filter;
    std::vector<Tensor> first, second;
    ASSERT_TRUE(succeeded(one.net.interpreter->runOp(
        one.conv, {&input, &scaled, one.bias}, first)));
    for (float &v : scaled.data)
      v *= 2.0f;
    ASSERT_TRUE(succeeded(one.net.interpreter->runOp(
        one.conv, {&input, &scaled, one.bias}, second)));
    EXPECT_TRUE(bitwiseEqual(first[0], want));
    EXPECT_FALSE(bitwiseEqual(second[0], want));
  }
}
