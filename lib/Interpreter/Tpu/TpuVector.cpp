//===- TpuVector.cpp - Vectorized loops of the Tpu kernels ----------------===//
//
// Built with -ffp-contract=off (see CMakeLists.txt): no clone fuses a
// multiply and an add, so every clone rounds each operation alike. Also with
// -fno-trapping-math, which lets GCC execute both sides of a selection and
// vectorize float-to-int conversions; it changes no value (only which
// floating-point exception flags a loop may raise), and the loops here
// never convert a value that does not fit.
//
//===----------------------------------------------------------------------===//

#include "TpuVector.h"

#include "tpuc/Support/Npz.h"
#include "tpuc/Support/VectorClones.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_map>

namespace tpuc::tpu::vec {
namespace {

/// Elements per block that one thread handles at a time; loops over fewer
/// than kParallelElements do not wake the thread pool.
constexpr int64_t kBlock = 1 << 14;
constexpr int64_t kParallelElements = 1 << 16;

/// Runs fn(begin, end) over [0, n) in blocks, in parallel when n is large.
template <typename F> void forBlocks(int64_t n, F fn) {
  int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t b = 0; b < blocks; ++b)
    fn(b * kBlock, std::min(n, (b + 1) * kBlock));
}

inline uint32_t bitsOf(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

//===----------------------------------------------------------------------===//
// Rounding to a storage type
//===----------------------------------------------------------------------===//

/// Storage::store of a quantized type with |qmin|, |qmax| < 2^22: the clamp
/// in float equals the one in double (the bounds are exact floats), and
/// rounding half away from zero of a float of magnitude < 2^23 needs only
/// its truncation t and the exact difference x - t.
TPUC_VECTOR_CLONES void storeQuantized(const float *in, float *out, int64_t n,
                                       float qmin, float qmax, int32_t zp) {
  // Selects are spelled as arithmetic on 0/1 integers: GCC turns those into
  // vector code, not every ?: on a comparison.
  for (int64_t i = 0; i < n; ++i) {
    float v = in[i];
    int32_t isNan = (bitsOf(v) & 0x7fffffffu) > 0x7f800000u;
    float c = std::min(std::max(isNan ? 0.0f : v, qmin), qmax);
    int32_t t = static_cast<int32_t>(c);
    float d = c - static_cast<float>(t);
    int32_t up = d >= 0.5f, down = d <= -0.5f;
    t = t + up - down;
    out[i] = static_cast<float>(t + isNan * (zp - t));
  }
}

TPUC_VECTOR_CLONES void storeBf16(const float *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = roundBf16(in[i]);
}

TPUC_VECTOR_CLONES void storeF16(const float *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = roundF16(in[i]);
}

/// What Storage::store does to a float held in double and back: quiets
/// signaling NaNs (sets the quiet bit, keeps the payload), keeps everything
/// else. Spelled on the bits: GCC, assuming no signaling NaNs, folds the
/// float -> double -> float round trip away.
TPUC_VECTOR_CLONES void storeF32(const float *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &in[i], sizeof(bits));
    uint32_t isNan = (bits & 0x7fffffffu) > 0x7f800000u;
    bits |= isNan * 0x00400000u;
    std::memcpy(&out[i], &bits, sizeof(bits));
  }
}

} // namespace

void store(const Storage &s, const float *in, float *out, int64_t n) {
  const double kExactBound = double(1 << 22);
  if (s.quantized && std::fabs(double(s.qmin)) < kExactBound &&
      std::fabs(double(s.qmax)) < kExactBound && s.qmin <= s.qmax &&
      std::fabs(double(s.zeroPoint)) < kExactBound) {
    float qmin = static_cast<float>(s.qmin), qmax = static_cast<float>(s.qmax);
    int32_t zp = static_cast<int32_t>(s.zeroPoint);
    forBlocks(n, [&](int64_t begin, int64_t end) {
      storeQuantized(in + begin, out + begin, end - begin, qmin, qmax, zp);
    });
    return;
  }
  if (!s.quantized && !s.integer && s.bf16) {
    forBlocks(n, [&](int64_t begin, int64_t end) {
      storeBf16(in + begin, out + begin, end - begin);
    });
    return;
  }
  if (!s.quantized && !s.integer && s.f16) {
    forBlocks(n, [&](int64_t begin, int64_t end) {
      storeF16(in + begin, out + begin, end - begin);
    });
    return;
  }
  if (!s.quantized && !s.integer) {
    forBlocks(n, [&](int64_t begin, int64_t end) {
      storeF32(in + begin, out + begin, end - begin);
    });
    return;
  }
  // Integers and unusual quantized types: the definition itself.
  forBlocks(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      out[i] = s.store(in[i]);
  });
}

