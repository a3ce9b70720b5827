//===- Labels.h - Ground truth files ----------------------------*- C++ -*-===//
//
// Detection labels in the YOLO txt format (one `class cx cy w h` line per
// object, normalized to 0..1, as Ultralytics datasets keep them next to an
// `images` folder), class name lists, and classification label files.
// Errors name the file and line.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_ACCURACY_LABELS_H
#define TPUC_QUANT_ACCURACY_LABELS_H

#include "tpuc/Quant/Accuracy/Detection.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tpuc::accuracy {

/// One object of a YOLO label file, normalized to the image size.
struct NormalizedBox {
  int64_t classId = 0;
  float cx = 0, cy = 0, w = 0, h = 0;
};

/// Reads a YOLO label file. Lines need five numbers: an integer class id
/// below `numClasses` (when positive), the centre and a positive size, all
/// within 0..1. Blank lines are skipped.
llvm::Expected<std::vector<NormalizedBox>> readYoloLabels(llvm::StringRef path,
                                                          int64_t numClasses);

/// The objects of an image of `width` x `height` pixels.
std::vector<GroundTruth> toPixels(llvm::ArrayRef<NormalizedBox> boxes,
                                  int64_t width, int64_t height);

/// Ultralytics' rule: the label of `.../images/x/y.jpg` is
/// `.../labels/x/y.txt` (the last `images` folder of the path); empty when
/// the path has no `images` folder.
std::string yoloLabelPath(llvm::StringRef imagePath);

/// A class names file: one name per line, trimmed; blank lines and a
/// trailing newline are not names.
llvm::Expected<std::vector<std::string>> readClassNames(llvm::StringRef path);

/// A classification label file: `<image> <class>` per line, the image as a
/// path relative to the dataset folder (or a file name), the class as an
/// index or, with class names, a name. Keys are as written; `#` lines and
/// blank lines are skipped.
llvm::Expected<std::map<std::string, int64_t>>
readClassificationLabels(llvm::StringRef path,
                         llvm::ArrayRef<std::string> classNames,
                         int64_t numClasses);

} // namespace tpuc::accuracy

#endif // TPUC_QUANT_ACCURACY_LABELS_H
