#include "ingest/otlp/validate.h"

#include <string_view>
#include <vector>

namespace infermetry::otlp {
namespace {

namespace metrics = opentelemetry::proto::metrics::v1;

constexpr size_t kTraceIdBytes = 16;
constexpr size_t kSpanIdBytes = 8;
constexpr size_t kMaxReasons = 3;

// Counts rejected items and keeps the first few reasons for the message.
class Reasons {
 public:
  void Add(int64_t items, std::string where, std::string_view why) {
    count_ += items;
    ++reasons_;
    if (kept_.size() < kMaxReasons) kept_.push_back(std::move(where) + ": " + std::string(why));
  }

  Rejections Finish(std::string_view noun) const {
    Rejections r;
    r.count = count_;
    if (count_ == 0) return r;
    r.message = "rejected " + std::to_string(count_) + " invalid " + std::string(noun) + ": ";
    for (size_t i = 0; i < kept_.size(); ++i) {
      if (i > 0) r.message += "; ";
      r.message += kept_[i];
    }
    if (reasons_ > kept_.size())
      r.message += " (and " + std::to_string(reasons_ - kept_.size()) + " more)";
    return r;
  }

 private:
  int64_t count_ = 0;
  size_t reasons_ = 0;
  std::vector<std::string> kept_;
};

std::string Index(std::string_view field, int i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

// Removes the elements for which invalid(element, original_index) is true, keeping the order
// of the others.
template <typename T, typename Pred>
void RemoveIf(google::protobuf::RepeatedPtrField<T>* items, Pred&& invalid) {
  int n = items->size(), kept = 0;
  for (int i = 0; i < n; ++i) {
    if (invalid(items->Get(i), i)) continue;
    if (kept != i) items->SwapElements(kept, i);
    ++kept;
  }
  if (kept < n) items->DeleteSubrange(kept, n - kept);
}

bool AllZero(const std::string& id) {
  for (char c : id) {
    if (c != 0) return false;
  }
  return true;
}

// "" when `id` is acceptable, else why not.
std::string IdProblem(std::string_view name, const std::string& id, size_t want, bool required) {
  if (id.empty()) return required ? std::string(name) + " is empty" : "";
  if (id.size() != want) {
    return std::string(name) + " must be " + std::to_string(want) + " bytes, got " +
           std::to_string(id.size());
  }
  if (required && AllZero(id)) return std::string(name) + " is all zeroes";
  return "";
}

std::string SpanProblem(const opentelemetry::proto::trace::v1::Span& s) {
  std::string p = IdProblem("traceId", s.trace_id(), kTraceIdBytes, true);
  if (p.empty()) p = IdProblem("spanId", s.span_id(), kSpanIdBytes, true);
  if (p.empty()) p = IdProblem("parentSpanId", s.parent_span_id(), kSpanIdBytes, false);
  for (int i = 0; p.empty() && i < s.links_size(); ++i) {
    p = IdProblem(Index("links", i) + ".traceId", s.links(i).trace_id(), kTraceIdBytes, false);
    if (p.empty())
      p = IdProblem(Index("links", i) + ".spanId", s.links(i).span_id(), kSpanIdBytes, false);
  }
  return p;
}

}  // namespace

Rejections RemoveInvalid(process::Traces* batch) {
  using opentelemetry::proto::trace::v1::Span;
  Reasons reasons;
  for (int r = 0; r < batch->resource_spans_size(); ++r) {
    auto* rs = batch->mutable_resource_spans(r);
    for (int s = 0; s < rs->scope_spans_size(); ++s) {
      RemoveIf(rs->mutable_scope_spans(s)->mutable_spans(), [&](const Span& span, int i) {
        std::string p = SpanProblem(span);
        if (p.empty()) return false;
        reasons.Add(
            1, Index("resourceSpans", r) + "." + Index("scopeSpans", s) + "." + Index("spans", i),
            p);
        return true;
      });
    }
  }
  return reasons.Finish("spans");
}

Rejections RemoveInvalid(process::Metrics* batch) {
  Reasons reasons;
  for (int r = 0; r < batch->resource_metrics_size(); ++r) {
    auto* rm = batch->mutable_resource_metrics(r);
    for (int s = 0; s < rm->scope_metrics_size(); ++s) {
      auto* metric_list = rm->mutable_scope_metrics(s)->mutable_metrics();
      std::string scope_where = Index("resourceMetrics", r) + "." + Index("scopeMetrics", s) + ".";
      for (int i = 0; i < metric_list->size(); ++i) {
        metrics::Metric* m = metric_list->Mutable(i);
        if (m->name().empty() || !m->has_histogram()) continue;
        RemoveIf(m->mutable_histogram()->mutable_data_points(),
                 [&](const metrics::HistogramDataPoint& p, int j) {
                   if (p.bucket_counts_size() == 0 ||
                       p.bucket_counts_size() == p.explicit_bounds_size() + 1) {
                     return false;
                   }
                   reasons.Add(
                       1,
                       scope_where + Index("metrics", i) + ".histogram." + Index("dataPoints", j),
                       std::to_string(p.bucket_counts_size()) + " bucketCounts for " +
                           std::to_string(p.explicit_bounds_size()) +
                           " explicitBounds (want one count more than bounds)");
                   return true;
                 });
      }
      RemoveIf(metric_list, [&](const metrics::Metric& m, int i) {
        if (!m.name().empty()) return false;
        reasons.Add(process::PointCount(m), scope_where + Index("metrics", i), "metric name is empty");
        return true;
      });
    }
  }
  return reasons.Finish("data points");
}

Rejections RemoveInvalid(process::Logs* batch) {
  using opentelemetry::proto::logs::v1::LogRecord;
  Reasons reasons;
  for (int r = 0; r < batch->resource_logs_size(); ++r) {
    auto* rl = batch->mutable_resource_logs(r);
    for (int s = 0; s < rl->scope_logs_size(); ++s) {
      RemoveIf(rl->mutable_scope_logs(s)->mutable_log_records(), [&](const LogRecord& l, int i) {
        std::string p = IdProblem("traceId", l.trace_id(), kTraceIdBytes, false);
        if (p.empty()) p = IdProblem("spanId", l.span_id(), kSpanIdBytes, false);
        if (p.empty()) return false;
        reasons.Add(
            1,
            Index("resourceLogs", r) + "." + Index("scopeLogs", s) + "." + Index("logRecords", i),
            p);
        return true;
      });
    }
  }
  return reasons.Finish("log records");
}

}  // namespace infermetry::otlp
