//===- ThresholdMethods.h - Activation thresholds from statistics -*- C++
//-*-===//
//
// `--cali_method` chooses how a tensor's threshold (the |x| that maps to
// int8 127) is derived from its statistics. Every method here works from
// the streaming statistics of TensorStats, so none keeps a sample's values:
//  - kld: the KL-divergence search (KLDivergence.h);
//  - max: the largest |x|;
//  - percentile9999: the p-th percentile of |x|, p growing linearly from
//    99.99 for the first tensor to 99.999999 for the last (interpolated
//    within the histogram bin, so exact to one bin width);
//  - mse: the OCTAV fixed point s = sum_{|x|>s} |x| / (4^-bits / 3 / u *
//    #{|x|<=s} + #{|x|>s}), u = 4 for non-negative tensors, else 1, iterated
//    at most 20 times over the histogram (bin centres stand for the values);
//  - aciq_gauss: 3.92403337 sigma, sigma estimated from the range as
//    (max - min) * 0.5 * 0.35 * (1 + sqrt(pi ln 4)) / sqrt(2 ln N) with N the
//    tensor's element count;
//  - aciq_laplace: 9.89675982 b, b = mean |x - mean|.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_THRESHOLDMETHODS_H
#define TPUC_QUANT_CALIBRATION_THRESHOLDMETHODS_H

#include "tpuc/Quant/Calibration/Histogram.h"

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace tpuc::calibration {

enum class CalibrationMethod {
  KL,
  Max,
  Percentile9999,
  MSE,
  AciqGauss,
  AciqLaplace
};

/// Accepts kld (or kl), max, percentile9999, mse, aciq_gauss, aciq_laplace
/// and tpu-mlir's use_kl, use_max, use_percentile9999, use_mse,
/// use_aciq_gauss, use_aciq_laplace.
std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);
/// The canonical name (kld, max, ...).
llvm::StringRef getCalibrationMethodName(CalibrationMethod method);
/// Whether the method reads pass 2's histogram.
bool methodNeedsHistogram(CalibrationMethod method);

/// The percentile used for tensor `index` of `count` by percentile9999.
double percentileForTensor(size_t index, size_t count);
/// The `percent` percentile of |x| over every finite value (zeros included).
double percentileThreshold(const TensorStats &stats, double percent);
double mseThreshold(const TensorStats &stats, int bits = 8);
double aciqGaussThreshold(const TensorStats &stats, int bits = 8);
double aciqLaplaceThreshold(const TensorStats &stats, int bits = 8);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_THRESHOLDMETHODS_H
