//===- Calibrator.cpp - Streaming activation calibration ------------------===//

#include "tpuc/Quant/Calibration/Calibrator.h"
#include "tpuc/Dialect/Top/TopOps.h"
#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Quant/Calibration/Histogram.h"
#include "tpuc/Quant/Calibration/KLDivergence.h"
#include "tpuc/Quant/Calibration/Tuner.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>

using namespace llvm;
using namespace mlir;

namespace tpuc::calibration {

SampleSource::~SampleSource() = default;
CalibrationObserver::~CalibrationObserver() = default;

char DiagnosedError::ID = 0;

void DiagnosedError::log(raw_ostream &os) const {
  os << context_ << ": the interpreter failed";
}

std::error_code DiagnosedError::convertToErrorCode() const {
  return inconvertibleErrorCode();
}

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

std::optional<std::string> checkTableName(StringRef name) {
  if (name.empty())
    return std::string("it has no name");
  if (name.find_first_of(" \t\r\n") != StringRef::npos)
    return std::string("its name contains whitespace");
  if (name.starts_with("#"))
    return std::string("its name starts with '#'");
  return std::nullopt;
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One loaded sample.
struct Sample {
  size_t entry = 0;
  std::shared_ptr<const TensorMap> inputs;
};

/// Loads samples in order on its own thread, at most `depth` ahead of the
/// consumer, skipping (with a warning) the entries the source cannot read
/// when `allowSkip`, until `wanted` samples were produced.
class SampleReader {
public:
  SampleReader(SampleSource &source, std::vector<size_t> order, size_t wanted,
               bool allowSkip, size_t depth, CalibrationObserver &observer)
      : source_(source), order_(std::move(order)), wanted_(wanted),
        allowSkip_(allowSkip), depth_(std::max<size_t>(depth, 1)),
        observer_(observer) {
    thread_ = std::thread([this] { loop(); });
  }
  ~SampleReader() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  /// The next sample in order; nullopt when there are no more.
  Expected<std::optional<Sample>> next() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      Sample sample = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
      return sample;
    }
    if (error_)
      return makeError(*error_);
    return std::nullopt;
  }

  size_t skipped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return skipped_;
  }

private:
  void loop() {
    size_t produced = 0;
    for (size_t entry : order_) {
      if (produced == wanted_)
        break;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return queue_.size() < depth_ || stop_; });
        if (stop_)
          break;
      }
      std::string reason;
      auto loaded = source_.load(entry, reason);
      if (!loaded) {
        fail(toString(loaded.takeError()));
        break;
      }
      if (!*loaded) {
        if (!allowSkip_) {
          fail(reason + " (it was read in an earlier pass)");
          break;
        }
        observer_.warning(reason + "; skipped");
        std::lock_guard<std::mutex> lock(mutex_);
        ++skipped_;
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(Sample{
            entry, std::make_shared<const TensorMap>(std::move(**loaded))});
        ++produced;
      }
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    cv_.notify_all();
  }

  void fail(std::string message) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::move(message);
  }

  SampleSource &source_;
  std::vector<size_t> order_;
  size_t wanted_;
  bool allowSkip_;
  size_t depth_;
  CalibrationObserver &observer_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Sample> queue_;
  std::optional<std::string> error_;
  size_t skipped_ = 0;
  bool done_ = false, stop_ = false;
  std::thread thread_;
};

struct TensorInfo {
  Value value;
  std::string name;
  Operation *op;
};

/// The calibrated tensors: float results of every op but weights, in graph
/// order.
Expected<std::vector<TensorInfo>> collectTensors(func::FuncOp main) {
  std::vector<TensorInfo> tensors;
  llvm::StringSet<> names;
  for (Operation &op : main.getBody().front()) {
    if (isa<top::WeightOp, top::NoneOp>(op) ||
        op.hasTrait<OpTrait::IsTerminator>())
      continue;
    for (Value result : op.getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || !isa<FloatType>(type.getElementType()))
        continue;
      std::string name = top::getTensorName(result);
      if (std::optional<std::string> why = checkTableName(name))
        return makeError("a result of " + op.getName().getStringRef() +
                         (name.empty() ? "" : " '" + name + "'") +
                         " cannot be a calibration table entry: " + *why);
      if (!names.insert(name).second)
        return makeError("tensor name '" + name +
                         "' is used by two values; calibration tables are "
                         "keyed by name");
      tensors.push_back(TensorInfo{result, std::move(name), &op});
    }
  }
  return tensors;
}

size_t bytesOf(const TensorMap &inputs) {
  size_t bytes = 0;
  for (const auto &entry : inputs)
    bytes += entry.second.data.size() * sizeof(float);
  return bytes;
}

