//===- TopWeights.h - Weight data of top.Weight ops --------------*- C++
//-*-===//
//
// Weight tensors live in the module's `.npz` weight file, keyed by the
// `top.Weight` op's name. A WeightStore reads them on first use and keeps
// tensors that passes create until `--save-weights` writes a new file. Stores
// are owned by the Top dialect, one per weight file, so the interpreter and
// every pass see the same data.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_DIALECT_TOP_TOPWEIGHTS_H
#define TPUC_DIALECT_TOP_TOPWEIGHTS_H

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Support/Npz.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <mutex>

namespace tpuc::top {

class WeightStore {
public:
  explicit WeightStore(std::string path) : path_(std::move(path)) {}

  const std::string &path() const { return path_; }
  /// Whether `name` is in the file or was created by a pass.
  bool contains(llvm::StringRef name);
  /// The tensor's data, read from the file on first use.
  llvm::Expected<const NpyArray *> get(llvm::StringRef name);
  /// Adds or replaces a tensor in memory.
  void set(llvm::StringRef name, NpyArray array);
  /// `base`, or `base_N` for the first N that no tensor uses yet.
  std::string uniqueName(llvm::StringRef base);

private:
  llvm::Error openFile();

  std::string path_;
  std::unique_ptr<NpzReader> reader_;
  bool opened_ = false;
  std::map<std::string, NpyArray, std::less<>> tensors_;
  std::recursive_mutex mutex_;
};

/// The stores of one context, keyed by resolved file path.
class WeightRegistry {
public:
  WeightStore &getStore(llvm::StringRef path);
  std::string searchDir;
  /// Per loaded module: its file's directory. Tools that load several
  /// files into one context (model_eval --compare) resolve each module's
  /// weights next to its own file. Entries are never removed: tools keep
  /// the modules they load until they exit.
  llvm::DenseMap<mlir::Operation *, std::string> moduleDirs;

private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<WeightStore>, std::less<>> stores_;
};

/// Directory tried first for relative weight file paths, before the working
/// directory (tools set it to the .mlir file's directory).
void setWeightSearchDir(mlir::MLIRContext *ctx, llvm::StringRef dir);
/// The directory tried first for `module`'s own weight file, before the
/// context's.
void setWeightSearchDir(mlir::ModuleOp module, llvm::StringRef dir);
/// The search directory of contexts that have none (tpuc-opt sets it from its
/// input file, before MlirOptMain creates the context).
void setDefaultWeightSearchDir(llvm::StringRef dir);
/// The store of the module's `top.weight_file`, or nullptr when the module
/// has none.
WeightStore *getWeightStore(mlir::ModuleOp module);

/// The weight's data, from `value` or the store; errors name the file and
/// tensor and are emitted on the op.
mlir::FailureOr<NpyArray> readWeight(WeightOp op);
mlir::FailureOr<std::vector<float>> readWeightAsFloat(WeightOp op);

/// Creates a `top.Weight` holding `data`, named after `baseName` (made
/// unique), in the module's store when there is one and inline otherwise.
WeightOp createWeight(mlir::OpBuilder &builder, mlir::ModuleOp module,
                      llvm::StringRef baseName, llvm::ArrayRef<int64_t> shape,
                      llvm::ArrayRef<float> data);

/// Writes every weight the module uses to `path` and points the module at it.
mlir::LogicalResult saveWeights(mlir::ModuleOp module, llvm::StringRef path);

} // namespace tpuc::top

#endif // TPUC_DIALECT_TOP_TOPWEIGHTS_H
