#include "process/cumulative_to_delta.h"

#include <re2/re2.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "process/split.h"

namespace infermetry::process {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
using Attrs = google::protobuf::RepeatedPtrField<common::KeyValue>;

constexpr uint32_t kNoRecordedValue = metrics::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK;

// Appends a canonical encoding of an attribute set (order-independent).
void AppendAttrs(const Attrs& attrs, std::string* out) {
  std::vector<const common::KeyValue*> sorted;
  sorted.reserve(attrs.size());
  for (const auto& kv : attrs) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  for (const auto* kv : sorted) {
    out->append(kv->key());
    out->push_back('\x01');
    out->append(kv->value().SerializeAsString());
    out->push_back('\x02');
  }
  out->push_back('\x03');
}

struct CompiledSelector {
  CumulativeToDeltaOptions::Selector opts;
  std::vector<std::unique_ptr<RE2>> res;

  bool Matches(const metrics::Metric& m) const {
    const bool is_sum = m.has_sum();
    if ((is_sum && !opts.sums) || (!is_sum && !opts.histograms)) return false;
    if (opts.metrics.empty()) return true;
    if (!opts.regexp) {
      return std::find(opts.metrics.begin(), opts.metrics.end(), m.name()) != opts.metrics.end();
    }
    for (const auto& re : res) {
      if (RE2::PartialMatch(m.name(), *re)) return true;
    }
    return false;
  }
};

CompiledSelector Compile(const CumulativeToDeltaOptions::Selector& s) {
  CompiledSelector c{s, {}};
  if (s.regexp) {
    for (const std::string& p : s.metrics) c.res.push_back(std::make_unique<RE2>(p, RE2::Quiet));
  }
  return c;
}

struct Stream {
  uint64_t time = 0;  // time_unix_nano of the last point
  // Sums.
  bool is_int = false;
  int64_t int_value = 0;
  double double_value = 0;
  // Histograms.
  uint64_t count = 0;
  bool has_sum = false;
  double sum = 0;
  std::vector<uint64_t> buckets;
  std::vector<double> bounds;
  CumulativeToDelta::Clock::time_point seen;
};

}  // namespace

struct CumulativeToDelta::Impl {
  CumulativeToDeltaOptions opts;
  CompiledSelector include;
  CompiledSelector exclude;
  std::function<Clock::time_point()> now;
  uint64_t start_unix_nano;

  mutable std::mutex mu;
  std::unordered_map<std::string, Stream> streams;
  Clock::time_point last_sweep;

  bool Selected(const metrics::Metric& m) const {
    if (include.opts.set && !include.Matches(m)) return false;
    if (exclude.opts.set && exclude.Matches(m)) return false;
    return true;
  }

  // Whether the first point of a stream is passed on.
  bool KeepFirst(uint64_t point_start) const {
    switch (opts.initial_value) {
      case CumulativeToDeltaOptions::InitialValue::kKeep:
        return true;
      case CumulativeToDeltaOptions::InitialValue::kDrop:
        return false;
      case CumulativeToDeltaOptions::InitialValue::kAuto:
        return point_start > start_unix_nano;
    }
    return false;
  }

  // Start time of a point that restarts its stream.
  static uint64_t ResetStart(uint64_t point_start, const Stream& s) {
    return point_start > s.time ? point_start : s.time;
  }

  // Converts one sum point in place; false when it is to be dropped.
  bool ConvertSum(const std::string& key, metrics::NumberDataPoint* p, Clock::time_point now) {
    if (p->flags() & kNoRecordedValue) {
      streams.erase(key);
      return true;
    }
    const bool is_int = p->value_case() == metrics::NumberDataPoint::kAsInt;
    const int64_t int_value = is_int ? p->as_int() : 0;
    const double double_value = is_int ? 0 : p->as_double();
    auto [it, fresh] = streams.try_emplace(key);
    Stream& s = it->second;
    if (!fresh && p->time_unix_nano() <= s.time) return false;  // out of order
    const bool keep = fresh ? KeepFirst(p->start_time_unix_nano()) : true;
    if (!fresh) {
      if (is_int && s.is_int) {
        const int64_t v = p->as_int();
        if (v < s.int_value) {
          p->set_start_time_unix_nano(ResetStart(p->start_time_unix_nano(), s));
        } else {
          p->set_as_int(v - s.int_value);
          p->set_start_time_unix_nano(s.time);
        }
      } else {
        const double v = is_int ? static_cast<double>(p->as_int()) : p->as_double();
        const double prev = s.is_int ? static_cast<double>(s.int_value) : s.double_value;
        if (v < prev) {
          p->set_start_time_unix_nano(ResetStart(p->start_time_unix_nano(), s));
        } else if (is_int) {
          p->set_as_int(static_cast<int64_t>(v - prev));
          p->set_start_time_unix_nano(s.time);
        } else {
          p->set_as_double(v - prev);
          p->set_start_time_unix_nano(s.time);
        }
      }
    }
    // Remember the cumulative value (the point now holds the delta).
    s.is_int = is_int;
    s.int_value = int_value;
    s.double_value = double_value;
    s.time = p->time_unix_nano();
    s.seen = now;
    return keep;
  }

