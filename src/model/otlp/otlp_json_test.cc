#include "model/otlp/otlp_json.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace infermetry::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace logs = opentelemetry::proto::logs::v1;

using google::protobuf::util::MessageDifferencer;

const std::string kTraceId("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16);
const std::string kSpanId("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8);
const std::string kParentId("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x73", 8);

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path TestDataDir() {
  if (const char* d = std::getenv("INFERMETRY_TESTDATA"); d != nullptr && *d != '\0') return d;
  return std::filesystem::path(INFERMETRY_SOURCE_DIR) / "test" / "data";
}

// The OTLP/JSON examples of the protocol repository, when a shared/ checkout is present.
std::filesystem::path SharedExamplesDir() {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("INFERMETRY_SHARED_DIR"); d != nullptr && *d != '\0') {
    fs::path base(d);
    if (fs::exists(base / "reference" / "otlp-json-examples" / "trace.json")) {
      return base / "reference" / "otlp-json-examples";
    }
    if (fs::exists(base / "trace.json")) return base;
  }
  fs::path p =
      fs::path(INFERMETRY_SOURCE_DIR) / ".." / "shared" / "reference" / "otlp-json-examples";
  if (fs::exists(p / "trace.json")) return p;
  return {};
}

void Attr(google::protobuf::RepeatedPtrField<common::KeyValue>* attrs, const std::string& key,
          const std::string& s) {
  auto* kv = attrs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(s);
}

// Every kind of AnyValue, nested.
void AllValueKinds(google::protobuf::RepeatedPtrField<common::KeyValue>* attrs) {
  Attr(attrs, "str", "hello \"world\"\n\t\x01 é 日本");
  auto add = [&](const std::string& key) {
    auto* kv = attrs->Add();
    kv->set_key(key);
    return kv->mutable_value();
  };
  add("bool")->set_bool_value(true);
  add("bool_false")->set_bool_value(false);
  add("int")->set_int_value(-9223372036854775807LL - 1);
  add("int_zero")->set_int_value(0);
  add("double")->set_double_value(0.1);
  add("double_zero")->set_double_value(0);
  add("bytes")->set_bytes_value(std::string("\x00\x01\x02\xff", 4));
  add("bytes_empty")->set_bytes_value("");
  add("string_empty")->set_string_value("");
  common::AnyValue* arr = add("array");
  auto* values = arr->mutable_array_value()->mutable_values();
  values->Add()->set_string_value("a");
  values->Add()->set_int_value(7);
  values->Add()->mutable_array_value()->add_values()->set_double_value(-2.5);
  auto* inner = values->Add()->mutable_kvlist_value()->add_values();
  inner->set_key("k");
  inner->mutable_value()->set_bytes_value("xyz");
  values->Add();  // an empty AnyValue
  common::AnyValue* list = add("kvlist");
  auto* kv = list->mutable_kvlist_value()->add_values();
  kv->set_key("nested");
  kv->mutable_value()->mutable_kvlist_value()->add_values()->set_key("no value");
  list->mutable_kvlist_value()->add_values()->set_key("");
  add("empty_array")->mutable_array_value();
  add("empty_kvlist")->mutable_kvlist_value();
  attrs->Add()->set_key("no value at all");
}

void FillResource(opentelemetry::proto::resource::v1::Resource* r) {
  Attr(r->mutable_attributes(), "service.name", "vllm");
  r->set_dropped_attributes_count(3);
  auto* ref = r->add_entity_refs();
  ref->set_schema_url("https://opentelemetry.io/schemas/1.26.0");
  ref->set_type("service");
  ref->add_id_keys("service.name");
  ref->add_id_keys("service.namespace");
  ref->add_description_keys("service.version");
}

void FillScope(common::InstrumentationScope* s) {
  s->set_name("vllm.tracing");
  s->set_version("0.6.4");
  Attr(s->mutable_attributes(), "scope.attr", "x");
  s->set_dropped_attributes_count(4);
}

ExportTraceServiceRequest FullTraces() {
  ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  FillResource(rs->mutable_resource());
  rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
  auto* ss = rs->add_scope_spans();
  FillScope(ss->mutable_scope());
  ss->set_schema_url("https://opentelemetry.io/schemas/1.24.0");
  trace::Span* s = ss->add_spans();
  s->set_trace_id(kTraceId);
  s->set_span_id(kSpanId);
  s->set_parent_span_id(kParentId);
  s->set_trace_state("vendor=abc,other=1");
  s->set_flags(0x301);
  s->set_name("llm_request");
  s->set_kind(trace::Span::SPAN_KIND_SERVER);
  s->set_start_time_unix_nano(18446744073709551615ULL);
  s->set_end_time_unix_nano(1544712661000000000ULL);
  AllValueKinds(s->mutable_attributes());
  s->set_dropped_attributes_count(5);
  auto* ev = s->add_events();
  ev->set_time_unix_nano(1544712660500000000ULL);
  ev->set_name("first_token");
  AllValueKinds(ev->mutable_attributes());
  ev->set_dropped_attributes_count(6);
  s->add_events()->set_name("second");
  s->set_dropped_events_count(7);
  auto* link = s->add_links();
  link->set_trace_id(kTraceId);
  link->set_span_id(kParentId);
  link->set_trace_state("k=v");
  Attr(link->mutable_attributes(), "link.attr", "y");
  link->set_dropped_attributes_count(8);
  link->set_flags(0x100);
  s->set_dropped_links_count(9);
  s->mutable_status()->set_message("boom");
  s->mutable_status()->set_code(trace::Status::STATUS_CODE_ERROR);
  // A span with only ids, and one with an unknown enum value and an empty status.
  trace::Span* s2 = ss->add_spans();
  s2->set_trace_id(kTraceId);
  s2->set_span_id(kParentId);
  trace::Span* s3 = ss->add_spans();
  s3->set_kind(static_cast<trace::Span::SpanKind>(42));
  s3->mutable_status();
  req.add_resource_spans();  // an empty ResourceSpans
  return req;
}

void FillExemplars(google::protobuf::RepeatedPtrField<metrics::Exemplar>* out) {
  auto* ex = out->Add();
  Attr(ex->mutable_filtered_attributes(), "request.id", "cmpl-1");
  ex->set_time_unix_nano(1544712665300000000ULL);
  ex->set_as_double(0.125);
  ex->set_span_id(kSpanId);
  ex->set_trace_id(kTraceId);
  auto* ex2 = out->Add();
  ex2->set_as_int(-3);
  auto* ex3 = out->Add();
  ex3->set_as_double(0);  // a set oneof holding zero
}

ExportMetricsServiceRequest FullMetrics() {
  ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  FillResource(rm->mutable_resource());
  rm->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
  auto* sm = rm->add_scope_metrics();
  FillScope(sm->mutable_scope());
  sm->set_schema_url("https://opentelemetry.io/schemas/1.24.0");

  metrics::Metric* gauge = sm->add_metrics();
  gauge->set_name("vllm:gpu_cache_usage_perc");
  gauge->set_description("GPU KV-cache usage.");
  gauge->set_unit("1");
  Attr(gauge->mutable_metadata(), "prometheus.type", "gauge");
  auto* gp = gauge->mutable_gauge()->add_data_points();
  AllValueKinds(gp->mutable_attributes());
  gp->set_start_time_unix_nano(1);
  gp->set_time_unix_nano(2);
  gp->set_as_double(0.5);
  FillExemplars(gp->mutable_exemplars());
  gp->set_flags(1);
  gauge->mutable_gauge()->add_data_points()->set_as_int(0);
  gauge->mutable_gauge()->add_data_points()->set_as_double(-0.0);

  metrics::Metric* sum = sm->add_metrics();
  sum->set_name("vllm:request_success_total");
  sum->mutable_sum()->set_aggregation_temporality(metrics::AGGREGATION_TEMPORALITY_CUMULATIVE);
  sum->mutable_sum()->set_is_monotonic(true);
  auto* sp = sum->mutable_sum()->add_data_points();
  sp->set_as_int(9223372036854775807LL);
  sp->set_time_unix_nano(1544712670300000000ULL);
  Attr(sp->mutable_attributes(), "finished_reason", "stop");

  metrics::Metric* hist = sm->add_metrics();
  hist->set_name("vllm:time_to_first_token_seconds");
  hist->mutable_histogram()->set_aggregation_temporality(metrics::AGGREGATION_TEMPORALITY_DELTA);
  auto* hp = hist->mutable_histogram()->add_data_points();
  hp->set_start_time_unix_nano(10);
  hp->set_time_unix_nano(20);
  hp->set_count(18446744073709551615ULL);
  hp->set_sum(1e300);
  for (uint64_t c : {1ULL, 0ULL, 18446744073709551615ULL}) hp->add_bucket_counts(c);
  for (double b : {0.001, 1e-300}) hp->add_explicit_bounds(b);
  FillExemplars(hp->mutable_exemplars());
  hp->set_flags(1);
  hp->set_min(0);  // optional fields set to zero stay
  hp->set_max(5e-324);
  hist->mutable_histogram()->add_data_points();  // sum/min/max absent

  metrics::Metric* exp = sm->add_metrics();
  exp->set_name("vllm:e2e_request_latency_seconds");
  exp->mutable_exponential_histogram()->set_aggregation_temporality(
      metrics::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* ep = exp->mutable_exponential_histogram()->add_data_points();
  AllValueKinds(ep->mutable_attributes());
  ep->set_start_time_unix_nano(3);
  ep->set_time_unix_nano(4);
  ep->set_count(11);
  ep->set_sum(-123.456);
  ep->set_scale(-10);
  ep->set_zero_count(2);
  ep->mutable_positive()->set_offset(-2147483647 - 1);
  ep->mutable_positive()->add_bucket_counts(0);
  ep->mutable_positive()->add_bucket_counts(18446744073709551615ULL);
  ep->mutable_negative();  // present but empty
  ep->set_flags(1);
  FillExemplars(ep->mutable_exemplars());
  ep->set_min(-1e-3);
  ep->set_max(1.2345678901234568e+20);
  ep->set_zero_threshold(1e-9);

  metrics::Metric* summary = sm->add_metrics();
  summary->set_name("rpc_latency");
  auto* qp = summary->mutable_summary()->add_data_points();
  Attr(qp->mutable_attributes(), "a", "b");
  qp->set_start_time_unix_nano(5);
  qp->set_time_unix_nano(6);
  qp->set_count(100);
  qp->set_sum(std::numeric_limits<double>::infinity());
  auto* q0 = qp->add_quantile_values();
  q0->set_quantile(0);
  q0->set_value(-std::numeric_limits<double>::infinity());
  auto* q1 = qp->add_quantile_values();
  q1->set_quantile(0.99);
  q1->set_value(2.5);
  qp->set_flags(1);

  sm->add_metrics()->set_name("no data");
  return req;
}

ExportLogsServiceRequest FullLogs() {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  FillResource(rl->mutable_resource());
  rl->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
  auto* sl = rl->add_scope_logs();
  FillScope(sl->mutable_scope());
  sl->set_schema_url("https://opentelemetry.io/schemas/1.24.0");
  logs::LogRecord* r = sl->add_log_records();
  r->set_time_unix_nano(1544712660300000000ULL);
  r->set_observed_time_unix_nano(1544712660300000001ULL);
  r->set_severity_number(logs::SEVERITY_NUMBER_FATAL4);
  r->set_severity_text("FATAL");
  r->mutable_body()->set_string_value("engine died");
  AllValueKinds(r->mutable_attributes());
  r->set_dropped_attributes_count(2);
  r->set_flags(1);
  r->set_trace_id(kTraceId);
  r->set_span_id(kSpanId);
  r->set_event_name("vllm.engine.crash");
  // Bodies of every kind.
  sl->add_log_records()->mutable_body()->set_int_value(12);
  sl->add_log_records()->mutable_body()->set_bool_value(false);
  sl->add_log_records()->mutable_body()->set_double_value(3.25);
  sl->add_log_records()->mutable_body()->set_bytes_value("\x7f\x80");
  AllValueKinds(sl->add_log_records()->mutable_body()->mutable_kvlist_value()->mutable_values());
  sl->add_log_records()->mutable_body()->mutable_array_value()->add_values()->set_string_value("a");
  sl->add_log_records()->mutable_body();  // empty body
  return req;
}

template <typename M>
void ExpectRoundTrip(const M& msg) {
  std::string json = EncodeJson(msg);
  M back;
  Status st = DecodeJson(json, back);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << json;
  // Deterministic serialization compares doubles bit by bit (-0.0, NaN) and oneof presence.
  std::string a, b;
  {
    google::protobuf::io::StringOutputStream sa(&a), sb(&b);
    google::protobuf::io::CodedOutputStream ca(&sa), cb(&sb);
    ca.SetSerializationDeterministic(true);
    cb.SetSerializationDeterministic(true);
    msg.SerializeToCodedStream(&ca);
    back.SerializeToCodedStream(&cb);
  }
  EXPECT_EQ(a, b) << "first:\n" << msg.DebugString() << "\nsecond:\n" << back.DebugString();
  EXPECT_EQ(EncodeJson(back), json);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(OtlpJsonTest, TracesRoundTripEveryField) {
  ExportTraceServiceRequest req = FullTraces();
  ExpectRoundTrip(req);
  std::string json = EncodeJson(req);
  EXPECT_TRUE(Contains(json, R"("traceId":"5b8efff798038103d269b633813fc60c")")) << json;
  EXPECT_TRUE(Contains(json, R"("spanId":"eee19b7ec3c1b174")"));
  EXPECT_TRUE(Contains(json, R"("parentSpanId":"eee19b7ec3c1b173")"));
  EXPECT_TRUE(Contains(json, R"("kind":2)"));
  EXPECT_TRUE(Contains(json, R"("kind":42)"));
  EXPECT_TRUE(Contains(json, R"("flags":769)"));
  EXPECT_TRUE(Contains(json, R"("startTimeUnixNano":"18446744073709551615")"));
  EXPECT_TRUE(Contains(json, R"("intValue":"-9223372036854775808")"));
  EXPECT_TRUE(Contains(json, R"({"key":"int_zero","value":{"intValue":"0"}})"));
  EXPECT_TRUE(Contains(json, R"({"key":"bool_false","value":{"boolValue":false}})"));
  EXPECT_TRUE(Contains(json, R"({"key":"double_zero","value":{"doubleValue":0}})"));
  EXPECT_TRUE(Contains(json, R"({"key":"string_empty","value":{"stringValue":""}})"));
  EXPECT_TRUE(Contains(json, R"({"key":"bytes","value":{"bytesValue":"AAEC/w=="}})"));
  EXPECT_TRUE(Contains(json, R"({"key":"empty_array","value":{"arrayValue":{}}})"));
  EXPECT_TRUE(Contains(json, R"({"key":"no value at all"})"));
  EXPECT_TRUE(Contains(json, R"("stringValue":"hello \"world\"\n\t\u0001 é 日本")"));
  EXPECT_TRUE(Contains(json, R"("status":{"message":"boom","code":2})"));
  EXPECT_TRUE(Contains(json, R"("status":{})"));
  EXPECT_TRUE(Contains(json, R"("droppedLinksCount":9)"));
  EXPECT_TRUE(Contains(json, R"("entityRefs":[{"schemaUrl":)"));
  EXPECT_TRUE(Contains(json, R"("resourceSpans":[{"resource":)"));
  EXPECT_TRUE(Contains(json, R"(,{}]})")) << "the empty ResourceSpans";
}

TEST(OtlpJsonTest, MetricsRoundTripEveryField) {
  ExportMetricsServiceRequest req = FullMetrics();
  ExpectRoundTrip(req);
  std::string json = EncodeJson(req);
  EXPECT_TRUE(Contains(json, R"("asInt":"9223372036854775807")")) << json;
  EXPECT_TRUE(Contains(json, R"({"asInt":"0"})"));
  EXPECT_TRUE(Contains(json, R"({"asDouble":-0.0})"));
  EXPECT_TRUE(Contains(json, R"("bucketCounts":["1","0","18446744073709551615"])"));
  EXPECT_TRUE(Contains(json, R"("explicitBounds":[0.001,1e-300])"));
  EXPECT_TRUE(Contains(json, R"("min":0,"max":5e-324)"));
  EXPECT_TRUE(Contains(json, R"("sum":1e+300)"));
  EXPECT_TRUE(Contains(json, R"("sum":"Infinity")"));
  EXPECT_TRUE(Contains(json, R"("value":"-Infinity")"));
  EXPECT_TRUE(Contains(json, R"("max":1.2345678901234568e+20)"));
  EXPECT_TRUE(Contains(json, R"("negative":{})"));
  EXPECT_TRUE(Contains(
      json, R"("positive":{"offset":-2147483648,"bucketCounts":["0","18446744073709551615"]})"));
  EXPECT_TRUE(Contains(json, R"("scale":-10)"));
  EXPECT_TRUE(Contains(json, R"("aggregationTemporality":2,"isMonotonic":true)"));
  EXPECT_TRUE(Contains(json, R"({"quantile":0.99,"value":2.5})"));
  EXPECT_TRUE(Contains(json, R"({"asDouble":0})")) << "zero exemplar value is kept";
  EXPECT_TRUE(Contains(json, R"("metadata":[{"key":"prometheus.type")"));
  EXPECT_TRUE(Contains(json, R"({"name":"no data"})"));
}

TEST(OtlpJsonTest, LogsRoundTripEveryField) {
  ExportLogsServiceRequest req = FullLogs();
  ExpectRoundTrip(req);
  std::string json = EncodeJson(req);
  EXPECT_TRUE(Contains(json, R"("severityNumber":24,"severityText":"FATAL")")) << json;
  EXPECT_TRUE(Contains(
      json,
      R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","eventName":"vllm.engine.crash")"));
  EXPECT_TRUE(Contains(json, R"({"body":{"intValue":"12"}})"));
  EXPECT_TRUE(Contains(json, R"({"body":{"boolValue":false}})"));
  EXPECT_TRUE(Contains(json, R"({"body":{"bytesValue":"f4A="}})"));
  EXPECT_TRUE(Contains(json, R"({"body":{}})"));
}

TEST(OtlpJsonTest, ExactEncoding) {
  ExportTraceServiceRequest req;
  auto* s = req.add_resource_spans()->add_scope_spans()->add_spans();
  s->set_trace_id(kTraceId);
  s->set_span_id(kSpanId);
  s->set_name("x");
  s->set_kind(trace::Span::SPAN_KIND_CLIENT);
  s->set_start_time_unix_nano(1);
  Attr(s->mutable_attributes(), "k", "v");
  EXPECT_EQ(
      EncodeJson(req),
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",)"
      R"("spanId":"eee19b7ec3c1b174","name":"x","kind":3,"startTimeUnixNano":"1",)"
      R"("attributes":[{"key":"k","value":{"stringValue":"v"}}]}]}]}]})");
  EXPECT_EQ(EncodeJson(ExportTraceServiceRequest()), "{}");
}

TEST(OtlpJsonTest, Doubles) {
  const double values[] = {0.1,
                           -0.0,
                           1e300,
                           -1e-300,
                           5e-324,
                           1.2345678901234568e+20,
                           123456789012345.0,
                           1234567890123456.0,
                           9007199254740993.0,
                           1e21,
                           18446744073709551616.0,
                           -1.5,
                           3.0};
  for (double v : values) {
    ExportLogsServiceRequest req;
    req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body()->set_double_value(
        v);
    ExportLogsServiceRequest back;
    std::string json = EncodeJson(req);
    ASSERT_TRUE(DecodeJson(json, back).ok()) << json;
    double got = back.resource_logs(0).scope_logs(0).log_records(0).body().double_value();
    EXPECT_EQ(std::signbit(got), std::signbit(v)) << json;
    EXPECT_EQ(got, v) << json;
  }
  ExportLogsServiceRequest req;
  req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body()->set_double_value(
      std::numeric_limits<double>::quiet_NaN());
  std::string json = EncodeJson(req);
  EXPECT_TRUE(Contains(json, R"({"doubleValue":"NaN"})")) << json;
  ExportLogsServiceRequest back;
  ASSERT_TRUE(DecodeJson(json, back).ok());
  EXPECT_TRUE(std::isnan(back.resource_logs(0).scope_logs(0).log_records(0).body().double_value()));
}

TEST(OtlpJsonTest, InvalidUtf8IsReplaced) {
  ExportLogsServiceRequest req;
  auto* r = req.add_resource_logs()->add_scope_logs()->add_log_records();
  r->set_severity_text(
      std::string("a\xff"
                  "b\xc3",
                  4));
  std::string json = EncodeJson(req);
  EXPECT_TRUE(Contains(json,
                       "\"a\xEF\xBF\xBD"
                       "b\xEF\xBF\xBD\""))
      << json;
  ExportLogsServiceRequest back;
  EXPECT_TRUE(DecodeJson(json, back).ok());
}

TEST(OtlpJsonTest, DecodesInputVariants) {
  std::string in = ReadFile(TestDataDir() / "otlp" / "traces_variants.json");
  ASSERT_FALSE(in.empty()) << "test data not found under " << TestDataDir();
  ExportTraceServiceRequest req;
  Status st = DecodeJson(in, req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(req.resource_spans_size(), 1);
  const auto& rs = req.resource_spans(0);
  EXPECT_EQ(rs.resource().dropped_attributes_count(), 1u);
  EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "vllm");
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "s");
  const trace::Span& s = rs.scope_spans(0).spans(0);
  EXPECT_EQ(s.trace_id(), kTraceId);
  EXPECT_EQ(s.span_id(), kSpanId);
  EXPECT_EQ(s.parent_span_id(), "");
  EXPECT_EQ(s.name(), "snake");
  EXPECT_EQ(s.kind(), trace::Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(s.start_time_unix_nano(), 1544712660000000000ULL);
  EXPECT_EQ(s.end_time_unix_nano(), 1544712661000000000ULL);
  EXPECT_EQ(s.flags(), 256u);
  ASSERT_EQ(s.attributes_size(), 6);
  EXPECT_EQ(s.attributes(0).value().int_value(), 42);
  EXPECT_TRUE(std::isnan(s.attributes(1).value().double_value()));
  EXPECT_EQ(s.attributes(2).value().double_value(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.attributes(3).value().double_value(), 2.5);
  EXPECT_EQ(s.attributes(4).value().bytes_value(), std::string("\xff\xef"));
  EXPECT_TRUE(s.attributes(5).has_value());
  EXPECT_EQ(s.attributes(5).value().value_case(), common::AnyValue::VALUE_NOT_SET);
  EXPECT_EQ(s.status().code(), trace::Status::STATUS_CODE_OK);
  EXPECT_EQ(s.events_size(), 0);
  ASSERT_EQ(s.links_size(), 1);
  EXPECT_EQ(s.links(0).flags(), 1u);
  EXPECT_TRUE(Contains(EncodeJson(req), R"("traceId":"0af7651916cd43dd8448eb211c80319c")"));
}

TEST(OtlpJsonTest, DecodesEnumNamesEverywhere) {
  ExportMetricsServiceRequest m;
  ASSERT_TRUE(DecodeJson(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"a","sum":{
      "aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA"}}]}]}]})",
                         m)
                  .ok());
  EXPECT_EQ(m.resource_metrics(0).scope_metrics(0).metrics(0).sum().aggregation_temporality(),
            metrics::AGGREGATION_TEMPORALITY_DELTA);
  ExportLogsServiceRequest l;
  ASSERT_TRUE(DecodeJson(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
      {"severityNumber":"SEVERITY_NUMBER_WARN"},{"severityNumber":"17"}]}]}]})",
                         l)
                  .ok());
  EXPECT_EQ(l.resource_logs(0).scope_logs(0).log_records(0).severity_number(),
            logs::SEVERITY_NUMBER_WARN);
  EXPECT_EQ(l.resource_logs(0).scope_logs(0).log_records(1).severity_number(),
            logs::SEVERITY_NUMBER_ERROR);
}

