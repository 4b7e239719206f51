#pragma once
// Runs a batch of queries through one psql session and reads back, per query, its rows (as
// psql -A -t prints them: fields separated by kFieldSep, NULL printed as kNullText) or the
// error PostgreSQL reported.
//
//   Result<std::vector<PgResult>> r = RunPsql("psql", workdir, setup_sql, queries);
//
// The connection comes from the environment (PGHOST, PGPORT, PGUSER, PGDATABASE).

#include <string>
#include <vector>

#include "common/result.h"

namespace infermetry::sqldiff {

inline constexpr char kFieldSep = '\x1f';
inline constexpr const char* kNullText = "<NULL>";

struct PgResult {
  bool error = false;
  std::string message;                         // the ERROR line when error
  std::vector<std::vector<std::string>> rows;  // fields as printed
};

// `setup` is run first (its statements must all succeed); then each query (one line each, no
// trailing semicolon). Writes script.sql, out.txt and err.txt in `workdir`.
Result<std::vector<PgResult>> RunPsql(const std::string& psql, const std::string& workdir, const std::string& setup,
                                      const std::vector<std::string>& queries);

}  // namespace infermetry::sqldiff
