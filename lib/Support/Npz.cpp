//===- Npz.cpp - numpy .npy/.npz reading and writing ----------------------===//
//
// Format reference: numpy/lib/format.py (NEP 1). A .npy file is the magic
// "\x93NUMPY", a version, a little-endian header length, a Python dict literal
// describing dtype/order/shape, then the raw C-order element bytes.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Support/Npz.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <zip.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>

using namespace llvm;

// Element bytes and header length fields are copied as host integers.
static_assert(sys::IsLittleEndianHost, "numpy files are read as little-endian");

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

static Error makeError(StringRef what, const Twine &reason) {
  return createStringError(inconvertibleErrorCode(),
                           what + ": " + reason.str());
}

/// Maps a numpy descr such as "<f4" to a DType. The byte-order character may
/// be '<', '=' (native; every supported host is little-endian), '|' or absent;
/// '>' is only harmless for one-byte types.
static Expected<DType> parseDescr(StringRef descr, StringRef what) {
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

static uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

static float bitsFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0x1f) // inf keeps a zero mantissa, NaN keeps its payload
    return bitsFloat(sign | 0x7f800000 | (mant << 13));
  if (exp != 0)
    return bitsFloat(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0)
    return bitsFloat(sign);
  // Subnormal half: every one is a normal float. Shift the leading one into
  // the implicit bit position and lower the exponent to match.
  int shift = 0;
  while (!(mant & 0x400)) {
    mant <<= 1;
    ++shift;
  }
  return bitsFloat(sign | uint32_t(113 - shift) << 23 | ((mant & 0x3ff) << 13));
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
  uint32_t bits = floatBits(f);
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

float bf16ToFloat(uint16_t b) { return bitsFloat(uint32_t(b) << 16); }

uint16_t floatToBf16(float f) {
  uint32_t bits = floatBits(f);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return (bits >> 16) | 0x40;
  // Overflow past the largest finite bf16 rounds into the infinity encoding.
  return shiftRoundEven(bits, 16);
}

