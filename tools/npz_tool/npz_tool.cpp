//===- npz_tool.cpp - Inspect, compare and slice .npz archives ------------===//
//
// Subcommands: compare, list, dump, extract. See printUsage().
//
//===----------------------------------------------------------------------===//

#include "tpuc/Dialect/Top/TopUtils.h"
#include "tpuc/Support/Compare.h"
#include "tpuc/Support/LayerReport.h"
#include "tpuc/Support/Npz.h"
#include "tpuc/Support/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace llvm;
using namespace tpuc;

namespace {

const char *const kUsage =
    R"(usage: npz_tool <command> [arguments]

commands:
  compare <a.npz> <b.npz> [--tolerance COS,EUCLID] [--excepts N1,N2,...] [-v|-vv]
          [--mlir MODEL.mlir] [--report_csv F.csv] [--report_png F.png]
      Compares every tensor present in both archives (in the order of a.npz,
      or in the model's order with --mlir) and fails if cosine < COS or
      euclidean similarity < EUCLID (default 0.99,0.99). -v adds the max abs
      difference, -vv also dtypes, shapes and where the largest difference
      is. --report_csv/--report_png write every compared tensor as CSV and
      as a plot of its cosine, the tensors below the tolerance marked, the
      first of them named. Exit status 1 if any tensor failed.
  list <f.npz>
      One line per tensor: name, dtype, shape.
  dump <f.npz> [name] [--count N]
      Shape, dtype, the first N values (default 16) and min/max/mean of each
      tensor, or of one.
  extract <in.npz> <out.npz> <name1,name2,...> [--compress]
      Writes the named tensors into a new archive (deflated with
      --compress). Nothing is written if any name is missing.
)";

/// Every failure ends as one stderr line and exit status 1.
int fail(const Twine &message) {
  // Keep the error after the output it interrupts when both go to a pipe.
  outs().flush();
  errs() << "npz_tool: error: " << message << "\n";
  return 1;
}

int usageError(const Twine &message) {
  return fail(message + "; run 'npz_tool --help' for usage");
}

int fail(Error err) { return fail(toString(std::move(err))); }

/// Arguments after the subcommand, split into options and positionals.
struct Args {
  std::vector<std::string> positionals;
  std::string tolerance, excepts, count;
  std::string mlir, reportCsv, reportPng;
  bool haveTolerance = false, haveExcepts = false, haveCount = false;
  bool haveMlir = false, haveReportCsv = false, haveReportPng = false;
  bool compress = false;
  int verbosity = 0;
};

/// Parses the options every subcommand may use; the caller rejects the ones
/// it does not accept. Returns an error message, or "" on success.
std::string parseArgs(ArrayRef<const char *> argv, Args &args) {
  bool onlyPositionals = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    StringRef arg = argv[i];
    if (onlyPositionals || arg == "-" || !arg.starts_with("-")) {
      args.positionals.push_back(arg.str());
      continue;
    }
    if (arg == "--") {
      onlyPositionals = true;
      continue;
    }
    if (arg == "-v" || arg == "--verbose") {
      args.verbosity += 1;
      continue;
    }
    if (arg == "-vv") {
      args.verbosity += 2;
      continue;
    }
    if (arg == "--compress") {
      args.compress = true;
      continue;
    }
    auto [flag, inlineValue] = arg.split('=');
    std::string *slot = nullptr;
    bool *seen = nullptr;
    if (flag == "--tolerance") {
      slot = &args.tolerance;
      seen = &args.haveTolerance;
    } else if (flag == "--excepts") {
      slot = &args.excepts;
      seen = &args.haveExcepts;
    } else if (flag == "--count") {
      slot = &args.count;
      seen = &args.haveCount;
    } else if (flag == "--mlir") {
      slot = &args.mlir;
      seen = &args.haveMlir;
    } else if (flag == "--report_csv") {
      slot = &args.reportCsv;
      seen = &args.haveReportCsv;
    } else if (flag == "--report_png") {
      slot = &args.reportPng;
      seen = &args.haveReportPng;
    } else {
      return "unknown option '" + arg.str() + "'";
    }
    if (arg.contains('=')) {
      *slot = inlineValue.str();
    } else {
      if (i + 1 == argv.size())
        return "option '" + flag.str() + "' needs a value";
      *slot = argv[++i];
    }
    *seen = true;
  }
  return "";
}

