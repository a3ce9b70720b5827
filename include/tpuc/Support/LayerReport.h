//===- LayerReport.h - Per-layer similarity as CSV and PNG -------*- C++
//-*-===//
//
// model_deploy --compare_all and npz_tool compare judge tensors one by one;
// read as a list, the first layer where quantization goes wrong is easy to
// miss among a few hundred lines. The report writes the same numbers as a
// CSV (for scripts and spreadsheets) and as a plot of the cosine of every
// tensor in model order, with the tensors below the tolerance marked and
// the first of them named, so the divergence is visible at a glance.
//
// The plot's vertical axis counts "nines" (-log10(1 - cos)): 0.9, 0.99 and
// 0.999 are equally spaced, which is where quantized models live; a linear
// axis would squash everything above 0.99 into one line.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_LAYERREPORT_H
#define TPUC_SUPPORT_LAYERREPORT_H

#include "tpuc/Support/Compare.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tpuc {

/// One compared tensor, in model (topological) order.
struct LayerReportEntry {
  std::string name;
  Similarity similarity;
  bool passed = false;
  /// A network output (drawn with a larger marker).
  bool isOutput = false;
};

struct LayerReportOptions {
  /// The tolerance the entries were judged with (drawn as a line).
  double tolCos = 0.99;
  double tolEuclid = 0.9;
  /// First line of the plot, e.g. the two files compared.
  std::string title;
};

/// `index,name,cosine,euclidean,sqnr_db,max_abs_diff,output,status` lines
/// after a header; names are quoted when they need it. Numbers use %.6f
/// (similarities) and %.6g, so the text is the same on every run.
std::string formatLayerReportCsv(llvm::ArrayRef<LayerReportEntry> entries);

/// The plot as PNG file bytes. Deterministic for the same entries.
std::vector<uint8_t>
renderLayerReportPng(llvm::ArrayRef<LayerReportEntry> entries,
                     const LayerReportOptions &options);

/// Writes the CSV and/or the PNG (an empty path skips it), each through a
/// temporary file, so a failure leaves no partial file. Errors name the
/// file.
llvm::Error writeLayerReport(llvm::ArrayRef<LayerReportEntry> entries,
                             const LayerReportOptions &options,
                             llvm::StringRef csvPath, llvm::StringRef pngPath);

/// Checks before a long run that `path` can be written: its directory
/// exists and it is not a directory. Empty paths pass.
llvm::Error checkReportPath(llvm::StringRef path, llvm::StringRef flag);

} // namespace tpuc

#endif // TPUC_SUPPORT_LAYERREPORT_H
