//===- CalibrationTableTest.cpp - Table reading and writing ---------------===//

#include "tpuc/Quant/Calibration/CalibrationTable.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

using namespace tpuc::calibration;

namespace {

CalibrationTable parseOk(llvm::StringRef text,
                         std::vector<std::string> *notes = nullptr) {
  auto table = parseCalibrationTable(text, "t.txt", notes);
  if (!table) {
    ADD_FAILURE() << llvm::toString(table.takeError());
    return CalibrationTable();
  }
  return std::move(*table);
}

std::string parseError(llvm::StringRef text) {
  auto table = parseCalibrationTable(text, "t.txt");
  if (table) {
    ADD_FAILURE() << "parsed: " << text.str();
    return "";
  }
  return llvm::toString(table.takeError());
}

TEST(CalibrationTable, WritesTheReferenceLayout) {
  CalibrationTable table;
  table.header = {"# tool: test", "# sample number: 3"};
  ASSERT_TRUE(table.add({"images", 1.0, 0.0, 1.0}));
  ASSERT_TRUE(
      table.add({"/model.0/conv/Conv_output_0", 12.3456789, -7.5, 12.3456789}));
  ASSERT_TRUE(table.add({"tiny", 1e-5, -1e-9, 0.0}));
  EXPECT_FALSE(table.add({"images", 2.0, 0.0, 2.0}));
  EXPECT_EQ(printCalibrationTable(table),
            "# tool: test\n"
            "# sample number: 3\n"
            "###\n"
            "# op_name    threshold    min    max\n"
            "images 1.0000000 0.0000000 1.0000000\n"
            "/model.0/conv/Conv_output_0 12.3456789 -7.5000000 12.3456789\n"
            "tiny 0.0000100 -0.0000000 0.0000000\n");
}

TEST(CalibrationTable, RoundTrip) {
  CalibrationTable table;
  table.header = {"# mlir: m.mlir"};
  table.add({"a", 0.1234567, -0.1, 0.1234567});
  table.add({"b", 255.0, 0.0, 300.0});
  table.int4Entries.push_back({"a", 0.05, -0.0571429, 0.05});
  table.asymOps = {"silu1", "conv2"};
  table.weightScales.push_back({"conv2_weight", {0.00123456789, 0.5}});
  IgnoredBlock block;
  block.marker = "#future_block";
  block.lines = {"x 1 2", "y"};
  table.ignoredBlocks.push_back(block);
  std::string text = printCalibrationTable(table);
  CalibrationTable again = parseOk(text);
  EXPECT_EQ(printCalibrationTable(again), text);
  ASSERT_EQ(again.entries.size(), 2u);
  EXPECT_EQ(again.lookup("b")->max, 300.0);
  EXPECT_EQ(again.asymOps, table.asymOps);
  ASSERT_EQ(again.weightScales.size(), 1u);
  EXPECT_DOUBLE_EQ(again.weightScales[0].scales[0], 0.00123456789);
  ASSERT_EQ(again.ignoredBlocks.size(), 1u);
  EXPECT_EQ(again.ignoredBlocks[0].lines, block.lines);

  // Through a file, as the tool writes it.
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("cali", "txt", path));
  ASSERT_FALSE(static_cast<bool>(writeCalibrationTable(path, table)));
  auto read = readCalibrationTable(path);
  ASSERT_TRUE(static_cast<bool>(read)) << llvm::toString(read.takeError());
  EXPECT_EQ(printCalibrationTable(*read), text);
  llvm::sys::fs::remove(path);
}