  bool ConvertHistogram(const std::string& key, metrics::HistogramDataPoint* p,
                        Clock::time_point now) {
    if (p->flags() & kNoRecordedValue) {
      streams.erase(key);
      return true;
    }
    auto [it, fresh] = streams.try_emplace(key);
    Stream& s = it->second;
    if (!fresh && p->time_unix_nano() <= s.time) return false;
    const bool keep = fresh ? KeepFirst(p->start_time_unix_nano()) : true;
    // The cumulative values, kept before the point is rewritten.
    Stream next;
    next.count = p->count();
    next.has_sum = p->has_sum();
    next.sum = p->sum();
    next.buckets.assign(p->bucket_counts().begin(), p->bucket_counts().end());
    next.bounds.assign(p->explicit_bounds().begin(), p->explicit_bounds().end());
    if (!fresh) {
      const bool reset = p->count() < s.count || next.bounds != s.bounds ||
                         next.buckets.size() != s.buckets.size();
      if (reset) {
        p->set_start_time_unix_nano(ResetStart(p->start_time_unix_nano(), s));
      } else {
        p->set_count(p->count() - s.count);
        if (p->has_sum() && s.has_sum) p->set_sum(p->sum() - s.sum);
        for (int i = 0; i < p->bucket_counts_size(); ++i) {
          const uint64_t prev = s.buckets[i];
          const uint64_t cur = p->bucket_counts(i);
          p->set_bucket_counts(i, cur >= prev ? cur - prev : 0);
        }
        p->clear_min();
        p->clear_max();
        p->set_start_time_unix_nano(s.time);
      }
    }
    next.time = p->time_unix_nano();
    next.seen = now;
    s = std::move(next);
    return keep;
  }

  // Forgets the streams not seen within max_staleness (checked at most once per max_staleness).
  void Sweep(Clock::time_point now) {
    if (opts.max_staleness.count() <= 0 || now - last_sweep < opts.max_staleness) return;
    last_sweep = now;
    for (auto it = streams.begin(); it != streams.end();) {
      if (now - it->second.seen > opts.max_staleness) {
        it = streams.erase(it);
      } else {
        ++it;
      }
    }
  }
};

CumulativeToDelta::CumulativeToDelta(const CumulativeToDeltaOptions& options, Consumer* next,
                                     std::function<Clock::time_point()> now,
                                     uint64_t start_unix_nano)
    : impl_(std::make_unique<Impl>()), next_(next) {
  impl_->opts = options;
  impl_->include = Compile(options.include);
  impl_->exclude = Compile(options.exclude);
  impl_->now = std::move(now);
  impl_->start_unix_nano = start_unix_nano;
  impl_->last_sweep = impl_->now();
}

CumulativeToDelta::~CumulativeToDelta() = default;

size_t CumulativeToDelta::tracked_streams() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->streams.size();
}

template <typename Points, typename Fn>
static void ConvertPoints(Points* points, const std::string& prefix, Fn convert) {
  std::string key;
  int out = 0;
  for (int i = 0; i < points->size(); ++i) {
    auto* p = points->Mutable(i);
    key = prefix;
    AppendAttrs(p->attributes(), &key);
    if (!convert(key, p)) continue;
    if (out != i) points->SwapElements(out, i);
    ++out;
  }
  points->DeleteSubrange(out, points->size() - out);
}

Status CumulativeToDelta::ConsumeMetrics(Metrics&& batch) {
  Impl& im = *impl_;
  {
    std::lock_guard<std::mutex> l(im.mu);
    const Clock::time_point now = im.now();
    im.Sweep(now);
    std::string prefix;
    for (auto& rm : *batch.mutable_resource_metrics()) {
      std::string resource_key;
      AppendAttrs(rm.resource().attributes(), &resource_key);
      for (auto& sm : *rm.mutable_scope_metrics()) {
        std::string scope_key = resource_key;
        scope_key.append(sm.scope().name()).push_back('\x03');
        scope_key.append(sm.scope().version()).push_back('\x03');
        AppendAttrs(sm.scope().attributes(), &scope_key);
        int kept = 0;
        auto* list = sm.mutable_metrics();
        for (int i = 0; i < list->size(); ++i) {
          metrics::Metric* m = list->Mutable(i);
          const bool sum =
              m->has_sum() && m->sum().is_monotonic() &&
              m->sum().aggregation_temporality() == metrics::AGGREGATION_TEMPORALITY_CUMULATIVE;
          const bool hist = m->has_histogram() && m->histogram().aggregation_temporality() ==
                                                      metrics::AGGREGATION_TEMPORALITY_CUMULATIVE;
          if ((sum || hist) && im.Selected(*m)) {
            prefix = scope_key;
            prefix.append(m->name()).push_back('\x03');
            prefix.append(m->unit()).push_back('\x03');
            prefix.push_back(sum ? 's' : 'h');
            if (sum) {
              m->mutable_sum()->set_aggregation_temporality(metrics::AGGREGATION_TEMPORALITY_DELTA);
              ConvertPoints(m->mutable_sum()->mutable_data_points(), prefix,
                            [&](const std::string& k, metrics::NumberDataPoint* p) {
                              return im.ConvertSum(k, p, now);
                            });
            } else {
              m->mutable_histogram()->set_aggregation_temporality(
                  metrics::AGGREGATION_TEMPORALITY_DELTA);
              ConvertPoints(m->mutable_histogram()->mutable_data_points(), prefix,
                            [&](const std::string& k, metrics::HistogramDataPoint* p) {
                              return im.ConvertHistogram(k, p, now);
                            });
            }
            if (PointCount(*m) == 0) continue;
          }
          if (kept != i) list->SwapElements(kept, i);
          ++kept;
        }
        list->DeleteSubrange(kept, list->size() - kept);
      }
      auto* scopes = rm.mutable_scope_metrics();
      int kept = 0;
      for (int i = 0; i < scopes->size(); ++i) {
        if (scopes->Get(i).metrics_size() == 0) continue;
        if (kept != i) scopes->SwapElements(kept, i);
        ++kept;
      }
      scopes->DeleteSubrange(kept, scopes->size() - kept);
    }
    auto* resources = batch.mutable_resource_metrics();
    int kept = 0;
    for (int i = 0; i < resources->size(); ++i) {
      if (resources->Get(i).scope_metrics_size() == 0) continue;
      if (kept != i) resources->SwapElements(kept, i);
      ++kept;
    }
    resources->DeleteSubrange(kept, resources->size() - kept);
  }
  if (batch.resource_metrics_size() == 0) return Status::Ok();
  return next_->ConsumeMetrics(std::move(batch));
}