class Calibration {
public:
  Calibration(Interpreter &interpreter, SampleSource &source,
              const CalibrationOptions &options, CalibrationObserver &observer)
      : interpreter_(interpreter), source_(source), options_(options),
        observer_(observer) {}

  Expected<CalibrationResult> run();

private:
  /// Runs the network on one sample with `hook` on every result.
  Error forward(const Sample &sample,
                const std::function<void(unsigned, Tensor &)> &hook);
  Error rangePass();
  Error histogramPass();
  void computeThresholds();
  Error tune();
  Error chooseDecodedThresholds();
  Expected<std::shared_ptr<const TensorMap>> sampleInputs(size_t position);

  Interpreter &interpreter_;
  SampleSource &source_;
  const CalibrationOptions &options_;
  CalibrationObserver &observer_;

  std::vector<TensorInfo> tensors_;
  llvm::DenseMap<Value, unsigned> index_;
  std::vector<TensorStats> stats_;
  std::vector<double> thresholds_;
  std::vector<double> untuned_;
  std::vector<bool> tuned_;
  std::vector<bool> decoded_;
  /// Inputs of the used samples kept in memory, by position (null when
  /// they did not fit the cache).
  std::vector<std::shared_ptr<const TensorMap>> cache_;
  size_t cacheBytes_ = 0;
  CalibrationResult result_;
};

Error Calibration::forward(
    const Sample &sample, const std::function<void(unsigned, Tensor &)> &hook) {
  RunOptions options;
  options.onResult = [&](Value value, Tensor &tensor) {
    auto it = index_.find(value);
    if (it != index_.end())
      hook(it->second, tensor);
  };
  TensorMap outputs;
  if (failed(interpreter_.run(*sample.inputs, outputs, options)))
    return make_error<DiagnosedError>(source_.describe(sample.entry));
  return Error::success();
}

Error Calibration::rangePass() {
  const size_t entries = source_.size();
  const size_t wanted =
      options_.inputNum == 0 ? entries : std::min(options_.inputNum, entries);
  std::vector<size_t> order(entries);
  std::iota(order.begin(), order.end(), 0);
  Clock::time_point start = Clock::now();
  observer_.phaseStarted("min/max", wanted);
  {
    SampleReader reader(source_, std::move(order), wanted,
                        /*allowSkip=*/true, options_.readAhead, observer_);
    while (true) {
      auto sample = reader.next();
      if (!sample)
        return sample.takeError();
      if (!*sample)
        break;
      if (Error err = forward(**sample, [&](unsigned i, Tensor &tensor) {
            stats_[i].addRange(tensor.ptr(), tensor.numel());
          }))
        return err;
      size_t bytes = bytesOf(*(*sample)->inputs);
      bool keep = cacheBytes_ + bytes <= options_.cacheBytes;
      if (keep)
        cacheBytes_ += bytes;
      cache_.push_back(keep ? (*sample)->inputs : nullptr);
      result_.samples.push_back((*sample)->entry);
      observer_.progress(result_.samples.size());
    }
    result_.skipped = reader.skipped();
  }
  observer_.phaseFinished();
  result_.rangeSeconds = secondsSince(start);
  if (result_.samples.empty())
    return makeError("no sample could be read (" + Twine(result_.skipped) +
                     " skipped)");
  if (result_.samples.size() < wanted)
    observer_.warning("only " + std::to_string(result_.samples.size()) +
                      " of the " + std::to_string(wanted) +
                      " samples asked for could be read (" +
                      std::to_string(result_.skipped) + " skipped); using " +
                      std::to_string(result_.samples.size()));
  return Error::success();
}

Error Calibration::histogramPass() {
  Clock::time_point start = Clock::now();
  const bool absDeviation = options_.method == CalibrationMethod::AciqLaplace;
  for (TensorStats &stats : stats_)
    stats.startHistogram(options_.histogramBins, absDeviation);
  std::vector<size_t> uncached;
  for (size_t position = 0; position < cache_.size(); ++position)
    if (!cache_[position])
      uncached.push_back(result_.samples[position]);
  observer_.phaseStarted("histogram", cache_.size());
  std::optional<SampleReader> reader;
  if (!uncached.empty())
    reader.emplace(source_, uncached, uncached.size(), /*allowSkip=*/false,
                   options_.readAhead, observer_);
  for (size_t position = 0; position < cache_.size(); ++position) {
    Sample sample{result_.samples[position], cache_[position]};
    if (!sample.inputs) {
      auto next = reader->next();
      if (!next)
        return next.takeError();
      if (!*next)
        return makeError(source_.describe(sample.entry) +
                         ": could not be read again");
      sample = std::move(**next);
    }
    if (Error err = forward(sample, [&](unsigned i, Tensor &tensor) {
          stats_[i].addHistogram(tensor.ptr(), tensor.numel());
        }))
      return err;
    observer_.progress(position + 1);
  }
  reader.reset();
  observer_.phaseFinished();
  result_.histogramSeconds = secondsSince(start);
  return Error::success();
}

