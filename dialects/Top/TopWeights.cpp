//===- TopWeights.cpp - Weight data of top.Weight ops ---------------------===//

#include "tpuc/Dialect/Top/TopWeights.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <set>

using namespace mlir;

namespace tpuc::top {

//===----------------------------------------------------------------------===//
// WeightStore
//===----------------------------------------------------------------------===//

llvm::Error WeightStore::openFile() {
  if (opened_)
    return llvm::Error::success();
  auto reader = NpzReader::open(path_);
  if (!reader)
    return reader.takeError();
  reader_ = std::move(*reader);
  opened_ = true;
  return llvm::Error::success();
}

bool WeightStore::contains(llvm::StringRef name) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (tensors_.count(name))
    return true;
  if (llvm::Error err = openFile()) {
    llvm::consumeError(std::move(err));
    return false;
  }
  return reader_->contains(name);
}

llvm::Expected<const NpyArray *> WeightStore::get(llvm::StringRef name) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  auto it = tensors_.find(name);
  if (it != tensors_.end())
    return &it->second;
  if (llvm::Error err = openFile())
    return std::move(err);
  if (!reader_->contains(name))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s: no tensor '%s'", path_.c_str(),
                                   name.str().c_str());
  auto array = reader_->read(name);
  if (!array)
    return array.takeError();
  auto [pos, inserted] = tensors_.emplace(name.str(), std::move(*array));
  return &pos->second;
}

void WeightStore::set(llvm::StringRef name, NpyArray array) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  tensors_[name.str()] = std::move(array);
}

std::string WeightStore::uniqueName(llvm::StringRef base) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  std::string name = base.str();
  for (int i = 1; contains(name); ++i)
    name = (base + "_" + llvm::Twine(i)).str();
  return name;
}

WeightStore &WeightRegistry::getStore(llvm::StringRef path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = stores_.find(path);
  if (it == stores_.end())
    it = stores_.emplace(path.str(), std::make_unique<WeightStore>(path.str()))
             .first;
  return *it->second;
}

//===----------------------------------------------------------------------===//
// Module-level access
//===----------------------------------------------------------------------===//

static WeightRegistry &getRegistry(MLIRContext *ctx) {
  return ctx->getOrLoadDialect<TopDialect>()->getWeightRegistry();
}

void setWeightSearchDir(MLIRContext *ctx, llvm::StringRef dir) {
  getRegistry(ctx).searchDir = dir.str();
}

void setWeightSearchDir(ModuleOp module, llvm::StringRef dir) {
  getRegistry(module.getContext()).moduleDirs[module.getOperation()] =
      dir.str();
}

static std::string &defaultSearchDir() {
  static std::string dir;
  return dir;
}

void setDefaultWeightSearchDir(llvm::StringRef dir) {
  defaultSearchDir() = dir.str();
}

/// A relative path is looked up next to the model first (the search
/// directory: the .mlir file's in the tools), so a stale file of the same
/// name in the working directory is never picked up instead; then relative
/// to the working directory.
static std::string resolveWeightPath(ModuleOp module, llvm::StringRef path) {
  if (llvm::sys::path::is_absolute(path))
    return path.str();
  WeightRegistry &registry = getRegistry(module.getContext());
  auto own = registry.moduleDirs.find(module.getOperation());
  std::string dir =
      own != registry.moduleDirs.end() ? own->second : registry.searchDir;
  if (dir.empty())
    dir = defaultSearchDir();
  if (!dir.empty()) {
    llvm::SmallString<256> candidate(dir);
    llvm::sys::path::append(candidate, path);
    if (llvm::sys::fs::exists(candidate))
      return std::string(candidate);
  }
  return path.str();
}

WeightStore *getWeightStore(ModuleOp module) {
  auto file = module->getAttrOfType<StringAttr>(TopDialect::kWeightFileAttr);
  if (!file || file.getValue().empty())
    return nullptr;
  return &getRegistry(module.getContext())
              .getStore(resolveWeightPath(module, file.getValue()));
}