//===----------------------------------------------------------------------===//
// Tables
//===----------------------------------------------------------------------===//

namespace {

/// Block of lookup256 for inputs known to lie in (-2^31, 2^31), where the
/// low byte of the int32 truncation is that of the int64 one.
TPUC_VECTOR_CLONES void lookup256Block(const float *__restrict table,
                                       const float *__restrict in,
                                       float *__restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = table[static_cast<int32_t>(in[i]) & 255];
}

/// Whether every |in[i]| <= bound (NaN is not).
TPUC_VECTOR_CLONES bool allWithin(const float *in, int64_t n, float bound) {
  int32_t bad = 0;
  for (int64_t i = 0; i < n; ++i)
    bad |= !(std::fabs(in[i]) <= bound);
  return bad == 0;
}

} // namespace

void lookup256(const float *table, const float *in, float *out, int64_t n) {
  forBlocks(n, [&](int64_t begin, int64_t end) {
    if (in != out && allWithin(in + begin, end - begin, 2147483520.0f)) {
      lookup256Block(table, in + begin, out + begin, end - begin);
      return;
    }
    for (int64_t i = begin; i < end; ++i)
      out[i] = table[static_cast<int64_t>(in[i]) & 255];
  });
}

namespace {

/// Looks every input up by the bit pattern it would have as a 16-bit float
/// and writes fn's value; returns false if some input is not exactly its
/// pattern's value (the caller then recomputes the block).
TPUC_VECTOR_CLONES bool lookupBf16Block(const float *__restrict outputs,
                                        const float *__restrict in,
                                        float *__restrict out, int64_t n) {
  uint32_t low = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits = bitsOf(in[i]);
    low |= bits & 0xffffu;
    out[i] = outputs[bits >> 16];
  }
  return low == 0;
}

TPUC_VECTOR_CLONES bool lookupF16Block(const float *__restrict inputs,
                                       const float *__restrict outputs,
                                       const float *__restrict in,
                                       float *__restrict out, int64_t n) {
  int32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    float x = in[i];
    uint32_t bits = bitsOf(x);
    uint32_t abs = bits & 0x7fffffffu;
    // A normal half keeps the float's top mantissa bits under a rebiased
    // exponent; a subnormal one is |x| * 2^24. Anything else finds a
    // pattern whose value differs, which the comparison below catches.
    uint32_t normal = (abs - (112u << 23)) >> 13;
    float scaled = std::fabs(x) < 1.0f ? std::fabs(x) * 16777216.0f : 0.0f;
    uint32_t subnormal = static_cast<uint32_t>(static_cast<int32_t>(scaled));
    uint32_t isNormal = abs >= 0x38800000u;
    uint32_t magnitude =
        (isNormal * normal + (1u - isNormal) * subnormal) & 0x7fffu;
    uint32_t pattern = ((bits >> 16) & 0x8000u) | magnitude;
    bad |= bitsOf(inputs[pattern]) != bits;
    out[i] = outputs[pattern];
  }
  return bad == 0;
}

} // namespace

Table16::Table16(bool isBf16, std::function<float(float)> fn)
    : bf16_(isBf16), fn_(std::move(fn)), inputs_(new float[65536]),
      outputs_(new float[65536]) {
  for (uint32_t p = 0; p < 65536; ++p)
    inputs_[p] = bf16_ ? bf16ToFloat(static_cast<uint16_t>(p))
                       : halfToFloat(static_cast<uint16_t>(p));
  for (uint32_t p = 0; p < 65536; ++p)
    outputs_[p] = fn_(inputs_[p]);
}