void Calibration::computeThresholds() {
  Clock::time_point start = Clock::now();
  const size_t n = tensors_.size();
  const CalibrationMethod method = options_.method;
  // mse and aciq fit the bulk of a distribution and clip its tail, which
  // hurts inputs (every value matters) and the last tensors before the
  // outputs; the reference gives those max and the percentile instead.
  std::vector<bool> usePercentile(n, false), useMax(n, false);
  if (method == CalibrationMethod::MSE ||
      method == CalibrationMethod::AciqGauss ||
      method == CalibrationMethod::AciqLaplace) {
    for (size_t i = 0; i < n; ++i)
      useMax[i] = isa<top::InputOp>(tensors_[i].op);
    size_t marked = 0;
    for (size_t i = n; i-- > 0 && marked < 5;) {
      if (isa<top::ConvOp, top::MatMulOp>(tensors_[i].op))
        break;
      usePercentile[i] = !useMax[i];
      ++marked;
    }
  }
  thresholds_.assign(n, 0.0);
#pragma omp parallel for schedule(dynamic)
  for (size_t i = 0; i < n; ++i) {
    const TensorStats &stats = stats_[i];
    const double absMax = stats.absMax();
    double threshold = absMax;
    if (useMax[i]) {
      threshold = absMax;
    } else if (usePercentile[i] ||
               method == CalibrationMethod::Percentile9999) {
      threshold = percentileThreshold(stats, percentileForTensor(i, n));
    } else {
      switch (method) {
      case CalibrationMethod::KL:
        threshold =
            searchKLThreshold(stats.histogram(), stats.binWidth()).threshold;
        break;
      case CalibrationMethod::Max:
      case CalibrationMethod::Percentile9999:
        break;
      case CalibrationMethod::MSE:
        threshold = mseThreshold(stats);
        break;
      case CalibrationMethod::AciqGauss:
        threshold = aciqGaussThreshold(stats);
        break;
      case CalibrationMethod::AciqLaplace:
        threshold = aciqLaplaceThreshold(stats);
        break;
      }
    }
    // A threshold beyond the largest value seen only wastes int8 levels.
    thresholds_[i] = std::min(threshold, absMax);
  }
  for (size_t i = 0; i < n; ++i) {
    const TensorStats &stats = stats_[i];
    if (stats.nonFiniteCount())
      observer_.warning("tensor '" + tensors_[i].name +
                        "': " + std::to_string(stats.nonFiniteCount()) +
                        " inf/NaN value(s) were left out of its statistics");
    if (stats.absMax() <= 1e-5) {
      observer_.warning("tensor '" + tensors_[i].name +
                        "' is all zeros (|x| <= 1e-5 on every sample); its "
                        "threshold is 1e-5");
      thresholds_[i] = 1e-5;
    } else if (!(thresholds_[i] > 0)) {
      // A degenerate histogram (every value in bin 0) must still give a
      // usable scale.
      thresholds_[i] = stats.absMax();
    }
  }
  untuned_ = thresholds_;
  result_.thresholdSeconds = secondsSince(start);
}

Expected<std::shared_ptr<const TensorMap>>
Calibration::sampleInputs(size_t position) {
  if (cache_[position])
    return cache_[position];
  size_t entry = result_.samples[position];
  std::string reason;
  auto loaded = source_.load(entry, reason);
  if (!loaded)
    return loaded.takeError();
  if (!*loaded)
    return makeError(reason + " (it was read in an earlier pass)");
  return std::make_shared<const TensorMap>(std::move(**loaded));
}

Error Calibration::tune() {
  tuned_.assign(tensors_.size(), false);
  const size_t count = std::min(options_.tuneNum, result_.samples.size());
  // The reference does not tune percentile tables.
  if (count == 0 || options_.method == CalibrationMethod::Percentile9999)
    return Error::success();
  Clock::time_point start = Clock::now();
  std::vector<Value> values;
  std::vector<double> absMax;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    values.push_back(tensors_[i].value);
    absMax.push_back(stats_[i].absMax());
  }
  Tuner tuner(interpreter_, values, thresholds_, absMax);
  result_.tuneTasks = tuner.numTasks();
  if (tuner.numTasks() == 0)
    return Error::success();
  observer_.phaseStarted("tune", count);
  for (size_t position = 0; position < count; ++position) {
    auto inputs = sampleInputs(position);
    if (!inputs)
      return inputs.takeError();
    if (failed(tuner.addSample(**inputs)))
      return make_error<DiagnosedError>(
          source_.describe(result_.samples[position]));
    observer_.progress(position + 1);
  }
  observer_.phaseFinished();
  thresholds_ = tuner.finish(&tuned_);
  result_.tuneSamples = count;
  result_.tuneSeconds = secondsSince(start);
  return Error::success();
}

