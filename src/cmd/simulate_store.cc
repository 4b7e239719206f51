#include "cmd/simulate_store.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "common/duration.h"
#include "common/log.h"
#include "query/sql/catalog/stream_registry.h"
#include "spanstore/span_store.h"
#include "tsdb/db.h"

namespace infermetry::cmd {
namespace {

class SpanStoreAppender : public storage::SpanAppender {
 public:
  explicit SpanStoreAppender(spanstore::SpanStore* s) : s_(s) {}
  Status AppendSpans(std::vector<model::Span> spans) override { return s_->IngestSpans(std::move(spans)); }

 private:
  spanstore::SpanStore* s_;
};

Result<emulator::SimulateOptions> Options(const SimulateRequest& r) {
  const EmulatedServerSpec& spec = r.spec;
  emulator::SimulateOptions o;
  INFERMETRY_ASSIGN_OR_RETURN(o.engine, emulator::Preset(spec.preset));
  for (const auto& [field, value] : spec.engine_overrides) {
    INFERMETRY_RETURN_IF_ERROR(SetEngineField(&o.engine, field, value));
  }
  if (!spec.served_model_name.empty()) o.engine.model = spec.served_model_name;
  INFERMETRY_ASSIGN_OR_RETURN(o.layout, ParseMetricsLayout(spec.metrics_layout));
  o.scenario = spec.scenario;
  o.data_parallel_size = spec.data_parallel_size;
  o.seed = spec.seed == 0 ? 1 : spec.seed;
  o.duration = std::chrono::duration<double>(r.duration).count();
  o.scrape_interval = std::chrono::duration<double>(r.scrape_interval).count();
  o.start_time = r.start;
  o.instance = spec.listen;
  o.job = r.job;
  return o;
}


// Holds every sample appended to it, then writes them into a store in time order, so that
// the histories of several servers, simulated one after the other, arrive as their scrapes
// would have.
class TimeOrderedBuffer : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override { return std::make_unique<Staging>(this); }

