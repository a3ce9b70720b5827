//===- onnx-conformance.cpp - ONNX backend node tests on tpuc -------------===//
//
//   tpuc-onnx-conformance [DIR] [--filter SUBSTRING]
//                         [--allow-failures-file F] [--timeout SECONDS]
//                         [--no-isolation]
//
// Runs every ONNX backend node test under DIR (default: the libonnx-testdata
// package's) through the ONNX importer and the interpreter and prints one
// line per test (PASS, FAIL with the reason, SKIP with the ops the importer
// does not support, XFAIL/XPASS for tests in the known-failures list), a
// per-op summary and finally `N passed, N failed, N skipped`. Tests that
// only import once their inputs after the first are constants (see
// NodeTest.h) are tagged `[constant inputs: ...]`.
//
// Each test runs in a forked child so that a crash or a hang in one test is
// reported as that test's failure instead of ending the run.
//
//===----------------------------------------------------------------------===//

#include "KnownFailures.h"
#include "NodeTest.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;
using namespace tpuc::conformance;

static constexpr StringLiteral kTool = "tpuc-onnx-conformance";
static constexpr StringLiteral kDefaultDir =
    "/usr/share/libonnx-testdata/data/node";
/// ctest's SKIP_RETURN_CODE for a machine without the test data.
static constexpr int kSkipExitCode = 77;

static cl::opt<std::string> dataDir(cl::Positional,
                                    cl::desc("[node test directory]"),
                                    cl::init(kDefaultDir.str()));
static cl::opt<std::string>
    filter("filter", cl::desc("Only run tests whose name contains this"),
           cl::value_desc("substring"));
static cl::opt<std::string> knownFailuresPath(
    "allow-failures-file",
    cl::desc("Known failures ('test_name: reason' lines): they are reported "
             "as XFAIL; listed tests that pass (XPASS) fail the run"),
    cl::value_desc("file"));
static cl::opt<unsigned>
    timeoutSeconds("timeout", cl::desc("Seconds a test may take (default 120)"),
                   cl::init(120));
static cl::opt<bool>
    noIsolation("no-isolation",
                cl::desc("Run the tests in this process (for debuggers)"));

namespace {

TestResult failure(const Twine &reason) {
  return {Verdict::Fail, reason.str(), {}};
}

std::string oneLine(StringRef text) {
  std::string line = text.str();
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

/// Result of a child: verdict letter, reason, unsupported ops and constant
/// inputs, one per line.
std::string encode(const TestResult &result) {
  char verdict = result.verdict == Verdict::Pass   ? 'P'
                 : result.verdict == Verdict::Skip ? 'S'
                                                   : 'F';
  return std::string(1, verdict) + "\n" + oneLine(result.reason) + "\n" +
         join(result.unsupportedOps, ",") + "\n" +
         join(result.constantInputs, ",") + "\n";
}

bool decode(StringRef text, TestResult &result) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  if (lines.size() != 5 || lines[0].size() != 1)
    return false;
  switch (lines[0][0]) {
  case 'P':
    result.verdict = Verdict::Pass;
    break;
  case 'S':
    result.verdict = Verdict::Skip;
    break;
  case 'F':
    result.verdict = Verdict::Fail;
    break;
  default:
    return false;
  }
  result.reason = lines[1].str();
  SmallVector<StringRef> ops;
  lines[2].split(ops, ',', -1, /*KeepEmpty=*/false);
  for (StringRef op : ops)
    result.unsupportedOps.push_back(op.str());
  SmallVector<StringRef> constants;
  lines[3].split(constants, ',', -1, /*KeepEmpty=*/false);
  for (StringRef name : constants)
    result.constantInputs.push_back(name.str());
  return true;
}

/// The most telling line a crashed child wrote to stderr: the first that is
/// not part of LLVM's stack dump (an assertion or "LLVM ERROR" message).
std::string crashMessage(FILE *log) {
  if (!log)
    return "";
  std::string text;
  std::rewind(log);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), log)) > 0 &&
         text.size() < (1 << 20))
    text.append(buffer, n);
  SmallVector<StringRef> lines;
  StringRef(text).split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    line = line.trim();
    bool stackDump = line.starts_with("#") || line.starts_with("PLEASE ") ||
                     line.starts_with("Stack dump") ||
                     (!line.empty() && isDigit(line.front()));
    if (!line.empty() && !stackDump)
      return line.take_front(300).str();
  }
  return "";
}

bool writeAll(int fd, StringRef data) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written <= 0)
      return false;
    data = data.drop_front(written);
  }
  return true;
}

TestResult runIsolated(StringRef testDir, const ModelInfo &model) {
  int fds[2];
  if (::pipe(fds) != 0)
    return failure(Twine("cannot create a pipe: ") + std::strerror(errno));
  FILE *log = std::tmpfile();
  outs().flush();
  errs().flush();
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    if (log)
      std::fclose(log);
    return failure(Twine("cannot fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    if (log)
      ::dup2(::fileno(log), STDERR_FILENO);
    ::alarm(timeoutSeconds);
    bool sent = writeAll(fds[1], encode(runNodeTest(testDir, model)));
    ::_exit(sent ? 0 : 1);
  }
  ::close(fds[1]);
  std::string data;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof(buffer))) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    data.append(buffer, n);
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  TestResult result;
  bool ok =
      WIFEXITED(status) && WEXITSTATUS(status) == 0 && decode(data, result);
  std::string message;
  if (!ok) {
    std::string what;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
      what = "timed out after " + std::to_string(timeoutSeconds) + " s";
    else if (WIFSIGNALED(status))
      what = "crashed with signal " + std::to_string(WTERMSIG(status)) + " (" +
             strsignal(WTERMSIG(status)) + ")";
    else
      what = "the test process exited with status " +
             std::to_string(WEXITSTATUS(status));
    message = crashMessage(log);
    result = failure(what + (message.empty() ? "" : ": " + message));
  }
  if (log)
    std::fclose(log);
  return result;
}

