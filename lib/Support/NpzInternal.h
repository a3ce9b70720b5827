//===- NpzInternal.h - Internals shared by the Npz.h sources ----*- C++ -*-===//
//
// Npz.h's implementation is split by concern (dtypes, the .npy format, .npy
// files, .npz archives); this private header holds what more than one of
// those files needs. It is not part of the public API.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_SUPPORT_NPZINTERNAL_H
#define TPUC_LIB_SUPPORT_NPZINTERNAL_H

#include "tpuc/Support/Npz.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SwapByteOrder.h"

#include <cstring>

// Element bytes and header length fields are copied as host integers.
static_assert(llvm::sys::IsLittleEndianHost,
              "numpy files are read as little-endian");

namespace tpuc {
namespace npz_detail {

inline llvm::Error makeError(llvm::StringRef what, const llvm::Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 what + ": " + reason.str());
}

template <typename T> T loadLE(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T> void storeLE(uint8_t *p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

//===----------------------------------------------------------------------===//
// dtypes (NpyDType.cpp)
//===----------------------------------------------------------------------===//

/// Maps a numpy descr such as "<f4" to a DType. The byte-order character may
/// be '<', '=' (native; every supported host is little-endian), '|' or absent;
/// '>' is only harmless for one-byte types.
llvm::Expected<DType> parseDescr(llvm::StringRef descr, llvm::StringRef what);

//===----------------------------------------------------------------------===//
// .npy header (NpyFormat.cpp)
//===----------------------------------------------------------------------===//

/// What the header says about the array, plus where its data starts.
struct NpyHeader {
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t dataOffset = 0;
  uint64_t dataBytes = 0;
};

static constexpr size_t kMagicLen = 6;
static constexpr size_t kPreludeLen = kMagicLen + 2; // magic + version

/// Returns the size of the fixed-size part (magic, version, length field) and
/// the dict length, given at least the first 12 bytes (or all if shorter).
llvm::Error parsePrelude(llvm::ArrayRef<uint8_t> image, llvm::StringRef what,
                         size_t &fixedLen, uint64_t &dictLen);
/// Parses the header of an image holding at least the whole header.
llvm::Expected<NpyHeader> parseHeader(llvm::ArrayRef<uint8_t> image,
                                      llvm::StringRef what);
llvm::Error checkDataSize(const NpyHeader &header, uint64_t available,
                          llvm::StringRef what);
/// Builds the header numpy itself would write: sorted keys, Python reprs,
/// room for the first axis to grow to 21 digits, padded with spaces so the
/// data starts at a multiple of 64 bytes.
std::string serializeHeader(const NpyArray &array);
/// A numpy array must hold exactly shape-many elements; writing anything else
/// would produce a file numpy refuses to load.
llvm::Error checkWritable(const NpyArray &array, llvm::StringRef what);

//===----------------------------------------------------------------------===//
// Atomic writes (NpyFile.cpp)
//===----------------------------------------------------------------------===//

/// Creates a uniquely named temporary next to `path`, so that the final
/// rename stays within one file system.
llvm::Expected<llvm::sys::fs::TempFile> createTempNextTo(llvm::StringRef path);
llvm::Error keepTemp(llvm::sys::fs::TempFile &temp, llvm::StringRef path);

} // namespace npz_detail
} // namespace tpuc

#endif // TPUC_LIB_SUPPORT_NPZINTERNAL_H
