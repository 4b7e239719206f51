#include "emulator/api/request_span.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>

namespace infermetry::emulator {
namespace {

int64_t ToUnixNano(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1e9)); }

const char* RealGetenv(const char* name) { return std::getenv(name); }

}  // namespace

Result<telemetry::TracerOptions> VllmTracerOptions(std::string_view endpoint, int process_id) {
  return VllmTracerOptions(endpoint, process_id, RealGetenv);
}

Result<telemetry::TracerOptions> VllmTracerOptions(std::string_view endpoint, int process_id,
                                                   const telemetry::EnvLookup& getenv) {
  // vLLM reads only the traces-specific variable, and knows two protocols.
  std::string protocol = "grpc";
  if (const char* p = getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"); p != nullptr && *p != '\0') {
    protocol = p;
  }
  if (protocol != "grpc" && protocol != "http/protobuf") {
    return InvalidArgument("Unsupported OTLP protocol '" + protocol + "' is configured");
  }
  telemetry::TracerOptions defaults;
  defaults.endpoint = std::string(endpoint);
  defaults.protocol = protocol;
  defaults.scope_name = std::string(kVllmTracerScope);
  defaults.resource_attributes = {
      {"vllm.instrumenting_module_name", "vllm.llm_engine"},
      {"vllm.process_id", std::to_string(process_id != 0 ? process_id : ::getpid())},
  };
  Result<telemetry::TracerOptions> opts = telemetry::TracerOptions::FromEnv(defaults, getenv);
  if (!opts.ok()) return opts.status();
  opts->protocol = protocol;
  opts->scope_name = std::string(kVllmTracerScope);
  opts->insecure = true;
  // Tracing is on only with the flag, never through the endpoint variables alone.
  if (endpoint.empty()) opts->endpoint.clear();
  return opts;
}

std::optional<telemetry::TraceContext> ExtractTraceContext(std::string_view traceparent,
                                                           std::string_view tracestate) {
  if (traceparent.empty()) return std::nullopt;
  std::optional<telemetry::TraceContext> ctx = telemetry::ParseTraceparent(traceparent);
  if (ctx.has_value()) ctx->tracestate = std::string(tracestate);
  return ctx;
}

void SetLlmRequestAttributes(const FinishedRequest& r, model::Span* span) {
  const FinishedRequestStats& s = r.stats;
  const double ttft = r.first_token_time > 0 ? r.first_token_time - r.arrival_time : 0.0;
  telemetry::SetDoubleAttr(span, "gen_ai.latency.time_to_first_token", ttft);
  telemetry::SetDoubleAttr(span, "gen_ai.latency.e2e", r.finish_time - r.arrival_time);
  telemetry::SetDoubleAttr(span, "gen_ai.latency.time_in_queue", s.queued_time);
  telemetry::SetIntAttr(span, "gen_ai.usage.prompt_tokens", s.num_prompt_tokens);
  telemetry::SetIntAttr(span, "gen_ai.usage.completion_tokens", s.num_generation_tokens);
  telemetry::SetDoubleAttr(span, "gen_ai.latency.time_in_model_prefill", s.prefill_time);
  telemetry::SetDoubleAttr(span, "gen_ai.latency.time_in_model_decode", s.decode_time);
  telemetry::SetDoubleAttr(span, "gen_ai.latency.time_in_model_inference", s.inference_time);
  telemetry::SetStringAttr(span, "gen_ai.request.id", r.external_id);
  // vLLM sets these only when truthy (so temperature 0, greedy, leaves no attribute).
  if (r.spec.top_p != 0) telemetry::SetDoubleAttr(span, "gen_ai.request.top_p", r.spec.top_p);
  if (r.spec.max_tokens != 0) {
    telemetry::SetIntAttr(span, "gen_ai.request.max_tokens", r.spec.max_tokens);
  }
  if (r.spec.temperature != 0) {
    telemetry::SetDoubleAttr(span, "gen_ai.request.temperature", r.spec.temperature);
  }
  if (r.spec.n != 0) telemetry::SetIntAttr(span, "gen_ai.request.n", r.spec.n);
}

void EmitLlmRequestSpan(telemetry::Tracer* tracer, const FinishedRequest& request,
                        const telemetry::TraceContext* parent) {
  if (tracer == nullptr || !tracer->enabled()) return;
  model::Span span =
      tracer->StartSpan(std::string(kLlmRequestSpanName), parent, ToUnixNano(request.arrival_time),
                        telemetry::kSpanKindServer);
  SetLlmRequestAttributes(request, &span);
  tracer->End(std::move(span), ToUnixNano(request.finish_time));
}

}  // namespace infermetry::emulator
