#include "query/sql/catalog/metric_sink.h"

namespace infermetry::sql::catalog {

namespace {

void PushText(Column* c, const std::string* s) {
  if (!s) {
    c->AppendNull();
    return;
  }
  if (!c->nulls.empty()) c->nulls.push_back(0);
  c->strings.push_back(*s);
}

void PushDouble(Column* c, std::optional<double> v) {
  if (!v) {
    c->AppendNull();
    return;
  }
  if (!c->nulls.empty()) c->nulls.push_back(0);
  c->doubles.push_back(*v);
}

}  // namespace

RowSink::RowSink(const MetricTable::State& t, const ScanRequest& req)
    : t_(t),
      columns_(req.columns),
      batch_rows_(req.batch_rows ? req.batch_rows : 8192),
      counted_(req.observation_counts),
      merge_ms_(req.observation_counts ? req.observation_merge_ms : 0) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == kMetricValue) {
      wants_value_ = true;
      value_pos_ = i;
    }
  }
  Start(false);
}

void RowSink::Prepare(const model::Labels& labels, SeriesContext* ctx) const {
  ctx->labels.assign(t_.schema.size(), std::nullopt);
  const model::Labels* res = nullptr;
  for (size_t c : columns_) {
    if (c < kMetricFixedColumns) continue;
    const std::string& n = t_.label_of[c];
    if (labels.Has(n)) {
      ctx->labels[c] = std::string(labels.Get(n));
      continue;
    }
    if (!res) {
      auto it =
          t_.resources.find({std::string(labels.Get("job")), std::string(labels.Get("instance"))});
      if (it == t_.resources.end()) continue;
      res = &it->second;
    }
    if (res->Has(n)) ctx->labels[c] = std::string(res->Get(n));
  }
}

void RowSink::Start(bool histogram) {
  cur_ = Batch();
  cur_histogram_ = histogram;
  for (size_t c : columns_) cur_.columns.emplace_back(t_.schema[c].type).Reserve(batch_rows_);
}

void RowSink::Cut() {
  if (cur_.num_rows == 0) return;
  ready_.push_back(std::move(cur_));
  Start(cur_histogram_);
}

void RowSink::AppendCommon(const SeriesContext& ctx, int64_t t_ms) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    Column* col = &cur_.columns[i];
    switch (columns_[i]) {
      case kMetricTimestamp:
        if (!col->nulls.empty()) col->nulls.push_back(0);
        col->ints.push_back(t_ms * 1000);
        break;
      case kMetricName:
        PushText(col, &ctx.name);
        break;
      case kMetricType:
        PushText(col, &ctx.metric_type);
        break;
      case kMetricUnit:
        PushText(col, &ctx.unit);
        break;
      case kMetricValue:
      case kMetricRawValue:
        break;  // filled by the caller
      default: {
        const auto& v = ctx.labels[columns_[i]];
        PushText(col, v ? &*v : nullptr);
      }
    }
  }
}

void RowSink::Add(const SeriesContext& ctx, int64_t t_ms, std::optional<double> value,
                  std::optional<double> raw) {
  if (cur_histogram_) {
    Cut();
    cur_histogram_ = false;
    if (cur_.num_rows == 0) Start(false);
  }
  AppendCommon(ctx, t_ms);
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == kMetricValue) PushDouble(&cur_.columns[i], value);
    if (columns_[i] == kMetricRawValue) PushDouble(&cur_.columns[i], raw);
  }
  if (++cur_.num_rows >= batch_rows_) Cut();
}

void RowSink::AddObservation(const SeriesContext& ctx, const Observation& o) {
  if (merge_ms_ > 0) {  // the reader passes only rows within the request's time bounds
    Merged& m = MergedFor(o);
    m.count += o.count;
    m.value_sum += static_cast<double>(o.count) * o.value;
    m.share_sum += static_cast<double>(o.count) * o.sum_share;
    return;
  }
  AppendObservation(ctx, o);
}

RowSink::Merged& RowSink::MergedFor(const Observation& o) {
  const int64_t interval = merge_ms_ == INT64_MAX ? 0 : o.t_ms / merge_ms_ - (o.t_ms % merge_ms_ < 0);
  if (interval_ == nullptr || interval != interval_key_) {
    interval_ = &merged_[interval];
    interval_key_ = interval;
    next_ = 0;
  }
  std::vector<Merged>& v = *interval_;
  for (size_t k = 0; k < v.size(); ++k) {
    const size_t i = (next_ + k) % v.size();
    if (v[i].lower == o.lower && v[i].upper == o.upper) {
      next_ = i + 1;
      return v[i];
    }
  }
  next_ = v.size() + 1;
  return v.emplace_back(Merged{o.lower, o.upper, o.t_ms});
}

void RowSink::AppendObservation(const SeriesContext& ctx, const Observation& o) {
  if (!cur_histogram_) {
    Cut();
    if (cur_.num_rows == 0) Start(true);
  }
  AppendCommon(ctx, o.t_ms);
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == kMetricValue) PushDouble(&cur_.columns[i], o.value);
    if (columns_[i] == kMetricRawValue) PushDouble(&cur_.columns[i], std::nullopt);
  }
  if (wants_value_) {
    HistogramAnnex& h = cur_.columns[value_pos_].hist;
    h.lower.push_back(o.lower);
    h.upper.push_back(o.upper);
    h.sum_share.push_back(o.sum_share);
    if (counted_) h.count.push_back(o.count);
  }
  if (++cur_.num_rows >= batch_rows_) Cut();
}

void RowSink::AddTimeOnly(int64_t t_ms) {
  if (cur_histogram_) {
    Cut();
    cur_histogram_ = false;
    if (cur_.num_rows == 0) Start(false);
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    Column* col = &cur_.columns[i];
    if (columns_[i] == kMetricTimestamp) {
      if (!col->nulls.empty()) col->nulls.push_back(0);
      col->ints.push_back(t_ms * 1000);
    } else {
      col->AppendNull();
    }
  }
  if (++cur_.num_rows >= batch_rows_) Cut();
}

void RowSink::Finish() {
  if (!merged_.empty()) {
    // The planner asked for merging only when no column but the time and the value is read.
    SeriesContext none;
    none.labels.assign(t_.schema.size(), std::nullopt);
    for (const auto& [interval, buckets] : merged_) {
      for (const Merged& m : buckets) {
        const double n = static_cast<double>(m.count);
        AppendObservation(none, {m.t_ms, m.value_sum / n, m.lower, m.upper, m.share_sum / n, m.count});
      }
    }
    merged_.clear();
    interval_ = nullptr;
  }
  Cut();
}

Batch RowSink::PopReady() {
  Batch b = std::move(ready_.front());
  ready_.pop_front();
  return b;
}

}  // namespace infermetry::sql::catalog
