//===- TpuVector.h - Vectorized loops of the Tpu kernels ---------*- C++
//-*-===//
//
// The inner loops of the Tpu kernels, written so that the compiler vectorizes
// them (TpuVector.cpp is built for AVX-512, AVX2 and SSE2 and picks one at
// load time). Each computes exactly what the scalar definitions in
// TpuKernelUtils/QuantMath compute for every input, NaN and infinities
// included: they only remove per-element overhead (double arithmetic that
// float gives exactly, calls, switches), and where a shortcut only holds for
// ordinary inputs they check it per block and fall back to the scalar
// definition. TpuVectorTest compares the roundings, store, lookup256,
// int8Arith and Table16 with the scalar definitions bit for bit.
// Private to lib/Interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_INTERPRETER_TPU_TPUVECTOR_H
#define TPUC_LIB_INTERPRETER_TPU_TPUVECTOR_H

#include "TpuKernelUtils.h"
#include "tpuc/Support/VectorMath.h"

#include <cstdint>
#include <functional>
#include <memory>

namespace tpuc::tpu::vec {

/// quantmath::roundToBf16, inline: round to nearest even on the bits; NaNs
/// keep their sign and top payload bits and become quiet.
inline float roundBf16(float x) {
  uint32_t bits = vmath::bitsOf(x);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    bits = (bits & 0xffff0000u) | 0x00400000u;
  else
    bits = (bits + 0x7fffu + ((bits >> 16) & 1u)) & 0xffff0000u;
  return vmath::floatOf(bits);
}

/// quantmath::roundToF16, inline and branch-free (the selections are
/// arithmetic on 0/1 masks so that loops over it vectorize): round to
/// nearest even, overflow to infinity, half subnormals, NaNs keep their sign
/// and top 10 payload bits and become quiet.
inline float roundF16(float x) {
  uint32_t bits = vmath::bitsOf(x);
  uint32_t sign = bits & 0x80000000u, abs = bits & 0x7fffffffu;
  uint32_t isNan = abs > 0x7f800000u;
  uint32_t isInf = (abs >= 0x477ff000u) & (1u - isNan);
  uint32_t isNormal = (abs >= 0x38800000u) & (abs < 0x477ff000u);
  uint32_t isSubnormal = (abs > 0x33000000u) & (abs < 0x38800000u);
  uint32_t nan = (abs & 0x7fffe000u) | 0x00400000u;
  // A normal half keeps 10 mantissa bits: round the low 13 away.
  uint32_t normal = (abs + 0xfffu + ((abs >> 13) & 1u)) & ~0x1fffu;
  // A subnormal half is k * 2^-24: k = mantissa >> (126 - exponent),
  // rounded to even (the shift is in [14, 24] where this is selected).
  uint32_t shift = 126u - (abs >> 23);
  shift = shift - 1u < 30u ? shift : 31u; // in [1, 31] for the other lanes

  uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
  uint32_t kept = mant >> shift;
  uint32_t rest = mant & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1u);
  // Up when rest > half, or rest == half and kept is odd.
  kept += rest + (kept & 1u) > half;
  float subnormalValue = static_cast<float>(kept) * 5.9604644775390625e-8f;
  uint32_t subnormal = vmath::bitsOf(subnormalValue);
  uint32_t magnitude = isNan * nan + isInf * 0x7f800000u + isNormal * normal +
                       isSubnormal * subnormal;
  return vmath::floatOf(sign | magnitude);
}

/// out[i] = storage.store(in[i]) for i < n; `in` may be `out`. Parallel
/// over blocks for large n.
void store(const Storage &storage, const float *in, float *out, int64_t n);

/// out[i] = table[int64_t(in[i]) & 255] (tpu.Lut).
void lookup256(const float *table, const float *in, float *out, int64_t n);

/// A function of a float tensor whose values are bf16 or f16 numbers,
/// tabulated once for each of the 65536 bit patterns. Inputs that are not
/// values of the type (and NaNs with other payloads) are computed with the
/// function itself, so a table never changes a result.
class Table16 {
public:
  /// `fn` must be a pure function of its argument.
  Table16(bool isBf16, std::function<float(float)> fn);
  void apply(const float *in, float *out, int64_t n) const;

private:
  bool bf16_;
  std::function<float(float)> fn_;
  /// The value of each bit pattern (its float), and fn of it.
  std::unique_ptr<float[]> inputs_, outputs_;
};

