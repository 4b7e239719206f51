#include "query/sql/catalog/stream_registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace infermetry::sql {
namespace {

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "registry-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    path_ = dir_ + "/streams.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<StreamRegistry> OpenOk() {
    auto r = StreamRegistry::Open(path_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }
  std::string dir_, path_;
};

TEST_F(RegistryTest, DefaultStreamsExist) {
  auto r = OpenOk();
  auto list = r->List();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "logs");
  EXPECT_EQ(list[0].kind, StreamKind::kLogs);
  EXPECT_EQ(list[1].name, "metrics");
  EXPECT_EQ(list[2].name, "traces");
  EXPECT_EQ(StreamKindName(StreamKind::kEvents), "events");
  EXPECT_FALSE(std::filesystem::exists(path_));  // nothing changed, nothing written
}

TEST_F(RegistryTest, EnsureValidatesNamesAndKinds) {
  auto r = OpenOk();
  EXPECT_TRUE(r->Ensure("vLLMmetrics", StreamKind::kMetrics).ok());
  EXPECT_TRUE(r->Ensure("vLLMmetrics", StreamKind::kMetrics).ok());
  Status st = r->Ensure("vLLMmetrics", StreamKind::kTraces);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("exists as a metrics stream"), std::string::npos) << st.message();
  EXPECT_EQ(r->Ensure("", StreamKind::kLogs).code(), Code::kInvalidArgument);
  EXPECT_EQ(r->Ensure("p_x", StreamKind::kLogs).code(), Code::kInvalidArgument);
  EXPECT_EQ(r->Ensure("a b", StreamKind::kLogs).code(), Code::kInvalidArgument);
  EXPECT_EQ(r->Ensure(std::string(256, 'a'), StreamKind::kLogs).code(), Code::kInvalidArgument);
  EXPECT_TRUE(r->Ensure(std::string(255, 'a'), StreamKind::kLogs).ok());
  EXPECT_TRUE(r->Ensure("app-logs_2", StreamKind::kLogs, "otel-logs").ok());
  // Lookup: exact first, then case-insensitive (SQL folds unquoted names to lower case).
  ASSERT_TRUE(r->Find("vllmmetrics").has_value());
  EXPECT_EQ(r->Find("vllmmetrics")->name, "vLLMmetrics");
  EXPECT_EQ(r->Find("app-logs_2")->log_source, "otel-logs");
  EXPECT_FALSE(r->Find("nope").has_value());
}

TEST_F(RegistryTest, EventSchemaEvolution) {
  auto r = OpenOk();
  auto s = r->MergeEventFields(
      "app",
      {{"user", Type::kText}, {"n", Type::kInt64}, {"ok", Type::kBool}, {"gone", Type::kNull}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].name, "p_timestamp");
  EXPECT_EQ((*s)[0].type, Type::kTimestamp);
  EXPECT_EQ((*s)[1].name, "user");
  EXPECT_EQ((*s)[2].type, Type::kInt64);
  // bigint then fractional -> double; double then integer stays double; other conflicts -> text;
  // a new field is appended; a null value neither adds nor changes a field.
  s = r->MergeEventFields("app", {{"n", Type::kFloat64},
                                  {"ok", Type::kInt64},
                                  {"extra", Type::kFloat64},
                                  {"user", Type::kNull}});
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 5u);
  EXPECT_EQ((*s)[2].type, Type::kFloat64);
  EXPECT_EQ((*s)[3].type, Type::kText);
  EXPECT_EQ((*s)[4].name, "extra");
  EXPECT_EQ((*s)[1].type, Type::kText);
  s = r->MergeEventFields("app", {{"n", Type::kInt64}, {"ok", Type::kBool}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[2].type, Type::kFloat64);
  EXPECT_EQ((*s)[3].type, Type::kText);
  // Events cannot merge into a stream of another kind.
  EXPECT_EQ(r->MergeEventFields("metrics", {{"x", Type::kText}}).status().code(),
            Code::kInvalidArgument);
}

TEST_F(RegistryTest, ReopenKeepsStreamsAndSchemas) {
  {
    auto r = OpenOk();
    ASSERT_TRUE(r->Ensure("vLLMmetrics", StreamKind::kMetrics).ok());
    ASSERT_TRUE(r->Ensure("vllm-traces", StreamKind::kTraces).ok());
    ASSERT_TRUE(r->Ensure("applogs", StreamKind::kLogs, "otel-logs").ok());
    ASSERT_TRUE(
        r->MergeEventFields("app", {{"msg \"q\"", Type::kText}, {"x", Type::kFloat64}}).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  auto r = OpenOk();
  auto list = r->List();
  ASSERT_EQ(list.size(), 7u);
  auto app = r->Find("app");
  ASSERT_TRUE(app.has_value());
  EXPECT_EQ(app->kind, StreamKind::kEvents);
  ASSERT_EQ(app->fields.size(), 3u);
  EXPECT_EQ(app->fields[1].name, "msg \"q\"");
  EXPECT_EQ(app->fields[2].type, Type::kFloat64);
  EXPECT_EQ(r->Find("vllm-traces")->kind, StreamKind::kTraces);
  EXPECT_EQ(r->Find("applogs")->log_source, "otel-logs");
}

TEST_F(RegistryTest, DamagedFileIsAClearError) {
  auto write = [&](const std::string& text) { std::ofstream(path_) << text; };
  write("{not json");
  auto r = StreamRegistry::Open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_NE(r.status().message().find(path_), std::string::npos) << r.status().message();
  write(R"({"streams":[{"name":"a","kind":"weird"}]})");
  r = StreamRegistry::Open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown kind \"weird\""), std::string::npos)
      << r.status().message();
  write(R"({"streams":[{"name":"a","kind":"events","fields":[{"name":"x","type":"blob"}]}]})");
  r = StreamRegistry::Open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown type \"blob\""), std::string::npos);
  write(R"({"streams":[{"name":"metrics","kind":"logs"}]})");
  EXPECT_FALSE(StreamRegistry::Open(path_).ok());
}

TEST(RegistryMemoryTest, EmptyPathKeepsEverythingInMemory) {
  auto r = StreamRegistry::Open("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->Ensure("x", StreamKind::kEvents).ok());
  ASSERT_TRUE((*r)->Find("x").has_value());
  EXPECT_EQ((*r)->Find("x")->fields.size(), 1u);  // p_timestamp
}

}  // namespace
}  // namespace infermetry::sql
