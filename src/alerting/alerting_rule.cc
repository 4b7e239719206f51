#include "alerting/alerting_rule.h"

#include <algorithm>

#include "common/strconv.h"

namespace infermetry::alerting {
namespace {

// Resolved alerts are kept this long so that their resolve can be (re)sent.
constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

}  // namespace

const char* AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kPending: return "pending";
    case AlertState::kFiring: return "firing";
    case AlertState::kInactive: break;
  }
  return "inactive";
}

Result<AlertingRule> AlertingRule::Make(RuleSpec spec, model::Labels external_labels,
                                        std::string external_url) {
  auto compile = [&](const std::vector<model::Label>& in, const char* what)
      -> Result<std::vector<std::pair<std::string, Template>>> {
    std::vector<std::pair<std::string, Template>> out;
    for (const auto& l : in) {
      auto t = Template::Parse(l.value);
      if (!t.ok()) {
        return Status(Code::kInvalidArgument, "alert " + spec.alert + ": " + what + " " + l.name +
                                                  ": " + t.status().message());
      }
      out.emplace_back(l.name, std::move(*t));
    }
    return out;
  };
  INFERMETRY_ASSIGN_OR_RETURN(auto labels, compile(spec.labels, "label"));
  INFERMETRY_ASSIGN_OR_RETURN(auto annotations, compile(spec.annotations, "annotation"));
  return AlertingRule(std::move(spec), std::move(labels), std::move(annotations),
                      std::move(external_labels), std::move(external_url));
}

AlertingRule::AlertingRule(RuleSpec spec, std::vector<std::pair<std::string, Template>> labels,
                           std::vector<std::pair<std::string, Template>> annotations,
                           model::Labels external_labels, std::string external_url)
    : spec_(std::move(spec)),
      label_templates_(std::move(labels)),
      annotation_templates_(std::move(annotations)),
      external_labels_(std::move(external_labels)),
      external_url_(std::move(external_url)) {
  // Where the alert comes from, as Prometheus links it: the expression in the graph page.
  generator_url_ = external_url_ + "/graph?g0.expr=" + UrlEscape(spec_.expr) + "&g0.tab=1";
}

model::Labels AlertingRule::Expand(const std::vector<std::pair<std::string, Template>>& ts,
                                   const model::Labels& sample, double value,
                                   const model::Labels* base) const {
  TemplateData data;
  data.labels = &sample;
  data.value = value;
  data.external_labels = &external_labels_;
  data.external_url = external_url_;
  model::LabelsBuilder b(base ? *base : model::Labels());
  for (const auto& [name, t] : ts) {
    auto v = t.Expand(data);
    b.Set(name, v.ok() ? *v : "<error expanding template: " + v.status().message() + ">");
  }
  return b.Build();
}

