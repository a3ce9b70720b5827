//===- Chips.h - The chips tpuc compiles for ---------------------*- C++
//-*-===//
//
// One table describes every target: its family, the hardware numbers layer
// grouping and code generation need, and which quantization modes it
// computes. Capabilities are checked here, up front, so that an impossible
// request is a one-line error instead of a failure deep in lowering.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_BACKEND_CHIPS_H
#define TPUC_BACKEND_CHIPS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace tpuc {

enum class ChipFamily { CV18xx, BM1684X };

/// Precision an op (or a whole model) is compiled in.
enum class QuantMode { F32, F16, BF16, INT8 };

std::optional<QuantMode> symbolizeQuantMode(llvm::StringRef name);
llvm::StringRef stringifyQuantMode(QuantMode mode);

struct ChipInfo {
  llvm::StringRef name;
  ChipFamily family;
  /// Lanes (NPUs) that compute in parallel, one channel slice each.
  int64_t npuLanes;
  /// Bytes one lane's execution unit processes per step.
  int64_t euBytes;
  /// Local memory of one lane, and its number of banks.
  int64_t lmemBytesPerLane;
  int64_t lmemBanks;
  /// Clock of the TPU in MHz (used by cycle estimates).
  int64_t clockMHz;
  bool hasF32;
  bool hasF16;
  bool hasBF16;
  bool hasAsymmetricInt8;
};

/// Every chip, in a fixed order (for messages and docs).
llvm::ArrayRef<ChipInfo> getAllChips();
/// The chip named `name` (lower case, as `--processor` takes it), or null.
const ChipInfo *lookupChip(llvm::StringRef name);
/// "cv180x, cv181x, ..." for error messages.
std::string getChipNames();

/// The mode a request compiles as on `chip`, with a warning when it is not
/// the one asked for (CV18xx has no f16 unit and computes F16 as BF16).
struct ModeChoice {
  QuantMode mode;
  std::string warning;
};
/// Fails with a one-line reason when `chip` cannot compile `mode` at all
/// (F32 on CV18xx, asymmetric INT8 on CV18xx).
llvm::Expected<ModeChoice> chooseMode(const ChipInfo &chip, QuantMode mode,
                                      bool asymmetric);

/// The float mode mixed precision falls back to on `chip` (BF16 on CV18xx,
/// F16 on BM1684X).
QuantMode getDefaultFloatMode(const ChipInfo &chip);

} // namespace tpuc

#endif // TPUC_BACKEND_CHIPS_H
