//===- NpzTest.cpp - .npy/.npz reading, writing and conversions -----------===//
//
// Expected values mirror python/gen_npz_fixtures.py, which wrote Inputs/ with
// numpy; float expectations are given as bit patterns so nothing here relies
// on the code under test to decode them.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Support/Npz.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>

using namespace tpuc;
using llvm::StringRef;

namespace {

std::string inputPath(StringRef name) {
  return (llvm::Twine(TPUC_TEST_INPUTS) + "/" + name).str();
}

std::vector<uint8_t> readBytes(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  EXPECT_TRUE(bool(buffer)) << path.str();
  if (!buffer)
    return {};
  StringRef data = (*buffer)->getBuffer();
  return std::vector<uint8_t>(data.begin(), data.end());
}

void writeBytes(StringRef path, llvm::ArrayRef<uint8_t> bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

template <typename T> std::vector<uint8_t> bytesOf(std::vector<T> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty())
    std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

uint32_t bitsOf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Message of a failed Expected/Error; empty (and a test failure) on success.
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(value.takeError());
}

std::string errorOf(llvm::Error err) {
  if (!err) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(std::move(err));
}

struct Fixture {
  const char *file;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

/// Every per-dtype .npy the generator writes, with its expected content.
std::vector<Fixture> perDtypeFixtures() {
  return {
      {"f32.npy",
       DType::F32,
       {2, 5},
       bytesOf<uint32_t>({0x00000000, 0x80000000, 0x3fc00000, 0xc0100000,
                          0x7f7fffff, 0x00800000, 0x00000001, 0x7f800000,
                          0xff800000, 0x7fc00000})},
      {"f64.npy",
       DType::F64,
       {5},
       bytesOf<uint64_t>({0x0000000000000000, 0xbff8000000000000,
                          0x7e37e43c8800759c, 0x0000000000000001,
                          0x400921fb54442d18})},
      {"f16.npy",
       DType::F16,
       {8},
       bytesOf<uint16_t>(
           {0x0000, 0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x7c00, 0x7e00})},
      {"i8.npy", DType::I8, {5}, bytesOf<int8_t>({-128, -1, 0, 1, 127})},
      {"u8.npy", DType::U8, {2, 2}, bytesOf<uint8_t>({0, 1, 128, 255})},
      {"i16.npy", DType::I16, {4}, bytesOf<int16_t>({-32768, -1, 0, 32767})},
      {"u16.npy", DType::U16, {3}, bytesOf<uint16_t>({0, 1, 65535})},
      {"i32.npy",
       DType::I32,
       {3, 1},
       bytesOf<int32_t>({std::numeric_limits<int32_t>::min(), 0,
                         std::numeric_limits<int32_t>::max()})},
      {"i64.npy",
       DType::I64,
       {4},
       bytesOf<int64_t>({std::numeric_limits<int64_t>::min(), 0,
                         std::numeric_limits<int64_t>::max(), 1234567890123})},
      {"bool.npy", DType::Bool, {3}, bytesOf<uint8_t>({1, 0, 1})},
  };
}

/// A fresh directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("tpuc-npz-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(StringRef name) const {
    return (llvm::Twine(dir) + "/" + name).str();
  }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(names.begin(), names.end());
    return names;
  }

  llvm::SmallString<128> dir;
};

/// Builds a .npy image from a raw header dict, for parser edge cases.
std::vector<uint8_t> makeNpy(StringRef dict, llvm::ArrayRef<uint8_t> data,
                             int major = 1) {
  std::vector<uint8_t> image = {0x93,           'N', 'U', 'M', 'P', 'Y',
                                uint8_t(major), 0};
  uint32_t len = dict.size();
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
    image.push_back((len >> (8 * i)) & 0xff);
  image.insert(image.end(), dict.begin(), dict.end());
  image.insert(image.end(), data.begin(), data.end());
  return image;
}

NpzMap everyDtypeMap() {
  NpzMap map;
  for (const Fixture &f : perDtypeFixtures())
    map[StringRef(f.file).drop_back(4).str()] = {f.dtype, f.shape, f.bytes};
  map["scalar"] = {DType::F32, {}, bytesOf<float>({3.5f})};
  map["empty"] = {DType::F32, {0, 4}, {}};
  map["nested/name"] = {DType::U8, {1, 1, 1, 2}, {7, 9}};
  return map;
}

void expectSameArray(const NpyArray &expected, const NpyArray &actual,
                     StringRef name) {
  EXPECT_EQ(expected.dtype, actual.dtype) << name.str();
  EXPECT_EQ(expected.shape, actual.shape) << name.str();
  EXPECT_EQ(expected.bytes, actual.bytes) << name.str();
}

//===----------------------------------------------------------------------===//
// dtype tables
//===----------------------------------------------------------------------===//

