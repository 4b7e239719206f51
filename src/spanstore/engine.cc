#include "spanstore/engine.h"

namespace infermetry::spanstore {

EngineMetrics::EngineMetrics(const char* kind) {
  auto& r = selfmon::Default();
  ingested = &r.AddCounter("infermetry_spanstore_ingested_total",
                           "Spans and log records acknowledged by the span store.", {"kind"})
                  .With({kind});
  flushes = &r.AddCounter("infermetry_spanstore_flushes_total", "In-memory parts written to disk.",
                          {"kind"})
                 .With({kind});
  merges =
      &r.AddCounter("infermetry_spanstore_merges_total", "Part merges.", {"kind"}).With({kind});
  corruptions = &r.AddCounter("infermetry_spanstore_corruptions_total",
                              "Damaged part files found (checksum or decoding failures).", {"kind"})
                     .With({kind});
  dropped_parts = &r.AddCounter("infermetry_spanstore_retention_dropped_parts_total",
                                "Parts deleted by time or size retention.", {"kind"})
                       .With({kind});
  parts = &r.AddGauge("infermetry_spanstore_parts", "Part files on disk.", {"kind"}).With({kind});
  bytes = &r.AddGauge("infermetry_spanstore_part_bytes", "Bytes of part files on disk.", {"kind"})
               .With({kind});
}

bool AppendGate::EnterAppend() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [this] { return !cutting_ || closed_; });
  if (closed_) return false;
  ++appends_;
  return true;
}

void AppendGate::LeaveAppend() {
  std::lock_guard<std::mutex> l(mu_);
  if (--appends_ == 0) cv_.notify_all();
}

bool AppendGate::EnterCut() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [this] { return !cutting_ || closed_; });
  if (closed_) return false;
  cutting_ = true;  // from here on, new appends wait
  cv_.wait(l, [this] { return appends_ == 0; });
  return true;
}

void AppendGate::LeaveCut() {
  std::lock_guard<std::mutex> l(mu_);
  cutting_ = false;
  cv_.notify_all();
}

bool AppendGate::Close() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return false;
  closed_ = true;
  cv_.notify_all();
  cv_.wait(l, [this] { return appends_ == 0 && !cutting_; });
  return true;
}

}  // namespace infermetry::spanstore
