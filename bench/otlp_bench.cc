// Throughput of OTLP trace ingestion on vLLM-shaped data: one OTLP/HTTP traces request of 512
// `llm_request` spans, each with the 11 gen_ai.* attributes vLLM's tracing sets, decoded from
// protobuf and from OTLP/JSON, encoded to JSON, and validated as the receiver does; and the
// receiver's whole path behind the transport: protobuf decode -> validation -> batch processor
// (default settings) -> a null exporter. Items are spans, so items_per_second is spans/s.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>

#include "ingest/otlp/export_handler.h"
#include "ingest/otlp/validate.h"
#include "process/batch_processor.h"
#include "model/otlp/otlp_json.h"

namespace infermetry::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;

constexpr int kSpans = 512;

void Str(trace::Span* s, const char* key, const std::string& v) {
  auto* kv = s->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(v);
}
void Int(trace::Span* s, const char* key, int64_t v) {
  auto* kv = s->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_int_value(v);
}
void Dbl(trace::Span* s, const char* key, double v) {
  auto* kv = s->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_double_value(v);
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

ExportTraceServiceRequest VllmRequest() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0, 1);
  ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* res = rs->mutable_resource();
  for (auto [k, v] : {std::pair{"service.name", "vllm"},
                      {"telemetry.sdk.language", "python"},
                      {"telemetry.sdk.name", "opentelemetry"},
                      {"telemetry.sdk.version", "1.27.0"}}) {
    auto* kv = res->add_attributes();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  }
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("vllm.llm_engine");
  uint64_t t0 = 1732426800000000000ULL;
  for (int i = 0; i < kSpans; ++i) {
    trace::Span* s = ss->add_spans();
    s->set_trace_id(RandomBytes(rng, 16));
    s->set_span_id(RandomBytes(rng, 8));
    s->set_name("llm_request");
    s->set_kind(trace::Span::SPAN_KIND_SERVER);
    s->set_flags(0x100);
    double queue = unit(rng) * 0.05, ttft = queue + 0.02 + unit(rng) * 0.2;
    int64_t prompt = 50 + static_cast<int64_t>(unit(rng) * 2000);
    int64_t completion = 10 + static_cast<int64_t>(unit(rng) * 500);
    double e2e = ttft + completion * 0.012;
    uint64_t start = t0 + static_cast<uint64_t>(i) * 7000000ULL;
    s->set_start_time_unix_nano(start);
    s->set_end_time_unix_nano(start + static_cast<uint64_t>(e2e * 1e9));
    Str(s, "gen_ai.request.model", "meta-llama/Llama-3.1-8B-Instruct");
    Int(s, "gen_ai.request.max_tokens", 1024);
    Dbl(s, "gen_ai.request.temperature", 0.7);
    Dbl(s, "gen_ai.request.top_p", 0.95);
    Int(s, "gen_ai.request.n", 1);
    Int(s, "gen_ai.usage.prompt_tokens", prompt);
    Int(s, "gen_ai.usage.completion_tokens", completion);
    Dbl(s, "gen_ai.latency.time_in_queue", queue);
    Dbl(s, "gen_ai.latency.time_to_first_token", ttft);
    Dbl(s, "gen_ai.latency.e2e", e2e);
    Str(s, "gen_ai.response.model", "meta-llama/Llama-3.1-8B-Instruct");
  }
  return req;
}

const ExportTraceServiceRequest& Request() {
  static const ExportTraceServiceRequest req = VllmRequest();
  return req;
}

void BM_DecodeProtobuf(benchmark::State& state) {
  const std::string body = Request().SerializeAsString();
  for (auto _ : state) {
    ExportTraceServiceRequest msg;
    bool ok = msg.ParseFromArray(body.data(), static_cast<int>(body.size()));
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeProtobuf);

void BM_DecodeJson(benchmark::State& state) {
  const std::string body = EncodeJson(Request());
  for (auto _ : state) {
    ExportTraceServiceRequest msg;
    Status st = DecodeJson(body, msg);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(msg);
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeJson);

void BM_EncodeJson(benchmark::State& state) {
  const ExportTraceServiceRequest& req = Request();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = EncodeJson(req);
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodeJson);

void BM_EncodeProtobuf(benchmark::State& state) {
  const ExportTraceServiceRequest& req = Request();
  for (auto _ : state) {
    std::string wire = req.SerializeAsString();
    benchmark::DoNotOptimize(wire);
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
}
BENCHMARK(BM_EncodeProtobuf);

// The receiver's per-request validation (nothing is rejected).
void BM_Validate(benchmark::State& state) {
  ExportTraceServiceRequest req = Request();
  for (auto _ : state) {
    Rejections r = RemoveInvalid(&req);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
}
BENCHMARK(BM_Validate);

// Counts what reaches it; stands in for an exporter.
class NullExporter : public process::Consumer {
 public:
  Status ConsumeTraces(process::Traces&& t) override {
    spans += process::CountItems(t);
    return Status::Ok();
  }
  int64_t spans = 0;
};

void BM_IngestToBatchProcessor(benchmark::State& state) {
  const std::string body = Request().SerializeAsString();
  NullExporter sink;
  auto batch = process::NewBatchProcessor("batch", process::Signal::kTraces, process::BatchOptions(), &sink);
  if (!batch->Start().ok()) {
    state.SkipWithError("batch processor did not start");
    return;
  }
  process::ReceiverOutputs outputs;
  outputs.traces = batch.get();
  ExportHandler handler("otlp", "http", outputs);
  for (auto _ : state) {
    process::Traces msg;
    if (!msg.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      state.SkipWithError("decode failed");
      break;
    }
    ExportOutcome out = handler.Export(std::move(msg));
    if (!out.status.ok()) {
      state.SkipWithError(out.status.ToString().c_str());
      break;
    }
  }
  (void)batch->Shutdown(std::chrono::seconds(5));
  if (sink.spans != state.iterations() * kSpans) state.SkipWithError("spans were lost between receiver and exporter");
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_IngestToBatchProcessor)->UseRealTime();

}  // namespace
}  // namespace infermetry::otlp

BENCHMARK_MAIN();
