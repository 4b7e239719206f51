#include "query/sql/catalog/trace_table.h"

#include <gtest/gtest.h>

#include "query/sql/catalog/attribute_columns.h"
#include "query/sql/catalog/catalog_test_util.h"
#include "query/sql/catalog/store_catalog.h"
#include "spanstore/test_util.h"

namespace infermetry::sql::catalog {
namespace {

using spanstore::testing::Bool;
using spanstore::testing::Dbl;
using spanstore::testing::Int;
using spanstore::testing::MakeLog;
using spanstore::testing::MakeSpan;
using spanstore::testing::Str;
using testing::ScanAll;

constexpr int64_t kT0 = 1700000000000000000;  // ns
constexpr int64_t kSec = 1000000000;

class TraceTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = spanstore::SpanStore::Open(spanstore::testing::ForegroundOptions(dir_.path()));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto r = StreamRegistry::Open("");
    ASSERT_TRUE(r.ok());
    registry_ = std::move(*r);
    catalog_ = NewStoreCatalog({nullptr, store_.get(), store_.get(), registry_.get()});
  }
  std::shared_ptr<Table> Find(const std::string& name, int64_t lo = INT64_MIN,
                              int64_t hi = INT64_MAX) {
    auto t = catalog_->Find(name, lo, hi);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : nullptr;
  }
  static Type TypeOf(const Table& t, const std::string& col) {
    return t.schema()[testing::ColumnIndex(t, col)].type;
  }

  spanstore::testing::TempDir dir_;
  std::unique_ptr<spanstore::SpanStore> store_;
  std::unique_ptr<StreamRegistry> registry_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(TraceTableTest, SpanColumnsAndTypedAttributes) {
  model::Span root = MakeSpan(1, kT0);
  root.attributes.push_back({"mixed", Int(1)});
  root.attributes.push_back({"flag", Bool(true)});
  model::Span child = MakeSpan(2, kT0 + kSec, "api", "chat");
  child.parent_span_id = root.span_id;
  child.kind = 3;
  child.status_code = 1;
  child.attributes.push_back({"mixed", Dbl(2.5)});
  child.attributes.push_back({"flag", Str("yes")});
  child.resource_attributes.push_back({"p_stream", Str("vllm-traces")});
  ASSERT_TRUE(store_->IngestSpans({root, child}).ok());
  auto t = Find("traces");
  ASSERT_NE(t, nullptr);
  std::vector<std::string> fixed;
  for (size_t i = 0; i < 12; ++i) fixed.push_back(t->schema()[i].name);
  EXPECT_EQ(fixed,
            (std::vector<std::string>{"p_timestamp", "trace_id", "span_id", "parent_span_id",
                                      "name", "kind", "service_name", "start_time", "end_time",
                                      "duration_ms", "status_code", "status_message"}));
  EXPECT_EQ(TypeOf(*t, "gen_ai.usage.completion_tokens"), Type::kInt64);
  EXPECT_EQ(TypeOf(*t, "gen_ai.latency.e2e"), Type::kFloat64);
  EXPECT_EQ(TypeOf(*t, "mixed"), Type::kFloat64);   // int and double: numeric
  EXPECT_EQ(TypeOf(*t, "flag"), Type::kText);       // bool and string
  EXPECT_EQ(TypeOf(*t, "host.name"), Type::kText);  // resource attribute
  EXPECT_EQ(TypeOf(*t, "duration_ms"), Type::kFloat64);
  for (const auto& c : t->schema()) EXPECT_NE(c.name, "p_stream");
  auto s = ScanAll(t.get(), {});
  ASSERT_EQ(s.rows.size(), 2u);
  const auto& r0 = s.rows[0];
  EXPECT_EQ(r0["p_timestamp"].i, kT0 / 1000);
  EXPECT_EQ(r0["start_time"].i, kT0 / 1000);
  EXPECT_EQ(r0["end_time"].i, root.end_ns / 1000);
  EXPECT_EQ(r0["trace_id"].s, model::HexId(root.trace_id));
  EXPECT_EQ(r0["span_id"].s, model::HexId(root.span_id));
  EXPECT_TRUE(r0["parent_span_id"].null);
  EXPECT_EQ(r0["kind"].s, "SERVER");
  EXPECT_EQ(r0["status_code"].s, "UNSET");
  EXPECT_EQ(r0["service_name"].s, "vllm");
  EXPECT_DOUBLE_EQ(r0["duration_ms"].d, 2.0);
  EXPECT_EQ(r0["gen_ai.usage.completion_tokens"].i, 1);
  EXPECT_DOUBLE_EQ(r0["gen_ai.latency.e2e"].d, 0.002);
  EXPECT_DOUBLE_EQ(r0["mixed"].d, 1.0);
  EXPECT_EQ(r0["flag"].s, "true");
  const auto& r1 = s.rows[1];
  EXPECT_EQ(r1["parent_span_id"].s, model::HexId(root.span_id));
  EXPECT_EQ(r1["kind"].s, "CLIENT");
  EXPECT_EQ(r1["status_code"].s, "OK");
  EXPECT_EQ(r1["name"].s, "chat");
  // Stream by p_stream; time pushdown.
  ASSERT_TRUE(registry_->Ensure("vllm-traces", StreamKind::kTraces).ok());
  auto st = Find("vllm-traces");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(ScanAll(st.get(), {}).rows.size(), 1u);
  ScanRequest req;
  req.min_time_us = kT0 / 1000 + 1;
  EXPECT_EQ(ScanAll(t.get(), req).rows.size(), 1u);
  EXPECT_EQ(ScanAll(Find("traces", INT64_MIN, kT0 / 1000).get(), {}).rows.size(), 1u);
}

TEST_F(TraceTableTest, LogTable) {
  model::LogRecord a = MakeLog(3, kT0);
  a.span_id = {};
  ASSERT_TRUE(store_->IngestLogs({a, MakeLog(4, kT0 + kSec)}).ok());
  auto t = Find("logs");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(TypeOf(*t, "n"), Type::kInt64);
  EXPECT_EQ(TypeOf(*t, "severity_number"), Type::kInt64);
  auto s = ScanAll(t.get(), {});
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[0]["body"].s, "request 3 ok");
  EXPECT_EQ(s.rows[0]["severity_number"].i, 4);
  EXPECT_EQ(s.rows[0]["severity_text"].s, "INFO");
  EXPECT_TRUE(s.rows[0]["span_id"].null);
  EXPECT_EQ(s.rows[1]["span_id"].s, "0101010101010101");
  EXPECT_EQ(s.rows[1]["n"].i, 4);
  EXPECT_EQ(s.rows[1]["service_name"].s, "api");
}

