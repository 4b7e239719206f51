#include "process/memory_limiter.h"

#include <malloc.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "common/self_metrics.h"
#include "common/strconv.h"

namespace infermetry::process {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

std::string ReadSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The leading integer of `s` (after whitespace), or 0.
uint64_t LeadingNumber(const std::string& s) {
  size_t i = s.find_first_not_of(" \t\n");
  if (i == std::string::npos) return 0;
  size_t j = s.find_first_not_of("0123456789", i);
  int64_t v = 0;
  if (!ParseInt64(std::string_view(s).substr(i, j == std::string::npos ? j : j - i), &v)) return 0;
  return v < 0 ? 0 : static_cast<uint64_t>(v);
}

std::string Mib(uint64_t bytes) { return std::to_string(bytes / kMiB) + " MiB"; }

selfmon::Counter& Refused(const std::string& id, Signal signal) {
  static auto& spans = selfmon::Default().AddCounter(
      "infermetry_processor_refused_spans_total",
      "Spans the memory limiter refused (the sender was told to retry).", {"processor"});
  static auto& points = selfmon::Default().AddCounter(
      "infermetry_processor_refused_metric_points_total",
      "Metric data points the memory limiter refused (the sender was told to retry).",
      {"processor"});
  static auto& records = selfmon::Default().AddCounter(
      "infermetry_processor_refused_log_records_total",
      "Log records the memory limiter refused (the sender was told to retry).", {"processor"});
  switch (signal) {
    case Signal::kTraces:
      return spans.With({id});
    case Signal::kMetrics:
      return points.With({id});
    case Signal::kLogs:
      return records.With({id});
  }
  return spans.With({id});
}

selfmon::Gauge& UsageGauge(const std::string& id) {
  static auto& g = selfmon::Default().AddGauge(
      "infermetry_processor_memory_limiter_usage_bytes",
      "Memory use the memory limiter last measured (resident set size).", {"processor"});
  return g.With({id});
}

}  // namespace

