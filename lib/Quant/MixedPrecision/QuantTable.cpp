//===- QuantTable.cpp - The files run_qtable writes -----------------------===//
//
// Both tables keep tpu-mlir's layout, so that scripts written for its
// run_qtable read them: the qtable's header comments (including the
// reference's "genetated" spelling) and `name MODE` lines, and the loss
// table's `No.<i>: Layer: <name>\t\t\tCos: <cos>` lines.
//
//===----------------------------------------------------------------------===//

#include "tpuc/Quant/MixedPrecision/MixedPrecision.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <cstdio>

namespace tpuc::mix {
namespace {

std::string format(const char *pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), pattern, value);
  return buffer;
}

std::string header(const SearchResult &result, const SearchOptions &options,
                   llvm::StringRef date) {
  std::string mode = stringifyQuantMode(options.floatMode).str();
  return "# genetated time: " + date.str() + "\n" +
         "# sample number: " + std::to_string(result.numSamples) + "\n" +
         "# chip: " + options.chip + "  mix_mode: " + mode + "\n";
}

} // namespace

std::string formatQuantTable(const SearchResult &result,
                             const SearchOptions &options,
                             llvm::StringRef date) {
  std::string mode = stringifyQuantMode(options.floatMode).str();
  std::string out = header(result, options, date);
  out += "# number of " + mode +
         " layer: " + std::to_string(result.floatLayers.size()) + "\n";
  out +=
      "# tool: tpuc run_qtable, search " +
      std::string(options.method == SearchMethod::Greedy ? "greedy" : "fast") +
      ", expected_cos " + format("%g", options.expectedCos) +
      ", min_layer_cos " + format("%g", options.minLayerCos) + "\n";
  out += "# outputs cos to the all-" + mode + " model: all INT8 " +
         format("%.6f", result.int8Cos) + ", this table " +
         format("%.6f", result.finalCos) + "\n";
  out += "###\n# op_name   quantize_mode\n";
  for (const std::string &name : result.floatLayers)
    out += name + " " + mode + "\n";
  return out;
}

std::string formatLossTable(const SearchResult &result,
                            const SearchOptions &options,
                            llvm::StringRef date) {
  std::string out = header(result, options, date);
  out += "# measured on the first " +
         std::to_string(result.sensitivitySamples) + " sample(s)\n";
  out += "# each layer alone in INT8, every other layer float; Cos: the "
         "outputs' cosine to the float model, layer_cos: the layer's own "
         "(INT8 on float inputs)\n";
  out += "###\n";
  for (auto [index, layer] : llvm::enumerate(result.lossTable)) {
    char line[64];
    std::snprintf(line, sizeof(line), "No.%-4zu: Layer: ", index);
    std::string name = layer.name;
    if (name.size() < 50)
      name += std::string(50 - name.size(), ' ');
    out += line + name + "\t\t\tCos: " + format("%.6f", layer.outputCos) +
           "\tlayer_cos: " + format("%.6f", layer.layerCos) +
           "\ttype: " + layer.type + "\n";
  }
  return out;
}

llvm::Expected<std::vector<CompareLayer>>
parseCompareLayers(llvm::StringRef text) {
  auto error = [&](const llvm::Twine &why) {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        ("--global_compare_layers '" + text + "': " + why).str().c_str());
  };
  std::vector<CompareLayer> layers;
  llvm::StringRef trimmed = text.trim();
  // Quotes that survived a script's quoting.
  if (trimmed.size() >= 2 &&
      (trimmed.front() == '\'' || trimmed.front() == '"') &&
      trimmed.back() == trimmed.front())
    trimmed = trimmed.drop_front().drop_back();
  llvm::SmallVector<llvm::StringRef> items;
  trimmed.split(items, ',', -1, /*KeepEmpty=*/false);
  size_t weighted = 0;
  llvm::StringSet<> seen;
  for (llvm::StringRef item : items) {
    item = item.trim();
    if (item.empty())
      continue;
    CompareLayer layer;
    // Names may contain ':' only if a weight follows the last one.
    auto [name, weight] = item.rsplit(':');
    if (item.contains(':')) {
      double value;
      if (weight.trim().getAsDouble(value) || !std::isfinite(value) ||
          value <= 0)
        return error("bad weight '" + weight.trim() + "' of '" + name.trim() +
                     "' (expected a positive number)");
      layer.weight = value;
      ++weighted;
      item = name;
    }
    layer.name = item.trim().str();
    if (layer.name.empty())
      return error("empty layer name");
    if (!seen.insert(layer.name).second)
      return error("'" + layer.name + "' is listed twice");
    layers.push_back(std::move(layer));
  }
  if (layers.empty())
    return error("no layer names");
  if (weighted != 0 && weighted != layers.size())
    return error("give a weight to every layer or to none");
  if (weighted) {
    double sum = 0;
    for (const CompareLayer &layer : layers)
      sum += layer.weight;
    if (std::fabs(sum - 1) > 1e-6)
      return error("the weights sum to " + format("%g", sum) + ", not 1");
  }
  return layers;
}

} // namespace tpuc::mix
