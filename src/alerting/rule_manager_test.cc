#include "alerting/rule_manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <map>
#include <thread>

#include "alerting/rule_file.h"
#include "alerting/state_file.h"
#include "common/temp_dir.h"
#include "model/sample.h"
#include "storage/memory_appendable.h"

namespace infermetry::alerting {
namespace {

constexpr int64_t kMin = 60'000;

// A query function whose answer per rule and time is set by the test.
struct FakeQuery {
  std::map<std::string, std::vector<InstanceSample>> now;  // by rule name
  std::map<std::string, Status> errors;
  RuleQueryFunc Func() {
    return [this](const RuleSpec& r, int64_t) -> Result<std::vector<InstanceSample>> {
      if (errors.count(r.name())) return errors[r.name()];
      return now[r.name()];
    };
  }
};

std::vector<GroupSpec> Groups() {
  auto g = ParseRuleFile(R"(groups:
  - name: vllm
    interval: 15s
    rules:
      - record: instance:kv:avg
        expr: avg by (instance) (kv)
      - alert: KvHigh
        expr: avg by (instance) (kv) > 0.9
        for: 2m
        annotations: {summary: 'KV {{ $value }}'}
)",
                         "rules.yml");
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return *g;
}

struct Fixture {
  FakeQuery query;
  storage::MemoryAppendable store;
  std::vector<Notification> sent;
  std::vector<Transition> history;
  selfmon::Registry metrics;

  std::unique_ptr<RuleManager> Make(const std::string& state_path) {
    ManagerOptions o;
    o.groups = Groups();
    o.query = query.Func();
    o.appendable = &store;
    o.notify = [this](std::vector<Notification> n) {
      for (auto& x : n) sent.push_back(std::move(x));
    };
    o.on_transitions = [this](const std::string& group, const std::vector<Transition>& t) {
      EXPECT_EQ(group, "vllm");
      history.insert(history.end(), t.begin(), t.end());
    };
    o.state_path = state_path;
    o.metrics = &metrics;
    auto m = RuleManager::Make(std::move(o));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }
};

InstanceSample Sample(const char* instance, double v) {
  return {model::Labels{{"instance", instance}}, v};
}

TEST(RuleManagerTest, RecordsAlertsNotifiesAndWritesAlertSeries) {
  Fixture f;
  auto m = f.Make("");
  f.query.now["instance:kv:avg"] = {Sample("a", 0.95), Sample("b", 0.5)};
  f.query.now["KvHigh"] = {Sample("a", 0.95)};
  for (int64_t t = 0; t <= 2 * kMin; t += 15000) m->EvalAt(t);
  ASSERT_EQ(f.sent.size(), 1u);
  EXPECT_EQ(f.sent[0].labels, (model::Labels{{"alertname", "KvHigh"}, {"instance", "a"}}));
  EXPECT_EQ(f.sent[0].annotations.Get("summary"), "KV 0.95");
  ASSERT_EQ(m->ActiveAlerts().size(), 1u);
  EXPECT_EQ(m->ActiveAlerts()[0].state, AlertState::kFiring);
  auto samples = f.store.Take();
  size_t recorded = 0, alerts_firing = 0, alerts_pending = 0;
  for (const auto& s : samples) {
    if (model::IsStaleNaN(s.v)) continue;  // ALERTS{alertstate="pending"} once it fires
    if (s.labels.MetricName() == "instance:kv:avg") ++recorded;
    if (s.labels.MetricName() == "ALERTS") {
      (s.labels.Get("alertstate") == "firing" ? alerts_firing : alerts_pending)++;
    }
  }
  EXPECT_EQ(recorded, 2u * 9);
  EXPECT_EQ(alerts_pending, 8u);  // 0 s .. 105 s
  EXPECT_EQ(alerts_firing, 1u);   // 120 s
  // Series that disappear get a staleness marker once.
  f.query.now["instance:kv:avg"] = {Sample("a", 0.95)};
  f.query.now["KvHigh"] = {};
  m->EvalAt(2 * kMin + 15000);
  samples = f.store.Take();
  int stale = 0;
  for (const auto& s : samples) {
    if (model::IsStaleNaN(s.v)) {
      ++stale;
      EXPECT_TRUE(s.labels.Get("instance") == "b" || s.labels.MetricName().starts_with("ALERTS"))
          << s.labels.ToString();
    }
  }
  EXPECT_EQ(stale, 3);  // instance b's recording, ALERTS and ALERTS_FOR_STATE
  ASSERT_EQ(f.sent.size(), 2u);
  EXPECT_EQ(f.sent[1].ends_at_ms, 2 * kMin + 15000);  // the resolve
  ASSERT_EQ(f.history.size(), 3u);  // pending, firing, resolved
  auto groups = m->Groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].interval_ms, 15000);
  EXPECT_EQ(groups[0].last_eval_ms, 2 * kMin + 15000);
  EXPECT_EQ(groups[0].rules[1].health, "ok");
}