TEST(CalibrationTable, ReadsTpuMlirTables) {
  // As tpu-mlir writes them, with CRLF line ends, tabs, an fp8-free
  // header, the optional blocks and one block nobody knows.
  std::vector<std::string> notes;
  CalibrationTable table =
      parseOk("# mlir version: 1.7\r\n"
              "# mlir: yolov5s.mlir\r\n"
              "# genetated time: 2024-05-14 10:23:45.123456\r\n"
              "# histogram number: 2048\r\n"
              "# sample number: 100\r\n"
              "# tune number: 5\r\n"
              "###\r\n"
              "# op_name    threshold    min    max\r\n"
              "images 1.0000000 0.0000000 1.0000000\r\n"
              "122_Conv\t5.1234567\t-6.0\t4.9e+00\r\n"
              "\r\n"
              "#int4_th\n"
              "122_Conv 2.0 -2.2857143 2.0\n"
              "#asym_op\n"
              "124_Mul\n"
              "#weight_scale\n"
              "126_Conv_weight 3 0.1 0.2 0.3\n"
              "#something_new version 2\n"
              "a b c d e\n"
              "f\n",
              &notes);
  EXPECT_EQ(table.header.size(), 6u);
  EXPECT_EQ(table.header[1], "# mlir: yolov5s.mlir");
  ASSERT_EQ(table.entries.size(), 2u);
  const CalibrationEntry *conv = table.lookup("122_Conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_DOUBLE_EQ(conv->threshold, 5.1234567);
  EXPECT_DOUBLE_EQ(conv->min, -6.0);
  EXPECT_DOUBLE_EQ(conv->max, 4.9);
  EXPECT_EQ(table.lookup("nothing"), nullptr);
  ASSERT_EQ(table.int4Entries.size(), 1u);
  EXPECT_EQ(table.asymOps, std::vector<std::string>{"124_Mul"});
  ASSERT_EQ(table.weightScales.size(), 1u);
  EXPECT_EQ(table.weightScales[0].scales.size(), 3u);
  ASSERT_EQ(table.ignoredBlocks.size(), 1u);
  EXPECT_EQ(table.ignoredBlocks[0].line, 18u);
  EXPECT_EQ(table.ignoredBlocks[0].lines.size(), 2u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "t.txt:18: block '#something_new version 2' (2 "
                      "line(s)) ignored");
  EXPECT_FALSE(table.isFp8());
}

TEST(CalibrationTable, Fp8AndTitleLines) {
  CalibrationTable fp8 = parseOk("#tpu-mlir-fp8 caliration table\n"
                                 "# sample number: 1\n"
                                 "###\n"
                                 "x 1.0 -1.0078740 1.0\n");
  EXPECT_TRUE(fp8.isFp8());
  EXPECT_EQ(fp8.entries.size(), 1u);
  EXPECT_EQ(printCalibrationTable(fp8).substr(0, 31),
            "#tpu-mlir-fp8 caliration table\n");
  // A title line of an unknown kind before the body is header text.
  CalibrationTable titled = parseOk("#tpu-mlir caliration table\n"
                                    "x 1.0 -1.0 1.0\n");
  EXPECT_EQ(titled.header.size(), 1u);
  EXPECT_TRUE(titled.ignoredBlocks.empty());
  // Old tables without the separator.
  CalibrationTable old = parseOk("# comment\nx 1 0 1\ny 2 -2 2\n");
  EXPECT_EQ(old.entries.size(), 2u);
}

TEST(CalibrationTable, Errors) {
  EXPECT_EQ(parseError("###\nx 1.0 0.0\n"),
            "t.txt:2: expected '<tensor> <threshold> <min> <max>', got 'x "
            "1.0 0.0'");
  EXPECT_EQ(parseError("###\nx 1.0 0.0 1.0 extra\n"),
            "t.txt:2: expected '<tensor> <threshold> <min> <max>', got 'x "
            "1.0 0.0 1.0 extra'");
  EXPECT_EQ(parseError("###\nx abc 0.0 1.0\n"),
            "t.txt:2: malformed threshold 'abc'");
  EXPECT_EQ(parseError("###\nx nan 0.0 1.0\n"),
            "t.txt:2: malformed threshold 'nan'");
  EXPECT_EQ(parseError("###\nx 1.0 -inf 1.0\n"),
            "t.txt:2: malformed min '-inf'");
  EXPECT_EQ(parseError("###\nx -1.0 0.0 1.0\n"),
            "t.txt:2: negative threshold '-1.0' for 'x'");
  EXPECT_EQ(parseError("###\nx 1 0 1\ny 1 0 1\nx 2 0 2\n"),
            "t.txt:4: tensor 'x' appears twice (first at line 2)");
  EXPECT_EQ(parseError("###\n#weight_scale\nw 3 0.1 0.2\n"),
            "t.txt:3: expected '<op>_weight <count> <scale>...' with "
            "<count> scales, got 'w 3 0.1 0.2'");
  EXPECT_EQ(parseError("###\n#asym_op\na b\n"),
            "t.txt:3: expected one op name per line, got 'a b'");
  auto missing = readCalibrationTable("/nonexistent/table");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_NE(llvm::toString(missing.takeError())
                .find("/nonexistent/table: cannot read"),
            std::string::npos);
}

} // namespace
