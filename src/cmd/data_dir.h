#pragma once
// A data directory written by `infermetry serve --data-dir` (or `emulate --simulate`), opened
// in this process for a one-off job (`infermetry query --data-dir`, `infermetry rules eval`):
// the stores replay their write-ahead logs, run no background work, and keep everything.

#include <memory>
#include <string>

#include "common/result.h"
#include "query/sql/catalog/store_catalog.h"
#include "spanstore/span_store.h"
#include "tsdb/db.h"

namespace infermetry::cmd {

struct DataDirStores {
  std::unique_ptr<tsdb::DB> metrics;
  std::unique_ptr<spanstore::SpanStore> spans;
  std::unique_ptr<sql::StreamRegistry> streams;
  std::unique_ptr<sql::Catalog> catalog;  // SQL over every stream

  ~DataDirStores();
  // Closes the stores (the catalog first); the first error.
  Status Close();
};

// kInvalidArgument when `dir` holds no store; kResourceExhausted when a running server holds
// it (the message says to query that server instead).
Result<std::unique_ptr<DataDirStores>> OpenDataDir(const std::string& dir);

}  // namespace infermetry::cmd