void Table16::apply(const float *in, float *out, int64_t n) const {
  forBlocks(n, [&](int64_t begin, int64_t end) {
    if (in != out &&
        (bf16_ ? lookupBf16Block(outputs_.get(), in + begin, out + begin,
                                 end - begin)
               : lookupF16Block(inputs_.get(), outputs_.get(), in + begin,
                                out + begin, end - begin)))
      return;
    // Rare (values outside the type): each one by the function, unless it
    // is exactly a pattern's value.
    for (int64_t i = begin; i < end; ++i) {
      float x = in[i];
      uint16_t pattern = bf16_ ? floatToBf16(x) : floatToHalf(x);
      out[i] =
          bitsOf(inputs_[pattern]) == bitsOf(x) ? outputs_[pattern] : fn_(x);
    }
  });
}

std::shared_ptr<const Table16>
getTable16(const std::string &key, bool isBf16,
           const std::function<float(float)> &fn) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const Table16>> cache;
  // 512 KiB each; networks use a handful of distinct functions.
  constexpr size_t kMaxTables = 64;
  std::string fullKey = key + (isBf16 ? "/bf16" : "/f16");
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(fullKey);
    if (it != cache.end())
      return it->second;
  }
  // Built outside the lock: two threads may both build it, harmlessly.
  auto table = std::make_shared<const Table16>(isBf16, fn);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= kMaxTables)
    cache.clear();
  return cache.emplace(fullKey, table).first->second;
}

//===----------------------------------------------------------------------===//
// Requantization
//===----------------------------------------------------------------------===//

