//===- TpuDialect.td - Tpu dialect definition -------------*- tablegen -*-===//
//
// The Tpu dialect holds a network lowered for one chip: every tensor has the
// storage type the chip computes in (int8 with a quantization scale, bf16,
// f16 or f32) and every op carries the integer parameters (multipliers,
// shifts, lookup tables) the hardware uses.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TPU_DIALECT
#define TPUC_TPU_DIALECT

include "mlir/IR/OpBase.td"

def Tpu_Dialect : Dialect {
  let name = "tpu";
  let cppNamespace = "::tpuc::tpu";
  let summary = "Chip-level quantized graph of a neural network";
  let description = [{
    `convert-top-to-tpu` rewrites a Top graph into Tpu ops for the chip and
    mode named by the module's `top.chip` and `top.mode` attributes.

    Element types:
    * INT8: `!quant.uniform<i8:f32, scale>` (symmetric) or
      `!quant.uniform<u8:f32, scale:zero_point>` / `<i8:f32, scale:zp>`
      (asymmetric, BM1684X only). Values are the stored integers.
    * BF16, F16, F32: `bf16`, `f16`, `f32`; after calibration the float
      types are wrapped as `!quant.calibrated<bf16<min:max>>` so that later
      casts to int8 know the tensor's range.
    Weights are `top.Weight` ops of storage type (`si8` filters, `si32`
    biases, `bf16`/`f16` data, `ui8`/`si8` lookup tables).

    Arithmetic is defined by the interpreter kernels of each op
    (`lib/Interpreter/Tpu`), which follow the chip: int8 x int8 products
    accumulate in int32, requantization multiplies and shifts right with the
    op's rounding, results saturate to the storage type; bf16 and f16 ops
    compute in f32 and round to nearest even at the op boundary.
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect"];
}

#endif // TPUC_TPU_DIALECT
