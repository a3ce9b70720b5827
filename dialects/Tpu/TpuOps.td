//===- TpuOps.td - Tpu dialect ops -------------------------*- tablegen -*-===//

#ifndef TPUC_TPU_OPS
#define TPUC_TPU_OPS

include "TpuBase.td"

include "TpuNNOps.td"
include "TpuElementwiseOps.td"
include "TpuShapeOps.td"
include "TpuQuantOps.td"

#endif // TPUC_TPU_OPS
