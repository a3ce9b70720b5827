//===- MatMulKernelsTest.cpp - MatMul kernel ------------------------------===//
//
// The kernel is compared with a naive reference written here (double
// accumulation), on hand-picked cases for every feature and on seeded random
// sweeps of shapes and attributes.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "gtest/gtest.h"

#include <random>
#include <sstream>

using namespace tpuc;
using namespace tpuc::test;

namespace {

constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

struct MatMulCase {
  llvm::SmallVector<int64_t, 4> left, right, bias; // bias empty: none
  bool leftT = false, rightT = false, doRelu = false;
  double reluLimit = -1.0;
};

/// numpy matmul of the (possibly transposed) operands, plus bias and relu.
Tensor referenceMatMul(const MatMulCase &c, const Tensor &a, const Tensor &b,
                       const Tensor *bias) {
  auto matrixDims = [](llvm::ArrayRef<int64_t> shape, bool transposed,
                       bool isLeft) {
    // (rows, cols) of the operand as used in the product.
    if (shape.size() == 1)
      return isLeft ? std::make_pair<int64_t, int64_t>(1, int64_t(shape[0]))
                    : std::make_pair<int64_t, int64_t>(int64_t(shape[0]), 1);
    int64_t r = shape[shape.size() - 2], cl = shape.back();
    return transposed ? std::make_pair(cl, r) : std::make_pair(r, cl);
  };
  auto [m, k] = matrixDims(c.left, c.leftT, true);
  auto [k2, n] = matrixDims(c.right, c.rightT, false);
  EXPECT_EQ(k, k2);
  llvm::ArrayRef<int64_t> aBatch = c.left.size() > 2
                                       ? llvm::ArrayRef(c.left).drop_back(2)
                                       : llvm::ArrayRef<int64_t>();
  llvm::ArrayRef<int64_t> bBatch = c.right.size() > 2
                                       ? llvm::ArrayRef(c.right).drop_back(2)
                                       : llvm::ArrayRef<int64_t>();
  size_t batchRank = std::max(aBatch.size(), bBatch.size());
  std::vector<int64_t> outBatch(batchRank);
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t da = i + aBatch.size() >= batchRank
                     ? aBatch[i + aBatch.size() - batchRank]
                     : 1;
    int64_t db = i + bBatch.size() >= batchRank
                     ? bBatch[i + bBatch.size() - batchRank]
                     : 1;
    outBatch[i] = std::max(da, db);
  }
  llvm::SmallVector<int64_t, 6> outShape(outBatch.begin(), outBatch.end());
  if (c.left.size() > 1)
    outShape.push_back(m);
  if (c.right.size() > 1)
    outShape.push_back(n);
  Tensor y(outShape);
  int64_t batches = Tensor::numelOf(outBatch);
  // Element (row, col) of an operand at output batch coordinates.
  auto element = [&](const Tensor &t, llvm::ArrayRef<int64_t> batchShape,
                     const std::vector<int64_t> &coords, int64_t row,
                     int64_t col, bool transposed) -> double {
    std::vector<int64_t> index;
    for (size_t i = 0; i < batchShape.size(); ++i) {
      int64_t coord = coords[i + batchRank - batchShape.size()];
      index.push_back(batchShape[i] == 1 ? 0 : coord);
    }
    if (t.rank() == 1)
      return t.data[&t == &a ? col : row]; // [1, k] or [k, 1]
    if (transposed)
      std::swap(row, col);
    index.push_back(row);
    index.push_back(col);
    return t.data[ravelIndex(index, t.shape)];
  };
  for (int64_t bi = 0; bi < batches; ++bi) {
    std::vector<int64_t> coords = unravelIndex(bi, outBatch);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0.0;
        for (int64_t kk = 0; kk < k; ++kk)
          acc += element(a, aBatch, coords, i, kk, c.leftT) *
                 element(b, bBatch, coords, kk, j, c.rightT);
        int64_t flat = (bi * m + i) * n + j;
        if (bias) {
          // Broadcast the bias against the output coordinates.
          std::vector<int64_t> outCoords = unravelIndex(flat, outShape);
          std::vector<int64_t> biasIndex;
          for (int64_t d = 0; d < bias->rank(); ++d) {
            int64_t dim = bias->shape[d];
            biasIndex.push_back(
                dim == 1 ? 0 : outCoords[outShape.size() - bias->rank() + d]);
          }
          acc += bias->data[ravelIndex(biasIndex, bias->shape)];
        }
        y.data[flat] =
            static_cast<float>(applyReluRef(acc, c.doRelu, c.reluLimit));
      }
  }
  return y;
}

