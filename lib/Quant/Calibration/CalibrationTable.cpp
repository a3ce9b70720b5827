//===- CalibrationTable.cpp - tpu-mlir calibration table files ------------===//

#include "tpuc/Quant/Calibration/CalibrationTable.h"
#include "tpuc/Support/AtomicFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstdio>

using namespace llvm;

namespace tpuc::calibration {

bool CalibrationTable::add(CalibrationEntry entry) {
  auto [it, inserted] = index_.try_emplace(entry.name, entries.size());
  if (!inserted)
    return false;
  entries.push_back(std::move(entry));
  return true;
}

const CalibrationEntry *CalibrationTable::lookup(StringRef name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries[it->second];
}

namespace {

enum class Block {
  Thresholds,
  Int4Thresholds,
  AsymOps,
  Int4Ops,
  WeightScales,
  WeightScalesFp8,
  Ignored
};

class Parser {
public:
  Parser(StringRef path, std::vector<std::string> *notes)
      : path_(path.str()), notes_(notes) {}
  Expected<CalibrationTable> parse(StringRef text);

private:
  Error error(const Twine &message) const {
    return createStringError(inconvertibleErrorCode(), "%s:%u: %s",
                             path_.c_str(), line_, message.str().c_str());
  }
  Error parseMarker(StringRef line);
  Error parseData(StringRef line);
  Expected<double> parseNumber(StringRef token, StringRef what) const;
  Expected<CalibrationEntry> parseEntry(StringRef line) const;

  std::string path_;
  std::vector<std::string> *notes_;
  CalibrationTable table_;
  unsigned line_ = 0;
  bool pastHeader_ = false;
  Block block_ = Block::Thresholds;
  StringMap<unsigned> entryLines_;
};

} // namespace

Expected<double> Parser::parseNumber(StringRef token, StringRef what) const {
  double value;
  // getAsDouble accepts what strtod does, including "inf" and "nan", which
  // no table may hold.
  if (token.getAsDouble(value) || !std::isfinite(value))
    return error("malformed " + what + " '" + token + "'");
  return value;
}

Expected<CalibrationEntry> Parser::parseEntry(StringRef line) const {
  SmallVector<StringRef, 4> fields;
  SplitString(line, fields, " \t");
  if (fields.size() != 4)
    return error("expected '<tensor> <threshold> <min> <max>', got '" +
                 line.trim() + "'");
  CalibrationEntry entry;
  entry.name = fields[0].str();
  auto threshold = parseNumber(fields[1], "threshold");
  if (!threshold)
    return threshold.takeError();
  if (*threshold < 0)
    return error("negative threshold '" + fields[1] + "' for '" + fields[0] +
                 "'");
  auto min = parseNumber(fields[2], "min");
  if (!min)
    return min.takeError();
  auto max = parseNumber(fields[3], "max");
  if (!max)
    return max.takeError();
  entry.threshold = *threshold;
  entry.min = *min;
  entry.max = *max;
  return entry;
}

Error Parser::parseMarker(StringRef line) {
  StringRef keyword = line.drop_front().split(' ').first.trim();
  if (keyword.starts_with("tpu-mlir-fp8") ||
      keyword.starts_with("mqbench-fp8")) {
    table_.fp8Marker = line.str();
    block_ = Block::Thresholds;
    return Error::success();
  }
  std::optional<Block> known =
      StringSwitch<std::optional<Block>>(keyword)
          .Case("int4_th", Block::Int4Thresholds)
          .Case("asym_op", Block::AsymOps)
          .Case("int4_op", Block::Int4Ops)
          .Case("weight_scale", Block::WeightScales)
          .Case("weight_scale_fp8", Block::WeightScalesFp8)
          .Default(std::nullopt);
  if (known) {
    block_ = *known;
    pastHeader_ = true;
    return Error::success();
  }
  // Before the body, unknown `#...` lines are header text (tpu-mlir has
  // written "#<tool> caliration table" title lines).
  if (!pastHeader_) {
    table_.header.push_back(line.str());
    return Error::success();
  }
  IgnoredBlock ignored;
  ignored.marker = line.str();
  ignored.line = line_;
  table_.ignoredBlocks.push_back(std::move(ignored));
  block_ = Block::Ignored;
  return Error::success();
}

Error Parser::parseData(StringRef line) {
  pastHeader_ = true;
  switch (block_) {
  case Block::Thresholds:
  case Block::Int4Thresholds: {
    auto entry = parseEntry(line);
    if (!entry)
      return entry.takeError();
    if (block_ == Block::Int4Thresholds) {
      table_.int4Entries.push_back(std::move(*entry));
      return Error::success();
    }
    auto [it, inserted] = entryLines_.try_emplace(entry->name, line_);
    if (!inserted)
      return error("tensor '" + entry->name +
                   "' appears twice (first at line " + Twine(it->second) + ")");
    table_.add(std::move(*entry));
    return Error::success();
  }
  case Block::AsymOps:
  case Block::Int4Ops: {
    StringRef name = line.trim();
    if (name.find_first_of(" \t") != StringRef::npos)
      return error("expected one op name per line, got '" + name + "'");
    (block_ == Block::AsymOps ? table_.asymOps : table_.int4Ops)
        .push_back(name.str());
    return Error::success();
  }
  case Block::WeightScales:
  case Block::WeightScalesFp8: {
    SmallVector<StringRef, 16> fields;
    SplitString(line, fields, " \t");
    unsigned long long count;
    if (fields.size() < 2 || fields[1].getAsInteger(10, count) ||
        count != fields.size() - 2)
      return error("expected '<op>_weight <count> <scale>...' with <count> "
                   "scales, got '" +
                   line.trim() + "'");
    WeightScaleEntry entry;
    entry.name = fields[0].str();
    for (StringRef field : ArrayRef(fields).drop_front(2)) {
      auto value = parseNumber(field, "scale");
      if (!value)
        return value.takeError();
      entry.scales.push_back(*value);
    }
    (block_ == Block::WeightScales ? table_.weightScales
                                   : table_.weightScalesFp8)
        .push_back(std::move(entry));
    return Error::success();
  }
  case Block::Ignored:
    table_.ignoredBlocks.back().lines.push_back(line.str());
    return Error::success();
  }
  return Error::success();
}

Expected<CalibrationTable> Parser::parse(StringRef text) {
  while (!text.empty()) {
    auto [raw, rest] = text.split('\n');
    text = rest;
    ++line_;
    StringRef line = raw;
    line.consume_back("\r");
    StringRef trimmed = line.trim();
    if (trimmed.empty())
      continue;
    if (trimmed.starts_with("#")) {
      if (trimmed.find_first_not_of('#') == StringRef::npos &&
          trimmed.size() >= 3) {
        pastHeader_ = true;
        block_ = Block::Thresholds;
        continue;
      }
      StringRef after = trimmed.drop_front();
      bool comment = after.empty() || after.front() == ' ' ||
                     after.front() == '\t' || after.front() == '#';
      if (comment) {
        // The body's comments (the column titles) are not kept; printing
        // writes them again.
        if (!pastHeader_)
          table_.header.push_back(trimmed.str());
        continue;
      }
      if (Error err = parseMarker(trimmed))
        return std::move(err);
      continue;
    }
    if (Error err = parseData(trimmed))
      return std::move(err);
  }
  if (notes_)
    for (const IgnoredBlock &block : table_.ignoredBlocks)
      notes_->push_back(path_ + ":" + std::to_string(block.line) + ": block '" +
                        block.marker + "' (" +
                        std::to_string(block.lines.size()) +
                        " line(s)) ignored");
  return std::move(table_);
}

Expected<CalibrationTable>
parseCalibrationTable(StringRef text, StringRef path,
                      std::vector<std::string> *notes) {
  return Parser(path, notes).parse(text);
}

Expected<CalibrationTable>
readCalibrationTable(StringRef path, std::vector<std::string> *notes) {
  if (sys::fs::is_directory(path))
    return createStringError(inconvertibleErrorCode(),
                             "%s: is a directory, not a calibration table",
                             path.str().c_str());
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(), "%s: cannot read: %s",
                             path.str().c_str(),
                             buffer.getError().message().c_str());
  return parseCalibrationTable((*buffer)->getBuffer(), path, notes);
}