TEST(OtlpJsonTest, NullsAndEmptyIds) {
  ExportTraceServiceRequest req;
  ASSERT_TRUE(DecodeJson(R"({"resourceSpans":[{"resource":null,"scopeSpans":[{"scope":null,"spans":[
      {"traceId":"","spanId":null,"status":null,"kind":null,"name":null,"attributes":null}]}]}]})",
                         req)
                  .ok());
  const auto& rs = req.resource_spans(0);
  EXPECT_FALSE(rs.has_resource());
  EXPECT_FALSE(rs.scope_spans(0).has_scope());
  EXPECT_FALSE(rs.scope_spans(0).spans(0).has_status());
  EXPECT_EQ(rs.scope_spans(0).spans(0).trace_id(), "");
  ASSERT_TRUE(DecodeJson(R"({"resourceSpans":null})", req).ok());
  EXPECT_EQ(req.resource_spans_size(), 0);
  ASSERT_TRUE(DecodeJson("  {}  ", req).ok());
}

Status DecodeTraces(std::string_view json) {
  ExportTraceServiceRequest req;
  return DecodeJson(json, req);
}
Status DecodeMetrics(std::string_view json) {
  ExportMetricsServiceRequest req;
  return DecodeJson(json, req);
}

TEST(OtlpJsonTest, ErrorMessagesNameThePath) {
  Status st = DecodeTraces(R"({"resourceSpans":[{"scopeSpans":[{},{"spans":[{},{},{},
      {"traceId":"5b8efff798038103d269b633813fc60"}]}]}]})");
  EXPECT_EQ(st.code(), Code::kParseError);
  EXPECT_EQ(st.message(),
            "resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex characters, got 31");

  st = DecodeTraces(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"eee19b7ec3c1b1zz"}]}]}]})");
  EXPECT_EQ(
      st.message(),
      "resourceSpans[0].scopeSpans[0].spans[0].spanId: invalid hex character \"z\" at offset 14 "
      "in \"eee19b7ec3c1b1zz\"");

  st = DecodeTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]})");
  EXPECT_EQ(st.message(),
            "resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got a number");

  st = DecodeTraces(R"({"resourceSpans":{}})");
  EXPECT_EQ(st.message(), "resourceSpans: expected an array, got an object");

  st =
      DecodeTraces(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"a","value":{"arrayValue":
      {"values":[{"intValue":"12x"}]}}}]}}]})");
  EXPECT_EQ(
      st.message(),
      "resourceSpans[0].resource.attributes[0].value.arrayValue.values[0].intValue: expected an "
      "integer, got \"12x\"");

  st =
      DecodeTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_NOPE"}]}]}]})");
  EXPECT_EQ(st.message(),
            "resourceSpans[0].scopeSpans[0].spans[0].kind: unknown SpanKind \"SPAN_KIND_NOPE\"");

  st = DecodeTraces(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"droppedAttributesCount":-1}]}]}]})");
  EXPECT_EQ(st.message(),
            "resourceSpans[0].scopeSpans[0].spans[0].droppedAttributesCount: -1 is out of range "
            "for uint32");

  st =
      DecodeTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1.5}]}]}]})");
  EXPECT_EQ(
      st.message(),
      "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an integer, got 1.5");

  st = DecodeTraces(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"18446744073709551616"}]}]}]})");
  EXPECT_EQ(
      st.message(),
      "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: 18446744073709551616 is out of "
      "range for uint64");

  st = DecodeTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"b","value":
      {"bytesValue":"a$=="}}]}]}]}]})");
  EXPECT_EQ(
      st.message(),
      "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: invalid base64 "
      "character \"$\" at offset 1");

  st =
      DecodeMetrics(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"histogram":{"dataPoints":[
      {"bucketCounts":["1","-2"]}]}}]}]}]})");
  EXPECT_EQ(st.message(),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]:"
            " -2 is "
            "out of range for uint64");

  st = DecodeMetrics(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[
      {"asDouble":"fast"}]}}]}]}]})");
  EXPECT_EQ(st.message(),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asDouble: expected "
            "a number, "
            "got \"fast\"");

  st = DecodeMetrics(
      R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"isMonotonic":"yes"}}]}]}]})");
  EXPECT_EQ(st.message(),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].sum.isMonotonic: expected true or "
            "false, got a string");

  st = DecodeTraces("[]");
  EXPECT_EQ(st.message(), "expected an object at the top level, got an array");
}

