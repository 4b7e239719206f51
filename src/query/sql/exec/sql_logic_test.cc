// Runs every test/sql/*.test script (sqllogictest style, see logic_runner.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "query/sql/exec/logic_runner.h"

namespace infermetry::sql::exec {
namespace {

std::vector<std::string> ScriptNames() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(INFERMETRY_SQL_TEST_DIR, ec)) {
    if (e.path().extension() == ".test") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SqlLogicTest : public testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, Script) {
  LogicResult r = RunLogicFile(std::string(INFERMETRY_SQL_TEST_DIR) + "/" + GetParam() + ".test");
  EXPECT_GT(r.records, 0);
  for (const std::string& f : r.failures) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Scripts, SqlLogicTest, testing::ValuesIn(ScriptNames()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(SqlLogicTest, ScriptsExist) { EXPECT_GE(ScriptNames().size(), 10u); }

}  // namespace
}  // namespace infermetry::sql::exec