/// Splits "a,b,c", tolerating surrounding quotes that survive some shells
/// and scripts, and dropping empty items.
std::vector<std::string> splitList(StringRef text) {
  text = text.trim();
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front())
    text = text.drop_front().drop_back();
  SmallVector<StringRef> parts;
  text.split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::vector<std::string> items;
  for (StringRef part : parts)
    if (!part.trim().empty())
      items.push_back(part.trim().str());
  return items;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

/// Formats with the fewest significant digits that read back as the same
/// value of the element's type, as numpy prints.
template <typename Pred>
std::string shortestDigits(double value, int maxDigits, Pred roundTrips) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buf[64];
  for (int digits = 1;; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, value);
    if (digits >= maxDigits || roundTrips(buf))
      return buf;
  }
}

template <typename T> T load(const NpyArray &array, size_t i) {
  T value;
  std::memcpy(&value, array.bytes.data() + i * sizeof(T), sizeof(T));
  return value;
}

/// Element `i` as a double; exact except for i64 beyond 2^53.
double elementValue(const NpyArray &array, size_t i) {
  switch (array.dtype) {
  case DType::F32:
    return load<float>(array, i);
  case DType::F64:
    return load<double>(array, i);
  case DType::F16:
    return halfToFloat(load<uint16_t>(array, i));
  case DType::I8:
    return load<int8_t>(array, i);
  case DType::U8:
    return load<uint8_t>(array, i);
  case DType::I16:
    return load<int16_t>(array, i);
  case DType::U16:
    return load<uint16_t>(array, i);
  case DType::I32:
    return load<int32_t>(array, i);
  case DType::I64:
    return double(load<int64_t>(array, i));
  case DType::Bool:
    return load<uint8_t>(array, i) ? 1 : 0;
  }
  return 0;
}

std::string formatElement(const NpyArray &array, size_t i) {
  switch (array.dtype) {
  case DType::F32: {
    float value = load<float>(array, i);
    return shortestDigits(value, 9, [&](const char *text) {
      return std::strtof(text, nullptr) == value;
    });
  }
  case DType::F64: {
    double value = load<double>(array, i);
    return shortestDigits(value, 17, [&](const char *text) {
      return std::strtod(text, nullptr) == value;
    });
  }
  case DType::F16: {
    uint16_t bits = load<uint16_t>(array, i);
    return shortestDigits(halfToFloat(bits), 5, [&](const char *text) {
      return floatToHalf(std::strtof(text, nullptr)) == bits;
    });
  }
  case DType::I64:
    return std::to_string(load<int64_t>(array, i));
  default:
    // Every other integer type fits a double exactly.
    return std::to_string(int64_t(elementValue(array, i)));
  }
}

std::string formatDouble(double value, const char *format) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, value);
  return buf;
}

//===----------------------------------------------------------------------===//
// compare
//===----------------------------------------------------------------------===//

