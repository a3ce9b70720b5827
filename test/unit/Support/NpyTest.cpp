//===- NpyTest.cpp - dtype tables and .npy reading and writing ------------===//
//
// Expected values mirror python/gen_npz_fixtures.py, which wrote Inputs/ with
// numpy; float expectations are given as bit patterns so nothing here relies
// on the code under test to decode them.
//
//===----------------------------------------------------------------------===//

#include "NpzTestUtils.h"

#include "tpuc/Support/Npz.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <string>
#include <vector>

using namespace tpuc;
using namespace tpuc::test;
using llvm::StringRef;

namespace {

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

} // namespace
