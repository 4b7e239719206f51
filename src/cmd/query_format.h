#pragma once
// Output of `infermetry query`: a result as the HTTP API returns it with ?fields=true
// ({"fields":[...],"records":[...]}, server/api/sql_api.h) printed as
//   table  aligned like psql: header, separator, rows, "(N rows)"; numbers right-aligned,
//          NULL empty
//   csv    RFC 4180: header line, then one line per row; NULL empty; fields quoted when they
//          hold a comma, a quote or a line break
//   json   the records array as the API returns it
// The same text comes out whether the result came from a server or a data directory.

#include <string>
#include <string_view>

#include "common/result.h"
#include "query/sql/engine.h"

namespace infermetry::cmd {

enum class QueryFormat { kTable, kCsv, kJson };

// "table", "csv", "json"; kInvalidArgument otherwise.
Result<QueryFormat> ParseQueryFormat(std::string_view name);

// Formats `response` (the API's {"fields","records"} JSON). kParseError when it is not that.
Result<std::string> FormatQueryResponse(std::string_view response, QueryFormat format);
// Formats a result of the SQL engine (a data directory's answer) straight from its batches: the
// same text as FormatQueryResponse gives for that result's JSON, without building the JSON.
std::string FormatQueryResult(const sql::QueryResult& result, QueryFormat format);

}  // namespace infermetry::cmd
