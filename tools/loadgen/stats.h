#pragma once
// What a load run measured, per request and in summary, and the two ways it is shown: an
// aligned text table (vLLM benchmark style) and JSON.
//
// Percentiles interpolate linearly between the closest ranks (numpy's default "linear"
// method, as vLLM's benchmarks use): for q in [0, 100] over n sorted values,
// rank = q/100 * (n - 1), and the result lies between values[floor(rank)] and
// values[ceil(rank)] in proportion.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace infermetry::loadgen {

// Linear-interpolation percentile of `sorted` (ascending); 0 when empty.
double Percentile(const std::vector<double>& sorted, double q);

struct Distribution {
  size_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0;
};
// Summary of `values` (any order).
Distribution Summarize(std::vector<double> values);

// One request as the client saw it. Times are seconds.
struct RequestResult {
  bool ok = false;
  std::string error_kind;  // when !ok: connection, timeout, http_<status>, stream_error,
                           // incomplete_stream, bad_response, cancelled, transport
  std::string error_message;
  int http_status = 0;            // 0 when no response came
  double start = 0;               // since the run began
  double e2e = 0;                 // request sent until the response ended
  double ttft = -1;               // streaming: until the first content; < 0 when unknown
  std::vector<double> itl;        // streaming: between consecutive content chunks
  int64_t prompt_tokens = 0;      // from usage; 0 when not reported
  int64_t completion_tokens = 0;  // from usage, else the number of content chunks
  bool usage_reported = false;
};

struct Report {
  // What was run (echoed into the output).
  std::string url, model, endpoint, arrival, prompt_len, output_len;
  double rate = 0;      // 0: closed loop
  int concurrency = 0;  // closed loop: requests in flight; rate mode: the cap
  bool stream = false;

  double duration = 0;  // first request sent until the last one ended, seconds
  size_t requests = 0, succeeded = 0, failed = 0;
  std::map<std::string, size_t> errors;              // by error_kind
  int64_t prompt_tokens = 0, completion_tokens = 0;  // over successful requests
  size_t usage_missing = 0;       // successful requests whose tokens were estimated
  double request_throughput = 0;  // succeeded / duration
  double output_throughput = 0;   // completion tokens / duration
  double total_throughput = 0;    // (prompt + completion) tokens / duration
  // Seconds, over successful requests; ttft/itl/tpot only for streamed ones.
  Distribution ttft, itl, tpot, e2e;
};

// Summarizes `results`; the caller fills the echo fields.
Report BuildReport(const std::vector<RequestResult>& results);

// The table, latencies in milliseconds:
//   ============ Serving Benchmark Result ============
//   Successful requests:                     100
//   ...
//   Latency (ms)       mean      p50      p90      p95      p99      max
//   TTFT              12.31    11.02 ...
std::string FormatTable(const Report& r);
// One JSON object; latencies in seconds (keys "ttft", "itl", "tpot", "e2e", each with
// count, mean, p50, p90, p95, p99, max).
std::string ToJson(const Report& r);

}  // namespace infermetry::loadgen
