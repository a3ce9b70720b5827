//===- Search.cpp - The greedy and the fast mixed precision search --------===//

#include "Evaluator.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace tpuc::mix {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string fixed(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.6f", value);
  return text;
}

size_t countTrue(const FloatSet &set) { return llvm::count(set, true); }

/// tpu-mlir's rule for the ops it does not search: a data movement op whose
/// input comes from a float layer is listed as float too (its lowering
/// follows the input anyway; the line keeps the table meaning the same to
/// tools that read it differently).
void addFollowers(const std::vector<Layer> &layers, FloatSet &floats) {
  for (auto [index, layer] : llvm::enumerate(layers))
    if (layer.movesData && !floats[index] &&
        llvm::any_of(layer.preds, [&](unsigned p) { return floats[p]; }))
      floats[index] = true;
}

class Search {
public:
  Search(Evaluator &eval, const SearchOptions &options,
         SearchObserver &observer, SearchResult &result)
      : eval_(eval), options_(options), observer_(observer), result_(result),
        layers_(eval.layers()) {}

  llvm::Error greedy(const Evaluation &int8);
  llvm::Error fast(const std::vector<double> &outputLoss,
                   const std::vector<double> &layerCos);
  size_t cap() const {
    return options_.maxFloatLayers ? options_.maxFloatLayers
                                   : std::max<size_t>(1, layers_.size() / 4);
  }

private:
  void finish(const FloatSet &floats, double cos, bool reached,
              const std::string &why) {
    result_.floatLayers = eval_.names(floats);
    result_.finalCos = cos;
    result_.reachedExpected = reached;
    result_.stopReason = why;
  }

  Evaluator &eval_;
  const SearchOptions &options_;
  SearchObserver &observer_;
  SearchResult &result_;
  const std::vector<Layer> &layers_;
};

llvm::Error Search::greedy(const Evaluation &int8) {
  FloatSet floats(layers_.size(), false);
  Evaluation current = int8;
  double best = int8.outputCos;
  observer_.phaseStarted("greedy search", layers_.size());
  for (auto [index, layer] : llvm::enumerate(layers_)) {
    observer_.progress(index);
    if (layer.movesData) {
      if (llvm::any_of(layer.preds, [&](unsigned p) { return floats[p]; }))
        floats[index] = true;
      continue;
    }
    if (floats[index])
      continue;
    GreedyStep step;
    step.name = layer.name;
    step.layerCos = current.layerCos[index];
    step.outputCos = std::nan("");
    if (step.layerCos >= options_.minLayerCos) {
      result_.greedySteps.push_back(step);
      continue;
    }
    FloatSet next = floats;
    next[index] = true;
    for (unsigned succ : layer.succs)
      next[succ] = true;
    auto eval = eval_.evaluate(next, /*withLayers=*/true);
    if (!eval)
      return eval.takeError();
    step.outputCos = eval->outputCos;
    std::string line = "layer " + layer.name + " cos " + fixed(step.layerCos) +
                       " < " + fixed(options_.minLayerCos) + ": with " +
                       std::to_string(countTrue(next)) +
                       " float layers the outputs reach cos " +
                       fixed(eval->outputCos);
    if (eval->outputCos >= options_.expectedCos) {
      step.kept = true;
      result_.greedySteps.push_back(step);
      observer_.note(line + ", the expected " +
                     fixed(options_.expectedCos));
      observer_.phaseFinished();
      finish(next, eval->outputCos, true, "the outputs reached expected_cos");
      return llvm::Error::success();
    }
    if (countTrue(next) > cap()) {
      step.kept = true;
      result_.greedySteps.push_back(step);
      observer_.note(line + "; more than " + std::to_string(cap()) +
                     " float layers, giving up");
      observer_.phaseFinished();
      finish(next, eval->outputCos, false,
             "more than " + std::to_string(cap()) +
                 " layers would be float (a quarter of the ops)");
      return llvm::Error::success();
    }
    // A move that makes the outputs worse than all-INT8 is undone.
    if (eval->outputCos < int8.outputCos) {
      observer_.note(line + ", worse than all-INT8: undone");
      result_.greedySteps.push_back(step);
      continue;
    }
    observer_.note(line);
    step.kept = true;
    result_.greedySteps.push_back(step);
    floats = std::move(next);
    current = std::move(*eval);
    best = current.outputCos;
  }
  observer_.phaseFinished();
  finish(floats, best, best >= options_.expectedCos,
         "every layer was visited");
  return llvm::Error::success();
}