Error Calibration::chooseDecodedThresholds() {
  decoded_.assign(tensors_.size(), false);
  if (options_.outputDecodes.empty())
    return Error::success();
  Clock::time_point start = Clock::now();
  llvm::StringMap<unsigned> byName;
  for (auto [i, tensor] : llvm::enumerate(tensors_))
    byName[tensor.name] = i;
  std::map<unsigned, DecodedThresholdSearch> searches;
  for (const auto &[name, decode] : options_.outputDecodes) {
    auto it = byName.find(name);
    if (it == byName.end())
      return makeError("output '" + name +
                       "' is not a float tensor of the "
                       "model");
    // An all-zero output keeps the 1e-5 the thresholds step gave it: every
    // candidate would be 0.
    const double absMax = stats_[it->second].absMax();
    if (!decode.ranges.empty() && absMax > 1e-5)
      searches.emplace(it->second, DecodedThresholdSearch(decode, absMax));
  }
  const size_t count =
      std::min(result_.samples.size(), std::max<size_t>(options_.tuneNum, 5));
  observer_.phaseStarted("decode", count);
  for (size_t position = 0; position < count; ++position) {
    auto inputs = sampleInputs(position);
    if (!inputs)
      return inputs.takeError();
    Error failure = Error::success();
    if (Error err = forward(Sample{result_.samples[position], *inputs},
                            [&](unsigned i, Tensor &tensor) {
                              auto it = searches.find(i);
                              if (it == searches.end() || failure)
                                return;
                              if (Error e = it->second.addSample(tensor))
                                failure =
                                    makeError("output '" + tensors_[i].name +
                                              "': " + toString(std::move(e)));
                            })) {
      consumeError(std::move(failure));
      return err;
    }
    if (failure)
      return failure;
    observer_.progress(position + 1);
  }
  observer_.phaseFinished();
  for (auto &[i, search] : searches) {
    thresholds_[i] = search.best();
    decoded_[i] = true;
  }
  result_.decodeSamples = count;
  result_.decodeSeconds = secondsSince(start);
  return Error::success();
}

Expected<CalibrationResult> Calibration::run() {
  if (options_.histogramBins < 2)
    return makeError("the histogram needs at least 2 bins");
  auto tensors = collectTensors(interpreter_.getFunction());
  if (!tensors)
    return tensors.takeError();
  tensors_ = std::move(*tensors);
  for (auto [i, tensor] : llvm::enumerate(tensors_))
    index_[tensor.value] = i;
  stats_.resize(tensors_.size());
  if (source_.size() == 0)
    return makeError("there are no samples");

  if (Error err = rangePass())
    return std::move(err);
  if (methodNeedsHistogram(options_.method))
    if (Error err = histogramPass())
      return std::move(err);
  computeThresholds();
  if (Error err = tune())
    return std::move(err);
  if (Error err = chooseDecodedThresholds())
    return std::move(err);
  cache_.clear();

  for (size_t i = 0; i < tensors_.size(); ++i) {
    TensorCalibration entry;
    entry.name = tensors_[i].name;
    entry.threshold = thresholds_[i];
    entry.untunedThreshold = untuned_[i];
    entry.tuned = tuned_[i];
    entry.decoded = decoded_[i];
    entry.min = stats_[i].min();
    entry.max = stats_[i].max();
    result_.tensors.push_back(std::move(entry));
  }
  return std::move(result_);
}

} // namespace

Expected<CalibrationResult> calibrate(Interpreter &interpreter,
                                      SampleSource &source,
                                      const CalibrationOptions &options,
                                      CalibrationObserver &observer) {
  return Calibration(interpreter, source, options, observer).run();
}

CalibrationTable makeCalibrationTable(const CalibrationResult &result,
                                      std::vector<std::string> header) {
  CalibrationTable table;
  table.header = std::move(header);
  for (const TensorCalibration &tensor : result.tensors)
    table.add(CalibrationEntry{tensor.name, tensor.threshold, tensor.min,
                               tensor.max});
  return table;
}

} // namespace tpuc::calibration
