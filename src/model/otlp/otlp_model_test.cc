#include "model/otlp/otlp_model.h"

#include <gtest/gtest.h>

#include "model/otlp/otlp_json.h"

namespace infermetry::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
using model::AttrValue;

void AddStr(google::protobuf::RepeatedPtrField<common::KeyValue>* kvs, const std::string& k,
            const std::string& v) {
  auto* kv = kvs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

ExportTraceServiceRequest TraceRequest() {
  ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  AddStr(rs->mutable_resource()->mutable_attributes(), "service.name", "vllm");
  AddStr(rs->mutable_resource()->mutable_attributes(), "host.name", "gpu-1");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("vllm.llm_engine");
  ss->mutable_scope()->set_version("0.9");
  auto* s = ss->add_spans();
  s->set_trace_id(std::string(16, '\x01'));
  s->set_span_id(std::string(8, '\x02'));
  s->set_parent_span_id(std::string(8, '\x03'));
  s->set_trace_state("k=v");
  s->set_flags(0x101);
  s->set_name("llm_request");
  s->set_kind(opentelemetry::proto::trace::v1::Span::SPAN_KIND_SERVER);
  s->set_start_time_unix_nano(1000);
  s->set_end_time_unix_nano(5000);
  s->mutable_status()->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
  s->mutable_status()->set_message("boom");
  auto* a = s->add_attributes();
  a->set_key("gen_ai.usage.prompt_tokens");
  a->mutable_value()->set_int_value(123);
  a = s->add_attributes();
  a->set_key("gen_ai.latency.e2e");
  a->mutable_value()->set_double_value(0.5);
  a = s->add_attributes();
  a->set_key("ok");
  a->mutable_value()->set_bool_value(true);
  a = s->add_attributes();
  a->set_key("raw");
  a->mutable_value()->set_bytes_value("\xff\x00\x01", 3);
  a = s->add_attributes();
  a->set_key("arr");
  a->mutable_value()->mutable_array_value()->add_values()->set_int_value(7);
  a->mutable_value()->mutable_array_value()->add_values()->set_string_value("x");
  a = s->add_attributes();
  a->set_key("kv");
  auto* inner = a->mutable_value()->mutable_kvlist_value()->add_values();
  inner->set_key("d");
  inner->mutable_value()->set_double_value(-0.0);
  a = s->add_attributes();
  a->set_key("empty");
  a->mutable_value();
  s->set_dropped_attributes_count(4);
  auto* e = s->add_events();
  e->set_name("first_token");
  e->set_time_unix_nano(2000);
  AddStr(e->mutable_attributes(), "ek", "ev");
  e->set_dropped_attributes_count(1);
  auto* l = s->add_links();
  l->set_trace_id(std::string(16, '\x09'));
  l->set_span_id(std::string(8, '\x08'));
  l->set_trace_state("a=b");
  l->set_flags(1);
  AddStr(l->mutable_attributes(), "lk", "lv");
  s->set_dropped_events_count(2);
  s->set_dropped_links_count(3);
  // A span with an invalid (short) trace id and no resource service.name.
  auto* rs2 = req.add_resource_spans();
  auto* s2 = rs2->add_scope_spans()->add_spans();
  s2->set_trace_id("short");
  s2->set_name("other");
  return req;
}

TEST(OtlpModelTest, SpansFoldResourceAndScope) {
  std::vector<model::Span> spans = ToSpans(TraceRequest());
  ASSERT_EQ(spans.size(), 2u);
  const model::Span& m = spans[0];
  EXPECT_EQ(m.service_name, "vllm");
  ASSERT_EQ(m.resource_attributes.size(), 2u);
  EXPECT_EQ(m.resource_attributes[1].value.s, "gpu-1");
  EXPECT_EQ(m.scope_name, "vllm.llm_engine");
  EXPECT_EQ(m.scope_version, "0.9");
  EXPECT_EQ(m.trace_id[15], 1);
  EXPECT_EQ(m.span_id[0], 2);
  EXPECT_EQ(m.parent_span_id[7], 3);
  EXPECT_EQ(m.trace_state, "k=v");
  EXPECT_EQ(m.flags, 0x101u);
  EXPECT_EQ(m.name, "llm_request");
  EXPECT_EQ(m.kind, 2);
  EXPECT_EQ(m.duration_ns(), 4000);
  EXPECT_EQ(m.status_code, 2);
  EXPECT_EQ(m.status_message, "boom");
  EXPECT_EQ(m.dropped_attributes_count, 4u);
  EXPECT_EQ(m.dropped_events_count, 2u);
  EXPECT_EQ(m.dropped_links_count, 3u);
  ASSERT_EQ(m.events.size(), 1u);
  EXPECT_EQ(m.events[0].time_ns, 2000);
  EXPECT_EQ(m.events[0].name, "first_token");
  EXPECT_EQ(m.events[0].attributes[0].key, "ek");
  EXPECT_EQ(m.events[0].dropped_attributes_count, 1u);
  ASSERT_EQ(m.links.size(), 1u);
  EXPECT_EQ(m.links[0].trace_id[0], 9);
  EXPECT_EQ(m.links[0].span_id[0], 8);
  EXPECT_EQ(m.links[0].trace_state, "a=b");
  EXPECT_EQ(m.links[0].flags, 1u);
  EXPECT_EQ(m.links[0].attributes[0].value.s, "lv");

  EXPECT_EQ(spans[1].service_name, "");
  EXPECT_EQ(spans[1].trace_id, model::TraceId{});
}

TEST(OtlpModelTest, AttributeTypesStayTyped) {
  model::Span m = ToSpans(TraceRequest())[0];
  ASSERT_EQ(m.attributes.size(), 7u);
  EXPECT_EQ(m.attributes[0].value.type, AttrValue::Type::kInt);
  EXPECT_EQ(m.attributes[0].value.i, 123);
  EXPECT_EQ(m.attributes[1].value.type, AttrValue::Type::kDouble);
  EXPECT_EQ(m.attributes[1].value.d, 0.5);
  EXPECT_EQ(m.attributes[2].value.type, AttrValue::Type::kBool);
  EXPECT_EQ(m.attributes[2].value.i, 1);
  EXPECT_EQ(m.attributes[3].value.type, AttrValue::Type::kBytes);
  EXPECT_EQ(m.attributes[3].value.s, "/wAB");
  EXPECT_EQ(m.attributes[4].value.type, AttrValue::Type::kJson);
  EXPECT_EQ(m.attributes[4].value.s,
            R"({"arrayValue":{"values":[{"intValue":"7"},{"stringValue":"x"}]}})");
  EXPECT_EQ(m.attributes[5].value.type, AttrValue::Type::kJson);
  EXPECT_EQ(m.attributes[5].value.s,
            R"({"kvlistValue":{"values":[{"key":"d","value":{"doubleValue":-0.0}}]}})");
  EXPECT_EQ(m.attributes[6].value.type, AttrValue::Type::kEmpty);
}

// The kJson text is exactly what the OTLP/JSON encoder writes for the same AnyValue.
TEST(OtlpModelTest, JsonTextMatchesOtlpJsonEncoder) {
  common::AnyValue v;
  auto* kv = v.mutable_kvlist_value()->add_values();
  kv->set_key("nested");
  auto* arr = kv->mutable_value()->mutable_array_value();
  arr->add_values()->set_double_value(1.5);
  arr->add_values()->set_bool_value(false);
  arr->add_values()->set_bytes_value("ab");
  arr->add_values()->set_string_value("q\"uote");
  arr->add_values()->mutable_array_value();
  ExportLogsServiceRequest req;
  *req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body() = v;
  std::string json = EncodeJson(req);
  AttrValue mv = ToAttrValue(v);
  ASSERT_EQ(mv.type, AttrValue::Type::kJson);
  EXPECT_NE(json.find("\"body\":" + mv.s), std::string::npos) << json << "\n" << mv.s;
}

TEST(OtlpModelTest, Logs) {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  AddStr(rl->mutable_resource()->mutable_attributes(), "service.name", "api");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("uvicorn");
  auto* r = sl->add_log_records();
  r->set_time_unix_nano(10);
  r->set_observed_time_unix_nano(11);
  r->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
  r->set_severity_text("WARN");
  r->mutable_body()->set_string_value("queue full");
  AddStr(r->mutable_attributes(), "k", "v");
  r->set_trace_id(std::string(16, '\x05'));
  r->set_span_id(std::string(8, '\x06'));
  r->set_flags(1);
  r->set_dropped_attributes_count(2);
  std::vector<model::LogRecord> logs = ToLogs(req);
  ASSERT_EQ(logs.size(), 1u);
  const model::LogRecord& m = logs[0];
  EXPECT_EQ(m.time_ns, 10);
  EXPECT_EQ(m.observed_time_ns, 11);
  EXPECT_EQ(m.severity_number, 13);
  EXPECT_EQ(m.severity_text, "WARN");
  EXPECT_EQ(m.body.type, AttrValue::Type::kString);
  EXPECT_EQ(m.body.s, "queue full");
  EXPECT_EQ(m.service_name, "api");
  EXPECT_EQ(m.scope_name, "uvicorn");
  EXPECT_EQ(m.attributes.size(), 1u);
  EXPECT_EQ(m.trace_id[0], 5);
  EXPECT_EQ(m.span_id[0], 6);
  EXPECT_EQ(m.flags, 1u);
  EXPECT_EQ(m.dropped_attributes_count, 2u);
}

}  // namespace
}  // namespace infermetry::otlp
