#pragma once
// `infermetry loadgen`: a load generator for OpenAI-compatible inference servers (vLLM, the
// emulator), measuring what a client sees: TTFT, inter-token latency, TPOT, end-to-end
// latency, token counts and throughput.
//
//   LoadgenOptions o;
//   o.url = "http://127.0.0.1:8000";
//   o.rate = 8;                      // open loop, Poisson arrivals
//   o.requests = 500;
//   o.prompt_len = *LengthDistribution::Parse("uniform:200:800");
//   Result<Report> r = Run(o);       // blocks until every request has finished
//   if (r.ok()) std::fputs(FormatTable(*r).c_str(), stdout);
//
// Load shapes:
//   open loop (rate > 0)    requests arrive at `rate` per second (Poisson or evenly spaced),
//                           whatever the server's speed; at most `max_concurrency` are in
//                           flight, later arrivals wait for a free slot (as vLLM's benchmark
//                           does with --max-concurrency).
//   closed loop (rate == 0) `concurrency` requests are in flight at all times: each one is
//                           sent as soon as the previous one of its slot has finished.
// The run ends after `requests` requests or when `duration` has passed (whichever comes first;
// at least one of them is required); requests in flight then finish normally.
//
// The requests themselves (prompt texts, prompt and output lengths) depend only on `seed`,
// not on timing or the load shape; arrival gaps depend on `seed` too.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "loadgen/distribution.h"
#include "loadgen/openai.h"
#include "loadgen/stats.h"

namespace infermetry::loadgen {

enum class ProgressMode { kAuto, kOn, kOff };  // kAuto: when stderr is a terminal

struct LoadgenOptions {
  std::string url = "http://127.0.0.1:8000";  // server base URL; a trailing "/v1" is accepted
  std::string model;                          // empty: the first model of GET /v1/models
  Endpoint endpoint = Endpoint::kCompletions;

  double rate = 0;  // requests/s; 0 = closed loop
  ArrivalProcess arrival = ArrivalProcess::kPoisson;
  int concurrency = 1;        // closed loop: requests in flight
  int max_concurrency = 256;  // open loop: cap on requests in flight

  int64_t requests = 100;                 // 0 = not limited by count
  std::chrono::milliseconds duration{0};  // 0 = not limited by time

  LengthDistribution prompt_len = LengthDistribution::Fixed(128);  // words (~tokens)
  LengthDistribution output_len = LengthDistribution::Fixed(128);  // max_tokens
  double shared_prefix = 0;  // fraction of every prompt that is the same prefix, 0..1
  bool stream = true;
  bool include_usage = true;  // stream_options.include_usage
  bool ignore_eos = false;    // vLLM's ignore_eos: always generate max_tokens
  std::optional<double> temperature;
  uint64_t seed = 0;

  std::string api_key;                                       // Authorization: Bearer
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::chrono::milliseconds request_timeout{600000};

  ProgressMode progress = ProgressMode::kAuto;  // drawn on stderr
  std::string json_path;  // non-empty: the report is also written there as JSON
  // When it becomes true, no further request is sent and streamed requests in flight are
  // aborted (counted as "cancelled"); Run then returns the report of what was done. Not owned.
  const std::atomic<bool>* stop = nullptr;
};

// kInvalidArgument naming the first option that is out of range (no URL, rate < 0,
// concurrency < 1, neither requests nor duration, shared_prefix outside [0, 1], ...).
Status Validate(const LoadgenOptions& options);

// Runs the load and summarizes it. Errors only for what prevents a run: invalid options, model
// discovery failing (the server unreachable or serving no model), the JSON file not writable.
// Failed requests are part of the report, not errors.
Result<Report> Run(const LoadgenOptions& options);

}  // namespace infermetry::loadgen
