//===- Chips.cpp - The chip table -----------------------------------------===//

#include "tpuc/Backend/Chips.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace tpuc {

// Lanes, EU width, local memory and clocks as the vendor's kernel library
// configures them (cvikernel *_tpu_cfg.h; BM1684X from the open runtime).
static const ChipInfo kChips[] = {
    {"cv180x", ChipFamily::CV18xx, 2, 16, 32 * 1024, 8, 500, false, false, true,
     false},
    {"cv181x", ChipFamily::CV18xx, 8, 16, 32 * 1024, 8, 500, false, false, true,
     false},
    {"cv182x", ChipFamily::CV18xx, 8, 16, 32 * 1024, 8, 750, false, false, true,
     false},
    {"cv183x", ChipFamily::CV18xx, 32, 16, 32 * 1024, 8, 650, false, false,
     true, false},
    {"bm1684x", ChipFamily::BM1684X, 64, 64, 256 * 1024, 16, 1000, true, true,
     true, true},
};

std::optional<QuantMode> symbolizeQuantMode(StringRef name) {
  std::string upper = name.upper();
  if (upper == "F32")
    return QuantMode::F32;
  if (upper == "F16")
    return QuantMode::F16;
  if (upper == "BF16")
    return QuantMode::BF16;
  if (upper == "INT8")
    return QuantMode::INT8;
  return std::nullopt;
}

StringRef stringifyQuantMode(QuantMode mode) {
  switch (mode) {
  case QuantMode::F32:
    return "F32";
  case QuantMode::F16:
    return "F16";
  case QuantMode::BF16:
    return "BF16";
  case QuantMode::INT8:
    return "INT8";
  }
  return "F32";
}

ArrayRef<ChipInfo> getAllChips() { return kChips; }

const ChipInfo *lookupChip(StringRef name) {
  std::string lower = name.lower();
  for (const ChipInfo &chip : kChips)
    if (chip.name == lower)
      return &chip;
  return nullptr;
}

std::string getChipNames() {
  return join(map_range(kChips, [](const ChipInfo &c) { return c.name; }),
              ", ");
}

Expected<ModeChoice> chooseMode(const ChipInfo &chip, QuantMode mode,
                                bool asymmetric) {
  auto fail = [&](const Twine &why) -> Expected<ModeChoice> {
    return createStringError(inconvertibleErrorCode(), why);
  };
  if (asymmetric && mode == QuantMode::INT8 && !chip.hasAsymmetricInt8)
    return fail(chip.name + " computes INT8 symmetrically only; drop "
                            "--asymmetric");
  switch (mode) {
  case QuantMode::INT8:
    return ModeChoice{mode, ""};
  case QuantMode::BF16:
    if (!chip.hasBF16)
      return fail(chip.name + " has no BF16 unit");
    return ModeChoice{mode, ""};
  case QuantMode::F16:
    if (chip.hasF16)
      return ModeChoice{mode, ""};
    if (chip.hasBF16)
      return ModeChoice{QuantMode::BF16,
                        (chip.name + " has no F16 unit; compiling as BF16 "
                                     "(same range as F32, 8-bit mantissa)")
                            .str()};
    return fail(chip.name + " has no F16 unit");
  case QuantMode::F32:
    if (!chip.hasF32)
      return fail(chip.name + " has no F32 unit; use --quantize BF16 or INT8");
    return ModeChoice{mode, ""};
  }
  return fail("unknown mode");
}

QuantMode getDefaultFloatMode(const ChipInfo &chip) {
  return chip.family == ChipFamily::CV18xx ? QuantMode::BF16 : QuantMode::F16;
}

} // namespace tpuc
