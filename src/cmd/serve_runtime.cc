#include "cmd/serve_runtime.h"

#include <atomic>

#include "cmd/collector_config.h"
#include "cmd/serve_alerting.h"
#include "common/log.h"
#include "config/collector_yaml.h"
#include "query/sql/catalog/store_catalog.h"
#include "server/api/metrics_proxy.h"
#include "server/api/parseable_api.h"
#include "server/api/prom_api.h"
#include "server/api/remote_write.h"
#include "server/api/rules_api.h"
#include "server/api/saved_docs.h"
#include "server/api/store_api.h"
#include "server/http/server.h"
#include "server/web/web_ui.h"
#include "spanstore/span_store.h"
#include "tsdb/db.h"

namespace infermetry::cmd {
namespace {

// The span store as the pipeline's SpanAppender and LogAppender.
class SpanStoreSink : public storage::SpanAppender, public storage::LogAppender {
 public:
  explicit SpanStoreSink(spanstore::SpanStore* store) : store_(store) {}
  Status AppendSpans(std::vector<model::Span> spans) override { return store_->IngestSpans(std::move(spans)); }
  Status AppendLogs(std::vector<model::LogRecord> logs) override { return store_->IngestLogs(std::move(logs)); }

 private:
  spanstore::SpanStore* store_;
};

}  // namespace

struct ServeRuntime::Impl {
  std::unique_ptr<tsdb::DB> metrics;
  std::unique_ptr<spanstore::SpanStore> spans;
  std::unique_ptr<SpanStoreSink> sink;
  std::unique_ptr<sql::StreamRegistry> streams;
  std::unique_ptr<sql::Catalog> catalog;
  LoadedCollector collector;
  std::unique_ptr<api::PromQueryBackend> promql;  // the PromQL engine over `metrics`
  std::unique_ptr<ServeAlerting> alerting;
  std::unique_ptr<http::Server> server;
  std::atomic<bool> ready{false};
  bool stopped = false;
};

ServeRuntime::ServeRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ServeRuntime::~ServeRuntime() { (void)Stop(); }

std::string ServeRuntime::address() const { return impl_->server->address(); }

Result<std::unique_ptr<ServeRuntime>> ServeRuntime::Start(std::unique_ptr<config::Document> doc,
                                                          const StorageOptions& o,
                                                          const std::string& listen) {
  auto impl = std::make_unique<Impl>();
  // The HTTP API's own sections, checked before anything is opened.
  INFERMETRY_ASSIGN_OR_RETURN(config::CollectorConfig sections, config::DecodeCollectorConfig(*doc));
  INFERMETRY_ASSIGN_OR_RETURN(ApiOptions api_options,
                              DecodeApiOptions(*doc, sections.auth ? &*sections.auth : nullptr,
                                               sections.query ? &*sections.query : nullptr));
  INFERMETRY_ASSIGN_OR_RETURN(AlertingOptions alerting_options,
                              DecodeAlertingOptions(*doc, sections.alerting ? &*sections.alerting : nullptr));
  INFERMETRY_ASSIGN_OR_RETURN(web::WebUiOptions ui_options, DecodeUiOptions(*doc, sections.ui ? &*sections.ui : nullptr));
  tsdb::Options to;
  to.dir = o.path + "/metrics";
  to.wal_sync = o.wal_sync;
  to.ooo_window_ms = o.out_of_order_window.count();
  to.retention_ms = o.retention_time.count();
  to.retention_bytes = o.retention_size;
  to.block_cache_bytes = o.block_cache_size;
  INFERMETRY_ASSIGN_OR_RETURN(impl->metrics, tsdb::DB::Open(to));
  spanstore::SpanStoreOptions so;
  so.dir = o.path;
  so.wal_sync = o.wal_sync;
  so.retention = std::chrono::duration_cast<std::chrono::nanoseconds>(o.retention_time);
  so.retention_bytes = o.retention_size;
  INFERMETRY_ASSIGN_OR_RETURN(impl->spans, spanstore::SpanStore::Open(so));
  impl->sink = std::make_unique<SpanStoreSink>(impl->spans.get());
  INFERMETRY_ASSIGN_OR_RETURN(impl->streams, sql::StreamRegistry::Open(o.path + "/streams.json"));
  impl->catalog = sql::NewStoreCatalog({impl->metrics.get(), impl->spans.get(), impl->spans.get(), impl->streams.get()});
  process::Host host{impl->metrics.get(), impl->sink.get(), impl->sink.get()};
  INFERMETRY_ASSIGN_OR_RETURN(impl->collector, BuildCollector(std::move(doc), host));

  auto router = std::make_shared<http::Router>();
  router->Handle("GET", "/metrics", "self_metrics", api::ServeSelfMetrics);
  router->Handle("GET", "/-/healthy", "healthy", [](const http::Request&, http::Response* resp) {
    resp->body = "infermetry is healthy.\n";
  });
  Impl* raw = impl.get();
  router->Handle("GET", "/-/ready", "ready", [raw](const http::Request&, http::Response* resp) {
    const bool ready = raw->ready;
    resp->status = ready ? 200 : 503;
    resp->body = ready ? "infermetry is ready.\n" : "infermetry is starting.\n";
  });
  api::RegisterStoreApi(router.get(), {impl->metrics.get(), impl->spans.get(), impl->spans.get()});
  // The Parseable-compatible API (docs/sql-api.md): SQL, JSON events, streams, OTLP/HTTP.
  api::ParseableApiOptions po;
  po.auth.users = api_options.users;
  po.sql.catalog = impl->catalog.get();
  po.sql.timeout = api_options.query_timeout;
  po.sql.memory_limit_bytes = static_cast<size_t>(api_options.query_memory_limit);
  po.streams = impl->streams.get();
  po.stores = host;
  // The Prometheus HTTP API (PromQL; /api/v1/query shared with SQL above) and remote write.
  impl->promql = api::NewEngineBackend(impl->metrics.get());
  api::PromApi prom{impl->promql.get(), nullptr};
  po.promql = [prom](const http::Request& req, http::Response* resp) { api::ServePromQuery(prom, req, resp); };
  api::RegisterPromApi(router.get(), prom, /*with_query=*/false);
  api::RegisterRemoteWrite(router.get(), {impl->metrics.get()});
  // Rules and alerts (docs/alerting.md): the vLLM pack and rule files over the same stores.
  api::IngestOptions history{impl->streams.get(), impl->sink.get(), impl->catalog.get(), nullptr};
  INFERMETRY_ASSIGN_OR_RETURN(
      impl->alerting, ServeAlerting::Make(alerting_options, {impl->metrics.get(), impl->metrics.get(),
                                                             impl->catalog.get(), history, o.path}));
  api::RegisterRulesApi(router.get(), impl->alerting->rules());
  // The web UI (docs/ui.md) and the dashboards and saved queries it keeps in the store.
  web::RegisterWebUi(router.get(), ui_options);
  api::RegisterSavedDocsApi(router.get(), {o.path + "/ui", po.auth});
  INFERMETRY_RETURN_IF_ERROR(api::RegisterParseableApi(router.get(), std::move(po)));
  http::ServerOptions opt;
  opt.listen = listen;
  INFERMETRY_ASSIGN_OR_RETURN(impl->server, http::Server::Start(opt, router));
  Status st = impl->collector.service->Start();
  if (!st.ok()) return st.WithContext("cannot start the pipelines");
  impl->alerting->Start();
  impl->ready = true;
  return std::unique_ptr<ServeRuntime>(new ServeRuntime(std::move(impl)));
}

Status ServeRuntime::Stop() {
  Impl& m = *impl_;
  if (m.stopped) return Status::Ok();
  m.stopped = true;
  m.ready = false;
  m.alerting->Stop();
  Status first = m.collector.service->Shutdown(std::chrono::seconds(10));
  if (!first.ok()) log::Warn("shutdown incomplete", {{"err", first.ToString()}});
  m.server->Shutdown(std::chrono::seconds(1));
  for (Status closed : {m.metrics->Close(), m.spans->Close()}) {
    if (!closed.ok()) log::Warn("closing the store", {{"err", closed.ToString()}});
    if (first.ok()) first = closed;
  }
  return first;
}

}  // namespace infermetry::cmd
