//===- Similarity.cpp - Cosines of mixed models' tensors ------------------===//
//
// How the Evaluator compares a tensor of a mixed model with the reference:
// cosines, part by part for tensors assembled by Concat, and around the
// samples' mean when the outputs are centered. Cosines are scale-invariant,
// so quantized tensors are compared through their codes minus the zero
// point. The loops are SIMD reductions, kept together here.
//
//===----------------------------------------------------------------------===//

#include "Evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tpuc::mix {

namespace {

/// Sums of a cosine: a·b, a·a, b·b.
struct Sums {
  double dot = 0, aa = 0, bb = 0;
};

/// Adds ref[i]·(stored[i] - zp) and the squares. The loops are SIMD
/// reductions: their order is fixed by the compiler, so results are the
/// same on every run.
void accumulate(const float *ref, const float *stored, int64_t n, double zp,
                Sums &sums) {
  double dot = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : dot, aa, bb)
  for (int64_t i = 0; i < n; ++i) {
    double a = ref[i], b = double(stored[i]) - zp;
    dot += a * b;
    aa += a * a;
    bb += b * b;
  }
  sums.dot += dot;
  sums.aa += aa;
  sums.bb += bb;
}

/// The same with the reference as bf16 bits.
void accumulate(const uint16_t *ref, const float *stored, int64_t n, double zp,
                Sums &sums) {
  double dot = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : dot, aa, bb)
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits = uint32_t(ref[i]) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    double a = f, b = double(stored[i]) - zp;
    dot += a * b;
    aa += a * a;
    bb += b * b;
  }
  sums.dot += dot;
  sums.aa += aa;
  sums.bb += bb;
}

/// The same around a per-element center: (ref - center)·(real - center)
/// with real = (stored - zp) * scale.
void accumulateCentered(const float *ref, const float *center,
                        const float *stored, int64_t n, double zp, double scale,
                        Sums &sums) {
  double dot = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : dot, aa, bb)
  for (int64_t i = 0; i < n; ++i) {
    double c = center[i];
    double a = ref[i] - c, b = (double(stored[i]) - zp) * scale - c;
    dot += a * b;
    aa += a * a;
    bb += b * b;
  }
  sums.dot += dot;
  sums.aa += aa;
  sums.bb += bb;
}

/// The cosine of the sums: 1 when both sides are all zero, 0 when only one
/// is, and NaN (from inf/NaN elements) counts as no similarity at all.
double cosineOf(const Sums &s) {
  if (s.aa == 0 && s.bb == 0)
    return 1;
  if (s.aa == 0 || s.bb == 0)
    return 0;
  double c = s.dot / std::sqrt(s.aa * s.bb);
  return std::isnan(c) ? 0 : std::clamp(c, -1.0, 1.0);
}

/// The mean cosine of the parts of a tensor: `accumulate(start, length,
/// sums)` adds the products of one segment to its part's sums.
template <typename F> double meanPartCosine(const PartMap &map, F accumulate) {
  std::vector<Sums> sums(map.numParts);
  std::vector<char> present(map.numParts, 0);
  for (const PartMap::Segment &segment : map.segments) {
    accumulate(segment.start, segment.length, sums[segment.part]);
    present[segment.part] = 1;
  }
  double total = 0;
  unsigned count = 0;
  for (unsigned p = 0; p < map.numParts; ++p)
    if (present[p]) {
      total += cosineOf(sums[p]);
      ++count;
    }
  return count ? total / count : 1;
}

} // namespace

template <typename Ref>
double Evaluator::similarityOf(unsigned index, const Ref *ref,
                               const float *stored, int64_t zp) const {
  int64_t n = tensors_[index].numel;
  auto it = parts_.find(index);
  if (it == parts_.end()) {
    Sums sums;
    accumulate(ref, stored, n, double(zp), sums);
    return cosineOf(sums);
  }
  return meanPartCosine(
      it->second, [&](uint32_t start, uint32_t length, Sums &sums) {
        accumulate(ref + start, stored + start, length, double(zp), sums);
      });
}

double Evaluator::outputSimilarity(size_t c, const float *ref,
                                   const float *stored, int64_t zp,
                                   double scale) const {
  if (!decodes_[c].ranges.empty()) {
    // The stored side as reals, decoded like the reference.
    int64_t n = tensors_[compare_[c]].numel;
    std::vector<float> decoded(n);
    for (int64_t i = 0; i < n; ++i)
      decoded[i] = static_cast<float>((double(stored[i]) - zp) * scale);
    decodeForComparison(c, decoded.data());
    return comparedSimilarity(c, ref, decoded.data(), 0, 1);
  }
  return comparedSimilarity(c, ref, stored, zp, scale);
}

void Evaluator::decodeForComparison(size_t c, float *values) const {
  // The shape was checked against the decode up front.
  if (!decodes_[c].ranges.empty())
    llvm::cantFail(
        calibration::decodeInPlace(decodes_[c], compareShapes_[c], values));
}

double Evaluator::comparedSimilarity(size_t c, const float *ref,
                                     const float *stored, int64_t zp,
                                     double scale) const {
  unsigned index = compare_[c];
  if (centers_.empty())
    return similarity(index, ref, stored, zp);
  const float *center = centers_[c].ptr();
  int64_t n = tensors_[index].numel;
  auto it = parts_.find(index);
  if (it == parts_.end()) {
    Sums sums;
    accumulateCentered(ref, center, stored, n, double(zp), scale, sums);
    return cosineOf(sums);
  }
  return meanPartCosine(
      it->second, [&](uint32_t start, uint32_t length, Sums &sums) {
        accumulateCentered(ref + start, center + start, stored + start, length,
                           double(zp), scale, sums);
      });
}

double Evaluator::similarity(unsigned index, const float *ref,
                             const float *stored, int64_t zp) const {
  return similarityOf(index, ref, stored, zp);
}

double Evaluator::similarity(unsigned index, const uint16_t *ref,
                             const float *stored, int64_t zp) const {
  return similarityOf(index, ref, stored, zp);
}

double Evaluator::combine(llvm::ArrayRef<double> compareCos) const {
  double cos = 0, weightSum = 0;
  for (auto [c, w] : llvm::enumerate(weights_)) {
    cos += w * compareCos[c];
    weightSum += w;
  }
  return weightSum > 0 ? cos / weightSum : 0;
}

} // namespace tpuc::mix