void checkMatMul(const MatMulCase &c, uint32_t seed) {
  std::ostringstream trace;
  trace << "left " << tensorType(c.left) << (c.leftT ? "^T" : "") << " right "
        << tensorType(c.right) << (c.rightT ? "^T" : "") << " bias "
        << (c.bias.empty() ? "none" : tensorType(c.bias)) << " relu "
        << c.doRelu << " limit " << c.reluLimit;
  SCOPED_TRACE(trace.str());
  Tensor a = randomTensor(c.left, seed), b = randomTensor(c.right, seed + 1);
  Tensor bias = randomTensor(c.bias, seed + 2);
  const Tensor *biasPtr = c.bias.empty() ? nullptr : &bias;
  Tensor expected = referenceMatMul(c, a, b, biasPtr);
  std::string attributes =
      std::string("left_transpose = ") + (c.leftT ? "true" : "false") +
      ", right_transpose = " + (c.rightT ? "true" : "false") +
      reluAttrs(c.doRelu, c.reluLimit);
  KernelResult result = runWithOptionalBias("top.MatMul", a, b, biasPtr,
                                            attributes, expected.shape);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(allClose(result.outputs[0], expected, kAtol, kRtol));
}

TEST(MatMulKernel, Plain2D) { checkMatMul({{5, 7}, {7, 3}, {}}, 300); }

TEST(MatMulKernel, LinearWithBiasAndRelu) {
  MatMulCase c{{2, 6, 16}, {16, 10}, {10}};
  c.doRelu = true;
  checkMatMul(c, 310);
}

TEST(MatMulKernel, ReluLimit) {
  MatMulCase c{{4, 8}, {8, 6}, {1, 6}};
  c.doRelu = true;
  c.reluLimit = 0.5;
  checkMatMul(c, 315);
}

TEST(MatMulKernel, ScalarBias) { checkMatMul({{3, 4}, {4, 5}, {1}}, 318); }

TEST(MatMulKernel, BiasOverRowsAndColumns) {
  MatMulCase c{{2, 3, 4}, {4, 5}, {3, 5}};
  c.doRelu = true;
  checkMatMul(c, 319);
}

TEST(MatMulKernel, BatchedSameBatch) {
  checkMatMul({{3, 4, 5}, {3, 5, 6}, {6}}, 320);
}

TEST(MatMulKernel, BroadcastBatchBothSides) {
  checkMatMul({{2, 1, 3, 4}, {1, 5, 4, 6}, {}}, 330);
}

TEST(MatMulKernel, BroadcastLeftMatrixOverRightBatch) {
  checkMatMul({{3, 4}, {2, 4, 5}, {5}}, 335);
}

TEST(MatMulKernel, RankMismatchBatch) {
  checkMatMul({{4, 1, 2, 3}, {3, 3, 2}, {}}, 338);
}

TEST(MatMulKernel, Transposes) {
  for (bool lt : {false, true})
    for (bool rt : {false, true}) {
      MatMulCase c;
      c.left = lt ? llvm::SmallVector<int64_t, 4>{2, 7, 4}
                  : llvm::SmallVector<int64_t, 4>{2, 4, 7};
      c.right = rt ? llvm::SmallVector<int64_t, 4>{2, 5, 7}
                   : llvm::SmallVector<int64_t, 4>{2, 7, 5};
      c.leftT = lt;
      c.rightT = rt;
      c.bias = {5};
      checkMatMul(c, 340 + lt * 2 + rt);
    }
}

TEST(MatMulKernel, TransposedBroadcast) {
  MatMulCase c{{1, 6, 3}, {4, 5, 6}, {}};
  c.leftT = true;
  c.rightT = true;
  checkMatMul(c, 350);
}

TEST(MatMulKernel, OneDimensionalOperands) {
  checkMatMul({{7}, {7, 3}, {3}}, 360);    // vector x matrix
  checkMatMul({{4, 7}, {7}, {}}, 361);     // matrix x vector
  checkMatMul({{2, 4, 7}, {7}, {4}}, 362); // batched matrix x vector
  checkMatMul({{7}, {3, 7, 2}, {}}, 363);  // vector x batched
  checkMatMul({{7}, {7}, {}}, 364);        // dot product
}

TEST(MatMulKernel, RandomSweep) {
  std::mt19937 rng(99);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iteration = 0; iteration < 40; ++iteration) {
    MatMulCase c;
    int64_t m = uniform(1, 9), k = uniform(1, 17), n = uniform(1, 9);
    int64_t batchRank = uniform(0, 2);
    llvm::SmallVector<int64_t, 4> batch;
    for (int64_t i = 0; i < batchRank; ++i)
      batch.push_back(uniform(1, 3));
    auto operandBatch = [&]() {
      // Drop leading dims and broadcast some to 1.
      llvm::SmallVector<int64_t, 4> result;
      int64_t skip = uniform(0, batchRank);
      for (int64_t i = skip; i < batchRank; ++i)
        result.push_back(uniform(0, 2) == 0 ? 1 : batch[i]);
      return result;
    };
    c.leftT = uniform(0, 1);
    c.rightT = uniform(0, 1);
    c.left = operandBatch();
    c.left.append(c.leftT ? std::initializer_list<int64_t>{k, m}
                          : std::initializer_list<int64_t>{m, k});
    c.right = operandBatch();
    c.right.append(c.rightT ? std::initializer_list<int64_t>{n, k}
                            : std::initializer_list<int64_t>{k, n});
    int64_t biasKind = uniform(0, 2);
    if (biasKind == 1)
      c.bias = {n};
    c.doRelu = uniform(0, 1);
    c.reluLimit = uniform(0, 1) ? 0.5 : -1.0;
    checkMatMul(c, 3000 + iteration * 5);
  }
}

} // namespace
