//===- Evaluator.cpp - Mixed models run on the search samples -------------===//
//
// Cosines are scale-invariant, so quantized tensors are compared through
// their codes minus the zero point: the interpreter's tensors are never
// copied to real values. Every mixed model is lowered by lowerToTpu from a
// temporary qtable, exactly as model_deploy --quantize_table lowers it.
//
//===----------------------------------------------------------------------===//

#include "Evaluator.h"

#include "tpuc/Conversion/DeployPipeline.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Quant/QuantMath.h"
#include "tpuc/Support/Npz.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>

using namespace mlir;

namespace tpuc::mix {

SearchObserver::~SearchObserver() = default;

namespace {

llvm::Error failure(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str().c_str());
}

/// The ops whose lowering keeps their input's type whatever the table says
/// (LowerShape.cpp), and those tpu-mlir never searches (max pooling, which
/// keeps the scale, and softmax, which has no INT8 form): tpu-mlir's skip
/// list in tpuc's op names.
bool movesData(Operation *op) {
  return isa<top::ReshapeOp, top::FlattenOp, top::SqueezeOp, top::UnsqueezeOp,
             top::PermuteOp, top::SliceOp, top::SplitOp, top::TileOp,
             top::ExpandOp, top::PadOp, top::UpsampleOp, top::Depth2SpaceOp,
             top::GatherOp, top::CastOp, top::MaxPoolOp, top::SoftmaxOp>(op);
}

/// Swallows the remarks and warnings of the many lowerings a search does
/// (model_deploy prints them once) and keeps the first error, so that a
/// failure becomes one line with the search's context.
class DiagnosticCapture {
public:
  explicit DiagnosticCapture(MLIRContext *ctx)
      : handler_(ctx, [this](Diagnostic &diag) {
          // The sensitivity pass runs ops on several threads.
          std::lock_guard<std::mutex> lock(mutex_);
          if (diag.getSeverity() == DiagnosticSeverity::Error &&
              first_.empty()) {
            std::string text;
            llvm::raw_string_ostream os(text);
            if (auto name = dyn_cast<NameLoc>(diag.getLocation()))
              os << "'" << name.getName().strref() << "': ";
            os << diag.str();
            for (Diagnostic &note : diag.getNotes())
              os << " (" << note.str() << ")";
            first_ = text;
          }
          return success();
        }) {}
  const std::string &first() const { return first_; }

private:
  std::mutex mutex_;
  ScopedDiagnosticHandler handler_;
  std::string first_;
};

/// How a tensor of a lowered model holds its values.
struct StorageOf {
  bool quantized = false;
  double scale = 1;
  int64_t zeroPoint = 0, qmin = -128, qmax = 127;
  bool bf16 = false, f16 = false;
};

StorageOf storageOf(Value value) {
  StorageOf s;
  if (auto q = tpu::getUniformType(value)) {
    s.quantized = true;
    s.scale = q.getScale();
    s.zeroPoint = q.getZeroPoint();
    s.qmin = q.getStorageTypeMin();
    s.qmax = q.getStorageTypeMax();
    return s;
  }
  if (FloatType f = tpu::getFloatType(value)) {
    s.bf16 = f.isBF16();
    s.f16 = f.isF16();
  }
  return s;
}

/// Sums of a cosine: a·b, a·a, b·b.
struct Sums {
  double dot = 0, aa = 0, bb = 0;
};

/// Adds ref[i]·(stored[i] - zp) and the squares. The loops are SIMD
/// reductions: their order is fixed by the compiler, so results are the
/// same on every run.
void accumulate(const float *ref, const float *stored, int64_t n, double zp,
                Sums &sums) {
  double dot = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : dot, aa, bb)
  for (int64_t i = 0; i < n; ++i) {
    double a = ref[i], b = double(stored[i]) - zp;
    dot += a * b;
    aa += a * a;
    bb += b * b;
  }
  sums.dot += dot;
  sums.aa += aa;
  sums.bb += bb;
}

/// The same with the reference as bf16 bits.
void accumulate(const uint16_t *ref, const float *stored, int64_t n, double zp,
                Sums &sums) {
  double dot = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : dot, aa, bb)
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits = uint32_t(ref[i]) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    double a = f, b = double(stored[i]) - zp;
    dot += a * b;
    aa += a * a;
    bb += b * b;
  }
  sums.dot += dot;
  sums.aa += aa;
  sums.bb += bb;
}

