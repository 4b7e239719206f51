#include "export/otlp_to_samples.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/strconv.h"
#include "model/labels.h"
#include "model/sample.h"

namespace infermetry::exporter {
namespace {

namespace pm = opentelemetry::proto::metrics::v1;
namespace pc = opentelemetry::proto::common::v1;
using KeyValues = google::protobuf::RepeatedPtrField<pc::KeyValue>;

bool NameChar(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon_ok;
  return !first && c >= '0' && c <= '9';
}

// Replaces every character that may not appear in a Prometheus name by '_'.
std::string Sanitize(std::string_view s, bool metric) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!NameChar(out[i], i == 0, metric)) out[i] = '_';
  }
  if (out.empty()) out = "_";
  return out;
}

void AppendAnyValue(std::string* out, const pc::AnyValue& v, bool quote_strings);

void AppendArray(std::string* out, const pc::ArrayValue& a) {
  out->push_back('[');
  for (int i = 0; i < a.values_size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendAnyValue(out, a.values(i), true);
  }
  out->push_back(']');
}

// Attribute values as label values: strings as they are, numbers as Go prints them, arrays
// and key-value lists as JSON.
void AppendAnyValue(std::string* out, const pc::AnyValue& v, bool quote_strings) {
  switch (v.value_case()) {
    case pc::AnyValue::kStringValue:
      if (quote_strings) {
        AppendJsonString(out, v.string_value());
      } else {
        out->append(v.string_value());
      }
      return;
    case pc::AnyValue::kBoolValue: out->append(v.bool_value() ? "true" : "false"); return;
    case pc::AnyValue::kIntValue: out->append(std::to_string(v.int_value())); return;
    case pc::AnyValue::kDoubleValue: AppendGoFloat(out, v.double_value()); return;
    case pc::AnyValue::kArrayValue: AppendArray(out, v.array_value()); return;
    case pc::AnyValue::kKvlistValue: {
      out->push_back('{');
      for (int i = 0; i < v.kvlist_value().values_size(); ++i) {
        const pc::KeyValue& kv = v.kvlist_value().values(i);
        if (i > 0) out->push_back(',');
        AppendJsonString(out, kv.key());
        out->push_back(':');
        AppendAnyValue(out, kv.value(), true);
      }
      out->push_back('}');
      return;
    }
    case pc::AnyValue::kBytesValue:
    case pc::AnyValue::VALUE_NOT_SET: return;
  }
}

std::string ValueString(const pc::AnyValue& v) {
  std::string s;
  AppendAnyValue(&s, v, false);
  return s;
}