template <typename T> static T loadLE(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T> static void storeLE(uint8_t *p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

int64_t NpyArray::numel() const {
  // Unsigned so that huge dimensions next to a zero one wrap harmlessly to 0
  // instead of overflowing.
  uint64_t n = 1;
  for (int64_t dim : shape)
    n *= uint64_t(dim);
  return int64_t(n);
}

/// Bytes needed by `shape` elements of `type`, or nothing if a dimension is
/// negative or the count does not fit int64_t. A zero dimension makes the
/// others irrelevant, as in numpy.
static std::optional<uint64_t> byteCount(ArrayRef<int64_t> shape, DType type) {
  if (any_of(shape, [](int64_t dim) { return dim < 0; }))
    return std::nullopt;
  if (is_contained(shape, 0))
    return 0;
  uint64_t limit = uint64_t(std::numeric_limits<int64_t>::max());
  uint64_t bytes = dtypeSize(type);
  for (int64_t dim : shape) {
    if (uint64_t(dim) > limit / bytes)
      return std::nullopt;
    bytes *= uint64_t(dim);
  }
  return bytes;
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

//===----------------------------------------------------------------------===//
// .npy header
//===----------------------------------------------------------------------===//

namespace {

/// The subset of Python literals numpy writes into headers.
struct PyValue {
  enum Kind { Str, Bool, Int, Seq, None } kind = None;
  std::string str;
  bool boolean = false;
  int64_t integer = 0;
  std::vector<PyValue> items;
};

class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : text(text) {}

  /// Parses the dict into (key, value) pairs; returns an empty string on
  /// success, else the reason.
  std::string parseDict(std::vector<std::pair<std::string, PyValue>> &out) {
    skipSpace();
    if (!consume('{'))
      return "header is not a dict";
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      PyValue key;
      if (!parseValue(key) || key.kind != PyValue::Str)
        return "malformed header key";
      skipSpace();
      if (!consume(':'))
        return "malformed header: expected ':'";
      PyValue value;
      if (!parseValue(value))
        return "malformed header value for '" + key.str + "'";
      out.emplace_back(key.str, std::move(value));
      skipSpace();
      if (consume('}'))
        break;
      if (!consume(','))
        return "malformed header: expected ',' or '}'";
    }
    skipSpace();
    if (!text.empty())
      return "malformed header: trailing characters";
    return "";
  }

private:
  StringRef text;

  void skipSpace() { text = text.ltrim(" \t\r\n"); }
  bool consume(char c) { return text.consume_front(StringRef(&c, 1)); }

  bool parseValue(PyValue &value) {
    skipSpace();
    if (text.empty())
      return false;
    char c = text.front();
    if (c == '\'' || c == '"')
      return parseString(value);
    if (c == '(' || c == '[')
      return parseSeq(value, c == '(' ? ')' : ']');
    if (c == '-' || isDigit(c))
      return parseInt(value);
    StringRef word = text.take_while(isAlnum);
    text = text.drop_front(word.size());
    if (word == "True" || word == "False") {
      value.kind = PyValue::Bool;
      value.boolean = word == "True";
      return true;
    }
    value.kind = PyValue::None;
    return word == "None";
  }

  bool parseString(PyValue &value) {
    char quote = text.front();
    text = text.drop_front();
    value.kind = PyValue::Str;
    while (!text.empty() && text.front() != quote) {
      if (text.front() == '\\' && text.size() > 1)
        text = text.drop_front();
      value.str.push_back(text.front());
      text = text.drop_front();
    }
    return consume(quote);
  }

  bool parseInt(PyValue &value) {
    bool negative = consume('-');
    StringRef digits = text.take_while(isDigit);
    text = text.drop_front(digits.size());
    // Python 2 era files may carry a long suffix, e.g. "(3L,)".
    if (!text.consume_front("L"))
      text.consume_front("l");
    uint64_t magnitude;
    if (digits.getAsInteger(10, magnitude) ||
        magnitude > uint64_t(std::numeric_limits<int64_t>::max()))
      return false;
    value.kind = PyValue::Int;
    value.integer = negative ? -int64_t(magnitude) : int64_t(magnitude);
    return true;
  }

  bool parseSeq(PyValue &value, char close) {
    text = text.drop_front();
    value.kind = PyValue::Seq;
    while (true) {
      skipSpace();
      if (consume(close))
        return true;
      PyValue item;
      if (!parseValue(item))
        return false;
      value.items.push_back(std::move(item));
      skipSpace();
      if (consume(close))
        return true;
      if (!consume(','))
        return false;
    }
  }
};

/// What the header says about the array, plus where its data starts.
struct NpyHeader {
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t dataOffset = 0;
  uint64_t dataBytes = 0;
};

} // namespace

static const char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicLen = 6;
static constexpr size_t kPreludeLen = kMagicLen + 2; // magic + version
static constexpr size_t kAlign = 64;

/// Returns the size of the fixed-size part (magic, version, length field) and
/// the dict length, given at least the first 12 bytes (or all if shorter).
static Error parsePrelude(ArrayRef<uint8_t> image, StringRef what,
                          size_t &fixedLen, uint64_t &dictLen) {
  if (image.size() < kMagicLen ||
      std::memcmp(image.data(), kMagic, kMagicLen) != 0)
    return makeError(what, "bad magic: not a .npy array");
  if (image.size() < kPreludeLen + 2)
    return makeError(what, "truncated header");
  uint8_t major = image[kMagicLen], minor = image[kMagicLen + 1];
  if (major == 1 && minor == 0) {
    fixedLen = kPreludeLen + 2;
    dictLen = loadLE<uint16_t>(image.data() + kPreludeLen);
    return Error::success();
  }
  if ((major == 2 || major == 3) && minor == 0) {
    if (image.size() < kPreludeLen + 4)
      return makeError(what, "truncated header");
    fixedLen = kPreludeLen + 4;
    dictLen = loadLE<uint32_t>(image.data() + kPreludeLen);
    return Error::success();
  }
  return makeError(what, "unsupported .npy format version " + Twine(major) +
                             "." + Twine(minor));
}

static Expected<NpyHeader> parseHeaderDict(StringRef dict, StringRef what) {
  std::vector<std::pair<std::string, PyValue>> entries;
  std::string problem = HeaderParser(dict).parseDict(entries);
  if (!problem.empty())
    return makeError(what, problem);
  const PyValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : entries) {
    if (key == "descr")
      descr = &value;
    else if (key == "fortran_order")
      fortran = &value;
    else if (key == "shape")
      shape = &value;
  }
  if (!descr || !fortran || !shape)
    return makeError(what, "malformed header: needs 'descr', "
                           "'fortran_order' and 'shape'");
  if (descr->kind != PyValue::Str)
    return makeError(what, "unsupported dtype: structured arrays are not "
                           "supported");
  NpyHeader header;
  Expected<DType> dtype = parseDescr(descr->str, what);
  if (!dtype)
    return dtype.takeError();
  header.dtype = *dtype;
  if (fortran->kind != PyValue::Bool)
    return makeError(what, "malformed header: 'fortran_order' is not a bool");
  if (fortran->boolean)
    return makeError(what, "fortran_order arrays are not supported; save a "
                           "C-contiguous array");
  if (shape->kind != PyValue::Seq)
    return makeError(what, "malformed header: 'shape' is not a tuple");
  for (const PyValue &dim : shape->items) {
    if (dim.kind != PyValue::Int || dim.integer < 0)
      return makeError(what, "malformed header: bad dimension in 'shape'");
    header.shape.push_back(dim.integer);
  }
  std::optional<uint64_t> bytes = byteCount(header.shape, header.dtype);
  if (!bytes)
    return makeError(what, "shape is too large");
  header.dataBytes = *bytes;
  return header;
}

