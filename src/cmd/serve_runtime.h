#pragma once
// The running parts of `infermetry serve`, startable from any subcommand (serve, demo): the
// stores, the pipelines of a Collector configuration writing into them, and the HTTP listener
// with the read API, /metrics, /-/ready and the Parseable-compatible API (SQL over the streams
// registered in <storage.path>/streams.json, JSON ingestion, OTLP/HTTP with X-P-Stream; Basic
// auth from the config's `auth:` section; docs/sql-api.md).
//
//   auto rt = ServeRuntime::Start(std::move(doc), storage, "127.0.0.1:9400");
//   if (!rt.ok()) ...                       // the message says what failed, with file:line
//   WaitForTerminationSignal();
//   Status st = (*rt)->Stop();              // pipelines flushed, stores closed
//
// Thread-safety: Start and Stop from one thread; address() from any.

#include <memory>
#include <string>

#include "cmd/serve_config.h"
#include "common/result.h"
#include "config/yaml.h"

namespace infermetry::cmd {

class ServeRuntime {
 public:
  // Opens the stores under storage.path, builds and starts the pipelines of `doc` (which may
  // hold a `storage:` section; `storage` is what counts), and serves the API on `listen`.
  static Result<std::unique_ptr<ServeRuntime>> Start(std::unique_ptr<config::Document> doc,
                                                     const StorageOptions& storage,
                                                     const std::string& listen);
  ~ServeRuntime();  // Stop() if not stopped

  // "127.0.0.1:9400" as bound.
  std::string address() const;
  // Shuts the pipelines down (flushing what they hold), then the listener, then closes the
  // stores. Idempotent; the first error is returned.
  Status Stop();

 private:
  struct Impl;
  explicit ServeRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::cmd
