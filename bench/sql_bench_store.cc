// sql_bench_store: the vLLM workload (bench/vllm_workload.h) written into a data directory as
// the SQL stream --stream, laid out as `serve` keeps it (<dir>/metrics, <dir>/streams.json), so
// that `infermetry serve --data-dir DIR` answers SQL over it. Writes samples directly instead of
// simulating each request, so a day of 100 engines takes minutes (bench/sql_vs_postgres.sh).
//
//   sql_bench_store --data-dir DIR --engines 100 --hours 24 --rate 6.5 --stream vLLMmetrics
//
// The samples end at --end (Unix seconds; default now) and start --hours before. Every series
// carries p_stream="<stream>" (as OTLP/HTTP with X-P-Stream would make it) and each family's
// metadata (type, help). One commit per scrape round; the head is cut into blocks as it fills.
// Prints "key value" lines: samples, series, seconds.

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "query/sql/catalog/stream_registry.h"
#include "tsdb/db.h"
#include "vllm_workload.h"

namespace {

using infermetry::Status;
using infermetry::bench::VllmWorkload;

int Fail(const char* what, const Status& st) {
  std::fprintf(stderr, "sql_bench_store: %s: %s\n", what, st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes the vLLM workload into a data directory as an SQL metrics stream."};
  std::string dir, stream = "vLLMmetrics";
  int engines = 100;
  double hours = 24, rate = 20, end_s = 0;
  int64_t interval_ms = 5000;
  uint64_t seed = 1;
  app.add_option("--data-dir", dir, "the data directory (created; must not hold a store yet)")->required();
  app.add_option("--engines", engines)->capture_default_str();
  app.add_option("--hours", hours)->capture_default_str();
  app.add_option("--rate", rate, "mean requests/s per engine")->capture_default_str();
  app.add_option("--interval-ms", interval_ms, "scrape interval")->capture_default_str();
  app.add_option("--stream", stream)->capture_default_str();
  app.add_option("--end", end_s, "Unix seconds of the last scrape (default: now)");
  app.add_option("--seed", seed)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto t0 = std::chrono::steady_clock::now();
  if (end_s <= 0) {
    end_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  const int steps = static_cast<int>(hours * 3600 * 1000 / static_cast<double>(interval_ms));
  const int64_t start_ms = static_cast<int64_t>(end_s * 1000) - int64_t{steps} * interval_ms;

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto registry = infermetry::sql::StreamRegistry::Open(dir + "/streams.json");
  if (!registry.ok()) return Fail("streams.json", registry.status());
  if (Status st = (*registry)->Ensure(stream, infermetry::sql::StreamKind::kMetrics); !st.ok()) {
    return Fail("stream", st);
  }
  infermetry::tsdb::Options o;
  o.dir = dir + "/metrics";
  o.wal_sync = infermetry::wal::SyncPolicy::kBatch;
  o.retention_ms = 0;
  o.compaction_interval = std::chrono::milliseconds(0);
  auto db = infermetry::tsdb::DB::Open(o);
  if (!db.ok()) return Fail("open", db.status());

  VllmWorkload w(engines, interval_ms, seed, start_ms, rate);
  std::vector<infermetry::model::Labels> labels(w.num_series());
  for (uint32_t s = 0; s < labels.size(); ++s) {
    infermetry::model::LabelsBuilder b(w.labels(s));
    b.Set("p_stream", stream);
    labels[s] = b.Build();
  }
  std::set<uint32_t> described;
  uint64_t samples = 0;
  for (int i = 0; i < steps; ++i) {
    auto a = (*db)->NewAppender();
    for (const auto& p : w.Step()) {
      if (described.insert(w.family_of(p.series)).second) {
        const auto& f = w.families()[w.family_of(p.series)];
        if (Status st = a->UpdateMetadata(labels[p.series], {f.name, f.type, f.help, ""}); !st.ok()) {
          return Fail("metadata", st);
        }
      }
      if (Status st = a->Append(labels[p.series], p.t_ms, p.v); !st.ok()) return Fail("append", st);
      ++samples;
    }
    if (Status st = a->Commit(); !st.ok()) return Fail("commit", st);
    if (i % 120 == 119) {
      if (Status st = (*db)->Compact(); !st.ok()) return Fail("compact", st);
    }
  }
  if (Status st = (*db)->Compact(); !st.ok()) return Fail("compact", st);
  if (Status st = (*db)->Close(); !st.ok()) return Fail("close", st);
  std::printf("samples %llu\nseries %zu\nseconds %.1f\n", static_cast<unsigned long long>(samples),
              labels.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
