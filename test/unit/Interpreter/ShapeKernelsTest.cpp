//===- ShapeKernelsTest.cpp - Data movement and reduction kernels ---------===//
//
// References compute every output element from its coordinates with the
// op's definition (Python slicing, numpy padding, ONNX DepthToSpace), never
// through strides.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

using namespace tpuc;
using namespace tpuc::test;

namespace {

using Shape = std::vector<int64_t>;

/// 0, 1, 2, ... so that every output element shows where it came from.
Tensor iota(const Shape &shape) {
  Tensor t(shape);
  std::iota(t.data.begin(), t.data.end(), 0.0f);
  return t;
}

/// Builds the expected tensor of `shape` from a function of the coordinates.
Tensor tabulate(const Shape &shape,
                const std::function<float(const std::vector<int64_t> &)> &fn) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data[i] = fn(unravelIndex(i, shape));
  return t;
}

float at(const Tensor &t, const std::vector<int64_t> &coords) {
  return t.data[ravelIndex(coords, t.shape)];
}

//===----------------------------------------------------------------------===//
// Concat and Split
//===----------------------------------------------------------------------===//

TEST(ShapeKernelsTest, ConcatAlongEveryAxis) {
  for (int64_t axis : {0, 1, 2, -1}) {
    int64_t norm = axis < 0 ? axis + 3 : axis;
    std::vector<Tensor> inputs;
    std::vector<int64_t> sizes = {1, 3, 2};
    Shape outShape = {2, 3, 4};
    outShape[norm] = 6;
    for (auto [i, size] : llvm::enumerate(sizes)) {
      Shape shape = {2, 3, 4};
      shape[norm] = size;
      inputs.push_back(randomTensor(shape, 10 + i));
    }
    KernelResult result =
        runOp("top.Concat", inputs, "axis = " + std::to_string(axis),
              {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << result.error;
    Tensor expected = tabulate(outShape, [&](std::vector<int64_t> c) {
      int64_t k = 0;
      while (c[norm] >= sizes[k])
        c[norm] -= sizes[k++];
      return at(inputs[k], c);
    });
    EXPECT_TRUE(allClose(result.outputs[0], expected)) << "axis " << axis;
  }
}

TEST(ShapeKernelsTest, ConcatWithRelu) {
  Tensor a = randomTensor({2, 2}, 1, -2.0f, 2.0f);
  Tensor b = randomTensor({2, 3}, 2, -2.0f, 2.0f);
  KernelResult result =
      runOp("top.Concat", {a, b},
            "axis = 1, do_relu = true, relu_limit = " + f64Attr(1.0),
            {tensorType({2, 5})});
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected = tabulate({2, 5}, [&](const std::vector<int64_t> &c) {
    float v = c[1] < 2 ? at(a, c) : at(b, {c[0], c[1] - 2});
    return std::min(std::max(v, 0.0f), 1.0f);
  });
  EXPECT_TRUE(allClose(result.outputs[0], expected));
}

TEST(ShapeKernelsTest, ConcatRejectsMismatchedInputs) {
  KernelResult result =
      runOp("top.Concat", {randomTensor({2, 2}, 1), randomTensor({3, 2}, 2)},
            "axis = 1", {tensorType({2, 4})});
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

TEST(ShapeKernelsTest, Split) {
  Tensor x = randomTensor({2, 6, 3}, 3);
  std::vector<int64_t> sizes = {1, 2, 3};
  KernelResult result = runOp(
      "top.Split", {x}, "axis = 1, split_size = " + i64Array(sizes),
      {tensorType({2, 1, 3}), tensorType({2, 2, 3}), tensorType({2, 3, 3})});
  ASSERT_TRUE(result.ok) << result.error;
  ASSERT_EQ(result.outputs.size(), 3u);
  int64_t start = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    Tensor expected =
        tabulate({2, sizes[k], 3}, [&](const std::vector<int64_t> &c) {
          return at(x, {c[0], c[1] + start, c[2]});
        });
    EXPECT_TRUE(allClose(result.outputs[k], expected)) << "piece " << k;
    start += sizes[k];
  }
  // Negative axis.
  result =
      runOp("top.Split", {x}, "axis = -1, split_size = " + i64Array({2, 1}),
            {tensorType({2, 6, 2}), tensorType({2, 6, 1})});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[1],
                       tabulate({2, 6, 1}, [&](const std::vector<int64_t> &c) {
                         return at(x, {c[0], c[1], 2});
                       })));
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// The indices Python's x[start:stop:step] takes from a sequence of `len`
/// (CPython's slice.indices algorithm).
std::vector<int64_t> pythonSlice(int64_t start, int64_t stop, int64_t step,
                                 int64_t len) {
  int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? len : len - 1;
  auto adjust = [&](int64_t v) {
    if (v < 0) {
      v = v < -len ? lower : v + len;
      return std::max(v, lower);
    }
    return std::min(v, upper);
  };
  start = adjust(start);
  stop = adjust(stop);
  // Steps may be as large as int64 allows: stop before `i + step` could
  // overflow.
  std::vector<int64_t> indices;
  if (step > 0) {
    for (int64_t i = start; i < stop; i += step) {
      indices.push_back(i);
      if (stop - i - step <= 0)
        break;
    }
  } else {
    for (int64_t i = start; i > stop; i += step) {
      indices.push_back(i);
      if (i - stop + step <= 0)
        break;
    }
  }
  return indices;
}

struct SliceSpec {
  std::vector<int64_t> starts, ends, steps, axes;
};

void checkSlice(const Shape &shape, const SliceSpec &spec, uint32_t seed) {
  Tensor x = randomTensor(shape, seed);
  int64_t rank = shape.size();
  std::vector<std::vector<int64_t>> taken(rank);
  for (int64_t d = 0; d < rank; ++d)
    taken[d] = pythonSlice(0, shape[d], 1, shape[d]);
  for (size_t i = 0; i < spec.starts.size(); ++i) {
    int64_t axis = spec.axes[i] < 0 ? spec.axes[i] + rank : spec.axes[i];
    taken[axis] =
        pythonSlice(spec.starts[i], spec.ends[i], spec.steps[i], shape[axis]);
  }
  Shape outShape;
  for (auto &indices : taken)
    outShape.push_back(indices.size());
  std::string attrs =
      "starts = " + i64Array(spec.starts) + ", ends = " + i64Array(spec.ends) +
      ", steps = " + i64Array(spec.steps) + ", axes = " + i64Array(spec.axes);
  KernelResult result = runOp("top.Slice", {x}, attrs, {tensorType(outShape)});
  ASSERT_TRUE(result.ok) << attrs << ": " << result.error;
  Tensor expected = tabulate(outShape, [&](std::vector<int64_t> c) {
    for (int64_t d = 0; d < rank; ++d)
      c[d] = taken[d][c[d]];
    return at(x, c);
  });
  EXPECT_TRUE(allClose(result.outputs[0], expected)) << attrs;
}

TEST(ShapeKernelsTest, SliceHandPickedCases) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  Shape shape = {4, 5, 6};
  // x[:, 1:4]
  checkSlice(shape, {{1}, {4}, {1}, {1}}, 1);
  // x[..., ::-1] (reverse the last dim as exported by PyTorch/ONNX)
  checkSlice(shape, {{-1}, {kMin}, {-1}, {-1}}, 2);
  // x[::-2, -4:-1, 5:0:-2]
  checkSlice(shape, {{kMax, -4, 5}, {kMin, -1, 0}, {-2, 1, -2}, {0, 1, 2}}, 3);
  // Out-of-range bounds clamp; an empty result is fine.
  checkSlice(shape, {{-100, 3}, {100, 3}, {1, 1}, {0, 2}}, 4);
  checkSlice(shape, {{10}, {-10}, {-1}, {1}}, 5);
  checkSlice(shape, {{2}, {kMax}, {kMax}, {2}}, 6);
  checkSlice(shape, {{3}, {kMin}, {kMin}, {0}}, 7);
  // Reverse every dim: the view walks the whole input backwards.
  checkSlice(shape, {{-1, -1, -1}, {kMin, kMin, kMin}, {-1, -1, -1}, {0, 1, 2}},
             8);
}

