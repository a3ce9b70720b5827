//===- NpyDType.cpp - numpy dtypes and element conversions ----------------===//
//
// Everything about element types, apart from any file format: dtype sizes and
// names, numpy descr strings, IEEE half/bfloat16 conversions and converting
// NpyArray elements to and from float.
//
//===----------------------------------------------------------------------===//

#include "NpzInternal.h"
#include "tpuc/Support/VectorMath.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace tpuc::npz_detail;

namespace tpuc {

//===----------------------------------------------------------------------===//
// dtypes
//===----------------------------------------------------------------------===//

size_t dtypeSize(DType type) {
  switch (type) {
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  case DType::F16:
  case DType::I16:
  case DType::U16:
    return 2;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

StringRef dtypeDescr(DType type) {
  switch (type) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::I8:
    return "|i1";
  case DType::U8:
    return "|u1";
  case DType::I16:
    return "<i2";
  case DType::U16:
    return "<u2";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::Bool:
    return "|b1";
  }
  llvm_unreachable("unknown dtype");
}

StringRef dtypeName(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::F16:
    return "f16";
  case DType::I8:
    return "i8";
  case DType::U8:
    return "u8";
  case DType::I16:
    return "i16";
  case DType::U16:
    return "u16";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown dtype");
}

Expected<DType> npz_detail::parseDescr(StringRef descr, StringRef what) {
  StringRef body = descr;
  char order = '=';
  if (!body.empty() && StringRef("<>=|").contains(body.front())) {
    order = body.front();
    body = body.drop_front();
  }
  static const std::pair<StringRef, DType> kinds[] = {
      {"f4", DType::F32}, {"f8", DType::F64}, {"f2", DType::F16},
      {"i1", DType::I8},  {"u1", DType::U8},  {"i2", DType::I16},
      {"u2", DType::U16}, {"i4", DType::I32}, {"i8", DType::I64},
      {"b1", DType::Bool}};
  for (const auto &[code, type] : kinds) {
    if (body != code)
      continue;
    if (order == '>' && dtypeSize(type) > 1)
      return makeError(what,
                       "big-endian dtype '" + descr + "' is not supported");
    return type;
  }
  return makeError(what, "unsupported dtype '" + descr + "'");
}

//===----------------------------------------------------------------------===//
// Element conversions
//===----------------------------------------------------------------------===//

using vmath::bitsOf;
using vmath::floatOf;

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0x1f) // inf keeps a zero mantissa, NaN keeps its payload
    return floatOf(sign | 0x7f800000 | (mant << 13));
  if (exp != 0)
    return floatOf(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0)
    return floatOf(sign);
  // Subnormal half: every one is a normal float. Shift the leading one into
  // the implicit bit position and lower the exponent to match.
  int shift = 0;
  while (!(mant & 0x400)) {
    mant <<= 1;
    ++shift;
  }
  return floatOf(sign | uint32_t(113 - shift) << 23 | ((mant & 0x3ff) << 13));
}

/// Drops the low `shift` bits of `value`, rounding to nearest, ties to even.
static uint32_t shiftRoundEven(uint32_t value, unsigned shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1)))
    ++kept;
  return kept;
}

uint16_t floatToHalf(float f) {
  uint32_t bits = bitsOf(f);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) // NaN: keep the top payload bits, force quiet
    return sign | 0x7e00 | ((abs >> 13) & 0x3ff);
  // 65520 is halfway between 65504 (largest half) and 2^16; the tie goes to
  // the even neighbour, which is infinity.
  if (abs >= 0x477ff000)
    return sign | 0x7c00;
  if (abs >= 0x38800000) // >= 2^-14: normal half
    // Rebiasing the exponent by (127 - 15) keeps the field layout, and a
    // rounding carry out of the mantissa correctly bumps the exponent.
    return sign | shiftRoundEven(abs - (112u << 23), 13);
  // Half subnormals are multiples of 2^-24; 2^-25 and below round to zero
  // (the tie at 2^-25 goes to the even zero).
  if (abs <= 0x33000000)
    return sign;
  uint32_t exp = abs >> 23;
  uint32_t mant = (abs & 0x7fffff) | 0x800000;
  // value = mant * 2^(exp - 150); in units of 2^-24 that is a right shift by
  // 126 - exp, which lies in [14, 24] here.
  return sign | shiftRoundEven(mant, 126 - exp);
}

float bf16ToFloat(uint16_t b) { return floatOf(uint32_t(b) << 16); }