/// Parses the header of an image holding at least the whole header.
static Expected<NpyHeader> parseHeader(ArrayRef<uint8_t> image,
                                       StringRef what) {
  size_t fixedLen = 0;
  uint64_t dictLen = 0;
  if (Error err = parsePrelude(image, what, fixedLen, dictLen))
    return std::move(err);
  if (image.size() - fixedLen < dictLen)
    return makeError(what, "truncated header");
  StringRef dict(reinterpret_cast<const char *>(image.data()) + fixedLen,
                 dictLen);
  Expected<NpyHeader> header = parseHeaderDict(dict, what);
  if (header)
    header->dataOffset = fixedLen + dictLen;
  return header;
}

static Error checkDataSize(const NpyHeader &header, uint64_t available,
                           StringRef what) {
  if (available < header.dataBytes)
    return makeError(what, "truncated data: expected " +
                               Twine(header.dataBytes) + " bytes, found " +
                               Twine(available));
  if (available > header.dataBytes)
    return makeError(what, "shape/data size mismatch: shape needs " +
                               Twine(header.dataBytes) + " bytes, found " +
                               Twine(available));
  return Error::success();
}

Expected<NpyArray> parseNpy(ArrayRef<uint8_t> image, StringRef what) {
  Expected<NpyHeader> header = parseHeader(image, what);
  if (!header)
    return header.takeError();
  if (Error err =
          checkDataSize(*header, image.size() - header->dataOffset, what))
    return std::move(err);
  NpyArray array;
  array.dtype = header->dtype;
  array.shape = std::move(header->shape);
  array.bytes.assign(image.begin() + header->dataOffset, image.end());
  return array;
}

/// Builds the header numpy itself would write: sorted keys, Python reprs,
/// room for the first axis to grow to 21 digits, padded with spaces so the
/// data starts at a multiple of 64 bytes.
static std::string serializeHeader(const NpyArray &array) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(array.shape[i]);
  shape += array.shape.size() == 1 ? ",)" : ")";
  std::string dict = "{'descr': '" + dtypeDescr(array.dtype).str() +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  if (!array.shape.empty())
    dict.append(
        21 - std::min<size_t>(21, std::to_string(array.shape[0]).size()), ' ');
  // Version 1.0 stores the length in 16 bits; numpy falls back to 2.0.
  auto paddingFor = [&](size_t fixedLen) {
    return kAlign - (fixedLen + dict.size() + 1) % kAlign;
  };
  bool v2 = dict.size() + paddingFor(kPreludeLen + 2) + 1 > 0xffff;
  size_t padding = paddingFor(kPreludeLen + (v2 ? 4 : 2));
  dict.append(padding, ' ');
  dict.push_back('\n');

  std::string out(kMagic, kMagicLen);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  if (v2) {
    uint32_t len = dict.size();
    out.append(reinterpret_cast<const char *>(&len), 4);
  } else {
    uint16_t len = dict.size();
    out.append(reinterpret_cast<const char *>(&len), 2);
  }
  return out + dict;
}