namespace {

Status DecodeSelector(const config::Document& doc, config::MapReader* parent, std::string_view key,
                      CumulativeToDeltaOptions::Selector* out) {
  YAML::Node n = parent->Child(key);
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  const std::string w = parent->where() + "." + std::string(key);
  config::MapReader r(doc, n, w);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string match_type;
  std::vector<std::string> types;
  INFERMETRY_RETURN_IF_ERROR(r.StringList("metrics", &out->metrics));
  INFERMETRY_RETURN_IF_ERROR(r.String("match_type", &match_type));
  INFERMETRY_RETURN_IF_ERROR(r.StringList("metric_types", &types));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  out->set = true;
  if (match_type == "regexp") {
    out->regexp = true;
  } else if (match_type != "strict" && !(match_type.empty() && out->metrics.empty())) {
    return doc.ErrorAt(match_type.empty() ? n : r.Child("match_type"),
                       w + ".match_type: expected strict or regexp" +
                           (match_type.empty() ? "" : ", got \"" + match_type + "\""));
  }
  if (out->regexp) {
    YAML::Node list = r.Child("metrics");
    for (size_t i = 0; i < out->metrics.size(); ++i) {
      RE2 re(out->metrics[i], RE2::Quiet);
      if (!re.ok()) {
        return doc.ErrorAt(list[i], w + ".metrics[" + std::to_string(i) +
                                        "]: invalid regular expression: " + re.error());
      }
    }
  }
  if (!types.empty()) {
    out->sums = out->histograms = false;
    YAML::Node list = r.Child("metric_types");
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "sum") {
        out->sums = true;
      } else if (types[i] == "histogram") {
        out->histograms = true;
      } else {
        return doc.ErrorAt(list[i], w + ".metric_types[" + std::to_string(i) +
                                        "]: expected sum or histogram, got \"" + types[i] + "\"");
      }
    }
  }
  return Status::Ok();
}

uint64_t UnixNanoNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

Result<CumulativeToDeltaOptions> DecodeCumulativeToDeltaOptions(const ComponentConfig& cfg) {
  CumulativeToDeltaOptions o;
  const config::Document& doc = *cfg.doc;
  config::MapReader r(doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(DecodeSelector(doc, &r, "include", &o.include));
  INFERMETRY_RETURN_IF_ERROR(DecodeSelector(doc, &r, "exclude", &o.exclude));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("max_staleness", &o.max_staleness));
  std::string initial;
  INFERMETRY_RETURN_IF_ERROR(r.String("initial_value", &initial));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (initial == "keep") {
    o.initial_value = CumulativeToDeltaOptions::InitialValue::kKeep;
  } else if (initial == "drop") {
    o.initial_value = CumulativeToDeltaOptions::InitialValue::kDrop;
  } else if (!initial.empty() && initial != "auto") {
    return doc.ErrorAt(r.Child("initial_value"), cfg.where +
                                                     ".initial_value: expected auto, "
                                                     "keep or drop, got \"" +
                                                     initial + "\"");
  }
  return o;
}

Result<std::unique_ptr<Processor>> CreateCumulativeToDelta(const ComponentConfig& cfg, Signal,
                                                           Consumer* next) {
  INFERMETRY_ASSIGN_OR_RETURN(CumulativeToDeltaOptions o, DecodeCumulativeToDeltaOptions(cfg));
  return std::unique_ptr<Processor>(
      new CumulativeToDelta(o, next, &CumulativeToDelta::Clock::now, UnixNanoNow()));
}

}  // namespace infermetry::process
