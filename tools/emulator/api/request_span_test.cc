#include "emulator/api/request_span.h"

#include <gtest/gtest.h>

#include <map>

namespace infermetry::emulator {
namespace {

telemetry::EnvLookup Env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string Attr(const telemetry::TracerOptions& o, std::string_view key) {
  for (const auto& [k, v] : o.resource_attributes) {
    if (k == key) return v;
  }
  return "<absent>";
}

TEST(VllmTracerOptionsTest, FollowsVllmRules) {
  auto o =
      VllmTracerOptions("grpc://127.0.0.1:4317", 4242, Env({{"OTEL_SERVICE_NAME", "vllm-server"}}));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->endpoint, "grpc://127.0.0.1:4317");
  EXPECT_EQ(o->protocol, "grpc");
  EXPECT_TRUE(o->insecure);
  EXPECT_EQ(o->service_name, "vllm-server");
  EXPECT_EQ(o->scope_name, "vllm.tracing.otel");
  EXPECT_EQ(Attr(*o, "vllm.instrumenting_module_name"), "vllm.llm_engine");
  EXPECT_EQ(Attr(*o, "vllm.process_id"), "4242");

  o = VllmTracerOptions("http://127.0.0.1:4318/v1/traces", 1,
                        Env({{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"}}));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->protocol, "http/protobuf");
  EXPECT_EQ(o->service_name, "unknown_service");

  o = VllmTracerOptions("x:1", 1, Env({{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"}}));
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "Unsupported OTLP protocol 'http/json' is configured");

  // Only the flag enables tracing.
  o = VllmTracerOptions("", 1, Env({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "127.0.0.1:4317"}}));
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->endpoint.empty());
}

FinishedRequest Sample() {
  FinishedRequest f;
  f.external_id = "chatcmpl-abc";
  f.arrival_time = 100.0;
  f.first_token_time = 100.25;
  f.finish_time = 101.5;
  f.finish_reason = "stop";
  f.stats.num_prompt_tokens = 30;
  f.stats.num_generation_tokens = 12;
  f.stats.queued_time = 0.125;
  f.stats.prefill_time = 0.1;
  f.stats.decode_time = 1.0;
  f.stats.inference_time = 1.1;
  f.spec.max_tokens = 100;
  f.spec.temperature = 0.7;
  f.spec.top_p = 1.0;
  f.spec.n = 1;
  return f;
}

TEST(LlmRequestSpanTest, AttributesInOrderWithTypes) {
  model::Span span;
  SetLlmRequestAttributes(Sample(), &span);
  const char* want[] = {
      "gen_ai.latency.time_to_first_token",
      "gen_ai.latency.e2e",
      "gen_ai.latency.time_in_queue",
      "gen_ai.usage.prompt_tokens",
      "gen_ai.usage.completion_tokens",
      "gen_ai.latency.time_in_model_prefill",
      "gen_ai.latency.time_in_model_decode",
      "gen_ai.latency.time_in_model_inference",
      "gen_ai.request.id",
      "gen_ai.request.top_p",
      "gen_ai.request.max_tokens",
      "gen_ai.request.temperature",
      "gen_ai.request.n",
  };
  ASSERT_EQ(span.attributes.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) EXPECT_EQ(span.attributes[i].key, want[i]);
  using T = model::AttrValue::Type;
  EXPECT_EQ(span.attributes[0].value.type, T::kDouble);
  EXPECT_DOUBLE_EQ(span.attributes[0].value.d, 0.25);
  EXPECT_DOUBLE_EQ(span.attributes[1].value.d, 1.5);
  EXPECT_DOUBLE_EQ(span.attributes[2].value.d, 0.125);
  EXPECT_EQ(span.attributes[3].value.type, T::kInt);
  EXPECT_EQ(span.attributes[3].value.i, 30);
  EXPECT_EQ(span.attributes[4].value.i, 12);
  EXPECT_EQ(span.attributes[8].value.type, T::kString);
  EXPECT_EQ(span.attributes[8].value.s, "chatcmpl-abc");
  EXPECT_EQ(span.attributes[9].value.type, T::kDouble);
  EXPECT_EQ(span.attributes[10].value.type, T::kInt);
  EXPECT_EQ(span.attributes[12].value.type, T::kInt);
}

TEST(LlmRequestSpanTest, GreedyRequestHasNoTemperature) {
  FinishedRequest f = Sample();
  f.spec.temperature = 0;
  model::Span span;
  SetLlmRequestAttributes(f, &span);
  EXPECT_EQ(model::FindAttr(span.attributes, "gen_ai.request.temperature"), nullptr);
  EXPECT_NE(model::FindAttr(span.attributes, "gen_ai.request.top_p"), nullptr);
}

TEST(LlmRequestSpanTest, TraceContextExtraction) {
  auto ctx =
      ExtractTraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=x");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(model::HexId(ctx->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx->tracestate, "vendor=x");
  EXPECT_FALSE(ExtractTraceContext("", "vendor=x").has_value());
  EXPECT_FALSE(ExtractTraceContext("garbage", "").has_value());
}

}  // namespace
}  // namespace infermetry::emulator
