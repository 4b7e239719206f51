// Runs test/promql/*.test (must all pass) and, where present, Prometheus 2.42's own PromQL
// test files as a conformance measure (reported, not required).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "query/promql/promqltest.h"

namespace infermetry::promql::testing {
namespace {

std::vector<std::filesystem::path> TestFiles(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".test") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PromqlScripts, ProjectScriptsPass) {
  auto files = TestFiles(INFERMETRY_PROMQL_TESTDIR);
  ASSERT_FALSE(files.empty()) << "no .test files in " << INFERMETRY_PROMQL_TESTDIR;
  int evals = 0;
  for (const auto& f : files) {
    ScriptResult r = RunScript(ReadFile(f), f.filename().string());
    EXPECT_TRUE(r.error.ok()) << r.error.ToString();
    EXPECT_GT(r.evals, 0) << f;
    for (const auto& why : r.failures) ADD_FAILURE() << why;
    evals += r.evals;
  }
  std::printf("project scripts: %d evaluations\n", evals);
}

TEST(PromqlScripts, PrometheusConformance) {
  auto files = TestFiles(INFERMETRY_PROMQL_CONFORMANCEDIR);
  if (files.empty()) GTEST_SKIP() << "no reference suite at " << INFERMETRY_PROMQL_CONFORMANCEDIR;
  int evals = 0, passed = 0;
  std::vector<std::string> failures;
  for (const auto& f : files) {
    ScriptResult r = RunScript(ReadFile(f), f.filename().string());
    if (!r.error.ok()) failures.push_back(f.filename().string() + ": script error: " + r.error.ToString());
    evals += r.evals;
    passed += r.passed;
    failures.insert(failures.end(), r.failures.begin(), r.failures.end());
  }
  std::printf("conformance: %d of %d evaluations pass\n", passed, evals);
  for (const auto& f : failures) std::printf("  FAIL %s\n", f.c_str());
  EXPECT_GT(evals, 0);
}

}  // namespace
}  // namespace infermetry::promql::testing
