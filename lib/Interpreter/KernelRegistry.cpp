//===- KernelRegistry.cpp - The registry of every kernel ------------------===//

#include "tpuc/Interpreter/Kernel.h"

#include "Tpu/TpuKernelUtils.h"

namespace tpuc {

const KernelRegistry &getKernelRegistry() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    registerTopElementwiseKernels(r);
    registerTopActivationKernels(r);
    registerTopNNKernels(r);
    registerTopPoolKernels(r);
    registerTopNormKernels(r);
    registerTopShapeKernels(r);
    registerTopResizeKernels(r);
    tpu::registerTpuNNKernels(r);
    tpu::registerTpuElementwiseKernels(r);
    tpu::registerTpuShapeKernels(r);
    tpu::registerTpuQuantKernels(r);
    return r;
  }();
  return registry;
}

} // namespace tpuc
