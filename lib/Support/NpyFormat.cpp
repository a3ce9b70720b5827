//===- NpyFormat.cpp - .npy header parsing and serialization --------------===//
//
// The in-memory side of the .npy format: parsing and writing the header and
// whole .npy images. Both .npy files and .npz members go through it.
//
// Format reference: numpy/lib/format.py (NEP 1). A .npy file is the magic
// "\x93NUMPY", a version, a little-endian header length, a Python dict literal
// describing dtype/order/shape, then the raw C-order element bytes.
//
//===----------------------------------------------------------------------===//

#include "NpzInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

using namespace llvm;
using namespace tpuc::npz_detail;

namespace tpuc {

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

} // namespace

static const char kMagic[] = "\x93NUMPY";
static constexpr size_t kAlign = 64;

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

Error npz_detail::parsePrelude(ArrayRef<uint8_t> image, StringRef what,
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

Expected<NpyHeader> npz_detail::parseHeader(ArrayRef<uint8_t> image,
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

Error npz_detail::checkDataSize(const NpyHeader &header, uint64_t available,
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

std::string npz_detail::serializeHeader(const NpyArray &array) {
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

Error npz_detail::checkWritable(const NpyArray &array, StringRef what) {
  std::optional<uint64_t> bytes = byteCount(array.shape, array.dtype);
  if (!bytes)
    return makeError(what, "invalid shape: negative or too large dimension");
  if (*bytes != array.bytes.size())
    return makeError(what, "shape/data size mismatch: shape needs " +
                               Twine(*bytes) + " bytes, array holds " +
                               Twine(array.bytes.size()));
  return Error::success();
}

} // namespace tpuc
