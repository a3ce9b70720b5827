//===- WeightFold.cpp - Compute all-weight ops at compile time ------------===//

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopWeights.h"
#include "tpuc/Dialect/Tpu/TpuOps.h"
#include "tpuc/Interpreter/Kernel.h"
#include "tpuc/Transforms/Passes.h"

#include <cmath>

namespace tpuc::tpu {
#define GEN_PASS_DEF_WEIGHTFOLD
#include "dialects/Tpu/Passes.h.inc"
} // namespace tpuc::tpu

using namespace mlir;
using namespace tpuc;
using namespace tpuc::tpu;

namespace {

/// The weight file array for stored values of element type `element`.
NpyArray storedArray(Type element, ArrayRef<float> values) {
  if (auto q = dyn_cast<quant::UniformQuantizedType>(element)) {
    std::vector<int64_t> codes(values.begin(), values.end());
    return makeInt8Array(codes, !q.isSigned());
  }
  if (auto calibrated = dyn_cast<quant::CalibratedQuantizedType>(element))
    element = calibrated.getExpressedType();
  if (element.isBF16())
    return makeBf16Array(values);
  if (element.isF16())
    return makeF16Array(values);
  if (auto integer = dyn_cast<IntegerType>(element)) {
    std::vector<int64_t> ints;
    for (float v : values)
      ints.push_back(static_cast<int64_t>(std::llround(v)));
    if (integer.getWidth() == 8)
      return makeInt8Array(ints, integer.isUnsigned());
    return makeInt32Array(ints);
  }
  return NpyArray::fromFloat(values, {static_cast<int64_t>(values.size())});
}

struct WeightFoldPass : tpuc::tpu::impl::WeightFoldBase<WeightFoldPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    const KernelRegistry &registry = getKernelRegistry();
    // In program order, so a chain of foldable ops folds whole: each op is
    // checked after its producers were replaced by weights.
    SmallVector<Operation *> tpuOps;
    module.walk([&](Operation *op) {
      if (isa_and_nonnull<TpuDialect>(op->getDialect()) &&
          op->getNumOperands() > 0 && op->getNumResults() == 1 &&
          registry.lookup(op->getName().getStringRef()))
        tpuOps.push_back(op);
    });
    top::WeightStore *store = top::getWeightStore(module);
    for (Operation *op : tpuOps) {
      bool allWeights = llvm::all_of(op->getOperands(), [](Value v) {
        return isa<NoneType>(v.getType()) || v.getDefiningOp<top::WeightOp>();
      });
      if (!allWeights)
        continue;
      std::vector<Tensor> operands;
      operands.reserve(op->getNumOperands());
      KernelArgs args;
      for (Value v : op->getOperands()) {
        if (isa<NoneType>(v.getType()))
          continue;
        auto data = top::readWeightAsFloat(v.getDefiningOp<top::WeightOp>());
        if (failed(data))
          return signalPassFailure();
        Tensor t;
        auto shape = cast<ShapedType>(v.getType()).getShape();
        t.shape.assign(shape.begin(), shape.end());
        t.data = std::move(*data);
        operands.push_back(std::move(t));
      }
      size_t next = 0;
      args.inputs.clear();
      for (Value v : op->getOperands())
        args.inputs.push_back(isa<NoneType>(v.getType()) ? nullptr
                                                         : &operands[next++]);
      auto type = cast<RankedTensorType>(op->getResult(0).getType());
      std::vector<Tensor> results;
      results.emplace_back(type.getShape());
      args.outputs = results;
      if (failed((*registry.lookup(op->getName().getStringRef()))(op, args)))
        return signalPassFailure();
      std::string base = top::getOpName(op) + "_folded";
      std::string name = base;
      for (int i = 1; store && store->contains(name); ++i)
        name = base + "_" + std::to_string(i);
      OpBuilder b(op);
      Value weight = createWeight(
          b, module, name, type.getShape(), type.getElementType(),
          storedArray(type.getElementType(), results.front().data));
      op->getResult(0).replaceAllUsesWith(weight);
      op->erase();
    }
  }
};

} // namespace