TEST(ShapeKernelsTest, SliceRandomCases) {
  std::mt19937 rng(99);
  const int64_t steps[] = {-3, -2, -1, 1, 2, 3, 7};
  Shape shape = {5, 6, 7};
  for (int trial = 0; trial < 200; ++trial) {
    SliceSpec spec;
    for (int64_t axis = 0; axis < 3; ++axis) {
      if (rng() % 3 == 0)
        continue;
      spec.axes.push_back(rng() % 2 ? axis : axis - 3);
      spec.starts.push_back(static_cast<int64_t>(rng() % 19) - 9);
      spec.ends.push_back(static_cast<int64_t>(rng() % 19) - 9);
      spec.steps.push_back(steps[rng() % 7]);
    }
    if (spec.axes.empty())
      continue;
    checkSlice(shape, spec, trial);
  }
}

TEST(ShapeKernelsTest, SliceRejectsWrongResultShape) {
  KernelResult result =
      runOp("top.Slice", {randomTensor({4, 4}, 1)},
            "starts = " + i64Array({0}) + ", ends = " + i64Array({2}) +
                ", steps = " + i64Array({1}) + ", axes = " + i64Array({0}),
            {tensorType({3, 4})});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("expected [2,4]"), std::string::npos)
      << result.error;
}

