#include "ingest/prometheus/otlp_appendable.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/self_metrics.h"
#include "common/strconv.h"
#include "model/sample.h"

namespace infermetry::prometheus {
namespace {

namespace pm = opentelemetry::proto::metrics::v1;
namespace pc = opentelemetry::proto::common::v1;

struct Pending {
  model::Labels labels;
  int64_t t_ms;
  double v;
};

void SetAttr(google::protobuf::RepeatedPtrField<pc::KeyValue>* attrs, std::string_view k, std::string_view v) {
  pc::KeyValue* kv = attrs->Add();
  kv->set_key(std::string(k));
  kv->mutable_value()->set_string_value(std::string(v));
}

bool IsTargetLabel(std::string_view n) { return n == model::kMetricName || n == "job" || n == "instance"; }

// Data point identity: labels without __name__, job, instance and `drop` (le or quantile),
// rendered as a stable string key.
std::string PointKey(const model::Labels& l, std::string_view drop) {
  std::string k;
  for (const auto& x : l) {
    if (IsTargetLabel(x.name) || x.name == drop) continue;
    k.append(x.name).push_back('\0');
    k.append(x.value).push_back('\0');
  }
  return k;
}

void CopyAttributes(const model::Labels& l, std::string_view drop,
                    google::protobuf::RepeatedPtrField<pc::KeyValue>* out) {
  for (const auto& x : l) {
    if (!IsTargetLabel(x.name) && x.name != drop) SetAttr(out, x.name, x.value);
  }
}

std::string_view Suffix(std::string_view name, std::string_view family) {
  return name.size() > family.size() && name.substr(0, family.size()) == family ? name.substr(family.size())
                                                                                 : std::string_view();
}

uint64_t ToNanos(int64_t ms) { return static_cast<uint64_t>(ms) * 1000000ull; }

}  // namespace

class OtlpAppender : public storage::Appender {
 public:
  explicit OtlpAppender(OtlpAppendable* parent) : parent_(parent) {}

  Status Append(const model::Labels& labels, int64_t t_ms, double v) override {
    pending_.push_back({labels, t_ms, v});
    return Status::Ok();
  }

  Status UpdateMetadata(const model::Labels& labels, const storage::Metadata& md) override {
    std::lock_guard<std::mutex> l(parent_->mu_);
    parent_->metadata_[labels.Hash()] = md;
    return Status::Ok();
  }

  void Rollback() override { pending_.clear(); }

  Status Commit() override {
    if (pending_.empty()) return Status::Ok();
    process::Metrics req;
    Convert(&req);
    pending_.clear();
    double points = static_cast<double>(process::CountItems(req));
    Status st = parent_->next_->ConsumeMetrics(std::move(req));
    (st.ok() ? parent_->accepted_ : parent_->refused_).Inc(points);
    return st;
  }

 private:
  // One metric family of one target, with its samples.
  struct Family {
    storage::Metadata md;
    std::vector<const Pending*> samples;
  };
  struct Target {
    std::string job, instance;
    std::vector<std::string> order;  // family names in first-seen order
    std::map<std::string, Family> families;
  };

  void Convert(process::Metrics* req) {
    std::vector<Target> targets;
    {
      std::lock_guard<std::mutex> l(parent_->mu_);
      for (const Pending& p : pending_) {
        std::string_view job = p.labels.Get("job"), instance = p.labels.Get("instance");
        auto t = std::find_if(targets.begin(), targets.end(),
                              [&](const Target& x) { return x.job == job && x.instance == instance; });
        if (t == targets.end()) {
          targets.push_back({std::string(job), std::string(instance), {}, {}});
          t = targets.end() - 1;
        }
        storage::Metadata md;
        auto it = parent_->metadata_.find(p.labels.Hash());
        if (it != parent_->metadata_.end()) {
          md = it->second;
        } else {
          md.family = p.labels.MetricName();  // report series and unannounced samples
          md.type = model::MetricType::kGauge;
        }
        auto [fit, inserted] = t->families.try_emplace(md.family);
        if (inserted) {
          t->order.push_back(md.family);
          fit->second.md = md;
        }
        fit->second.samples.push_back(&p);
        if (model::IsStaleNaN(p.v)) parent_->metadata_.erase(p.labels.Hash());
      }
    }
    for (const Target& t : targets) {
      pm::ResourceMetrics* rm = req->add_resource_metrics();
      auto* attrs = rm->mutable_resource()->mutable_attributes();
      SetAttr(attrs, "service.name", t.job);
      SetAttr(attrs, "service.instance.id", t.instance);
      size_t colon = t.instance.rfind(':');
      if (colon != std::string::npos) {
        SetAttr(attrs, "server.address", std::string_view(t.instance).substr(0, colon));
        SetAttr(attrs, "server.port", std::string_view(t.instance).substr(colon + 1));
      }
      pm::ScopeMetrics* sm = rm->add_scope_metrics();
      sm->mutable_scope()->set_name("infermetry/prometheusreceiver");
      sm->mutable_scope()->set_version(INFERMETRY_VERSION);
      for (const std::string& name : t.order) AddFamily(t.families.at(name), sm);
    }
  }