std::vector<uint8_t> serializeNpy(const NpyArray &array) {
  std::string header = serializeHeader(array);
  std::vector<uint8_t> out(header.begin(), header.end());
  out.insert(out.end(), array.bytes.begin(), array.bytes.end());
  return out;
}

/// A numpy array must hold exactly shape-many elements; writing anything else
/// would produce a file numpy refuses to load.
static Error checkWritable(const NpyArray &array, StringRef what) {
  std::optional<uint64_t> bytes = byteCount(array.shape, array.dtype);
  if (!bytes)
    return makeError(what, "invalid shape: negative or too large dimension");
  if (*bytes != array.bytes.size())
    return makeError(what, "shape/data size mismatch: shape needs " +
                               Twine(*bytes) + " bytes, array holds " +
                               Twine(array.bytes.size()));
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

Expected<NpyArray> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path, buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  return parseNpy(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()),
                        data.size()),
      path);
}

/// Creates a uniquely named temporary next to `path`, so that the final
/// rename stays within one file system.
static Expected<sys::fs::TempFile> createTempNextTo(StringRef path) {
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + ".tmp-%%%%%%%%");
  if (!temp)
    return makeError(path, "cannot create temporary file: " +
                               toString(temp.takeError()));
  return temp;
}

static Error keepTemp(sys::fs::TempFile &temp, StringRef path) {
  if (Error err = temp.keep(path))
    return makeError(path, "cannot write: " + toString(std::move(err)));
  return Error::success();
}

Error writeNpy(StringRef path, const NpyArray &array) {
  if (Error err = checkWritable(array, path))
    return err;
  Expected<sys::fs::TempFile> temp = createTempNextTo(path);
  if (!temp)
    return temp.takeError();
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os << serializeHeader(array);
    os.write(reinterpret_cast<const char *>(array.bytes.data()),
             array.bytes.size());
    os.flush();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      consumeError(temp->discard());
      return makeError(path, "cannot write: " + message);
    }
  }
  return keepTemp(*temp, path);
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