/// The same around a per-element center: (ref - center)·(real - center)
/// with real = (stored - zp) * scale.
void accumulateCentered(const float *ref, const float *center,
                        const float *stored, int64_t n, double zp, double scale,
                        Sums &sums) {
  double dot = 0, aa = 0, bb = 0;
#pragma omp simd reduction(+ : dot, aa, bb)
  for (int64_t i = 0; i < n; ++i) {
    double c = center[i];
    double a = ref[i] - c, b = (double(stored[i]) - zp) * scale - c;
    dot += a * b;
    aa += a * a;
    bb += b * b;
  }
  sums.dot += dot;
  sums.aa += aa;
  sums.bb += bb;
}

/// The cosine of the sums: 1 when both sides are all zero, 0 when only one
/// is, and NaN (from inf/NaN elements) counts as no similarity at all.
double cosineOf(const Sums &s) {
  if (s.aa == 0 && s.bb == 0)
    return 1;
  if (s.aa == 0 || s.bb == 0)
    return 0;
  double c = s.dot / std::sqrt(s.aa * s.bb);
  return std::isnan(c) ? 0 : std::clamp(c, -1.0, 1.0);
}

/// The mean cosine of the parts of a tensor: `accumulate(start, length,
/// sums)` adds the products of one segment to its part's sums.
template <typename F> double meanPartCosine(const PartMap &map, F accumulate) {
  std::vector<Sums> sums(map.numParts);
  std::vector<char> present(map.numParts, 0);
  for (const PartMap::Segment &segment : map.segments) {
    accumulate(segment.start, segment.length, sums[segment.part]);
    present[segment.part] = 1;
  }
  double total = 0;
  unsigned count = 0;
  for (unsigned p = 0; p < map.numParts; ++p)
    if (present[p]) {
      total += cosineOf(sums[p]);
      ++count;
    }
  return count ? total / count : 1;
}

/// Writes real values into a tensor of storage `s` (what a cast from the
/// float reference into that type gives).
void storeReal(const StorageOf &s, const float *real, Tensor &out) {
  int64_t n = out.numel();
  float *dst = out.ptr();
  // Elementwise, so threads change nothing but the time.
  if (s.quantized) {
#pragma omp parallel for if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) {
      int64_t q =
          quantmath::roundToInt(double(real[i]) / s.scale,
                                quantmath::RoundMode::HalfAwayFromZero) +
          s.zeroPoint;
      dst[i] = static_cast<float>(quantmath::saturate(q, s.qmin, s.qmax));
    }
  } else if (s.bf16) {
#pragma omp parallel for if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i)
      dst[i] = quantmath::roundToBf16(real[i]);
  } else if (s.f16) {
#pragma omp parallel for if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i)
      dst[i] = quantmath::roundToF16(real[i]);
  } else {
    std::copy(real, real + n, dst);
  }
}

void compact(llvm::ArrayRef<float> values, std::vector<uint16_t> &bits) {
  bits.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bits[i] = floatToBf16(values[i]);
}

/// Ops that assemble a tensor from others without computing: what a
/// concatenation's parts flow through on their way to an output.
bool assembles(Operation *op) {
  return isa<top::ConcatOp, top::ReshapeOp, top::FlattenOp, top::SqueezeOp,
             top::UnsqueezeOp, top::PermuteOp, top::SliceOp, top::SplitOp>(op);
}

/// A temporary qtable file, removed when it goes out of scope.
class TempTable {
public:
  ~TempTable() {
    if (!path_.empty())
      llvm::sys::fs::remove(path_);
  }
  llvm::Error write(llvm::ArrayRef<std::string> names, QuantMode mode) {
    llvm::SmallString<128> path;
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("tpuc-qtable", "txt", fd, path))
      return failure("cannot create a temporary qtable: " + ec.message());
    path_ = path.str().str();
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    for (const std::string &name : names)
      os << name << " " << stringifyQuantMode(mode) << "\n";
    os.flush();
    if (os.has_error()) {
      os.clear_error();
      return failure("cannot write the temporary qtable " + path_);
    }
    return llvm::Error::success();
  }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

} // namespace

Evaluator::Evaluator(ModuleOp top, const std::vector<TensorMap> &samples,
                     const SearchOptions &options, SearchObserver &observer)
    : top_(top), samples_(samples), options_(options), observer_(observer) {}

Evaluator::~Evaluator() = default;

