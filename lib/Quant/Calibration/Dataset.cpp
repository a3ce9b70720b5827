//===- Dataset.cpp - Calibration samples from files -----------------------===//

#include "tpuc/Quant/Calibration/Dataset.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Frontend/ImagePreprocess.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace llvm;

namespace tpuc::calibration {

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

Expected<std::vector<ModelInput>> getModelInputs(mlir::ModuleOp module) {
  std::vector<ModelInput> inputs;
  std::optional<Error> failure;
  module.walk([&](top::InputOp op) {
    if (failure)
      return;
    ModelInput input;
    input.name = top::getOpName(op);
    auto shape = top::getShape(op.getOutput());
    if (!top::isStaticShape(shape)) {
      failure = makeError("input '" + input.name + "' has the dynamic shape " +
                          top::shapeToString(shape) +
                          " (fix it with model_transform --input_shapes)");
      return;
    }
    input.shape.assign(shape.begin(), shape.end());
    input.preprocess = getInputPreprocess(op);
    inputs.push_back(std::move(input));
  });
  if (failure)
    return std::move(*failure);
  if (inputs.empty())
    return makeError("the model has no top.Input");
  return inputs;
}

std::pair<int64_t, int64_t> getImageSize(const ModelInput &input) {
  ArrayRef<int64_t> s = input.shape;
  bool nhwc = input.preprocess && input.preprocess->channelFormat == "nhwc";
  if (s.size() < 3)
    return {0, 0};
  return nhwc ? std::pair{s[s.size() - 3], s[s.size() - 2]}
              : std::pair{s[s.size() - 2], s[s.size() - 1]};
}

std::string SampleFiles::describe() const { return join(files, ","); }

bool isImageFile(StringRef path) {
  std::string ext = sys::path::extension(path).lower();
  static const char *const kExtensions[] = {
      ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".webp",
      ".tif", ".tiff", ".ppm", ".pgm", ".pbm", ".pnm", ".pxm",
      ".pfm", ".sr",   ".ras", ".jp2", ".exr", ".hdr", ".pic"};
  return llvm::is_contained(kExtensions, ext);
}

static bool isNpz(StringRef path) {
  return sys::path::extension(path).lower() == ".npz";
}

Expected<std::vector<SampleFiles>> listDataset(StringRef dir,
                                               size_t numInputs) {
  if (!sys::fs::exists(dir))
    return makeError(dir + ": no such directory");
  if (!sys::fs::is_directory(dir))
    return makeError(dir + ": not a directory (a list of files goes to "
                           "--data_list)");
  std::vector<std::string> paths;
  size_t notNpz = 0;
  std::error_code ec;
  for (sys::fs::recursive_directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    const std::string &path = it->path();
    StringRef name = sys::path::filename(path);
    bool directory = sys::fs::is_directory(path);
    // Hidden entries are tool state (.git, .DS_Store), not samples; the
    // depth limit stops symlink cycles.
    if (name.starts_with(".") || (directory && it.level() > 32)) {
      if (directory)
        it.no_push();
      continue;
    }
    if (directory || !sys::fs::is_regular_file(path))
      continue;
    if (!isImageFile(path) && !isNumpyFile(path))
      continue;
    if (numInputs > 1 && !isNpz(path)) {
      ++notNpz;
      continue;
    }
    paths.push_back(path);
  }
  if (ec)
    return makeError(dir + ": cannot list: " + ec.message());
  if (paths.empty()) {
    if (notNpz)
      return makeError(dir + ": the model has " + Twine(numInputs) +
                       " inputs, so each sample must be one .npz holding "
                       "them all (or use --data_list with one line of "
                       "comma-separated files per sample); found only "
                       "images or .npy files");
    return makeError(dir + ": no images, .npy or .npz files");
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SampleFiles> samples;
  for (std::string &path : paths)
    samples.push_back(SampleFiles{{std::move(path)}});
  return samples;
}

Expected<std::vector<SampleFiles>> readDataList(StringRef path,
                                                size_t numInputs) {
  if (!sys::fs::exists(path))
    return makeError(path + ": no such file");
  if (sys::fs::is_directory(path))
    return makeError(path + ": is a directory (a folder of samples goes to "
                            "--dataset)");
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  StringRef listDir = sys::path::parent_path(path);
  std::vector<SampleFiles> samples;
  SmallVector<StringRef, 16> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [number, rawLine] : llvm::enumerate(lines)) {
    StringRef line = rawLine.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    std::string where = (path + ":" + Twine(number + 1)).str();
    SampleFiles sample;
    SmallVector<StringRef, 4> fields;
    line.split(fields, ',');
    for (StringRef field : fields) {
      field = field.trim();
      if (field.empty())
        return makeError(where + ": empty file name in '" + line + "'");
      std::string file = field.str();
      if (!sys::fs::exists(file) && sys::path::is_relative(file) &&
          !listDir.empty()) {
        SmallString<256> besideList(listDir);
        sys::path::append(besideList, field);
        if (sys::fs::exists(besideList))
          file = std::string(besideList);
      }
      if (!sys::fs::exists(file))
        return makeError(where + ": " + field + ": no such file");
      sample.files.push_back(std::move(file));
    }
    bool oneArchive = sample.files.size() == 1 && isNpz(sample.files[0]);
    if (sample.files.size() != numInputs && !oneArchive)
      return makeError(where + ": " + Twine(sample.files.size()) +
                       " file(s) for a model with " + Twine(numInputs) +
                       " input(s)");
    samples.push_back(std::move(sample));
  }
  if (samples.empty())
    return makeError(path + ": no samples listed");
  return samples;
}

Error checkSampleSource(StringRef dataset, StringRef dataList) {
  if (!dataset.empty() && !dataList.empty())
    return createStringError(inconvertibleErrorCode(),
                             "give --dataset or --data_list, not both");
  if (dataset.empty() && dataList.empty())
    return createStringError(
        inconvertibleErrorCode(),
        "no samples: give --dataset DIR or --data_list FILE");
  return Error::success();
}

Expected<std::vector<SampleFiles>> listSamples(StringRef dataset,
                                               StringRef dataList,
                                               ArrayRef<ModelInput> inputs) {
  auto samples = dataset.empty() ? readDataList(dataList, inputs.size())
                                 : listDataset(dataset, inputs.size());
  if (!samples)
    return samples.takeError();
  if (Error err = checkSamples(*samples, inputs))
    return std::move(err);
  return samples;
}

Error checkSamples(ArrayRef<SampleFiles> samples, ArrayRef<ModelInput> inputs) {
  std::vector<bool> checked(inputs.size(), false);
  for (const SampleFiles &sample : samples) {
    for (auto [k, file] : llvm::enumerate(sample.files)) {
      if (isNumpyFile(file) || k >= inputs.size() || checked[k])
        continue;
      const ModelInput &input = inputs[k];
      if (!input.preprocess)
        return makeError(file + ": input '" + input.name +
                         "' takes no images (its top.Input has no "
                         "preprocessing attributes); give .npy or .npz "
                         "samples");
      if (Error err = checkPreprocess(*input.preprocess, input.shape))
        return makeError(file + ": input '" + input.name +
                         "' cannot take images: " + toString(std::move(err)));
      checked[k] = true;
    }
  }
  return Error::success();
}

Expected<std::optional<TensorMap>> loadSample(const SampleFiles &sample,
                                              ArrayRef<ModelInput> inputs,
                                              std::string &skipReason) {
  TensorMap result;
  if (sample.files.size() == 1 && inputs.size() > 1) {
    for (const ModelInput &input : inputs) {
      auto array = loadNumpyInput(sample.files[0], input.name, input.shape);
      if (!array)
        return array.takeError();
      result.emplace(input.name, tensorFromArray(*array, input.shape));
    }
    return result;
  }
  if (sample.files.size() != inputs.size())
    return makeError(sample.describe() + ": " + Twine(sample.files.size()) +
                     " file(s) for a model with " + Twine(inputs.size()) +
                     " input(s)");
  for (auto [file, input] : llvm::zip(sample.files, inputs)) {
    if (isNumpyFile(file)) {
      auto array = loadNumpyInput(file, input.name, input.shape);
      if (!array)
        return array.takeError();
      result.emplace(input.name, tensorFromArray(*array, input.shape));
      continue;
    }
    if (!input.preprocess)
      return makeError(file + ": input '" + input.name +
                       "' takes no images; give .npy or .npz samples");
    auto array = preprocessImage(file, *input.preprocess, input.shape);
    if (!array) {
      // checkSamples has vetted the preprocessing, so what fails here is
      // the file itself: unreadable, truncated, not an image.
      skipReason = toString(array.takeError());
      return std::nullopt;
    }
    result.emplace(input.name, tensorFromArray(*array, input.shape));
  }
  return result;
}

} // namespace tpuc::calibration