TEST(NpzDType, Tables) {
  struct Row {
    DType type;
    size_t size;
    const char *descr, *name;
  } rows[] = {{DType::F32, 4, "<f4", "f32"}, {DType::F64, 8, "<f8", "f64"},
              {DType::F16, 2, "<f2", "f16"}, {DType::I8, 1, "|i1", "i8"},
              {DType::U8, 1, "|u1", "u8"},   {DType::I16, 2, "<i2", "i16"},
              {DType::U16, 2, "<u2", "u16"}, {DType::I32, 4, "<i4", "i32"},
              {DType::I64, 8, "<i8", "i64"}, {DType::Bool, 1, "|b1", "bool"}};
  for (const Row &row : rows) {
    EXPECT_EQ(dtypeSize(row.type), row.size);
    EXPECT_EQ(dtypeDescr(row.type), row.descr);
    EXPECT_EQ(dtypeName(row.type), row.name);
  }
}

//===----------------------------------------------------------------------===//
// .npy files written by numpy
//===----------------------------------------------------------------------===//

TEST(Npy, ReadsEveryNumpyDtype) {
  for (const Fixture &f : perDtypeFixtures()) {
    llvm::Expected<NpyArray> array = readNpy(inputPath(f.file));
    ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
    EXPECT_EQ(array->dtype, f.dtype) << f.file;
    EXPECT_EQ(array->shape, f.shape) << f.file;
    EXPECT_EQ(array->bytes, f.bytes) << f.file;
  }
}

TEST(Npy, ReadsFormatVersions2And3) {
  std::vector<uint8_t> expected = perDtypeFixtures()[0].bytes;
  for (const char *file : {"f32_v2.npy", "f32_v3.npy"}) {
    std::vector<uint8_t> image = readBytes(inputPath(file));
    ASSERT_GT(image.size(), 8u);
    EXPECT_EQ(image[6], file[5] - '0') << "fixture has the wrong version";
    llvm::Expected<NpyArray> array = parseNpy(image, file);
    ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
    EXPECT_EQ(array->shape, (std::vector<int64_t>{2, 5}));
    EXPECT_EQ(array->bytes, expected);
  }
}

TEST(Npy, SerializesExactlyLikeNumpy) {
  for (const Fixture &f : perDtypeFixtures()) {
    NpyArray array{f.dtype, f.shape, f.bytes};
    std::vector<uint8_t> image = serializeNpy(array);
    EXPECT_EQ(image, readBytes(inputPath(f.file))) << f.file;
    // numpy aligns the data to 64 bytes.
    EXPECT_EQ((image.size() - f.bytes.size()) % 64, 0u) << f.file;
  }
}

TEST(Npy, RejectsBigEndianAndFortranOrder) {
  std::string path = inputPath("big_endian.npy");
  std::string message = errorOf(readNpy(path));
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("big-endian"), std::string::npos) << message;

  path = inputPath("fortran.npy");
  message = errorOf(readNpy(path));
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("fortran_order"), std::string::npos) << message;
}

TEST(Npy, ParsesHeaderVariants) {
  std::vector<uint8_t> two = {1, 2};
  struct Case {
    const char *dict;
    DType dtype;
    std::vector<int64_t> shape;
  } cases[] = {
      // Key order, quoting, spacing and trailing comma are free.
      {"{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"|u1\"}",
       DType::U8,
       {2}},
      {"{'descr':'<i2','fortran_order':False,'shape':(1,)}\n", DType::I16, {1}},
      // Python 2 longs, native and absent byte order markers.
      {"{'descr': '=i2', 'fortran_order': False, 'shape': (1L,), }",
       DType::I16,
       {1}},
      {"{'descr': 'u1', 'fortran_order': False, 'shape': (1, 2), }",
       DType::U8,
       {1, 2}},
      // A byte order mark on a one-byte type means nothing.
      {"{'descr': '>i1', 'fortran_order': False, 'shape': [2], }",
       DType::I8,
       {2}},
      {"{'descr': '|b1', 'fortran_order': False, 'shape': (2, 1, 1), }",
       DType::Bool,
       {2, 1, 1}},
  };
  for (const Case &c : cases) {
    for (int major : {1, 2, 3}) {
      llvm::Expected<NpyArray> array =
          parseNpy(makeNpy(c.dict, two, major), "case");
      ASSERT_TRUE(bool(array))
          << c.dict << ": " << llvm::toString(array.takeError());
      EXPECT_EQ(array->dtype, c.dtype) << c.dict;
      EXPECT_EQ(array->shape, c.shape) << c.dict;
      EXPECT_EQ(array->bytes, two) << c.dict;
    }
  }
}