namespace {

/// quantmath::rightShiftRound(x, s, M) for an int32 x and s in [0, 31], in
/// int32 lanes (AVX2 has no 64-bit arithmetic shifts). floor << s cannot
/// leave int32 (it is the largest multiple of 2^s not above x, and -2^31 is
/// one) and the remainder lies in [0, 2^31).
template <quantmath::RoundMode M>
inline int32_t shiftRound32(int32_t x, int32_t s) {
  using quantmath::RoundMode;
  int32_t floor = x >> s;
  int32_t rem = static_cast<int32_t>(static_cast<uint32_t>(x) -
                                     (static_cast<uint32_t>(floor) << s));
  int32_t half = static_cast<int32_t>((uint32_t(1) << s) >> 1);
  int32_t shifted = s != 0;
  int32_t up = 0;
  if (M == RoundMode::HalfUp)
    up = shifted & (rem >= half);
  else if (M == RoundMode::HalfAwayFromZero)
    up = shifted & ((rem > half) | ((rem == half) & (x >= 0)));
  else if (M == RoundMode::HalfToEven)
    up = shifted & ((rem > half) | ((rem == half) & (floor & 1)));
  else if (M == RoundMode::TowardsZero)
    up = (x < 0) & (rem != 0);
  return floor + up;
}

/// QDM of acc = sum + bias for the parameters Requant::fast admits: the
/// int32 accumulator times a multiplier in [0, 2^31) is an int64 whose bits
/// 31..62 (after adding 2^30, the half-up rounding) are the int32 result of
/// the >> 31, taken with a logical shift since the result fits; the rshift
/// then rounds as rightShiftRound does. Saturations that cannot trigger for
/// these ranges are left out; the zero point is added to a value first
/// clamped to [-2^30, 2^30], which saturates to the same code.
template <quantmath::RoundMode M>
inline float qdmFast(float sum, int32_t bias, int32_t m, int32_t r, int32_t zp,
                     int32_t lo, int32_t hi) {
  int32_t x = static_cast<int32_t>(sum) + bias;
  int64_t p =
      static_cast<int64_t>(x) * static_cast<int64_t>(m) + (int64_t(1) << 30);
  int32_t high = static_cast<int32_t>(
      static_cast<uint32_t>(static_cast<uint64_t>(p) >> 31));
  int32_t q = shiftRound32<M>(high, r);
  q = std::min(std::max(q, -(1 << 30)), 1 << 30) + zp;
  return static_cast<float>(std::min(std::max(q, lo), hi));
}

template <quantmath::RoundMode M>
TPUC_VECTOR_CLONES void qdmRun(const float *sum, int32_t bias, int32_t m,
                               int32_t r, int32_t zp, int32_t lo, int32_t hi,
                               float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = qdmFast<M>(sum[i], bias, m, r, zp, lo, hi);
}

template <quantmath::RoundMode M>
TPUC_VECTOR_CLONES void qdmRow(const float *sum, const int32_t *bias,
                               const int32_t *m, const int32_t *r, int32_t zp,
                               int32_t lo, int32_t hi, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = qdmFast<M>(sum[i], bias[i], m[i], r[i], zp, lo, hi);
}

/// The definition, for every other case: sums of several arrays,
/// multiplier-shift, left shifts, wide parameters, large sums.
inline float requantOne(const Requant &rq, int64_t acc, int64_t c) {
  int64_t m = rq.multiplier[c], r = rq.rshift[c];
  int64_t q = rq.qdm ? quantmath::applyQdm(acc, m, r, rq.mode)
                     : quantmath::applyMultiplierShift(acc, m, r, rq.mode);
  q = quantmath::saturate(q + rq.zeroPoint, rq.qmin, rq.qmax);
  return static_cast<float>(std::min(std::max(q, rq.lo), rq.hi));
}

void requantGeneric(const Requant &rq, const float *const *sums, int count,
                    int64_t begin, int64_t end, int64_t channels, int64_t inner,
                    float *out) {
  for (int64_t i = begin; i < end; ++i) {
    int64_t c = (i / inner) % channels;
    int64_t acc = rq.bias[c];
    for (int k = 0; k < count; ++k)
      acc += static_cast<int64_t>(sums[k][i]);
    out[i] = requantOne(rq, acc, c);
  }
}

/// The Requant parameters narrowed to int32 for qdmFast, if they fit it.
struct FastRequant {
  std::vector<int32_t> m, r, bias;
  int32_t zp, lo, hi;
};

std::optional<FastRequant> fastParams(const Requant &rq) {
  const int64_t kSmall = int64_t(1) << 22;
  // qmin <= lo <= hi <= qmax keeps the saturation and the relu one clamp.
  if (!rq.qdm || rq.qmin > rq.qmax || std::abs(rq.qmin) >= kSmall ||
      std::abs(rq.qmax) >= kSmall || std::abs(rq.zeroPoint) >= kSmall ||
      rq.lo < rq.qmin || rq.hi > rq.qmax || rq.lo > rq.hi)
    return std::nullopt;
  FastRequant f;
  f.zp = static_cast<int32_t>(rq.zeroPoint);
  f.lo = static_cast<int32_t>(rq.lo);
  f.hi = static_cast<int32_t>(rq.hi);
  for (size_t c = 0; c < rq.multiplier.size(); ++c) {
    int64_t m = rq.multiplier[c], r = rq.rshift[c], b = rq.bias[c];
    // |sum| <= 2^24 (checked per block) plus |bias| <= 2^30 stays an int32,
    // so the int32 saturation of the accumulator never triggers.
    if (m < 0 || m >= (int64_t(1) << 31) || r < 0 || r > 31 ||
        std::abs(b) > (int64_t(1) << 30))
      return std::nullopt;
    f.m.push_back(static_cast<int32_t>(m));
    f.r.push_back(static_cast<int32_t>(r));
    f.bias.push_back(static_cast<int32_t>(b));
  }
  return f;
}

template <quantmath::RoundMode M>
void requantizeFast(const Requant &rq, const FastRequant &f, const float *sum,
                    int64_t outer, int64_t channels, int64_t inner,
                    float *out) {
  const float kBound = 16777216.0f;
  if (inner == 1) {
    int64_t rowsPerBlock = std::max<int64_t>(1, kBlock / channels);
    int64_t blocks = (outer + rowsPerBlock - 1) / rowsPerBlock;
#pragma omp parallel for schedule(static) if (outer * channels >               \
                                              kParallelElements)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      int64_t first = blk * rowsPerBlock;
      int64_t last = std::min(outer, first + rowsPerBlock);
      int64_t begin = first * channels, end = last * channels;
      if (!allWithin(sum + begin, end - begin, kBound)) {
        requantGeneric(rq, &sum, 1, begin, end, channels, 1, out);
        continue;
      }
      for (int64_t row = first; row < last; ++row)
        qdmRow<M>(sum + row * channels, f.bias.data(), f.m.data(), f.r.data(),
                  f.zp, f.lo, f.hi, out + row * channels, channels);
    }
    return;
  }
  int64_t runs = outer * channels;
