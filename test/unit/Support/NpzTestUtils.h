//===- NpzTestUtils.h - Helpers for the .npy/.npz tests ---------*- C++ -*-===//
//
// The fixtures of Inputs/ with their expected contents, file helpers and a
// fixture class giving each test a fresh temporary directory.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TEST_UNIT_SUPPORT_NPZTESTUTILS_H
#define TPUC_TEST_UNIT_SUPPORT_NPZTESTUTILS_H

#include "tpuc/Support/Npz.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tpuc::test {

/// The path of the fixture `name` in Inputs/.
std::string inputPath(llvm::StringRef name);

/// The contents of a file; empty, and a test failure, when it cannot be read.
std::vector<uint8_t> readBytes(llvm::StringRef path);

/// Writes `bytes` to a file; a test failure when it cannot be opened.
void writeBytes(llvm::StringRef path, llvm::ArrayRef<uint8_t> bytes);

/// The bytes of `values` as they lie in memory.
template <typename T> std::vector<uint8_t> bytesOf(std::vector<T> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty())
    std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

/// Message of a failed Expected/Error; empty (and a test failure) on success.
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(value.takeError());
}

std::string errorOf(llvm::Error err);

struct Fixture {
  const char *file;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

/// Every per-dtype .npy the generator writes, with its expected content.
std::vector<Fixture> perDtypeFixtures();

/// A fresh directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("tpuc-npz-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(llvm::StringRef name) const {
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

/// The arrays of perDtypeFixtures() (named after their files, without
/// ".npy"), plus a scalar, an empty array and a name holding a '/'.
NpzMap everyDtypeMap();

/// Expects the same dtype, shape and bytes, naming `name` on failure.
void expectSameArray(const NpyArray &expected, const NpyArray &actual,
                     llvm::StringRef name);

} // namespace tpuc::test

#endif // TPUC_TEST_UNIT_SUPPORT_NPZTESTUTILS_H
