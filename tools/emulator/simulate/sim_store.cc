#include "emulator/simulate/sim_store.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "emulator/api/request_span.h"
#include "emulator/engine/scenario.h"
#include "emulator/engine/workload.h"
#include "ingest/scrape/scrape_loop.h"
#include "ingest/scrape/target.h"
#include "model/labels.h"

namespace infermetry::emulator {
namespace {

constexpr size_t kSpanBatch = 2048;

int64_t ToMs(double t) { return static_cast<int64_t>(std::llround(t * 1000)); }
int64_t ToNs(double t) { return static_cast<int64_t>(std::llround(t * 1e9)); }

// The llm_request span vLLM would have exported for `rec` (no incoming trace context).
model::Span LlmRequestSpan(const FinishedRecord& rec, const SimulateOptions& o, std::mt19937_64& rng) {
  FinishedRequest fr;
  fr.external_id = rec.external_id;
  fr.arrival_time = rec.arrival_time;
  fr.first_token_time = rec.stats.num_generation_tokens > 0
                            ? rec.arrival_time + rec.stats.queued_time + rec.stats.prefill_time
                            : 0;
  fr.finish_time = rec.finish_time;
  fr.finish_reason = rec.stats.finish_reason;
  fr.stats = rec.stats;
  fr.spec = rec.spec;
  model::Span span;
  for (size_t i = 0; i < span.trace_id.size(); i += 8) {
    const uint64_t r = rng();
    for (size_t j = 0; j < 8; ++j) span.trace_id[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  const uint64_t s = rng() | 1;  // never all zero
  for (size_t j = 0; j < 8; ++j) span.span_id[j] = static_cast<uint8_t>(s >> (8 * j));
  span.flags = 1;
  span.name = std::string(kLlmRequestSpanName);
  span.kind = 2;  // SERVER
  span.start_ns = ToNs(rec.arrival_time);
  span.end_ns = ToNs(rec.finish_time);
  span.service_name = o.service_name;
  auto str = [](std::string v) {
    model::AttrValue a;
    a.type = model::AttrValue::Type::kString;
    a.s = std::move(v);
    return a;
  };
  span.resource_attributes = {{"service.name", str(o.service_name)},
                              {"vllm.instrumenting_module_name", str("vllm.llm_engine")},
                              {"telemetry.sdk.language", str("python")},
                              {"telemetry.sdk.name", str("opentelemetry")}};
  span.scope_name = std::string(kVllmTracerScope);
  SetLlmRequestAttributes(fr, &span);
  return span;
}

VllmMetricsOptions MetricsOptions(const SimulateOptions& o, const EngineConfig& config, double start) {
  VllmMetricsOptions m;
  m.engines.assign(o.data_parallel_size, config);
  m.layout = o.layout;
  m.start_time = start;
  m.read_proc_self = false;  // simulated time: process_* must not come from this process
  // vLLM runs one API server per data-parallel engine by default, and then exposes the
  // multiprocess layout.
  m.multiprocess = o.data_parallel_size > 1;
  return m;
}

}  // namespace

Result<SimulateReport> SimulateInto(const SimulateOptions& o, storage::Appendable* metrics_out,
                                    storage::SpanAppender* spans_out) {
  INFERMETRY_ASSIGN_OR_RETURN(Scenario scenario, FindScenario(o.scenario));
  INFERMETRY_ASSIGN_OR_RETURN(EngineConfig config, ScenarioEngineConfig(scenario, o.engine));
  if (o.data_parallel_size < 1) return InvalidArgument("data_parallel_size must be at least 1");
  if (!(o.scrape_interval > 0)) return InvalidArgument("scrape_interval must be positive");
  const double start =
      o.start_time > 0
          ? o.start_time
          : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
                o.duration;

  WorkloadGenerator arrivals(scenario.workload, config, o.data_parallel_size, o.seed);
  auto vm = std::make_unique<VllmMetrics>(MetricsOptions(o, config, start));

  scrape::ScrapeConfig sc;
  sc.job_name = o.job;
  sc.scrape_interval = std::chrono::milliseconds(ToMs(o.scrape_interval));
  sc.scrape_timeout = sc.scrape_interval;
  for (const auto& [name, value] : o.target_labels) {
    if (!model::IsValidLabelName(name) || name.rfind("__", 0) == 0) {
      return InvalidArgument("target label \"" + name +
                             "\": want a label name ([A-Za-z_][A-Za-z0-9_]*) not starting with \"__\"");
    }
  }
  sc.static_configs.push_back({{o.instance}, o.target_labels});
  std::vector<scrape::Target> targets = scrape::TargetsFromConfig(sc);
  if (targets.empty()) return InvalidArgument("instance " + o.instance + " gives no scrape target");
  scrape::ScrapeLoop loop(targets[0], metrics_out);

  SimulateReport report;
  Status failed;
  bool up = true;
  std::mt19937_64 id_rng(o.seed * 0x9E3779B97F4A7C15ULL + 7);
  std::vector<model::Span> pending;
  auto flush_spans = [&] {
    if (pending.empty() || spans_out == nullptr || !failed.ok()) return;
    report.spans += static_cast<int64_t>(pending.size());
    Status st = spans_out->AppendSpans(std::move(pending));
    pending.clear();
    if (!st.ok()) failed = st.WithContext("storing llm_request spans");
  };

  SimulationOptions so;
  so.engines.assign(o.data_parallel_size, config);
  so.start_time = start;
  so.duration = o.duration;
  so.drain = o.drain;
  so.sample_interval = o.scrape_interval;
  so.down_windows = DownWindowsWithin(scenario, o.duration);
  SimulationCallbacks cb;
  cb.on_step = [&](int engine, const StepResult& r) { vm->Record(engine, r.scheduler, &r.iteration); };
  cb.on_availability = [&](double t, bool now_up) {
    up = now_up;
    // A restarted server starts with fresh counters and new _created values.
    if (now_up) vm = std::make_unique<VllmMetrics>(MetricsOptions(o, config, t));
  };
  double last_sample = start;
  cb.on_sample = [&](double t) {
    last_sample = t;
    if (!failed.ok()) return;
    scrape::ScrapeReport r;
    if (up) {
      const std::string body = vm->Render(t);
      r = loop.Append(body, vm->content_type(), ToMs(t), 0.002, Status::Ok());
    } else {
      r = loop.Append("", "", ToMs(t), 0.001,
                      Unavailable("dial tcp " + o.instance + ": connect: connection refused"));
      ++report.scrapes_down;
    }
    ++report.scrapes;
    report.samples_appended += static_cast<int64_t>(r.samples_post_relabeling);
    if (r.append_errors > 0) failed = Internal("scrape at t=" + std::to_string(ToMs(t)) + " ms: " +
                                              std::to_string(r.append_errors) + " samples refused by the store");
  };
  cb.on_finished = [&](const FinishedRecord& rec) {
    if (rec.dropped || !failed.ok()) return;
    report.completion_tokens += rec.stats.num_generation_tokens;
    report.prompt_tokens += rec.stats.num_prompt_tokens;
    pending.push_back(LlmRequestSpan(rec, o, id_rng));
    if (pending.size() >= kSpanBatch) flush_spans();
  };
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Simulation> sim, Simulation::Create(so, &arrivals, cb));
  report.summary = sim->Run();
  if (o.drain && report.summary.end_time > last_sample) {
    cb.on_sample(last_sample + o.scrape_interval *
                                   std::ceil((report.summary.end_time - last_sample) / o.scrape_interval));
  }
  flush_spans();
  if (!failed.ok()) return failed;
  return report;
}

}  // namespace infermetry::emulator
