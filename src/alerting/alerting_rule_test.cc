#include "alerting/alerting_rule.h"

#include <gtest/gtest.h>

namespace infermetry::alerting {
namespace {

constexpr int64_t kMin = 60'000;

RuleSpec Spec(int64_t for_ms, int64_t keep_firing_for_ms = 0) {
  RuleSpec s;
  s.alert = "KvHigh";
  s.expr = "kv > 0.9";
  s.for_ms = for_ms;
  s.keep_firing_for_ms = keep_firing_for_ms;
  s.labels = {{"severity", "warning"}, {"where", "{{ $labels.instance }}"}};
  s.annotations = {{"summary", "KV at {{ $value | humanizePercentage }} on {{ $labels.instance }}"}};
  return s;
}

AlertingRule Make(RuleSpec spec) {
  auto r = AlertingRule::Make(std::move(spec), model::Labels{{"cluster", "c1"}}, "http://im");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

std::vector<InstanceSample> Kv(double v, const char* instance = "vllm-0:8000") {
  return {{model::Labels{{"__name__", "kv"}, {"instance", instance}}, v}};
}

TEST(AlertingRuleTest, PendingThenFiringAfterForThenResolved) {
  AlertingRule rule = Make(Spec(5 * kMin));
  std::vector<Transition> tr;
  ASSERT_TRUE(rule.Apply(0, Kv(0.95), 0, &tr).ok());
  ASSERT_EQ(rule.Alerts().size(), 1u);
  Alert a = rule.Alerts()[0];
  EXPECT_EQ(a.state, AlertState::kPending);
  EXPECT_EQ(a.labels, (model::Labels{{"alertname", "KvHigh"}, {"instance", "vllm-0:8000"},
                                     {"severity", "warning"}, {"where", "vllm-0:8000"}}));
  EXPECT_EQ(a.annotations.Get("summary"), "KV at 95% on vllm-0:8000");
  EXPECT_TRUE(rule.TakeNotifications(0, kMin, 15000).empty());  // pending is not sent
  ASSERT_TRUE(rule.Apply(4 * kMin, Kv(0.96), 0, &tr).ok());
  EXPECT_EQ(rule.State(), AlertState::kPending);
  ASSERT_TRUE(rule.Apply(5 * kMin, Kv(0.97), 0, &tr).ok());
  a = rule.Alerts()[0];
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.active_at_ms, 0);
  EXPECT_EQ(a.fired_at_ms, 5 * kMin);
  EXPECT_EQ(a.annotations.Get("summary"), "KV at 97% on vllm-0:8000");
  auto sent = rule.TakeNotifications(5 * kMin, kMin, 15000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].starts_at_ms, 0);
  EXPECT_EQ(sent[0].ends_at_ms, 5 * kMin + 4 * kMin);
  // Re-sent only after the resend delay.
  EXPECT_TRUE(rule.TakeNotifications(5 * kMin + 30000, kMin, 15000).empty());
  EXPECT_EQ(rule.TakeNotifications(6 * kMin, kMin, 15000).size(), 1u);
  // Gone from the result: resolved, the resolve sent once.
  ASSERT_TRUE(rule.Apply(7 * kMin, {}, 0, &tr).ok());
  a = rule.Alerts()[0];
  EXPECT_EQ(a.state, AlertState::kInactive);
  EXPECT_EQ(a.resolved_at_ms, 7 * kMin);
  sent = rule.TakeNotifications(7 * kMin, kMin, 15000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].ends_at_ms, 7 * kMin);
  EXPECT_TRUE(rule.TakeNotifications(8 * kMin, kMin, 15000).empty());
  EXPECT_TRUE(rule.AlertSeries().empty());
  // Resolved alerts are dropped after 15 minutes.
  ASSERT_TRUE(rule.Apply(23 * kMin, {}, 0, &tr).ok());
  EXPECT_TRUE(rule.Alerts().empty());
  ASSERT_EQ(tr.size(), 3u);
  EXPECT_EQ(tr[0].to, AlertState::kPending);
  EXPECT_EQ(tr[1].to, AlertState::kFiring);
  EXPECT_EQ(tr[1].t_ms, 5 * kMin);
  EXPECT_EQ(tr[2].from, AlertState::kFiring);
  EXPECT_EQ(tr[2].to, AlertState::kInactive);
}

TEST(AlertingRuleTest, ForZeroFiresAtOnceAndPendingThatGoesIsForgotten) {
  AlertingRule now = Make(Spec(0));
  ASSERT_TRUE(now.Apply(0, Kv(0.95), 0, nullptr).ok());
  EXPECT_EQ(now.State(), AlertState::kFiring);

  AlertingRule later = Make(Spec(5 * kMin));
  std::vector<Transition> tr;
  ASSERT_TRUE(later.Apply(0, Kv(0.95), 0, &tr).ok());
  ASSERT_TRUE(later.Apply(kMin, {}, 0, &tr).ok());
  EXPECT_TRUE(later.Alerts().empty());
  ASSERT_EQ(tr.size(), 2u);
  EXPECT_EQ(tr[1].to, AlertState::kInactive);
  // Back: pending again, `for` counted from the new start.
  ASSERT_TRUE(later.Apply(2 * kMin, Kv(0.95), 0, &tr).ok());
  ASSERT_TRUE(later.Apply(6 * kMin, Kv(0.95), 0, &tr).ok());
  EXPECT_EQ(later.State(), AlertState::kPending);
  ASSERT_TRUE(later.Apply(7 * kMin, Kv(0.95), 0, &tr).ok());
  EXPECT_EQ(later.State(), AlertState::kFiring);
}