uint16_t floatToBf16(float f) {
  uint32_t bits = bitsOf(f);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return (bits >> 16) | 0x40;
  // Overflow past the largest finite bf16 rounds into the infinity encoding.
  return shiftRoundEven(bits, 16);
}

int64_t NpyArray::numel() const {
  // Unsigned so that huge dimensions next to a zero one wrap harmlessly to 0
  // instead of overflowing.
  uint64_t n = 1;
  for (int64_t dim : shape)
    n *= uint64_t(dim);
  return int64_t(n);
}

std::vector<float> NpyArray::toFloat() const {
  size_t n = bytes.size() / dtypeSize(dtype);
  std::vector<float> out(n);
  const uint8_t *p = bytes.data();
  for (size_t i = 0; i < n; ++i) {
    switch (dtype) {
    case DType::F32:
      out[i] = loadLE<float>(p + 4 * i);
      break;
    case DType::F64:
      out[i] = float(loadLE<double>(p + 8 * i));
      break;
    case DType::F16:
      out[i] = halfToFloat(loadLE<uint16_t>(p + 2 * i));
      break;
    case DType::I8:
      out[i] = float(int8_t(p[i]));
      break;
    case DType::U8:
      out[i] = float(p[i]);
      break;
    case DType::I16:
      out[i] = float(loadLE<int16_t>(p + 2 * i));
      break;
    case DType::U16:
      out[i] = float(loadLE<uint16_t>(p + 2 * i));
      break;
    case DType::I32:
      out[i] = float(loadLE<int32_t>(p + 4 * i));
      break;
    case DType::I64:
      out[i] = float(loadLE<int64_t>(p + 8 * i));
      break;
    case DType::Bool:
      out[i] = p[i] ? 1.0f : 0.0f;
      break;
    }
  }
  return out;
}

/// Rounds half to even and clamps into T's range; NaN becomes 0. Computed in
/// double, which holds every float exactly.
template <typename T> static T saturateRound(float value) {
  if (std::isnan(value))
    return 0;
  double x = value;
  double lower = std::floor(x);
  double frac = x - lower;
  double r = lower;
  if (frac > 0.5 || (frac == 0.5 && std::fmod(lower, 2.0) != 0))
    r = lower + 1;
  // min() is a power of two and so exact; max() + 1 is too, and comparing
  // against it avoids max() itself rounding up for 64-bit types.
  double lo = double(std::numeric_limits<T>::min());
  double hiPlusOne = double(std::numeric_limits<T>::max()) + 1.0;
  if (r < lo)
    return std::numeric_limits<T>::min();
  if (r >= hiPlusOne)
    return std::numeric_limits<T>::max();
  return T(r);
}

NpyArray NpyArray::fromFloat(ArrayRef<float> data, ArrayRef<int64_t> shape,
                             DType type) {
  NpyArray array;
  array.dtype = type;
  array.shape.assign(shape.begin(), shape.end());
  if (array.numel() != int64_t(data.size()))
    report_fatal_error("NpyArray::fromFloat: " + Twine(data.size()) +
                       " values do not fill the shape");
  size_t n = data.size();
  array.bytes.resize(n * dtypeSize(type));
  uint8_t *p = array.bytes.data();
  for (size_t i = 0; i < n; ++i) {
    float v = data[i];
    switch (type) {
    case DType::F32:
      storeLE<float>(p + 4 * i, v);
      break;
    case DType::F64:
      storeLE<double>(p + 8 * i, v);
      break;
    case DType::F16:
      storeLE<uint16_t>(p + 2 * i, floatToHalf(v));
      break;
    case DType::I8:
      storeLE<int8_t>(p + i, saturateRound<int8_t>(v));
      break;
    case DType::U8:
      storeLE<uint8_t>(p + i, saturateRound<uint8_t>(v));
      break;
    case DType::I16:
      storeLE<int16_t>(p + 2 * i, saturateRound<int16_t>(v));
      break;
    case DType::U16:
      storeLE<uint16_t>(p + 2 * i, saturateRound<uint16_t>(v));
      break;
    case DType::I32:
      storeLE<int32_t>(p + 4 * i, saturateRound<int32_t>(v));
      break;
    case DType::I64:
      storeLE<int64_t>(p + 8 * i, saturateRound<int64_t>(v));
      break;
    case DType::Bool:
      // Like numpy's bool(): any non-zero value, NaN included, is true.
      p[i] = v != 0.0f;
      break;
    }
  }
  return array;
}

} // namespace tpuc
