#pragma once
// One alerting rule's alerts and their lifecycle, as Prometheus runs it:
//
//   query result at t ──► for each sample: labels = sample labels − __name__ + rule labels
//                         (templated) + alertname; annotations templated with $labels, $value
//   new label set            ─► pending (active_at = t)
//   pending for >= `for`     ─► firing (fired_at = t)           (`for: 0`: firing at once)
//   pending, gone            ─► deleted
//   firing, gone             ─► kept firing while keep_firing_for has not run out since it went,
//                               then inactive (resolved_at = t), kept 15 min to send the resolve
//   resolved, back           ─► a new alert (pending again)
//
// Not thread-safe: the group that owns the rule evaluates it; snapshots are copies.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/template.h"
#include "common/result.h"

namespace infermetry::alerting {

// One sample of a rule query's result.
struct InstanceSample {
  model::Labels labels;
  double value = 0;
};

// How a state change looks to the alert history.
struct Transition {
  int64_t t_ms = 0;
  model::Labels labels;
  AlertState from = AlertState::kInactive;
  AlertState to = AlertState::kInactive;
  double value = 0;
};

class AlertingRule {
 public:
  // kInvalidArgument when a label or annotation template does not parse.
  static Result<AlertingRule> Make(RuleSpec spec, model::Labels external_labels,
                                   std::string external_url);

  const RuleSpec& spec() const { return spec_; }

  // Applies the query result at `t_ms`. `limit` > 0: more alerts than that is an error and
  // clears the rule's alerts (as Prometheus). Appends state changes to `transitions`.
  Status Apply(int64_t t_ms, const std::vector<InstanceSample>& result, int64_t limit,
               std::vector<Transition>* transitions);

  // Alerts to hand to the notifier at `t_ms`: firing ones not sent for `resend_delay_ms`, and
  // resolved ones not yet sent since they resolved. Marks them sent; firing alerts get
  // endsAt = t + 4 * max(resend_delay, interval).
  std::vector<Notification> TakeNotifications(int64_t t_ms, int64_t resend_delay_ms,
                                              int64_t interval_ms);

  // Pending, firing and recently resolved alerts, sorted by labels.
  std::vector<Alert> Alerts() const;
  // Replaces the rule's alerts (restored state); alerts are keyed by their labels.
  void Restore(std::vector<Alert> alerts);
  // The series Prometheus writes for active alerts: ALERTS{alertstate=...} 1 and
  // ALERTS_FOR_STATE = active_at in seconds.
  std::vector<InstanceSample> AlertSeries() const;
  AlertState State() const;  // the highest state of any alert

 private:
  AlertingRule(RuleSpec spec, std::vector<std::pair<std::string, Template>> labels,
               std::vector<std::pair<std::string, Template>> annotations,
               model::Labels external_labels, std::string external_url);
  model::Labels Expand(const std::vector<std::pair<std::string, Template>>& ts,
                       const model::Labels& sample, double value, const model::Labels* base) const;

  RuleSpec spec_;
  std::vector<std::pair<std::string, Template>> label_templates_;
  std::vector<std::pair<std::string, Template>> annotation_templates_;
  model::Labels external_labels_;
  std::string external_url_;
  std::string generator_url_;
  std::map<model::Labels, Alert> alerts_;
};

}  // namespace infermetry::alerting