namespace {
struct ZipCloser {
  void operator()(zip_t *zip) const { zip_discard(zip); }
};
struct ZipFileCloser {
  void operator()(zip_file_t *file) const { zip_fclose(file); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;
} // namespace

struct NpzReader::Impl {
  ZipPtr zip;
  StringMap<zip_uint64_t> indices;
  // libzip archives are not safe for concurrent reads.
  mutable std::mutex mutex;
};

NpzReader::~NpzReader() = default;

static std::string zipOpenMessage(int code) {
  switch (code) {
  case ZIP_ER_NOENT:
    return "no such file";
  case ZIP_ER_OPEN:
  case ZIP_ER_READ:
    return "cannot read file";
  case ZIP_ER_NOZIP:
    return "not a zip archive (corrupt or truncated .npz)";
  case ZIP_ER_INCONS:
    return "corrupt zip archive";
  default:
    break;
  }
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return "cannot open archive: " + message;
}

Expected<std::unique_ptr<NpzReader>> NpzReader::open(StringRef path) {
  std::unique_ptr<NpzReader> reader(new NpzReader());
  reader->path_ = path.str();
  reader->impl_ = std::make_unique<Impl>();
  int code = 0;
  ZipPtr zip(zip_open(reader->path_.c_str(), ZIP_RDONLY, &code));
  if (!zip) {
    if (code == ZIP_ER_OPEN || code == ZIP_ER_NOENT)
      if (std::error_code statEc =
              sys::fs::access(path, sys::fs::AccessMode::Exist))
        return makeError(path, statEc.message());
    return makeError(path, zipOpenMessage(code));
  }
  zip_int64_t count = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *raw = zip_get_name(zip.get(), i, 0);
    if (!raw)
      return makeError(path, "corrupt zip archive: unreadable member name");
    // numpy stores each array as "<name>.npy"; other members (directories,
    // stray files) are not arrays.
    StringRef member(raw);
    if (!member.consume_back(".npy"))
      continue;
    if (!reader->impl_->indices.try_emplace(member, i).second)
      return makeError(path, "corrupt zip archive: duplicate member '" +
                                 member + ".npy'");
    reader->names_.push_back(member.str());
  }
  reader->impl_->zip = std::move(zip);
  return std::move(reader);
}

bool NpzReader::contains(StringRef name) const {
  return impl_->indices.count(name);
}

/// Reads exactly `size` bytes; fewer means the member is shorter than its
/// directory entry claims.
static Error readExact(zip_file_t *file, uint8_t *out, uint64_t size,
                       StringRef what) {
  while (size > 0) {
    zip_int64_t got = zip_fread(file, out, size);
    if (got < 0)
      return makeError(what, Twine("corrupt zip member: ") +
                                 zip_error_strerror(zip_file_get_error(file)));
    if (got == 0)
      return makeError(what, "truncated data");
    out += got;
    size -= got;
  }
  return Error::success();
}

Expected<NpyArray> NpzReader::read(StringRef name) const {
  std::string what = path_ + ": tensor '" + name.str() + "'";
  auto it = impl_->indices.find(name);
  if (it == impl_->indices.end())
    return makeError(what, "no such tensor in archive");
  std::lock_guard<std::mutex> lock(impl_->mutex);
  zip_t *zip = impl_->zip.get();
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(zip, it->second, 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE))
    return makeError(what, Twine("corrupt zip member: ") +
                               zip_error_strerror(zip_get_error(zip)));
  // The sizes come from the archive's directory; check them against each
  // other before trusting one with an allocation. Deflate expands at most
  // 1032:1.
  if ((stat.valid & ZIP_STAT_COMP_SIZE) &&
      (stat.valid & ZIP_STAT_COMP_METHOD)) {
    bool stored = stat.comp_method == ZIP_CM_STORE;
    if ((stored && stat.comp_size != stat.size) ||
        (!stored && stat.size / 1032 > stat.comp_size))
      return makeError(what, "corrupt zip member: inconsistent sizes");
  }
  ZipFilePtr file(zip_fopen_index(zip, it->second, 0));
  if (!file)
    return makeError(what, Twine("corrupt zip member: ") +
                               zip_error_strerror(zip_get_error(zip)));

  // Stream the member: header first, then the data straight into the array,
  // so a large tensor is not held twice.
  uint64_t total = stat.size;
  std::vector<uint8_t> head(std::min<uint64_t>(total, kPreludeLen + 4));
  if (Error err = readExact(file.get(), head.data(), head.size(), what))
    return std::move(err);
  size_t fixedLen = 0;
  uint64_t dictLen = 0;
  if (Error err = parsePrelude(head, what, fixedLen, dictLen))
    return std::move(err);
  if (total < fixedLen + dictLen)
    return makeError(what, "truncated header");
  // The prelude read may already hold the whole header and even some data.
  size_t have = head.size();
  if (have < fixedLen + dictLen) {
    head.resize(fixedLen + dictLen);
    if (Error err =
            readExact(file.get(), head.data() + have, head.size() - have, what))
      return std::move(err);
  }
  Expected<NpyHeader> header = parseHeader(head, what);
  if (!header)
    return header.takeError();
  if (Error err = checkDataSize(*header, total - header->dataOffset, what))
    return std::move(err);

  NpyArray array;
  array.dtype = header->dtype;
  array.shape = std::move(header->shape);
  array.bytes.resize(header->dataBytes);
  // head.size() <= total, so checkDataSize bounds the carried-over bytes.
  size_t carried = head.size() - header->dataOffset;
  if (carried)
    std::memcpy(array.bytes.data(), head.data() + header->dataOffset, carried);
  if (Error err = readExact(file.get(), array.bytes.data() + carried,
                            array.bytes.size() - carried, what))
    return std::move(err);
  // libzip verifies the CRC once it reaches the end of the member.
  uint8_t extra;
  zip_int64_t tail = zip_fread(file.get(), &extra, 1);
  if (tail < 0)
    return makeError(what,
                     Twine("corrupt zip member: ") +
                         zip_error_strerror(zip_file_get_error(file.get())));
  if (tail > 0)
    return makeError(what, "corrupt zip member: longer than its directory "
                           "entry");
  return array;
}

