//===- Search.cpp - The greedy and the fast mixed precision search --------===//

#include "Evaluator.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
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
    if (options_.maxFloatLayers)
      return options_.maxFloatLayers;
    double fraction =
        options_.maxFloatFraction > 0 ? options_.maxFloatFraction : 0.25;
    return std::max<size_t>(
        1, static_cast<size_t>(std::floor(fraction * layers_.size() + 1e-9)));
  }
  /// A cap the user gave (--max_float_layers) holds for the whole table;
  /// the default quarter caps the layers moved as tpu-mlir counts them.
  bool userCap() const {
    return options_.maxFloatLayers || options_.maxFloatFraction > 0;
  }
  /// How the cap reads in messages.
  std::string capText() const {
    return std::to_string(cap()) + " float layers" +
           (userCap() ? "" : " (a quarter of the ops)");
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
      observer_.note(line + ", the expected " + fixed(options_.expectedCos));
      observer_.phaseFinished();
      finish(next, eval->outputCos, true, "the outputs reached expected_cos");
      return llvm::Error::success();
    }
    // A user's cap counts the data movers the walk will add after them.
    FloatSet table = next;
    if (userCap())
      addFollowers(layers_, table);
    if (countTrue(table) > cap()) {
      // tpu-mlir stops with the move made; a user's cap keeps the last
      // table within it.
      step.kept = !userCap();
      result_.greedySteps.push_back(step);
      observer_.note(line +
                     (userCap() ? "; " + std::to_string(countTrue(table)) +
                                      " with the data movers after them"
                                : std::string()) +
                     ", more than " + capText() + ": giving up");
      observer_.phaseFinished();
      if (userCap())
        finish(floats, best, false, "the next move would exceed " + capText());
      else
        finish(next, eval->outputCos, false, "more than " + capText());
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
  finish(floats, best, best >= options_.expectedCos, "every layer was visited");
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
  auto floatsFor = [&](size_t k) {
    FloatSet floats(layers_.size(), false);
    for (size_t i = 0; i < k; ++i)
      floats[order[i]] = true;
    addFollowers(layers_, floats);
    return floats;
  };
  // How many of the worst may be float: a user's cap counts the whole
  // table (followers included), the default the layers ranked.
  size_t limit = std::min(cap(), order.size());
  if (userCap()) {
    limit = 0;
    while (limit < order.size() && countTrue(floatsFor(limit + 1)) <= cap())
      ++limit;
  }
  if (limit == 0) {
    finish(floatsFor(0), result_.int8Cos, false,
           "no layer fits within " + capText());
    return llvm::Error::success();
  }

  // Small independent errors add up: 1 - cos is their energy relative to
  // the output's. So the loss left with the k worst layers in float is
  // about the sum of the others' losses alone, scaled by how far that sum
  // was off where it was last measured. Each guess is checked, and the
  // guesses bracket the answer: `lo` k fail, `hi` k pass.
  std::vector<double> tail(order.size() + 1, 0);
  for (size_t k = order.size(); k-- > 0;)
    tail[k] = tail[k + 1] + std::max(0.0, outputLoss[order[k]]);
  double allowed = 1 - options_.expectedCos;
  size_t lo = 0, hi = limit + 1;
  double loLoss = 1 - result_.int8Cos;
  std::map<size_t, double> measured;
  auto guess = [&]() -> size_t {
    double ratio = tail[lo] > 0 ? loLoss / tail[lo] : 1;
    size_t k = lo + 1;
    while (k < std::min(hi, limit) && tail[k] * ratio > allowed)
      ++k;
    if (hi <= limit) {
      // Bracketed: the prediction if it falls inside, else the middle.
      if (k >= hi)
        k = lo + (hi - lo) / 2;
    } else if (lo > 0) {
      // Losses spread over many small layers add up more slowly than
      // predicted: after a failure, step at least half as far again.
      k = std::max(k, lo + std::max<size_t>(1, lo / 2));
    }
    return std::clamp(k, lo + 1, std::min(hi - 1, limit));
  };

  observer_.phaseStarted("fast search", 0);
  while (hi - lo > 1 && lo < limit) {
    size_t k = guess();
    auto eval = eval_.evaluate(floatsFor(k), /*withLayers=*/false,
                               options_.expectedCos);
    if (!eval)
      return eval.takeError();
    measured[k] = eval->outputCos;
    bool ok = eval->outputCos >= options_.expectedCos;
    observer_.note("the " + std::to_string(k) +
                   " worst layers in float: outputs cos " +
                   (ok ? fixed(eval->outputCos)
                       : "below " + fixed(options_.expectedCos) + " (" +
                             fixed(eval->outputCos) + " at most)"));
    if (ok) {
      hi = k;
    } else {
      lo = k;
      loLoss = 1 - eval->outputCos;
    }
  }
  observer_.phaseFinished();
  if (hi > limit) {
    // The last check may have stopped early; the table's own number is
    // measured on every sample.
    auto eval = eval_.evaluate(floatsFor(limit), /*withLayers=*/false);
    if (!eval)
      return eval.takeError();
    finish(floatsFor(limit), eval->outputCos, false,
           "even the " + std::to_string(limit) +
               " worst layers in float do not reach expected_cos");
    return llvm::Error::success();
  }
  finish(floatsFor(hi), measured[hi], true,
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

  FloatSet none(layers.size(), false);
  auto int8 = eval.evaluate(none, /*withLayers=*/greedy);
  if (!int8)
    return int8.takeError();
  result.int8Cos = int8->outputCos;
  observer.note("all INT8: outputs cos " + fixed(result.int8Cos));
  result.referenceSeconds = secondsSince(start);

  Clock::time_point sensitivityStart = Clock::now();
  std::vector<double> outputCos, layerCos;
  size_t sensitivitySamples =
      options.sensitivitySamples
          ? std::min(options.sensitivitySamples, samples.size())
          : samples.size();
  result.sensitivitySamples = sensitivitySamples;
  if (llvm::Error err =
          eval.sensitivity(candidates, sensitivitySamples, outputCos, layerCos))
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
  result.searchSeconds = secondsSince(searchStart);
  result.modelsEvaluated = eval.modelsEvaluated();
  result.seconds = secondsSince(start);
  return result;
}

} // namespace tpuc::mix
