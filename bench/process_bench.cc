// Throughput of the batch processor: one producer thread feeding 64-span export requests of
// realistic LLM-serving spans (11 attributes each, as an OpenTelemetry-instrumented vLLM
// front end emits them) into a batch processor whose next consumer drops every batch.
// Reports spans/s (items_per_second). The copy of each request is part of the measured work;
// BM_CopyRequest measures it alone for reference.

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "process/batch_processor.h"
#include "process/component.h"

namespace infermetry::process {
namespace {

namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;

constexpr int kSpansPerRequest = 64;

class NullConsumer : public Consumer {
 public:
  Status ConsumeTraces(Traces&& b) override {
    Traces dropped(std::move(b));
    benchmark::DoNotOptimize(dropped);
    return Status::Ok();
  }
};

void Str(trace_pb::Span* s, const char* k, const std::string& v) {
  auto* kv = s->add_attributes();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}
void Int(trace_pb::Span* s, const char* k, int64_t v) {
  auto* kv = s->add_attributes();
  kv->set_key(k);
  kv->mutable_value()->set_int_value(v);
}

Traces MakeRequest() {
  Traces t;
  auto* rs = t.add_resource_spans();
  for (auto [k, v] : {std::pair{"service.name", "rag-app"},
                      {"service.version", "1.4.2"},
                      {"host.name", "gpu-node-07"},
                      {"telemetry.sdk.language", "python"}}) {
    auto* kv = rs->mutable_resource()->add_attributes();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  }
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("opentelemetry.instrumentation.openai");
  ss->mutable_scope()->set_version("0.48b0");
  for (int i = 0; i < kSpansPerRequest; ++i) {
    auto* s = ss->add_spans();
    s->set_trace_id(std::string(16, static_cast<char>(i + 1)));
    s->set_span_id(std::string(8, static_cast<char>(i + 2)));
    s->set_parent_span_id(std::string(8, static_cast<char>(i + 3)));
    s->set_name("chat meta-llama/Llama-3.1-8B-Instruct");
    s->set_kind(trace_pb::Span::SPAN_KIND_CLIENT);
    s->set_start_time_unix_nano(1764000000000000000ull + i * 1000000ull);
    s->set_end_time_unix_nano(1764000000000000000ull + i * 1000000ull + 850000000ull);
    Str(s, "gen_ai.system", "vllm");
    Str(s, "gen_ai.operation.name", "chat");
    Str(s, "gen_ai.request.model", "meta-llama/Llama-3.1-8B-Instruct");
    Str(s, "gen_ai.response.model", "meta-llama/Llama-3.1-8B-Instruct");
    Str(s, "gen_ai.response.id", "chatcmpl-" + std::to_string(100000 + i));
    Int(s, "gen_ai.request.max_tokens", 512);
    Int(s, "gen_ai.usage.input_tokens", 1200 + i);
    Int(s, "gen_ai.usage.output_tokens", 240 + i);
    Str(s, "server.address", "vllm");
    Int(s, "server.port", 8000);
    auto* kv = s->add_attributes();
    kv->set_key("gen_ai.request.temperature");
    kv->mutable_value()->set_double_value(0.7);
    s->mutable_status()->set_code(trace_pb::Status::STATUS_CODE_OK);
  }
  return t;
}

void BM_CopyRequest(benchmark::State& state) {
  const Traces req = MakeRequest();
  for (auto _ : state) {
    Traces copy(req);
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
}
BENCHMARK(BM_CopyRequest);

// Args: send_batch_size, send_batch_max_size.
void BM_BatchProcessor(benchmark::State& state) {
  NullConsumer sink;
  BatchOptions o;
  o.send_batch_size = static_cast<uint64_t>(state.range(0));
  o.send_batch_max_size = static_cast<uint64_t>(state.range(1));
  o.timeout = std::chrono::milliseconds(200);
  auto p = NewBatchProcessor("batch/bench", Signal::kTraces, o, &sink);
  if (!p->Start().ok()) state.SkipWithError("start failed");
  const Traces req = MakeRequest();
  for (auto _ : state) {
    Traces copy(req);
    benchmark::DoNotOptimize(p->ConsumeTraces(std::move(copy)));
  }
  (void)p->Shutdown(std::chrono::seconds(1));
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
}
BENCHMARK(BM_BatchProcessor)->Args({8192, 0})->Args({1024, 1000})->Args({100, 100});

void BM_BatchProcessorPassThrough(benchmark::State& state) {
  NullConsumer sink;
  auto p = NewBatchProcessor("batch/bench", Signal::kTraces, BatchOptions{}, &sink);
  p->SetPassThrough();
  if (!p->Start().ok()) state.SkipWithError("start failed");
  const Traces req = MakeRequest();
  for (auto _ : state) {
    Traces copy(req);
    benchmark::DoNotOptimize(p->ConsumeTraces(std::move(copy)));
  }
  (void)p->Shutdown(std::chrono::seconds(1));
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
}
BENCHMARK(BM_BatchProcessorPassThrough);

}  // namespace
}  // namespace infermetry::process

BENCHMARK_MAIN();
