#include "cmd/data_dir.h"

#include <filesystem>

namespace infermetry::cmd {

DataDirStores::~DataDirStores() { (void)Close(); }

Status DataDirStores::Close() {
  catalog.reset();
  Status first;
  if (spans) first = spans->Close();
  if (metrics) {
    Status st = metrics->Close();
    if (first.ok()) first = st;
  }
  spans.reset();
  metrics.reset();
  return first;
}

Result<std::unique_ptr<DataDirStores>> OpenDataDir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir + "/metrics", ec)) {
    return InvalidArgument("no store in " + dir + " (want the directory `infermetry serve --data-dir` "
                           "writes, holding metrics/)");
  }
  auto s = std::make_unique<DataDirStores>();
  tsdb::Options to;
  to.dir = dir + "/metrics";
  to.wal_sync = wal::SyncPolicy::kBatch;
  to.compaction_interval = std::chrono::milliseconds(0);
  to.retention_ms = 0;
  auto db = tsdb::DB::Open(to);
  if (!db.ok()) {
    if (db.status().code() == Code::kResourceExhausted) {
      return Status(Code::kResourceExhausted, "the data directory " + dir +
                                                  " is in use by a running server; query that server instead "
                                                  "(--server http://<its --listen address>)");
    }
    return db.status();
  }
  s->metrics = std::move(*db);
  spanstore::SpanStoreOptions so;
  so.dir = dir;
  so.wal_sync = wal::SyncPolicy::kBatch;
  so.background = false;
  INFERMETRY_ASSIGN_OR_RETURN(s->spans, spanstore::SpanStore::Open(so));
  INFERMETRY_ASSIGN_OR_RETURN(s->streams, sql::StreamRegistry::Open(dir + "/streams.json"));
  s->catalog = sql::NewStoreCatalog({s->metrics.get(), s->spans.get(), s->spans.get(), s->streams.get()});
  return s;
}

}  // namespace infermetry::cmd
