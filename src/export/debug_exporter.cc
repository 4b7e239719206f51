#include "export/debug_exporter.h"

#include <chrono>
#include <mutex>

#include "common/log.h"
#include "export/debug_format.h"
#include "export/queued_exporter.h"

namespace infermetry::exporter {
namespace {

namespace fmt = debugfmt;
namespace metrics_v1 = opentelemetry::proto::metrics::v1;
using process::Signal;

enum class Verbosity { kBasic, kNormal, kDetailed };

std::string Flags(uint32_t f) { return f == 0 ? "" : std::to_string(f); }

const char* SpanKind(int k) {
  static const char* kNames[] = {"Unspecified", "Internal", "Server",
                                 "Client",      "Producer", "Consumer"};
  return k >= 0 && k <= 5 ? kNames[k] : "Unknown";
}

const char* StatusCode(int c) {
  static const char* kNames[] = {"Unset", "Ok", "Error"};
  return c >= 0 && c <= 2 ? kNames[c] : "Unknown";
}

const char* Temporality(int t) {
  static const char* kNames[] = {"Unspecified", "Delta", "Cumulative"};
  return t >= 0 && t <= 2 ? kNames[t] : "Unknown";
}

std::string Exemplars(const google::protobuf::RepeatedPtrField<metrics_v1::Exemplar>& es) {
  std::string out = "[";
  for (int i = 0; i < es.size(); ++i) {
    const auto& e = es[i];
    if (i > 0) out += ", ";
    out += "{time=" + fmt::Time(e.time_unix_nano()) + " value=" +
           (e.value_case() == metrics_v1::Exemplar::kAsInt ? std::to_string(e.as_int())
                                                           : fmt::Double(e.as_double())) +
           " trace_id=" + fmt::Hex(e.trace_id()) + " span_id=" + fmt::Hex(e.span_id()) +
           " filtered_attributes=" + fmt::TypedMap(e.filtered_attributes()) + "}";
  }
  return out + "]";
}

template <typename T>
std::string List(const T& xs, std::string (*f)(typename T::value_type)) {
  std::string out = "[";
  for (int i = 0; i < xs.size(); ++i) out += (i > 0 ? ", " : "") + f(xs[i]);
  return out + "]";
}

std::string U64(uint64_t v) { return std::to_string(v); }

std::string OptionalDouble(bool has, double v) { return has ? fmt::Double(v) : ""; }

class DebugSender : public Sender {
 public:
  DebugSender(std::string id, Verbosity v, uint64_t initial, uint64_t thereafter)
      : id_(std::move(id)), verbosity_(v), initial_(initial), thereafter_(thereafter) {}

  SendResult Send(const Batch& batch, std::chrono::milliseconds) override {
    if (!Sample(SignalOf(batch))) return SendResult::Ok();
    if (const auto* t = std::get_if<process::Traces>(&batch)) WriteTraces(*t);
    if (const auto* m = std::get_if<process::Metrics>(&batch)) WriteMetrics(*m);
    if (const auto* l = std::get_if<process::Logs>(&batch)) WriteLogs(*l);
    return SendResult::Ok();
  }

 private:
  // The Collector samples its log lines per message and second; here, per signal and second.
  bool Sample(Signal s) {
    int i = static_cast<int>(s);
    int64_t sec = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    std::lock_guard<std::mutex> l(mu_);
    if (window_[i] != sec) {
      window_[i] = sec;
      count_[i] = 0;
    }
    uint64_t n = ++count_[i];
    if (n <= initial_) return true;
    return thereafter_ > 0 && (n - initial_) % thereafter_ == 0;
  }

  bool detailed() const { return verbosity_ == Verbosity::kDetailed; }

  template <typename R>
  void WriteResource(int index, const R& r) {
    if (detailed()) {
      log::Info("resource",
                {{"exporter", id_},
                 {"index", index},
                 {"schema_url", r.schema_url()},
                 {"attributes", fmt::TypedMap(r.resource().attributes())},
                 {"dropped_attributes_count", r.resource().dropped_attributes_count()}});
    } else {
      log::Info("resource", {{"exporter", id_},
                             {"index", index},
                             {"attributes", fmt::PlainMap(r.resource().attributes())}});
    }
  }

