//===- Evaluator.cpp - Mixed models run on the search samples -------------===//
//
// Cosines are scale-invariant, so quantized tensors are compared through
// their codes minus the zero point: the interpreter's tensors are never
// copied to real values. Every mixed model is lowered by lowerToTpu from a
// temporary qtable, exactly as model_deploy --quantize_table lowers it.
//
// This file runs the models; the Evaluator's other members are defined by
// what they do: LayerGraph.cpp (the layers, the compare tensors and their
// parts), Similarity.cpp (the cosines) and Sensitivity.cpp (the sensitivity
// pass).
//
//===----------------------------------------------------------------------===//

#include "Evaluator.h"
#include "EvaluatorSupport.h"

#include "tpuc/Conversion/DeployPipeline.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Dialect/Tpu/TpuUtils.h"
#include "tpuc/Support/Npz.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;

namespace tpuc::mix {

SearchObserver::~SearchObserver() = default;

llvm::Error failure(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str().c_str());
}

DiagnosticCapture::DiagnosticCapture(MLIRContext *ctx)
    : handler_(ctx, [this](Diagnostic &diag) {
        // The sensitivity pass runs ops on several threads.
        std::lock_guard<std::mutex> lock(mutex_);
        if (diag.getSeverity() == DiagnosticSeverity::Error && first_.empty()) {
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

namespace {

void compact(llvm::ArrayRef<float> values, std::vector<uint16_t> &bits) {
  bits.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bits[i] = floatToBf16(values[i]);
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

} // namespace tpuc::mix
