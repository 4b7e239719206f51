#pragma once
// The alerting part of `infermetry serve`: the rule manager over the store (PromQL over the
// metrics, SQL over every stream), alerts delivered by a notifier to the configured
// Alertmanagers and webhooks, the alert state kept in <storage.path>/alert_state.json, and
// every alert state change appended to the `alerts` event stream (queryable with SQL).
//
// Thread-safety: Make, Start and Stop from one thread.

#include <memory>
#include <string>

#include "alerting/notifier.h"
#include "alerting/rule_manager.h"
#include "cmd/alerting_config.h"
#include "query/promql/engine.h"
#include "server/api/parseable_ingest.h"

namespace infermetry::cmd {

struct AlertingStores {
  storage::Queryable* metrics = nullptr;
  storage::Appendable* metrics_out = nullptr;
  sql::Catalog* catalog = nullptr;
  api::IngestOptions history;  // where the `alerts` stream is written
  std::string data_dir;
};

class ServeAlerting {
 public:
  // Loads the rules (errors name the rule file and line) and the saved alert state; starts the
  // notifier, not yet the evaluations.
  static Result<std::unique_ptr<ServeAlerting>> Make(const AlertingOptions& options,
                                                     const AlertingStores& stores);
  ~ServeAlerting();
  void Start();
  // Stops the evaluations, then gives the notifier a few seconds to deliver what is queued.
  void Stop();
  const alerting::RuleManager* rules() const { return rules_.get(); }

 private:
  ServeAlerting() = default;
  promql::Engine engine_;
  std::unique_ptr<alerting::Notifier> notifier_;
  std::unique_ptr<alerting::RuleManager> rules_;
  bool stopped_ = false;
};

}  // namespace infermetry::cmd
