// Runs Prometheus's own checker over every layout's output: `promtool check metrics` exits 1
// on a parse error (a failure here) and 3 on lint problems only (expected: vLLM's names break
// several naming conventions; the lint lines are printed to the test log).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "emulator/metrics/vllm_metrics.h"
#include "emulator/metrics/vllm_metrics_test_util.h"

namespace infermetry::emulator {
namespace {

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string p(path);
  for (size_t start = 0; start <= p.size();) {
    size_t colon = p.find(':', start);
    std::string dir =
        p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics < file` and captures stdout+stderr.
RunResult CheckMetrics(const std::string& promtool, const std::string& file) {
  std::string cmd = "'" + promtool + "' check metrics < '" + file + "' 2>&1";
  RunResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) r.output.append(buf.data(), n);
  int status = pclose(pipe);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

TEST(PromtoolTest, EveryLayoutParses) {
  std::string promtool = FindOnPath("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool not on PATH";
  struct Case {
    const char* name;
    MetricsLayout layout;
    bool multiprocess;
  };
  const Case cases[] = {{"current", MetricsLayout::kCurrent, false},
                        {"legacy", MetricsLayout::kLegacyV1Names, false},
                        {"current-mp", MetricsLayout::kCurrent, true},
                        {"v0", MetricsLayout::kV0Multiprocess, true}};
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("vllm_metrics_promtool_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VllmMetricsOptions o = testing::Options(c.layout, 2, 40960);
    o.multiprocess = c.multiprocess;
    o.num_speculative_tokens = 2;
    o.compute_nans_in_logits = true;
    o.kv_cache_metrics = true;
    o.max_loras = 1;
    VllmMetrics m(o);
    testing::FeedTraffic(&m, 2);
    std::string file = (dir / (std::string(c.name) + ".txt")).string();
    {
      std::ofstream out(file, std::ios::binary);
      out << m.Render(1795458900.0);
    }
    RunResult r = CheckMetrics(promtool, file);
    std::cout << "[promtool " << c.name << "] exit " << r.exit_code << "\n" << r.output;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.output;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infermetry::emulator
