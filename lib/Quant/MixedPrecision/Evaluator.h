//===- Evaluator.h - Mixed models run on the search samples -----*- C++ -*-===//
//
// The machinery both searches share: the layers of the Top model and how
// they connect, the float reference on every sample, and the measurement of
// a mixed model (which layers are float) against it. Private to
// lib/Quant/MixedPrecision. The members are defined in Evaluator.cpp (the
// runs), LayerGraph.cpp (the layer graph, compare tensors and parts),
// Similarity.cpp (the cosines) and Sensitivity.cpp (the sensitivity pass).
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_QUANT_MIXEDPRECISION_EVALUATOR_H
#define TPUC_LIB_QUANT_MIXEDPRECISION_EVALUATOR_H

#include "tpuc/Interpreter/Interpreter.h"
#include "tpuc/Quant/MixedPrecision/MixedPrecision.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace tpuc::mix {

/// A Top op: what a qtable line names.
struct Layer {
  std::string name;
  std::string type;
  mlir::Operation *op = nullptr;
  /// Indices (into Evaluator::tensors()) of its results.
  std::vector<unsigned> results;
  /// Per operand: the tensor index, or -1 for weights and `none`.
  std::vector<int> operands;
  /// Ops whose lowering follows their input's type whatever the table says
  /// (reshapes, slices, ...) are not searched: tpu-mlir's skip list.
  bool movesData = false;
  /// Layers producing its operands / reading its results.
  std::vector<unsigned> preds, succs;
};

/// A named activation of the Top model.
struct TensorInfo {
  std::string name;
  int64_t numel = 0;
  /// Layer producing it; -1 for network inputs.
  int layer = -1;
};

/// A float-mode choice: flags by layer index.
using FloatSet = std::vector<bool>;

/// Measurements of one mixed model, means over the samples.
struct Evaluation {
  /// Weighted similarity of the compare tensors.
  double outputCos = 0;
  /// Per layer (min over its results), when asked for.
  std::vector<double> layerCos;
};

/// Which tensor of a concatenation every element comes from. A tensor
/// assembled by Concat (possibly through reshapes, permutes and slices)
/// is judged part by part: coordinates in the hundreds would otherwise
/// drown scores below 1 in one cosine, and an INT8 concat that rounds every
/// score to 0 would still look almost perfect.
struct PartMap {
  /// Runs of consecutive elements of one part.
  struct Segment {
    uint32_t start, length;
    uint16_t part;
  };
  std::vector<Segment> segments;
  unsigned numParts = 1;
};

class Evaluator {
public:
  Evaluator(mlir::ModuleOp top, const std::vector<TensorMap> &samples,
            const SearchOptions &options, SearchObserver &observer);
  ~Evaluator();

  /// Builds the layer graph and runs the reference on every sample,
  /// keeping every tensor when `keepTensors` (the greedy walk compares
  /// every layer of every mixed model).
  llvm::Error prepare(bool keepTensors);

  const std::vector<Layer> &layers() const { return layers_; }
  const std::vector<TensorInfo> &tensors() const { return tensors_; }
  size_t numSamples() const { return samples_.size(); }

  /// The mixed model with `floats` in the float mode, on every sample.
  /// `withLayers` also measures every layer against the reference.
  /// `giveUpBelow`: stop early (outputCos is then an upper bound below it)
  /// once the mean cannot reach it even if the remaining samples were
  /// perfect; 0 never stops.
  llvm::Expected<Evaluation> evaluate(const FloatSet &floats, bool withLayers,
                                      double giveUpBelow = 0);

  /// For every candidate layer: the output similarity of the float model
  /// with only that layer in INT8 (its INT8 result on float inputs, taken
  /// from the INT8 model, injected into the reference and propagated
  /// through the ops it reaches), and the layer's own cosine. Measured on
  /// the first `sampleCount` samples. Others get 1, 1.
  llvm::Error sensitivity(const std::vector<bool> &candidates,
                          size_t sampleCount, std::vector<double> &outputCos,
                          std::vector<double> &layerCos);

  /// The table for `floats`, in model order.
  std::vector<std::string> names(const FloatSet &floats) const;
  size_t modelsEvaluated() const { return modelsEvaluated_; }

private:
  llvm::Error buildGraph();
  llvm::Error resolveCompareTensors();
  llvm::Error resolveCompareNames();
  llvm::Error buildPartMaps();
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  lower(const FloatSet &floats, bool allFloat);
  /// Similarity of tensor `index` (stored values with zero point `zp`) to
  /// `ref` (f32, or bf16 bits): the mean cosine of its parts.
  double similarity(unsigned index, const float *ref, const float *stored,
                    int64_t zp) const;
  double similarity(unsigned index, const uint16_t *ref, const float *stored,
                    int64_t zp) const;
  template <typename Ref>
  double similarityOf(unsigned index, const Ref *ref, const float *stored,
                      int64_t zp) const;
  /// Similarity of compare tensor `c` (stored values, real = (stored - zp)
  /// * scale) to `ref`, around the center when the outputs are centered.
  /// `ref` is in compared form (decodeForComparison); `stored` is decoded
  /// here when the tensor has a decode.
  double outputSimilarity(size_t c, const float *ref, const float *stored,
                          int64_t zp, double scale) const;
  /// Applies compare tensor `c`'s decode (if any) to its real values.
  void decodeForComparison(size_t c, float *values) const;
  /// outputSimilarity after any decode.
  double comparedSimilarity(size_t c, const float *ref, const float *stored,
                            int64_t zp, double scale) const;
  /// Weighted mean of the compare tensors' similarities.
  double combine(llvm::ArrayRef<double> compareCos) const;
  /// The reference's tensors of sample `s`, in f32.
  llvm::Error referenceTensors(size_t s, std::vector<Tensor> &out);

  mlir::ModuleOp top_;
  const std::vector<TensorMap> &samples_;
  const SearchOptions &options_;
  SearchObserver &observer_;

  std::vector<Layer> layers_;
  std::vector<TensorInfo> tensors_;
  llvm::StringMap<unsigned> tensorIndex_;
  /// Compare tensors (indices into tensors_) and their weights.
  std::vector<unsigned> compare_;
  std::vector<double> weights_;
  /// By compare tensor: its decode (no ranges: compared as it is) and
  /// shape.
  std::vector<calibration::OutputDecode> decodes_;
  std::vector<llvm::SmallVector<int64_t, 4>> compareShapes_;
  /// By tensor index; only tensors assembled by Concat have parts.
  llvm::DenseMap<unsigned, PartMap> parts_;

  /// The Top (f32) model: label maps and the sensitivity pass.
  std::unique_ptr<Interpreter> topInterp_;
  /// Every layer in the float mode: the reference of the searches.
  mlir::OwningOpRef<mlir::ModuleOp> floatModel_;
  /// By sample: the compare tensors in f32 (decoded when they have a
  /// decode), and (when kept) every tensor in bf16, whose rounding (2^-9
  /// relative) is far below any tolerance.
  std::vector<std::vector<Tensor>> refOutputs_;
  /// By compare tensor: the reference's mean over the samples (empty when
  /// the outputs are compared as they are).
  std::vector<Tensor> centers_;
  std::vector<std::vector<std::vector<uint16_t>>> refTensors_;
  bool keepTensors_ = false;
  size_t modelsEvaluated_ = 0;
};

} // namespace tpuc::mix

#endif // TPUC_LIB_QUANT_MIXEDPRECISION_EVALUATOR_H
