#include "export/store_exporter.h"

#include "common/self_metrics.h"
#include "config/yaml.h"
#include "export/otlp_to_samples.h"
#include "model/otlp/otlp_model.h"

namespace infermetry::exporter {
namespace {

// A store failure as the pipeline's delivery contract wants it: retryable unless the data
// itself was refused.
Status Refusal(const Status& st, std::string_view what) {
  if (st.code() == Code::kInvalidArgument || st.code() == Code::kResourceExhausted) return st;
  return Unavailable(std::string(what) + ": " + st.ToString());
}

class StoreExporter : public process::Exporter {
 public:
  StoreExporter(const std::string& id, const process::Host& host)
      : host_(host),
        samples_(Counter("infermetry_store_samples_appended_total",
                         "Samples the store exporter appended to the TSDB.", id)),
        rejected_(Counter("infermetry_store_samples_rejected_total",
                          "Samples the TSDB refused as out of order, duplicate or too old.", id)),
        unsupported_(Counter("infermetry_store_points_unsupported_total",
                             "Metric points not stored: delta temporality or exponential histograms.",
                             id)),
        spans_(Counter("infermetry_store_spans_appended_total", "Spans stored.", id)),
        logs_(Counter("infermetry_store_log_records_appended_total", "Log records stored.", id)) {}

  bool Durable() const override { return true; }

  Status ConsumeMetrics(process::Metrics&& batch) override {
    if (host_.metrics == nullptr) return InvalidArgument("store: no metrics store");
    auto app = host_.metrics->NewAppender();
    AppendStats stats;
    Status st = AppendOtlpMetrics(batch, app.get(), &stats);
    if (st.ok()) st = app->Commit();
    if (!st.ok()) {
      app->Rollback();
      return Refusal(st, "metrics store");
    }
    samples_.Inc(static_cast<double>(stats.samples));
    rejected_.Inc(static_cast<double>(stats.rejected));
    unsupported_.Inc(static_cast<double>(stats.unsupported_points));
    return Status::Ok();
  }

  Status ConsumeTraces(process::Traces&& batch) override {
    if (host_.spans == nullptr) return InvalidArgument("store: no span store");
    std::vector<model::Span> spans = otlp::ToSpans(batch);
    size_t n = spans.size();
    Status st = host_.spans->AppendSpans(std::move(spans));
    if (!st.ok()) return Refusal(st, "span store");
    spans_.Inc(static_cast<double>(n));
    return Status::Ok();
  }

  Status ConsumeLogs(process::Logs&& batch) override {
    if (host_.logs == nullptr) return InvalidArgument("store: no log store");
    std::vector<model::LogRecord> logs = otlp::ToLogs(batch);
    size_t n = logs.size();
    Status st = host_.logs->AppendLogs(std::move(logs));
    if (!st.ok()) return Refusal(st, "log store");
    logs_.Inc(static_cast<double>(n));
    return Status::Ok();
  }

 private:
  static selfmon::Counter& Counter(const char* name, const char* help, const std::string& id) {
    return selfmon::Default().AddCounter(name, help, {"exporter"}).With({id});
  }

  const process::Host host_;
  selfmon::Counter& samples_;
  selfmon::Counter& rejected_;
  selfmon::Counter& unsupported_;
  selfmon::Counter& spans_;
  selfmon::Counter& logs_;
};

}  // namespace

Result<std::unique_ptr<process::Exporter>> CreateStoreExporter(const process::ComponentConfig& cfg) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  const process::Host& host = *cfg.host;
  if (host.metrics == nullptr && host.spans == nullptr && host.logs == nullptr) {
    return cfg.doc->ErrorAt(cfg.node, cfg.where +
                                          ": the store exporter needs the embedded store, which "
                                          "only `infermetry serve` opens");
  }
  return std::unique_ptr<process::Exporter>(new StoreExporter(cfg.id, host));
}

}  // namespace infermetry::exporter