TEST(Npy, ReportsMalformedImages) {
  std::vector<uint8_t> four(4, 0);
  struct Case {
    std::vector<uint8_t> image;
    const char *reason;
  } cases[] = {
      {makeNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (), }", four),
       "unsupported dtype '<c8'"},
      {makeNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
               four),
       "big-endian dtype '>f4'"},
      {makeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, "
               "'shape': (1,), }",
               four),
       "unsupported dtype"},
      {makeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
               four),
       "fortran_order"},
      {makeNpy("{'descr': '<f4', 'shape': (1,), }", four), "malformed header"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
               four),
       "malformed header"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False 'shape': (1,), }",
               four),
       "malformed header"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
               four),
       "truncated data"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
               std::vector<uint8_t>(8, 0)),
       "shape/data size mismatch"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }",
               four),
       "shape/data size mismatch"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
               "(4294967296, 4294967296, 4294967296), }",
               four),
       "too large"},
      {makeNpy("{'descr': '<f4'", {}, 4), "unsupported .npy format version"},
      {{'N', 'O', 'T', 'N', 'P', 'Y', 1, 0, 0, 0}, "bad magic"},
      {{0x93, 'N', 'U', 'M'}, "bad magic"},
      {{0x93, 'N', 'U', 'M', 'P', 'Y', 1}, "truncated header"},
      {{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 50, 0, '{'}, "truncated header"},
  };
  for (const Case &c : cases) {
    std::string message = errorOf(parseNpy(c.image, "img.npy"));
    EXPECT_EQ(message.rfind("img.npy: ", 0), 0u) << message;
    EXPECT_NE(message.find(c.reason), std::string::npos)
        << message << "\n  wanted: " << c.reason;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(Npy, LongHeadersUseVersion2) {
  // 30000 unit dimensions need a header longer than 1.0's 16-bit length.
  NpyArray array{DType::F32, std::vector<int64_t>(30000, 1),
                 bytesOf<float>({1.5f})};
  std::vector<uint8_t> image = serializeNpy(array);
  ASSERT_GT(image.size(), 0xffffu);
  EXPECT_EQ(image[6], 2);
  EXPECT_EQ((image.size() - 4) % 64, 0u);
  llvm::Expected<NpyArray> back = parseNpy(image, "long");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  expectSameArray(array, *back, "long");
}

TEST(Npy, ZeroDimensionMakesAnyShapeEmpty) {
  llvm::Expected<NpyArray> array =
      parseNpy(makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(4294967296, 4294967296, 4294967296, 0), }",
                       {}),
               "empty");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->numel(), 0);
  EXPECT_TRUE(array->bytes.empty());
}

TEST_F(TempDirTest, NpyRoundTripsEveryDtype) {
  for (const auto &[name, array] : everyDtypeMap()) {
    std::string file = path("a.npy");
    ASSERT_FALSE(bool(writeNpy(file, array)));
    llvm::Expected<NpyArray> back = readNpy(file);
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    expectSameArray(array, *back, name);
    EXPECT_EQ(readBytes(file), serializeNpy(array)) << name;
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"a.npy"});
}

TEST_F(TempDirTest, TruncatedNpyFileNamesTheFile) {
  std::vector<uint8_t> image = readBytes(inputPath("i64.npy"));
  image.resize(image.size() - 3);
  std::string file = path("cut.npy");
  writeBytes(file, image);
  std::string message = errorOf(readNpy(file));
  EXPECT_NE(message.find(file + ": truncated data"), std::string::npos)
      << message;

  message = errorOf(readNpy(path("missing.npy")));
  EXPECT_NE(message.find(path("missing.npy")), std::string::npos) << message;
}

//===----------------------------------------------------------------------===//
// .npz archives written by numpy
//===----------------------------------------------------------------------===//

const std::vector<std::string> kArchiveNames = {
    "conv1/weight", "ids", "mask", "scalar", "empty", "half", "ramp"};

