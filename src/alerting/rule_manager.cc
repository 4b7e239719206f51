#include "alerting/rule_manager.h"

#include <chrono>

#include "alerting/state_file.h"
#include "common/log.h"

namespace infermetry::alerting {

Result<std::unique_ptr<RuleManager>> RuleManager::Make(ManagerOptions options) {
  if (!options.query) return Status(Code::kInvalidArgument, "rule manager: no query function");
  std::unique_ptr<RuleManager> m(new RuleManager(std::move(options)));
  for (const GroupSpec& spec : m->options_.groups) {
    INFERMETRY_ASSIGN_OR_RETURN(auto g, RuleGroup::Make(spec, m->options_.group));
    m->groups_.push_back(std::move(g));
  }
  if (!m->options_.state_path.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(auto saved, LoadStateFile(m->options_.env, m->options_.state_path));
    size_t restored = 0;
    for (const auto& s : saved) restored += s.alerts.size();
    for (auto& g : m->groups_) g->RestoreState(saved);
    if (restored > 0) log::Info("restored alert state", {{"alerts", restored}, {"file", m->options_.state_path}});
  }
  return m;
}

RuleManager::RuleManager(ManagerOptions options) : options_(std::move(options)) {
  if (options_.env == nullptr) options_.env = DefaultEnv();
  selfmon::Registry& r = options_.metrics ? *options_.metrics : selfmon::Default();
  m_evals_ = &r.AddCounter("infermetry_rule_evaluations_total", "Rule evaluations.").With({});
  m_eval_failures_ = &r.AddCounter("infermetry_rule_evaluation_failures_total",
                                   "Rule evaluations that failed (query or write errors).")
                          .With({});
  m_state_write_failures_ = &r.AddCounter("infermetry_alert_state_write_failures_total",
                                          "Failed writes of the alert state file.")
                                 .With({});
  m_eval_seconds_ = &r.AddHistogram("infermetry_rule_group_duration_seconds",
                                    "Time to evaluate a rule group.", {}, selfmon::LatencyBuckets())
                         .With({});
}

RuleManager::~RuleManager() { Stop(); }

int64_t RuleManager::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t RuleManager::Offset(const RuleGroup& g) const {
  const uint64_t h = model::Labels{{"file", g.file()}, {"group", g.name()}}.Hash();
  return static_cast<int64_t>(h % static_cast<uint64_t>(g.interval_ms()));
}

void RuleManager::EvalGroup(RuleGroup& g, int64_t t_ms) {
  std::lock_guard l(eval_mu_);
  const auto start = std::chrono::steady_clock::now();
  RuleGroup::Output out = g.Eval(t_ms, options_.query, options_.appendable);
  m_eval_seconds_->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  m_evals_->Inc(static_cast<double>(out.evaluated));
  m_eval_failures_->Inc(static_cast<double>(out.failed));
  if (out.changed && !options_.state_path.empty()) {
    std::vector<SavedRule> all;
    for (const auto& each : groups_) {
      for (auto& s : each->SaveState()) all.push_back(std::move(s));
    }
    Status st = SaveStateFile(options_.env, options_.state_path, all);
    if (!st.ok()) {
      m_state_write_failures_->Inc();
      log::Warn("cannot save the alert state", {{"err", st.ToString()}});
    }
  }
  if (!out.transitions.empty() && options_.on_transitions) options_.on_transitions(g.name(), out.transitions);
  if (!out.notifications.empty() && options_.notify) options_.notify(std::move(out.notifications));
}

void RuleManager::EvalAt(int64_t t_ms) {
  for (auto& g : groups_) EvalGroup(*g, t_ms);
}

void RuleManager::Start() {
  std::lock_guard l(mu_);
  if (thread_.joinable() || groups_.empty()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void RuleManager::Stop() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RuleManager::Loop() {
  // Next due time per group: the first multiple of the interval (plus offset) after now.
  std::vector<int64_t> due(groups_.size());
  const int64_t now = Now();
  for (size_t i = 0; i < groups_.size(); ++i) {
    const int64_t iv = groups_[i]->interval_ms(), off = Offset(*groups_[i]);
    due[i] = (now - off) / iv * iv + off;
    if (due[i] <= now) due[i] += iv;
  }
  std::unique_lock l(mu_);
  while (!stop_) {
    size_t next = 0;
    for (size_t i = 1; i < due.size(); ++i) {
      if (due[i] < due[next]) next = i;
    }
    const int64_t wait = due[next] - Now();
    if (wait > 0) {
      cv_.wait_for(l, std::chrono::milliseconds(wait), [&] { return stop_; });
      continue;
    }
    l.unlock();
    EvalGroup(*groups_[next], due[next]);
    l.lock();
    // Missed ticks (a slow evaluation, a suspended machine) are skipped, as in Prometheus.
    const int64_t iv = groups_[next]->interval_ms();
    const int64_t t = Now();
    while (due[next] <= t) due[next] += iv;
  }
}

std::vector<GroupStatus> RuleManager::Groups() const {
  std::vector<GroupStatus> out;
  for (const auto& g : groups_) out.push_back(g->Status());
  return out;
}

std::vector<Alert> RuleManager::ActiveAlerts() const {
  std::vector<Alert> out;
  for (const auto& g : groups_) {
    for (const RuleStatus& r : g->Status().rules) {
      for (const Alert& a : r.alerts) {
        if (a.state != AlertState::kInactive) out.push_back(a);
      }
    }
  }
  return out;
}

}  // namespace infermetry::alerting
