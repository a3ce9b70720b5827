//===- NpzArchiveTest.cpp - .npz reading and writing ----------------------===//
//
// Expected values mirror python/gen_npz_fixtures.py, which wrote Inputs/ with
// numpy; float expectations are given as bit patterns so nothing here relies
// on the code under test to decode them.
//
//===----------------------------------------------------------------------===//

#include "NpzTestUtils.h"

#include "tpuc/Support/Npz.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>

using namespace tpuc;
using namespace tpuc::test;
using llvm::StringRef;

namespace {

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

} // namespace