llvm::Error Evaluator::buildGraph() {
  auto main = top_.lookupSymbol<func::FuncOp>("main");
  if (!main || main.getBody().empty())
    return failure("the model has no 'main' function");
  Block &body = main.getBody().front();
  llvm::DenseMap<Value, unsigned> tensorOf;
  for (Operation &op : body) {
    if (isa<top::WeightOp, top::NoneOp, func::ReturnOp>(op))
      continue;
    if (isa<top::InputOp>(op)) {
      Value v = op.getResult(0);
      tensorOf[v] = tensors_.size();
      tensorIndex_[top::getTensorName(v)] = tensors_.size();
      tensors_.push_back({top::getTensorName(v), top::getNumElements(v), -1});
      continue;
    }
    unsigned index = layers_.size();
    Layer layer;
    layer.name = top::getOpName(&op);
    layer.type = op.getName().getStringRef().str();
    layer.op = &op;
    layer.movesData = movesData(&op);
    for (Value operand : op.getOperands()) {
      auto it = tensorOf.find(operand);
      if (it == tensorOf.end()) {
        layer.operands.push_back(-1);
        continue;
      }
      layer.operands.push_back(static_cast<int>(it->second));
      int producer = tensors_[it->second].layer;
      if (producer >= 0 && !llvm::is_contained(layer.preds, unsigned(producer)))
        layer.preds.push_back(producer);
    }
    for (Value result : op.getResults()) {
      std::string name = top::getTensorName(result);
      if (name.empty() || tensorIndex_.count(name))
        return failure("the tensor names of '" + layer.name +
                       "' are missing or not unique");
      tensorOf[result] = tensors_.size();
      layer.results.push_back(tensors_.size());
      tensorIndex_[name] = tensors_.size();
      tensors_.push_back(
          {name, top::getNumElements(result), static_cast<int>(index)});
    }
    layers_.push_back(std::move(layer));
  }
  for (auto [index, layer] : llvm::enumerate(layers_))
    for (unsigned pred : layer.preds)
      layers_[pred].succs.push_back(index);
  if (layers_.empty())
    return failure("the model has no layers");
  return llvm::Error::success();
}

llvm::Error Evaluator::resolveCompareTensors() {
  if (llvm::Error err = resolveCompareNames())
    return err;
  // Each compare tensor's decode, checked against its shape.
  llvm::StringMap<Value> values;
  top_.walk([&](Operation *op) {
    for (Value v : op->getResults())
      values[top::getTensorName(v)] = v;
  });
  decodes_.assign(compare_.size(), {});
  compareShapes_.assign(compare_.size(), {});
  for (auto [c, index] : llvm::enumerate(compare_)) {
    const std::string &name = tensors_[index].name;
    auto it = options_.outputDecodes.find(name);
    if (it == options_.outputDecodes.end())
      continue;
    auto type = dyn_cast<ShapedType>(values.lookup(name).getType());
    if (!type || !type.hasStaticShape())
      return failure("'" + name + "' has no static shape to decode");
    compareShapes_[c].assign(type.getShape().begin(), type.getShape().end());
    if (llvm::Error err =
            calibration::checkDecodeFits(it->second, compareShapes_[c]))
      return failure("'" + name + "': " + llvm::toString(std::move(err)));
    decodes_[c] = it->second;
  }
  return llvm::Error::success();
}

llvm::Error Evaluator::resolveCompareNames() {
  if (options_.compareLayers.empty()) {
    auto main = top_.lookupSymbol<func::FuncOp>("main");
    for (Value v : main.getBody().front().getTerminator()->getOperands()) {
      auto it = tensorIndex_.find(top::getTensorName(v));
      if (it == tensorIndex_.end())
        return failure("the model's output '" + top::getTensorName(v) +
                       "' has no name to compare by");
      if (!llvm::is_contained(compare_, it->second)) {
        compare_.push_back(it->second);
        weights_.push_back(1);
      }
    }
    return llvm::Error::success();
  }
  for (const CompareLayer &layer : options_.compareLayers) {
    auto it = tensorIndex_.find(layer.name);
    if (it == tensorIndex_.end())
      return failure("--global_compare_layers: '" + layer.name +
                     "' is no tensor of the model");
    compare_.push_back(it->second);
    weights_.push_back(layer.weight);
  }
  return llvm::Error::success();
}