  template <typename S>
  void WriteScope(int index, const S& s) {
    if (!detailed()) return;
    log::Info("scope", {{"exporter", id_},
                        {"index", index},
                        {"name", s.scope().name()},
                        {"version", s.scope().version()},
                        {"schema_url", s.schema_url()},
                        {"attributes", fmt::TypedMap(s.scope().attributes())}});
  }

  void WriteTraces(const process::Traces& t) {
    int64_t spans = process::CountItems(t);
    log::Info("Traces",
              {{"exporter", id_}, {"resource_spans", t.resource_spans_size()}, {"spans", spans}});
    if (verbosity_ == Verbosity::kBasic) return;
    for (int ri = 0; ri < t.resource_spans_size(); ++ri) {
      const auto& rs = t.resource_spans(ri);
      WriteResource(ri, rs);
      for (int si = 0; si < rs.scope_spans_size(); ++si) {
        const auto& ss = rs.scope_spans(si);
        WriteScope(si, ss);
        for (const auto& sp : ss.spans()) WriteSpan(ss.scope().name(), sp);
      }
    }
  }

  void WriteSpan(const std::string& scope, const opentelemetry::proto::trace::v1::Span& sp) {
    if (!detailed()) {
      log::Info("span", {{"exporter", id_},
                         {"name", sp.name()},
                         {"trace_id", fmt::Hex(sp.trace_id())},
                         {"span_id", fmt::Hex(sp.span_id())},
                         {"attributes", fmt::PlainMap(sp.attributes())}});
      return;
    }
    std::string events = "[";
    for (int i = 0; i < sp.events_size(); ++i) {
      const auto& e = sp.events(i);
      events += std::string(i > 0 ? ", " : "") + "{name=" + e.name() +
                " time=" + fmt::Time(e.time_unix_nano()) +
                " attributes=" + fmt::TypedMap(e.attributes()) + "}";
    }
    events += "]";
    std::string links = "[";
    for (int i = 0; i < sp.links_size(); ++i) {
      const auto& k = sp.links(i);
      links += std::string(i > 0 ? ", " : "") + "{trace_id=" + fmt::Hex(k.trace_id()) +
               " span_id=" + fmt::Hex(k.span_id()) + " trace_state=" + k.trace_state() +
               " attributes=" + fmt::TypedMap(k.attributes()) + "}";
    }
    links += "]";
    log::Info("span", {{"exporter", id_},
                       {"scope", scope},
                       {"name", sp.name()},
                       {"trace_id", fmt::Hex(sp.trace_id())},
                       {"parent_id", fmt::Hex(sp.parent_span_id())},
                       {"span_id", fmt::Hex(sp.span_id())},
                       {"trace_state", sp.trace_state()},
                       {"flags", Flags(sp.flags())},
                       {"kind", SpanKind(sp.kind())},
                       {"start", fmt::Time(sp.start_time_unix_nano())},
                       {"end", fmt::Time(sp.end_time_unix_nano())},
                       {"status_code", StatusCode(sp.status().code())},
                       {"status_message", sp.status().message()},
                       {"attributes", fmt::TypedMap(sp.attributes())},
                       {"events", events},
                       {"links", links},
                       {"dropped_attributes_count", sp.dropped_attributes_count()},
                       {"dropped_events_count", sp.dropped_events_count()},
                       {"dropped_links_count", sp.dropped_links_count()}});
  }

  void WriteMetrics(const process::Metrics& m) {
    int64_t metrics = 0;
    for (const auto& rm : m.resource_metrics()) {
      for (const auto& sm : rm.scope_metrics()) metrics += sm.metrics_size();
    }
    log::Info("Metrics", {{"exporter", id_},
                          {"resource_metrics", m.resource_metrics_size()},
                          {"metrics", metrics},
                          {"data_points", process::CountItems(m)}});
    if (verbosity_ == Verbosity::kBasic) return;
    for (int ri = 0; ri < m.resource_metrics_size(); ++ri) {
      const auto& rm = m.resource_metrics(ri);
      WriteResource(ri, rm);
      for (int si = 0; si < rm.scope_metrics_size(); ++si) {
        const auto& sm = rm.scope_metrics(si);
        WriteScope(si, sm);
        for (const auto& metric : sm.metrics()) WriteMetric(metric);
      }
    }
  }