TEST(RuleManagerTest, FailingQueryKeepsAlertsAndReportsTheError) {
  Fixture f;
  auto m = f.Make("");
  f.query.now["KvHigh"] = {Sample("a", 0.95)};
  m->EvalAt(0);
  f.query.errors["KvHigh"] = Status(Code::kDeadlineExceeded, "query timed out");
  m->EvalAt(15000);
  auto rules = m->Groups()[0].rules;
  EXPECT_EQ(rules[1].health, "err");
  EXPECT_EQ(rules[1].last_error, "query timed out");
  ASSERT_EQ(rules[1].alerts.size(), 1u);
  EXPECT_EQ(rules[1].alerts[0].state, AlertState::kPending);
  std::string text;
  f.metrics.WriteText(&text);
  EXPECT_NE(text.find("infermetry_rule_evaluation_failures_total 1"), std::string::npos) << text;
}

TEST(RuleManagerTest, StateSurvivesARestart) {
  TempDir dir;
  const std::string path = dir.path() + "/alerts.json";
  Fixture f;
  f.query.now["KvHigh"] = {Sample("a", 0.95)};
  {
    auto m = f.Make(path);
    for (int64_t t = 0; t <= 3 * kMin; t += 15000) m->EvalAt(t);
    ASSERT_EQ(f.sent.size(), 2u);  // at 2 min (firing) and 3 min (resent)
  }
  auto saved = LoadStateFile(DefaultEnv(), path);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  ASSERT_EQ(saved->size(), 1u);
  ASSERT_EQ((*saved)[0].alerts.size(), 1u);
  EXPECT_EQ((*saved)[0].alerts[0].state, AlertState::kFiring);

  Fixture g;  // a new process: same rules, same data
  g.query.now["KvHigh"] = {Sample("a", 0.95)};
  auto m = g.Make(path);
  ASSERT_EQ(m->ActiveAlerts().size(), 1u);
  EXPECT_EQ(m->ActiveAlerts()[0].state, AlertState::kFiring);
  m->EvalAt(3 * kMin + 15000);
  EXPECT_TRUE(g.history.empty());  // no new pending or firing transition
  EXPECT_TRUE(g.sent.empty());     // sent 15 s before the restart
  m->EvalAt(4 * kMin);
  ASSERT_EQ(g.sent.size(), 1u);
  EXPECT_EQ(g.sent[0].starts_at_ms, 0);  // the same alert, not a new one
}

TEST(RuleManagerTest, DamagedStateFileIsAnError) {
  TempDir dir;
  const std::string path = dir.path() + "/alerts.json";
  ASSERT_TRUE(WriteFileAtomic(DefaultEnv(), path, "{\"version\":1,\"rules\":[{\"group\":1}]}").ok());
  Fixture f;
  ManagerOptions o;
  o.groups = Groups();
  o.query = f.query.Func();
  o.state_path = path;
  o.metrics = &f.metrics;
  auto m = RuleManager::Make(std::move(o));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kCorruption);
  EXPECT_NE(m.status().message().find(path), std::string::npos);
}

TEST(RuleManagerTest, StateFileRoundTrip) {
  Alert a;
  a.labels = model::Labels{{"alertname", "X"}, {"q", "say \"hi\"\n"}};
  a.annotations = model::Labels{{"summary", "ü ✓"}};
  a.state = AlertState::kFiring;
  a.value = std::numeric_limits<double>::infinity();
  a.active_at_ms = 1;
  a.fired_at_ms = 2;
  a.last_sent_ms = 3;
  a.valid_until_ms = 4;
  std::vector<SavedRule> rules = {{"g", "X", {a}}, {"g", "Y", {}}};
  auto back = DecodeState(EncodeState(rules), "s.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  const Alert& b = (*back)[0].alerts[0];
  EXPECT_EQ(b.labels, a.labels);
  EXPECT_EQ(b.annotations, a.annotations);
  EXPECT_EQ(b.state, a.state);
  EXPECT_EQ(b.value, a.value);
  EXPECT_EQ(b.fired_at_ms, 2);
  EXPECT_EQ(b.valid_until_ms, 4);
  EXPECT_TRUE((*back)[1].alerts.empty());
}

TEST(RuleManagerTest, RunsOnItsIntervalUntilStopped) {
  Fixture f;
  ManagerOptions o;
  auto groups = Groups();
  groups[0].interval_ms = 20;
  o.groups = groups;
  std::atomic<int> calls{0};
  o.query = [&](const RuleSpec&, int64_t t) -> Result<std::vector<InstanceSample>> {
    EXPECT_EQ(t % 20, (model::Labels{{"file", "rules.yml"}, {"group", "vllm"}}.Hash() % 20));
    ++calls;
    return std::vector<InstanceSample>{};
  };
  o.metrics = &f.metrics;
  auto m = RuleManager::Make(std::move(o));
  ASSERT_TRUE(m.ok());
  (*m)->Start();
  for (int i = 0; i < 1000 && calls < 6; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  (*m)->Stop();
  EXPECT_GE(calls.load(), 6);
  const int after = calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(calls.load(), after);
}

}  // namespace
}  // namespace infermetry::alerting
