#pragma once
// The emulator's simulated-clock mode end to end: a scenario's traffic through simulated
// engines, each sampling instant scraped from the engines' /metrics exposition exactly as a
// scrape of the real emulator would be (vLLM's text, Prometheus's scrape rules: `up`,
// `scrape_*`, staleness markers when the instance is down), and one llm_request span per
// finished request. Hours of traffic in seconds, into any storage::Appendable and SpanAppender
// (the embedded store, or memory in tests).
//
//   SimulateOptions o;
//   o.scenario = "kv-cache-pressure"; o.engine = *Preset("llama-3-8b-a100"); o.duration = 3600;
//   Result<SimulateReport> r = SimulateInto(o, db, spans);
//
// Deterministic for a seed (span ids included).

#include <cstdint>
#include <map>
#include <string>

#include "common/result.h"
#include "emulator/engine/engine_config.h"
#include "emulator/engine/simulation.h"
#include "emulator/metrics/vllm_metrics.h"
#include "storage/appender.h"
#include "storage/span_appender.h"

namespace infermetry::emulator {

struct SimulateOptions {
  std::string scenario = "healthy";
  EngineConfig engine;          // the base config (a preset); the scenario's overrides apply
  int data_parallel_size = 1;   // engines behind the one API server
  double start_time = 0;        // Unix seconds of the first instant; 0 = now - duration
  double duration = 3600;       // seconds of traffic
  double scrape_interval = 5;   // seconds between scrapes
  // Keep running after `duration` (no new arrivals) until every request has finished; the
  // last scrape then comes at the first scrape instant after the engines went idle, so the
  // stored counters cover every request.
  bool drain = false;
  uint64_t seed = 1;
  MetricsLayout layout = MetricsLayout::kCurrent;
  std::string job = "vllm";                  // scrape target labels
  std::string instance = "127.0.0.1:8000";
  std::string service_name = "vllm-server";  // llm_request spans' service.name
  // Labels added to every stored sample, as a scrape config's static labels are (e.g.
  // p_stream="S" to put the samples in the SQL stream S). Names must be valid label names and
  // must not start with "__".
  std::map<std::string, std::string> target_labels;
};

struct SimulateReport {
  SimulationSummary summary;
  int64_t scrapes = 0;
  int64_t scrapes_down = 0;       // scrapes that found the instance down (up = 0)
  int64_t samples_appended = 0;   // exposition samples kept (up/scrape_* not counted)
  int64_t spans = 0;
  int64_t completion_tokens = 0;  // over finished requests
  int64_t prompt_tokens = 0;
};

// Errors: an unknown scenario (kNotFound listing the known ones), an invalid engine config,
// and the first append, commit or span-ingest error (the run stops there; what was committed
// before stays).
Result<SimulateReport> SimulateInto(const SimulateOptions& options, storage::Appendable* metrics,
                                    storage::SpanAppender* spans);

}  // namespace infermetry::emulator