Status AlertingRule::Apply(int64_t t_ms, const std::vector<InstanceSample>& result, int64_t limit,
                           std::vector<Transition>* transitions) {
  std::map<model::Labels, std::pair<model::Labels, double>> seen;  // labels -> annotations, value
  for (const InstanceSample& s : result) {
    model::LabelsBuilder lb(s.labels);
    lb.Del(model::kMetricName);
    const model::Labels sample = lb.Build();
    model::Labels labels = Expand(label_templates_, sample, s.value, &sample);
    model::LabelsBuilder with_name(labels);
    with_name.Set("alertname", spec_.alert);
    labels = with_name.Build();
    model::Labels annotations = Expand(annotation_templates_, sample, s.value, nullptr);
    if (!seen.emplace(labels, std::make_pair(std::move(annotations), s.value)).second) {
      return Status(Code::kInvalidArgument,
                    "vector contains metrics with the same labelset after applying alert labels");
    }
  }
  auto change = [&](Alert& a, AlertState to) {
    if (transitions) transitions->push_back({t_ms, a.labels, a.state, to, a.value});
    a.state = to;
  };
  for (auto& [labels, av] : seen) {
    auto it = alerts_.find(labels);
    if (it != alerts_.end() && it->second.state != AlertState::kInactive) {
      Alert& a = it->second;
      a.value = av.second;
      a.annotations = std::move(av.first);
      a.keep_firing_since_ms = 0;
      continue;
    }
    Alert a;
    a.labels = labels;
    a.annotations = std::move(av.first);
    a.value = av.second;
    a.active_at_ms = t_ms;
    change(a, AlertState::kPending);
    alerts_[labels] = std::move(a);
  }
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    Alert& a = it->second;
    if (seen.count(it->first) == 0) {
      if (a.state == AlertState::kPending) {
        change(a, AlertState::kInactive);
        it = alerts_.erase(it);
        continue;
      }
      if (a.state == AlertState::kFiring) {
        if (a.keep_firing_since_ms == 0) a.keep_firing_since_ms = t_ms;
        if (spec_.keep_firing_for_ms <= 0 || t_ms - a.keep_firing_since_ms >= spec_.keep_firing_for_ms) {
          change(a, AlertState::kInactive);
          a.resolved_at_ms = t_ms;
        }
      }
      if (a.state == AlertState::kInactive && t_ms - a.resolved_at_ms > kResolvedRetentionMs) {
        it = alerts_.erase(it);
        continue;
      }
    }
    if (a.state == AlertState::kPending && t_ms - a.active_at_ms >= spec_.for_ms) {
      change(a, AlertState::kFiring);
      a.fired_at_ms = t_ms;
    }
    ++it;
  }
  if (limit > 0) {
    int64_t active = 0;
    for (const auto& [l, a] : alerts_) active += a.state != AlertState::kInactive;
    if (active > limit) {
      alerts_.clear();
      return Status(Code::kResourceExhausted, "exceeded limit of " + std::to_string(limit) +
                                                  " with " + std::to_string(active) + " alerts");
    }
  }
  return Status::Ok();
}

std::vector<Notification> AlertingRule::TakeNotifications(int64_t t_ms, int64_t resend_delay_ms,
                                                          int64_t interval_ms) {
  std::vector<Notification> out;
  for (auto& [labels, a] : alerts_) {
    if (a.state == AlertState::kPending) continue;
    const bool resolved = a.state == AlertState::kInactive;
    if (resolved ? a.last_sent_ms >= a.resolved_at_ms
                 : a.last_sent_ms != 0 && t_ms - a.last_sent_ms < resend_delay_ms) {
      continue;
    }
    if (!resolved) a.valid_until_ms = t_ms + 4 * std::max(resend_delay_ms, interval_ms);
    a.last_sent_ms = t_ms;
    out.push_back({a.labels, a.annotations, a.active_at_ms,
                   resolved ? a.resolved_at_ms : a.valid_until_ms, generator_url_});
  }
  return out;
}

std::vector<Alert> AlertingRule::Alerts() const {
  std::vector<Alert> out;
  for (const auto& [l, a] : alerts_) out.push_back(a);
  return out;
}

void AlertingRule::Restore(std::vector<Alert> alerts) {
  alerts_.clear();
  for (Alert& a : alerts) {
    model::Labels key = a.labels;
    alerts_[std::move(key)] = std::move(a);
  }
}

std::vector<InstanceSample> AlertingRule::AlertSeries() const {
  std::vector<InstanceSample> out;
  for (const auto& [labels, a] : alerts_) {
    if (a.state == AlertState::kInactive) continue;
    model::LabelsBuilder b(labels);
    b.Set(model::kMetricName, "ALERTS");
    b.Set("alertstate", AlertStateName(a.state));
    out.push_back({b.Build(), 1});
    model::LabelsBuilder f(labels);
    f.Set(model::kMetricName, "ALERTS_FOR_STATE");
    out.push_back({f.Build(), static_cast<double>(a.active_at_ms) / 1000});
  }
  return out;
}

AlertState AlertingRule::State() const {
  AlertState s = AlertState::kInactive;
  for (const auto& [l, a] : alerts_) {
    if (a.state == AlertState::kFiring) return AlertState::kFiring;
    if (a.state == AlertState::kPending) s = AlertState::kPending;
  }
  return s;
}

}  // namespace infermetry::alerting