//===----------------------------------------------------------------------===//
// Reshape-like ops, Permute, Expand, Tile
//===----------------------------------------------------------------------===//

TEST(ShapeKernelsTest, ReshapeLikeOpsCopyTheData) {
  Tensor x = randomTensor({2, 1, 3, 4}, 5);
  struct Case {
    const char *op;
    std::string attrs;
    Shape shape;
  };
  const std::vector<Case> cases = {
      {"top.Reshape", "", {6, 4}},
      {"top.Reshape", "shape = " + i64Array({-1, 12}), {2, 12}},
      {"top.Flatten", "", {2, 12}},
      {"top.Flatten", "start_dim = 0, end_dim = 2", {6, 4}},
      {"top.Squeeze", "axes = " + i64Array({1}), {2, 3, 4}},
      {"top.Squeeze", "axes = " + i64Array({}), {2, 3, 4}},
      {"top.Unsqueeze", "axes = " + i64Array({0}), {1, 2, 1, 3, 4}},
  };
  for (const Case &c : cases) {
    KernelResult result = runOp(c.op, {x}, c.attrs, {tensorType(c.shape)});
    ASSERT_TRUE(result.ok) << c.op << ": " << result.error;
    EXPECT_EQ(result.outputs[0].data, x.data) << c.op;
  }
  KernelResult bad = runOp("top.Reshape", {x}, "", {tensorType({5, 5})});
  EXPECT_FALSE(bad.ok);
}

/// Every permutation of 0..n-1, in lexicographic order.
std::vector<std::vector<int64_t>> permutations(int64_t n) {
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::vector<int64_t>> all;
  do
    all.push_back(order);
  while (std::next_permutation(order.begin(), order.end()));
  return all;
}

TEST(ShapeKernelsTest, PermuteEveryOrder) {
  for (Shape shape : {Shape{2, 3, 4, 5}, Shape{3, 1, 4, 2}, Shape{2, 3, 2},
                      Shape{7, 5}, Shape{6}, Shape{2, 1, 3, 2, 2}}) {
    Tensor x = iota(shape);
    int64_t rank = shape.size();
    for (const auto &order : permutations(rank)) {
      Shape outShape;
      for (int64_t d : order)
        outShape.push_back(shape[d]);
      KernelResult result =
          runOp("top.Permute", {x}, "order = " + i64Array(order),
                {tensorType(outShape)});
      ASSERT_TRUE(result.ok) << result.error;
      Tensor expected = tabulate(outShape, [&](const std::vector<int64_t> &c) {
        std::vector<int64_t> in(rank);
        for (int64_t i = 0; i < rank; ++i)
          in[order[i]] = c[i];
        return at(x, in);
      });
      ASSERT_TRUE(allClose(result.outputs[0], expected))
          << "order " << i64Array(order);
    }
  }
}

TEST(ShapeKernelsTest, PermuteLargeNchwToNhwc) {
  Shape shape = {2, 64, 40, 36};
  Tensor x = iota(shape);
  KernelResult result =
      runOp("top.Permute", {x}, "order = " + i64Array({0, 2, 3, 1}),
            {tensorType({2, 40, 36, 64})});
  ASSERT_TRUE(result.ok) << result.error;
  Tensor expected =
      tabulate({2, 40, 36, 64}, [&](const std::vector<int64_t> &c) {
        return at(x, {c[0], c[3], c[1], c[2]});
      });
  EXPECT_TRUE(allClose(result.outputs[0], expected));
}