void expectArchiveContents(const NpzReader &reader) {
  ASSERT_EQ(reader.names(), kArchiveNames);
  auto get = [&](StringRef name) {
    llvm::Expected<NpyArray> array = reader.read(name);
    EXPECT_TRUE(bool(array)) << llvm::toString(array.takeError());
    return array ? std::move(*array) : NpyArray();
  };
  NpyArray weight = get("conv1/weight");
  EXPECT_EQ(weight.dtype, DType::F32);
  EXPECT_EQ(weight.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(weight.bytes,
            bytesOf<float>({0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.25f}));

  NpyArray ids = get("ids");
  EXPECT_EQ(ids.dtype, DType::I64);
  EXPECT_EQ(ids.bytes, bytesOf<int64_t>({3, -1, 7, int64_t(1) << 40}));

  NpyArray mask = get("mask");
  EXPECT_EQ(mask.dtype, DType::Bool);
  EXPECT_EQ(mask.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(mask.bytes, bytesOf<uint8_t>({1, 0, 0, 1}));

  NpyArray scalar = get("scalar");
  EXPECT_EQ(scalar.dtype, DType::F32);
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.bytes, bytesOf<float>({3.5f}));

  NpyArray empty = get("empty");
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_TRUE(empty.bytes.empty());

  NpyArray half = get("half");
  EXPECT_EQ(half.dtype, DType::F16);
  EXPECT_EQ(half.bytes, bytesOf<uint16_t>({0x3800, 0xbc00, 0x6400}));

  NpyArray ramp = get("ramp");
  EXPECT_EQ(ramp.dtype, DType::I16);
  std::vector<int16_t> values(64);
  for (int i = 0; i < 64; ++i)
    values[i] = i;
  EXPECT_EQ(ramp.bytes, bytesOf(values));
}

TEST(Npz, ReadsStoredAndDeflatedNumpyArchives) {
  for (const char *file : {"stored.npz", "deflated.npz"}) {
    SCOPED_TRACE(file);
    auto reader = NpzReader::open(inputPath(file));
    ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
    EXPECT_EQ((*reader)->path(), inputPath(file));
    EXPECT_TRUE((*reader)->contains("conv1/weight"));
    EXPECT_FALSE((*reader)->contains("conv1"));
    EXPECT_FALSE((*reader)->contains("ids.npy"));
    expectArchiveContents(**reader);
  }
}

TEST(Npz, ReadNpzLoadsEverything) {
  llvm::Expected<NpzMap> map = readNpz(inputPath("deflated.npz"));
  ASSERT_TRUE(bool(map)) << llvm::toString(map.takeError());
  EXPECT_EQ(map->size(), kArchiveNames.size());
  for (const std::string &name : kArchiveNames)
    EXPECT_TRUE(map->count(name)) << name;
}

TEST(Npz, SkipsMembersThatAreNotArrays) {
  auto reader = NpzReader::open(inputPath("extra_member.npz"));
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  EXPECT_EQ((*reader)->names(), std::vector<std::string>{"a"});
  llvm::Expected<NpyArray> a = (*reader)->read("a");
  ASSERT_TRUE(bool(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->bytes, bytesOf<int32_t>({1, 2}));
}

TEST(Npz, BrokenMembersFailOneByOne) {
  std::string file = inputPath("bad_members.npz");
  auto reader = NpzReader::open(file);
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  EXPECT_TRUE(bool((*reader)->read("good")));
  struct Case {
    const char *name, *reason;
  } cases[] = {
      {"short", "truncated data"},      {"long", "shape/data size mismatch"},
      {"badmagic", "bad magic"},        {"bigend", "big-endian dtype '>i4'"},
      {"tiny", "header is not a dict"}, {"nothere", "no such tensor"}};
  for (const Case &c : cases) {
    std::string message = errorOf((*reader)->read(c.name));
    std::string prefix = file + ": tensor '" + c.name + "': ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
    EXPECT_NE(message.find(c.reason), std::string::npos) << message;
  }
  EXPECT_NE(errorOf(readNpz(file)).find("tensor '"), std::string::npos);
}

TEST_F(TempDirTest, CorruptArchivesNameTheFile) {
  std::vector<uint8_t> stored = readBytes(inputPath("stored.npz"));

  // Cut in half: the central directory is gone.
  std::string cut = path("cut.npz");
  writeBytes(cut, llvm::ArrayRef(stored).take_front(stored.size() / 2));
  std::string message = errorOf(NpzReader::open(cut));
  EXPECT_EQ(message.rfind(cut + ": ", 0), 0u) << message;

  std::string text = path("text.npz");
  writeBytes(text, bytesOf<char>({'h', 'e', 'l', 'l', 'o'}));
  message = errorOf(readNpz(text));
  EXPECT_EQ(message.rfind(text + ": ", 0), 0u) << message;
  EXPECT_NE(message.find("not a zip"), std::string::npos) << message;

  message = errorOf(NpzReader::open(path("missing.npz")));
  EXPECT_EQ(message.rfind(path("missing.npz") + ": ", 0), 0u) << message;

  // One flipped data byte in a stored member: the CRC check names it, and
  // the other members stay readable.
  std::vector<int16_t> rampValues(64);
  for (int i = 0; i < 64; ++i)
    rampValues[i] = i;
  std::vector<uint8_t> ramp =
      serializeNpy({DType::I16, {64}, bytesOf(rampValues)});
  auto at = std::search(stored.begin(), stored.end(), ramp.begin(), ramp.end());
  ASSERT_NE(at, stored.end());
  std::vector<uint8_t> flipped = stored;
  flipped[at - stored.begin() + ramp.size() - 1] ^= 0x40;
  std::string crc = path("crc.npz");
  writeBytes(crc, flipped);
  auto reader = NpzReader::open(crc);
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  message = errorOf((*reader)->read("ramp"));
  EXPECT_EQ(message.rfind(crc + ": tensor 'ramp': ", 0), 0u) << message;
  EXPECT_TRUE(bool((*reader)->read("ids")));

  // A directory entry claiming more data than the member holds must not
  // be trusted with an allocation.
  const uint8_t central[] = {'P', 'K', 1, 2};
  auto dirEntry = std::search(stored.begin(), stored.end(), std::begin(central),
                              std::end(central));
  ASSERT_NE(dirEntry, stored.end());
  std::vector<uint8_t> inflated = stored;
  size_t sizeField = dirEntry - stored.begin() + 24;
  for (size_t i = 0; i < 4; ++i)
    inflated[sizeField + i] = i == 3 ? 0x7f : 0xff;
  std::string sizes = path("sizes.npz");
  writeBytes(sizes, inflated);
  reader = NpzReader::open(sizes);
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  message = errorOf((*reader)->read("conv1/weight"));
  EXPECT_EQ(message, sizes + ": tensor 'conv1/weight': corrupt zip member: "
                             "inconsistent sizes");

  // Garbage inside a deflate stream.
  std::vector<uint8_t> deflated = readBytes(inputPath("deflated.npz"));
  std::vector<uint8_t> mangled = deflated;
  // The first member's data follows its 30-byte local header and name.
  size_t nameLen = deflated[26] | deflated[27] << 8;
  size_t extraLen = deflated[28] | deflated[29] << 8;
  for (size_t i = 0; i < 16; ++i)
    mangled[30 + nameLen + extraLen + 4 + i] ^= 0xa5;
  std::string bad = path("inflate.npz");
  writeBytes(bad, mangled);
  reader = NpzReader::open(bad);
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  message = errorOf((*reader)->read("conv1/weight"));
  EXPECT_EQ(message.rfind(bad + ": tensor 'conv1/weight': ", 0), 0u) << message;
}

//===----------------------------------------------------------------------===//
// .npz writing
//===----------------------------------------------------------------------===//

TEST_F(TempDirTest, NpzRoundTripsEveryDtype) {
  NpzMap map = everyDtypeMap();
  for (bool compress : {false, true}) {
    SCOPED_TRACE(compress ? "deflated" : "stored");
    std::string file = path(compress ? "c.npz" : "s.npz");
    ASSERT_FALSE(bool(writeNpz(file, map, compress)));
    auto reader = NpzReader::open(file);
    ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
    // Members are written in map order.
    std::vector<std::string> names;
    for (const auto &entry : map)
      names.push_back(entry.first);
    EXPECT_EQ((*reader)->names(), names);
    for (const auto &[name, array] : map) {
      llvm::Expected<NpyArray> back = (*reader)->read(name);
      ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
      expectSameArray(array, *back, name);
    }
    // Local header of the first member: compression method and the fixed
    // DOS timestamp 1980-01-01 00:00:00.
    std::vector<uint8_t> bytes = readBytes(file);
    ASSERT_GT(bytes.size(), 30u);
    EXPECT_EQ(bytes[8] | bytes[9] << 8, compress ? 8 : 0);
    EXPECT_EQ(bytes[10] | bytes[11] << 8, 0);
    EXPECT_EQ(bytes[12] | bytes[13] << 8, (1 << 5) | 1);
  }
  EXPECT_EQ(entries(), (std::vector<std::string>{"c.npz", "s.npz"}));
}

TEST_F(TempDirTest, NpzOutputIsDeterministic) {
  NpzMap map = everyDtypeMap();
  // DOS timestamps are local time, so also vary the time zone.
  const char *oldTz = std::getenv("TZ");
  std::string savedTz = oldTz ? oldTz : "";
  for (bool compress : {false, true}) {
    setenv("TZ", "UTC0", 1);
    tzset();
    ASSERT_FALSE(bool(writeNpz(path("1.npz"), map, compress)));
    ASSERT_FALSE(bool(writeNpz(path("2.npz"), map, compress)));
    setenv("TZ", "XYZ-9", 1);
    tzset();
    ASSERT_FALSE(bool(writeNpz(path("3.npz"), map, compress)));
    std::vector<uint8_t> first = readBytes(path("1.npz"));
    EXPECT_FALSE(first.empty());
    EXPECT_EQ(first, readBytes(path("2.npz")));
    EXPECT_EQ(first, readBytes(path("3.npz")));
  }
  if (oldTz)
    setenv("TZ", savedTz.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

TEST_F(TempDirTest, WritesEmptyArchive) {
  std::string file = path("none.npz");
  ASSERT_FALSE(bool(writeNpz(file, {})));
  auto reader = NpzReader::open(file);
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  EXPECT_TRUE((*reader)->names().empty());
}

TEST_F(TempDirTest, FailedWritesLeaveNothingBehind) {
  NpzMap bad = everyDtypeMap();
  bad["zz"] = {DType::F32, {3}, {1, 2, 3}}; // 3 bytes, needs 12

  // A previous good file survives a failed overwrite untouched.
  std::string file = path("out.npz");
  ASSERT_FALSE(bool(writeNpz(file, everyDtypeMap())));
  std::vector<uint8_t> before = readBytes(file);
  std::string message = errorOf(writeNpz(file, bad));
  EXPECT_NE(message.find(file + ": tensor 'zz': shape/data size mismatch"),
            std::string::npos)
      << message;
  EXPECT_EQ(readBytes(file), before);

  message = errorOf(writeNpy(path("x.npy"), bad["zz"]));
  EXPECT_NE(message.find("shape/data size mismatch"), std::string::npos);
  message = errorOf(writeNpy(path("x.npy"), {DType::U8, {-1}, {}}));
  EXPECT_NE(message.find("invalid shape"), std::string::npos) << message;

  std::string nowhere = path("no/such/dir/out.npz");
  message = errorOf(writeNpz(nowhere, everyDtypeMap()));
  EXPECT_EQ(message.rfind(nowhere + ": ", 0), 0u) << message;
  std::string nowhereNpy = path("no/such/dir/out.npy");
  message = errorOf(writeNpy(nowhereNpy, bad["i8"]));
  EXPECT_EQ(message.rfind(nowhereNpy + ": ", 0), 0u) << message;
  EXPECT_EQ(entries(), std::vector<std::string>{"out.npz"});
}

//===----------------------------------------------------------------------===//
// Half and bfloat16
//===----------------------------------------------------------------------===//

TEST(Half, KnownEncodings) {
  struct Case {
    float value;
    uint16_t half;
  } cases[] = {
      {0.0f, 0x0000},
      {-0.0f, 0x8000},
      {1.0f, 0x3c00},
      {-2.0f, 0xc000},
      {0.5f, 0x3800},
      {65504.0f, 0x7bff},
      {std::ldexp(1.0f, -14), 0x0400},    // smallest normal
      {std::ldexp(1023.0f, -24), 0x03ff}, // largest subnormal
      {std::ldexp(1.0f, -24), 0x0001},    // smallest subnormal
      {std::numeric_limits<float>::infinity(), 0x7c00},
      {-std::numeric_limits<float>::infinity(), 0xfc00},
      // Ties go to the even neighbour.
      {1.0f + std::ldexp(1.0f, -11), 0x3c00},
      {1.0f + 3 * std::ldexp(1.0f, -11), 0x3c02},
      {1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20), 0x3c01},
      {65519.0f, 0x7bff},
      {65520.0f, 0x7c00}, // tie between 65504 and 2^16: overflows
      {1e6f, 0x7c00},
      {std::ldexp(1.0f, -25), 0x0000},    // tie with zero
      {std::ldexp(3.0f, -26), 0x0001},    // above the tie
      {std::ldexp(3.0f, -25), 0x0002},    // tie between 1 and 2
      {std::ldexp(5.0f, -25), 0x0002},    // tie between 2 and 3
      {std::ldexp(2047.0f, -25), 0x0400}, // tie into the normals
      {-std::ldexp(1.0f, -26), 0x8000},   // underflow keeps the sign
      {fromBits(0x00000001), 0x0000},     // float subnormal
  };
  for (const Case &c : cases)
    EXPECT_EQ(floatToHalf(c.value), c.half) << c.value;
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x0200), std::ldexp(1.0f, -15));
  EXPECT_EQ(halfToFloat(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(bitsOf(halfToFloat(0x8000)), 0x80000000u);
  EXPECT_EQ(halfToFloat(0xfc00), -std::numeric_limits<float>::infinity());
}

TEST(Half, NaNStaysNaN) {
  auto isHalfNaN = [](uint16_t h) {
    return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
  };
  // Payload only in the bits a half cannot hold must not become infinity.
  for (uint32_t bits :
       {0x7fc00000u, 0x7f800001u, 0xffc00000u, 0x7fffffffu, 0x7f802000u}) {
    uint16_t h = floatToHalf(fromBits(bits));
    EXPECT_TRUE(isHalfNaN(h)) << std::hex << bits;
    EXPECT_EQ(h >> 15, bits >> 31) << std::hex << bits;
  }
  for (uint16_t h : {0x7e00, 0x7c01, 0xfe00, 0x7fff})
    EXPECT_TRUE(std::isnan(halfToFloat(h))) << std::hex << h;
}

TEST(Half, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(h);
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) {
      EXPECT_TRUE(std::isnan(f)) << h;
      continue;
    }
    ASSERT_EQ(floatToHalf(f), h) << std::hex << h;
  }
}

TEST(Half, EveryMidpointRoundsToEven) {
  // Between neighbouring positive finite halves (and past the largest one,
  // towards 2^16) the midpoint goes to the even code, anything off it to the
  // nearer code. Midpoints need one bit more than a half: exact in float.
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    double lo = halfToFloat(h);
    double hi = h == 0x7bff ? 65536.0 : double(halfToFloat(h + 1));
    float mid = float((lo + hi) / 2);
    ASSERT_EQ(double(mid), (lo + hi) / 2);
    uint16_t even = (h & 1) ? h + 1 : h;
    ASSERT_EQ(floatToHalf(mid), even) << std::hex << h;
    ASSERT_EQ(floatToHalf(std::nextafter(mid, 0.0f)), h) << std::hex << h;
    ASSERT_EQ(floatToHalf(std::nextafter(mid, 1e30f)), h + 1) << std::hex << h;
    ASSERT_EQ(floatToHalf(-mid), 0x8000 | even) << std::hex << h;
  }
}

