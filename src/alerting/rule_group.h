#pragma once
// A group of rules evaluated in order at one time: recording rules append their result as new
// series, alerting rules advance their alerts (alerting_rule.h) and write ALERTS and
// ALERTS_FOR_STATE; series a rule stops producing get a staleness marker, as in Prometheus. A
// rule whose query fails keeps its alerts as they were and reports the error (health "err").
//
// Thread-safety: Eval from one thread at a time; Status() and SaveState() from any thread.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "alerting/alerting_rule.h"
#include "alerting/rule_query.h"
#include "storage/appender.h"

namespace infermetry::alerting {

struct GroupOptions {
  int64_t default_interval_ms = 15000;
  int64_t resend_delay_ms = 60000;
  model::Labels external_labels;
  std::string external_url;
};

struct RuleStatus {
  RuleSpec spec;
  std::string health = "unknown";  // "ok", "err", "unknown" (not evaluated yet)
  std::string last_error;
  int64_t last_eval_ms = 0;
  double eval_seconds = 0;
  AlertState state = AlertState::kInactive;  // alerting rules
  std::vector<Alert> alerts;                 // alerting rules
};

struct GroupStatus {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;
  int64_t limit = 0;
  int64_t last_eval_ms = 0;
  double eval_seconds = 0;
  std::vector<RuleStatus> rules;
};

// The alerts of one alerting rule, for persistence.
struct SavedRule {
  std::string group;
  std::string alert;
  std::vector<Alert> alerts;
};

class RuleGroup {
 public:
  static Result<std::unique_ptr<RuleGroup>> Make(GroupSpec spec, const GroupOptions& options);

  const std::string& name() const { return spec_.name; }
  const std::string& file() const { return spec_.file; }
  int64_t interval_ms() const { return interval_ms_; }

  struct Output {
    std::vector<Notification> notifications;
    std::vector<Transition> transitions;
    bool changed = false;  // alert state worth persisting changed
    size_t evaluated = 0;  // rules evaluated
    size_t failed = 0;     // of which failed
  };
  // Evaluates every rule at `t_ms`; recorded and ALERTS series go to `out` (nullable).
  Output Eval(int64_t t_ms, const RuleQueryFunc& query, storage::Appendable* out);

  GroupStatus Status() const;
  std::vector<SavedRule> SaveState() const;
  // Restores the alerts of rules named in `saved` for this group (others are ignored).
  void RestoreState(const std::vector<SavedRule>& saved);

 private:
  struct Rule {
    RuleSpec spec;
    std::unique_ptr<AlertingRule> alerting;  // null for recording rules
    RuleStatus status;
    std::set<model::Labels> written;  // series written at the last evaluation
  };
  RuleGroup(GroupSpec spec, const GroupOptions& options);
  infermetry::Status Write(Rule& rule, int64_t t_ms, std::vector<InstanceSample> series,
                           storage::Appendable* out);

  GroupSpec spec_;
  GroupOptions options_;
  int64_t interval_ms_;
  mutable std::mutex mu_;  // rules_' status and alerts
  std::vector<Rule> rules_;
  int64_t last_eval_ms_ = 0;
  double eval_seconds_ = 0;
};

}  // namespace infermetry::alerting