TEST(ShapeKernelsTest, PermuteRejectsBadOrder) {
  KernelResult result =
      runOp("top.Permute", {randomTensor({2, 3}, 1)},
            "order = " + i64Array({0, 0}), {tensorType({2, 2})});
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

TEST(ShapeKernelsTest, Expand) {
  struct Case {
    Shape in, shape, out;
  };
  const std::vector<Case> cases = {
      {{3, 1}, {2, 3, 4}, {2, 3, 4}},
      {{}, {2, 2}, {2, 2}},
      {{1}, {5}, {5}},
      {{2, 1, 3}, {4, 1}, {2, 4, 3}},
      {{3, 4}, {1, 1}, {3, 4}},
      {{1, 4, 1}, {3, 1, 1, 2}, {3, 1, 4, 2}},
  };
  uint32_t seed = 40;
  for (const Case &c : cases) {
    Tensor x = randomTensor(c.in, seed++);
    KernelResult result = runOp(
        "top.Expand", {x}, "shape = " + i64Array(c.shape), {tensorType(c.out)});
    ASSERT_TRUE(result.ok) << result.error;
    Tensor expected = tabulate(c.out, [&](const std::vector<int64_t> &coords) {
      size_t offset = coords.size() - c.in.size();
      std::vector<int64_t> in(c.in.size());
      for (size_t i = 0; i < in.size(); ++i)
        in[i] = c.in[i] == 1 ? 0 : coords[i + offset];
      return at(x, in);
    });
    EXPECT_TRUE(allClose(result.outputs[0], expected)) << i64Array(c.shape);
  }
}

TEST(ShapeKernelsTest, Tile) {
  struct Case {
    Shape in, repeats;
  };
  const std::vector<Case> cases = {{{2, 3}, {2, 3}},
                                   {{2, 3}, {1, 1}},
                                   {{4}, {3}},
                                   {{2, 1, 3}, {1, 4, 2}},
                                   {{1, 2, 2, 3}, {2, 1, 3, 1}}};
  uint32_t seed = 50;
  for (const Case &c : cases) {
    Tensor x = randomTensor(c.in, seed++);
    Shape outShape;
    for (size_t i = 0; i < c.in.size(); ++i)
      outShape.push_back(c.in[i] * c.repeats[i]);
    KernelResult result =
        runOp("top.Tile", {x}, "repeats = " + i64Array(c.repeats),
              {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << result.error;
    Tensor expected = tabulate(outShape, [&](std::vector<int64_t> coords) {
      for (size_t i = 0; i < coords.size(); ++i)
        coords[i] %= c.in[i];
      return at(x, coords);
    });
    EXPECT_TRUE(allClose(result.outputs[0], expected)) << i64Array(c.repeats);
  }
}

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

/// Source index of output position `o` along a dim of `n` with `begin`
/// padding, by bouncing off the edges one reflection at a time; -1 for the
/// constant fill.
int64_t padSource(int64_t o, int64_t begin, int64_t n,
                  const std::string &mode) {
  int64_t i = o - begin;
  if (mode == "constant")
    return i < 0 || i >= n ? -1 : i;
  if (mode == "edge")
    return std::min(std::max<int64_t>(i, 0), n - 1);
  if (n == 1)
    return 0;
  while (i < 0 || i >= n) {
    if (i < 0)
      i = -i;
    if (i >= n)
      i = 2 * (n - 1) - i;
  }
  return i;
}

void checkPad(const Shape &shape, const std::vector<int64_t> &pads,
              const std::string &mode, uint32_t seed) {
  Tensor x = randomTensor(shape, seed);
  int64_t rank = shape.size();
  Shape outShape;
  for (int64_t d = 0; d < rank; ++d)
    outShape.push_back(shape[d] + pads[d] + pads[d + rank]);
  std::string attrs = "paddings = " + i64Array(pads) + ", mode = \"" + mode +
                      "\", val = " + f64Attr(-7.5);
  KernelResult result = runOp("top.Pad", {x}, attrs, {tensorType(outShape)});
  ASSERT_TRUE(result.ok) << attrs << ": " << result.error;
  Tensor expected = tabulate(outShape, [&](std::vector<int64_t> c) {
    for (int64_t d = 0; d < rank; ++d) {
      c[d] = padSource(c[d], pads[d], shape[d], mode);
      if (c[d] < 0)
        return -7.5f;
    }
    return at(x, c);
  });
  EXPECT_TRUE(allClose(result.outputs[0], expected)) << attrs;
}

TEST(ShapeKernelsTest, PadEveryModeWithRandomPads) {
  std::mt19937 rng(17);
  for (const char *mode : {"constant", "reflect", "edge"}) {
    for (int trial = 0; trial < 30; ++trial) {
      Shape shape = {static_cast<int64_t>(2 + rng() % 2),
                     static_cast<int64_t>(4 + rng() % 3),
                     static_cast<int64_t>(4 + rng() % 4)};
      // Pads in [-(n-1)/2, min(3, n-1)]: reflect needs them below the dim,
      // and crops leave at least one element.
      std::vector<int64_t> pads(6);
      for (int64_t i = 0; i < 6; ++i) {
        int64_t n = shape[i % 3];
        int64_t lo = -(n - 1) / 2, hi = std::min<int64_t>(3, n - 1);
        pads[i] = lo + static_cast<int64_t>(rng() % (hi - lo + 1));
      }
      checkPad(shape, pads, mode, trial);
    }
  }
}

TEST(ShapeKernelsTest, PadHandPickedCases) {
  // Reflect excludes the edge; edge repeats it.
  Tensor x = makeTensor({4}, {1, 2, 3, 4});
  KernelResult reflect = runOp(
      "top.Pad", {x}, "paddings = " + i64Array({2, 3}) + ", mode = \"reflect\"",
      {tensorType({9})});
  ASSERT_TRUE(reflect.ok) << reflect.error;
  EXPECT_TRUE(allClose(reflect.outputs[0],
                       makeTensor({9}, {3, 2, 1, 2, 3, 4, 3, 2, 1})));
  KernelResult edge = runOp(
      "top.Pad", {x}, "paddings = " + i64Array({2, -1}) + ", mode = \"edge\"",
      {tensorType({5})});
  ASSERT_TRUE(edge.ok) << edge.error;
  EXPECT_TRUE(allClose(edge.outputs[0], makeTensor({5}, {1, 1, 1, 2, 3})));
  KernelResult constant =
      runOp("top.Pad", {x},
            "paddings = " + i64Array({-1, 1}) + ", val = " + f64Attr(9.0),
            {tensorType({4})});
  ASSERT_TRUE(constant.ok) << constant.error;
  EXPECT_TRUE(allClose(constant.outputs[0], makeTensor({4}, {2, 3, 4, 9})));
  // Size-1 dims, rank 1 and rank 4 also work.
  checkPad({3, 1}, {1, 2, 0, 3}, "edge", 1);
  checkPad({1, 2, 3, 4}, {0, 1, 1, 2, 0, 1, 2, 3}, "reflect", 2);
  checkPad({5}, {0, 0}, "constant", 3);
}

TEST(ShapeKernelsTest, PadRejectsOverCropping) {
  KernelResult result =
      runOp("top.Pad", {randomTensor({2, 3}, 1)},
            "paddings = " + i64Array({0, -2, 0, -2}), {tensorType({2, 0})});
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

//===----------------------------------------------------------------------===//
// Depth2Space
//===----------------------------------------------------------------------===//

std::string d2sAttrs(int64_t bh, int64_t bw, bool crd, bool inversed) {
  return "block_h = " + std::to_string(bh) +
         ", block_w = " + std::to_string(bw) +
         ", is_CRD = " + (crd ? "true" : "false") +
         ", is_inversed = " + (inversed ? "true" : "false");
}

TEST(ShapeKernelsTest, Depth2SpaceHandComputed) {
  // Channel ch at column w holds ch * 2 + w; block 2x2 gives 2 channels.
  Tensor x = iota({1, 8, 1, 2});
  KernelResult dcr = runOp("top.Depth2Space", {x}, d2sAttrs(2, 2, false, false),
                           {tensorType({1, 2, 2, 4})});
  ASSERT_TRUE(dcr.ok) << dcr.error;
  // DCR: out[c, i, 2w + j] = in[(2i + j) * 2 + c, w].
  EXPECT_TRUE(allClose(dcr.outputs[0],
                       makeTensor({1, 2, 2, 4}, {0, 4, 1, 5, 8, 12, 9, 13, //
                                                 2, 6, 3, 7, 10, 14, 11, 15})));
  KernelResult crd = runOp("top.Depth2Space", {x}, d2sAttrs(2, 2, true, false),
                           {tensorType({1, 2, 2, 4})});
  ASSERT_TRUE(crd.ok) << crd.error;
  // CRD: out[c, i, 2w + j] = in[4c + 2i + j, w].
  EXPECT_TRUE(
      allClose(crd.outputs[0],
               makeTensor({1, 2, 2, 4}, {0, 2, 1, 3, 4, 6, 5, 7, //
                                         8, 10, 9, 11, 12, 14, 13, 15})));
  // SpaceToDepth of a 2x4 plane with 2x2 blocks (ONNX SpaceToDepth order).
  Tensor plane = iota({1, 1, 2, 4});
  KernelResult s2d =
      runOp("top.Depth2Space", {plane}, d2sAttrs(2, 2, false, true),
            {tensorType({1, 4, 1, 2})});
  ASSERT_TRUE(s2d.ok) << s2d.error;
  EXPECT_TRUE(allClose(s2d.outputs[0],
                       makeTensor({1, 4, 1, 2}, {0, 2, 1, 3, 4, 6, 5, 7})));
}

TEST(ShapeKernelsTest, Depth2SpaceMatchesTheDefinition) {
  for (auto blocks : {std::pair<int64_t, int64_t>{2, 2}, {2, 3}, {3, 1}}) {
    int64_t bh = blocks.first, bw = blocks.second;
    for (bool crd : {false, true}) {
      int64_t oc = 2, h = 3, w = 2;
      Shape inShape = {2, oc * bh * bw, h, w};
      Shape outShape = {2, oc, h * bh, w * bw};
      Tensor x = randomTensor(inShape, 60);
      KernelResult result =
          runOp("top.Depth2Space", {x}, d2sAttrs(bh, bw, crd, false),
                {tensorType(outShape)});
      ASSERT_TRUE(result.ok) << result.error;
      Tensor expected = tabulate(outShape, [&](const std::vector<int64_t> &c) {
        int64_t i = c[2] % bh, j = c[3] % bw;
        int64_t channel =
            crd ? c[1] * bh * bw + i * bw + j : (i * bw + j) * oc + c[1];
        return at(x, {c[0], channel, c[2] / bh, c[3] / bw});
      });
      EXPECT_TRUE(allClose(result.outputs[0], expected))
          << d2sAttrs(bh, bw, crd, false);

      // Space-to-depth is checked against its own definition and as the
      // inverse of depth-to-space with the same ordering.
      KernelResult back =
          runOp("top.Depth2Space", {expected}, d2sAttrs(bh, bw, crd, true),
                {tensorType(inShape)});
      ASSERT_TRUE(back.ok) << back.error;
      EXPECT_TRUE(allClose(back.outputs[0], x)) << d2sAttrs(bh, bw, crd, true);
      Tensor s2dExpected =
          tabulate(inShape, [&](const std::vector<int64_t> &c) {
            int64_t channel, i, j;
            if (crd) {
              channel = c[1] / (bh * bw);
              i = c[1] % (bh * bw) / bw;
              j = c[1] % bw;
            } else {
              channel = c[1] % oc;
              i = c[1] / oc / bw;
              j = c[1] / oc % bw;
            }
            return at(expected, {c[0], channel, c[2] * bh + i, c[3] * bw + j});
          });
      EXPECT_TRUE(allClose(back.outputs[0], s2dExpected));
    }
  }
}

TEST(ShapeKernelsTest, Depth2SpaceRejectsIndivisibleChannels) {
  KernelResult result =
      runOp("top.Depth2Space", {randomTensor({1, 6, 2, 2}, 1)},
            d2sAttrs(2, 2, false, false), {tensorType({1, 1, 4, 4})});
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

TEST(ShapeKernelsTest, GatherWithNegativeIndices) {
  Tensor x = randomTensor({3, 4, 5}, 70);
  struct Case {
    int64_t axis;
    Shape indexShape;
    std::vector<float> indices;
  };
  const std::vector<Case> cases = {
      {0, {2}, {2, -3}}, {1, {2, 3}, {0, -1, 3, -4, 2, 2}},
      {-1, {}, {-2}},    {2, {1}, {4}},
      {1, {0}, {}},
  };
  for (const Case &c : cases) {
    int64_t axis = c.axis < 0 ? c.axis + 3 : c.axis;
    Tensor indices = makeTensor(c.indexShape, c.indices);
    Shape outShape(x.shape.begin(), x.shape.begin() + axis);
    outShape.insert(outShape.end(), c.indexShape.begin(), c.indexShape.end());
    outShape.insert(outShape.end(), x.shape.begin() + axis + 1, x.shape.end());
    KernelResult result =
        runOp("top.Gather", {x, indices}, "axis = " + std::to_string(c.axis),
              {tensorType(outShape)});
    ASSERT_TRUE(result.ok) << result.error;
    int64_t indexRank = c.indexShape.size();
    Tensor expected = tabulate(outShape, [&](const std::vector<int64_t> &o) {
      std::vector<int64_t> idxCoords(o.begin() + axis,
                                     o.begin() + axis + indexRank);
      int64_t index = static_cast<int64_t>(
          indices.data[ravelIndex(idxCoords, c.indexShape)]);
      if (index < 0)
        index += x.shape[axis];
      std::vector<int64_t> in(o.begin(), o.begin() + axis);
      in.push_back(index);
      in.insert(in.end(), o.begin() + axis + indexRank, o.end());
      return at(x, in);
    });
    EXPECT_TRUE(allClose(result.outputs[0], expected)) << "axis " << c.axis;
  }
}

TEST(ShapeKernelsTest, GatherReportsOutOfRangeIndices) {
  Tensor x = randomTensor({3, 4}, 71);
  for (float bad : {4.0f, -5.0f}) {
    KernelResult result = runOp("top.Gather", {x, makeTensor({2}, {1.0f, bad})},
                                "axis = 1", {tensorType({3, 2})});
    EXPECT_FALSE(result.ok);
    std::string needle = "index " + std::to_string(static_cast<int64_t>(bad)) +
                         " is out of range";
    EXPECT_NE(result.error.find(needle), std::string::npos) << result.error;
  }
  KernelResult fraction = runOp("top.Gather", {x, makeTensor({1}, {1.5f})},
                                "axis = 0", {tensorType({1, 4})});
  EXPECT_FALSE(fraction.ok);
  EXPECT_NE(fraction.error.find("not an integer"), std::string::npos)
      << fraction.error;
}

//===----------------------------------------------------------------------===//
// Reduce
//===----------------------------------------------------------------------===//

/// Runs Reduce and compares with a reference that groups every input
/// element under its output coordinates and reduces each group in double.
void checkReduce(const Tensor &x, const std::vector<int64_t> &axes,
                 bool keepdims, const std::string &mode) {
  const Shape shape(x.shape.begin(), x.shape.end());
  int64_t rank = shape.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[a < 0 ? a + rank : a] = true;
  Shape keptShape, outShape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d])
      keptShape.push_back(shape[d]);
    if (!reduced[d] || keepdims)
      outShape.push_back(reduced[d] ? 1 : shape[d]);
  }
  int64_t outCount = Tensor::numelOf(keptShape);
  std::vector<std::vector<double>> groups(outCount);
  for (int64_t i = 0; i < x.numel(); ++i) {
    auto c = unravelIndex(i, shape);
    std::vector<int64_t> kept;
    for (int64_t d = 0; d < rank; ++d)
      if (!reduced[d])
        kept.push_back(c[d]);
    groups[ravelIndex(kept, keptShape)].push_back(x.data[i]);
  }
  Tensor expected(outShape);
  for (int64_t o = 0; o < outCount; ++o) {
    const auto &g = groups[o];
    double v = 0;
    if (mode == "ReduceMean" || mode == "ReduceSum") {
      v = std::accumulate(g.begin(), g.end(), 0.0);
      if (mode == "ReduceMean")
        v /= g.size();
    } else if (mode == "ReduceMax") {
      v = *std::max_element(g.begin(), g.end());
    } else if (mode == "ReduceMin") {
      v = *std::min_element(g.begin(), g.end());
    } else if (mode == "ReduceProd") {
      v = std::accumulate(g.begin(), g.end(), 1.0, std::multiplies<double>());
    } else {
      for (double e : g)
        v += e * e;
      v = std::sqrt(v);
    }
    expected.data[o] = static_cast<float>(v);
  }
  std::string attrs = "axes = " + i64Array(axes) +
                      ", keepdims = " + (keepdims ? "true" : "false") +
                      ", mode = \"" + mode + "\"";
  KernelResult result = runOp("top.Reduce", {x}, attrs, {tensorType(outShape)});
  ASSERT_TRUE(result.ok) << attrs << ": " << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, 1e-6, 1e-6)) << attrs;
}