TEST(BFloat16, KnownEncodings) {
  struct Case {
    uint32_t floatBits;
    uint16_t bf16;
  } cases[] = {
      {0x3f800000, 0x3f80}, // 1.0
      {0xc0400000, 0xc040}, // -3.0
      {0x80000000, 0x8000}, // -0.0
      {0x3f808000, 0x3f80}, // tie, even below
      {0x3f818000, 0x3f82}, // tie, even above
      {0x3f808001, 0x3f81}, // just above the tie
      {0x3f807fff, 0x3f80}, // just below the tie
      {0x7f7f7fff, 0x7f7f}, // near the top, rounds down
      {0x7f7fffff, 0x7f80}, // largest float overflows to inf
      {0x7f800000, 0x7f80}, // inf
      {0xff800000, 0xff80}, // -inf
      {0x00000001, 0x0000}, // subnormal to zero
      {0x00008000, 0x0000}, // subnormal tie to even zero
      {0x00018000, 0x0002}, // subnormal tie to even
  };
  for (const Case &c : cases)
    EXPECT_EQ(floatToBf16(fromBits(c.floatBits)), c.bf16)
        << std::hex << c.floatBits;
  for (uint32_t bits : {0x7fc00000u, 0x7f800001u, 0xff810000u}) {
    uint16_t b = floatToBf16(fromBits(bits));
    EXPECT_EQ(b & 0x7f80, 0x7f80) << std::hex << bits;
    EXPECT_NE(b & 0x7f, 0) << std::hex << bits;
    EXPECT_EQ(b >> 15, bits >> 31);
  }
  EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(bf16ToFloat(0xc040), -3.0f);
  EXPECT_EQ(bitsOf(bf16ToFloat(0x0001)), 0x00010000u);
  EXPECT_TRUE(std::isnan(bf16ToFloat(0x7fc1)));
  for (uint32_t b = 0; b < 0x10000; ++b) {
    if ((b & 0x7f80) != 0x7f80 || !(b & 0x7f)) {
      ASSERT_EQ(floatToBf16(bf16ToFloat(b)), b) << std::hex << b;
    }
  }
}

