#pragma once
// Compares infermetry's answer to a query with PostgreSQL's: the same number of rows and
// columns, NULL where NULL, text equal, numbers within 1e-9 relative (1e-12 absolute near
// zero), timestamps equal to the microsecond, booleans equal; an error on one side must be an
// error on the other.
//
//   std::string why;
//   if (!SameAnswer(ours, pg, &why)) report(why);

#include <string>
#include <vector>

#include "common/result.h"
#include "pg_runner.h"
#include "query/sql/engine.h"

namespace infermetry::sqldiff {

// PostgreSQL's text form of a value (as psql prints it; NULL as kNullText).
std::string PgText(const sql::Value& v);

// Whether PostgreSQL's printed field `pg` is the value `v`; `why` says how not.
bool SameCell(const sql::Value& v, const std::string& pg, std::string* why);

// The rows of a result as values.
std::vector<std::vector<sql::Value>> ResultRows(const sql::QueryResult& r);

bool SameAnswer(const Result<sql::QueryResult>& ours, const PgResult& pg, std::string* why);

}  // namespace infermetry::sqldiff
