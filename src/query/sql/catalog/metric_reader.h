#pragma once
// The reader behind MetricTable::Scan (metric_reader.cc): series read through the storage
// seam, turned into rows (metric_rows.h) and cut into batches (metric_sink.h).

#include <memory>

#include "common/result.h"
#include "query/sql/catalog/metric_table.h"

namespace infermetry::sql::catalog {

// REQUIRES: every index in req.columns is within the table's schema.
Result<std::unique_ptr<BatchReader>> NewMetricReader(std::shared_ptr<const MetricTable::State> t,
                                                     const ScanRequest& req);

}  // namespace infermetry::sql::catalog