Expected<NpzMap> readNpz(StringRef path) {
  Expected<std::unique_ptr<NpzReader>> reader = NpzReader::open(path);
  if (!reader)
    return reader.takeError();
  NpzMap arrays;
  for (const std::string &name : (*reader)->names()) {
    Expected<NpyArray> array = (*reader)->read(name);
    if (!array)
      return array.takeError();
    arrays.emplace(name, std::move(*array));
  }
  return arrays;
}

/// The end-of-central-directory record of an archive with no members.
/// libzip deletes rather than writes an empty archive, but np.savez() with no
/// arrays produces exactly this.
static const uint8_t kEmptyZip[22] = {'P', 'K', 5, 6};

/// DOS timestamps are local time, so a fixed time_t would give different
/// bytes in different time zones; a fixed local calendar time does not.
static time_t fixedTimestamp() {
  std::tm tm = {};
  tm.tm_year = 80; // 1980-01-01 00:00:00, the DOS epoch
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

static Error writeZip(StringRef tempPath, StringRef path, const NpzMap &arrays,
                      bool compress) {
  int code = 0;
  SmallString<256> tempName(tempPath);
  ZipPtr zip(zip_open(tempName.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!zip)
    return makeError(path, "cannot write: " + zipOpenMessage(code));
  auto zipError = [&](StringRef name) {
    std::string what = path.str();
    if (!name.empty())
      what += ": tensor '" + name.str() + "'";
    return makeError(what, Twine("cannot write: ") +
                               zip_error_strerror(zip_get_error(zip.get())));
  };

  // libzip reads the sources only in zip_close(), so the headers must outlive
  // the loop; the data is referenced in place, not copied.
  std::vector<std::string> headers;
  headers.reserve(arrays.size());
  time_t mtime = fixedTimestamp();
  for (const auto &[name, array] : arrays) {
    headers.push_back(serializeHeader(array));
    zip_buffer_fragment_t fragments[2] = {
        {reinterpret_cast<zip_uint8_t *>(headers.back().data()),
         headers.back().size()},
        {const_cast<zip_uint8_t *>(array.bytes.data()), array.bytes.size()}};
    zip_source_t *source = zip_source_buffer_fragment(
        zip.get(), fragments, array.bytes.empty() ? 1 : 2, /*freep=*/0);
    if (!source)
      return zipError(name);
    std::string member = name + ".npy";
    zip_int64_t index =
        zip_file_add(zip.get(), member.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return zipError(name);
    }
    if (zip_set_file_compression(zip.get(), index,
                                 compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 0) != 0 ||
        zip_file_set_mtime(zip.get(), index, mtime, 0) != 0)
      return zipError(name);
  }
  if (zip_close(zip.get()) != 0)
    return zipError("");
  zip.release(); // zip_close() freed it
  return Error::success();
}

Error writeNpz(StringRef path, const NpzMap &arrays, bool compress) {
  for (const auto &[name, array] : arrays)
    if (Error err =
            checkWritable(array, path.str() + ": tensor '" + name + "'"))
      return err;
  Expected<sys::fs::TempFile> temp = createTempNextTo(path);
  if (!temp)
    return temp.takeError();

  Error err = Error::success();
  if (arrays.empty()) {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os.write(reinterpret_cast<const char *>(kEmptyZip), sizeof(kEmptyZip));
    os.flush();
    if (os.has_error()) {
      err = makeError(path, "cannot write: " + os.error().message());
      os.clear_error();
    }
  } else {
    // libzip writes its own temporary and renames it over ours on success.
    err = writeZip(temp->TmpName, path, arrays, compress);
  }
  if (err) {
    consumeError(temp->discard());
    return err;
  }
  return keepTemp(*temp, path);
}

} // namespace tpuc
