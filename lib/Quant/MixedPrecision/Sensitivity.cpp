//===- Sensitivity.cpp - Each layer's cost in INT8 alone ------------------===//
//
// Evaluator::sensitivity, the first pass of both searches: every candidate
// layer's INT8 result on float inputs, injected into the Top model and
// propagated to the outputs, on several threads. Kept apart because it runs
// ops itself rather than whole models.
//
//===----------------------------------------------------------------------===//

#include "Evaluator.h"
#include "EvaluatorSupport.h"

#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Quant/QuantMath.h"

#include <atomic>

using namespace mlir;

namespace tpuc::mix {

namespace {

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

} // namespace

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

  // Where the propagation runs: when every compare tensor is a model
  // output, as a run of the Top model given all that the layer does not
  // reach (the fused and layout paths of a whole run); otherwise op by op.
  llvm::DenseMap<Value, unsigned> valueIndex;
  for (const Layer &layer : layers_)
    for (auto [result, index] :
         llvm::zip(layer.op->getResults(), layer.results))
      valueIndex[result] = index;
  std::vector<std::string> compareOutput(compare_.size());
  bool throughRuns = true;
  for (auto [c, index] : llvm::enumerate(compare_)) {
    if (llvm::is_contained(topInterp_->getOutputNames(), tensors_[index].name))
      compareOutput[c] = tensors_[index].name;
    else
      throughRuns = false;
  }

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
    // Layer l's output similarity from its propagated compare tensors;
    // false if one is missing or misshapen.
    auto score = [&](size_t l, llvm::ArrayRef<const Tensor *> compared) {
      std::vector<double> compareCos(compare_.size(), 1.0);
      for (auto [c, index] : llvm::enumerate(compare_)) {
        const Tensor *tensor = compared[c];
        if (!tensor || tensor->numel() != tensors_[index].numel ||
            ref[index].numel() != tensors_[index].numel)
          return false;
        compareCos[c] =
            outputSimilarity(c, comparedRef[c].ptr(), tensor->ptr(), 0, 1);
      }
      sampleCos[l] = combine(compareCos);
      size_t progress = ++done;
#pragma omp critical(tpuc_sensitivity_progress)
      observer_.progress(progress);
      return true;
    };
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t k = 0; k < count; ++k) {
      if (failed.load())
        continue;
      const size_t l = measuredLayers[k];
      const Layer &layer = layers_[l];
      if (throughRuns) {
        // What the layer reaches: its own results, then whatever reads a
        // tensor it reached.
        std::vector<char> reached(tensors_.size(), 0), injected = reached;
        for (unsigned r : layer.results)
          if (int8[r].numel() == tensors_[r].numel)
            reached[r] = injected[r] = 1;
        for (size_t m = l + 1; m < layers_.size(); ++m)
          if (llvm::any_of(layers_[m].operands,
                           [&](int t) { return t >= 0 && reached[t]; }))
            for (unsigned r : layers_[m].results)
              reached[r] = 1;
        RunOptions partial;
        partial.given = [&](Value v) -> const Tensor * {
          auto it = valueIndex.find(v);
          if (it == valueIndex.end())
            return nullptr;
          unsigned t = it->second;
          if (injected[t])
            return &int8[t];
          if (reached[t] || ref[t].numel() != tensors_[t].numel)
            return nullptr;
          return &ref[t];
        };
        TensorMap outputs;
        std::vector<const Tensor *> compared(compare_.size(), nullptr);
        if (mlir::succeeded(topInterp_->run(samples_[s], outputs, partial)))
          for (size_t c = 0; c < compare_.size(); ++c)
            if (auto it = outputs.find(compareOutput[c]); it != outputs.end())
              compared[c] = &it->second;
        if (!score(l, compared))
          failed = true;
        continue;
      }
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
      std::vector<const Tensor *> compared(compare_.size(), nullptr);
      if (ok)
        for (auto [c, index] : llvm::enumerate(compare_))
          compared[c] = current[index];
      if (!score(l, compared))
        failed = true;
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