TEST(ShapeKernelsTest, ReduceEveryModeAndAxes) {
  Tensor x = randomTensor({2, 3, 4, 5}, 80, 0.5f, 1.5f);
  for (int i = 0; i < 6; ++i)
    x.data[i * 17] = -x.data[i * 17];
  const std::vector<std::vector<int64_t>> axesCases = {
      {1}, {-1}, {0, 2}, {2, 3}, {1, 2, 3}, {0, 1, 2, 3}, {3, 0}};
  for (const char *mode : {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum",
                           "ReduceProd", "ReduceL2"})
    for (const auto &axes : axesCases)
      for (bool keepdims : {true, false})
        checkReduce(x, axes, keepdims, mode);
}

TEST(ShapeKernelsTest, LargeTensorsTakeTheParallelPath) {
  // Above the OpenMP threshold, on shapes whose work splits unevenly.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  checkPad({3, 150, 151}, {0, 2, 1, 0, -1, 3}, "reflect", 1);
  checkPad({3, 150, 151}, {1, 0, 2, 0, 3, -2}, "constant", 2);
  checkSlice({2, 201, 203}, {{-1, 5}, {kMin, 200}, {-1, 3}, {1, 2}}, 3);
  checkReduce(randomTensor({4, 129, 161}, 4), {1}, true, "ReduceSum");
  checkReduce(randomTensor({4, 129, 161}, 5), {0, 2}, false, "ReduceMax");

  Tensor a = randomTensor({2, 100, 401}, 6), b = randomTensor({2, 3, 401}, 7);
  KernelResult concat =
      runOp("top.Concat", {a, b}, "axis = 1", {tensorType({2, 103, 401})});
  ASSERT_TRUE(concat.ok) << concat.error;
  EXPECT_TRUE(
      allClose(concat.outputs[0],
               tabulate({2, 103, 401}, [&](const std::vector<int64_t> &c) {
                 return c[1] < 100 ? at(a, c) : at(b, {c[0], c[1] - 100, c[2]});
               })));

  Tensor x = randomTensor({3, 300, 101}, 8);
  Tensor indices = makeTensor({4}, {299, -1, 0, 7});
  KernelResult gather =
      runOp("top.Gather", {x, indices}, "axis = 1", {tensorType({3, 4, 101})});
  ASSERT_TRUE(gather.ok) << gather.error;
  EXPECT_TRUE(
      allClose(gather.outputs[0],
               tabulate({3, 4, 101}, [&](const std::vector<int64_t> &c) {
                 int64_t i = indices.data[c[1]];
                 return at(x, {c[0], i < 0 ? i + 300 : i, c[2]});
               })));

  Tensor column = randomTensor({1, 300, 1}, 9);
  KernelResult expand =
      runOp("top.Expand", {column}, "shape = " + i64Array({3, 1, 101}),
            {tensorType({3, 300, 101})});
  ASSERT_TRUE(expand.ok) << expand.error;
  EXPECT_TRUE(
      allClose(expand.outputs[0],
               tabulate({3, 300, 101}, [&](const std::vector<int64_t> &c) {
                 return at(column, {0, c[1], 0});
               })));
}

