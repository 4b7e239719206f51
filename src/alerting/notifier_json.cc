#include "alerting/notifier_json.h"

#include <chrono>
#include <cstdio>

#include "common/strconv.h"

namespace infermetry::alerting {
namespace {

// The pairs present, with the same value, in every element of `sets`.
model::Labels CommonPairs(const std::vector<const model::Labels*>& sets) {
  if (sets.empty()) return {};
  std::vector<model::Label> common;
  for (const model::Label& l : *sets.front()) {
    bool everywhere = true;
    for (size_t i = 1; i < sets.size() && everywhere; ++i) {
      everywhere = sets[i]->Has(l.name) && sets[i]->Get(l.name) == l.value;
    }
    if (everywhere) common.push_back(l);
  }
  return model::Labels::FromUnsorted(std::move(common));
}

// Alertmanager writes an unset time.Time as Go's zero time.
void AppendWebhookTime(std::string* out, int64_t ms) {
  if (ms == 0) {
    out->append("\"0001-01-01T00:00:00Z\"");
    return;
  }
  out->push_back('"');
  AppendRfc3339Millis(out, ms);
  out->push_back('"');
}

}  // namespace

void AppendRfc3339Millis(std::string* out, int64_t ms) {
  using namespace std::chrono;
  // Floor division so that times before 1970 still get a millisecond part in [0, 999].
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3600),
                        static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60),
                        static_cast<int>(frac));
  out->append(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

std::string FormatRfc3339Millis(int64_t ms) {
  std::string s;
  AppendRfc3339Millis(&s, ms);
  return s;
}

std::string AlertFingerprint(const model::Labels& labels) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(labels.Hash()));
  return std::string(buf, 16);
}

bool IsFiring(const Notification& n, int64_t now_ms) {
  return n.ends_at_ms == 0 || n.ends_at_ms > now_ms;
}

std::string EncodePostableAlerts(const std::vector<Notification>& batch) {
  std::string out;
  out.reserve(256 * batch.size() + 2);
  out.push_back('[');
  for (size_t i = 0; i < batch.size(); ++i) {
    const Notification& n = batch[i];
    if (i > 0) out.push_back(',');
    out.append("{\"labels\":");
    model::AppendLabelsJson(&out, n.labels);
    out.append(",\"annotations\":");
    model::AppendLabelsJson(&out, n.annotations);
    if (n.starts_at_ms != 0) {
      out.append(",\"startsAt\":\"");
      AppendRfc3339Millis(&out, n.starts_at_ms);
      out.push_back('"');
    }
    if (n.ends_at_ms != 0) {
      out.append(",\"endsAt\":\"");
      AppendRfc3339Millis(&out, n.ends_at_ms);
      out.push_back('"');
    }
    if (!n.generator_url.empty()) {
      out.append(",\"generatorURL\":");
      AppendJsonString(&out, n.generator_url);
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

std::string EncodeWebhookMessage(const std::vector<Notification>& batch,
                                 std::string_view external_url, int64_t now_ms) {
  bool any_firing = false;
  std::vector<const model::Labels*> labels, annotations;
  for (const Notification& n : batch) {
    any_firing = any_firing || IsFiring(n, now_ms);
    labels.push_back(&n.labels);
    annotations.push_back(&n.annotations);
  }
  std::string out;
  out.reserve(256 * batch.size() + 256);
  out.append("{\"version\":\"4\",\"groupKey\":\"{}:{}\",\"truncatedAlerts\":0,\"status\":");
  out.append(any_firing ? "\"firing\"" : "\"resolved\"");
  out.append(",\"receiver\":\"infermetry\",\"groupLabels\":{},\"commonLabels\":");
  model::AppendLabelsJson(&out, CommonPairs(labels));
  out.append(",\"commonAnnotations\":");
  model::AppendLabelsJson(&out, CommonPairs(annotations));
  out.append(",\"externalURL\":");
  AppendJsonString(&out, external_url);
  out.append(",\"alerts\":[");
  for (size_t i = 0; i < batch.size(); ++i) {
    const Notification& n = batch[i];
    if (i > 0) out.push_back(',');
    out.append("{\"status\":");
    out.append(IsFiring(n, now_ms) ? "\"firing\"" : "\"resolved\"");
    out.append(",\"labels\":");
    model::AppendLabelsJson(&out, n.labels);
    out.append(",\"annotations\":");
    model::AppendLabelsJson(&out, n.annotations);
    out.append(",\"startsAt\":");
    AppendWebhookTime(&out, n.starts_at_ms);
    out.append(",\"endsAt\":");
    AppendWebhookTime(&out, n.ends_at_ms);
    out.append(",\"generatorURL\":");
    AppendJsonString(&out, n.generator_url);
    out.append(",\"fingerprint\":\"");
    out.append(AlertFingerprint(n.labels));
    out.append("\"}");
  }
  out.append("]}");
  return out;
}

}  // namespace infermetry::alerting
