#include "process/split.h"

#include <type_traits>

namespace infermetry::process {
namespace {

namespace trace = opentelemetry::proto::trace::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace logs = opentelemetry::proto::logs::v1;

template <typename T>
using List = google::protobuf::RepeatedPtrField<T>;

template <typename N>
constexpr bool kIsLeaf =
    std::is_same_v<N, trace::Span> || std::is_same_v<N, logs::LogRecord> ||
    std::is_same_v<N, metrics::NumberDataPoint> || std::is_same_v<N, metrics::HistogramDataPoint> ||
    std::is_same_v<N, metrics::ExponentialHistogramDataPoint> ||
    std::is_same_v<N, metrics::SummaryDataPoint>;

int64_t Count(const trace::ScopeSpans& s) { return s.spans_size(); }
int64_t Count(const trace::ResourceSpans& r) {
  int64_t n = 0;
  for (const auto& s : r.scope_spans()) n += Count(s);
  return n;
}
int64_t Count(const logs::ScopeLogs& s) { return s.log_records_size(); }
int64_t Count(const logs::ResourceLogs& r) {
  int64_t n = 0;
  for (const auto& s : r.scope_logs()) n += Count(s);
  return n;
}
int64_t Count(const metrics::Metric& m) { return PointCount(m); }
int64_t Count(const metrics::ScopeMetrics& s) {
  int64_t n = 0;
  for (const auto& m : s.metrics()) n += Count(m);
  return n;
}
int64_t Count(const metrics::ResourceMetrics& r) {
  int64_t n = 0;
  for (const auto& s : r.scope_metrics()) n += Count(s);
  return n;
}

template <typename N>
void TakeFromList(List<N>* src, int64_t* n, List<N>* dst);

// Moves the first *n items of `child` (which holds more than *n) into `part`, a new entry that
// gets a copy of child's own fields.
void TakePartial(trace::ResourceSpans* child, int64_t* n, trace::ResourceSpans* part) {
  *part->mutable_resource() = child->resource();
  part->set_schema_url(child->schema_url());
  TakeFromList(child->mutable_scope_spans(), n, part->mutable_scope_spans());
}
void TakePartial(trace::ScopeSpans* child, int64_t* n, trace::ScopeSpans* part) {
  *part->mutable_scope() = child->scope();
  part->set_schema_url(child->schema_url());
  TakeFromList(child->mutable_spans(), n, part->mutable_spans());
}
void TakePartial(logs::ResourceLogs* child, int64_t* n, logs::ResourceLogs* part) {
  *part->mutable_resource() = child->resource();
  part->set_schema_url(child->schema_url());
  TakeFromList(child->mutable_scope_logs(), n, part->mutable_scope_logs());
}
void TakePartial(logs::ScopeLogs* child, int64_t* n, logs::ScopeLogs* part) {
  *part->mutable_scope() = child->scope();
  part->set_schema_url(child->schema_url());
  TakeFromList(child->mutable_log_records(), n, part->mutable_log_records());
}
void TakePartial(metrics::ResourceMetrics* child, int64_t* n, metrics::ResourceMetrics* part) {
  *part->mutable_resource() = child->resource();
  part->set_schema_url(child->schema_url());
  TakeFromList(child->mutable_scope_metrics(), n, part->mutable_scope_metrics());
}
void TakePartial(metrics::ScopeMetrics* child, int64_t* n, metrics::ScopeMetrics* part) {
  *part->mutable_scope() = child->scope();
  part->set_schema_url(child->schema_url());
  TakeFromList(child->mutable_metrics(), n, part->mutable_metrics());
}
void TakePartial(metrics::Metric* child, int64_t* n, metrics::Metric* part) {
  part->set_name(child->name());
  part->set_description(child->description());
  part->set_unit(child->unit());
  *part->mutable_metadata() = child->metadata();
  switch (child->data_case()) {
    case metrics::Metric::kGauge:
      TakeFromList(child->mutable_gauge()->mutable_data_points(), n,
                   part->mutable_gauge()->mutable_data_points());
      break;
    case metrics::Metric::kSum:
      part->mutable_sum()->set_aggregation_temporality(child->sum().aggregation_temporality());
      part->mutable_sum()->set_is_monotonic(child->sum().is_monotonic());
      TakeFromList(child->mutable_sum()->mutable_data_points(), n,
                   part->mutable_sum()->mutable_data_points());
      break;
    case metrics::Metric::kHistogram:
      part->mutable_histogram()->set_aggregation_temporality(
          child->histogram().aggregation_temporality());
      TakeFromList(child->mutable_histogram()->mutable_data_points(), n,
                   part->mutable_histogram()->mutable_data_points());
      break;
    case metrics::Metric::kExponentialHistogram:
      part->mutable_exponential_histogram()->set_aggregation_temporality(
          child->exponential_histogram().aggregation_temporality());
      TakeFromList(child->mutable_exponential_histogram()->mutable_data_points(), n,
                   part->mutable_exponential_histogram()->mutable_data_points());
      break;
    case metrics::Metric::kSummary:
      TakeFromList(child->mutable_summary()->mutable_data_points(), n,
                   part->mutable_summary()->mutable_data_points());
      break;
    default:
      break;
  }
}

template <typename N>
void TakeFromList(List<N>* src, int64_t* n, List<N>* dst) {
  int whole = 0;
  while (*n > 0 && whole < src->size()) {
    N* child = src->Mutable(whole);
    if constexpr (kIsLeaf<N>) {
      *dst->Add() = std::move(*child);
      --*n;
      ++whole;
    } else {
      int64_t c = Count(*child);
      if (c <= *n) {
        *dst->Add() = std::move(*child);
        *n -= c;
        ++whole;
        continue;
      }
      TakePartial(child, n, dst->Add());
      break;
    }
  }
  src->DeleteSubrange(0, whole);
}

template <typename T, typename L>
T TakeTop(T* src, int64_t n, L* (T::*list)()) {
  T out;
  if (n >= CountItems(*src)) {
    out.Swap(src);
    return out;
  }
  TakeFromList((src->*list)(), &n, (out.*list)());
  return out;
}

template <typename N>
void AppendList(List<N>* dst, List<N>* src) {
  if (dst->empty()) {
    dst->Swap(src);
    return;
  }
  dst->Reserve(dst->size() + src->size());
  for (N& item : *src) *dst->Add() = std::move(item);
  src->Clear();
}

}  // namespace

Traces TakeItems(Traces* src, int64_t n) {
  return TakeTop(src, n, &Traces::mutable_resource_spans);
}
Metrics TakeItems(Metrics* src, int64_t n) {
  return TakeTop(src, n, &Metrics::mutable_resource_metrics);
}
Logs TakeItems(Logs* src, int64_t n) { return TakeTop(src, n, &Logs::mutable_resource_logs); }

void AppendBatch(Traces* dst, Traces&& src) {
  AppendList(dst->mutable_resource_spans(), src.mutable_resource_spans());
}
void AppendBatch(Metrics* dst, Metrics&& src) {
  AppendList(dst->mutable_resource_metrics(), src.mutable_resource_metrics());
}
void AppendBatch(Logs* dst, Logs&& src) {
  AppendList(dst->mutable_resource_logs(), src.mutable_resource_logs());
}

}  // namespace infermetry::process
