//===- MixedPrecisionTest.cpp - run_qtable's option and file formats ------===//

#include "tpuc/Quant/MixedPrecision/MixedPrecision.h"

#include "llvm/ADT/StringRef.h"

#include "gtest/gtest.h"

using namespace tpuc;
using namespace tpuc::mix;

namespace {

std::vector<CompareLayer> parseOk(llvm::StringRef text) {
  auto layers = parseCompareLayers(text);
  if (!layers) {
    ADD_FAILURE() << llvm::toString(layers.takeError());
    return {};
  }
  return std::move(*layers);
}

std::string parseError(llvm::StringRef text) {
  auto layers = parseCompareLayers(text);
  if (layers) {
    ADD_FAILURE() << "parsed: " << text.str();
    return "";
  }
  return llvm::toString(layers.takeError());
}

TEST(CompareLayers, NamesGetEqualWeights) {
  auto layers = parseOk("a, /model.24/Concat_output_0 ,b");
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[1].name, "/model.24/Concat_output_0");
  for (const CompareLayer &layer : layers)
    EXPECT_EQ(layer.weight, 1.0);
}

TEST(CompareLayers, WeightsAfterTheLastColon) {
  auto layers = parseOk("'x:0.3,y:0.7'");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].name, "x");
  EXPECT_DOUBLE_EQ(layers[0].weight, 0.3);
  EXPECT_DOUBLE_EQ(layers[1].weight, 0.7);
  // A name may contain ':' when a weight follows.
  layers = parseOk("ns:x:1");
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].name, "ns:x");
}

TEST(CompareLayers, Errors) {
  EXPECT_NE(parseError("a:0.5,b").find("every layer or to none"),
            std::string::npos);
  EXPECT_NE(parseError("a:0.5,b:0.6").find("sum to 1.1"), std::string::npos);
  EXPECT_NE(parseError("a:x").find("bad weight 'x'"), std::string::npos);
  EXPECT_NE(parseError("a:-1").find("positive"), std::string::npos);
  EXPECT_NE(parseError("a,a").find("listed twice"), std::string::npos);
  EXPECT_NE(parseError(" , ").find("no layer names"), std::string::npos);
  EXPECT_NE(parseError(":1").find("empty layer name"), std::string::npos);
}

SearchResult sampleResult() {
  SearchResult result;
  result.numSamples = 10;
  result.sensitivitySamples = 3;
  result.numOps = 5;
  result.int8Cos = 0.5;
  result.finalCos = 0.995;
  result.floatLayers = {"/model.24/Concat_output_0", "output"};
  result.lossTable = {{"output", "top.Concat", 0.25, 0.5},
                      {"conv1", "top.Conv", 0.999, 0.9995}};
  return result;
}

TEST(QuantTable, TpuMlirLayout) {
  SearchOptions options;
  options.chip = "cv181x";
  options.floatMode = QuantMode::BF16;
  std::string text =
      formatQuantTable(sampleResult(), options, "2024-01-02 03:04:05");
  EXPECT_EQ(llvm::StringRef(text).split('\n').first,
            "# genetated time: 2024-01-02 03:04:05");
  EXPECT_NE(text.find("# sample number: 10\n"), std::string::npos);
  EXPECT_NE(text.find("# chip: cv181x  mix_mode: BF16\n"), std::string::npos);
  EXPECT_NE(text.find("# number of BF16 layer: 2\n"), std::string::npos);
  // The entries follow the `###` and column lines, in model order.
  size_t body = text.find("###\n# op_name   quantize_mode\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(text.substr(body + 30),
            "/model.24/Concat_output_0 BF16\noutput BF16\n");
}

TEST(QuantTable, EmptyTableStillHasItsHeader) {
  SearchResult result = sampleResult();
  result.floatLayers.clear();
  SearchOptions options;
  options.chip = "bm1684x";
  options.floatMode = QuantMode::F16;
  std::string text = formatQuantTable(result, options, "d");
  EXPECT_NE(text.find("# number of F16 layer: 0\n"), std::string::npos);
  EXPECT_EQ(llvm::StringRef(text).rsplit("###\n").second,
            "# op_name   quantize_mode\n");
}

TEST(LossTable, RanksWorstFirstInTpuMlirLines) {
  SearchOptions options;
  options.chip = "cv181x";
  std::string text = formatLossTable(sampleResult(), options, "d");
  EXPECT_NE(text.find("# measured on the first 3 sample(s)\n"),
            std::string::npos);
  size_t first = text.find("No.0   : Layer: output");
  size_t second = text.find("No.1   : Layer: conv1");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_NE(text.find("\t\t\tCos: 0.250000\tlayer_cos: 0.500000\ttype: "
                      "top.Concat\n"),
            std::string::npos);
}

} // namespace