  Status WriteTo(storage::Appendable* out) {
    std::stable_sort(samples_.begin(), samples_.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
    std::vector<bool> described(series_.size());
    auto app = out->NewAppender();
    size_t staged = 0;
    for (const Sample& s : samples_) {
      if (!described[s.series]) {
        described[s.series] = true;
        if (auto md = metadata_.find(s.series); md != metadata_.end()) {
          INFERMETRY_RETURN_IF_ERROR(app->UpdateMetadata(series_[s.series], md->second));
        }
      }
      INFERMETRY_RETURN_IF_ERROR(app->Append(series_[s.series], s.t, s.v));
      if (++staged % 50000 == 0) INFERMETRY_RETURN_IF_ERROR(app->Commit());
    }
    return app->Commit();
  }

 private:
  struct Sample {
    uint32_t series;
    int64_t t;
    double v;
  };

  uint32_t Id(const model::Labels& labels) {
    auto [it, added] = ids_.try_emplace(labels, static_cast<uint32_t>(series_.size()));
    if (added) series_.push_back(labels);
    return it->second;
  }

  class Staging : public storage::Appender {
   public:
    explicit Staging(TimeOrderedBuffer* b) : b_(b) {}
    Status Append(const model::Labels& labels, int64_t t, double v) override {
      staged_.push_back({b_->Id(labels), t, v});
      return Status::Ok();
    }
    Status UpdateMetadata(const model::Labels& labels, const storage::Metadata& md) override {
      b_->metadata_.insert_or_assign(b_->Id(labels), md);
      return Status::Ok();
    }
    Status Commit() override {
      b_->samples_.insert(b_->samples_.end(), staged_.begin(), staged_.end());
      staged_.clear();
      return Status::Ok();
    }
    void Rollback() override { staged_.clear(); }

   private:
    TimeOrderedBuffer* b_;
    std::vector<Sample> staged_;
  };

  std::map<model::Labels, uint32_t> ids_;
  std::vector<model::Labels> series_;
  std::map<uint32_t, storage::Metadata> metadata_;
  std::vector<Sample> samples_;
};

}  // namespace

Result<emulator::SimulateReport> SimulateIntoDataDir(const SimulateRequest& r) {
  INFERMETRY_ASSIGN_OR_RETURN(auto reports, SimulateIntoDataDir(std::vector<SimulateRequest>{r}));
  return reports.front();
}

Result<std::vector<emulator::SimulateReport>> SimulateIntoDataDir(const std::vector<SimulateRequest>& requests) {
  if (requests.empty()) return std::vector<emulator::SimulateReport>();
  const std::string& dir = requests.front().data_dir;
  std::vector<emulator::SimulateOptions> options;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const SimulateRequest& r : requests) {
    if (r.data_dir != dir) return InvalidArgument("simulated servers must share one data directory");
    INFERMETRY_ASSIGN_OR_RETURN(options.emplace_back(), Options(r));
    if (options.back().start_time <= 0) options.back().start_time = now - options.back().duration;  // all end now
  }
  tsdb::Options to;
  to.dir = dir + "/metrics";
  to.wal_sync = wal::SyncPolicy::kBatch;
  to.retention_ms = 0;
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<tsdb::DB> db, tsdb::DB::Open(to));
  spanstore::SpanStoreOptions so;
  so.dir = dir;
  so.wal_sync = wal::SyncPolicy::kBatch;
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<spanstore::SpanStore> spans, spanstore::SpanStore::Open(so));
  SpanStoreAppender span_sink(spans.get());
  auto run = [&]() -> Result<std::vector<emulator::SimulateReport>> {
    std::vector<emulator::SimulateReport> reports;
    // One server goes straight in; several are merged in time order first.
    TimeOrderedBuffer buffer;
    storage::Appendable* sink = requests.size() == 1 ? static_cast<storage::Appendable*>(db.get()) : &buffer;
    for (size_t i = 0; i < requests.size(); ++i) {
      emulator::SimulateOptions& o = options[i];
      if (!requests[i].stream.empty()) {
        // The samples carry p_stream="<stream>" and the stream is registered, so SQL sees it as
        // the table <stream> (as OTLP/HTTP with X-P-Stream would have made it).
        INFERMETRY_ASSIGN_OR_RETURN(auto registry, sql::StreamRegistry::Open(dir + "/streams.json"));
        INFERMETRY_RETURN_IF_ERROR(
            registry->Ensure(requests[i].stream, sql::StreamKind::kMetrics).WithContext("stream"));
        o.target_labels["p_stream"] = requests[i].stream;
      }
      log::Info("simulating", {{"scenario", o.scenario}, {"model", o.engine.model}, {"engines", o.data_parallel_size},
                               {"instance", o.instance}, {"duration", FormatDuration(requests[i].duration)},
                               {"data", dir}});
      INFERMETRY_ASSIGN_OR_RETURN(reports.emplace_back(), emulator::SimulateInto(o, sink, &span_sink));
    }
    if (sink == &buffer) INFERMETRY_RETURN_IF_ERROR(buffer.WriteTo(db.get()));
    return reports;
  };
  auto reports = run();
  Status closed = db->Close();
  Status closed_spans = spans->Close();
  if (!reports.ok()) return reports.status();
  INFERMETRY_RETURN_IF_ERROR(closed);
  INFERMETRY_RETURN_IF_ERROR(closed_spans);
  return reports;
}

std::string DescribeSimulation(const SimulateRequest& r, const emulator::SimulateReport& report) {
  const auto& s = report.summary;
  const int engines = r.spec.data_parallel_size;
  auto preset = emulator::Preset(r.spec.preset);
  const std::string model = !r.spec.served_model_name.empty() ? r.spec.served_model_name
                            : preset.ok()                     ? preset->model
                                                              : r.spec.preset;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "simulated %s of %s on %s (%d engine%s): %lld requests finished, %lld refused, %lld dropped, "
                "%lld completion tokens; %lld scrapes (%lld while down), %lld spans -> %s",
                FormatDuration(r.duration).c_str(), r.spec.scenario.c_str(), model.c_str(), engines,
                engines == 1 ? "" : "s", static_cast<long long>(s.finished), static_cast<long long>(s.refused),
                static_cast<long long>(s.dropped), static_cast<long long>(report.completion_tokens),
                static_cast<long long>(report.scrapes), static_cast<long long>(report.scrapes_down),
                static_cast<long long>(report.spans), r.data_dir.c_str());
  return buf;
}

}  // namespace infermetry::cmd
