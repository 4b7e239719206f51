#pragma once
// The memory_limiter processor: refuses data while the process uses too much memory, so that
// receivers push back (HTTP 429 / gRPC RESOURCE_EXHAUSTED) instead of the process growing until
// it is killed. Put it first in a pipeline.
//
//   processors:
//     memory_limiter:
//       check_interval: 1s          # required, > 0
//       limit_mib: 4000             # hard limit; or limit_percentage: 80 (of total memory)
//       spike_limit_mib: 800        # default 20% of the limit; or spike_limit_percentage: 20
//
// Every check_interval (and once at Start) the process's memory use is measured: its resident
// set size, from /proc/self/statm. Total memory, for the percentages, is the cgroup's memory
// limit (v2 memory.max or v1 memory.limit_in_bytes) when there is one, else MemTotal from
// /proc/meminfo. At or above the soft limit (limit - spike), Consume* returns kResourceExhausted
// (retryable) and counts the refused items; below it, batches pass through unchanged. At or
// above the hard limit, where the Collector would force a garbage collection, free heap memory
// is handed back to the system (malloc_trim) and usage measured again.
//
// Self-metrics, labelled by processor id: infermetry_processor_refused_spans_total,
// infermetry_processor_refused_metric_points_total, infermetry_processor_refused_log_records_total,
// and the gauge infermetry_processor_memory_limiter_usage_bytes.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::process {

struct MemoryLimiterOptions {
  std::chrono::milliseconds check_interval{0};
  uint64_t limit_bytes = 0;  // hard limit
  uint64_t spike_bytes = 0;  // soft limit = limit_bytes - spike_bytes
};

// Decodes and checks the YAML section; `total_memory` (bytes) resolves the percentages.
Result<MemoryLimiterOptions> DecodeMemoryLimiterOptions(const ComponentConfig& cfg,
                                                        uint64_t total_memory);

// The process's resident set size in bytes (0 if /proc is unreadable).
uint64_t ProcessRssBytes();
// The memory available to this process: the cgroup limit if any, else MemTotal.
uint64_t TotalMemoryBytes();

class MemoryLimiter : public Processor {
 public:
  // `read_usage` measures memory use in bytes (ProcessRssBytes in production).
  MemoryLimiter(std::string id, const MemoryLimiterOptions& options, Consumer* next,
                std::function<uint64_t()> read_usage);
  ~MemoryLimiter() override;

  Status ConsumeTraces(Traces&& b) override;
  Status ConsumeMetrics(Metrics&& b) override;
  Status ConsumeLogs(Logs&& b) override;

  Status Start() override;
  Status Shutdown(std::chrono::milliseconds deadline) override;

  // Measures now and updates the refusal state (the check thread calls it every interval).
  void CheckNow();
  bool refusing() const { return refusing_.load(std::memory_order_relaxed); }

 private:
  struct Impl;
  Status Refusal(int64_t items, Signal signal);

  const std::string id_;
  const MemoryLimiterOptions opts_;
  Consumer* const next_;
  std::function<uint64_t()> read_usage_;
  std::atomic<bool> refusing_{false};
  std::atomic<uint64_t> last_usage_{0};
  std::unique_ptr<Impl> impl_;
};

Result<std::unique_ptr<Processor>> CreateMemoryLimiter(const ComponentConfig& cfg, Signal signal,
                                                       Consumer* next);

}  // namespace infermetry::process