/// Test directories (those holding a model.onnx) in name order.
std::vector<std::string> listTests(StringRef dir, std::error_code &ec) {
  std::vector<std::string> names;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    SmallString<256> model(it->path());
    sys::path::append(model, "model.onnx");
    if (sys::fs::exists(model))
      names.push_back(sys::path::filename(it->path()).str());
  }
  llvm::sort(names);
  return names;
}

struct OpCounts {
  unsigned passed = 0, failed = 0, skipped = 0;
};

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv, "Runs the ONNX backend node tests through tpuc\n");

  if (!sys::fs::is_directory(dataDir)) {
    if (dataDir.getNumOccurrences() == 0) {
      outs() << "SKIPPED: " << dataDir
             << " not found (install libonnx-testdata)\n";
      return kSkipExitCode;
    }
    errs() << kTool << ": error: " << dataDir << ": no such directory\n";
    return 1;
  }
  KnownFailures known;
  if (!knownFailuresPath.empty()) {
    auto list = readKnownFailures(knownFailuresPath);
    if (!list) {
      errs() << kTool << ": error: " << toString(list.takeError()) << "\n";
      return 1;
    }
    known = std::move(*list);
  }
  std::error_code ec;
  std::vector<std::string> tests = listTests(dataDir, ec);
  if (ec) {
    errs() << kTool << ": error: " << dataDir << ": " << ec.message() << "\n";
    return 1;
  }
  llvm::erase_if(tests, [](const std::string &name) {
    return !StringRef(name).contains(filter);
  });

  std::map<std::string, OpCounts> byOp;
  unsigned passed = 0, failed = 0, skipped = 0;
  unsigned expectedFailures = 0, unexpectedPasses = 0, staleEntries = 0;
  unsigned withConstantInputs = 0;
  std::set<std::string> seen;
  for (const std::string &name : tests) {
    SmallString<256> testDir(dataDir);
    sys::path::append(testDir, name);
    SmallString<256> modelPath(testDir);
    sys::path::append(modelPath, "model.onnx");
    auto knownEntry = known.find(name);
    bool isKnown = knownEntry != known.end();
    seen.insert(name);

    TestResult result;
    ModelInfo model;
    if (auto info = readModelInfo(modelPath)) {
      model = std::move(*info);
      result = noIsolation ? runNodeTest(testDir, model)
                           : runIsolated(testDir, model);
    } else {
      result = failure(toString(info.takeError()));
    }

    std::string constants;
    if (!result.constantInputs.empty()) {
      ++withConstantInputs;
      constants =
          " [constant inputs: " + join(result.constantInputs, ", ") + "]";
    }
    switch (result.verdict) {
    case Verdict::Pass:
      ++passed;
      for (const std::string &op : model.opTypes)
        ++byOp[op].passed;
      if (isKnown) {
        ++unexpectedPasses;
        outs() << "XPASS " << name << constants << ": listed in "
               << knownFailuresPath << " but passes; remove it from the list\n";
      } else {
        outs() << "PASS " << name << constants << "\n";
      }
      break;
    case Verdict::Fail:
      ++failed;
      for (const std::string &op : model.opTypes)
        ++byOp[op].failed;
      if (isKnown) {
        ++expectedFailures;
        outs() << "XFAIL " << name << constants << ": " << result.reason
               << "\n";
      } else {
        outs() << "FAIL " << name << constants << ": " << result.reason << "\n";
      }
      break;
    case Verdict::Skip:
      ++skipped;
      for (const std::string &op : result.unsupportedOps)
        ++byOp[op].skipped;
      outs() << "SKIP " << name << ": " << result.reason << "\n";
      if (isKnown) {
        ++staleEntries;
        outs() << "STALE " << name << ": listed in " << knownFailuresPath
               << " but skipped; remove it from the list\n";
      }
      break;
    }
    outs().flush();
  }
  // Entries for tests that do not exist any more (within the filter).
  for (const auto &[name, reason] : known)
    if (StringRef(name).contains(filter) && !seen.count(name)) {
      ++staleEntries;
      outs() << "STALE " << name << ": listed in " << knownFailuresPath
             << " but there is no such test in " << dataDir << "\n";
    }

  outs() << "\nTests per op type (a test counts for every op its model "
            "uses; skips only for the unsupported ops):\n";
  outs() << left_justify("op", 32) << right_justify("passed", 8)
         << right_justify("failed", 8) << right_justify("skipped", 9) << "\n";
  for (const auto &[op, counts] : byOp)
    outs() << format("%-32s %7u %7u %8u\n", op.c_str(), counts.passed,
                     counts.failed, counts.skipped);
  outs() << "\n"
         << withConstantInputs
         << " tests ran with their inputs after the first made constants "
            "(tagged [constant inputs: ...])\n";
  if (!knownFailuresPath.empty())
    outs() << expectedFailures << " of the failures are known (XFAIL), "
           << unexpectedPasses << " known failures passed (XPASS), "
           << staleEntries << " stale entries\n";
  outs() << passed << " passed, " << failed << " failed, " << skipped
         << " skipped\n";
  bool ok =
      failed == expectedFailures && unexpectedPasses == 0 && staleEntries == 0;
  return ok ? 0 : 1;
}
