// Alerting hot paths:
//   BM_VllmPackEvaluation   one evaluation of the built-in vLLM rule pack (8 PromQL rules) over
//                           8 engines scraped every 5 s for 1 h 10 min into a tsdb::DB
//   BM_AlertStateApply      one alerting rule advancing 1,000 alert instances
//   BM_AnnotationExpand     expanding "KV cache at {{ $value | humanizePercentage }} on ..."
//
//   build/bench/alerting_bench

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>

#include "alerting/rule_group.h"
#include "alerting/template.h"
#include "alerting/vllm_rules.h"
#include "common/temp_dir.h"
#include "query/promql/engine.h"
#include "tsdb/db.h"
#include "vllm_workload.h"

namespace infermetry::alerting {
namespace {

constexpr int kEngines = 8;
constexpr int64_t kInterval = 5000;
constexpr int64_t kLoadMs = 70 * 60 * 1000;

struct Fixture {
  TempDir dir{"infermetry-alerting-bench"};
  std::unique_ptr<tsdb::DB> db;
  int64_t end_ms = 0;
};

Fixture* Data() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    tsdb::Options o;
    o.dir = fx->dir.path();
    o.wal_sync = wal::SyncPolicy::kBatch;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      std::abort();
    }
    fx->db = std::move(*db);
    bench::VllmWorkload w(kEngines, kInterval, 1);
    for (int s = 0; s < static_cast<int>(kLoadMs / kInterval); ++s) {
      auto a = fx->db->NewAppender();
      for (const auto& p : w.Step()) {
        (void)a->Append(w.labels(p.series), p.t_ms, p.v);
        fx->end_ms = std::max(fx->end_ms, p.t_ms);
      }
      (void)a->Commit();
      if (s % 60 == 59) (void)fx->db->Compact();
    }
    return fx;
  }();
  return f;
}

void BM_VllmPackEvaluation(benchmark::State& state) {
  Fixture* f = Data();
  promql::Engine engine;
  RuleQueryOptions qo;
  qo.promql = &engine;
  qo.metrics = f->db.get();
  RuleQueryFunc query = MakeRuleQuery(qo);
  auto groups = VllmRuleGroups({});
  auto group = RuleGroup::Make((*groups)[0], {});
  int64_t t = f->end_ms;
  for (auto _ : state) {
    auto out = (*group)->Eval(t, query, nullptr);
    benchmark::DoNotOptimize(out);
    t += 15000;
    if (t > f->end_ms + 60000) t = f->end_ms;
  }
  for (const auto& r : (*group)->Status().rules) {
    if (r.health != "ok") state.SkipWithError((r.spec.alert + ": " + r.last_error).c_str());
  }
  state.counters["rules"] = static_cast<double>((*groups)[0].rules.size());
}

void BM_AlertStateApply(benchmark::State& state) {
  RuleSpec spec;
  spec.alert = "KvHigh";
  spec.for_ms = 5 * 60000;
  spec.annotations = {{"summary", "KV cache at {{ $value | humanizePercentage }} on {{ $labels.instance }}"}};
  auto rule = AlertingRule::Make(spec, {}, "http://127.0.0.1:9400");
  std::vector<InstanceSample> result;
  for (int i = 0; i < 1000; ++i) {
    result.push_back({model::Labels{{"instance", "vllm-" + std::to_string(i) + ":8000"}, {"model_name", "m"}}, 0.95});
  }
  int64_t t = 0;
  for (auto _ : state) {
    Status st = rule->Apply(t, result, 0, nullptr);
    benchmark::DoNotOptimize(st);
    auto sent = rule->TakeNotifications(t, 60000, 15000);
    benchmark::DoNotOptimize(sent);
    t += 15000;
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

void BM_AnnotationExpand(benchmark::State& state) {
  auto t = Template::Parse("KV cache at {{ $value | humanizePercentage }} on {{ $labels.instance }}");
  model::Labels labels{{"instance", "vllm-0:8000"}, {"model_name", "m"}};
  TemplateData d;
  d.labels = &labels;
  d.value = 0.9123;
  for (auto _ : state) {
    auto s = t->Expand(d);
    benchmark::DoNotOptimize(s);
  }
}

BENCHMARK(BM_VllmPackEvaluation)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AlertStateApply)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AnnotationExpand)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace infermetry::alerting

BENCHMARK_MAIN();