const pc::AnyValue* Find(const KeyValues& kvs, std::string_view key) {
  for (const pc::KeyValue& kv : kvs) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

// The labels every series of one resource carries (job, instance), and its target_info.
struct ResourceLabels {
  std::vector<model::Label> target;
  std::vector<model::Label> info;  // other resource attributes
};

ResourceLabels ResourceToLabels(const KeyValues& attrs) {
  ResourceLabels out;
  std::string job;
  if (const pc::AnyValue* v = Find(attrs, "service.name")) job = ValueString(*v);
  if (const pc::AnyValue* ns = Find(attrs, "service.namespace"); ns != nullptr && !job.empty()) {
    job = ValueString(*ns) + "/" + job;
  }
  if (!job.empty()) out.target.push_back({"job", job});
  if (const pc::AnyValue* v = Find(attrs, "service.instance.id")) {
    out.target.push_back({"instance", ValueString(*v)});
  }
  for (const pc::KeyValue& kv : attrs) {
    const std::string& k = kv.key();
    if (k == "service.name" || k == "service.namespace" || k == "service.instance.id" ||
        k == "server.address" || k == "server.port" || k == "url.scheme") {
      continue;
    }
    out.info.push_back({Sanitize(k, false), ValueString(kv.value())});
  }
  return out;
}

// `le` and `quantile` values as OpenMetrics (and Prometheus 3) spell them, and as vLLM's
// Python client exposes them: integral values keep a ".0" ("1.0", "+Inf").
std::string BoundString(double v) {
  std::string s = FormatGoFloat(v);
  if (s.find_first_of(".eIN") == std::string::npos) s += ".0";
  return s;
}

int64_t ToMs(uint64_t ns) { return static_cast<int64_t>(ns / 1000000); }

class Writer {
 public:
  Writer(storage::Appender* app, AppendStats* stats) : app_(app), stats_(stats) {}

  void SetResource(const ResourceLabels* r) { resource_ = r; }

  // Starts the labels of one data point: resource labels, then the point's attributes.
  void StartPoint(const KeyValues& attrs) {
    point_.clear();
    point_.insert(point_.end(), resource_->target.begin(), resource_->target.end());
    for (const pc::KeyValue& kv : attrs) point_.push_back({Sanitize(kv.key(), false), ValueString(kv.value())});
  }

  // Appends one sample of the current point under `name`, with an extra label if given.
  Status Add(const std::string& name, int64_t t_ms, double v, std::string_view extra_name = {},
             std::string_view extra_value = {}) {
    std::vector<model::Label> ls = point_;
    ls.push_back({std::string(model::kMetricName), name});
    if (!extra_name.empty()) ls.push_back({std::string(extra_name), std::string(extra_value)});
    return AddLabels(model::Labels::FromUnsorted(std::move(ls)), t_ms, v);
  }

  Status AddLabels(const model::Labels& labels, int64_t t_ms, double v) {
    Status st = app_->Append(labels, t_ms, v);
    if (st.ok()) {
      ++stats_->samples;
      return st;
    }
    if (st.code() == Code::kOutOfOrder || st.code() == Code::kDuplicate || st.code() == Code::kTooOld) {
      ++stats_->rejected;
      return Status::Ok();
    }
    return st;
  }

  Status Metadata(const std::string& series_name, const storage::Metadata& md) {
    std::vector<model::Label> ls = resource_->target;
    ls.push_back({std::string(model::kMetricName), series_name});
    return app_->UpdateMetadata(model::Labels::FromUnsorted(std::move(ls)), md);
  }

 private:
  storage::Appender* app_;
  AppendStats* stats_;
  const ResourceLabels* resource_ = nullptr;
  std::vector<model::Label> point_;
};

bool NoValue(uint32_t flags) { return (flags & pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK) != 0; }

double NumberValue(const pm::NumberDataPoint& dp) {
  if (NoValue(dp.flags())) return model::StaleNaN();
  return dp.value_case() == pm::NumberDataPoint::kAsInt ? static_cast<double>(dp.as_int())
                                                        : dp.as_double();
}

Status AddNumbers(Writer& w, const std::string& name,
                  const google::protobuf::RepeatedPtrField<pm::NumberDataPoint>& points) {
  for (const pm::NumberDataPoint& dp : points) {
    w.StartPoint(dp.attributes());
    INFERMETRY_RETURN_IF_ERROR(w.Add(name, ToMs(dp.time_unix_nano()), NumberValue(dp)));
  }
  return Status::Ok();
}

Status AddHistogram(Writer& w, const std::string& name, const pm::Histogram& h) {
  for (const pm::HistogramDataPoint& dp : h.data_points()) {
    w.StartPoint(dp.attributes());
    int64_t t = ToMs(dp.time_unix_nano());
    bool stale = NoValue(dp.flags());
    double cum = 0;
    const std::string bucket = name + "_bucket";
    for (int i = 0; i < dp.explicit_bounds_size(); ++i) {
      if (i < dp.bucket_counts_size()) cum += static_cast<double>(dp.bucket_counts(i));
      INFERMETRY_RETURN_IF_ERROR(
          w.Add(bucket, t, stale ? model::StaleNaN() : cum, "le", BoundString(dp.explicit_bounds(i))));
    }
    double count = static_cast<double>(dp.count());
    INFERMETRY_RETURN_IF_ERROR(w.Add(bucket, t, stale ? model::StaleNaN() : count, "le", "+Inf"));
    if (dp.has_sum() || stale) {
      INFERMETRY_RETURN_IF_ERROR(w.Add(name + "_sum", t, stale ? model::StaleNaN() : dp.sum()));
    }
    INFERMETRY_RETURN_IF_ERROR(w.Add(name + "_count", t, stale ? model::StaleNaN() : count));
  }
  return Status::Ok();
}

Status AddSummary(Writer& w, const std::string& name, const pm::Summary& s) {
  for (const pm::SummaryDataPoint& dp : s.data_points()) {
    w.StartPoint(dp.attributes());
    int64_t t = ToMs(dp.time_unix_nano());
    bool stale = NoValue(dp.flags());
    for (const auto& q : dp.quantile_values()) {
      INFERMETRY_RETURN_IF_ERROR(w.Add(name, t, stale ? model::StaleNaN() : q.value(), "quantile",
                                       BoundString(q.quantile())));
    }
    INFERMETRY_RETURN_IF_ERROR(w.Add(name + "_sum", t, stale ? model::StaleNaN() : dp.sum()));
    INFERMETRY_RETURN_IF_ERROR(
        w.Add(name + "_count", t, stale ? model::StaleNaN() : static_cast<double>(dp.count())));
  }
  return Status::Ok();
}

Status AddMetric(Writer& w, const pm::Metric& m, AppendStats* stats) {
  const std::string name = Sanitize(m.name(), true);
  storage::Metadata md{name, model::MetricType::kUnknown, m.description(), m.unit()};
  switch (m.data_case()) {
    case pm::Metric::kGauge:
      md.type = model::MetricType::kGauge;
      break;
    case pm::Metric::kSum:
      if (m.sum().aggregation_temporality() == pm::AGGREGATION_TEMPORALITY_DELTA) {
        stats->unsupported_points += m.sum().data_points_size();
        return Status::Ok();
      }
      md.type = m.sum().is_monotonic() ? model::MetricType::kCounter : model::MetricType::kGauge;
      break;
    case pm::Metric::kHistogram:
      if (m.histogram().aggregation_temporality() == pm::AGGREGATION_TEMPORALITY_DELTA) {
        stats->unsupported_points += m.histogram().data_points_size();
        return Status::Ok();
      }
      md.type = model::MetricType::kHistogram;
      break;
    case pm::Metric::kSummary:
      md.type = model::MetricType::kSummary;
      break;
    case pm::Metric::kExponentialHistogram:
      stats->unsupported_points += m.exponential_histogram().data_points_size();
      return Status::Ok();
    case pm::Metric::DATA_NOT_SET:
      return Status::Ok();
  }
  INFERMETRY_RETURN_IF_ERROR(w.Metadata(name, md));
  switch (m.data_case()) {
    case pm::Metric::kGauge: return AddNumbers(w, name, m.gauge().data_points());
    case pm::Metric::kSum: return AddNumbers(w, name, m.sum().data_points());
    case pm::Metric::kHistogram: return AddHistogram(w, name, m.histogram());
    case pm::Metric::kSummary: return AddSummary(w, name, m.summary());
    default: return Status::Ok();
  }
}

// The newest data point time of a resource, for its target_info sample.
int64_t NewestMs(const pm::ResourceMetrics& rm) {
  uint64_t newest = 0;
  auto see = [&](const auto& points) {
    for (const auto& dp : points) newest = std::max<uint64_t>(newest, dp.time_unix_nano());
  };
  for (const pm::ScopeMetrics& sm : rm.scope_metrics()) {
    for (const pm::Metric& m : sm.metrics()) {
      if (m.has_gauge()) see(m.gauge().data_points());
      if (m.has_sum()) see(m.sum().data_points());
      if (m.has_histogram()) see(m.histogram().data_points());
      if (m.has_summary()) see(m.summary().data_points());
    }
  }
  return ToMs(newest);
}

}  // namespace

Status AppendOtlpMetrics(const process::Metrics& batch, storage::Appender* app,
                         AppendStats* stats) {
  Writer w(app, stats);
  for (const pm::ResourceMetrics& rm : batch.resource_metrics()) {
    ResourceLabels res = ResourceToLabels(rm.resource().attributes());
    w.SetResource(&res);
    for (const pm::ScopeMetrics& sm : rm.scope_metrics()) {
      for (const pm::Metric& m : sm.metrics()) INFERMETRY_RETURN_IF_ERROR(AddMetric(w, m, stats));
    }
    if (!res.info.empty()) {
      INFERMETRY_RETURN_IF_ERROR(w.Metadata(
          "target_info", {"target_info", model::MetricType::kGauge, "Target metadata", ""}));
      std::vector<model::Label> ls = res.target;
      ls.insert(ls.end(), res.info.begin(), res.info.end());
      ls.push_back({std::string(model::kMetricName), "target_info"});
      INFERMETRY_RETURN_IF_ERROR(w.AddLabels(model::Labels::FromUnsorted(std::move(ls)), NewestMs(rm), 1));
    }
  }
  return Status::Ok();
}

}  // namespace infermetry::exporter