TEST(OtlpJsonTest, SyntaxErrorsHaveAPosition) {
  struct Case {
    std::string in;
    std::string want;
  } cases[] = {
      {"", "invalid JSON at line 1, column 1: unexpected end of input"},
      {"{\"resourceSpans\": [\n  {\"x\": 1,}\n]}",
       "invalid JSON at line 2, column 11: expected a string key"},
      {"{\"a\": tru}", "invalid JSON at line 1, column 7: unexpected character 't'"},
      {"{\"a\": \"b}", "invalid JSON at line 1, column 10: unterminated string"},
      {"{\"a\": \"\\ud800\"}",
       "invalid JSON at line 1, column 8: unpaired surrogate in a \\u escape"},
      {"{\"a\": 18446744073709551616}",
       "invalid JSON at line 1, column 7: integer out of 64-bit range"},
      {"{\"a\": 1e400}", "invalid JSON at line 1, column 7: number out of range"},
      {"{\"a\": \"\xff\"}", "invalid JSON at line 1, column 8: invalid UTF-8 in a string"},
      {"{} {}", "invalid JSON at line 1, column 4: unexpected data after the top-level value"},
      {"{\"a\" 1}", "invalid JSON at line 1, column 6: expected ':' after a key"},
  };
  for (const Case& c : cases) {
    Status st = DecodeTraces(c.in);
    EXPECT_EQ(st.code(), Code::kParseError) << c.in;
    EXPECT_EQ(st.message(), c.want) << c.in;
  }
}

