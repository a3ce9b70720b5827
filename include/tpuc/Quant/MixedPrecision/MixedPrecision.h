//===- MixedPrecision.h - Choosing the layers that stay float ----*- C++
//-*-===//
//
// run_qtable decides which layers of an INT8 model compute in the chip's
// float mode (BF16 on CV18xx, F16 on BM1684X) so that the outputs come close
// enough to the float model, and writes them as a quantization table for
// model_deploy --quantize_table.
//
// Every candidate model is built exactly as model_deploy builds it
// (tpuc::lowerToTpu with a temporary qtable) and run in the Tpu
// interpreter on the search samples; the reference, as tpu-mlir's, is the
// model with every layer in the float mode. Outputs are compared part by
// part when they are assembled by Concat, around their mean over the
// samples (docs/MixedPrecision.md says why). Two searches:
//
//  * Greedy, tpu-mlir's: walk the layers in model order; a layer's cosine
//    is measured in the current mixed model, whose earlier layers are float
//    where the walk put them there, so quantization errors accumulate as
//    they do on the chip. A layer below `minLayerCos` moves to float with
//    its direct successors, and the mixed model is run again; the walk
//    stops when the outputs reach `expectedCos` (or when a quarter of the
//    ops are float). One model run per sample for every layer moved.
//
//  * Fast, tpuc's: one sensitivity pass measures, for every layer, the
//    output loss it causes alone (the float model with that one layer in
//    INT8), then a search over "the k worst layers in float" finds the
//    smallest k whose mixed model reaches `expectedCos`. A handful of model
//    runs per sample instead of one per layer moved.
//
// Both write the loss table: every layer ranked by the output loss it
// causes alone.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_QUANT_MIXEDPRECISION_MIXEDPRECISION_H
#define TPUC_QUANT_MIXEDPRECISION_MIXEDPRECISION_H

#include "tpuc/Backend/Chips.h"
#include "tpuc/Interpreter/Tensor.h"
#include "tpuc/Quant/Calibration/OutputDecode.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace tpuc::mix {

enum class SearchMethod { Greedy, Fast };

/// A tensor whose similarity decides the search, with its weight
/// (--global_compare_layers `a:0.3,b:0.7`).
struct CompareLayer {
  std::string name;
  double weight = 1;
};

struct SearchOptions {
  std::string chip;
  /// The mode float layers compute in (BF16, F16 or F32).
  QuantMode floatMode = QuantMode::BF16;
  std::string calibrationTable;
  double expectedCos = 0.99;
  double minLayerCos = 0.99;
  /// Empty: the network outputs, equally weighted.
  std::vector<CompareLayer> compareLayers;
  SearchMethod method = SearchMethod::Greedy;
  /// At most this many layers move to float, data movers that follow a
  /// float layer included (0: maxFloatFraction of the layers, or a quarter
  /// of them, as tpu-mlir caps the greedy walk). A search that does not
  /// reach expected_cos within the cap keeps the best table within it.
  size_t maxFloatLayers = 0;
  /// 0 < f <= 1: at most floor(f * layers) layers (at least 1).
  double maxFloatFraction = 0;
  /// Compare the outputs around their mean over the samples (what depends
  /// on the input), not as they are; see docs/MixedPrecision.md.
  bool centered = true;
  /// Judge tensors assembled by Concat part by part (docs/MixedPrecision.md).
  bool parts = true;
  /// Samples the sensitivity pass (the loss table) runs on: the first ones
  /// (it runs the float model once per layer and sample; the ranking it
  /// gives settles within a few samples, and every table is then checked
  /// on all of them). 0: all.
  size_t sensitivitySamples = 3;
  /// Compare tensors read through a decode (`--postprocess`), by name:
  /// compared after it (sigmoids, DFL softmax probabilities), so that
  /// values the decode maps to the same result do not count as errors.
  std::map<std::string, calibration::OutputDecode> outputDecodes;
};

/// One layer of the loss table.
struct LayerLoss {
  std::string name;
  /// Type of the Top op, e.g. "top.Conv".
  std::string type;
  /// Output similarity (weighted cosine, mean over samples) of the float
  /// model with only this layer in INT8.
  double outputCos = 1;
  /// The layer's own cosine in INT8 on float inputs.
  double layerCos = 1;
};

/// What the greedy walk saw at one layer (tpu-mlir's log).
struct GreedyStep {
  std::string name;
  double layerCos = 1;
  /// Output similarity after moving the layer and its successors to float;
  /// NaN when the layer stayed INT8.
  double outputCos = 0;
  bool kept = false;
};

struct SearchResult {
  size_t numSamples = 0;
  /// Of which the loss table is measured on.
  size_t sensitivitySamples = 0;
  /// Top ops (what the table may name), and those the search considers.
  size_t numOps = 0;
  size_t numCandidates = 0;
  /// Output similarity of the all-INT8 model to the all-float one.
  double int8Cos = 0;
  /// Of the model the table describes.
  double finalCos = 0;
  bool reachedExpected = false;
  /// Why the search stopped, for the summary.
  std::string stopReason;
  /// The table, in model order.
  std::vector<std::string> floatLayers;
  /// Every candidate, worst (lowest outputCos) first.
  std::vector<LayerLoss> lossTable;
  std::vector<GreedyStep> greedySteps;
  /// Mixed models built and run (each on every sample).
  size_t modelsEvaluated = 0;
  double seconds = 0, referenceSeconds = 0, sensitivitySeconds = 0,
         searchSeconds = 0;
};

/// Progress of a search, for the tool's console.
class SearchObserver {
public:
  virtual ~SearchObserver();
  /// One line of the search log (a layer moved, a candidate tried, ...).
  virtual void note(const std::string &line) {}
  /// A long pass started / advanced / ended.
  virtual void phaseStarted(llvm::StringRef phase, size_t total) {}
  virtual void progress(size_t done) {}
  virtual void phaseFinished() {}
};

/// Searches the layers of `top` (a TOP_F32 module) to keep in float, on
/// `samples` (network inputs by name). Errors are one line naming the
/// tensor or option; a lowering or interpreter failure says which model
/// failed and carries the first diagnostic (the others are not printed).
llvm::Expected<SearchResult>
searchMixedPrecision(mlir::ModuleOp top, const std::vector<TensorMap> &samples,
                     const SearchOptions &options, SearchObserver &observer);

/// The table file model_deploy --quantize_table reads, in tpu-mlir's
/// layout (its header comments, `###`, then `name MODE` lines). `date` is
/// the "genetated time" line's value.
std::string formatQuantTable(const SearchResult &result,
                             const SearchOptions &options,
                             llvm::StringRef date);

/// The loss table in tpu-mlir's layout (`No.<i>: Layer: <name> ... Cos:
/// <cos>`), worst first, with the layer's own cosine and type added.
std::string formatLossTable(const SearchResult &result,
                            const SearchOptions &options, llvm::StringRef date);

/// Parses --global_compare_layers: `a,b` (equal weights) or `a:0.3,b:0.7`
/// (weights summing to 1, as tpu-mlir requires).
llvm::Expected<std::vector<CompareLayer>>
parseCompareLayers(llvm::StringRef text);

} // namespace tpuc::mix

#endif // TPUC_QUANT_MIXEDPRECISION_MIXEDPRECISION_H
