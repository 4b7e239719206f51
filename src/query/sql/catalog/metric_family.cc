#include "query/sql/catalog/metric_family.h"

#include "query/sql/catalog/metric_names.h"

namespace infermetry::sql::catalog {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsHistogramLike(model::MetricType t) {
  return t == model::MetricType::kHistogram || t == model::MetricType::kSummary;
}

std::string_view TypeText(model::MetricType t) {
  switch (t) {
    case model::MetricType::kCounter:
      return "counter";
    case model::MetricType::kHistogram:
      return "histogram";
    case model::MetricType::kSummary:
      return "summary";
    case model::MetricType::kUnknown:
      return "unknown";
    // Gauge histograms, info and stateset series are current values, not counts.
    case model::MetricType::kGauge:
    case model::MetricType::kGaugeHistogram:
    case model::MetricType::kInfo:
    case model::MetricType::kStateset:
      return "gauge";
  }
  return "unknown";
}

}  // namespace

FamilyIndex::FamilyIndex(const std::vector<storage::MetadataEntry>& metadata,
                         const std::vector<std::string>& stored_names) {
  for (const auto& e : metadata) {
    std::string name =
        CanonicalMetricName(e.metadata.family.empty() ? e.metric : e.metadata.family);
    auto [it, inserted] = families_.try_emplace(name, Family{e.metadata.type, e.metadata.unit});
    if (!inserted && it->second.type == model::MetricType::kUnknown) {
      it->second = Family{e.metadata.type, e.metadata.unit};
    }
    // Text format 0.0.4 names a counter family with its _total; OpenMetrics without it.
    if (e.metadata.type == model::MetricType::kCounter && !EndsWith(name, "_total")) {
      families_.try_emplace(name + "_total", Family{e.metadata.type, e.metadata.unit});
    }
  }
  for (const std::string& n : stored_names) {
    std::string c = CanonicalMetricName(n);
    if (EndsWith(c, "_bucket")) bucket_bases_.insert(c.substr(0, c.size() - 7));
  }
}

SeriesKind FamilyIndex::Resolve(std::string_view stored_name, bool has_le) const {
  SeriesKind k;
  const std::string c = CanonicalMetricName(stored_name);
  auto exact = families_.find(c);
  if (exact != families_.end() && !IsHistogramLike(exact->second.type)) {
    k.metric_type = TypeText(exact->second.type);
    k.increase = exact->second.type == model::MetricType::kCounter;
    k.unit = exact->second.unit;
    return k;
  }
  for (std::string_view part : {"_bucket", "_sum", "_count"}) {
    if (!EndsWith(c, part)) continue;
    std::string base = c.substr(0, c.size() - part.size());
    auto f = families_.find(base);
    bool known = f != families_.end() && IsHistogramLike(f->second.type);
    // Without metadata, a histogram shows itself by its _bucket series with `le`.
    bool inferred =
        f == families_.end() && bucket_bases_.count(base) && (part != "_bucket" || has_le);
    if (!known && !inferred) continue;
    if (known && f->second.type == model::MetricType::kSummary && part == "_bucket") continue;
    k.metric_type = known ? TypeText(f->second.type) : "histogram";
    k.increase = true;
    k.unit = known ? f->second.unit : "";
    if (k.metric_type == "histogram") {
      k.histogram = base;
      k.part = part == "_bucket" ? "_bucket" : part == "_sum" ? "_sum" : "_count";
    }
    return k;
  }
  if (exact != families_.end()) {  // a summary's quantile series: current values
    k.metric_type = TypeText(exact->second.type);
    k.unit = exact->second.unit;
    return k;
  }
  if (EndsWith(c, "_created")) {
    auto f = families_.find(c.substr(0, c.size() - 8));
    if (f != families_.end()) {
      k.metric_type = "gauge";  // the family's creation time
      return k;
    }
  }
  if (EndsWith(c, "_total")) {  // no metadata: the counter naming convention
    k.metric_type = "counter";
    k.increase = true;
  }
  return k;
}

}  // namespace infermetry::sql::catalog
