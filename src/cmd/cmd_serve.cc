// `infermetry serve`: the pipelines of a Collector configuration (or the default: OTLP in,
// everything into the store) with the embedded store as the `store` exporter's destination,
// and one HTTP listener for the store's read API, readiness and infermetry's own metrics.

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>

#include "cmd/collector_config.h"
#include "cmd/command.h"
#include "cmd/serve_config.h"
#include "common/log.h"
#include "config/collector_yaml.h"
#include "server/api/metrics_proxy.h"
#include "server/api/store_api.h"
#include "server/http/server.h"
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

struct Stores {
  std::unique_ptr<tsdb::DB> metrics;
  std::unique_ptr<spanstore::SpanStore> spans;
};

Result<Stores> OpenStores(const StorageOptions& o) {
  Stores s;
  tsdb::Options to;
  to.dir = o.path + "/metrics";
  to.wal_sync = o.wal_sync;
  to.ooo_window_ms = o.out_of_order_window.count();
  to.retention_ms = o.retention_time.count();
  to.retention_bytes = o.retention_size;
  INFERMETRY_ASSIGN_OR_RETURN(s.metrics, tsdb::DB::Open(to));
  spanstore::SpanStoreOptions so;
  so.dir = o.path;
  so.wal_sync = o.wal_sync;
  so.retention = std::chrono::duration_cast<std::chrono::nanoseconds>(o.retention_time);
  so.retention_bytes = o.retention_size;
  INFERMETRY_ASSIGN_OR_RETURN(s.spans, spanstore::SpanStore::Open(so));
  return s;
}

}  // namespace

int RunServe(int argc, char** argv) {
  CLI::App app{"Run the pipelines with the embedded store, its read API and infermetry's own metrics.",
               argv[0]};
  std::string path, data_dir, listen = "127.0.0.1:9400";
  app.add_option("--config", path,
                 "Collector config (YAML) with an optional `storage:` section; default: OTLP on "
                 "127.0.0.1:4317/4318 into the store");
  app.add_option("--data-dir", data_dir, "directory of the store (overrides storage.path)");
  app.add_option("--listen", listen, "address of the read API, /metrics and /-/ready")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto doc = path.empty() ? config::Document::LoadString(DefaultServeConfig(), "<default serve config>")
                          : config::Document::LoadFile(path);
  if (!doc.ok()) {
    std::fprintf(stderr, "%s\n", doc.status().message().c_str());
    return 1;
  }
  auto cfg = config::DecodeCollectorConfig(*doc);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
    return 1;
  }
  auto storage = DecodeStorageOptions(*doc, cfg->storage ? &*cfg->storage : nullptr);
  if (!storage.ok()) {
    std::fprintf(stderr, "%s\n", storage.status().message().c_str());
    return 1;
  }
  if (!data_dir.empty()) storage->path = data_dir;

  BlockTerminationSignals();
  auto stores = OpenStores(*storage);
  if (!stores.ok()) {
    log::Error("cannot open the store", {{"path", storage->path}, {"err", stores.status().ToString()}});
    return 1;
  }
  SpanStoreSink sink(stores->spans.get());
  process::Host host{stores->metrics.get(), &sink, &sink};
  auto loaded = BuildCollector(std::make_unique<config::Document>(std::move(*doc)), host);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
    return 1;
  }

  std::atomic<bool> ready{false};
  auto router = std::make_shared<http::Router>();
  router->Handle("GET", "/metrics", "self_metrics", api::ServeSelfMetrics);
  router->Handle("GET", "/-/healthy", "healthy", [](const http::Request&, http::Response* resp) {
    resp->body = "infermetry is healthy.\n";
  });
  router->Handle("GET", "/-/ready", "ready", [&ready](const http::Request&, http::Response* resp) {
    resp->status = ready ? 200 : 503;
    resp->body = ready ? "infermetry is ready.\n" : "infermetry is starting.\n";
  });
  api::RegisterStoreApi(router.get(), {stores->metrics.get(), stores->spans.get(), stores->spans.get()});
  http::ServerOptions opt;
  opt.listen = listen;
  auto server = http::Server::Start(opt, router);
  if (!server.ok()) {
    log::Error("cannot serve the API", {{"err", server.status().ToString()}});
    return 1;
  }
  Status st = loaded->service->Start();
  if (!st.ok()) {
    log::Error("cannot start the pipelines", {{"err", st.ToString()}});
    return 1;
  }
  ready = true;
  log::Info("serving", {{"api", "http://" + (*server)->address()}, {"data", storage->path},
                        {"config", path.empty() ? "<default>" : path},
                        {"pipelines", loaded->service->graph().pipelines().size()}});
  int sig = WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", sig}});
  ready = false;
  st = loaded->service->Shutdown(std::chrono::seconds(10));
  if (!st.ok()) log::Warn("shutdown incomplete", {{"err", st.ToString()}});
  (*server)->Shutdown(std::chrono::seconds(1));
  Status closed = stores->metrics->Close();
  if (!closed.ok()) log::Warn("closing the metrics store", {{"err", closed.ToString()}});
  closed = stores->spans->Close();
  if (!closed.ok()) log::Warn("closing the span store", {{"err", closed.ToString()}});
  return st.ok() ? 0 : 1;
}

}  // namespace infermetry::cmd