static NpyArray arrayFromElements(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  std::vector<float> data;
  data.reserve(type.getNumElements());
  if (isa<FloatType>(type.getElementType())) {
    for (llvm::APFloat v : value.getValues<llvm::APFloat>()) {
      bool lost;
      v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      data.push_back(v.convertToFloat());
    }
  } else {
    // Integers wider than 24 bits (int32 biases) do not survive a float;
    // they are kept exact as int64.
    bool isUnsigned = type.getElementType().isUnsignedInteger() ||
                      type.getElementType().isInteger(1);
    NpyArray array;
    array.dtype = DType::I64;
    array.shape.assign(type.getShape().begin(), type.getShape().end());
    array.bytes.resize(type.getNumElements() * 8);
    size_t i = 0;
    for (llvm::APInt v : value.getValues<llvm::APInt>()) {
      int64_t x = isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                             : v.getSExtValue();
      std::memcpy(&array.bytes[8 * i++], &x, 8);
    }
    return array;
  }
  return NpyArray::fromFloat(data, type.getShape());
}

FailureOr<NpyArray> readWeight(WeightOp op) {
  if (auto value = op.getValueAttr())
    return arrayFromElements(value);
  auto module = op->getParentOfType<ModuleOp>();
  WeightStore *store = module ? getWeightStore(module) : nullptr;
  if (!store)
    return op.emitOpError() << "'" << op.getTensorName()
                            << "' has no inline value and the module has no "
                               "top.weight_file";
  auto array = store->get(op.getTensorName());
  if (!array)
    return op.emitOpError() << llvm::toString(array.takeError());
  const NpyArray &data = **array;
  auto shape = cast<RankedTensorType>(op.getType()).getShape();
  if (data.numel() != ShapedType::getNumElements(shape))
    return op.emitOpError()
           << store->path() << ": tensor '" << op.getTensorName()
           << "' has shape " << shapeToString(data.shape) << " but the op has "
           << shapeToString(shape);
  return data;
}

FailureOr<std::vector<float>> readWeightAsFloat(WeightOp op) {
  auto array = readWeight(op);
  if (failed(array))
    return failure();
  // bf16 weights are stored as their u16 bit patterns (numpy has no bf16).
  Type element = op.getOutput().getType().getElementType();
  if (element.isBF16() && array->dtype == DType::U16) {
    std::vector<float> values(array->numel());
    for (size_t i = 0; i < values.size(); ++i) {
      uint16_t bits;
      std::memcpy(&bits, &array->bytes[2 * i], 2);
      values[i] = bf16ToFloat(bits);
    }
    return values;
  }
  return array->toFloat();
}

WeightOp createWeight(OpBuilder &builder, ModuleOp module,
                      llvm::StringRef baseName, llvm::ArrayRef<int64_t> shape,
                      llvm::ArrayRef<float> data) {
  MLIRContext *ctx = module.getContext();
  auto type = RankedTensorType::get(shape, Float32Type::get(ctx));
  WeightStore *store = getWeightStore(module);
  if (store) {
    std::string name = store->uniqueName(baseName);
    store->set(name, NpyArray::fromFloat(data, shape));
    return builder.create<WeightOp>(makeNameLoc(ctx, name), type,
                                    ElementsAttr());
  }
  // Without a weight file, names only need to differ from other tensors.
  std::set<std::string> used;
  module.walk([&](Operation *op) { used.insert(getOpName(op)); });
  std::string name = baseName.str();
  for (int i = 1; used.count(name); ++i)
    name = (baseName + "_" + llvm::Twine(i)).str();
  auto value = DenseElementsAttr::get(type, data);
  return builder.create<WeightOp>(makeNameLoc(ctx, name), type,
                                  cast<ElementsAttr>(value));
}

LogicalResult saveWeights(ModuleOp module, llvm::StringRef path) {
  NpzMap arrays;
  bool failed = false;
  module.walk([&](WeightOp op) {
    if (op.getValueAttr())
      return;
    auto data = readWeight(op);
    if (mlir::failed(data)) {
      failed = true;
      return;
    }
    arrays[op.getTensorName().str()] = std::move(*data);
  });
  if (failed)
    return failure();
  if (llvm::Error err = writeNpz(path, arrays))
    return module.emitError() << llvm::toString(std::move(err));
  module->setAttr(TopDialect::kWeightFileAttr,
                  StringAttr::get(module.getContext(), path));
  return success();
}

} // namespace tpuc::top
