//===- NpzTestUtils.cpp - Helpers for the .npy/.npz tests -----------------===//
//
// Expected values mirror python/gen_npz_fixtures.py, which wrote Inputs/ with
// numpy; float expectations are given as bit patterns so nothing here relies
// on the code under test to decode them.
//
//===----------------------------------------------------------------------===//

#include "NpzTestUtils.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>

using llvm::StringRef;

namespace tpuc::test {

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

std::string errorOf(llvm::Error err) {
  if (!err) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(std::move(err));
}

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

} // namespace tpuc::test
