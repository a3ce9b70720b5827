// RUN: not tpuc-opt %s --import-calibration-table="file=%S/Inputs/no_such_table.txt" --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not tpuc-opt %s --import-calibration-table 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: %python -c "open('%t.bad', 'w').write('###\nx 1.0 -1.0\n')"
// RUN: not tpuc-opt %s --import-calibration-table="file=%t.bad" 2>&1 | FileCheck %s --check-prefix=BAD -DFILE=%t.bad
// RUN: %python -c "open('%t.fp8', 'w').write('#tpu-mlir-fp8 caliration table\n###\nx 1.0 -1.0 1.0\n')"
// RUN: %python -c "open('%t.empty', 'w').write('# mlir: m.mlir\n###\n')"
// RUN: not tpuc-opt %s --import-calibration-table="file=%t.empty" 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not tpuc-opt %s --import-calibration-table="file=%t.fp8" 2>&1 | FileCheck %s --check-prefix=FP8
// RUN: tpuc-opt %s --import-calibration-table="file=%S/Inputs/cali_tpuc.txt" -verify-diagnostics

// An unreadable table is a one-line error naming the file, and the module
// is not printed.
// MISSING: error: {{.*}}no_such_table.txt{{.*}}
// MISSING-NOT: TOP_CALIBRATED
// MISSING-NOT: quant.calibrated
// NOFILE: error: import-calibration-table needs file=<table>
// A malformed line names the file and the line.
// BAD: error: [[FILE]]:2:
// tpuc quantizes to int8; fp8 tables are refused.
// FP8: error: {{.*}}.fp8: is an fp8 calibration table; tpuc quantizes to int8 only
// A table without a single threshold line (a header only).
// EMPTY: error: {{.*}}.empty: the table holds no thresholds

// The table names the input x but no tensor the model computes (y), and
// six tensors of another model: it is another model's table, an error
// listing both sides (a table naming some computed tensors only warns
// about the others, see import-calibration-table.mlir).
// expected-error @+1 {{cali_tpuc.txt: no entry names a tensor this model computes (6 entries, such as}}
module @m attributes {top.state = "TOP_F32"} {
  func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = top.Input %arg0 : (tensor<2xf32>) -> tensor<2xf32> loc("x")
    %1 = top.Relu %0 : (tensor<2xf32>) -> tensor<2xf32> loc("y")
    return %1 : tensor<2xf32>
  }
}
