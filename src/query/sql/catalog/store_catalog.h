#pragma once
// The store's streams as the SQL engine's catalog: every stream of the registry is a table
// (metric_table.h, trace_table.h). Thread-safe.
//
//   StoreSources src{db, span_store, span_store, registry};
//   std::unique_ptr<Catalog> cat = NewStoreCatalog(src);
//   ExecuteSql("SELECT ... FROM vLLMmetrics ...", cat.get(), opts);

#include <memory>

#include "query/sql/catalog/stream_registry.h"
#include "query/sql/table.h"
#include "storage/querier.h"
#include "storage/span_querier.h"

namespace infermetry::sql {

// Any source may be null: its streams then fail to open with kUnavailable. The pointers must
// outlive the catalog and its tables.
struct StoreSources {
  storage::Queryable* metrics = nullptr;
  storage::SpanQuerier* spans = nullptr;
  storage::LogQuerier* logs = nullptr;
  StreamRegistry* streams = nullptr;  // null: only the default streams
};

std::unique_ptr<Catalog> NewStoreCatalog(const StoreSources& sources);

}  // namespace infermetry::sql
