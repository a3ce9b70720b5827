// RUN: tpuc-opt %s -split-input-file --processor-assign="chip=cv181x" -verify-diagnostics

// processor-assign runs on Top modules only.

// expected-error @+1 {{processor-assign needs a Top module, but it is TPU_LOWERED}}
module @lowered attributes {top.state = "TPU_LOWERED"} {
}

// -----

// A calibrated module may still be assigned (tools run calibration first).
module @calibrated attributes {top.state = "TOP_CALIBRATED"} {
}
