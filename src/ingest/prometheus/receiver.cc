#include "ingest/prometheus/receiver.h"

#include "config/scrape_yaml.h"
#include "ingest/prometheus/otlp_appendable.h"
#include "ingest/scrape/scraper.h"

namespace infermetry::prometheus {
namespace {

class PrometheusReceiver : public process::Receiver {
 public:
  PrometheusReceiver(scrape::ScrapeFileConfig cfg, process::Consumer* next, const std::string& id)
      : appendable_(next, id), scraper_(std::move(cfg), &appendable_) {}

  Status Start() override { return scraper_.Start(); }
  Status Shutdown(std::chrono::milliseconds) override {
    scraper_.Stop();
    return Status::Ok();
  }

 private:
  OtlpAppendable appendable_;
  scrape::Scraper scraper_;
};

}  // namespace

Result<std::unique_ptr<process::Receiver>> CreateReceiver(const process::ComponentConfig& cfg,
                                                          const process::ReceiverOutputs& out) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  YAML::Node prom = r.Child("config");
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (!prom.IsDefined() || prom.IsNull()) {
    return cfg.doc->ErrorAt(cfg.node, cfg.where + ": config (a Prometheus config with scrape_configs) is required");
  }
  config::MapReader pr(*cfg.doc, prom, cfg.where + ".config");
  INFERMETRY_RETURN_IF_ERROR(pr.status());
  scrape::ScrapeFileConfig sc;
  INFERMETRY_RETURN_IF_ERROR(config::DecodeScrapeFile(&pr, &sc));
  INFERMETRY_RETURN_IF_ERROR(pr.Finish());
  if (out.metrics == nullptr) {
    return cfg.doc->ErrorAt(cfg.node, cfg.where + ": the prometheus receiver produces metrics only; list it in a metrics pipeline");
  }
  return std::unique_ptr<process::Receiver>(std::make_unique<PrometheusReceiver>(std::move(sc), out.metrics, cfg.id));
}

}  // namespace infermetry::prometheus
