#pragma once
// The value types of alerting: rules as written in a rule file, and alerts as the rule
// evaluator produces them and the notifier delivers them.
//
// Rule files have Prometheus's layout (groups of rules with alert/record, expr, for,
// keep_firing_for, labels, annotations); a rule may hold `sql:` instead of `expr:`, a SQL query
// whose result rows are the rule's instances (alerting_rules.md in docs/).

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"

namespace infermetry::alerting {

enum class QueryLanguage { kPromQL, kSql };

struct RuleSpec {
  // Exactly one of alert / record is set.
  std::string alert;
  std::string record;
  QueryLanguage lang = QueryLanguage::kPromQL;
  std::string expr;  // PromQL, or the SQL query of `sql:`
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  std::vector<model::Label> labels;       // values may hold templates (alerting rules)
  std::vector<model::Label> annotations;  // templates
  int line = 0;  // of the rule in its file, for messages

  bool is_alert() const { return !alert.empty(); }
  const std::string& name() const { return is_alert() ? alert : record; }
};

struct GroupSpec {
  std::string name;
  std::string file;          // where it came from ("<vllm-rules>" for the built-in pack)
  int64_t interval_ms = 0;   // 0: the manager's default evaluation interval
  int64_t limit = 0;         // max alerts / series per rule; 0: no limit
  std::vector<RuleSpec> rules;
};

enum class AlertState { kInactive, kPending, kFiring };
const char* AlertStateName(AlertState s);  // "inactive", "pending", "firing"

// One alert instance: an alerting rule's output series, with its lifecycle. Times in ms since
// the epoch; 0 means unset.
struct Alert {
  model::Labels labels;       // alertname, the rule's labels, the query result's labels
  model::Labels annotations;  // expanded
  AlertState state = AlertState::kInactive;
  double value = 0;
  int64_t active_at_ms = 0;    // when it became pending
  int64_t fired_at_ms = 0;     // when it became firing
  int64_t resolved_at_ms = 0;  // when it stopped firing (state kInactive)
  int64_t last_sent_ms = 0;    // last handed to the notifier
  int64_t valid_until_ms = 0;  // endsAt sent while firing
  int64_t keep_firing_since_ms = 0;  // the query stopped returning it (keep_firing_for)
};

// What the notifier sends for one alert (Alertmanager API v2 "postableAlert").
struct Notification {
  model::Labels labels;
  model::Labels annotations;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;  // resolved alerts: the resolve time; firing: a time in the future
  std::string generator_url;
};

}  // namespace infermetry::alerting
