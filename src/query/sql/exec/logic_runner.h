#pragma once
// A sqllogictest-style script runner over a MemoryCatalog.
//
// Records are separated by blank lines; lines starting with '#' are comments.
//   statement ok                 SQL follows; it must succeed
//   statement error <substring>  SQL follows; it must fail with a message containing <substring>
//   query <types> [rowsort|nosort]
//   SQL (any number of lines)
//   ----
//   expected rows, one per line
// <types> has one letter per column: I bigint, R double precision, T text/timestamp/interval,
// B boolean (checked). Values in a row are separated by tabs, or by single spaces when the
// line has no tab. NULL prints as NULL, the empty string as (empty), booleans as true/false,
// doubles with the shortest digits that read back to the same double (PostgreSQL's float8
// output: 0.1, 1e+15, Infinity, NaN), timestamps and intervals as PostgreSQL prints them.
//
// CREATE TABLE t (col type, ...) and INSERT INTO t VALUES (...), (...) are run by the runner
// itself into the catalog (a p_timestamp column becomes the time column; a text column
// "name" is then pushed down). Everything else goes to ExecuteSql with now() fixed at
// 2024-06-01 12:00:00.

#include <string>
#include <vector>

namespace infermetry::sql::exec {

struct LogicResult {
  int records = 0;
  std::vector<std::string> failures;  // "file:line: what"
};

LogicResult RunLogicFile(const std::string& path);

}  // namespace infermetry::sql::exec
