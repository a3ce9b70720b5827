//===- Calibrator.h - Streaming activation calibration -----------*- C++
//-*-===//
//
// Drives the float interpreter over the calibration samples:
//  1. pass 1: per-tensor min/max (and the counts and sums the methods need);
//  2. pass 2: per-tensor histograms of |x| over [0, abs max] (skipped for
//     `max`, which needs none);
//  3. thresholds by the chosen method (KLDivergence.h, ThresholdMethods.h);
//  4. the tune step (Tuner.h) over the first `tuneNum` samples.
// Statistics are gathered by the interpreter's per-result hook while it
// runs, so memory holds one sample's activations plus the statistics,
// whatever the sample count. A reader thread loads the next samples while
// the interpreter runs; decoded inputs are kept for pass 2 and the tune
// step while they fit in `cacheBytes`.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_CALIBRATOR_H
#define TPUC_QUANT_CALIBRATION_CALIBRATOR_H

#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Quant/Calibration/CalibrationTable.h"
#include "tpuc/Quant/Calibration/OutputDecode.h"
#include "tpuc/Quant/Calibration/ThresholdMethods.h"

#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tpuc::calibration {

/// Where samples come from. `load` is called from the reader thread.
class SampleSource {
public:
  virtual ~SampleSource();
  virtual size_t size() const = 0;
  /// Names entry `i` in messages.
  virtual std::string describe(size_t i) const = 0;
  /// The inputs of entry `i`, or nullopt when the entry must be skipped
  /// (with the reason in `skipReason`); errors stop the calibration.
  virtual llvm::Expected<std::optional<TensorMap>>
  load(size_t i, std::string &skipReason) = 0;
};

/// Receives progress and warnings. `warning` may be called from the reader
/// thread, the others from the calibrating thread only.
class CalibrationObserver {
public:
  virtual ~CalibrationObserver();
  virtual void warning(const std::string &message) {}
  /// A phase over `total` samples starts ("min/max", "histogram", "tune").
  virtual void phaseStarted(llvm::StringRef phase, size_t total) {}
  virtual void progress(size_t done) {}
  virtual void phaseFinished() {}
};

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::KL;
  int64_t histogramBins = 2048;
  /// Samples to use; 0 = every entry. Skipped entries are replaced by the
  /// next ones.
  size_t inputNum = 0;
  /// Samples for the tune step (the first ones); 0 = no tuning.
  size_t tuneNum = 5;
  /// Decoded inputs kept between the passes, in bytes.
  size_t cacheBytes = size_t(1) << 30;
  /// Samples the reader thread loads ahead.
  size_t readAhead = 2;
  /// Outputs read through a known decode, by tensor name: their thresholds
  /// are chosen for the decoded values (OutputDecode.h) on the first
  /// max(tuneNum, 5) samples, replacing the method's.
  std::map<std::string, OutputDecode> outputDecodes;
};

struct TensorCalibration {
  std::string name;
  double threshold = 0;
  double min = 0;
  double max = 0;
  /// The threshold before the tune step.
  double untunedThreshold = 0;
  bool tuned = false;
  /// The threshold was chosen for the output's decode.
  bool decoded = false;
};

struct CalibrationResult {
  /// Every float activation (top.Input results included), in graph order.
  std::vector<TensorCalibration> tensors;
  /// The entries used, in order.
  std::vector<size_t> samples;
  size_t skipped = 0;
  size_t tuneSamples = 0;
  size_t tuneTasks = 0;
  /// Samples the decoded outputs' thresholds were chosen on.
  size_t decodeSamples = 0;
  double rangeSeconds = 0, histogramSeconds = 0, thresholdSeconds = 0,
         tuneSeconds = 0, decodeSeconds = 0;
};

/// An error already reported as MLIR diagnostics (by the interpreter).
class DiagnosedError : public llvm::ErrorInfo<DiagnosedError> {
public:
  static char ID;
  explicit DiagnosedError(std::string context) : context_(std::move(context)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
  /// The sample it failed on.
  const std::string &context() const { return context_; }

private:
  std::string context_;
};

/// Calibrates the interpreter's model on `source`. Errors name the sample
/// or the tensor; interpreter failures are DiagnosedErrors.
llvm::Expected<CalibrationResult> calibrate(Interpreter &interpreter,
                                            SampleSource &source,
                                            const CalibrationOptions &options,
                                            CalibrationObserver &observer);

/// Tells why a tensor name cannot be a table key (empty, whitespace, `#`
/// first), or nullopt when it can.
std::optional<std::string> checkTableName(llvm::StringRef name);

/// The table of a result, under the given header lines.
CalibrationTable makeCalibrationTable(const CalibrationResult &result,
                                      std::vector<std::string> header);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_CALIBRATOR_H
