// tsdb_size: bytes per sample of infermetry's TSDB on the vLLM workload, and the same samples
// as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics` (see
// bench/compare_prometheus.sh, which runs both and prints the ratio).
//
//   tsdb_size --engines 10 --interval-ms 5000 --hours 2 --dir /tmp/db [--openmetrics out.om]
//
// Samples go through the DB's Appender (WAL, head, blocks cut from the head, compaction), one
// commit per target scrape, as a scrape would. Prints one line per figure, "key value".

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "tsdb/db.h"
#include "vllm_workload.h"

using infermetry::bench::VllmWorkload;

int main(int argc, char** argv) {
  CLI::App app{"Bytes per sample of infermetry's TSDB on the vLLM workload."};
  int engines = 10;
  int64_t interval_ms = 5000;
  double hours = 2;
  uint64_t seed = 1;
  std::string dir, om;
  app.add_option("--engines", engines)->capture_default_str();
  app.add_option("--interval-ms", interval_ms)->capture_default_str();
  app.add_option("--hours", hours)->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  app.add_option("--dir", dir, "directory for the TSDB (must not exist or be empty)")->required();
  app.add_option("--openmetrics", om, "also write the samples here as OpenMetrics");
  bool query_only = false;
  app.add_flag("--query-only", query_only, "open an existing --dir made with the same flags and only time the queries");
  CLI11_PARSE(app, argc, argv);
  const int steps = static_cast<int>(hours * 3600 * 1000 / static_cast<double>(interval_ms));

  if (!om.empty() && !query_only) {
    std::FILE* f = std::fopen(om.c_str(), "w");
    if (f == nullptr) {
      std::perror(om.c_str());
      return 1;
    }
    VllmWorkload::WriteOpenMetrics(engines, interval_ms, seed, steps, f);
    std::fclose(f);
  }

  infermetry::tsdb::Options o;
  o.dir = dir;
  o.wal_sync = infermetry::wal::SyncPolicy::kBatch;
  o.compaction_interval = std::chrono::milliseconds(0);
  auto db = infermetry::tsdb::DB::Open(o);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  VllmWorkload w(engines, interval_ms, seed);
  const size_t per_engine = w.series_per_engine();
  uint64_t samples = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < (query_only ? 0 : steps); ++s) {
    const auto& points = w.Step();
    for (size_t begin = 0; begin < points.size(); begin += per_engine) {
      auto a = (*db)->NewAppender();
      for (size_t i = begin; i < begin + per_engine && i < points.size(); ++i) {
        const auto& p = points[i];
        infermetry::Status st = a->Append(w.labels(p.series), p.t_ms, p.v);
        if (!st.ok()) {
          std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
          return 1;
        }
        ++samples;
      }
      infermetry::Status st = a->Commit();
      if (!st.ok()) {
        std::fprintf(stderr, "commit: %s\n", st.ToString().c_str());
        return 1;
      }
    }
    if (s % 60 == 59) (void)(*db)->Compact();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  infermetry::Status st = (*db)->Compact();
  if (!st.ok()) {
    std::fprintf(stderr, "compact: %s\n", st.ToString().c_str());
    return 1;
  }
  // Query time over the whole range: one series, and one histogram family across engines.
  auto time_query = [&](const char* what, std::vector<infermetry::storage::Matcher> matchers) {
    int64_t mint = VllmWorkload::kDefaultStartMs, maxt = mint + int64_t(steps) * interval_ms;
    auto q0 = std::chrono::steady_clock::now();
    auto q = (*db)->NewQuerier(mint, maxt);
    uint64_t n = 0, series = 0;
    auto set = (*q)->Select({mint, maxt}, matchers);
    while (set->Next()) {
      ++series;
      auto it = set->Samples();
      while (it->Next()) ++n;
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - q0).count();
    std::printf("query_%s_ms %.2f (%llu series, %llu samples)\n", what, ms,
                static_cast<unsigned long long>(series), static_cast<unsigned long long>(n));
  };
  using M = infermetry::storage::Matcher;
  time_query("one_series", {*M::Make(M::Op::kEq, "__name__", "vllm:num_requests_running"),
                            *M::Make(M::Op::kEq, "instance", "vllm-0:8000")});
  time_query("one_family", {*M::Make(M::Op::kEq, "__name__", "vllm:e2e_request_latency_seconds_bucket")});

  auto stats = (*db)->Stats();
  std::printf("samples %llu\n", static_cast<unsigned long long>(samples));
  std::printf("series %zu\n", w.num_series());
  std::printf("ingest_samples_per_second %.0f\n", static_cast<double>(samples) / secs);
  std::printf("blocks %llu\n", static_cast<unsigned long long>(stats.blocks));
  std::printf("block_samples %llu\n", static_cast<unsigned long long>(stats.block_samples));
  std::printf("block_bytes %llu\n", static_cast<unsigned long long>(stats.block_bytes));
  std::printf("block_bytes_per_sample %.3f\n",
              stats.block_samples ? static_cast<double>(stats.block_bytes) / static_cast<double>(stats.block_samples) : 0.0);
  std::printf("head_samples %llu\n", static_cast<unsigned long long>(stats.head.samples));
  std::printf("wal_bytes %llu\n", static_cast<unsigned long long>(stats.wal_bytes));
  std::printf("disk_bytes_per_sample %.3f\n",
              static_cast<double>(stats.bytes_on_disk) / static_cast<double>(samples));
  return (*db)->Close().ok() ? 0 : 1;
}