static std::string formatNumber(const char *format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

static void printEntries(std::string &out,
                         const std::vector<CalibrationEntry> &entries) {
  for (const CalibrationEntry &entry : entries)
    out += entry.name + " " + formatNumber("%.7f", entry.threshold) + " " +
           formatNumber("%.7f", entry.min) + " " +
           formatNumber("%.7f", entry.max) + "\n";
}

static void printWeightScales(std::string &out, StringRef marker,
                              const std::vector<WeightScaleEntry> &scales) {
  if (scales.empty())
    return;
  out += marker.str() + "\n";
  for (const WeightScaleEntry &entry : scales) {
    out += entry.name + " " + std::to_string(entry.scales.size());
    // Nine significant digits survive a read and a write unchanged.
    for (double scale : entry.scales)
      out += " " + formatNumber("%.9g", scale);
    out += "\n";
  }
}

std::string printCalibrationTable(const CalibrationTable &table) {
  std::string out;
  if (table.isFp8())
    out += table.fp8Marker + "\n";
  for (const std::string &line : table.header)
    out += line + "\n";
  out += "###\n# op_name    threshold    min    max\n";
  printEntries(out, table.entries);
  if (!table.int4Entries.empty()) {
    out += "#int4_th\n";
    printEntries(out, table.int4Entries);
  }
  for (auto [marker, names] :
       {std::pair<StringRef, const std::vector<std::string> *>{"#asym_op",
                                                               &table.asymOps},
        {"#int4_op", &table.int4Ops}}) {
    if (names->empty())
      continue;
    out += marker.str() + "\n";
    for (const std::string &name : *names)
      out += name + "\n";
  }
  printWeightScales(out, "#weight_scale", table.weightScales);
  printWeightScales(out, "#weight_scale_fp8", table.weightScalesFp8);
  for (const IgnoredBlock &block : table.ignoredBlocks) {
    out += block.marker + "\n";
    for (const std::string &line : block.lines)
      out += line + "\n";
  }
  return out;
}

Error writeCalibrationTable(StringRef path, const CalibrationTable &table) {
  return writeFileAtomically(path, printCalibrationTable(table));
}

} // namespace tpuc::calibration