#pragma omp parallel for schedule(static) if (runs * inner > kParallelElements)
  for (int64_t run = 0; run < runs; ++run) {
    int64_t c = run % channels, begin = run * inner;
    if (!allWithin(sum + begin, inner, kBound)) {
      requantGeneric(rq, &sum, 1, begin, begin + inner, channels, inner, out);
      continue;
    }
    qdmRun<M>(sum + begin, f.bias[c], f.m[c], f.r[c], f.zp, f.lo, f.hi,
              out + begin, inner);
  }
}

} // namespace

void requantize(const Requant &rq, const float *const *sums, int count,
                int64_t outer, int64_t channels, int64_t inner, float *out) {
  using quantmath::RoundMode;
  int64_t n = outer * channels * inner;
  if (n == 0)
    return;
  std::optional<FastRequant> fast;
  if (count == 1)
    fast = fastParams(rq);
  if (fast) {
    switch (rq.mode) {
    case RoundMode::HalfUp:
      return requantizeFast<RoundMode::HalfUp>(rq, *fast, sums[0], outer,
                                               channels, inner, out);
    case RoundMode::HalfAwayFromZero:
      return requantizeFast<RoundMode::HalfAwayFromZero>(
          rq, *fast, sums[0], outer, channels, inner, out);
    case RoundMode::HalfToEven:
      return requantizeFast<RoundMode::HalfToEven>(rq, *fast, sums[0], outer,
                                                   channels, inner, out);
    case RoundMode::TowardsZero:
      return requantizeFast<RoundMode::TowardsZero>(rq, *fast, sums[0], outer,
                                                    channels, inner, out);
    case RoundMode::Down:
      return requantizeFast<RoundMode::Down>(rq, *fast, sums[0], outer,
                                             channels, inner, out);
    }
  }
  forBlocks(n, [&](int64_t begin, int64_t end) {
    requantGeneric(rq, sums, count, begin, end, channels, inner, out);
  });
}

//===----------------------------------------------------------------------===//
// INT8 elementwise arithmetic
//===----------------------------------------------------------------------===//

namespace {

/// Int8Arith for the ranges int8Arith admits: codes and zero points within
/// +-512, so that every product and sum stays below 2^30 in int32.
template <quantmath::RoundMode M, bool Binary, bool Product, bool BScalar>
TPUC_VECTOR_CLONES void
int8ArithBlock(const float *a, const float *b, float *out, int64_t n,
               int32_t za, int32_t zb, int32_t m0, int32_t m1, int32_t shift,
               int32_t zp, int32_t lo, int32_t hi) {
  for (int64_t i = 0; i < n; ++i) {
    int32_t x = static_cast<int32_t>(a[i]) - za;
    int32_t y = Binary ? static_cast<int32_t>(b[BScalar ? 0 : i]) - zb : 0;
    int32_t v = Product ? m0 * (x * y) : m0 * x + m1 * y;
    int32_t q = shiftRound32<M>(v, shift) + zp;
    out[i] = static_cast<float>(std::min(std::max(q, lo), hi));
  }
}

/// The definition.
void int8ArithScalar(const Int8Arith &p, const float *a, const float *b,
                     bool bScalar, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    int64_t x = static_cast<int64_t>(a[i]) - p.za;
    int64_t y = b ? static_cast<int64_t>(b[bScalar ? 0 : i]) - p.zb : 0;
    int64_t v = p.product ? p.m0 * (x * y) : p.m0 * x + p.m1 * y;
    int64_t q = quantmath::rightShiftRound(v, p.shift, p.mode);
    q = quantmath::saturate(q + p.zp, p.qmin, p.qmax);
    out[i] = static_cast<float>(std::min(std::max(q, p.lo), p.hi));
  }
}

/// Runs fn(begin, end) over [0, n) in blocks, in parallel if asked and n
/// is large.
template <typename F> void forBlocksIf(bool parallel, int64_t n, F fn) {
  if (parallel) {
    forBlocks(n, fn);
    return;
  }
  for (int64_t begin = 0; begin < n; begin += kBlock)
    fn(begin, std::min(n, begin + kBlock));
}

