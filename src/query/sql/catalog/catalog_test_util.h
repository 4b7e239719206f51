#pragma once
// Test helpers: scanning a whole table into rows.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "query/sql/table.h"

namespace infermetry::sql::catalog::testing {

struct ScannedRow {
  std::map<std::string, Value> cols;
  bool histogram = false;  // the value column carried the annex
  double lower = 0, upper = 0, sum_share = 0;
  const Value& operator[](const std::string& c) const { return cols.at(c); }
};

struct Scanned {
  std::vector<ScannedRow> rows;
  size_t batches = 0;
  size_t max_batch = 0;
  bool mixed_annex = false;  // a batch had an annex of the wrong length
};

inline size_t ColumnIndex(const Table& t, const std::string& name) {
  for (size_t i = 0; i < t.schema().size(); ++i) {
    if (t.schema()[i].name == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// Scans `t` with `req` (all columns when req.columns is empty).
inline Scanned ScanAll(Table* t, ScanRequest req) {
  Scanned out;
  if (req.columns.empty()) {
    for (size_t i = 0; i < t->schema().size(); ++i) req.columns.push_back(i);
  }
  auto reader = t->Scan(req);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  while (true) {
    Batch b;
    auto more = (*reader)->Next(&b);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    ++out.batches;
    out.max_batch = std::max(out.max_batch, b.num_rows);
    for (size_t r = 0; r < b.num_rows; ++r) {
      ScannedRow row;
      for (size_t i = 0; i < req.columns.size(); ++i) {
        const Column& c = b.columns[i];
        const std::string& name = t->schema()[req.columns[i]].name;
        row.cols[name] = c.Get(r);
        if (name == "value" && !c.hist.empty()) {
          if (c.hist.upper.size() != b.num_rows) {
            out.mixed_annex = true;
            continue;
          }
          row.histogram = true;
          row.lower = c.hist.lower[r];
          row.upper = c.hist.upper[r];
          row.sum_share = c.hist.sum_share[r];
        }
      }
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace infermetry::sql::catalog::testing