int runCompare(const Args &args) {
  if (args.positionals.size() != 2)
    return usageError("compare needs two archives");
  if (args.haveCount || args.compress)
    return usageError("compare takes no --count or --compress");
  double tolCos = 0.99, tolEuclid = 0.99;
  if (args.haveTolerance) {
    std::vector<std::string> parts = splitList(args.tolerance);
    if (parts.size() != 2 || StringRef(parts[0]).getAsDouble(tolCos) ||
        StringRef(parts[1]).getAsDouble(tolEuclid))
      return usageError("malformed --tolerance '" + args.tolerance +
                        "': expected COS,EUCLID such as 0.99,0.99");
  }
  StringSet<> excepts;
  for (const std::string &name : splitList(args.excepts))
    excepts.insert(name);
  for (auto [flag, path] :
       {std::pair<StringRef, const std::string &>{"report_csv", args.reportCsv},
        {"report_png", args.reportPng}})
    if (Error err = checkReportPath(path, flag))
      return fail(std::move(err));
  if ((args.haveReportCsv && args.reportCsv.empty()) ||
      (args.haveReportPng && args.reportPng.empty()) ||
      (args.haveMlir && args.mlir.empty()))
    return usageError("--mlir, --report_csv and --report_png need a file");

  const std::string &pathA = args.positionals[0], &pathB = args.positionals[1];
  auto readerA = NpzReader::open(pathA);
  if (!readerA)
    return fail(readerA.takeError());
  auto readerB = NpzReader::open(pathB);
  if (!readerB)
    return fail(readerB.takeError());
  const NpzReader &a = **readerA, &b = **readerB;

  // With a model, tensors go in its order (the first failure is then the
  // first tensor that diverges); the others follow in a.npz's order.
  std::vector<std::string> order = a.names();
  StringSet<> outputs;
  if (args.haveMlir) {
    mlir::MLIRContext ctx;
    OneLineDiagnostics diagnostics(&ctx, "npz_tool");
    auto module = loadModule(ctx, args.mlir);
    if (!module)
      return 1;
    StringMap<size_t> position;
    module->walk([&](mlir::Operation *op) {
      for (mlir::Value v : op->getResults()) {
        std::string name = top::getTensorName(v);
        if (!name.empty())
          position.try_emplace(name, position.size());
      }
      if (auto ret = mlir::dyn_cast<mlir::func::ReturnOp>(op))
        for (mlir::Value v : ret.getOperands())
          outputs.insert(top::getTensorName(v));
    });
    std::stable_sort(order.begin(), order.end(),
                     [&](const std::string &x, const std::string &y) {
                       auto px = position.find(x), py = position.find(y);
                       size_t ix = px == position.end() ? SIZE_MAX : px->second;
                       size_t iy = py == position.end() ? SIZE_MAX : py->second;
                       return ix < iy;
                     });
  }
  std::vector<LayerReportEntry> report;

  size_t width = 0;
  for (const std::string &name : a.names())
    width = std::max(width, name.size());
  for (const std::string &name : b.names())
    width = std::max(width, name.size());
  auto padded = [&](StringRef name) {
    return name.str() + std::string(width - name.size(), ' ');
  };

  unsigned compared = 0, passed = 0, failed = 0, skipped = 0;
  auto skip = [&](StringRef name, const Twine &why) {
    outs() << padded(name) << "  SKIPPED (" << why << ")\n";
    ++skipped;
  };

  for (const std::string &name : order) {
    if (excepts.contains(name)) {
      skip(name, "excepted");
      continue;
    }
    if (!b.contains(name)) {
      skip(name, "only in " + pathA);
      continue;
    }
    Expected<NpyArray> arrayA = a.read(name);
    if (!arrayA)
      return fail(arrayA.takeError());
    Expected<NpyArray> arrayB = b.read(name);
    if (!arrayB)
      return fail(arrayB.takeError());
    ++compared;
    outs() << padded(name);
    if (arrayA->numel() != arrayB->numel()) {
      outs() << "  shape mismatch " << formatShape(arrayA->shape) << " vs "
             << formatShape(arrayB->shape) << "  FAILED\n";
      ++failed;
      Similarity none;
      none.cosine = none.euclidean = none.sqnrDb = none.maxAbsDiff =
          std::numeric_limits<double>::quiet_NaN();
      report.push_back({name, none, false, outputs.contains(name)});
      continue;
    }
    std::vector<float> valuesA = arrayA->toFloat(), valuesB = arrayB->toFloat();
    Similarity s = computeSimilarity(valuesA, valuesB);
    // Written so that NaN similarities (from NaN/inf elements) fail.
    bool ok = s.cosine >= tolCos && s.euclidean >= tolEuclid;
    outs() << "  cos " << formatDouble(s.cosine, "%.6f") << "  euclid "
           << formatDouble(s.euclidean, "%.6f") << "  sqnr "
           << formatDouble(s.sqnrDb, "%.1f") << "dB";
    if (args.verbosity >= 1)
      outs() << "  max_abs_diff " << formatDouble(s.maxAbsDiff, "%.6g");
    outs() << "  " << (ok ? "PASSED" : "FAILED") << "\n";
    ++(ok ? passed : failed);
    report.push_back({name, s, ok, outputs.contains(name)});
    if (args.verbosity >= 2) {
      outs() << "    a: " << dtypeName(arrayA->dtype) << " "
             << formatShape(arrayA->shape)
             << "  b: " << dtypeName(arrayB->dtype) << " "
             << formatShape(arrayB->shape);
      // The first NaN difference is the most telling; otherwise the largest.
      size_t worst = valuesA.size();
      double worstDiff = -1;
      for (size_t i = 0; i < valuesA.size(); ++i) {
        double diff = std::fabs(double(valuesA[i]) - double(valuesB[i]));
        if (std::isnan(diff)) {
          worst = i;
          break;
        }
        if (diff > worstDiff) {
          worst = i;
          worstDiff = diff;
        }
      }
      if (worst != valuesA.size())
        outs() << "  max diff at " << worst << ": "
               << formatElement(*arrayA, worst) << " vs "
               << formatElement(*arrayB, worst);
      outs() << "\n";
    }
  }
  for (const std::string &name : b.names()) {
    if (a.contains(name))
      continue;
    if (excepts.contains(name))
      skip(name, "excepted");
    else
      skip(name, "only in " + pathB);
  }
  outs() << compared << " compared, " << passed << " passed, " << failed
         << " failed, " << skipped << " skipped\n";
  if (args.haveReportCsv || args.haveReportPng) {
    LayerReportOptions options;
    options.tolCos = tolCos;
    options.tolEuclid = tolEuclid;
    options.title = "npz_tool compare " + pathA + " " + pathB;
    if (Error err =
            writeLayerReport(report, options, args.reportCsv, args.reportPng))
      return fail(std::move(err));
  }
  return failed ? 1 : 0;
}

