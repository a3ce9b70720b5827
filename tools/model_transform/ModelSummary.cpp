//===- ModelSummary.cpp - One-screen description of a Top module ----------===//

#include "ModelSummary.h"

#include "tpuc/Dialect/Top/TopOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

#include <algorithm>

using namespace mlir;

namespace tpuc {

static std::string describeValue(Value value) {
  auto type = dyn_cast<ShapedType>(value.getType());
  std::string shape = type && type.hasRank()
                          ? top::shapeToString(type.getShape())
                          : std::string("?");
  return top::getTensorName(value) + " " + shape;
}

void printModelSummary(ModuleOp module, llvm::raw_ostream &os) {
  llvm::StringMap<int64_t> opCounts;
  int64_t flops = 0, weightBytes = 0, weightCount = 0, opCount = 0;
  SmallVector<std::string> inputs, outputs;
  module.walk([&](Operation *op) {
    if (auto input = dyn_cast<top::InputOp>(op)) {
      inputs.push_back(describeValue(input.getOutput()));
    } else if (auto weight = dyn_cast<top::WeightOp>(op)) {
      auto type = cast<ShapedType>(weight.getType());
      weightBytes +=
          type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
      ++weightCount;
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value value : ret.getOperands())
        outputs.push_back(describeValue(value));
    } else if (isa<top::TopDialect>(op->getDialect()) &&
               !isa<top::NoneOp>(op)) {
      ++opCounts[op->getName().stripDialect()];
      ++opCount;
      if (auto counted = dyn_cast<top::FlopsOpInterface>(op))
        flops += counted.getFLOPs();
    }
  });

  os << "inputs:\n";
  for (const std::string &input : inputs)
    os << "  " << input << "\n";
  os << "outputs:\n";
  for (const std::string &output : outputs)
    os << "  " << output << "\n";

  // Most frequent first; ties by name so the order is stable.
  std::vector<std::pair<std::string, int64_t>> histogram;
  size_t width = 0;
  for (const auto &entry : opCounts) {
    histogram.emplace_back(entry.getKey().str(), entry.getValue());
    width = std::max(width, entry.getKey().size());
  }
  llvm::sort(histogram, [](const auto &a, const auto &b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  os << "ops: " << opCount << "\n";
  for (const auto &[name, count] : histogram)
    os << "  " << name << std::string(width - name.size(), ' ') << "  " << count
       << "\n";
  os << "FLOPs: " << llvm::format("%.3f", flops / 1e9) << " G (" << flops
     << ")\n";
  os << "weights: " << weightCount << " tensors, "
     << llvm::format("%.2f", weightBytes / (1024.0 * 1024.0)) << " MiB ("
     << weightBytes << " bytes)\n";
}

} // namespace tpuc
