// percentile_cont / percentile_disc: PostgreSQL's ordered-set aggregates over the group's
// values, or Prometheus's histogram_quantile when the values stand for histogram buckets.
#include "query/sql/exec/percentile.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/datetime.h"
#include "query/sql/exec/functions_impl.h"

namespace infermetry::sql::exec {

double HistogramQuantile(double q, const std::map<double, HistBucket>& buckets) {
  if (std::isnan(q)) return NAN;
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  double total = 0;
  for (const auto& [upper, b] : buckets) total += b.count;
  if (buckets.empty() || total == 0) return NAN;
  double rank = q * total;
  double cum = 0;
  for (const auto& [upper, b] : buckets) {
    bool first = &b == &buckets.begin()->second;
    double before = cum;
    cum += b.count;
    if (cum >= rank && b.count > 0) {
      if (std::isinf(upper)) return b.lower;
      if (first && upper <= 0) return upper;
      double lower = std::isinf(b.lower) ? 0 : b.lower;
      return lower + (upper - lower) * (rank - before) / b.count;
    }
  }
  return std::prev(buckets.end())->second.lower;
}

namespace {

class PercentileAcc : public Accumulator {
 public:
  PercentileAcc(const AggOptions& o, bool cont) : o_(o), cont_(cont) {}

  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    if (!c.hist.empty()) {
      HistBucket& b = buckets_[c.hist.upper[r]];
      b.lower = c.hist.lower[r];
      b.count += static_cast<double>(c.hist.Count(r));
      return;
    }
    switch (c.type) {
      case Type::kFloat64: d_.push_back(c.doubles[r]); break;
      case Type::kInt64:
      case Type::kTimestamp:
      case Type::kBool: d_.push_back(static_cast<double>(c.ints[r])); ints_ = true; break;
      default: other_.push_back(c.Get(r)); break;
    }
  }

  Result<Value> Finish() override {
    double q = o_.fraction;
    if (!buckets_.empty()) return Value::Float(HistogramQuantile(q, buckets_));
    if (std::isnan(q) || q < 0 || q > 1) {
      std::string s;
      AppendFloat8(&s, q);
      return InvalidArgument("percentile value " + s + " is not between 0 and 1");
    }
    size_t n = d_.size() + other_.size();
    if (n == 0) return Value::Null(o_.ret);
    if (o_.desc && cont_) q = 1 - q;
    if (!other_.empty()) {  // text, intervals: sort Values
      std::sort(other_.begin(), other_.end(),
                [](const Value& a, const Value& b) { return CompareValues(a, b) < 0; });
      if (cont_ && o_.ret == Type::kInterval) {
        double pos = q * static_cast<double>(n - 1);
        size_t lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
        Interval a = other_[lo].iv, b = other_[hi].iv;
        Interval diff = AddIntervals(b, NegateInterval(a));
        return Value::Interv(AddIntervals(a, MultiplyInterval(diff, pos - lo)));
      }
      return other_[Disc(q, n)];
    }
    // Selection instead of a full sort: only the one or two ranks around the position matter.
    if (!cont_) {
      size_t k = Disc(q, n);
      std::nth_element(d_.begin(), d_.begin() + k, d_.end());
      double v = d_[k];
      if (o_.ret == Type::kInt64) return Value::Int(static_cast<int64_t>(v));
      if (o_.ret == Type::kTimestamp) return Value::Timestamp(static_cast<int64_t>(v));
      return Value::Float(v);
    }
    double pos = q * static_cast<double>(n - 1);
    size_t lo = static_cast<size_t>(std::floor(pos));
    size_t hi = static_cast<size_t>(std::ceil(pos));
    std::nth_element(d_.begin(), d_.begin() + lo, d_.end());
    double vlo = d_[lo];
    double vhi = hi == lo ? vlo : *std::min_element(d_.begin() + lo + 1, d_.end());
    double v = vlo + (vhi - vlo) * (pos - static_cast<double>(lo));
    if (o_.ret == Type::kTimestamp) return Value::Timestamp(static_cast<int64_t>(std::llround(v)));
    return Value::Float(v);
  }

  size_t MemoryBytes() const override {
    return d_.capacity() * sizeof(double) + other_.capacity() * sizeof(Value) +
           buckets_.size() * 64;
  }

 private:
  // PostgreSQL's percentile_disc: the first value whose cumulative fraction reaches q.
  static size_t DiscIndex(double q, size_t n) {
    double pos = std::ceil(q * static_cast<double>(n));
    if (pos < 1) pos = 1;
    return std::min(n, static_cast<size_t>(pos)) - 1;
  }

  size_t Disc(double q, size_t n) const {
    return o_.desc ? n - 1 - DiscIndex(q, n) : DiscIndex(q, n);
  }

  AggOptions o_;
  bool cont_;
  bool ints_ = false;
  std::vector<double> d_;
  std::vector<Value> other_;
  std::map<double, HistBucket> buckets_;
};

}  // namespace

std::unique_ptr<Accumulator> NewPercentileCont(const AggOptions& o) {
  return std::make_unique<PercentileAcc>(o, true);
}
std::unique_ptr<Accumulator> NewPercentileDisc(const AggOptions& o) {
  return std::make_unique<PercentileAcc>(o, false);
}

}  // namespace infermetry::sql::exec
