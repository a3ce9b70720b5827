//===- CalibrationTable.h - tpu-mlir calibration table files -----*- C++
//-*-===//
//
// The text format run_calibration writes and --import-calibration-table
// reads, interchangeable with tpu-mlir's:
//
//   # <header comments: tool, model, date, histogram bins, samples, ...>
//   ###
//   # op_name    threshold    min    max
//   <tensor> <threshold> <min> <max>          (numbers printed with %.7f)
//   #int4_th                                  (optional blocks follow, each
//   <tensor> <threshold> <min> <max>           introduced by a `#word` line)
//   #asym_op
//   <op name>
//   #weight_scale
//   <op>_weight <count> <v1> ... <vcount>
//
// Lines are separated by LF or CRLF; fields by spaces or tabs. `# ...`
// lines (a space after the `#`) are comments. A `#word` line starts a block:
// `#int4_th`, `#asym_op`, `#weight_scale`, `#weight_scale_fp8`, `#int4_op`
// and the fp8 markers (`#tpu-mlir-fp8...`, `#mqbench-fp8...`) are known;
// any other block is kept verbatim and reported as ignored.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_CALIBRATIONTABLE_H
#define TPUC_QUANT_CALIBRATION_CALIBRATIONTABLE_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace tpuc::calibration {

struct CalibrationEntry {
  std::string name;
  double threshold = 0;
  double min = 0;
  double max = 0;
};

/// `<op>_weight <count> v1 v2 ...` of a `#weight_scale` block.
struct WeightScaleEntry {
  std::string name;
  std::vector<double> scales;
};

/// A block the reader does not interpret, kept as written.
struct IgnoredBlock {
  std::string marker; ///< the `#word` line
  unsigned line = 0;  ///< its line number (1-based)
  std::vector<std::string> lines;
};

class CalibrationTable {
public:
  /// Header lines (the `#` lines before `###`), as written.
  std::vector<std::string> header;
  /// The thresholds, in file order.
  std::vector<CalibrationEntry> entries;
  /// `#int4_th` thresholds.
  std::vector<CalibrationEntry> int4Entries;
  /// `#asym_op` and `#int4_op` op names.
  std::vector<std::string> asymOps;
  std::vector<std::string> int4Ops;
  /// `#weight_scale` and `#weight_scale_fp8` entries.
  std::vector<WeightScaleEntry> weightScales;
  std::vector<WeightScaleEntry> weightScalesFp8;
  /// An fp8 marker line (`#tpu-mlir-fp8...`, `#mqbench-fp8...`), which
  /// makes the thresholds fp8 ones; empty for int8 tables.
  std::string fp8Marker;
  bool isFp8() const { return !fp8Marker.empty(); }
  std::vector<IgnoredBlock> ignoredBlocks;

  /// Adds an entry to `entries`; false if the name is already there.
  bool add(CalibrationEntry entry);
  /// The threshold entry of a tensor, or nullptr.
  const CalibrationEntry *lookup(llvm::StringRef name) const;

private:
  llvm::StringMap<size_t> index_;
};

/// Parses a table; `path` names it in errors ("<path>:<line>: ..."), which
/// are returned for malformed lines, duplicate tensors and non-finite
/// numbers. `notes` receives one line per ignored block.
llvm::Expected<CalibrationTable>
parseCalibrationTable(llvm::StringRef text, llvm::StringRef path,
                      std::vector<std::string> *notes = nullptr);
llvm::Expected<CalibrationTable>
readCalibrationTable(llvm::StringRef path,
                     std::vector<std::string> *notes = nullptr);

/// The table as text: header, `###`, the column comment, the entries, then
/// the blocks. Reading the result gives the same table.
std::string printCalibrationTable(const CalibrationTable &table);
/// Writes the table through a temporary file renamed into place.
llvm::Error writeCalibrationTable(llvm::StringRef path,
                                  const CalibrationTable &table);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_CALIBRATIONTABLE_H