TEST_F(TraceTableTest, EventTableUsesRegisteredFields) {
  auto fields = registry_->MergeEventFields("app", {{"user", Type::kText},
                                                    {"n", Type::kInt64},
                                                    {"lat", Type::kFloat64},
                                                    {"ok", Type::kBool},
                                                    {"at", Type::kTimestamp}});
  ASSERT_TRUE(fields.ok());
  model::LogRecord e;
  e.time_ns = kT0;
  e.body = Str(R"({"user":"ann","n":3})");
  e.attributes = {{"user", Str("ann")},
                  {"n", Int(3)},
                  {"lat", Int(2)},
                  {"ok", Bool(true)},
                  {"at", Str("2024-01-02T03:04:05.5Z")},
                  {"p_stream", Str("app")}};
  model::LogRecord bad = e;
  bad.time_ns = kT0 + kSec;
  bad.attributes = {{"user", Int(7)},     {"n", Str("x")},          {"lat", Str("1.5")},
                    {"ok", Str("maybe")}, {"at", Str("yesterday")}, {"p_stream", Str("app")}};
  model::LogRecord other = MakeLog(9, kT0);  // not an event of "app"
  ASSERT_TRUE(store_->IngestLogs({e, bad, other}).ok());
  auto t = Find("app");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->schema().size(), 6u);
  EXPECT_EQ(t->schema()[0].name, "p_timestamp");
  auto s = ScanAll(t.get(), {});
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[0]["p_timestamp"].i, kT0 / 1000);
  EXPECT_EQ(s.rows[0]["user"].s, "ann");
  EXPECT_EQ(s.rows[0]["n"].i, 3);
  EXPECT_DOUBLE_EQ(s.rows[0]["lat"].d, 2.0);
  EXPECT_EQ(s.rows[0]["ok"].i, 1);
  EXPECT_EQ(s.rows[0]["at"].i, ParseIsoTimestamp("2024-01-02 03:04:05.5").value());
  EXPECT_EQ(s.rows[1]["user"].s, "7");  // text columns take any value's text
  EXPECT_TRUE(s.rows[1]["n"].null);     // unconvertible: NULL
  EXPECT_DOUBLE_EQ(s.rows[1]["lat"].d, 1.5);
  EXPECT_TRUE(s.rows[1]["ok"].null);
  EXPECT_TRUE(s.rows[1]["at"].null);
}

TEST(AttributeColumnsTest, IsoTimestamps) {
  EXPECT_EQ(ParseIsoTimestamp("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseIsoTimestamp("1970-01-02T00:00:01.25+01:00").value(),
            (86400 + 1 - 3600) * int64_t{1000000} + 250000);
  EXPECT_EQ(ParseIsoTimestamp("2000-03-01 00:00:00").value(), 951868800LL * 1000000);
  EXPECT_FALSE(ParseIsoTimestamp("2000-13-01 00:00:00").has_value());
  EXPECT_FALSE(ParseIsoTimestamp("2000-01-01").has_value());
  EXPECT_FALSE(ParseIsoTimestamp("2000-01-01T00:00:00+1").has_value());
}

}  // namespace
}  // namespace infermetry::sql::catalog
