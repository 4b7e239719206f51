#include "cmd/serve_alerting.h"


#include "alerting/rule_query.h"
#include "alerting/state_file.h"
#include "common/self_metrics.h"
#include "common/log.h"

namespace infermetry::cmd {
namespace {

// The events of a batch of state changes, as a JSON array.
std::string HistoryEvents(const std::string& group, const std::vector<alerting::Transition>& ts) {
  std::string out = "[";
  for (const auto& t : ts) {
    if (out.size() > 1) out += ',';
    out += alerting::TransitionEvent(t, group);
  }
  return out + "]";
}

}  // namespace

Result<std::unique_ptr<ServeAlerting>> ServeAlerting::Make(const AlertingOptions& o,
                                                           const AlertingStores& stores) {
  std::unique_ptr<ServeAlerting> a(new ServeAlerting());
  INFERMETRY_ASSIGN_OR_RETURN(auto groups, LoadAlertingGroups(o));
  alerting::NotifierOptions no;
  no.alertmanagers = o.alertmanagers;
  no.webhooks = o.webhooks;
  no.external_url = o.external_url;
  auto notifier = alerting::Notifier::Start(std::move(no));
  if (!notifier.ok()) return notifier.status().WithContext("alerting");
  a->notifier_ = std::move(*notifier);

  alerting::RuleQueryOptions qo;
  qo.promql = &a->engine_;
  qo.metrics = stores.metrics;
  qo.catalog = stores.catalog;
  alerting::ManagerOptions mo;
  mo.groups = std::move(groups);
  mo.group.default_interval_ms = o.evaluation_interval.count();
  mo.group.resend_delay_ms = o.resend_delay.count();
  std::vector<model::Label> external;
  for (const auto& [k, v] : o.external_labels) external.push_back({k, v});
  mo.group.external_labels = model::Labels::FromUnsorted(std::move(external));
  mo.group.external_url = o.external_url;
  mo.query = alerting::MakeRuleQuery(qo);
  mo.appendable = stores.metrics_out;
  alerting::Notifier* notifier_raw = a->notifier_.get();
  mo.notify = [notifier_raw](std::vector<alerting::Notification> n) { notifier_raw->Send(std::move(n)); };
  api::IngestOptions history = stores.history;
  selfmon::Counter* lost = &selfmon::Default()
                                .AddCounter("infermetry_alert_history_failures_total",
                                            "Alert state changes that could not be appended to the alerts stream.")
                                .With({});
  mo.on_transitions = [history, lost](const std::string& group, const std::vector<alerting::Transition>& ts) {
    Status st = api::IngestEvents(history, "alerts", "", HistoryEvents(group, ts));
    if (!st.ok()) {
      lost->Inc(static_cast<double>(ts.size()));
      log::Warn("cannot append to the alerts stream", {{"err", st.ToString()}});
    }
  };
  mo.state_path = stores.data_dir + "/alert_state.json";
  INFERMETRY_ASSIGN_OR_RETURN(a->rules_, alerting::RuleManager::Make(std::move(mo)));
  return a;
}

ServeAlerting::~ServeAlerting() { Stop(); }

void ServeAlerting::Start() { rules_->Start(); }

void ServeAlerting::Stop() {
  if (stopped_) return;
  stopped_ = true;
  rules_->Stop();
  Status st = notifier_->Stop(std::chrono::seconds(5));
  if (!st.ok()) log::Warn("alert notifications left undelivered", {{"err", st.ToString()}});
}

}  // namespace infermetry::cmd
