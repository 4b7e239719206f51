#pragma once
// The rows of the differential test: three tables with timestamps over four hours, text labels
// with repeats (and characters LIKE treats specially), bigint and double precision columns,
// and NULLs in every column but m's time column (a stream's p_timestamp is never NULL; e's
// timestamps are, and e has no time column). Doubles are multiples of 1/16, so sums of them are exact and both
// engines order them identically.
//
//   Dataset ds = MakeDataset(seed, 300);
//   std::string setup = PostgresSetupScript(ds);   // CREATE TABLE + INSERT
//   Status st = LoadInto(ds, &memory_catalog);

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "query/sql/exec/memory_table.h"
#include "query/sql/value.h"

namespace infermetry::sqldiff {

// What the query generator needs to know of a column (bigint, double precision, text, timestamp).
enum class Kind { kInt, kDbl, kText, kTs };
sql::Type SqlType(Kind k);
std::string_view PostgresType(Kind k);

struct ColumnDef {
  std::string name;
  Kind kind;
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::string time_column;  // "" for none
  std::vector<std::vector<sql::Value>> rows;
};

struct Dataset {
  std::vector<TableDef> tables;  // m (measurements), e (events), h (hosts)
  int64_t start_us = 0;          // first instant of the timestamps
  int64_t end_us = 0;            // last instant
  std::vector<std::string> texts;  // every text value used (for literals in predicates)
  const TableDef& table(std::string_view name) const;
};

Dataset MakeDataset(uint64_t seed, int rows);

// CREATE TABLE and INSERT statements for PostgreSQL, one statement per line.
std::string PostgresSetupScript(const Dataset& ds);

// The same rows into `catalog` (tables with a time column get time-range pushdown).
Status LoadInto(const Dataset& ds, sql::exec::MemoryCatalog* catalog);

// PostgreSQL's text form of a `timestamp`: "2024-03-10 08:00:00" or "...:00.25" (fraction
// without trailing zeros), and back.
std::string FormatTimestamp(int64_t us);
Result<int64_t> ParseTimestamp(std::string_view text);

// A SQL literal of `v` (NULL, 'text' with quotes doubled, timestamp '...', numbers exact).
std::string SqlLiteral(const sql::Value& v);

}  // namespace infermetry::sqldiff