template <quantmath::RoundMode M>
void int8ArithFast(const Int8Arith &p, const float *a, const float *b,
                   bool bScalar, float *out, int64_t n, bool parallel) {
  auto block = !b        ? int8ArithBlock<M, false, false, false>
               : bScalar ? (p.product ? int8ArithBlock<M, true, true, true>
                                      : int8ArithBlock<M, true, false, true>)
                         : (p.product ? int8ArithBlock<M, true, true, false>
                                      : int8ArithBlock<M, true, false, false>);
  forBlocksIf(parallel, n, [&](int64_t begin, int64_t end) {
    const float *bb = b && !bScalar ? b + begin : b;
    if (!allWithin(a + begin, end - begin, 512.0f) ||
        (b && !allWithin(bb, bScalar ? 1 : end - begin, 512.0f))) {
      int8ArithScalar(p, a + begin, bb, bScalar, out + begin, end - begin);
      return;
    }
    block(a + begin, bb, out + begin, end - begin, static_cast<int32_t>(p.za),
          static_cast<int32_t>(p.zb), static_cast<int32_t>(p.m0),
          static_cast<int32_t>(p.m1), static_cast<int32_t>(p.shift),
          static_cast<int32_t>(p.zp), static_cast<int32_t>(p.lo),
          static_cast<int32_t>(p.hi));
  });
}

} // namespace

void int8Arith(const Int8Arith &p, const float *a, const float *b, float *out,
               int64_t n, bool bScalar, bool parallel) {
  using quantmath::RoundMode;
  // Codes and zero points within 512 make |x|, |y| <= 1024: with these
  // multipliers every intermediate stays within 2^30, the clamp of q to
  // [lo, hi] inside [qmin, qmax] is the saturation and the relu at once.
  int64_t mLimit = p.product ? (int64_t(1) << 10) : (int64_t(1) << 19);
  bool fast = std::abs(p.za) <= 512 && std::abs(p.zb) <= 512 &&
              std::abs(p.m0) <= mLimit && std::abs(p.m1) <= mLimit &&
              p.shift >= 0 && p.shift <= 31 && std::abs(p.zp) <= 65536 &&
              p.qmin <= p.lo && p.lo <= p.hi && p.hi <= p.qmax &&
              std::abs(p.qmin) <= 65536 && std::abs(p.qmax) <= 65536;
  if (!fast) {
    forBlocksIf(parallel, n, [&](int64_t begin, int64_t end) {
      int8ArithScalar(p, a + begin, b && !bScalar ? b + begin : b, bScalar,
                      out + begin, end - begin);
    });
    return;
  }
  switch (p.mode) {
  case RoundMode::HalfUp:
    return int8ArithFast<RoundMode::HalfUp>(p, a, b, bScalar, out, n, parallel);
  case RoundMode::HalfAwayFromZero:
    return int8ArithFast<RoundMode::HalfAwayFromZero>(p, a, b, bScalar, out, n,
                                                      parallel);
  case RoundMode::HalfToEven:
    return int8ArithFast<RoundMode::HalfToEven>(p, a, b, bScalar, out, n,
                                                parallel);
  case RoundMode::TowardsZero:
    return int8ArithFast<RoundMode::TowardsZero>(p, a, b, bScalar, out, n,
                                                 parallel);
  case RoundMode::Down:
    return int8ArithFast<RoundMode::Down>(p, a, b, bScalar, out, n, parallel);
  }
}

//===----------------------------------------------------------------------===//
// Float elementwise arithmetic
//===----------------------------------------------------------------------===//