llvm::Error Evaluator::buildPartMaps() {
  if (!options_.parts)
    return llvm::Error::success();
  // Tensors judged part by part: the compared ones and every concat result.
  std::vector<unsigned> targets(compare_.begin(), compare_.end());
  for (const Layer &layer : layers_)
    if (isa<top::ConcatOp>(layer.op))
      for (unsigned r : layer.results)
        if (!llvm::is_contained(targets, r))
          targets.push_back(r);
  DiagnosticCapture capture(top_.getContext());
  for (unsigned target : targets) {
    // Back from the target through assembling ops; whatever else produces
    // a tensor on the way (or a network input, or a weight) is a part.
    std::vector<unsigned> chain;
    std::vector<unsigned> sources;
    std::vector<bool> seen(tensors_.size(), false);
    std::vector<unsigned> stack = {target};
    bool hasConcat = false;
    while (!stack.empty()) {
      unsigned t = stack.back();
      stack.pop_back();
      if (seen[t])
        continue;
      seen[t] = true;
      int producer = tensors_[t].layer;
      if (producer < 0 || !assembles(layers_[producer].op)) {
        sources.push_back(t);
        continue;
      }
      const Layer &layer = layers_[producer];
      hasConcat |= isa<top::ConcatOp>(layer.op);
      if (!llvm::is_contained(chain, unsigned(producer)))
        chain.push_back(producer);
      for (unsigned r : layer.results)
        seen[r] = true;
      for (int operand : layer.operands)
        if (operand >= 0)
          stack.push_back(operand);
    }
    if (!hasConcat || sources.size() < 2 || sources.size() > 65535)
      continue;
    // Labels flow through the same ops: each source is filled with its
    // number and the chain runs on them in model order.
    llvm::sort(chain);
    std::vector<Tensor> labels(tensors_.size());
    for (auto [k, source] : llvm::enumerate(sources)) {
      Tensor &t = labels[source];
      t.shape.clear();
      t.data.assign(tensors_[source].numel, static_cast<float>(k));
    }
    bool ok = true;
    std::vector<std::unique_ptr<Tensor>> constants;
    for (unsigned l : chain) {
      const Layer &layer = layers_[l];
      std::vector<const Tensor *> operands;
      for (auto [i, operand] : llvm::enumerate(layer.operands)) {
        Value v = layer.op->getOperand(i);
        if (operand >= 0) {
          Tensor &t = labels[operand];
          if (t.shape.empty() && !t.data.empty()) {
            auto shape = top::getShape(v);
            t.shape.assign(shape.begin(), shape.end());
          }
          operands.push_back(&t);
        } else if (isa<NoneType>(v.getType())) {
          operands.push_back(nullptr);
        } else {
          // A constant part (a weight concatenated in): one more label.
          auto weight = v.getDefiningOp<top::WeightOp>();
          const Tensor *w = weight ? topInterp_->getWeight(weight) : nullptr;
          if (!w) {
            ok = false;
            break;
          }
          auto constant = std::make_unique<Tensor>(*w);
          std::fill(constant->data.begin(), constant->data.end(),
                    static_cast<float>(sources.size()));
          operands.push_back(constant.get());
          constants.push_back(std::move(constant));
        }
      }
      std::vector<Tensor> results;
      if (!ok || failed(topInterp_->runOp(layer.op, operands, results))) {
        ok = false;
        break;
      }
      for (auto [r, result] : llvm::zip(layer.results, results))
        labels[r] = std::move(result);
    }
    // A chain the label kernels cannot follow is judged as one tensor.
    if (!ok || int64_t(labels[target].data.size()) != tensors_[target].numel)
      continue;
    // Parts are runs of consecutive elements (a concat along an axis, then
    // reshapes): kept as segments, so comparisons stay vector loops.
    PartMap map;
    llvm::SmallSetVector<unsigned, 8> present;
    const std::vector<float> &values = labels[target].data;
    for (size_t i = 0; i < values.size();) {
      size_t j = i + 1;
      while (j < values.size() && values[j] == values[i])
        ++j;
      uint16_t part = static_cast<uint16_t>(values[i]);
      map.segments.push_back(
          {static_cast<uint32_t>(i), static_cast<uint32_t>(j - i), part});
      present.insert(part);
      i = j;
    }
    if (present.size() < 2)
      continue;
    map.numParts = sources.size() + 1;
    parts_[target] = std::move(map);
  }
  return llvm::Error::success();
}

