#pragma once
// Runs rule groups on their intervals, delivers what they produce and keeps alert state across
// restarts.
//
//   ManagerOptions o;
//   o.groups = *LoadRuleFile("rules.yml");
//   o.query = MakeRuleQuery({&engine, db, catalog});
//   o.appendable = db;                        // ALERTS, ALERTS_FOR_STATE, recording rules
//   o.notify = [&](auto alerts) { notifier->Send(std::move(alerts)); };
//   o.state_path = "data/alerts/state.json";
//   auto m = RuleManager::Make(std::move(o));  // restores the saved state
//   (*m)->Start();                             // one evaluation thread
//   ...
//   (*m)->Stop();
//
// Each group is evaluated at multiples of its interval plus a fixed offset derived from its
// name (so groups spread over the interval, as in Prometheus), on the wall clock. EvalAt()
// evaluates every group at a given time instead: tests and `infermetry rules eval` use it to
// step through stored (or simulated) history.
//
// Thread-safety: every method may be called from any thread; Start/Stop from one.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/rule_group.h"
#include "common/env.h"
#include "common/self_metrics.h"

namespace infermetry::alerting {

struct ManagerOptions {
  std::vector<GroupSpec> groups;
  GroupOptions group;  // default interval, resend delay, external labels and URL
  RuleQueryFunc query;                             // required
  storage::Appendable* appendable = nullptr;       // nullable
  // Receives alerts to deliver (firing, resend, resolved); nullable.
  std::function<void(std::vector<Notification>)> notify;
  // Receives every alert state change, for the alert history; nullable.
  std::function<void(const std::string& group, const std::vector<Transition>&)> on_transitions;
  std::string state_path;  // "" : no persistence
  Env* env = nullptr;      // null: DefaultEnv()
  std::function<int64_t()> now_ms;  // null: the wall clock
  selfmon::Registry* metrics = nullptr;  // null: selfmon::Default()
};

class RuleManager {
 public:
  // Builds the groups (kInvalidArgument for bad templates) and restores the saved state
  // (a damaged state file is an error naming it).
  static Result<std::unique_ptr<RuleManager>> Make(ManagerOptions options);
  ~RuleManager();

  void Start();
  void Stop();

  // Evaluates every group at `t_ms` (in file order) and delivers the results.
  void EvalAt(int64_t t_ms);

  std::vector<GroupStatus> Groups() const;
  // Pending and firing alerts of every rule.
  std::vector<Alert> ActiveAlerts() const;

 private:
  explicit RuleManager(ManagerOptions options);
  void EvalGroup(RuleGroup& g, int64_t t_ms);
  void Loop();
  int64_t Now() const;
  int64_t Offset(const RuleGroup& g) const;

  ManagerOptions options_;
  std::vector<std::unique_ptr<RuleGroup>> groups_;
  std::mutex eval_mu_;  // one evaluation (and state write) at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  selfmon::Counter* m_evals_ = nullptr;
  selfmon::Counter* m_eval_failures_ = nullptr;
  selfmon::Counter* m_state_write_failures_ = nullptr;
  selfmon::Histogram* m_eval_seconds_ = nullptr;
};

}  // namespace infermetry::alerting