llvm::Error Search::fast(const std::vector<double> &outputLoss,
                         const std::vector<double> &layerCos) {
  // Worst first: the most output loss, then the worst own cosine, then
  // model order, so the order is the same on every run.
  std::vector<unsigned> order;
  for (auto [index, layer] : llvm::enumerate(layers_))
    if (!layer.movesData)
      order.push_back(index);
  std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
    if (outputLoss[a] != outputLoss[b])
      return outputLoss[a] > outputLoss[b];
    return layerCos[a] < layerCos[b];
  });
  size_t limit = std::min(cap(), order.size());
  auto floatsFor = [&](size_t k) {
    FloatSet floats(layers_.size(), false);
    for (size_t i = 0; i < k; ++i)
      floats[order[i]] = true;
    addFollowers(layers_, floats);
    return floats;
  };

  // Losses of independent small errors add up (1 - cos is their energy
  // relative to the output's): predict the k that reaches the target and
  // check it, then bisect between what failed and what passed.
  double total = 0;
  for (unsigned index : order)
    total += outputLoss[index];
  double int8Loss = 1 - result_.int8Cos;
  double allowed = 1 - options_.expectedCos;
  size_t predicted = limit;
  double remaining = total;
  for (size_t k = 0; k <= limit; ++k) {
    if (total <= 0 || remaining / total * int8Loss <= allowed) {
      predicted = k;
      break;
    }
    if (k < limit)
      remaining -= outputLoss[order[k]];
  }
  predicted = std::max<size_t>(predicted, 1);

  std::map<size_t, double> tried;
  auto attempt = [&](size_t k) -> llvm::Expected<bool> {
    auto eval = eval_.evaluate(floatsFor(k), /*withLayers=*/false,
                               options_.expectedCos);
    if (!eval)
      return eval.takeError();
    tried[k] = eval->outputCos;
    bool ok = eval->outputCos >= options_.expectedCos;
    observer_.note("the " + std::to_string(k) +
                   " worst layers in float: outputs cos " +
                   (ok ? fixed(eval->outputCos)
                       : "below " + fixed(options_.expectedCos) + " (" +
                             fixed(eval->outputCos) + " at most)"));
    return ok;
  };

  observer_.phaseStarted("fast search", 0);
  // lo fails (0 is all-INT8, known to fail), hi passes.
  size_t lo = 0, hi = 0;
  size_t k = std::min(predicted, limit);
  while (true) {
    auto ok = attempt(k);
    if (!ok)
      return ok.takeError();
    if (*ok) {
      hi = k;
      break;
    }
    lo = k;
    if (k == limit)
      break;
    k = std::min(limit, std::max(k + 1, k * 2));
  }
  if (hi == 0) {
    observer_.phaseFinished();
    finish(floatsFor(limit), tried[limit], false,
           "even the " + std::to_string(limit) +
               " worst layers in float do not reach expected_cos");
    return llvm::Error::success();
  }
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    auto ok = attempt(mid);
    if (!ok)
      return ok.takeError();
    (*ok ? hi : lo) = mid;
  }
  observer_.phaseFinished();
  finish(floatsFor(hi), tried[hi], true,
         "the " + std::to_string(hi) +
             " worst layers in float reach expected_cos");
  return llvm::Error::success();
}

} // namespace

llvm::Expected<SearchResult>
searchMixedPrecision(mlir::ModuleOp top, const std::vector<TensorMap> &samples,
                     const SearchOptions &options, SearchObserver &observer) {
  Clock::time_point start = Clock::now();
  SearchResult result;
  if (samples.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no samples to search on");
  result.numSamples = samples.size();
  bool greedy = options.method == SearchMethod::Greedy;
  Evaluator eval(top, samples, options, observer);
  if (llvm::Error err = eval.prepare(/*keepTensors=*/greedy))
    return std::move(err);
  const std::vector<Layer> &layers = eval.layers();
  result.numOps = layers.size();
  std::vector<bool> candidates(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers))
    candidates[index] = !layer.movesData;
  result.numCandidates = llvm::count(candidates, true);

  FloatSet none(layers.size(), false), all(layers.size(), true);
  auto int8 = eval.evaluate(none, /*withLayers=*/greedy);
  if (!int8)
    return int8.takeError();
  result.int8Cos = int8->outputCos;
  observer.note("all INT8: outputs cos " + fixed(result.int8Cos));
  result.referenceSeconds = secondsSince(start);

  Clock::time_point sensitivityStart = Clock::now();
  std::vector<double> outputCos, layerCos;
  if (llvm::Error err = eval.sensitivity(candidates, options.sensitivitySamples,
                                         outputCos, layerCos))
    return std::move(err);
  std::vector<double> loss(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    loss[index] = 1 - outputCos[index];
    if (!candidates[index])
      continue;
    result.lossTable.push_back(
        {layer.name, layer.type, outputCos[index], layerCos[index]});
  }
  std::stable_sort(result.lossTable.begin(), result.lossTable.end(),
                   [](const LayerLoss &a, const LayerLoss &b) {
                     return a.outputCos < b.outputCos;
                   });
  result.sensitivitySeconds = secondsSince(sensitivityStart);

  Clock::time_point searchStart = Clock::now();
  Search search(eval, options, observer, result);
  if (result.int8Cos >= options.expectedCos) {
    result.finalCos = result.int8Cos;
    result.reachedExpected = true;
    result.stopReason = "all-INT8 already reaches expected_cos; no layer "
                        "needs to be float";
  } else if (greedy) {
    if (llvm::Error err = search.greedy(*int8))
      return std::move(err);
  } else {
    if (llvm::Error err = search.fast(loss, layerCos))
      return std::move(err);
  }
  // Whether any table could have done it: the all-float model, run only
  // when the search fell short (it costs a run per sample).
  if (!result.reachedExpected) {
    auto floats = eval.evaluate(all, /*withLayers=*/false);
    if (!floats)
      return floats.takeError();
    result.floatCos = floats->outputCos;
    observer.note("all " + stringifyQuantMode(options.floatMode).str() +
                  ": outputs cos " + fixed(result.floatCos));
  } else {
    result.floatCos = std::nan("");
  }
  result.searchSeconds = secondsSince(searchStart);
  result.modelsEvaluated = eval.modelsEvaluated();
  result.seconds = secondsSince(start);
  return result;
}

} // namespace tpuc::mix