// A log body nested `levels` arrays deep: the body AnyValue sits at message depth 4 and each
// level adds an ArrayValue and an AnyValue.
std::string NestedBody(int levels) {
  std::string json = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)";
  for (int i = 0; i < levels; ++i) json += R"({"arrayValue":{"values":[)";
  json += R"({"intValue":"1"})";
  for (int i = 0; i < levels; ++i) json += "]}}";
  json += "}]}]}]}";
  return json;
}

TEST(OtlpJsonTest, NestingMatchesProtobufLimit) {
  // 48 levels: the innermost AnyValue is at depth 4 + 2 * 48 = 100, the deepest protobuf parses.
  ExportLogsServiceRequest req;
  Status st = DecodeJson(NestedBody(48), req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::string wire = req.SerializeAsString();
  ExportLogsServiceRequest parsed;
  EXPECT_TRUE(parsed.ParseFromString(wire));

  st = DecodeJson(NestedBody(49), req);
  EXPECT_EQ(st.code(), Code::kParseError);
  EXPECT_TRUE(Contains(st.message(), "nested more than 100 messages deep")) << st.message();
  // The same message built in code is refused by protobuf's own parser.
  ExportLogsServiceRequest deep;
  common::AnyValue* v =
      deep.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body();
  for (int i = 0; i < 49; ++i) v = v->mutable_array_value()->add_values();
  v->set_int_value(1);
  EXPECT_FALSE(parsed.ParseFromString(deep.SerializeAsString()));
}

// A log body of `levels` nested kvlists (3 messages each) ending in an empty arrayValue, so
// that the deepest message is at depth 4 + 3 * levels + 1.
std::string NestedKvlistBody(int levels) {
  std::string json = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)";
  for (int i = 0; i < levels; ++i) json += R"({"kvlistValue":{"values":[{"key":"k","value":)";
  json += R"({"arrayValue":{}})";
  for (int i = 0; i < levels; ++i) json += "}]}}";
  json += "}]}]}]}";
  return json;
}

