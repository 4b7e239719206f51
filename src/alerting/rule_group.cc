#include "alerting/rule_group.h"

#include <chrono>
#include <cmath>
#include <map>

#include "common/log.h"
#include "model/sample.h"

namespace infermetry::alerting {

Result<std::unique_ptr<RuleGroup>> RuleGroup::Make(GroupSpec spec, const GroupOptions& options) {
  std::unique_ptr<RuleGroup> g(new RuleGroup(std::move(spec), options));
  for (const RuleSpec& r : g->spec_.rules) {
    Rule rule;
    rule.spec = r;
    rule.status.spec = r;
    if (r.is_alert()) {
      auto a = AlertingRule::Make(r, options.external_labels, options.external_url);
      if (!a.ok()) return a.status().WithContext("group " + g->spec_.name);
      rule.alerting = std::make_unique<AlertingRule>(std::move(*a));
    }
    g->rules_.push_back(std::move(rule));
  }
  return g;
}

RuleGroup::RuleGroup(GroupSpec spec, const GroupOptions& options)
    : spec_(std::move(spec)),
      options_(options),
      interval_ms_(spec_.interval_ms > 0 ? spec_.interval_ms : options.default_interval_ms) {}

infermetry::Status RuleGroup::Write(Rule& rule, int64_t t_ms, std::vector<InstanceSample> series,
                        storage::Appendable* out) {
  std::set<model::Labels> now;
  for (auto& s : series) now.insert(s.labels);
  if (out == nullptr) {
    rule.written = std::move(now);
    return infermetry::Status::Ok();
  }
  auto app = out->NewAppender();
  infermetry::Status first;
  auto append = [&](const model::Labels& ls, double v) {
    infermetry::Status st = app->Append(ls, t_ms, v);
    // Out of order or duplicate: the same time evaluated twice (a restart); not an error.
    if (!st.ok() && st.code() != Code::kOutOfOrder && st.code() != Code::kDuplicate &&
        st.code() != Code::kTooOld && first.ok()) {
      first = st;
    }
  };
  for (const auto& s : series) append(s.labels, s.value);
  for (const auto& old : rule.written) {
    if (now.count(old) == 0) append(old, model::StaleNaN());
  }
  infermetry::Status committed = app->Commit();
  if (first.ok()) first = committed;
  rule.written = std::move(now);
  return first;
}

RuleGroup::Output RuleGroup::Eval(int64_t t_ms, const RuleQueryFunc& query,
                                  storage::Appendable* out) {
  Output o;
  const auto group_start = std::chrono::steady_clock::now();
  for (Rule& rule : rules_) {
    const auto start = std::chrono::steady_clock::now();
    auto result = query(rule.spec, t_ms);
    infermetry::Status st = result.status();
    std::vector<InstanceSample> series;
    if (st.ok() && rule.alerting) {
      std::lock_guard l(mu_);
      const size_t before = o.transitions.size();
      st = rule.alerting->Apply(t_ms, *result, spec_.limit, &o.transitions);
      o.changed = o.changed || o.transitions.size() != before;
      auto sent = rule.alerting->TakeNotifications(t_ms, options_.resend_delay_ms, interval_ms_);
      o.changed = o.changed || !sent.empty();
      for (auto& n : sent) o.notifications.push_back(std::move(n));
      series = rule.alerting->AlertSeries();
    } else if (st.ok()) {
      std::set<model::Labels> seen;
      for (auto& s : *result) {
        model::LabelsBuilder b(s.labels);
        b.Set(model::kMetricName, rule.spec.record);
        for (const auto& l : rule.spec.labels) b.Set(l.name, l.value);
        model::Labels ls = b.Build();
        if (!seen.insert(ls).second) {
          st = infermetry::Status(Code::kInvalidArgument,
                                  "vector contains metrics with the same labelset after applying rule labels");
          break;
        }
        series.push_back({std::move(ls), s.value});
      }
      if (st.ok() && spec_.limit > 0 && static_cast<int64_t>(series.size()) > spec_.limit) {
        st = infermetry::Status(Code::kResourceExhausted,
                                "exceeded limit of " + std::to_string(spec_.limit) + " with " +
                                    std::to_string(series.size()) + " series");
      }
      if (!st.ok()) series.clear();
    }
    if (st.ok() || rule.alerting) {
      infermetry::Status wst = Write(rule, t_ms, std::move(series), out);
      if (st.ok()) st = wst;
    }
    ++o.evaluated;
    if (!st.ok()) ++o.failed;
    std::lock_guard l(mu_);
    // Logged when a rule starts failing or fails differently, not at every evaluation.
    if (!st.ok() && st.message() != rule.status.last_error) {
      log::Warn("rule evaluation failed", {{"group", spec_.name}, {"rule", rule.spec.name()}, {"err", st.message()}});
    }
    rule.status.last_eval_ms = t_ms;
    rule.status.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rule.status.health = st.ok() ? "ok" : "err";
    rule.status.last_error = st.ok() ? "" : st.message();
  }
  std::lock_guard l(mu_);
  last_eval_ms_ = t_ms;
  eval_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - group_start).count();
  return o;
}

GroupStatus RuleGroup::Status() const {
  std::lock_guard l(mu_);
  GroupStatus g{spec_.name, spec_.file, interval_ms_, spec_.limit, last_eval_ms_, eval_seconds_, {}};
  for (const Rule& r : rules_) {
    RuleStatus s = r.status;
    if (r.alerting) {
      s.alerts = r.alerting->Alerts();
      s.state = r.alerting->State();
    }
    g.rules.push_back(std::move(s));
  }
  return g;
}

std::vector<SavedRule> RuleGroup::SaveState() const {
  std::lock_guard l(mu_);
  std::vector<SavedRule> out;
  for (const Rule& r : rules_) {
    if (r.alerting) out.push_back({spec_.name, r.spec.alert, r.alerting->Alerts()});
  }
  return out;
}

void RuleGroup::RestoreState(const std::vector<SavedRule>& saved) {
  // The k-th rule of a name takes the k-th saved rule of that name.
  std::lock_guard l(mu_);
  std::map<std::string, size_t> taken;
  for (Rule& r : rules_) {
    if (!r.alerting) continue;
    size_t k = taken[r.spec.alert]++;
    for (const SavedRule& s : saved) {
      if (s.group != spec_.name || s.alert != r.spec.alert) continue;
      if (k-- == 0) {
        r.alerting->Restore(s.alerts);
        break;
      }
    }
  }
}

}  // namespace infermetry::alerting
