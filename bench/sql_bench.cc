// SQL engine throughput: the guide's query shape (GROUP BY date_trunc, percentile_cont and a
// CASE-sum) over an in-memory metric table of a few million rows. Reports rows/s.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "query/sql/engine.h"
#include "query/sql/exec/memory_table.h"

namespace {

using infermetry::sql::QueryOptions;
using infermetry::sql::Type;
using infermetry::sql::Value;
using infermetry::sql::exec::MemoryCatalog;

constexpr int64_t kNow = 1717243200LL * 1000000;

MemoryCatalog* Catalog(size_t rows) {
  static std::map<size_t, std::unique_ptr<MemoryCatalog>>* cats = new std::map<size_t, std::unique_ptr<MemoryCatalog>>();
  auto& c = (*cats)[rows];
  if (c) return c.get();
  c = std::make_unique<MemoryCatalog>();
  auto* t = c->AddTable("vLLMmetrics",
                        {{"p_timestamp", Type::kTimestamp}, {"name", Type::kText},
                         {"value", Type::kFloat64}, {"engine", Type::kText}},
                        "p_timestamp", true);
  const char* names[] = {"vllm_e2e_request_latency_seconds", "vllm_generation_tokens_total",
                         "vllm_prompt_tokens_total", "vllm_num_requests_running"};
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < rows; ++i) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    int64_t ts = kNow - 3600LL * 1000000 + static_cast<int64_t>(i * (3600.0 * 1000000 / rows));
    (void)t->AppendRow({Value::Timestamp(ts), Value::Text(names[i % 4]),
                        Value::Float(static_cast<double>(x % 10000) / 1000),
                        Value::Text("engine-" + std::to_string(i % 100))});
  }
  return c.get();
}

void BM_GuideShapedQuery(benchmark::State& state) {
  size_t rows = static_cast<size_t>(state.range(0));
  MemoryCatalog* cat = Catalog(rows);
  QueryOptions o;
  o.now_us = kNow;
  o.memory_limit_bytes = size_t{4} << 30;
  const char* sql =
      "SELECT date_trunc('minute', p_timestamp) AS minute, "
      "percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95, "
      "sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value ELSE 0 END) AS tokens "
      "FROM vLLMmetrics WHERE p_timestamp >= now() - interval '1 hour' GROUP BY 1 ORDER BY 1";
  for (auto _ : state) {
    auto r = infermetry::sql::ExecuteSql(sql, cat, o);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->num_rows());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
}
BENCHMARK(BM_GuideShapedQuery)->Arg(1 << 20)->Arg(4 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
