//===- TpuOps.h - Tpu dialect ------------------------------------*- C++
//-*-===//

#ifndef TPUC_DIALECT_TPU_TPUOPS_H
#define TPUC_DIALECT_TPU_TPUOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tpuc/Dialect/Tpu/TpuUtils.h"

#include "dialects/Tpu/TpuOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/Tpu/TpuOps.h.inc"

#endif // TPUC_DIALECT_TPU_TPUOPS_H