template <typename Ref>
double Evaluator::similarityOf(unsigned index, const Ref *ref,
                               const float *stored, int64_t zp) const {
  int64_t n = tensors_[index].numel;
  auto it = parts_.find(index);
  if (it == parts_.end()) {
    Sums sums;
    accumulate(ref, stored, n, double(zp), sums);
    return cosineOf(sums);
  }
  return meanPartCosine(
      it->second, [&](uint32_t start, uint32_t length, Sums &sums) {
        accumulate(ref + start, stored + start, length, double(zp), sums);
      });
}

double Evaluator::outputSimilarity(size_t c, const float *ref,
                                   const float *stored, int64_t zp,
                                   double scale) const {
  if (!decodes_[c].ranges.empty()) {
    // The stored side as reals, decoded like the reference.
    int64_t n = tensors_[compare_[c]].numel;
    std::vector<float> decoded(n);
    for (int64_t i = 0; i < n; ++i)
      decoded[i] = static_cast<float>((double(stored[i]) - zp) * scale);
    decodeForComparison(c, decoded.data());
    return comparedSimilarity(c, ref, decoded.data(), 0, 1);
  }
  return comparedSimilarity(c, ref, stored, zp, scale);
}

void Evaluator::decodeForComparison(size_t c, float *values) const {
  // The shape was checked against the decode up front.
  if (!decodes_[c].ranges.empty())
    llvm::cantFail(
        calibration::decodeInPlace(decodes_[c], compareShapes_[c], values));
}

double Evaluator::comparedSimilarity(size_t c, const float *ref,
                                     const float *stored, int64_t zp,
                                     double scale) const {
  unsigned index = compare_[c];
  if (centers_.empty())
    return similarity(index, ref, stored, zp);
  const float *center = centers_[c].ptr();
  int64_t n = tensors_[index].numel;
  auto it = parts_.find(index);
  if (it == parts_.end()) {
    Sums sums;
    accumulateCentered(ref, center, stored, n, double(zp), scale, sums);
    return cosineOf(sums);
  }
  return meanPartCosine(
      it->second, [&](uint32_t start, uint32_t length, Sums &sums) {
        accumulateCentered(ref + start, center + start, stored + start, length,
                           double(zp), scale, sums);
      });
}

double Evaluator::similarity(unsigned index, const float *ref,
                             const float *stored, int64_t zp) const {
  return similarityOf(index, ref, stored, zp);
}

double Evaluator::similarity(unsigned index, const uint16_t *ref,
                             const float *stored, int64_t zp) const {
  return similarityOf(index, ref, stored, zp);
}

double Evaluator::combine(llvm::ArrayRef<double> compareCos) const {
  double cos = 0, weightSum = 0;
  for (auto [c, w] : llvm::enumerate(weights_)) {
    cos += w * compareCos[c];
    weightSum += w;
  }
  return weightSum > 0 ? cos / weightSum : 0;
}

llvm::Error Evaluator::prepare(bool keepTensors) {
  if (llvm::Error err = buildGraph())
    return err;
  if (llvm::Error err = resolveCompareTensors())
    return err;
  keepTensors_ = keepTensors;
  DiagnosticCapture capture(top_.getContext());
  auto interpreter = Interpreter::create(top_);
  if (failed(interpreter))
    return failure("the Top model cannot run: " + capture.first());
  topInterp_ = std::move(*interpreter);
  if (llvm::Error err = buildPartMaps())
    return err;

  // The reference is the model with every layer in the float mode, as
  // tpu-mlir's: what a table can reach at best, so that the float mode's
  // own rounding (bf16 boxes are a few pixels coarse) costs nothing.
  FloatSet all(layers_.size(), true);
  auto floatModel = lower(all, /*allFloat=*/true);
  if (!floatModel)
    return floatModel.takeError();
  floatModel_ = std::move(*floatModel);
  auto floatInterp = Interpreter::create(*floatModel_);
  if (failed(floatInterp))
    return failure("the float model cannot run: " + capture.first());

  observer_.phaseStarted("float reference", samples_.size());
  refOutputs_.assign(samples_.size(), {});
  refTensors_.assign(samples_.size(), {});
  for (auto [s, inputs] : llvm::enumerate(samples_)) {
    std::vector<Tensor> &outputs = refOutputs_[s];
    auto &kept = refTensors_[s];
    outputs.resize(compare_.size());
    if (keepTensors)
      kept.resize(tensors_.size());
    RunOptions run;
    run.onResult = [&](Value v, Tensor &t) {
      auto it = tensorIndex_.find(top::getTensorName(v));
      if (it == tensorIndex_.end())
        return;
      for (auto [c, index] : llvm::enumerate(compare_))
        if (index == it->second)
          outputs[c] = t;
      if (keepTensors)
        compact(t.data, kept[it->second]);
    };
    TensorMap results;
    if (failed((*floatInterp)->run(inputs, results, run)))
      return failure("the float model failed on sample " + std::to_string(s) +
                     ": " + capture.first());
    for (auto [c, index] : llvm::enumerate(compare_))
      if (int64_t(outputs[c].data.size()) != tensors_[index].numel)
        return failure("the float model has no tensor '" +
                       tensors_[index].name + "' to compare");
    // Kept in compared form: decoded once here, not at every comparison.
    for (size_t c = 0; c < compare_.size(); ++c)
      decodeForComparison(c, outputs[c].ptr());
    observer_.progress(s + 1);
  }
  observer_.phaseFinished();
  // The center of each compare tensor: its mean over the samples.
  centers_.clear();
  if (options_.centered && samples_.size() >= 2)
    for (size_t c = 0; c < compare_.size(); ++c) {
      Tensor center = refOutputs_[0][c];
      std::vector<double> sum(center.data.begin(), center.data.end());
      for (size_t s = 1; s < samples_.size(); ++s)
        for (size_t i = 0; i < sum.size(); ++i)
          sum[i] += refOutputs_[s][c].data[i];
      for (size_t i = 0; i < sum.size(); ++i)
        center.data[i] = static_cast<float>(sum[i] / samples_.size());
      centers_.push_back(std::move(center));
    }
  return llvm::Error::success();
}

