// `infermetry rules`: rule files and alert evaluation without a server.
//
//   infermetry rules check FILE...          checks rule files as serve loads them
//   infermetry rules print-vllm             prints the built-in vLLM rule pack
//   infermetry rules eval --data-dir DIR    evaluates the rules over stored history, as the
//       [--rules FILE]... [--no-vllm-rules]  server would have at every step, and prints each
//       [--start T] [--end T] [--step 15s]   alert state change as a JSON line, the event the
//                                            `alerts` stream would get (every group is
//                                            evaluated every step)
//
// `eval` runs the same rule manager as serve against the directory's stores (PromQL over the
// metrics, SQL over every stream), with the clock set to each evaluation time: what a
// simulated run (`infermetry emulate --simulate`) would have alerted on, and when.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <set>

#include "alerting/notifier_json.h"
#include "alerting/rule_file.h"
#include "alerting/rule_manager.h"
#include "alerting/rule_query.h"
#include "alerting/state_file.h"
#include "alerting/vllm_rules.h"
#include "cmd/command.h"
#include "cmd/data_dir.h"
#include "common/duration.h"
#include "common/log.h"
#include "query/promql/engine.h"
#include "server/api/sql_api.h"

namespace infermetry::cmd {
namespace {

int Check(const std::vector<std::string>& files) {
  int failed = 0;
  for (const std::string& f : files) {
    auto groups = alerting::LoadRuleFile(f);
    if (!groups.ok()) {
      std::fprintf(stderr, "%s\n", groups.status().message().c_str());
      ++failed;
      continue;
    }
    size_t rules = 0;
    for (const auto& g : *groups) rules += g.rules.size();
    std::printf("%s: ok (%zu groups, %zu rules)\n", f.c_str(), groups->size(), rules);
  }
  return failed == 0 ? 0 : 1;
}

struct EvalFlags {
  std::string data_dir;
  std::vector<std::string> rule_files;
  bool no_vllm = false;
  std::string start, end, step = "15s";
};

Status Eval(const EvalFlags& f) {
  INFERMETRY_ASSIGN_OR_RETURN(auto step, ParseDuration(f.step));
  if (step.count() <= 0) return InvalidArgument("--step: must be positive");
  std::vector<alerting::GroupSpec> groups;
  if (!f.no_vllm) {
    INFERMETRY_ASSIGN_OR_RETURN(groups, alerting::VllmRuleGroups({}));
  }
  for (const std::string& file : f.rule_files) {
    INFERMETRY_ASSIGN_OR_RETURN(auto more, alerting::LoadRuleFile(file));
    for (auto& g : more) groups.push_back(std::move(g));
  }
  if (groups.empty()) return InvalidArgument("no rules: give --rules FILE or keep the vLLM pack");
  log::SetLevel(log::Level::kWarn);
  INFERMETRY_ASSIGN_OR_RETURN(auto stores, OpenDataDir(f.data_dir));
  // The metrics' time range, widened by 15 minutes so that alerts resolve after the data ends.
  int64_t lo = stores->metrics->head()->MinTime(), hi = stores->metrics->head()->MaxTime();
  for (const auto& b : stores->metrics->Blocks()) {
    lo = std::min(lo, b.mint);
    hi = std::max(hi, b.maxt);
  }
  if (lo > hi) return InvalidArgument(f.data_dir + " holds no metrics");
  int64_t start = lo, end = hi + 15 * 60 * 1000;
  const int64_t now_us = start * 1000;
  if (!f.start.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(int64_t us, api::ParseApiTime(f.start, now_us));
    start = us / 1000;
  }
  if (!f.end.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(int64_t us, api::ParseApiTime(f.end, now_us));
    end = us / 1000;
  }
  promql::Engine engine;
  alerting::RuleQueryOptions qo;
  qo.promql = &engine;
  qo.metrics = stores->metrics.get();
  qo.catalog = stores->catalog.get();
  alerting::ManagerOptions mo;
  mo.groups = std::move(groups);
  mo.group.default_interval_ms = step.count();
  mo.query = alerting::MakeRuleQuery(qo);
  size_t changes = 0;
  std::set<std::string> fired;
  mo.on_transitions = [&](const std::string& group, const std::vector<alerting::Transition>& ts) {
    for (const auto& t : ts) {
      std::printf("%s\n", alerting::TransitionEvent(t, group).c_str());
      ++changes;
      if (t.to == alerting::AlertState::kFiring) fired.insert(std::string(t.labels.Get("alertname")));
    }
  };
  INFERMETRY_ASSIGN_OR_RETURN(auto manager, alerting::RuleManager::Make(std::move(mo)));
  size_t evaluations = 0;
  for (int64_t t = start; t <= end; t += step.count(), ++evaluations) manager->EvalAt(t);
  size_t errors = 0;
  for (const auto& g : manager->Groups()) {
    for (const auto& r : g.rules) {
      if (r.health == "err") {
        ++errors;
        std::fprintf(stderr, "rule %s: %s\n", r.spec.name().c_str(), r.last_error.c_str());
      }
    }
  }
  std::string names;
  for (const auto& n : fired) names += (names.empty() ? "" : ", ") + n;
  std::fprintf(stderr, "%zu evaluations from %s to %s, %zu state changes; fired: %s\n", evaluations,
               alerting::FormatRfc3339Millis(start).c_str(), alerting::FormatRfc3339Millis(end).c_str(), changes,
               names.empty() ? "none" : names.c_str());
  INFERMETRY_RETURN_IF_ERROR(stores->Close());
  if (errors > 0) return Status(Code::kInvalidArgument, std::to_string(errors) + " rules failed at their last evaluation");
  return Status::Ok();
}

}  // namespace

int RunRules(int argc, char** argv) {
  CLI::App app{"Check rule files, print the built-in vLLM rules, or evaluate rules over stored history.", argv[0]};
  app.require_subcommand(1);
  std::vector<std::string> files;
  auto* check = app.add_subcommand("check", "check rule files (Prometheus format, plus sql: rules)");
  check->add_option("files", files, "rule files")->required();
  auto* print = app.add_subcommand("print-vllm", "print the built-in vLLM rule pack with its default thresholds");
  EvalFlags f;
  auto* eval = app.add_subcommand("eval", "evaluate rules over a data directory's history, printing each alert state change");
  eval->add_option("--data-dir", f.data_dir, "the data directory (of serve or emulate --simulate)")->required();
  eval->add_option("--rules", f.rule_files, "a rule file (repeatable); the vLLM pack is included unless --no-vllm-rules");
  eval->add_flag("--no-vllm-rules", f.no_vllm, "leave the built-in vLLM rules out");
  eval->add_option("--start", f.start, "first evaluation (RFC 3339 or unix seconds; default: the first sample)");
  eval->add_option("--end", f.end, "last evaluation (default: 15 minutes after the last sample)");
  eval->add_option("--step", f.step, "evaluate every group this often (default 15s)");
  CLI11_PARSE(app, argc, argv);
  if (*check) return Check(files);
  if (*print) {
    std::fputs(alerting::VllmRulePack({}).c_str(), stdout);
    return 0;
  }
  Status st = Eval(f);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace infermetry::cmd