//===----------------------------------------------------------------------===//
// list, dump
//===----------------------------------------------------------------------===//

/// Options only compare takes.
bool hasCompareOptions(const Args &args) {
  return args.haveMlir || args.haveReportCsv || args.haveReportPng;
}

int runList(const Args &args) {
  if (args.positionals.size() != 1)
    return usageError("list needs exactly one archive");
  if (args.haveTolerance || args.haveExcepts || args.haveCount ||
      args.compress || args.verbosity || hasCompareOptions(args))
    return usageError("list takes no options");
  auto reader = NpzReader::open(args.positionals[0]);
  if (!reader)
    return fail(reader.takeError());
  for (const std::string &name : (*reader)->names()) {
    Expected<NpyArray> array = (*reader)->read(name);
    if (!array)
      return fail(array.takeError());
    outs() << name << "  " << dtypeName(array->dtype) << "  "
           << formatShape(array->shape) << "\n";
  }
  return 0;
}

void dumpArray(StringRef name, const NpyArray &array, uint64_t count) {
  outs() << name << "  " << dtypeName(array.dtype) << "  "
         << formatShape(array.shape) << "\n";
  size_t n = array.numel();
  if (n == 0) {
    outs() << "  (empty)\n";
    return;
  }
  if (count > 0) {
    outs() << "  values:";
    for (size_t i = 0; i < std::min<uint64_t>(n, count); ++i)
      outs() << " " << formatElement(array, i);
    outs() << (count < n ? " ...\n" : "\n");
  }
  // NaNs would swallow min/max/mean; report them separately instead.
  size_t minIndex = n, maxIndex = n, nanCount = 0;
  double sum = 0, minValue = 0, maxValue = 0;
  for (size_t i = 0; i < n; ++i) {
    double value = elementValue(array, i);
    if (std::isnan(value)) {
      ++nanCount;
      continue;
    }
    sum += value;
    if (minIndex == n || value < minValue) {
      minIndex = i;
      minValue = value;
    }
    if (maxIndex == n || value > maxValue) {
      maxIndex = i;
      maxValue = value;
    }
  }
  if (minIndex == n) {
    outs() << "  min nan  max nan  mean nan\n";
    return;
  }
  outs() << "  min " << formatElement(array, minIndex) << "  max "
         << formatElement(array, maxIndex) << "  mean "
         << formatDouble(sum / double(n - nanCount), "%.6g");
  if (nanCount)
    outs() << "  nan " << nanCount;
  outs() << "\n";
}