  // One record per data point: `type` and `value` vary with the kind of metric.
  void WritePoint(const metrics_v1::Metric& m, const char* type, const std::string& value,
                  const fmt::KeyValues& attrs, uint64_t start, uint64_t time, uint32_t flags,
                  const std::string& exemplars, const std::string& temporality,
                  const std::string& monotonic) {
    if (!detailed()) {
      log::Info("data point", {{"exporter", id_},
                               {"metric", m.name()},
                               {"type", type},
                               {"value", value},
                               {"attributes", fmt::PlainMap(attrs)}});
      return;
    }
    log::Info("data point", {{"exporter", id_},
                             {"metric", m.name()},
                             {"description", m.description()},
                             {"unit", m.unit()},
                             {"type", type},
                             {"temporality", temporality},
                             {"monotonic", monotonic},
                             {"start", fmt::Time(start)},
                             {"time", fmt::Time(time)},
                             {"value", value},
                             {"flags", Flags(flags)},
                             {"attributes", fmt::TypedMap(attrs)},
                             {"exemplars", exemplars}});
  }

  void WriteMetric(const metrics_v1::Metric& m) {
    auto number = [](const metrics_v1::NumberDataPoint& p) {
      return p.value_case() == metrics_v1::NumberDataPoint::kAsInt ? std::to_string(p.as_int())
                                                                   : fmt::Double(p.as_double());
    };
    switch (m.data_case()) {
      case metrics_v1::Metric::kGauge:
        for (const auto& p : m.gauge().data_points()) {
          WritePoint(m, "Gauge", number(p), p.attributes(), p.start_time_unix_nano(),
                     p.time_unix_nano(), p.flags(), Exemplars(p.exemplars()), "", "");
        }
        break;
      case metrics_v1::Metric::kSum:
        for (const auto& p : m.sum().data_points()) {
          WritePoint(m, "Sum", number(p), p.attributes(), p.start_time_unix_nano(),
                     p.time_unix_nano(), p.flags(), Exemplars(p.exemplars()),
                     Temporality(m.sum().aggregation_temporality()),
                     m.sum().is_monotonic() ? "true" : "false");
        }
        break;
      case metrics_v1::Metric::kHistogram:
        for (const auto& p : m.histogram().data_points()) {
          std::string v = "count=" + std::to_string(p.count()) +
                          " sum=" + OptionalDouble(p.has_sum(), p.sum()) +
                          " min=" + OptionalDouble(p.has_min(), p.min()) +
                          " max=" + OptionalDouble(p.has_max(), p.max()) +
                          " bucket_counts=" + List(p.bucket_counts(), U64) +
                          " explicit_bounds=" + List(p.explicit_bounds(), fmt::Double);
          WritePoint(m, "Histogram", v, p.attributes(), p.start_time_unix_nano(),
                     p.time_unix_nano(), p.flags(), Exemplars(p.exemplars()),
                     Temporality(m.histogram().aggregation_temporality()), "");
        }
        break;
      case metrics_v1::Metric::kExponentialHistogram:
        for (const auto& p : m.exponential_histogram().data_points()) {
          std::string v = "count=" + std::to_string(p.count()) +
                          " sum=" + OptionalDouble(p.has_sum(), p.sum()) +
                          " min=" + OptionalDouble(p.has_min(), p.min()) +
                          " max=" + OptionalDouble(p.has_max(), p.max()) +
                          " scale=" + std::to_string(p.scale()) +
                          " zero_count=" + std::to_string(p.zero_count()) +
                          " zero_threshold=" + fmt::Double(p.zero_threshold()) +
                          " positive.offset=" + std::to_string(p.positive().offset()) +
                          " positive.bucket_counts=" + List(p.positive().bucket_counts(), U64) +
                          " negative.offset=" + std::to_string(p.negative().offset()) +
                          " negative.bucket_counts=" + List(p.negative().bucket_counts(), U64);
          WritePoint(m, "ExponentialHistogram", v, p.attributes(), p.start_time_unix_nano(),
                     p.time_unix_nano(), p.flags(), Exemplars(p.exemplars()),
                     Temporality(m.exponential_histogram().aggregation_temporality()), "");
        }
        break;
      case metrics_v1::Metric::kSummary:
        for (const auto& p : m.summary().data_points()) {
          std::string v = "count=" + std::to_string(p.count()) + " sum=" + fmt::Double(p.sum()) +
                          " quantiles=[";
          for (int i = 0; i < p.quantile_values_size(); ++i) {
            v += std::string(i > 0 ? ", " : "") + fmt::Double(p.quantile_values(i).quantile()) +
                 ":" + fmt::Double(p.quantile_values(i).value());
          }
          v += "]";
          WritePoint(m, "Summary", v, p.attributes(), p.start_time_unix_nano(), p.time_unix_nano(),
                     p.flags(), "", "", "");
        }
        break;
      default:
        if (detailed()) log::Info("metric without data", {{"exporter", id_}, {"metric", m.name()}});
        break;
    }
  }