TEST(OtlpJsonTest, NestingLimitIsExact) {
  for (int levels : {31, 32}) {
    ExportLogsServiceRequest req;
    Status st = DecodeJson(NestedKvlistBody(levels), req);
    bool too_deep = 4 + 3 * levels + 1 > 100;
    EXPECT_EQ(st.ok(), !too_deep) << levels << ": " << st.ToString();
    // Protobuf agrees on the same message built in code.
    ExportLogsServiceRequest built;
    common::AnyValue* v =
        built.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body();
    for (int i = 0; i < levels; ++i) {
      auto* kv = v->mutable_kvlist_value()->add_values();
      kv->set_key("k");
      v = kv->mutable_value();
    }
    v->mutable_array_value();
    ExportLogsServiceRequest parsed;
    EXPECT_EQ(parsed.ParseFromString(built.SerializeAsString()), !too_deep) << levels;
    if (!too_deep) {
      EXPECT_TRUE(MessageDifferencer::Equals(req, built));
      EXPECT_EQ(EncodeJson(built), NestedKvlistBody(levels));
    }
  }
}

TEST(OtlpJsonTest, Responses) {
  ExportTraceServiceResponse tr;
  EXPECT_EQ(EncodeJson(tr), "{}");
  tr.mutable_partial_success()->set_rejected_spans(3);
  tr.mutable_partial_success()->set_error_message("bad ids");
  EXPECT_EQ(EncodeJson(tr), R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad ids"}})");
  ExportTraceServiceResponse tr2;
  ASSERT_TRUE(DecodeJson(EncodeJson(tr), tr2).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(tr, tr2));

  ExportMetricsServiceResponse mr;
  ASSERT_TRUE(
      DecodeJson(R"({"partial_success":{"rejected_data_points":7,"error_message":"x"}})", mr).ok());
  EXPECT_EQ(mr.partial_success().rejected_data_points(), 7);
  EXPECT_EQ(EncodeJson(mr), R"({"partialSuccess":{"rejectedDataPoints":"7","errorMessage":"x"}})");

  ExportLogsServiceResponse lr;
  lr.mutable_partial_success();
  EXPECT_EQ(EncodeJson(lr), R"({"partialSuccess":{}})");
  lr.mutable_partial_success()->set_rejected_log_records(1);
  ExportLogsServiceResponse lr2;
  ASSERT_TRUE(DecodeJson(EncodeJson(lr), lr2).ok());
  EXPECT_EQ(lr2.partial_success().rejected_log_records(), 1);

  RpcStatus status;
  status.set_code(3);
  status.set_message("bad \"data\"");
  EXPECT_EQ(EncodeJson(status), R"({"code":3,"message":"bad \"data\""})");
  RpcStatus status2;
  ASSERT_TRUE(
      DecodeJson(R"({"code":14,"message":"later","details":[{"@type":"x"}]})", status2).ok());
  EXPECT_EQ(status2.code(), 14);
  EXPECT_EQ(status2.message(), "later");
}