TEST(ShapeKernelsTest, ReduceRejectsWrongResultShape) {
  KernelResult result = runOp("top.Reduce", {randomTensor({2, 3}, 1)},
                              "axes = " + i64Array({1}) +
                                  ", keepdims = true, mode = \"ReduceSum\"",
                              {tensorType({2})});
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

} // namespace

namespace {

TEST(ShapeKernelsTest, ArgMaxAndArgMinWithTies) {
  // Rows: [3, 1, 3] and [0, 5, 5]; ties pick the first index unless
  // select_last_index is set.
  Tensor x = makeTensor({2, 3}, {3, 1, 3, 0, 5, 5});
  struct Case {
    std::string attrs;
    std::vector<int64_t> shape;
    std::vector<float> expected;
  } cases[] = {
      {"axis = 1 : i64, mode = \"ArgMax\"", {2, 1}, {0, 1}},
      {"axis = 1 : i64, mode = \"ArgMax\", select_last_index = true",
       {2, 1},
       {2, 2}},
      {"axis = 1 : i64, mode = \"ArgMin\", keepdims = false", {2}, {1, 0}},
      {"axis = 0 : i64, mode = \"ArgMax\", keepdims = false", {3}, {0, 1, 1}},
      {"axis = -2 : i64, mode = \"ArgMin\"", {1, 3}, {1, 0, 0}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.attrs);
    KernelResult result = runOp("top.Arg", {x}, c.attrs, {tensorType(c.shape)});
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.outputs[0].data, c.expected);
  }
}

} // namespace
