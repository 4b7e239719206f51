#pragma once
// Test fixtures of the span store: a temporary directory, store options, and spans/logs with
// every field set.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>

#include "common/temp_dir.h"
#include "model/span.h"
#include "spanstore/span_store.h"

namespace infermetry::spanstore::testing {

using ::infermetry::TempDir;

// A store in `dir` without background work (tests flush, merge and apply retention).
inline SpanStoreOptions ForegroundOptions(const std::string& dir) {
  SpanStoreOptions o;
  o.dir = dir;
  o.background = false;
  return o;
}

inline model::AttrValue Str(std::string s) {
  model::AttrValue v;
  v.type = model::AttrValue::Type::kString;
  v.s = std::move(s);
  return v;
}
inline model::AttrValue Int(int64_t i) {
  model::AttrValue v;
  v.type = model::AttrValue::Type::kInt;
  v.i = i;
  return v;
}
inline model::AttrValue Dbl(double d) {
  model::AttrValue v;
  v.type = model::AttrValue::Type::kDouble;
  v.d = d;
  return v;
}
inline model::AttrValue Bool(bool b) {
  model::AttrValue v;
  v.type = model::AttrValue::Type::kBool;
  v.i = b ? 1 : 0;
  return v;
}

inline model::TraceId TraceIdOf(uint64_t n) {
  model::TraceId id{};
  for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(n >> (8 * i));
  id[15] = 0x5a;
  return id;
}

// A vLLM-like `llm_request` span, number `n` of a run, starting at `start_ns`.
inline model::Span MakeSpan(uint64_t n, int64_t start_ns, const std::string& service = "vllm",
                            const std::string& name = "llm_request") {
  model::Span s;
  s.trace_id = TraceIdOf(n);
  s.span_id = {1, 2, 3, 4, 5, 6, 7, static_cast<uint8_t>(n)};
  s.name = name;
  s.kind = 2;
  s.start_ns = start_ns;
  s.end_ns = start_ns + 1000000 * static_cast<int64_t>(1 + n % 100);
  s.status_code = n % 10 == 0 ? 2 : 0;
  if (s.status_code == 2) s.status_message = "error " + std::to_string(n);
  s.service_name = service;
  s.resource_attributes = {{"service.name", Str(service)},
                           {"host.name", Str("gpu-" + std::to_string(n % 3))}};
  s.scope_name = "vllm.llm_engine";
  s.attributes = {
      {"gen_ai.request.id", Str("chatcmpl-" + std::to_string(n))},
      {"gen_ai.usage.prompt_tokens", Int(static_cast<int64_t>(100 + n % 7))},
      {"gen_ai.usage.completion_tokens", Int(static_cast<int64_t>(n % 50))},
      {"gen_ai.latency.e2e", Dbl(0.001 * static_cast<double>(1 + n % 100))},
      {"gen_ai.latency.time_to_first_token", Dbl(0.0125 + static_cast<double>(n) / 1024)}};
  return s;
}

// A span using every field and every attribute type.
inline model::Span FullSpan() {
  model::Span s = MakeSpan(424242, 1700000000123456789);
  s.parent_span_id = {9, 9, 9, 9, 9, 9, 9, 9};
  s.trace_state = "vendor=x";
  s.flags = 0x301;
  s.status_code = 1;
  s.status_message = "fine";
  model::AttrValue bytes = Str("AAEC");
  bytes.type = model::AttrValue::Type::kBytes;
  model::AttrValue json = Str(R"({"arrayValue":{"values":[{"intValue":"1"}]}})");
  json.type = model::AttrValue::Type::kJson;
  s.attributes.push_back({"flag", Bool(true)});
  s.attributes.push_back({"raw", bytes});
  s.attributes.push_back({"list", json});
  s.attributes.push_back({"nothing", model::AttrValue{}});
  s.attributes.push_back({"neg.zero", Dbl(-0.0)});
  s.attributes.push_back({"big", Int(INT64_MIN)});
  s.attributes.push_back({"gen_ai.usage.prompt_tokens", Int(7)});  // duplicate key, kept in order
  s.events = {{1700000000200000000, "first_token", {{"k", Str("v")}}, 1},
              {1700000000300000000, "done", {}, 0}};
  s.links = {{TraceIdOf(7), {8, 8, 8, 8, 8, 8, 8, 8}, "a=b", {{"link.attr", Int(3)}}, 1}};
  s.dropped_attributes_count = 1;
  s.dropped_events_count = 2;
  s.dropped_links_count = 3;
  return s;
}

inline model::LogRecord MakeLog(uint64_t n, int64_t time_ns, const std::string& service = "api") {
  model::LogRecord r;
  r.time_ns = time_ns;
  r.observed_time_ns = time_ns + 5;
  r.severity_number = static_cast<int32_t>(1 + n % 24);
  r.severity_text = r.severity_number >= 17 ? "ERROR" : "INFO";
  r.body = Str("request " + std::to_string(n) + (n % 5 == 0 ? " queue full" : " ok"));
  r.service_name = service;
  r.attributes = {{"n", Int(static_cast<int64_t>(n))}};
  r.resource_attributes = {{"service.name", Str(service)}};
  r.scope_name = "uvicorn";
  r.trace_id = TraceIdOf(n);
  r.span_id = {1, 1, 1, 1, 1, 1, 1, 1};
  r.flags = 1;
  return r;
}

}  // namespace infermetry::spanstore::testing
