//===- Npz.h - numpy .npy/.npz reading and writing ---------------*- C++
//-*-===//
//
// numpy-compatible array files. `.npz` archives may be stored or deflated and
// are read lazily: opening reads the zip directory, each array is read on
// first request. Writers go through a temporary file renamed into place, so a
// failed write never leaves a partial file.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_NPZ_H
#define TPUC_SUPPORT_NPZ_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tpuc {

/// Element types numpy files can hold. bf16 has no numpy dtype and is stored
/// as U16 bit patterns (see bf16 helpers below).
enum class DType { F32, F64, F16, I8, U8, I16, U16, I32, I64, Bool };

/// Size in bytes of one element.
size_t dtypeSize(DType type);
/// numpy descr string, e.g. "<f4", "|i1", "|b1".
llvm::StringRef dtypeDescr(DType type);
/// Short name used in messages and by npz_tool: "f32", "i8", "bool", ...
llvm::StringRef dtypeName(DType type);

/// A dense C-order array with little-endian element bytes.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t numel() const;
  /// Converts every element to float (f16 is decoded; integers and bools
  /// are converted by value).
  std::vector<float> toFloat() const;
  /// Builds an f32 array (or `type`, converting by value with saturation and
  /// round-half-to-even for integer types) from float data.
  static NpyArray fromFloat(llvm::ArrayRef<float> data,
                            llvm::ArrayRef<int64_t> shape,
                            DType type = DType::F32);
};

/// Parses a whole .npy file image; `what` names it in error messages.
llvm::Expected<NpyArray> parseNpy(llvm::ArrayRef<uint8_t> image,
                                  llvm::StringRef what);
/// Serializes an array as a .npy (format 1.0) file image.
std::vector<uint8_t> serializeNpy(const NpyArray &array);

llvm::Expected<NpyArray> readNpy(llvm::StringRef path);
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

/// Lazy reader over an .npz archive. Errors name the file and the tensor.
class NpzReader {
public:
  static llvm::Expected<std::unique_ptr<NpzReader>> open(llvm::StringRef path);
  ~NpzReader();

  const std::string &path() const { return path_; }
  /// Array names in archive order (".npy" suffix removed).
  const std::vector<std::string> &names() const { return names_; }
  bool contains(llvm::StringRef name) const;
  /// Reads and parses one array.
  llvm::Expected<NpyArray> read(llvm::StringRef name) const;

private:
  NpzReader() = default;
  std::string path_;
  std::vector<std::string> names_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Ordered so that archives are byte-identical for identical inputs.
using NpzMap = std::map<std::string, NpyArray>;

/// Reads every array of an archive.
llvm::Expected<NpzMap> readNpz(llvm::StringRef path);
/// Writes an archive (deflated when `compress`), atomically.
llvm::Error writeNpz(llvm::StringRef path, const NpzMap &arrays,
                     bool compress = false);

/// IEEE half and bfloat16 conversions (round to nearest even).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t b);
uint16_t floatToBf16(float f);

} // namespace tpuc

#endif // TPUC_SUPPORT_NPZ_H