std::vector<std::string> Evaluator::names(const FloatSet &floats) const {
  std::vector<std::string> out;
  for (auto [index, layer] : llvm::enumerate(layers_))
    if (floats[index])
      out.push_back(layer.name);
  return out;
}

llvm::Expected<OwningOpRef<ModuleOp>> Evaluator::lower(const FloatSet &floats,
                                                       bool allFloat) {
  TempTable table;
  if (!allFloat)
    if (llvm::Error err = table.write(names(floats), options_.floatMode))
      return std::move(err);
  DeployOptions deploy;
  deploy.chip = options_.chip;
  deploy.mode = allFloat ? options_.floatMode : QuantMode::INT8;
  deploy.calibrationTable = options_.calibrationTable;
  deploy.quantizeTable = table.path();
  DiagnosticCapture capture(top_.getContext());
  OwningOpRef<ModuleOp> tpu = lowerToTpu(top_, deploy);
  if (!tpu)
    return failure("lowering the mixed model failed: " + capture.first());
  return std::move(tpu);
}

llvm::Expected<Evaluation> Evaluator::evaluate(const FloatSet &floats,
                                               bool withLayers,
                                               double giveUpBelow) {
  bool allFloat = llvm::all_of(floats, [](bool f) { return f; });
  auto tpu = lower(floats, allFloat);
  if (!tpu)
    return tpu.takeError();
  DiagnosticCapture capture(top_.getContext());
  auto interpreter = Interpreter::create(**tpu);
  if (failed(interpreter))
    return failure("the mixed model cannot run: " + capture.first());
  ++modelsEvaluated_;

  Evaluation eval;
  if (withLayers)
    eval.layerCos.assign(layers_.size(), 0);
  std::vector<double> tensorCos(tensors_.size());
  double outputSum = 0;
  size_t n = samples_.size();
  for (size_t s = 0; s < n; ++s) {
    std::vector<double> compareCos(compare_.size(), 0);
    std::vector<char> compared(compare_.size(), 0);
    std::fill(tensorCos.begin(), tensorCos.end(), 1.0);
    RunOptions run;
    run.onResult = [&](Value v, Tensor &t) {
      auto it = tensorIndex_.find(top::getTensorName(v));
      if (it == tensorIndex_.end())
        return;
      unsigned index = it->second;
      const TensorInfo &info = tensors_[index];
      if (t.numel() != info.numel)
        return;
      StorageOf storage = storageOf(v);
      int64_t zp = storage.zeroPoint;
      for (auto [c, wanted] : llvm::enumerate(compare_))
        if (wanted == index) {
          compareCos[c] = outputSimilarity(c, refOutputs_[s][c].ptr(), t.ptr(),
                                           zp, storage.scale);
          compared[c] = 1;
        }
      if (withLayers && info.layer >= 0 &&
          int64_t(refTensors_[s][index].size()) == info.numel)
        tensorCos[index] =
            similarity(index, refTensors_[s][index].data(), t.ptr(), zp);
    };
    TensorMap results;
    if (failed((*interpreter)->run(samples_[s], results, run)))
      return failure("the mixed model failed on sample " + std::to_string(s) +
                     ": " + capture.first());
    for (auto [c, index] : llvm::enumerate(compare_))
      if (!compared[c])
        return failure("the mixed model has no tensor '" +
                       tensors_[index].name + "' to compare");
    outputSum += combine(compareCos);
    if (withLayers)
      for (auto [l, layer] : llvm::enumerate(layers_)) {
        double worst = 1;
        for (unsigned r : layer.results)
          worst = std::min(worst, tensorCos[r]);
        eval.layerCos[l] += worst;
      }
    // Even perfect remaining samples could not lift the mean to the bound.
    double best = (outputSum + double(n - s - 1)) / double(n);
    if (giveUpBelow > 0 && best < giveUpBelow && s + 1 < n) {
      eval.outputCos = best;
      if (withLayers)
        for (double &c : eval.layerCos)
          c /= double(s + 1);
      return eval;
    }
  }
  eval.outputCos = outputSum / double(n);
  if (withLayers)
    for (double &c : eval.layerCos)
      c /= double(n);
  return eval;
}

