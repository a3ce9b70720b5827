//===- NodeTest.h - One ONNX backend node test ------------------*- C++ -*-===//
//
// An ONNX backend test directory holds `model.onnx` and `test_data_set_*/`
// folders of serialized TensorProtos (`input_N.pb`, `output_N.pb`). A test
// passes when tpuc imports the model, interprets it on every data set and
// matches every reference output.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_TOOLS_ONNXCONFORMANCE_NODETEST_H
#define TPUC_TOOLS_ONNXCONFORMANCE_NODETEST_H

#include "tpuc/Interpreter/Tensor.h"
#include "tpuc/Support/Npz.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace tpuc::conformance {

enum class Verdict { Pass, Fail, Skip };

struct TestResult {
  Verdict verdict = Verdict::Fail;
  /// One line: why it failed, or the unsupported ops of a skip.
  std::string reason;
  /// For a skip: the op types the importer does not support.
  std::vector<std::string> unsupportedOps;
  /// Graph inputs that were made constants (see runNodeTest).
  std::vector<std::string> constantInputs;
};

/// What the test needs to know of `model.onnx` besides what the importer
/// builds.
struct ModelInfo {
  /// Distinct op types of the graph's nodes in first-use order; ops outside
  /// the default domain are spelled `domain.Op`.
  std::vector<std::string> opTypes;
  /// Graph inputs that are not initializers, in order: `input_N.pb` feeds
  /// the N-th.
  std::vector<std::string> inputNames;
  /// Their declared element types (onnx::TensorProto::DataType).
  std::vector<int32_t> inputTypes;
  /// Graph outputs in order: `output_N.pb` is the N-th's reference.
  std::vector<std::string> outputNames;
  std::vector<int32_t> outputTypes;
};

llvm::Expected<ModelInfo> readModelInfo(llvm::StringRef modelPath);

/// Imports and runs the test in `testDir` on each of its data sets. Models
/// with op types the importer does not support are skipped. When the model
/// does not import as it is (typically because the importer needs operands
/// such as Reshape's shape or Slice's starts to be constants, which the node
/// tests feed as graph inputs), the test is run with every input but the
/// first made an initializer holding the data set's value; `constantInputs`
/// lists them.
TestResult runNodeTest(llvm::StringRef testDir, const ModelInfo &model);

/// Tolerance of float outputs: |got - ref| <= kAbsTol + kRelTol * |ref|.
constexpr double kAbsTol = 1e-4;
constexpr double kRelTol = 1e-4;

/// Compares an output with its reference: element counts must match, NaNs
/// must be at the same positions, floats within the tolerance above, and
/// integer or bool references exactly by value. Returns the worst mismatch
/// as one line, or nullopt when they match.
std::optional<std::string> compareOutput(llvm::StringRef name,
                                         const NpyArray &reference,
                                         const Tensor &got);

} // namespace tpuc::conformance

#endif // TPUC_TOOLS_ONNXCONFORMANCE_NODETEST_H