//===----------------------------------------------------------------------===//
// fromFloat / toFloat
//===----------------------------------------------------------------------===//

template <typename T>
std::vector<T> convert(std::vector<float> values, DType type) {
  NpyArray array = NpyArray::fromFloat(values, {int64_t(values.size())}, type);
  EXPECT_EQ(array.dtype, type);
  EXPECT_EQ(array.bytes.size(), values.size() * sizeof(T));
  std::vector<T> out(values.size());
  std::memcpy(out.data(), array.bytes.data(), array.bytes.size());
  return out;
}

TEST(FromFloat, RoundsHalfToEvenAndSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(convert<int8_t>({0.5f, 1.5f, 2.5f, 3.5f, -0.5f, -1.5f, -2.5f,
                             0.49999997f, 2.5000002f, -2.5000002f},
                            DType::I8),
            (std::vector<int8_t>{0, 2, 2, 4, 0, -2, -2, 0, 3, -3}));
  EXPECT_EQ(
      convert<int8_t>(
          {127.4f, 127.5f, -128.5f, -128.6f, 1000.0f, -1e9f, inf, -inf, nan},
          DType::I8),
      (std::vector<int8_t>{127, 127, -128, -128, 127, -128, 127, -128, 0}));
  EXPECT_EQ(convert<uint8_t>({-1.0f, -0.5f, 254.5f, 255.4f, 255.5f, 300.0f},
                             DType::U8),
            (std::vector<uint8_t>{0, 0, 254, 255, 255, 255}));
  EXPECT_EQ(convert<int16_t>({-32768.5f, 32767.5f, 1e5f, 12345.5f}, DType::I16),
            (std::vector<int16_t>{-32768, 32767, 32767, 12346}));
  EXPECT_EQ(convert<uint16_t>({-3.0f, 65535.0f, 65535.5f, 7.5f}, DType::U16),
            (std::vector<uint16_t>{0, 65535, 65535, 8}));
  EXPECT_EQ(convert<int32_t>({2147483520.0f, 2147483648.0f, -2147483648.0f,
                              -3e9f, 3e9f, 16777217.0f},
                             DType::I32),
            (std::vector<int32_t>{2147483520, 2147483647, -2147483647 - 1,
                                  -2147483647 - 1, 2147483647, 16777216}));
  const int64_t i64max = std::numeric_limits<int64_t>::max();
  const int64_t i64min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(convert<int64_t>({std::ldexp(1.0f, 63), -std::ldexp(1.0f, 63),
                              std::ldexp(1.0f, 62), 9.3e18f, -1e19f, inf, nan},
                             DType::I64),
            (std::vector<int64_t>{i64max, i64min, int64_t(1) << 62, i64max,
                                  i64min, i64max, 0}));
}

