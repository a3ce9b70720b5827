//===- RealValues.cpp - Tensors as the values they represent --------------===//

#include "tpuc/Interpreter/RealValues.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Quant/QuantMath.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace tpuc {

Tensor toRealValues(Type type, const Tensor &tensor) {
  auto q = tpu::getUniformType(type);
  if (!q)
    return tensor;
  Tensor out = tensor;
  double scale = q.getScale();
  int64_t zp = q.getZeroPoint();
  for (float &v : out.data)
    v = static_cast<float>((double(v) - zp) * scale);
  return out;
}

Tensor toStoredValues(Type type, const Tensor &tensor) {
  auto q = tpu::getUniformType(type);
  if (!q) {
    // bf16/f16 inputs (after --quant_input) hold values of their type: an
    // f32 value the caller passes is what the cast it replaced rounded.
    FloatType f = tpu::getFloatType(type);
    if (!f || !(f.isBF16() || f.isF16()))
      return tensor;
    Tensor out = tensor;
    for (float &v : out.data)
      v = f.isBF16() ? quantmath::roundToBf16(v) : quantmath::roundToF16(v);
    return out;
  }
  Tensor out = tensor;
  for (float &v : out.data) {
    int64_t code =
        quantmath::roundToInt(double(v) / q.getScale(),
                              quantmath::RoundMode::HalfAwayFromZero) +
        q.getZeroPoint();
    v = static_cast<float>(quantmath::saturate(code, q.getStorageTypeMin(),
                                               q.getStorageTypeMax()));
  }
  return out;
}

void toRealValues(func::FuncOp func, TensorMap &tensors) {
  llvm::StringMap<Type> types;
  func.walk([&](Operation *op) {
    for (Value result : op->getResults())
      if (tpu::getUniformType(result))
        types[top::getTensorName(result)] = result.getType();
  });
  for (auto &[name, tensor] : tensors) {
    auto it = types.find(name);
    if (it != types.end())
      tensor = toRealValues(it->second, tensor);
  }
}

} // namespace tpuc