// ---- fixtures in test/data/otlp (always present) ----

template <typename M>
M DecodeFile(const std::filesystem::path& p) {
  std::string in = ReadFile(p);
  EXPECT_FALSE(in.empty()) << "cannot read " << p;
  M msg;
  Status st = DecodeJson(in, msg);
  EXPECT_TRUE(st.ok()) << p << ": " << st.ToString();
  ExpectRoundTrip(msg);
  return msg;
}

TEST(OtlpJsonFixtureTest, Traces) {
  auto req = DecodeFile<ExportTraceServiceRequest>(TestDataDir() / "otlp" / "traces.json");
  ASSERT_EQ(req.resource_spans_size(), 1);
  const auto& rs = req.resource_spans(0);
  EXPECT_EQ(rs.schema_url(), "https://opentelemetry.io/schemas/1.21.0");
  EXPECT_EQ(rs.resource().attributes(1).value().int_value(), 64);
  EXPECT_EQ(rs.resource().dropped_attributes_count(), 1u);
  const auto& ss = rs.scope_spans(0);
  EXPECT_EQ(ss.scope().name(), "vllm.tracing");
  EXPECT_EQ(ss.scope().version(), "0.6.4");
  EXPECT_TRUE(ss.scope().attributes(0).value().bool_value());
  EXPECT_EQ(ss.scope().dropped_attributes_count(), 2u);
  ASSERT_EQ(ss.spans_size(), 2);
  const trace::Span& s = ss.spans(0);
  EXPECT_EQ(s.trace_id(), kTraceId);
  EXPECT_EQ(s.span_id(), kSpanId);
  EXPECT_EQ(s.parent_span_id(), kParentId);
  EXPECT_EQ(s.trace_state(), "vendor=abc");
  EXPECT_EQ(s.flags(), 257u);
  EXPECT_EQ(s.kind(), trace::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(s.end_time_unix_nano() - s.start_time_unix_nano(), 1000000000u);
  ASSERT_EQ(s.attributes_size(), 8);
  EXPECT_EQ(s.attributes(0).value().string_value(), "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(s.attributes(2).value().double_value(), 0.7);
  EXPECT_FALSE(s.attributes(3).value().bool_value());
  EXPECT_EQ(s.attributes(3).value().value_case(), common::AnyValue::kBoolValue);
  EXPECT_EQ(s.attributes(4).value().bytes_value(), std::string("\x00\x01\x02\xff", 4));
  const auto& stop = s.attributes(5).value().array_value();
  ASSERT_EQ(stop.values_size(), 4);
  EXPECT_EQ(stop.values(1).int_value(), -1);
  EXPECT_EQ(stop.values(2).array_value().values(0).double_value(), 1.5);
  EXPECT_EQ(stop.values(3).kvlist_value().values(0).value().string_value(), "x");
  EXPECT_EQ(s.attributes(6)
                .value()
                .kvlist_value()
                .values(1)
                .value()
                .kvlist_value()
                .values(0)
                .value()
                .int_value(),
            1);
  EXPECT_FALSE(s.attributes(7).has_value());
  EXPECT_EQ(s.dropped_attributes_count(), 3u);
  EXPECT_EQ(s.events(0).name(), "first_token");
  EXPECT_EQ(s.events(0).time_unix_nano(), 1544712660500000000ULL);
  EXPECT_EQ(s.events(0).dropped_attributes_count(), 4u);
  EXPECT_EQ(s.dropped_events_count(), 5u);
  EXPECT_EQ(s.links(0).span_id(), std::string("\xb7\xad\x6b\x71\x69\x20\x33\x31", 8));
  EXPECT_EQ(s.links(0).trace_state(), "k=v");
  EXPECT_EQ(s.links(0).dropped_attributes_count(), 6u);
  EXPECT_EQ(s.links(0).flags(), 1u);
  EXPECT_EQ(s.dropped_links_count(), 7u);
  EXPECT_EQ(s.status().code(), trace::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(s.status().message(), "upstream timeout");
  EXPECT_EQ(ss.spans(1).trace_id(), kTraceId) << "upper and lower case hex decode alike";
}

TEST(OtlpJsonFixtureTest, Metrics) {
  auto req = DecodeFile<ExportMetricsServiceRequest>(TestDataDir() / "otlp" / "metrics.json");
  const auto& ms = req.resource_metrics(0).scope_metrics(0).metrics();
  ASSERT_EQ(ms.size(), 5);
  EXPECT_EQ(ms[0].sum().aggregation_temporality(), metrics::AGGREGATION_TEMPORALITY_CUMULATIVE);
  EXPECT_TRUE(ms[0].sum().is_monotonic());
  EXPECT_EQ(ms[0].sum().data_points(0).as_int(), 1234);
  EXPECT_EQ(ms[0].sum().data_points(0).exemplars(0).trace_id(), kTraceId);
  EXPECT_EQ(ms[0].sum().data_points(0).exemplars(0).as_int(), 1);
  EXPECT_EQ(ms[0].sum().data_points(0).exemplars(0).filtered_attributes(0).key(), "request.id");
  EXPECT_EQ(ms[0].metadata(0).value().string_value(), "counter");
  EXPECT_EQ(ms[1].gauge().data_points(0).flags(), 1u);
  EXPECT_EQ(ms[1].gauge().data_points(1).value_case(), metrics::NumberDataPoint::kAsDouble);
  const auto& hp = ms[2].histogram().data_points(0);
  EXPECT_EQ(hp.count(), 3u);
  EXPECT_EQ(hp.bucket_counts_size(), 3);
  EXPECT_EQ(hp.explicit_bounds(1), 0.5);
  EXPECT_DOUBLE_EQ(hp.sum(), 0.6);
  EXPECT_EQ(hp.min(), 0.05);
  EXPECT_EQ(hp.max(), 0.4);
  EXPECT_EQ(hp.exemplars(0).span_id(), kSpanId);
  const auto& ep = ms[3].exponential_histogram().data_points(0);
  EXPECT_EQ(ep.scale(), -2);
  EXPECT_EQ(ep.zero_count(), 1u);
  EXPECT_EQ(ep.zero_threshold(), 1e-9);
  EXPECT_EQ(ep.positive().offset(), 1);
  EXPECT_EQ(ep.positive().bucket_counts(1), 2u);
  EXPECT_EQ(ep.negative().offset(), -3);
  EXPECT_EQ(ep.min(), -8);
  EXPECT_TRUE(ep.has_sum());
  const auto& qp = ms[4].summary().data_points(0);
  EXPECT_EQ(qp.count(), 10u);
  EXPECT_EQ(qp.quantile_values_size(), 3);
  EXPECT_EQ(qp.quantile_values(1).value(), 1.1);
}

TEST(OtlpJsonFixtureTest, Logs) {
  auto req = DecodeFile<ExportLogsServiceRequest>(TestDataDir() / "otlp" / "logs.json");
  const auto& rs = req.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(rs.size(), 2);
  EXPECT_EQ(rs[0].severity_number(), logs::SEVERITY_NUMBER_INFO2);
  EXPECT_EQ(rs[0].severity_text(), "Information");
  EXPECT_EQ(rs[0].trace_id(), kTraceId);
  EXPECT_EQ(rs[0].span_id(), kSpanId);
  EXPECT_EQ(rs[0].flags(), 1u);
  EXPECT_EQ(rs[0].observed_time_unix_nano(), 1544712660300000001ULL);
  EXPECT_EQ(rs[0].body().string_value(), "Received request cmpl-1");
  EXPECT_EQ(rs[0].attributes_size(), 6);
  EXPECT_EQ(rs[0].attributes(3).value().double_value(), 637.704);
  EXPECT_EQ(rs[0].dropped_attributes_count(), 2u);
  EXPECT_EQ(rs[1].event_name(), "browser.page_view");
  EXPECT_EQ(rs[1].body().kvlist_value().values(2).value().bytes_value(), "hello");
}

// ---- the protocol repository's examples (when ../shared is present) ----

TEST(OtlpJsonGoldenTest, ProtocolExamples) {
  std::filesystem::path dir = SharedExamplesDir();
  if (dir.empty())
    GTEST_SKIP() << "no shared/reference/otlp-json-examples (set INFERMETRY_SHARED_DIR)";

  auto traces = DecodeFile<ExportTraceServiceRequest>(dir / "trace.json");
  const trace::Span& s = traces.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(s.trace_id(), kTraceId);
  EXPECT_EQ(s.span_id(), kSpanId);
  EXPECT_EQ(s.parent_span_id(), kParentId);
  EXPECT_EQ(s.name(), "I'm a server span");
  EXPECT_EQ(s.kind(), trace::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(s.start_time_unix_nano(), 1544712660000000000ULL);
  EXPECT_EQ(s.end_time_unix_nano(), 1544712661000000000ULL);
  EXPECT_EQ(s.attributes(0).key(), "my.span.attr");
  EXPECT_EQ(traces.resource_spans(0).scope_spans(0).scope().attributes(0).value().string_value(),
            "some scope attribute");
  EXPECT_TRUE(Contains(EncodeJson(traces), R"("traceId":"5b8efff798038103d269b633813fc60c")"));

  auto m = DecodeFile<ExportMetricsServiceRequest>(dir / "metrics.json");
  const auto& ms = m.resource_metrics(0).scope_metrics(0).metrics();
  ASSERT_EQ(ms.size(), 4);
  EXPECT_EQ(ms[0].name(), "my.counter");
  EXPECT_EQ(ms[0].sum().aggregation_temporality(), metrics::AGGREGATION_TEMPORALITY_DELTA);
  EXPECT_TRUE(ms[0].sum().is_monotonic());
  EXPECT_EQ(ms[0].sum().data_points(0).as_double(), 5);
  EXPECT_EQ(ms[1].gauge().data_points(0).as_double(), 10);
  EXPECT_EQ(ms[2].histogram().data_points(0).count(), 2u);
  EXPECT_EQ(ms[2].histogram().data_points(0).bucket_counts_size(), 2);
  EXPECT_EQ(ms[2].histogram().data_points(0).max(), 2);
  EXPECT_TRUE(ms[2].histogram().data_points(0).has_min());
  EXPECT_EQ(ms[3].exponential_histogram().data_points(0).positive().bucket_counts(1), 2u);
  EXPECT_EQ(ms[3].exponential_histogram().data_points(0).zero_count(), 1u);

  auto l = DecodeFile<ExportLogsServiceRequest>(dir / "logs.json");
  const logs::LogRecord& r = l.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_EQ(r.severity_number(), logs::SEVERITY_NUMBER_INFO2);
  EXPECT_EQ(r.trace_id(), kTraceId);
  EXPECT_EQ(r.body().string_value(), "Example log record");
  EXPECT_EQ(r.attributes_size(), 6);
  EXPECT_EQ(r.attributes(2).value().int_value(), 10);

  auto ev = DecodeFile<ExportLogsServiceRequest>(dir / "events.json");
  const logs::LogRecord& e = ev.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_EQ(e.event_name(), "browser.page_view");
  EXPECT_EQ(e.body().kvlist_value().values_size(), 4);
  EXPECT_EQ(e.body().kvlist_value().values(0).value().value_case(), common::AnyValue::kIntValue);
}

}  // namespace
}  // namespace infermetry::otlp
