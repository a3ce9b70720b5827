//===- Labels.cpp - Ground truth files ------------------------------------===//

#include "tpuc/Quant/Accuracy/Labels.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace llvm;

namespace tpuc::accuracy {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

static Expected<std::unique_ptr<MemoryBuffer>> readText(StringRef path) {
  if (!sys::fs::exists(path))
    return makeError(path + ": no such file");
  if (sys::fs::is_directory(path))
    return makeError(path + ": is a directory");
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  return std::move(*buffer);
}

/// A non-negative integer written as such (Ultralytics also writes "3.0").
static bool parseClassId(StringRef text, int64_t &value) {
  if (!text.getAsInteger(10, value))
    return value >= 0;
  double d;
  if (text.getAsDouble(d) || d < 0 || d != std::floor(d) || d > 1e9)
    return false;
  value = static_cast<int64_t>(d);
  return true;
}

Expected<std::vector<NormalizedBox>> readYoloLabels(StringRef path,
                                                    int64_t numClasses) {
  auto buffer = readText(path);
  if (!buffer)
    return buffer.takeError();
  std::vector<NormalizedBox> boxes;
  SmallVector<StringRef, 64> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [number, rawLine] : llvm::enumerate(lines)) {
    StringRef line = rawLine.trim();
    if (line.empty())
      continue;
    std::string where = (path + ":" + Twine(number + 1)).str();
    SmallVector<StringRef, 8> fields;
    SplitString(line, fields);
    if (fields.size() != 5)
      return makeError(where + ": expected 'class cx cy w h', got " +
                       Twine(fields.size()) +
                       " field(s) (segment and "
                       "keypoint labels are not detection boxes)");
    NormalizedBox box;
    if (!parseClassId(fields[0], box.classId))
      return makeError(where + ": class '" + fields[0] +
                       "' is not a non-negative integer");
    if (numClasses > 0 && box.classId >= numClasses)
      return makeError(where + ": class " + Twine(box.classId) +
                       " is beyond the model's " + Twine(numClasses) +
                       " classes (0.." + Twine(numClasses - 1) + ")");
    float *values[] = {&box.cx, &box.cy, &box.w, &box.h};
    const char *names[] = {"cx", "cy", "w", "h"};
    for (int i = 0; i < 4; ++i) {
      double v;
      if (fields[i + 1].getAsDouble(v) || !std::isfinite(v))
        return makeError(where + ": " + names[i] + " '" + fields[i + 1] +
                         "' is not a number");
      if (v < 0 || v > 1)
        return makeError(where + ": " + names[i] + " " + fields[i + 1] +
                         " is out of range (labels are normalized to 0..1)");
      *values[i] = static_cast<float>(v);
    }
    if (box.w <= 0 || box.h <= 0)
      return makeError(where + ": the box has no area (w " + fields[3] +
                       ", h " + fields[4] + ")");
    boxes.push_back(box);
  }
  return boxes;
}

std::vector<GroundTruth> toPixels(ArrayRef<NormalizedBox> boxes, int64_t width,
                                  int64_t height) {
  std::vector<GroundTruth> objects;
  float w = static_cast<float>(width), h = static_cast<float>(height);
  for (const NormalizedBox &b : boxes)
    objects.push_back(
        {Box::fromCenter(b.cx * w, b.cy * h, b.w * w, b.h * h), b.classId});
  return objects;
}

std::string yoloLabelPath(StringRef imagePath) {
  SmallVector<StringRef, 16> parts;
  for (auto it = sys::path::begin(imagePath), end = sys::path::end(imagePath);
       it != end; ++it)
    parts.push_back(*it);
  if (parts.size() < 2)
    return "";
  for (size_t i = parts.size() - 1; i-- > 0;) {
    if (parts[i] != "images")
      continue;
    SmallString<256> label;
    for (size_t k = 0; k < parts.size(); ++k)
      sys::path::append(label, k == i ? StringRef("labels") : parts[k]);
    sys::path::replace_extension(label, ".txt");
    return std::string(label);
  }
  return "";
}

Expected<std::vector<std::string>> readClassNames(StringRef path) {
  auto buffer = readText(path);
  if (!buffer)
    return buffer.takeError();
  std::vector<std::string> names;
  SmallVector<StringRef, 128> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (StringRef line : lines)
    if (!line.trim().empty())
      names.push_back(line.trim().str());
  if (names.empty())
    return makeError(path + ": no class names");
  return names;
}

Expected<std::map<std::string, int64_t>>
readClassificationLabels(StringRef path, ArrayRef<std::string> classNames,
                         int64_t numClasses) {
  auto buffer = readText(path);
  if (!buffer)
    return buffer.takeError();
  std::map<std::string, int64_t> byName;
  for (auto [i, name] : llvm::enumerate(classNames))
    byName.emplace(name, static_cast<int64_t>(i));
  std::map<std::string, int64_t> labels;
  SmallVector<StringRef, 256> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [number, rawLine] : llvm::enumerate(lines)) {
    StringRef line = rawLine.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    std::string where = (path + ":" + Twine(number + 1)).str();
    auto [image, rest] = line.split(' ');
    if (rest.empty())
      std::tie(image, rest) = line.split('\t');
    image = image.trim();
    StringRef cls = rest.trim();
    if (cls.empty())
      return makeError(where + ": expected '<image> <class>'");
    int64_t id;
    if (auto it = byName.find(cls.str()); it != byName.end())
      id = it->second;
    else if (!parseClassId(cls, id))
      return makeError(where + ": class '" + cls + "' is " +
                       (classNames.empty()
                            ? "not a class index"
                            : "neither a class index nor a class name"));
    if (numClasses > 0 && id >= numClasses)
      return makeError(where + ": class " + Twine(id) +
                       " is beyond the model's " + Twine(numClasses) +
                       " classes (0.." + Twine(numClasses - 1) + ")");
    if (!labels.emplace(image.str(), id).second)
      return makeError(where + ": '" + image + "' is labelled twice");
  }
  if (labels.empty())
    return makeError(path + ": no labels");
  return labels;
}

} // namespace tpuc::accuracy