  int64_t StartMs(const std::string& family, const std::string& key, int64_t t_ms) {
    uint64_t h = std::hash<std::string>()(family) * 31 + std::hash<std::string>()(key);
    std::lock_guard<std::mutex> l(parent_->mu_);
    auto [it, inserted] = parent_->start_ms_.try_emplace(h, t_ms);
    return std::min(it->second, t_ms);
  }

  void AddFamily(const Family& f, pm::ScopeMetrics* sm) {
    switch (f.md.type) {
      case model::MetricType::kHistogram:
      case model::MetricType::kGaugeHistogram:
        AddHistogram(f, sm);
        return;
      case model::MetricType::kSummary:
        AddSummary(f, sm);
        return;
      default:
        AddNumbers(f, sm);
        return;
    }
  }

  pm::Metric* NewMetric(pm::ScopeMetrics* sm, const storage::Metadata& md, std::string_view name) {
    pm::Metric* m = sm->add_metrics();
    m->set_name(std::string(name));
    m->set_description(md.help);
    m->set_unit(md.unit);
    return m;
  }

  // Counters, gauges and everything else with one value per series. One metric per sample
  // name, so `x_total` and a `x_created` gauge stay apart.
  void AddNumbers(const Family& f, pm::ScopeMetrics* sm) {
    bool counter = f.md.type == model::MetricType::kCounter;
    std::map<std::string_view, pm::Metric*> by_name;
    for (const Pending* p : f.samples) {
      std::string_view name = p->labels.MetricName();
      pm::Metric*& m = by_name[name];
      if (m == nullptr) {
        m = NewMetric(sm, f.md, name);
        if (counter) {
          m->mutable_sum()->set_is_monotonic(true);
          m->mutable_sum()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
        }
      }
      pm::NumberDataPoint* dp = counter ? m->mutable_sum()->add_data_points() : m->mutable_gauge()->add_data_points();
      CopyAttributes(p->labels, "", dp->mutable_attributes());
      dp->set_time_unix_nano(ToNanos(p->t_ms));
      if (counter) dp->set_start_time_unix_nano(ToNanos(StartMs(std::string(name), PointKey(p->labels, ""), p->t_ms)));
      if (model::IsStaleNaN(p->v)) {
        dp->set_flags(pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
      } else {
        dp->set_as_double(p->v);
      }
    }
  }

  struct Point {
    const Pending* first = nullptr;  // for attributes and time
    std::vector<std::pair<double, double>> buckets;  // (bound or quantile, value)
    double sum = 0, count = 0;
    bool has_count = false, stale = false;
  };

  // Groups a histogram's or summary's series by label set without `by` (le or quantile).
  std::vector<std::pair<std::string, Point>> Points(const Family& f, std::string_view by) {
    std::vector<std::pair<std::string, Point>> points;
    for (const Pending* p : f.samples) {
      std::string key = PointKey(p->labels, by);
      auto it = std::find_if(points.begin(), points.end(), [&](const auto& x) { return x.first == key; });
      if (it == points.end()) {
        points.emplace_back(key, Point());
        it = points.end() - 1;
      }
      Point& pt = it->second;
      if (pt.first == nullptr) pt.first = p;
      if (model::IsStaleNaN(p->v)) pt.stale = true;
      std::string_view suffix = Suffix(p->labels.MetricName(), f.md.family);
      double bound;
      if ((suffix == "_bucket" || suffix.empty()) && ParseGoFloat(p->labels.Get(by), &bound)) {
        pt.buckets.emplace_back(bound, p->v);
      } else if (suffix == "_sum" || suffix == "_gsum") {
        pt.sum = p->v;
      } else if (suffix == "_count" || suffix == "_gcount") {
        pt.count = p->v;
        pt.has_count = true;
      }
    }
    return points;
  }

  void AddHistogram(const Family& f, pm::ScopeMetrics* sm) {
    pm::Metric* m = NewMetric(sm, f.md, f.md.family);
    pm::Histogram* h = m->mutable_histogram();
    h->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (auto& [key, pt] : Points(f, "le")) {
      pm::HistogramDataPoint* dp = h->add_data_points();
      CopyAttributes(pt.first->labels, "le", dp->mutable_attributes());
      dp->set_time_unix_nano(ToNanos(pt.first->t_ms));
      dp->set_start_time_unix_nano(ToNanos(StartMs(f.md.family, key, pt.first->t_ms)));
      std::sort(pt.buckets.begin(), pt.buckets.end());
      if (pt.stale) {
        // The bounds stay, so that a store can mark each bucket series stale.
        dp->set_flags(pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
        for (const auto& b : pt.buckets) {
          if (!std::isinf(b.first)) dp->add_explicit_bounds(b.first);
        }
        continue;
      }
      double prev = 0;
      for (const auto& [bound, cum] : pt.buckets) {
        if (!std::isinf(bound)) dp->add_explicit_bounds(bound);
        dp->add_bucket_counts(static_cast<uint64_t>(std::max(0.0, cum - prev)));
        prev = cum;
      }
      // The +Inf bucket is the total; without it the last bucket count is open-ended.
      if (pt.buckets.empty() || !std::isinf(pt.buckets.back().first)) {
        dp->add_bucket_counts(static_cast<uint64_t>(std::max(0.0, (pt.has_count ? pt.count : prev) - prev)));
      }
      dp->set_count(static_cast<uint64_t>(pt.has_count ? pt.count : prev));
      dp->set_sum(pt.sum);
    }
  }

  void AddSummary(const Family& f, pm::ScopeMetrics* sm) {
    pm::Metric* m = NewMetric(sm, f.md, f.md.family);
    pm::Summary* s = m->mutable_summary();
    for (auto& [key, pt] : Points(f, "quantile")) {
      pm::SummaryDataPoint* dp = s->add_data_points();
      CopyAttributes(pt.first->labels, "quantile", dp->mutable_attributes());
      dp->set_time_unix_nano(ToNanos(pt.first->t_ms));
      dp->set_start_time_unix_nano(ToNanos(StartMs(f.md.family, key, pt.first->t_ms)));
      if (pt.stale) dp->set_flags(pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
      // A stale point keeps its quantiles (with the staleness marker as value), so that a store
      // can mark each quantile series stale.
      for (const auto& [q, v] : pt.buckets) {
        auto* qv = dp->add_quantile_values();
        qv->set_quantile(q);
        qv->set_value(v);
      }
      if (pt.stale) continue;
      dp->set_count(static_cast<uint64_t>(pt.count));
      dp->set_sum(pt.sum);
    }
  }

  OtlpAppendable* parent_;
  std::vector<Pending> pending_;
};

OtlpAppendable::OtlpAppendable(process::Consumer* next, const std::string& receiver)
    : next_(next),
      accepted_(selfmon::Default()
                    .AddCounter("infermetry_receiver_accepted_metric_points_total",
                                "Metric data points accepted by the pipeline, by receiver and transport.",
                                {"receiver", "transport"})
                    .With({receiver, "http"})),
      refused_(selfmon::Default()
                   .AddCounter("infermetry_receiver_refused_metric_points_total",
                               "Metric data points the pipeline refused, by receiver and transport.",
                               {"receiver", "transport"})
                   .With({receiver, "http"})) {}

std::unique_ptr<storage::Appender> OtlpAppendable::NewAppender() {
  return std::make_unique<OtlpAppender>(this);
}

}  // namespace infermetry::prometheus