  void WriteLogs(const process::Logs& l) {
    log::Info("Logs", {{"exporter", id_},
                       {"resource_logs", l.resource_logs_size()},
                       {"log_records", process::CountItems(l)}});
    if (verbosity_ == Verbosity::kBasic) return;
    for (int ri = 0; ri < l.resource_logs_size(); ++ri) {
      const auto& rl = l.resource_logs(ri);
      WriteResource(ri, rl);
      for (int si = 0; si < rl.scope_logs_size(); ++si) {
        const auto& sl = rl.scope_logs(si);
        WriteScope(si, sl);
        for (const auto& r : sl.log_records()) WriteLogRecord(r);
      }
    }
  }

  void WriteLogRecord(const opentelemetry::proto::logs::v1::LogRecord& r) {
    if (!detailed()) {
      log::Info("log record", {{"exporter", id_},
                               {"severity", r.severity_text()},
                               {"body", fmt::Plain(r.body())},
                               {"attributes", fmt::PlainMap(r.attributes())}});
      return;
    }
    log::Info("log record", {{"exporter", id_},
                             {"time", fmt::Time(r.time_unix_nano())},
                             {"observed_time", fmt::Time(r.observed_time_unix_nano())},
                             {"severity_number", static_cast<int>(r.severity_number())},
                             {"severity_text", r.severity_text()},
                             {"event_name", r.event_name()},
                             {"body", fmt::Typed(r.body())},
                             {"attributes", fmt::TypedMap(r.attributes())},
                             {"trace_id", fmt::Hex(r.trace_id())},
                             {"span_id", fmt::Hex(r.span_id())},
                             {"flags", Flags(r.flags())},
                             {"dropped_attributes_count", r.dropped_attributes_count()}});
  }

  const std::string id_;
  const Verbosity verbosity_;
  const uint64_t initial_, thereafter_;
  std::mutex mu_;
  int64_t window_[3] = {-1, -1, -1};
  uint64_t count_[3] = {0, 0, 0};
};

}  // namespace

Result<std::unique_ptr<process::Exporter>> CreateDebugExporter(
    const process::ComponentConfig& cfg) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string verbosity = "basic";
  uint64_t initial = 2, thereafter = 1;
  INFERMETRY_RETURN_IF_ERROR(r.String("verbosity", &verbosity));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("sampling_initial", &initial));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("sampling_thereafter", &thereafter));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  Verbosity v;
  if (verbosity == "basic") {
    v = Verbosity::kBasic;
  } else if (verbosity == "normal") {
    v = Verbosity::kNormal;
  } else if (verbosity == "detailed") {
    v = Verbosity::kDetailed;
  } else {
    return cfg.doc->ErrorAt(
        r.Child("verbosity"),
        cfg.where + ": verbosity must be basic, normal or detailed, got \"" + verbosity + "\"");
  }
  HelperOptions helper;
  helper.queue.enabled = false;
  helper.retry.enabled = false;
  return std::unique_ptr<process::Exporter>(new QueuedExporter(
      cfg.id, std::move(helper), std::make_unique<DebugSender>(cfg.id, v, initial, thereafter)));
}

}  // namespace infermetry::exporter