int runDump(const Args &args) {
  if (args.positionals.empty() || args.positionals.size() > 2)
    return usageError("dump needs an archive and optionally a tensor name");
  if (args.haveTolerance || args.haveExcepts || args.compress ||
      args.verbosity || hasCompareOptions(args))
    return usageError("dump takes only --count");
  uint64_t count = 16;
  if (args.haveCount && StringRef(args.count).trim().getAsInteger(10, count))
    return usageError("malformed --count '" + args.count +
                      "': expected a non-negative integer");
  auto reader = NpzReader::open(args.positionals[0]);
  if (!reader)
    return fail(reader.takeError());
  const NpzReader &archive = **reader;
  std::vector<std::string> names = archive.names();
  if (args.positionals.size() == 2) {
    const std::string &name = args.positionals[1];
    if (!archive.contains(name))
      return fail(archive.path() + ": tensor '" + name +
                  "': no such tensor in archive");
    names = {name};
  }
  for (const std::string &name : names) {
    Expected<NpyArray> array = archive.read(name);
    if (!array)
      return fail(array.takeError());
    dumpArray(name, *array, count);
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// extract
//===----------------------------------------------------------------------===//

int runExtract(const Args &args) {
  if (args.positionals.size() < 3)
    return usageError("extract needs an input archive, an output archive and "
                      "tensor names");
  if (args.haveTolerance || args.haveExcepts || args.haveCount ||
      args.verbosity || hasCompareOptions(args))
    return usageError("extract takes only --compress");
  std::vector<std::string> names;
  for (size_t i = 2; i < args.positionals.size(); ++i)
    for (std::string &name : splitList(args.positionals[i]))
      names.push_back(std::move(name));
  if (names.empty())
    return usageError("extract needs at least one tensor name");

  auto reader = NpzReader::open(args.positionals[0]);
  if (!reader)
    return fail(reader.takeError());
  const NpzReader &archive = **reader;
  // Check every name before reading anything, so a typo fails fast.
  for (const std::string &name : names)
    if (!archive.contains(name))
      return fail(archive.path() + ": tensor '" + name +
                  "': no such tensor in archive");
  NpzMap arrays;
  for (const std::string &name : names) {
    if (arrays.count(name))
      continue;
    Expected<NpyArray> array = archive.read(name);
    if (!array)
      return fail(array.takeError());
    arrays.emplace(name, std::move(*array));
  }
  if (Error err = writeNpz(args.positionals[1], arrays, args.compress))
    return fail(std::move(err));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usageError("no command given");
  StringRef command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    outs() << kUsage;
    return 0;
  }
  ArrayRef<const char *> rest(argv + 2, argv + argc);
  if (is_contained(rest, StringRef("--help")) ||
      is_contained(rest, StringRef("-h"))) {
    outs() << kUsage;
    return 0;
  }
  Args args;
  std::string problem = parseArgs(rest, args);
  if (!problem.empty())
    return usageError(problem);
  if (command == "compare")
    return runCompare(args);
  if (command == "list")
    return runList(args);
  if (command == "dump")
    return runDump(args);
  if (command == "extract")
    return runExtract(args);
  return usageError("unknown command '" + command + "'");
}
