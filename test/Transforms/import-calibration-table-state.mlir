// RUN: tpuc-opt %s -split-input-file --import-calibration-table="file=%S/Inputs/cali_tpuc.txt" -verify-diagnostics

// Only TOP_F32 modules are calibrated (not twice, not after lowering).
// expected-error @+1 {{import-calibration-table needs a TOP_F32 module, but it is TOP_CALIBRATED}}
module @twice attributes {top.state = "TOP_CALIBRATED"} {
}

// -----

// expected-error @+1 {{import-calibration-table needs a TOP_F32 module, but it is TPU_LOWERED}}
module @lowered attributes {top.state = "TPU_LOWERED"} {
}
