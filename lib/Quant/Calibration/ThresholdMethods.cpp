//===- ThresholdMethods.cpp - Activation thresholds from statistics -------===//

#include "tpuc/Quant/Calibration/ThresholdMethods.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>

namespace tpuc::calibration {

std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<CalibrationMethod>>(name)
      .Cases("kld", "kl", "use_kl", "use_kld", CalibrationMethod::KL)
      .Cases("max", "use_max", CalibrationMethod::Max)
      .Cases("percentile9999", "use_percentile9999",
             CalibrationMethod::Percentile9999)
      .Cases("mse", "use_mse", CalibrationMethod::MSE)
      .Cases("aciq_gauss", "use_aciq_gauss", CalibrationMethod::AciqGauss)
      .Cases("aciq_laplace", "use_aciq_laplace", CalibrationMethod::AciqLaplace)
      .Default(std::nullopt);
}

llvm::StringRef getCalibrationMethodName(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::KL:
    return "kld";
  case CalibrationMethod::Max:
    return "max";
  case CalibrationMethod::Percentile9999:
    return "percentile9999";
  case CalibrationMethod::MSE:
    return "mse";
  case CalibrationMethod::AciqGauss:
    return "aciq_gauss";
  case CalibrationMethod::AciqLaplace:
    return "aciq_laplace";
  }
  return "kld";
}

bool methodNeedsHistogram(CalibrationMethod method) {
  // aciq_gauss needs only the range, but its last tensors fall back to the
  // percentile (see Calibrator.cpp), which does read the histogram.
  return method != CalibrationMethod::Max;
}

double percentileForTensor(size_t index, size_t count) {
  constexpr double kFirst = 99.99, kLast = 99.999999;
  if (count < 2)
    return kFirst;
  return kFirst + static_cast<double>(index) * (kLast - kFirst) /
                      static_cast<double>(count - 1);
}

double percentileThreshold(const TensorStats &stats, double percent) {
  llvm::ArrayRef<uint64_t> hist = stats.histogram();
  const double width = stats.binWidth();
  const double total = static_cast<double>(stats.finiteCount());
  if (total == 0 || hist.empty() || !(width > 0))
    return stats.absMax();
  // Ranks as numpy's linear percentile: 0 .. total-1 over sorted values.
  double rank = std::clamp(percent, 0.0, 100.0) / 100.0 * (total - 1);
  double below = static_cast<double>(stats.zeroCount());
  if (rank < below)
    return 0;
  for (size_t j = 0; j < hist.size(); ++j) {
    double count = static_cast<double>(hist[j]);
    if (count == 0)
      continue;
    if (rank < below + count) {
      // Bin j holds the values in [(j - 0.5) w, (j + 0.5) w), assumed
      // evenly spread.
      double lo = std::max(0.0, (static_cast<double>(j) - 0.5) * width);
      double hi = (static_cast<double>(j) + 0.5) * width;
      double fraction = (rank - below + 0.5) / count;
      return std::min(lo + fraction * (hi - lo), stats.absMax());
    }
    below += count;
  }
  return stats.absMax();
}

double mseThreshold(const TensorStats &stats, int bits) {
  llvm::ArrayRef<uint64_t> hist = stats.histogram();
  const double width = stats.binWidth();
  if (hist.empty() || !(width > 0))
    return stats.absMax();
  const double unsignedFactor = stats.min() >= -1e-6 ? 4.0 : 1.0;
  const double clipWeight = std::pow(4.0, -bits) / 3.0 / unsignedFactor;
  const double zeros = static_cast<double>(stats.zeroCount());
  auto centre = [&](size_t j) {
    return j == 0 ? 0.25 * width : static_cast<double>(j) * width;
  };
  // Starting from 0, the first step gives the mean |x|.
  double s = 0;
  for (int iteration = 0; iteration < 20; ++iteration) {
    double clippedSum = 0, clipped = 0, kept = zeros;
    for (size_t j = 0; j < hist.size(); ++j) {
      double count = static_cast<double>(hist[j]);
      double value = centre(j);
      if (value > s) {
        clippedSum += count * value;
        clipped += count;
      } else {
        kept += count;
      }
    }
    double denominator = clipWeight * kept + clipped;
    if (!(denominator > 0))
      break;
    double next = clippedSum / denominator;
    bool converged = std::fabs(next - s) <= 1e-9 * std::max(next, 1e-30);
    s = next;
    if (converged)
      break;
  }
  return std::min(s, stats.absMax());
}

double aciqGaussThreshold(const TensorStats &stats, int bits) {
  const double alpha = bits == 4 ? 2.55913642 : 3.92403337;
  const double n = std::max<double>(2.0, stats.elementsPerSample());
  const double pi = 3.14159265358979323846;
  double sigma = (stats.max() - stats.min()) * 0.5 * 0.35 *
                 (1.0 + std::sqrt(pi * std::log(4.0))) /
                 std::sqrt(2.0 * std::log(n));
  return alpha * sigma;
}

double aciqLaplaceThreshold(const TensorStats &stats, int bits) {
  const double beta = bits == 4 ? 5.02864014 : 9.89675982;
  return beta * stats.meanAbsDeviation();
}

} // namespace tpuc::calibration