/// A Table16 shared by every op that computes the same function, created on
/// first use: `key` must name everything the function depends on.
std::shared_ptr<const Table16>
getTable16(const std::string &key, bool isBf16,
           const std::function<float(float)> &fn);

/// Per-channel requantization of accumulators (tpu.Conv2D, Deconv,
/// MatMul): for each element, acc = sum over `sums` of the float partial
/// sums (exact integers) + bias[c], then QDM or multiplier-shift, plus the
/// zero point, saturated to [qmin, qmax], then clamped to [lo, hi] (the
/// relu, when there is one; else lo = qmin, hi = qmax).
struct Requant {
  /// Per channel, all of the same length.
  std::vector<int64_t> multiplier, rshift, bias;
  bool qdm = true;
  quantmath::RoundMode mode = quantmath::RoundMode::HalfUp;
  int64_t zeroPoint = 0, qmin = -128, qmax = 127, lo = -128, hi = 127;
};

/// The Requant of an op with these multiplier/rshift arrays (one value or
/// one per channel), QDM or multiplier-shift, the op's round_mode, `bias`
/// (one value, one per channel, or null), result storage `out` and the
/// op's relu as applyQuantizedRelu applies it. Fails when the arrays are
/// too short for `channels`.
mlir::FailureOr<Requant> makeRequant(mlir::Operation *op,
                                     llvm::ArrayRef<int64_t> multiplier,
                                     llvm::ArrayRef<int64_t> rshift, bool qdm,
                                     const std::vector<int64_t> *bias,
                                     int64_t channels, const Storage &out,
                                     bool doRelu, double reluLimit);

/// `out` of [outer, channels, inner] with channel c of element i being
/// (i / inner) % channels. `sums` holds `count` arrays of the same layout.
/// `out` may be sums[0].
void requantize(const Requant &rq, const float *const *sums, int count,
                int64_t outer, int64_t channels, int64_t inner, float *out);

/// The clamp applyQuantizedRelu applies to codes of `out` (after they are
/// saturated to [qmin, qmax]), as integers; [qmin, qmax] without relu.
std::pair<int64_t, int64_t> reluBounds(const Storage &out, bool doRelu,
                                       double reluLimit);

/// The integer arithmetic of the INT8 elementwise ops on stored codes a, b:
///   v = m0 * (a - za) + m1 * (b - zb)   (Add, Sub; m1 = 0 and no b:
///                                        MulConst, Requant, Concat inputs)
///   v = m0 * ((a - za) * (b - zb))      (Mul, `product`)
/// then clamp(saturate(rightShiftRound(v, shift, mode) + zp, qmin, qmax),
/// lo, hi), with int64_t(code) truncation as the kernels convert codes.
struct Int8Arith {
  int64_t za = 0, zb = 0, m0 = 1, m1 = 0, shift = 0;
  bool product = false;
  quantmath::RoundMode mode = quantmath::RoundMode::HalfAwayFromZero;
  int64_t zp = 0, qmin = -128, qmax = 127, lo = -128, hi = 127;
};
/// `b` is null for the unary forms; `out` may be `a` or `b`. With
/// `bScalar`, b[0] is every element's b. `parallel`: split large n between
/// threads (callers already in a parallel loop pass false).
void int8Arith(const Int8Arith &p, const float *a, const float *b, float *out,
               int64_t n, bool bScalar = false, bool parallel = true);

/// The float modes of Add, Sub and Mul, and of AddConst/MulConst (b a
/// scalar): the op in float, the relu of the Top kernel (FusedRelu; top.Add,
/// AddConst and MulConst have one, top.Sub and top.Mul do not), then the
/// result's storage rounding (roundToStorage).
enum class FloatOp { Add, Sub, Mul };
struct FloatArith {
  FloatOp op = FloatOp::Add;
  /// Only for the ops whose Top kernel applies it.
  bool doRelu = false;
  float reluLimit = -1.0f;
  /// bf16 or f16 rounding, none for f32.
  bool bf16 = false, f16 = false;
};
void floatArith(const FloatArith &p, const float *a, bool aScalar,
                const float *b, bool bScalar, float *out, int64_t n,
                bool parallel = true);

/// tpu.Cast: out[i] = the stored value of in[i] of storage `from`
/// converted to storage `to` (integer results rounded with `mode`).
void cast(const Storage &from, const Storage &to, quantmath::RoundMode mode,
          const float *in, float *out, int64_t n);

} // namespace tpuc::tpu::vec

#endif // TPUC_LIB_INTERPRETER_TPU_TPUVECTOR_H
