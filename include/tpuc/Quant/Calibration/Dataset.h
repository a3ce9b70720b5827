//===- Dataset.h - Calibration samples from files ----------------*- C++
//-*-===//
//
// A calibration sample is one set of network inputs. It comes from one file
// per model input (an image, preprocessed from the `top.Input` attributes
// exactly as model_transform does, or a .npy/.npz array), or from one .npz
// holding every input by name.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_CALIBRATION_DATASET_H
#define TPUC_QUANT_CALIBRATION_DATASET_H

#include "tpuc/Frontend/OnnxImporter.h"
#include "tpuc/Interpreter/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tpuc::calibration {

/// One network input as calibration feeds it.
struct ModelInput {
  std::string name;
  llvm::SmallVector<int64_t, 4> shape;
  /// How images become this input; nullopt when it takes no images.
  std::optional<InputPreprocess> preprocess;
};

/// The `top.Input` ops of `main`, in order. Errors name the input (dynamic
/// shapes).
llvm::Expected<std::vector<ModelInput>> getModelInputs(mlir::ModuleOp module);

/// The input's image height and width, by its channel format ({0, 0} below
/// rank 3).
std::pair<int64_t, int64_t> getImageSize(const ModelInput &input);

/// The files of one sample: one per model input, or a single .npz.
struct SampleFiles {
  std::vector<std::string> files;
  /// The files joined with ',', for messages.
  std::string describe() const;
};

/// Whether the extension is one OpenCV decodes (.jpg, .png, .bmp, ...).
bool isImageFile(llvm::StringRef path);

/// The samples of a --dataset directory: its image, .npy and .npz files,
/// searched recursively (hidden files and folders skipped) and sorted by
/// path. A model with several inputs takes one .npz per sample.
llvm::Expected<std::vector<SampleFiles>> listDataset(llvm::StringRef dir,
                                                     size_t numInputs);

/// The samples of a --data_list file: one sample per line, its files
/// separated by commas (blank and `#` lines skipped). Relative paths are
/// taken from the working directory, or else from the list's directory.
llvm::Expected<std::vector<SampleFiles>> readDataList(llvm::StringRef path,
                                                      size_t numInputs);

/// Checks, before any sample is read, that every image goes to an input
/// that takes images and fits their preprocessing.
llvm::Error checkSamples(llvm::ArrayRef<SampleFiles> samples,
                         llvm::ArrayRef<ModelInput> inputs);

/// The tools' --dataset DIR / --data_list FILE: exactly one is given.
llvm::Error checkSampleSource(llvm::StringRef dataset,
                              llvm::StringRef dataList);

/// The samples of whichever of the two is given (listDataset or
/// readDataList), checked against `inputs` (checkSamples).
llvm::Expected<std::vector<SampleFiles>>
listSamples(llvm::StringRef dataset, llvm::StringRef dataList,
            llvm::ArrayRef<ModelInput> inputs);

/// Loads a sample's inputs. An image that cannot be decoded gives nullopt,
/// with the reason in `skipReason` (callers warn and move on); anything else
/// that fails is an error naming the file.
llvm::Expected<std::optional<TensorMap>>
loadSample(const SampleFiles &sample, llvm::ArrayRef<ModelInput> inputs,
           std::string &skipReason);

} // namespace tpuc::calibration

#endif // TPUC_QUANT_CALIBRATION_DATASET_H