uint64_t ProcessRssBytes() {
  std::string statm = ReadSmallFile("/proc/self/statm");
  size_t sp = statm.find(' ');
  if (sp == std::string::npos) return 0;
  return LeadingNumber(statm.substr(sp + 1)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t TotalMemoryBytes() {
  uint64_t total = 0;
  std::string meminfo = ReadSmallFile("/proc/meminfo");
  if (size_t p = meminfo.find("MemTotal:"); p != std::string::npos) {
    total = LeadingNumber(meminfo.substr(p + 9)) * 1024;
  }
  // cgroup v2, then v1; "max" or an absurdly large v1 value means no limit.
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    uint64_t limit = LeadingNumber(ReadSmallFile(path));
    if (limit > 0 && (total == 0 || limit < total)) {
      total = limit;
      break;
    }
  }
  return total;
}

struct MemoryLimiter::Impl {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread thread;
  selfmon::Gauge* usage = nullptr;
};

MemoryLimiter::MemoryLimiter(std::string id, const MemoryLimiterOptions& options, Consumer* next,
                             std::function<uint64_t()> read_usage)
    : id_(std::move(id)),
      opts_(options),
      next_(next),
      read_usage_(std::move(read_usage)),
      impl_(std::make_unique<Impl>()) {
  impl_->usage = &UsageGauge(id_);
}

MemoryLimiter::~MemoryLimiter() { (void)Shutdown(std::chrono::milliseconds(0)); }

Status MemoryLimiter::Refusal(int64_t items, Signal signal) {
  Refused(id_, signal).Inc(static_cast<double>(items));
  return ResourceExhausted("memory usage " + Mib(last_usage_.load()) + " is above the soft limit " +
                           Mib(opts_.limit_bytes - opts_.spike_bytes) + " (processor " + id_ +
                           "); retry later");
}

Status MemoryLimiter::ConsumeTraces(Traces&& b) {
  if (refusing()) return Refusal(CountItems(b), Signal::kTraces);
  return next_->ConsumeTraces(std::move(b));
}

Status MemoryLimiter::ConsumeMetrics(Metrics&& b) {
  if (refusing()) return Refusal(CountItems(b), Signal::kMetrics);
  return next_->ConsumeMetrics(std::move(b));
}

Status MemoryLimiter::ConsumeLogs(Logs&& b) {
  if (refusing()) return Refusal(CountItems(b), Signal::kLogs);
  return next_->ConsumeLogs(std::move(b));
}

void MemoryLimiter::CheckNow() {
  uint64_t usage = read_usage_();
  if (usage >= opts_.limit_bytes) {
    // No garbage collector to force: give free heap pages back and measure again.
    malloc_trim(0);
    usage = read_usage_();
  }
  last_usage_.store(usage);
  impl_->usage->Set(static_cast<double>(usage));
  const bool refuse = usage >= opts_.limit_bytes - opts_.spike_bytes;
  const bool was = refusing_.exchange(refuse);
  if (refuse && !was) {
    log::Warn("memory usage is above the soft limit; refusing data",
              {{"processor", id_},
               {"usage", Mib(usage)},
               {"soft_limit", Mib(opts_.limit_bytes - opts_.spike_bytes)},
               {"hard_limit", Mib(opts_.limit_bytes)}});
  } else if (!refuse && was) {
    log::Info("memory usage is below the soft limit again; accepting data",
              {{"processor", id_}, {"usage", Mib(usage)}});
  }
}

Status MemoryLimiter::Start() {
  CheckNow();
  if (impl_->thread.joinable()) return Status::Ok();
  impl_->thread = std::thread([this] {
    std::unique_lock<std::mutex> l(impl_->mu);
    while (!impl_->stop) {
      if (impl_->cv.wait_for(l, opts_.check_interval, [this] { return impl_->stop; })) break;
      l.unlock();
      CheckNow();
      l.lock();
    }
  });
  return Status::Ok();
}

Status MemoryLimiter::Shutdown(std::chrono::milliseconds) {
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  return Status::Ok();
}

Result<MemoryLimiterOptions> DecodeMemoryLimiterOptions(const ComponentConfig& cfg,
                                                        uint64_t total_memory) {
  MemoryLimiterOptions o;
  uint64_t limit_mib = 0, spike_mib = 0, limit_pct = 0, spike_pct = 0;
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Duration("check_interval", &o.check_interval));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("limit_mib", &limit_mib));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("spike_limit_mib", &spike_mib));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("limit_percentage", &limit_pct));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("spike_limit_percentage", &spike_pct));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  const config::Document& doc = *cfg.doc;
  const std::string& w = cfg.where;
  if (o.check_interval.count() <= 0) {
    return doc.ErrorAt(r.Has("check_interval") ? r.Child("check_interval") : cfg.node,
                       w + ": check_interval must be greater than zero");
  }
  if (limit_mib > 0 && limit_pct > 0) {
    return doc.ErrorAt(r.Child("limit_percentage"),
                       w + ": set either limit_mib or limit_percentage, not both");
  }
  if (limit_mib > 0) {
    o.limit_bytes = limit_mib * kMiB;
    o.spike_bytes = r.Has("spike_limit_mib") ? spike_mib * kMiB : o.limit_bytes / 5;
    if (o.spike_bytes >= o.limit_bytes) {
      return doc.ErrorAt(r.Child("spike_limit_mib"), w + ": spike_limit_mib (" +
                                                         std::to_string(spike_mib) +
                                                         ") must be smaller than limit_mib (" +
                                                         std::to_string(limit_mib) + ")");
    }
    return o;
  }
  if (limit_pct > 0) {
    if (limit_pct > 100) {
      return doc.ErrorAt(r.Child("limit_percentage"), w + ": limit_percentage must be at most 100");
    }
    if (!r.Has("spike_limit_percentage")) spike_pct = limit_pct / 5;
    if (spike_pct >= limit_pct) {
      return doc.ErrorAt(r.Child("spike_limit_percentage"),
                         w + ": spike_limit_percentage must be smaller than limit_percentage");
    }
    if (total_memory == 0) {
      return doc.ErrorAt(r.Child("limit_percentage"),
                         w + ": cannot determine total memory for limit_percentage; use limit_mib");
    }
    o.limit_bytes = total_memory / 100 * limit_pct;
    o.spike_bytes =
        r.Has("spike_limit_percentage") ? total_memory / 100 * spike_pct : o.limit_bytes / 5;
    return o;
  }
  return doc.ErrorAt(cfg.node.IsDefined() ? cfg.node : doc.root(),
                     w + ": limit_mib or limit_percentage must be greater than zero");
}

Result<std::unique_ptr<Processor>> CreateMemoryLimiter(const ComponentConfig& cfg, Signal,
                                                       Consumer* next) {
  INFERMETRY_ASSIGN_OR_RETURN(MemoryLimiterOptions o,
                              DecodeMemoryLimiterOptions(cfg, TotalMemoryBytes()));
  return std::unique_ptr<Processor>(new MemoryLimiter(cfg.id, o, next, &ProcessRssBytes));
}

}  // namespace infermetry::process