TEST(AlertingRuleTest, KeepFiringFor) {
  AlertingRule rule = Make(Spec(0, 2 * kMin));
  ASSERT_TRUE(rule.Apply(0, Kv(0.95), 0, nullptr).ok());
  ASSERT_TRUE(rule.Apply(kMin, {}, 0, nullptr).ok());
  EXPECT_EQ(rule.State(), AlertState::kFiring);
  ASSERT_TRUE(rule.Apply(2 * kMin, {}, 0, nullptr).ok());
  EXPECT_EQ(rule.State(), AlertState::kFiring);
  ASSERT_TRUE(rule.Apply(3 * kMin, {}, 0, nullptr).ok());
  EXPECT_EQ(rule.State(), AlertState::kInactive);
  EXPECT_EQ(rule.Alerts()[0].resolved_at_ms, 3 * kMin);
  // Returning within keep_firing_for resets it.
  AlertingRule back = Make(Spec(0, 2 * kMin));
  ASSERT_TRUE(back.Apply(0, Kv(0.95), 0, nullptr).ok());
  ASSERT_TRUE(back.Apply(kMin, {}, 0, nullptr).ok());
  ASSERT_TRUE(back.Apply(2 * kMin, Kv(0.95), 0, nullptr).ok());
  ASSERT_TRUE(back.Apply(3 * kMin, {}, 0, nullptr).ok());
  ASSERT_TRUE(back.Apply(4 * kMin, {}, 0, nullptr).ok());
  EXPECT_EQ(back.State(), AlertState::kFiring);
}

TEST(AlertingRuleTest, SeriesLimitAndDuplicates) {
  AlertingRule rule = Make(Spec(0));
  std::vector<InstanceSample> two = Kv(0.95, "a");
  two.push_back(Kv(0.97, "b")[0]);
  ASSERT_TRUE(rule.Apply(0, two, 0, nullptr).ok());
  auto series = rule.AlertSeries();
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].labels.Get("__name__"), "ALERTS");
  EXPECT_EQ(series[0].labels.Get("alertstate"), "firing");
  EXPECT_EQ(series[0].value, 1);
  EXPECT_EQ(series[1].labels.Get("__name__"), "ALERTS_FOR_STATE");
  EXPECT_FALSE(series[1].labels.Has("alertstate"));
  EXPECT_EQ(series[1].value, 0);

  Status over = rule.Apply(kMin, two, 1, nullptr);
  EXPECT_EQ(over.code(), Code::kResourceExhausted);
  EXPECT_EQ(over.message(), "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(rule.Alerts().empty());

  // Two samples that differ only in the metric name collide once __name__ is dropped.
  std::vector<InstanceSample> dup = {{model::Labels{{"__name__", "x"}, {"instance", "a"}}, 1},
                                     {model::Labels{{"__name__", "y"}, {"instance", "a"}}, 2}};
  Status st = rule.Apply(2 * kMin, dup, 0, nullptr);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("same labelset"), std::string::npos);
}

TEST(AlertingRuleTest, RestoredFiringAlertStaysFiringWithItsStart) {
  AlertingRule before = Make(Spec(5 * kMin));
  ASSERT_TRUE(before.Apply(0, Kv(0.95), 0, nullptr).ok());
  ASSERT_TRUE(before.Apply(5 * kMin, Kv(0.95), 0, nullptr).ok());
  (void)before.TakeNotifications(5 * kMin, kMin, 15000);
  AlertingRule after = Make(Spec(5 * kMin));
  after.Restore(before.Alerts());
  std::vector<Transition> tr;
  ASSERT_TRUE(after.Apply(5 * kMin + 30000, Kv(0.95), 0, &tr).ok());
  EXPECT_TRUE(tr.empty());
  EXPECT_EQ(after.State(), AlertState::kFiring);
  EXPECT_TRUE(after.TakeNotifications(5 * kMin + 30000, kMin, 15000).empty());  // sent 30 s ago
  auto sent = after.TakeNotifications(6 * kMin, kMin, 15000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].starts_at_ms, 0);
}

TEST(AlertingRuleTest, BadTemplateIsRejected) {
  RuleSpec s = Spec(0);
  s.annotations = {{"summary", "{{ nope }}"}};
  auto r = AlertingRule::Make(s, {}, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("alert KvHigh: annotation summary"), std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace infermetry::alerting
