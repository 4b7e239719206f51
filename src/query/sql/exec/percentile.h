#pragma once
// Prometheus's histogram_quantile over merged buckets, used by percentile_cont and
// percentile_disc when their argument carries a histogram annex (column.h).

#include <map>

namespace infermetry::sql::exec {

struct HistBucket {
  double lower = 0;
  double count = 0;
};

// `buckets` keyed by upper bound (+Inf for the last). q < 0 gives -Inf, q > 1 +Inf; an empty
// or all-zero histogram NaN. The +Inf bucket answers its lower bound; a first bucket with an
// upper bound <= 0 answers that bound; otherwise linear interpolation inside the bucket.
double HistogramQuantile(double q, const std::map<double, HistBucket>& buckets);

}  // namespace infermetry::sql::exec
