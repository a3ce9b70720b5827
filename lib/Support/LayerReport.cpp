//===- LayerReport.cpp - Per-layer similarity as CSV and PNG --------------===//
//
// The plot is drawn with OpenCV (already a dependency for image inputs) and
// encoded by its PNG writer: lines, dots and Hershey text are all it needs.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Support/LayerReport.h"
#include "tpuc/Support/AtomicFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tpuc {
namespace {

std::string formatNumber(double value, const char *format) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

/// RFC 4180 quoting, only when the name needs it.
std::string csvField(llvm::StringRef text) {
  if (text.find_first_of(",\"\n\r") == llvm::StringRef::npos)
    return text.str();
  std::string out = "\"";
  for (char c : text) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

/// Nines of a cosine: 0.9 -> 1, 0.99 -> 2. A cosine of 1 (or rounding
/// above it) is capped at kMaxNines; non-positive cosines go to 0 and
/// below, so a sign flip still reads as the worst.
constexpr double kMaxNines = 7;
double nines(double cosine) {
  if (std::isnan(cosine))
    return 0;
  double miss = 1 - cosine;
  if (miss <= std::pow(10.0, -kMaxNines))
    return kMaxNines;
  return std::max(-0.5, -std::log10(miss));
}

const cv::Scalar kWhite(255, 255, 255), kBlack(0, 0, 0), kGrid(225, 225, 225),
    kAxis(90, 90, 90), kLine(200, 120, 40), kPass(180, 100, 30),
    kFail(40, 40, 220), kTol(60, 60, 230), kOutput(30, 150, 30);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void text(cv::Mat &image, const std::string &s, cv::Point at, double scale,
          const cv::Scalar &color, int thickness = 1) {
  cv::putText(image, s, at, kFont, scale, color, thickness, cv::LINE_AA);
}

int textWidth(const std::string &s, double scale) {
  int baseline = 0;
  return cv::getTextSize(s, kFont, scale, 1, &baseline).width;
}

/// Keeps long tensor names readable: the end of a path-like name tells
/// most (`.../model.24/Concat_output_0`).
std::string shorten(const std::string &name, size_t limit) {
  if (name.size() <= limit)
    return name;
  return "..." + name.substr(name.size() - (limit - 3));
}

} // namespace

std::string formatLayerReportCsv(llvm::ArrayRef<LayerReportEntry> entries) {
  std::string out =
      "index,name,cosine,euclidean,sqnr_db,max_abs_diff,output,status\n";
  for (auto [index, entry] : llvm::enumerate(entries)) {
    const Similarity &s = entry.similarity;
    out += std::to_string(index) + "," + csvField(entry.name) + "," +
           formatNumber(s.cosine, "%.6f") + "," +
           formatNumber(s.euclidean, "%.6f") + "," +
           formatNumber(s.sqnrDb, "%.2f") + "," +
           formatNumber(s.maxAbsDiff, "%.6g") + "," +
           (entry.isOutput ? "1" : "0") + "," +
           (entry.passed ? "PASSED" : "FAILED") + "\n";
  }
  return out;
}

std::vector<uint8_t>
renderLayerReportPng(llvm::ArrayRef<LayerReportEntry> entries,
                     const LayerReportOptions &options) {
  const int n = static_cast<int>(entries.size());
  // Wide enough for a few pixels per tensor, within what viewers show
  // without zooming out too far.
  const int left = 84, right = 30, top = 70, bottom = 56;
  const int plotW = std::clamp(n * 6, 640, 2400), plotH = 380;
  const int width = left + plotW + right, height = top + plotH + bottom;
  cv::Mat image(height, width, CV_8UC3, kWhite);

  double yMax = 3;
  double yMin = 0;
  for (const LayerReportEntry &e : entries) {
    yMax = std::max(yMax, std::ceil(nines(e.similarity.cosine)));
    yMin = std::min(yMin, nines(e.similarity.cosine));
  }
  yMax = std::min(yMax, kMaxNines);
  yMin = yMin < 0 ? -0.5 : 0;
  auto yOf = [&](double value) {
    double t = (value - yMin) / (yMax - yMin);
    return top + plotH - static_cast<int>(std::lround(t * plotH));
  };
  auto xOf = [&](int index) {
    if (n <= 1)
      return left + plotW / 2;
    return left +
           static_cast<int>(std::lround(double(index) * plotW / (n - 1)));
  };

  // Horizontal grid at each nine, labelled with the cosine it stands for.
  for (int k = 0; k <= static_cast<int>(yMax); ++k) {
    int y = yOf(k);
    cv::line(image, {left, y}, {left + plotW, y}, kGrid, 1);
    std::string label = k == 0 ? "0"
                        : k == static_cast<int>(kMaxNines)
                            ? "1"
                            : "0." + std::string(k, '9');
    text(image, label, {left - 8 - textWidth(label, 0.4), y + 4}, 0.4, kAxis);
  }
  // Vertical grid every 10, 20, 50, ... tensors.
  // Ticks every 1, 2, 5, 10, 20, 50, ... tensors: at most about 24.
  int step = 1;
  for (int decade = 1; n / step > 24; decade *= 10)
    for (int m : {1, 2, 5})
      if (n / step > 24)
        step = m * decade;
  for (int i = 0; i < n; i += step) {
    int x = xOf(i);
    cv::line(image, {x, top}, {x, top + plotH}, kGrid, 1);
    std::string label = std::to_string(i);
    text(image, label, {x - textWidth(label, 0.4) / 2, top + plotH + 16}, 0.4,
         kAxis);
  }
  cv::rectangle(image, {left, top}, {left + plotW, top + plotH}, kAxis, 1);
  std::string xLabel = "tensor index (model order)";
  text(image, xLabel,
       {left + (plotW - textWidth(xLabel, 0.45)) / 2, top + plotH + 40}, 0.45,
       kAxis);

  // The tolerance, dashed.
  if (options.tolCos > 0 && options.tolCos < 1) {
    int y = yOf(std::clamp(nines(options.tolCos), yMin, yMax));
    for (int x = left; x < left + plotW; x += 12)
      cv::line(image, {x, y}, {std::min(x + 6, left + plotW), y}, kTol, 1);
    std::string label = "tolerance cos " + formatNumber(options.tolCos, "%g");
    text(image, label, {left + plotW - textWidth(label, 0.4) - 4, y - 5}, 0.4,
         kTol);
  }

  // The curve, then the markers on top of it.
  for (int i = 1; i < n; ++i) {
    cv::Point a(
        xOf(i - 1),
        yOf(std::clamp(nines(entries[i - 1].similarity.cosine), yMin, yMax)));
    cv::Point b(xOf(i), yOf(std::clamp(nines(entries[i].similarity.cosine),
                                       yMin, yMax)));
    cv::line(image, a, b, kLine, 1, cv::LINE_AA);
  }
  int firstBad = -1, failed = 0;
  for (int i = 0; i < n; ++i) {
    const LayerReportEntry &e = entries[i];
    cv::Point p(xOf(i),
                yOf(std::clamp(nines(e.similarity.cosine), yMin, yMax)));
    if (!e.passed) {
      ++failed;
      if (firstBad < 0)
        firstBad = i;
      cv::circle(image, p, 4, kFail, cv::FILLED, cv::LINE_AA);
    } else {
      cv::circle(image, p, e.isOutput ? 4 : 2, e.isOutput ? kOutput : kPass,
                 cv::FILLED, cv::LINE_AA);
    }
  }

  // The first tensor below the tolerance: where to look.
  std::string summary = std::to_string(n) + " tensors, " +
                        std::to_string(failed) + " below tolerance (cos " +
                        formatNumber(options.tolCos, "%g") + ", euclid " +
                        formatNumber(options.tolEuclid, "%g") + ")";
  if (firstBad >= 0) {
    int x = xOf(firstBad);
    for (int y = top; y < top + plotH; y += 8)
      cv::line(image, {x, y}, {x, std::min(y + 4, top + plotH)}, kFail, 1);
    const LayerReportEntry &e = entries[firstBad];
    std::string label = "#" + std::to_string(firstBad) + " " +
                        shorten(e.name, 60) + "  cos " +
                        formatNumber(e.similarity.cosine, "%.6f");
    int w = textWidth(label, 0.42);
    int tx = std::clamp(x + 6, left + 4, left + plotW - w - 4);
    cv::rectangle(image, {tx - 2, top + 4}, {tx + w + 2, top + 20}, kWhite,
                  cv::FILLED);
    text(image, label, {tx, top + 16}, 0.42, kFail);
    summary += "; first: " + shorten(e.name, 48);
  }
  text(image, shorten(options.title, 110), {8, 22}, 0.5, kBlack);
  text(image, summary, {8, 44}, 0.42, failed ? kFail : kAxis);
  text(image, "cosine", {8, top - 10}, 0.4, kAxis);

  std::vector<uint8_t> png;
  // Fixed compression settings, so the bytes do not depend on defaults.
  try {
    if (!cv::imencode(".png", image, png,
                      {cv::IMWRITE_PNG_COMPRESSION, 6, cv::IMWRITE_PNG_STRATEGY,
                       cv::IMWRITE_PNG_STRATEGY_DEFAULT}))
      png.clear();
  } catch (const cv::Exception &) {
    png.clear();
  }
  return png;
}

llvm::Error checkReportPath(llvm::StringRef path, llvm::StringRef flag) {
  if (path.empty())
    return llvm::Error::success();
  if (llvm::sys::fs::is_directory(path))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--%s %s: is a directory",
                                   flag.str().c_str(), path.str().c_str());
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  if (!dir.empty() && !llvm::sys::fs::is_directory(dir))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--%s %s: cannot write: no such directory '%s'", flag.str().c_str(),
        path.str().c_str(), dir.str().c_str());
  return llvm::Error::success();
}

llvm::Error writeLayerReport(llvm::ArrayRef<LayerReportEntry> entries,
                             const LayerReportOptions &options,
                             llvm::StringRef csvPath, llvm::StringRef pngPath) {
  if (!csvPath.empty())
    if (llvm::Error err =
            writeFileAtomically(csvPath, formatLayerReportCsv(entries)))
      return err;
  if (pngPath.empty())
    return llvm::Error::success();
  std::vector<uint8_t> png = renderLayerReportPng(entries, options);
  llvm::Error err =
      png.empty()
          ? llvm::createStringError(llvm::inconvertibleErrorCode(),
                                    "%s: cannot encode the plot",
                                    pngPath.str().c_str())
          : writeFileAtomically(
                pngPath,
                llvm::StringRef(reinterpret_cast<const char *>(png.data()),
                                png.size()));
  // Both files or neither.
  if (err && !csvPath.empty())
    llvm::sys::fs::remove(csvPath);
  return err;
}

} // namespace tpuc