TEST(FromFloat, FloatAndBoolTypes) {
  std::vector<float> values = {0.0f, -0.0f, 0.1f, -2.5f, 70000.0f};
  EXPECT_EQ(convert<uint8_t>({0.0f, -0.0f, 0.1f, -3.0f,
                              std::numeric_limits<float>::quiet_NaN()},
                             DType::Bool),
            (std::vector<uint8_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(convert<uint16_t>(values, DType::F16),
            (std::vector<uint16_t>{0x0000, 0x8000, 0x2e66, 0xc100, 0x7c00}));
  EXPECT_EQ(convert<double>(values, DType::F64),
            (std::vector<double>{0.0, -0.0, double(0.1f), -2.5, 70000.0}));
  EXPECT_EQ(convert<float>(values, DType::F32), values);

  NpyArray shaped = NpyArray::fromFloat({1, 2, 3, 4, 5, 6}, {2, 1, 3});
  EXPECT_EQ(shaped.dtype, DType::F32);
  EXPECT_EQ(shaped.shape, (std::vector<int64_t>{2, 1, 3}));
  EXPECT_EQ(shaped.numel(), 6);
  NpyArray scalar = NpyArray::fromFloat({7}, {}, DType::I32);
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.bytes, bytesOf<int32_t>({7}));
}

TEST(ToFloat, ConvertsEveryDtypeByValue) {
  for (const Fixture &f : perDtypeFixtures()) {
    if (f.dtype == DType::F32 || f.dtype == DType::F64)
      continue;
    NpyArray array{f.dtype, f.shape, f.bytes};
    std::vector<float> values = array.toFloat();
    ASSERT_EQ(int64_t(values.size()), array.numel()) << f.file;
  }
  auto toFloat = [](const char *file) {
    llvm::Expected<NpyArray> array = readNpy(inputPath(file));
    EXPECT_TRUE(bool(array));
    return array ? array->toFloat() : std::vector<float>();
  };
  EXPECT_EQ(toFloat("i8.npy"), (std::vector<float>{-128, -1, 0, 1, 127}));
  EXPECT_EQ(toFloat("u8.npy"), (std::vector<float>{0, 1, 128, 255}));
  EXPECT_EQ(toFloat("i16.npy"), (std::vector<float>{-32768, -1, 0, 32767}));
  EXPECT_EQ(toFloat("u16.npy"), (std::vector<float>{0, 1, 65535}));
  EXPECT_EQ(toFloat("i32.npy"),
            (std::vector<float>{-2147483648.0f, 0, 2147483648.0f}));
  EXPECT_EQ(toFloat("i64.npy"),
            (std::vector<float>{-9223372036854775808.0f, 0,
                                9223372036854775808.0f, 1234567890123.0f}));
  EXPECT_EQ(toFloat("bool.npy"), (std::vector<float>{1, 0, 1}));
  std::vector<float> half = toFloat("f16.npy");
  ASSERT_EQ(half.size(), 8u);
  EXPECT_EQ(std::vector<float>(half.begin(), half.begin() + 6),
            (std::vector<float>{0, 1, -2, 65504, std::ldexp(1.0f, -14),
                                std::ldexp(1.0f, -24)}));
  EXPECT_EQ(half[6], std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half[7]));
  std::vector<float> f64 = toFloat("f64.npy");
  ASSERT_EQ(f64.size(), 5u);
  EXPECT_EQ(f64[1], -1.5f);
  EXPECT_EQ(f64[2], std::numeric_limits<float>::infinity()); // 1e300
  EXPECT_EQ(f64[3], 0.0f);                                   // 5e-324
  EXPECT_EQ(f64[4], float(3.14159265358979323846));
}

} // namespace