namespace {

/// The Top kernels' float op, then FusedRelu (its comparisons keep NaN and
/// -0), then the rounding to bf16 (Round 1), f16 (2) or none (0).
template <FloatOp Op, bool AScalar, bool BScalar, int Round, bool Relu,
          bool Limit>
TPUC_VECTOR_CLONES void floatBlock(const float *a, const float *b, float *out,
                                   int64_t n, float limit) {
  for (int64_t i = 0; i < n; ++i) {
    float x = a[AScalar ? 0 : i], y = b[BScalar ? 0 : i];
    float v = Op == FloatOp::Add ? x + y : (Op == FloatOp::Sub ? x - y : x * y);
    if (Relu) {
      v = v < 0.0f ? 0.0f : v;
      if (Limit)
        v = v > limit ? limit : v;
    }
    out[i] = Round == 1 ? roundBf16(v) : (Round == 2 ? roundF16(v) : v);
  }
}

using FloatBlockFn = void (*)(const float *, const float *, float *, int64_t,
                              float);

template <FloatOp Op, bool AScalar, bool BScalar, int Round>
FloatBlockFn floatBlockFor(bool relu, bool limit) {
  if (!relu)
    return floatBlock<Op, AScalar, BScalar, Round, false, false>;
  return limit ? floatBlock<Op, AScalar, BScalar, Round, true, true>
               : floatBlock<Op, AScalar, BScalar, Round, true, false>;
}

template <FloatOp Op, bool AScalar, bool BScalar>
FloatBlockFn floatBlockFor(int round, bool relu, bool limit) {
  if (round == 1)
    return floatBlockFor<Op, AScalar, BScalar, 1>(relu, limit);
  if (round == 2)
    return floatBlockFor<Op, AScalar, BScalar, 2>(relu, limit);
  return floatBlockFor<Op, AScalar, BScalar, 0>(relu, limit);
}

template <FloatOp Op>
FloatBlockFn floatBlockFor(bool aScalar, bool bScalar, int round, bool relu,
                           bool limit) {
  if (aScalar)
    return floatBlockFor<Op, true, false>(round, relu, limit);
  if (bScalar)
    return floatBlockFor<Op, false, true>(round, relu, limit);
  return floatBlockFor<Op, false, false>(round, relu, limit);
}

} // namespace

void floatArith(const FloatArith &p, const float *a, bool aScalar,
                const float *b, bool bScalar, float *out, int64_t n,
                bool parallel) {
  bool relu = p.doRelu;
  bool limit = relu && p.reluLimit >= 0.0f;
  int round = p.bf16 ? 1 : (p.f16 ? 2 : 0);
  FloatBlockFn block =
      p.op == FloatOp::Add
          ? floatBlockFor<FloatOp::Add>(aScalar, bScalar, round, relu, limit)
      : p.op == FloatOp::Sub
          ? floatBlockFor<FloatOp::Sub>(aScalar, bScalar, round, relu, limit)
          : floatBlockFor<FloatOp::Mul>(aScalar, bScalar, round, relu, limit);
  forBlocksIf(parallel, n, [&](int64_t begin, int64_t end) {
    block(aScalar ? a : a + begin, bScalar ? b : b + begin, out + begin,
          end - begin, p.reluLimit);
  });
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

namespace {

/// quantmath::roundToInt(c, M) for |c| <= 2^30, in int32: the truncation
/// t and the exact rest c - t give every mode (half to even as the current
/// rounding of c + 1.5 * 2^52, which is how nearbyint rounds).
template <quantmath::RoundMode M> inline int32_t roundClamped(double c) {
  using quantmath::RoundMode;
  int32_t t = static_cast<int32_t>(c);
  double d = c - static_cast<double>(t);
  if (M == RoundMode::TowardsZero)
    return t;
  int32_t negative = d < 0.0;
  if (M == RoundMode::Down)
    return t - negative;
  if (M == RoundMode::HalfUp) {
    int32_t floor = t - negative;
    int32_t up = c - static_cast<double>(floor) >= 0.5;
    return floor + up;
  }
  if (M == RoundMode::HalfAwayFromZero) {
    int32_t up = d >= 0.5, down = d <= -0.5;
    return t + up - down;
  }
  const double kShift = 6755399441055744.0; // 1.5 * 2^52
  return static_cast<int32_t>((c + kShift) - kShift);
}

/// The real value of a stored element (the first step of tpu.Cast).
inline double realOf(float x, bool quantized, double zp, double scale) {
  double value = x;
  return quantized ? (value - zp) * scale : value;
}

/// Cast to a quantized type with |qmin|, |qmax|, |zp| < 2^22; false if
/// some value / scale is not below 2^62 in magnitude (NaN, huge values),
/// where the definition's int64 conversion is not that of a clamped value
/// (the caller recomputes the block). Otherwise clamping to 2^30 before
/// rounding saturates to the same code.
template <quantmath::RoundMode M, bool FromQuantized>
TPUC_VECTOR_CLONES bool castToQuantized(const float *in, float *out, int64_t n,
                                        double fromZp, double fromScale,
                                        double toScale, int32_t toZp,
                                        int32_t qmin, int32_t qmax) {
  const double kLimit = 1073741824.0; // 2^30
  int32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = realOf(in[i], FromQuantized, fromZp, fromScale) / toScale;
    bad |= !(std::fabs(x) < 4611686018427387904.0); // 2^62; NaN fails
    // max(-2^30, NaN) is -2^30: the conversions below are always defined.
    double c = std::min(kLimit, std::max(-kLimit, x));
    int32_t q = roundClamped<M>(c) + toZp;
    out[i] = static_cast<float>(std::min(qmax, std::max(qmin, q)));
  }
  return bad == 0;
}

TPUC_VECTOR_CLONES void castToFloat(const float *in, float *out, int64_t n,
                                    bool fromQuantized, double fromZp,
                                    double fromScale, bool bf16) {
  if (bf16) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = roundBf16(
          static_cast<float>(realOf(in[i], fromQuantized, fromZp, fromScale)));
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    out[i] =
        static_cast<float>(realOf(in[i], fromQuantized, fromZp, fromScale));
}

/// The definition (TpuQuantKernels' runCast before vectorization).
void castScalar(const Storage &from, const Storage &to,
                quantmath::RoundMode mode, const float *in, float *out,
                int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    double value = in[i];
    if (from.quantized)
      value = (value - double(from.zeroPoint)) * from.scale;
    if (to.quantized) {
      int64_t q = quantmath::roundToInt(value / to.scale, mode) + to.zeroPoint;
      out[i] = static_cast<float>(quantmath::saturate(q, to.qmin, to.qmax));
    } else {
      out[i] = to.store(value);
    }
  }
}

