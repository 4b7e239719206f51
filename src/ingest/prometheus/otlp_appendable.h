#pragma once
// Turns scraped Prometheus samples into OTLP metrics, following the OpenTelemetry Collector's
// prometheus receiver, except that names are kept exactly (colons and `_total` survive):
//   counter            -> Sum, monotonic, cumulative (one data point per series)
//   gauge, unknown     -> Gauge
//   histogram          -> Histogram, cumulative, explicit bounds from the `le` labels
//                         (_bucket/_count/_sum of one label set make one data point)
//   summary            -> Summary (quantile values, count, sum)
//   job, instance      -> resource attributes service.name, service.instance.id (and
//                         server.address / server.port from the instance)
//   other labels       -> data point attributes
//   staleness marker   -> a data point with the NO_RECORDED_VALUE flag
// Cumulative start times are the first time a series was seen. Each Commit of an appender (one
// scrape of one target) becomes one ExportMetricsServiceRequest handed to the next consumer;
// its Status is Commit's.
//
// Thread-safe: appenders may be used from several threads (one appender per thread).

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "common/self_metrics.h"
#include "process/component.h"
#include "storage/appender.h"

namespace infermetry::prometheus {

class OtlpAppendable : public storage::Appendable {
 public:
  // `next` must outlive this object. `receiver` labels the self-metrics
  // infermetry_receiver_{accepted,refused}_metric_points_total.
  OtlpAppendable(process::Consumer* next, const std::string& receiver);
  std::unique_ptr<storage::Appender> NewAppender() override;

 private:
  friend class OtlpAppender;
  process::Consumer* next_;
  selfmon::Counter& accepted_;
  selfmon::Counter& refused_;
  std::mutex mu_;
  std::unordered_map<uint64_t, storage::Metadata> metadata_;  // by series labels hash
  std::unordered_map<uint64_t, int64_t> start_ms_;            // by data point identity hash
};

}  // namespace infermetry::prometheus