llvm::Error Evaluator::referenceTensors(size_t s, std::vector<Tensor> &out) {
  out.assign(tensors_.size(), Tensor());
  DiagnosticCapture capture(top_.getContext());
  RunOptions run;
  run.onResult = [&](Value v, Tensor &t) {
    auto it = tensorIndex_.find(top::getTensorName(v));
    if (it != tensorIndex_.end())
      out[it->second] = t;
  };
  TensorMap results;
  if (failed(topInterp_->run(samples_[s], results, run)))
    return failure("the Top model failed on sample " + std::to_string(s) +
                   ": " + capture.first());
  return llvm::Error::success();
}

llvm::Error Evaluator::sensitivity(const std::vector<bool> &candidates,
                                   size_t sampleCount,
                                   std::vector<double> &outputCos,
                                   std::vector<double> &layerCos) {
  outputCos.assign(layers_.size(), 0);
  layerCos.assign(layers_.size(), 0);
  FloatSet none(layers_.size(), false);
  auto tpu = lower(none, false);
  if (!tpu)
    return tpu.takeError();
  DiagnosticCapture capture(top_.getContext());
  auto interpreter = Interpreter::create(**tpu);
  if (failed(interpreter))
    return failure("the INT8 model cannot run: " + capture.first());

  // What a float consumer of an INT8 layer reads: the cast of its real
  // values to the float mode.
  auto roundToFloatMode = [&](float v) {
    switch (options_.floatMode) {
    case QuantMode::BF16:
      return quantmath::roundToBf16(v);
    case QuantMode::F16:
      return quantmath::roundToF16(v);
    default:
      return v;
    }
  };

  size_t n = std::max<size_t>(1, std::min(sampleCount, samples_.size()));
  size_t measured = llvm::count(candidates, true);
  observer_.phaseStarted("sensitivity", n * measured);
  for (size_t s = 0; s < n; ++s) {
    std::vector<Tensor> ref;
    if (llvm::Error err = referenceTensors(s, ref))
      return err;

    // Every INT8 layer on float inputs: the INT8 model runs with each
    // tensor replaced by the reference's, stored as the model stores it,
    // after its own INT8 value is kept for the injection below.
    std::vector<Tensor> int8(tensors_.size());
    std::vector<double> tensorCos(tensors_.size(), 1.0);
    RunOptions isolated;
    isolated.onResult = [&](Value v, Tensor &t) {
      auto it = tensorIndex_.find(top::getTensorName(v));
      if (it == tensorIndex_.end())
        return;
      unsigned index = it->second;
      const TensorInfo &info = tensors_[index];
      // Network inputs are the reference's already.
      if (info.layer < 0 || t.numel() != info.numel ||
          ref[index].numel() != info.numel)
        return;
      StorageOf storage = storageOf(v);
      tensorCos[index] =
          similarity(index, ref[index].ptr(), t.ptr(), storage.zeroPoint);
      Tensor &kept = int8[index];
      kept.shape = ref[index].shape;
      kept.data.resize(info.numel);
#pragma omp parallel for if (info.numel > (1 << 15))
      for (int64_t i = 0; i < info.numel; ++i)
        kept.data[i] = roundToFloatMode(static_cast<float>(
            (double(t.data[i]) - double(storage.zeroPoint)) * storage.scale));
      storeReal(storage, ref[index].ptr(), t);
    };
    TensorMap results;
    if (failed((*interpreter)->run(samples_[s], results, isolated)))
      return failure("the INT8 model failed on sample " + std::to_string(s) +
                     ": " + capture.first());
    for (auto [l, layer] : llvm::enumerate(layers_)) {
      double worst = 1;
      for (unsigned r : layer.results)
        worst = std::min(worst, tensorCos[r]);
      layerCos[l] += worst;
    }

    // The float model with one layer's INT8 results in place of its own:
    // only the ops that read a changed tensor run again. Layers are
    // independent, so they are shared between the threads (each op's
    // kernel then runs on one); every layer's cosine is its own sum, so
    // the result does not depend on the thread count.
    // The compare tensors of the reference in compared form, once.
    std::vector<Tensor> comparedRef(compare_.size());
    for (auto [c, index] : llvm::enumerate(compare_)) {
      comparedRef[c] = ref[index];
      decodeForComparison(c, comparedRef[c].ptr());
    }
    std::vector<size_t> measuredLayers;
    for (size_t l = 0; l < layers_.size(); ++l) {
      if (candidates[l])
        measuredLayers.push_back(l);
      else
        outputCos[l] += 1;
    }
    std::vector<double> sampleCos(layers_.size(), 0);
    std::atomic<bool> failed{false};
    std::atomic<size_t> done{s * measured};
    const int64_t count = static_cast<int64_t>(measuredLayers.size());
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t k = 0; k < count; ++k) {
      if (failed.load())
        continue;
      const size_t l = measuredLayers[k];
      const Layer &layer = layers_[l];
      std::vector<const Tensor *> current(tensors_.size());
      std::vector<Tensor> scratch(tensors_.size());
      std::vector<char> changed(tensors_.size(), 0);
      for (size_t t = 0; t < tensors_.size(); ++t)
        current[t] = &ref[t];
      for (unsigned r : layer.results)
        if (int8[r].numel() == tensors_[r].numel) {
          current[r] = &int8[r];
          changed[r] = 1;
        }
      bool ok = true;
      for (size_t m = l + 1; m < layers_.size() && ok; ++m) {
        const Layer &next = layers_[m];
        if (llvm::none_of(next.operands,
                          [&](int t) { return t >= 0 && changed[t]; }))
          continue;
        std::vector<const Tensor *> operands;
        for (auto [i, t] : llvm::enumerate(next.operands)) {
          if (t >= 0) {
            operands.push_back(current[t]);
            continue;
          }
          Value v = next.op->getOperand(i);
          auto weight = v.getDefiningOp<top::WeightOp>();
          operands.push_back(weight ? topInterp_->getWeight(weight) : nullptr);
        }
        std::vector<Tensor> out;
        if (mlir::failed(topInterp_->runOp(next.op, operands, out))) {
          ok = false;
          break;
        }
        for (auto [r, tensor] : llvm::zip(next.results, out)) {
          scratch[r] = std::move(tensor);
          current[r] = &scratch[r];
          changed[r] = 1;
        }
      }
      std::vector<double> compareCos(compare_.size(), 1.0);
      for (auto [c, index] : llvm::enumerate(compare_)) {
        if (!ok)
          break;
        if (current[index]->numel() != tensors_[index].numel ||
            ref[index].numel() != tensors_[index].numel) {
          ok = false;
          break;
        }
        compareCos[c] = outputSimilarity(c, comparedRef[c].ptr(),
                                         current[index]->ptr(), 0, 1);
      }
      if (!ok) {
        failed = true;
        continue;
      }
      sampleCos[l] = combine(compareCos);
      size_t progress = ++done;
#pragma omp critical(tpuc_sensitivity_progress)
      observer_.progress(progress);
    }
    if (failed)
      return failure(
          "the Top model failed on sample " + std::to_string(s) +
          (capture.first().empty() ? std::string() : ": " + capture.first()));
    for (size_t l : measuredLayers)
      outputCos[l] += sampleCos[l];
  }
  observer_.phaseFinished();
  for (double &c : outputCos)
    c /= double(n);
  for (double &c : layerCos)
    c /= double(n);
  return llvm::Error::success();
}

} // namespace tpuc::mix
