#include "process/filter_processor.h"

#include <gtest/gtest.h>

#include "common/self_metrics.h"
#include "process/filter_expr.h"
#include "process/process_test_util.h"

namespace infermetry::process {
namespace {

using testing::RecordingConsumer;
using testing::SetAttr;
using testing::YamlConfig;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace logs_pb = opentelemetry::proto::logs::v1;
namespace metrics_pb = opentelemetry::proto::metrics::v1;
namespace resource_pb = opentelemetry::proto::resource::v1;
namespace common_pb = opentelemetry::proto::common::v1;

// Evaluates `cond` on a span.
bool OnSpan(const std::string& cond, const trace_pb::Span& span,
            const resource_pb::Resource* resource = nullptr) {
  auto c = FilterCondition::Parse(cond, FilterContext::kSpan);
  EXPECT_TRUE(c.ok()) << cond << ": " << c.status().ToString();
  if (!c.ok()) return false;
  FilterItem item;
  item.span = &span;
  item.resource = resource;
  return c->Matches(item);
}

std::string ParseError(const std::string& cond, FilterContext ctx = FilterContext::kSpan) {
  auto c = FilterCondition::Parse(cond, ctx);
  return c.ok() ? "OK" : c.status().message();
}

trace_pb::Span MakeSpan() {
  trace_pb::Span s;
  s.set_name("GET /health");
  s.set_kind(trace_pb::Span::SPAN_KIND_SERVER);
  SetAttr(s.mutable_attributes(), "http.route", "/health");
  auto* kv = s.mutable_attributes()->Add();
  kv->set_key("http.status_code");
  kv->mutable_value()->set_int_value(503);
  kv = s.mutable_attributes()->Add();
  kv->set_key("ratio");
  kv->mutable_value()->set_double_value(0.5);
  kv = s.mutable_attributes()->Add();
  kv->set_key("sampled");
  kv->mutable_value()->set_bool_value(true);
  return s;
}

TEST(FilterExprTest, Forms) {
  trace_pb::Span s = MakeSpan();
  resource_pb::Resource r;
  SetAttr(r.mutable_attributes(), "service.name", "vllm");

  EXPECT_TRUE(OnSpan(R"(name == "GET /health")", s));
  EXPECT_FALSE(OnSpan(R"(name != "GET /health")", s));
  EXPECT_TRUE(OnSpan(R"(name != "x")", s));
  EXPECT_TRUE(OnSpan(R"(IsMatch(name, "^GET /he"))", s));
  EXPECT_FALSE(OnSpan(R"(IsMatch(name, "^POST"))", s));
  EXPECT_TRUE(OnSpan(R"(IsMatch(attributes["http.status_code"], "^5\\d\\d$"))", s));
  EXPECT_TRUE(OnSpan(R"(attributes["http.route"] == "/health")", s));
  EXPECT_FALSE(OnSpan(R"(attributes["missing"] == "/health")", s));
  EXPECT_TRUE(OnSpan(R"(attributes["missing"] != "/health")", s));
  EXPECT_TRUE(OnSpan(R"(attributes["missing"] == nil)", s));
  EXPECT_FALSE(OnSpan(R"(attributes["http.route"] == nil)", s));
  EXPECT_TRUE(OnSpan(R"(resource.attributes["service.name"] == "vllm")", s, &r));
  EXPECT_FALSE(OnSpan(R"(resource.attributes["service.name"] == "vllm")", s));
  // Numbers.
  EXPECT_TRUE(OnSpan(R"(attributes["http.status_code"] >= 500)", s));
  EXPECT_TRUE(OnSpan(R"(attributes["http.status_code"] > 502.5)", s));
  EXPECT_FALSE(OnSpan(R"(attributes["http.status_code"] < 500)", s));
  EXPECT_TRUE(OnSpan(R"(attributes["http.status_code"] == 503)", s));
  EXPECT_TRUE(OnSpan(R"(attributes["ratio"] <= 0.5)", s));
  EXPECT_TRUE(OnSpan(R"(attributes["ratio"] > -1)", s));
  EXPECT_FALSE(OnSpan(R"(attributes["http.route"] > 5)", s));  // string vs number
  EXPECT_TRUE(OnSpan(R"(attributes["http.route"] != 5)", s));
  EXPECT_TRUE(OnSpan(R"(attributes["sampled"] == true)", s));
  EXPECT_TRUE(OnSpan(R"(kind == SPAN_KIND_SERVER)", s));
  EXPECT_TRUE(OnSpan(R"(kind == 2)", s));
  EXPECT_TRUE(OnSpan(R"(status.code == STATUS_CODE_UNSET)", s));
  // Boolean operators, precedence and parentheses.
  EXPECT_TRUE(OnSpan(R"(name == "x" or kind == SPAN_KIND_SERVER)", s));
  EXPECT_FALSE(OnSpan(R"(name == "x" and kind == SPAN_KIND_SERVER)", s));
  EXPECT_TRUE(OnSpan(R"(not name == "x")", s));
  EXPECT_TRUE(OnSpan(R"(name == "x" and kind == 0 or attributes["ratio"] == 0.5)", s));
  EXPECT_FALSE(OnSpan(R"(name == "x" and (kind == 0 or attributes["ratio"] == 0.5))", s));
  EXPECT_TRUE(OnSpan(R"(not (name == "x" or kind == 0))", s));
  EXPECT_TRUE(OnSpan(R"(true)", s));
  EXPECT_FALSE(OnSpan(R"(false or not true)", s));
  EXPECT_TRUE(OnSpan(R"(name == "say \"hi\"" or true)", s));
}

TEST(FilterExprTest, OtherContexts) {
  metrics_pb::Metric m;
  m.set_name("vllm:num_requests_running");
  m.mutable_gauge()->add_data_points()->set_as_double(3);
  auto c = FilterCondition::Parse(R"(type == METRIC_DATA_TYPE_GAUGE and IsMatch(name, "^vllm:"))",
                                  FilterContext::kMetric);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  FilterItem item;
  item.metric = &m;
  EXPECT_TRUE(c->Matches(item));

  auto dp =
      FilterCondition::Parse(R"(metric.name == "vllm:num_requests_running" and value_double > 2)",
                             FilterContext::kDataPoint);
  ASSERT_TRUE(dp.ok()) << dp.status().ToString();
  item.number_point = &m.gauge().data_points(0);
  EXPECT_TRUE(dp->Matches(item));

  logs_pb::LogRecord rec;
  rec.set_severity_number(logs_pb::SEVERITY_NUMBER_INFO2);
  rec.mutable_body()->set_string_value("GET /health 200");
  auto lc = FilterCondition::Parse(
      R"(severity_number < SEVERITY_NUMBER_WARN and IsMatch(body, "/health"))",
      FilterContext::kLogRecord);
  ASSERT_TRUE(lc.ok()) << lc.status().ToString();
  FilterItem li;
  li.log_record = &rec;
  EXPECT_TRUE(lc->Matches(li));
  auto exact =
      FilterCondition::Parse("severity_number == SEVERITY_NUMBER_INFO2", FilterContext::kLogRecord);
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->Matches(li));
}

TEST(FilterExprTest, SyntaxErrors) {
  EXPECT_EQ(ParseError(R"(name = "x")"),
            "expected a comparison operator (==, !=, <, <=, >, >=), got \"=\" at column 6");
  EXPECT_EQ(ParseError(R"(name == "x" && kind == 1)"), "unexpected \"&&\" at column 13");
  EXPECT_EQ(ParseError(R"(Contains(name, "x"))"), "unsupported function \"Contains\" at column 1");
  EXPECT_EQ(ParseError(R"(span.name == "x")"),
            "unknown path in span conditions: \"span.name\" at column 1");
  EXPECT_EQ(ParseError(R"(name == "x")", FilterContext::kDataPoint),
            "unknown path in datapoint conditions: \"name\" at column 1");
  EXPECT_EQ(ParseError(R"(attributes == "x")"),
            "attributes needs a key, as in attributes[\"key\"]; got \"==\" at column 12");
  EXPECT_EQ(ParseError(R"(attributes["a"]["b"] == 1)"),
            "nested indexes are not supported: \"[\" at column 16");
  EXPECT_EQ(ParseError(R"((name == "x")"), "expected \")\", got end of condition at column 13");
  EXPECT_EQ(ParseError(R"(IsMatch(name, name))"),
            "IsMatch needs a string literal pattern, got \"name\" at column 15");
  EXPECT_EQ(ParseError(R"(IsMatch(name, "("))"),
            "invalid regular expression (missing ): () \"\"(\"\" at column 15");
  EXPECT_EQ(ParseError(R"(name == "x)"), "expected a path or a value, got \"\"x\" at column 9");
  EXPECT_EQ(
      ParseError(R"(name)"),
      "expected a comparison operator (==, !=, <, <=, >, >=), got end of condition at column 5");
}

Traces SpansNamed(std::initializer_list<const char*> names) {
  Traces t;
  auto* rs = t.add_resource_spans();
  SetAttr(rs->mutable_resource()->mutable_attributes(), "service.name", "vllm");
  auto* ss = rs->add_scope_spans();
  for (const char* n : names) ss->add_spans()->set_name(n);
  return t;
}

double Dropped(const char* name, const std::string& id) {
  return selfmon::Default().AddCounter(name, "").With({id}).Value();
}

TEST(FilterProcessorTest, DropsMatchingSpans) {
  YamlConfig y(R"(error_mode: ignore
traces:
  span:
    - 'name == "health"'
    - 'IsMatch(name, "^metrics")'
)",
               "filter/spans");
  RecordingConsumer next;
  auto p = CreateFilterProcessor(y.cfg, Signal::kTraces, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const double before = Dropped("infermetry_processor_filter_dropped_spans_total", "filter/spans");
  ASSERT_TRUE((*p)->ConsumeTraces(SpansNamed({"a", "health", "metrics.x", "b"})).ok());
  ASSERT_EQ(next.traces.size(), 1u);
  EXPECT_EQ(testing::SpanNames(next.traces[0]), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Dropped("infermetry_processor_filter_dropped_spans_total", "filter/spans") - before, 2);
  // Everything dropped: nothing passed on, OK returned.
  ASSERT_TRUE((*p)->ConsumeTraces(SpansNamed({"health"})).ok());
  EXPECT_EQ(next.traces.size(), 1u);
}

TEST(FilterProcessorTest, DropsMetricsAndDataPoints) {
  YamlConfig y(R"(metrics:
  metric:
    - 'name == "b"'
  datapoint:
    - 'attributes["i"] == "0"'
    - 'metric.name == "c" and attributes["i"] != "0"'
)",
               "filter/metrics");
  RecordingConsumer next;
  auto p = CreateFilterProcessor(y.cfg, Signal::kMetrics, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const double before =
      Dropped("infermetry_processor_filter_dropped_metric_points_total", "filter/metrics");
  ASSERT_TRUE((*p)->ConsumeMetrics(testing::MakeSums({"a", "b", "c"}, 3)).ok());
  ASSERT_EQ(next.metrics.size(), 1u);
  const auto& sm = next.metrics[0].resource_metrics(0).scope_metrics(0);
  ASSERT_EQ(sm.metrics_size(), 1);  // b dropped whole, c lost all its points
  EXPECT_EQ(sm.metrics(0).name(), "a");
  EXPECT_EQ(sm.metrics(0).sum().data_points_size(), 2);
  EXPECT_EQ(
      Dropped("infermetry_processor_filter_dropped_metric_points_total", "filter/metrics") - before,
      7);
}

TEST(FilterProcessorTest, DropsLogRecords) {
  YamlConfig y(R"(logs:
  log_record:
    - 'IsMatch(body, "^r[02]$")'
)",
               "filter/logs");
  RecordingConsumer next;
  auto p = CreateFilterProcessor(y.cfg, Signal::kLogs, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE((*p)->ConsumeLogs(testing::MakeLogs(4)).ok());
  ASSERT_EQ(next.logs.size(), 1u);
  const auto& recs = next.logs[0].resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(recs.size(), 2);
  EXPECT_EQ(recs[0].body().string_value(), "r1");
  EXPECT_EQ(recs[1].body().string_value(), "r3");
  EXPECT_EQ(Dropped("infermetry_processor_filter_dropped_log_records_total", "filter/logs"), 2);
}

TEST(FilterProcessorTest, ConfigErrorsNamePositionAndText) {
  RecordingConsumer next;
  auto error = [&](const std::string& yaml) {
    YamlConfig y(yaml, "filter");
    auto p = CreateFilterProcessor(y.cfg, Signal::kTraces, &next);
    return p.ok() ? "OK" : p.status().message();
  };
  EXPECT_EQ(error("traces:\n  span:\n    - 'name == \"a\"'\n    - 'name === \"b\"'\n"),
            "test.yaml:4:7: processors.filter.traces.span[1]: unsupported condition "
            "'name === \"b\"': expected a path or a value, got \"=\" at column 8");
  EXPECT_EQ(error("spans:\n  include: {match_type: strict, span_names: [a]}\n"),
            "test.yaml:2:3: processors.filter.spans: not supported (the legacy filter form); use "
            "traces.span conditions");
  EXPECT_EQ(error("metrics:\n  include: {match_type: strict, metric_names: [a]}\n"),
            "test.yaml:2:12: processors.filter.metrics.include: not supported (the legacy filter "
            "form); use metrics.metric / metrics.datapoint conditions");
  EXPECT_EQ(error("error_mode: loud\n"),
            "test.yaml:1:13: processors.filter.error_mode: unknown mode \"loud\" (expected "
            "propagate, ignore or silent)");
  EXPECT_EQ(error("traces:\n  spanevent: ['name == \"x\"']\n"),
            "test.yaml:2:14: processors.filter.traces.spanevent: not supported");
  EXPECT_EQ(error("logs:\n  log: ['body == \"x\"']\n"),
            "test.yaml:2:3: unknown field \"log\" in processors.filter.logs");
}

}  // namespace
}  // namespace infermetry::process
