// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=INT8" | FileCheck %s --check-prefix=INT8
// RUN: tpuc-opt %s --processor-assign="chip=cv181x mode=F16" 2>&1 | FileCheck %s --check-prefix=F16CV
// RUN: tpuc-opt %s --processor-assign="chip=cv180x mode=bf16" | FileCheck %s --check-prefix=BF16
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F16" 2>&1 | FileCheck %s --check-prefix=F16BM
// RUN: tpuc-opt %s --processor-assign="chip=BM1684X mode=int8 asymmetric=true" | FileCheck %s --check-prefix=ASYM
// RUN: tpuc-opt %s --processor-assign="chip=cv183x mode=BF16 asymmetric=true" | FileCheck %s --check-prefix=BF16ASYM
// RUN: tpuc-opt %s --processor-assign="chip=bm1684x mode=F32" | FileCheck %s --check-prefix=F32BM
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x mode=F32" 2>&1 | FileCheck %s --check-prefix=F32CV
// RUN: not tpuc-opt %s --processor-assign="chip=cv182x mode=INT8 asymmetric=true" 2>&1 | FileCheck %s --check-prefix=ASYMCV
// RUN: not tpuc-opt %s --processor-assign="chip=cv999x" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not tpuc-opt %s --processor-assign="mode=INT8" 2>&1 | FileCheck %s --check-prefix=NOCHIP
// RUN: not tpuc-opt %s --processor-assign="chip=cv181x mode=INT4" 2>&1 | FileCheck %s --check-prefix=MODE

// The chip and mode are recorded on the module; the default mode is INT8
// and the name of the chip is case-insensitive.

// INT8: module @m attributes {top.asymmetric = false, top.chip = "cv181x", top.mode = "INT8", top.state = "TOP_F32"}

// CV18xx has no f16 unit: F16 compiles as BF16, with a warning.
// F16CV: warning: cv181x has no F16 unit; compiling as BF16
// F16CV: module @m attributes {top.asymmetric = false, top.chip = "cv181x", top.mode = "BF16"

// BF16: top.chip = "cv180x", top.mode = "BF16"

// BM1684X keeps F16 and F32, silently.
// F16BM-NOT: warning
// F16BM: top.chip = "bm1684x", top.mode = "F16"
// F32BM: top.chip = "bm1684x", top.mode = "F32"

// Asymmetric INT8 exists on BM1684X only; for float modes the flag means
// nothing and is recorded as false.
// ASYM: top.asymmetric = true, top.chip = "bm1684x", top.mode = "INT8"
// BF16ASYM: top.asymmetric = false, top.chip = "cv183x", top.mode = "BF16"

// F32CV: error: cv181x has no F32 unit; use --quantize BF16 or INT8
// F32CV-NOT: top.chip
// ASYMCV: error: cv182x computes INT8 symmetrically only; drop --asymmetric
// UNKNOWN: error: unknown processor 'cv999x' (known: cv180x, cv181x, cv182x, cv183x, bm1684x)
// NOCHIP: error: unknown processor '' (known:
// MODE: error: unknown quantize mode 'INT4' (INT8, BF16, F16 or F32)

module @m attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = top.Input %arg0 : (tensor<2xf32>) -> tensor<2xf32> loc("in")
    return %0 : tensor<2xf32>
  }
}
