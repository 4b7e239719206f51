#include "alerting/vllm_rules.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "alerting/rule_manager.h"
#include "common/env.h"
#include "common/temp_dir.h"
#include "query/promql/engine.h"
#include "tsdb/db.h"

namespace infermetry::alerting {
namespace {

TEST(VllmRulesTest, PackParsesAndShippedFileIsTheDefault) {
  auto groups = VllmRuleGroups({});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 1u);
  std::set<std::string> names;
  for (const auto& r : (*groups)[0].rules) names.insert(r.alert);
  EXPECT_EQ(names, (std::set<std::string>{"VllmHighP99Latency", "VllmHighTimeToFirstToken",
                                          "VllmKvCacheSaturated", "VllmQueueDepthHigh",
                                          "VllmCapacityExhausted", "VllmPreemptionsRising",
                                          "VllmPrefixCacheHitRateCollapsed", "VllmTargetDown"}));
  const char* data = std::getenv("INFERMETRY_TESTDATA");
  ASSERT_NE(data, nullptr);
  auto shipped = ReadFile(DefaultEnv(), std::string(data) + "/../../rules/vllm-alerts.yml");
  ASSERT_TRUE(shipped.ok()) << shipped.status().ToString();
  EXPECT_EQ(*shipped, VllmRulePack({}))
      << "rules/vllm-alerts.yml differs from the built-in pack: regenerate it with "
         "`infermetry rules print-vllm > rules/vllm-alerts.yml`";
}

TEST(VllmRulesTest, ThresholdsAreConfigurable) {
  VllmThresholds t;
  t.kv_cache_usage = 0.8;
  t.p99_latency_seconds = 2.5;
  t.saturation_for = "10m";
  auto groups = VllmRuleGroups(t);
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  for (const auto& r : (*groups)[0].rules) {
    if (r.alert == "VllmKvCacheSaturated") {
      EXPECT_NE(r.expr.find("> 0.8"), std::string::npos) << r.expr;
      EXPECT_EQ(r.for_ms, 600000);
    }
    if (r.alert == "VllmHighP99Latency") {
      EXPECT_NE(r.expr.find("> 2.5"), std::string::npos);
    }
  }
}

// 40 minutes of one engine's gauges at 5 s: KV usage and waiting requests from `kv(t)` and
// `waiting(t)`, preemptions counting up at `preempt_rate` per second.
template <typename Kv, typename Waiting>
void WriteEngine(tsdb::DB* db, int64_t t0, Kv kv, Waiting waiting, double preempt_rate) {
  auto app = db->NewAppender();
  const model::Labels base{{"instance", "vllm-0:8000"}, {"model_name", "m"}, {"engine", "0"},
                           {"job", "vllm"}};
  auto with = [&](const char* name) {
    model::LabelsBuilder b(base);
    b.Set("__name__", name);
    return b.Build();
  };
  const model::Labels kv_l = with("vllm:kv_cache_usage_perc"), wait_l = with("vllm:num_requests_waiting"),
                      pre_l = with("vllm:num_preemptions_total"), up_l = with("up");
  for (int64_t s = 0; s <= 40 * 60; s += 5) {
    const int64_t t = t0 + s * 1000;
    ASSERT_TRUE(app->Append(kv_l, t, kv(s)).ok());
    ASSERT_TRUE(app->Append(wait_l, t, waiting(s)).ok());
    ASSERT_TRUE(app->Append(pre_l, t, preempt_rate * static_cast<double>(s)).ok());
    ASSERT_TRUE(app->Append(up_l, t, 1).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
}

struct EvalRun {
  std::vector<std::pair<int64_t, Transition>> transitions;
  std::set<std::string> fired;
};

EvalRun Evaluate(tsdb::DB* db, int64_t t0) {
  promql::Engine engine;
  RuleQueryOptions qo;
  qo.promql = &engine;
  qo.metrics = db;
  auto groups = VllmRuleGroups({});
  EXPECT_TRUE(groups.ok());
  EvalRun run;
  ManagerOptions o;
  o.groups = *groups;
  o.query = MakeRuleQuery(qo);
  selfmon::Registry metrics;
  o.metrics = &metrics;
  o.on_transitions = [&](const std::string&, const std::vector<Transition>& ts) {
    for (const auto& t : ts) {
      run.transitions.push_back({t.t_ms - t0, t});
      if (t.to == AlertState::kFiring) run.fired.insert(std::string(t.labels.Get("alertname")));
    }
  };
  auto m = RuleManager::Make(std::move(o));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  for (int64_t s = 0; s <= 50 * 60; s += 15) (*m)->EvalAt(t0 + s * 1000);
  for (const auto& g : (*m)->Groups()) {
    for (const auto& r : g.rules) EXPECT_EQ(r.health, "ok") << r.spec.alert << ": " << r.last_error;
  }
  return run;
}

// A TSDB in `dir` without background compaction; null (and a failure) when it cannot open.
std::unique_ptr<tsdb::DB> OpenDb(const std::string& dir) {
  tsdb::Options opts;
  opts.dir = dir;
  opts.compaction_interval = std::chrono::milliseconds(0);
  auto db = tsdb::DB::Open(opts);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(VllmRulesTest, SaturationFiresAfterItsForAndResolvesWhenTheDataStops) {
  TempDir dir;
  std::unique_ptr<tsdb::DB> db = OpenDb(dir.path());
  ASSERT_NE(db, nullptr);
  const int64_t t0 = 1'795'000'000'000;
  // Healthy for 10 minutes, then a full cache with a queue.
  WriteEngine(db.get(), t0, [](int64_t s) { return s < 600 ? 0.4 : 0.97; },
              [](int64_t s) { return s < 600 ? 0.0 : 4.0; }, 0.0);
  EvalRun run = Evaluate(db.get(), t0);
  EXPECT_EQ(run.fired, (std::set<std::string>{"VllmKvCacheSaturated", "VllmCapacityExhausted"}));
  for (const auto& [at, t] : run.transitions) {
    const std::string name(t.labels.Get("alertname"));
    if (t.to == AlertState::kPending) {
      // avg_over_time over 5 minutes crosses 0.9 a little after 10 min + 5m * (0.9-0.4)/(0.97-0.4).
      EXPECT_GT(at, 600'000) << name;
      EXPECT_LT(at, 900'000) << name;
    }
    if (t.to == AlertState::kFiring) {
      EXPECT_GE(at, 900'000) << name;
    }
    if (t.from == AlertState::kFiring) {
      EXPECT_GT(at, 40 * 60'000) << name;  // the data ends at 40 min; lookback is 5 min
      EXPECT_LE(at, 46 * 60'000) << name;
    }
    EXPECT_EQ(t.labels.Get("engine"), "0");
  }
  int resolved = 0;
  for (const auto& [at, t] : run.transitions) resolved += t.from == AlertState::kFiring;
  EXPECT_EQ(resolved, 2);
}

TEST(VllmRulesTest, HealthyEngineFiresNothing) {
  TempDir dir;
  std::unique_ptr<tsdb::DB> db = OpenDb(dir.path());
  ASSERT_NE(db, nullptr);
  const int64_t t0 = 1'795'000'000'000;
  WriteEngine(db.get(), t0, [](int64_t s) { return 0.3 + 0.1 * ((s / 60) % 3); },
              [](int64_t) { return 0.0; }, 0.0);
  EvalRun run = Evaluate(db.get(), t0);
  EXPECT_TRUE(run.transitions.empty()) << run.transitions.size() << " transitions, first: "
                                       << run.transitions[0].second.labels.ToString();
}

}  // namespace
}  // namespace infermetry::alerting
