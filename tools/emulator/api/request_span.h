#pragma once
// vLLM's request tracing (vllm.md §3): the tracer configuration vLLM derives from its flag and
// the environment, and the `llm_request` span it emits once per finished request.
//
//   auto opts = VllmTracerOptions(flags.otlp_traces_endpoint);   // kInvalidArgument on a bad
//   auto tracer = telemetry::Tracer::Create(*opts);              //   protocol
//   ...
//   EmitLlmRequestSpan(tracer.get(), finished, parent_or_null);
//
// Thread-safety: the functions are pure or only call the thread-safe Tracer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "emulator/api/runner.h"
#include "model/span.h"
#include "telemetry/tracer.h"

namespace infermetry::emulator {

inline constexpr std::string_view kLlmRequestSpanName = "llm_request";
inline constexpr std::string_view kVllmTracerScope = "vllm.tracing.otel";

// The tracer options of a vLLM server started with --otlp-traces-endpoint=`endpoint`:
// - tracing is enabled only by the flag (an empty `endpoint` gives a disabled tracer, whatever
//   the OTEL_* variables say);
// - the protocol is OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" (default, insecure) or
//   "http/protobuf"; anything else is kInvalidArgument
//   "Unsupported OTLP protocol '<p>' is configured";
// - service.name from OTEL_SERVICE_NAME (else "unknown_service"), OTEL_RESOURCE_ATTRIBUTES, and
//   the resource attributes vllm.instrumenting_module_name="vllm.llm_engine" and
//   vllm.process_id=`process_id` (0: this process's pid);
// - instrumentation scope "vllm.tracing.otel".
// The remaining OTEL_* settings (headers, timeouts, batching) apply as the Tracer reads them.
Result<telemetry::TracerOptions> VllmTracerOptions(std::string_view endpoint, int process_id = 0);
Result<telemetry::TracerOptions> VllmTracerOptions(std::string_view endpoint, int process_id,
                                                   const telemetry::EnvLookup& getenv);

// The incoming trace context of a request: only traceparent and tracestate (W3C) are read.
// nullopt when traceparent is absent or invalid (the span then starts a new trace).
std::optional<telemetry::TraceContext> ExtractTraceContext(std::string_view traceparent,
                                                           std::string_view tracestate);

// Sets the llm_request attributes on `span`, in vLLM's order and with its conditions:
// gen_ai.latency.time_to_first_token, gen_ai.latency.e2e, gen_ai.latency.time_in_queue (float
// seconds), gen_ai.usage.prompt_tokens, gen_ai.usage.completion_tokens (int),
// gen_ai.latency.time_in_model_prefill / _decode / _inference (float seconds),
// gen_ai.request.id (string), then only when non-zero: gen_ai.request.top_p (float),
// gen_ai.request.max_tokens (int), gen_ai.request.temperature (float), gen_ai.request.n (int).
void SetLlmRequestAttributes(const FinishedRequest& request, model::Span* span);

// Starts the SERVER span `llm_request` at the request's arrival (child of `parent` when given),
// sets its attributes and ends it at the finish. No-op when `tracer` is null or disabled.
void EmitLlmRequestSpan(telemetry::Tracer* tracer, const FinishedRequest& request,
                        const telemetry::TraceContext* parent);

}  // namespace infermetry::emulator
