#pragma once
// One emulated vLLM API server: engines (data-parallel ranks) running in real time, vLLM's
// /metrics, its OpenAI-compatible API on one listener, and llm_request spans, as `vllm serve`
// would expose them.
//
//   EmulatedServerOptions o;
//   o.listen = "127.0.0.1:8000";
//   o.engine = *Preset("opt-125m-t4");
//   o.otlp_traces_endpoint = "grpc://127.0.0.1:4317";
//   Result<std::unique_ptr<EmulatedServer>> s = EmulatedServer::Start(std::move(o));
//   ...
//   (*s)->Shutdown();
//
// Instance-down windows emulate a crashed and restarted vLLM process: at a window's start the
// listener closes and every open connection is dropped (in-flight requests are lost; a scrape
// gets "connection refused"); at its end a fresh instance comes up on the same port with new
// engines and new metrics (counters start from zero, process_start_time_seconds and `_created`
// values are the restart time), as a restarted process would. With DownBehavior::kEngineDead the
// listener stays up instead: /health answers 503 and generation requests 500 (vLLM's
// EngineDeadError), /metrics keeps answering.
//
// Thread-safety: all methods may be called from any thread (none from a request handler).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/api/openai_api.h"
#include "emulator/engine/engine_config.h"
#include "emulator/engine/scenario.h"
#include "emulator/metrics/vllm_metrics.h"
#include "telemetry/tracer.h"

namespace infermetry::emulator {

enum class DownBehavior {
  kRefuseConnections,  // the listener closes (a crashed process); default
  kEngineDead,         // the server answers, unhealthy
};

struct EmulatedServerOptions {
  // "host:port", "[v6]:port" or ":port"; port 0 picks a free port (kept across restarts).
  std::string listen = "127.0.0.1:8000";
  EngineConfig engine;         // engine.model is the served model name
  int data_parallel_size = 1;  // engines, labelled engine="0".."N-1"
  std::string model_path;      // --model (root in /v1/models); "" = engine.model

  // /metrics.
  MetricsLayout metrics_layout = MetricsLayout::kCurrent;
  bool created_series = true;    // false: PROMETHEUS_DISABLE_CREATED_SERIES=true
  bool content_type_v1 = false;  // prometheus_client >= 0.23 content type

  // API behaviour (served_model_name and max_model_len are taken from `engine`).
  std::string api_key;
  bool enable_request_id_headers = false;
  bool enable_prompt_tokens_details = false;
  bool enable_force_include_usage = false;
  bool enable_server_load_tracking = false;
  // nullopt: vLLM's default "vllm-<version>-<hash8>"; an empty string: null (mode none).
  std::optional<std::string> system_fingerprint;
  std::string vllm_version = std::string(kDefaultVllmVersion);
  // Natural output lengths (when neither max_tokens nor ignore_eos decides).
  int min_output_tokens = 8;
  double mean_output_tokens = 160;

  // Tracing: --otlp-traces-endpoint; "" = disabled. The rest of the tracer configuration comes
  // from the environment as vLLM reads it (VllmTracerOptions), unless `tracer` is given.
  std::string otlp_traces_endpoint;
  std::optional<telemetry::TracerOptions> tracer;
  int process_id = 0;  // the vllm.process_id resource attribute; 0 = this process's pid

  uint64_t seed = 0;  // text, output lengths and ids; 0 = ids vary between runs
  // [start, end) seconds after Start (scenario.h's DownWindow, e.g. from DownWindowsWithin).
  std::vector<DownWindow> down_windows;
  DownBehavior down_behavior = DownBehavior::kRefuseConnections;

  // HTTP worker threads. Every in-flight request holds one while it waits for tokens, so this
  // bounds the concurrent requests the server accepts; 0 = 64 + 2 * max_num_seqs * engines.
  int http_threads = 0;
  std::chrono::milliseconds idle_refresh{1000};  // gauge refresh while an engine is idle
};

class EmulatedServer {
 public:
  // Validates the options, starts the tracer, the engines and the listener. Errors: invalid
  // engine config or options (kInvalidArgument), tracer configuration, bind failures.
  static Result<std::unique_ptr<EmulatedServer>> Start(EmulatedServerOptions options);
  ~EmulatedServer();  // Shutdown()
  EmulatedServer(const EmulatedServer&) = delete;
  EmulatedServer& operator=(const EmulatedServer&) = delete;

  // Stops the down-window schedule, the listener (in-flight requests get 2 s to finish), the
  // engines, and flushes the tracer. Idempotent.
  void Shutdown();

  uint16_t port() const;
  std::string address() const;  // "127.0.0.1:8000"

  // Takes the instance down now / brings it back (what the down windows do). Crash on a down
  // instance and Recover on an up one do nothing. Recover returns the bind error if the port
  // cannot be taken again.
  void Crash();
  Status Recover();
  bool down() const;

  // The current instance's metrics (null while down with kRefuseConnections); valid until the
  // next Crash or Shutdown. For tests and in-process consumers.
  VllmMetrics* metrics();
  telemetry::Tracer* tracer();

 private:
  struct Impl;
  explicit EmulatedServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::emulator