template <quantmath::RoundMode M>
void castToQuantizedBlocks(const Storage &from, const Storage &to,
                           const float *in, float *out, int64_t n) {
  const int64_t kSmall = int64_t(1) << 22;
  bool narrow = std::abs(to.qmin) < kSmall && std::abs(to.qmax) < kSmall &&
                std::abs(to.zeroPoint) < kSmall && to.qmin <= to.qmax;
  forBlocks(n, [&](int64_t begin, int64_t end) {
    auto fast =
        from.quantized ? castToQuantized<M, true> : castToQuantized<M, false>;
    if (!narrow ||
        !fast(in + begin, out + begin, end - begin, double(from.zeroPoint),
              from.scale, to.scale, static_cast<int32_t>(to.zeroPoint),
              static_cast<int32_t>(to.qmin), static_cast<int32_t>(to.qmax)))
      castScalar(from, to, M, in + begin, out + begin, end - begin);
  });
}

} // namespace

void cast(const Storage &from, const Storage &to, quantmath::RoundMode mode,
          const float *in, float *out, int64_t n) {
  using quantmath::RoundMode;
  if (to.quantized) {
    switch (mode) {
    case RoundMode::HalfUp:
      return castToQuantizedBlocks<RoundMode::HalfUp>(from, to, in, out, n);
    case RoundMode::HalfAwayFromZero:
      return castToQuantizedBlocks<RoundMode::HalfAwayFromZero>(from, to, in,
                                                                out, n);
    case RoundMode::HalfToEven:
      return castToQuantizedBlocks<RoundMode::HalfToEven>(from, to, in, out, n);
    case RoundMode::TowardsZero:
      return castToQuantizedBlocks<RoundMode::TowardsZero>(from, to, in, out,
                                                           n);
    case RoundMode::Down:
      return castToQuantizedBlocks<RoundMode::Down>(from, to, in, out, n);
    }
  }
  if (!to.integer && !to.f16) {
    forBlocks(n, [&](int64_t begin, int64_t end) {
      castToFloat(in + begin, out + begin, end - begin, from.quantized,
                  double(from.zeroPoint), from.scale, to.bf16);
    });
    return;
  }
  forBlocks(n, [&](int64_t begin, int64_t end) {
    castScalar(from, to, mode, in + begin, out + begin, end - begin);
  });
}

} // namespace tpuc::tpu::vec
