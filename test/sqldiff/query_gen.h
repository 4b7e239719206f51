#pragma once
// Random queries for the differential test, each fully ordered (every output column in ORDER
// BY, keys first) so that PostgreSQL and infermetry must return the same rows in the same order.
//
//   QueryGen gen(seed, &dataset);
//   for (int i = 0; i < 400; ++i) { GenQuery q = gen.Next(); run(q.sql); }
//
// Forms: plain selects (DISTINCT, WHERE, LIMIT/OFFSET), GROUP BY by expression, ordinal or
// alias with HAVING, whole-table aggregates, inner and left joins (on keys and on truncated
// time), subqueries in FROM, WITH, UNION ALL, and queries PostgreSQL rejects.

#include <cstdint>
#include <string>

#include "dataset.h"
#include "expr_gen.h"
#include "rng.h"

namespace infermetry::sqldiff {

struct GenQuery {
  std::string sql;   // one line, no trailing semicolon
  std::string form;  // "select", "group", "aggregate", "join", "subquery", "with", "union", "error"
};

class QueryGen {
 public:
  QueryGen(uint64_t seed, const Dataset* ds) : rng_(seed ^ 0x5DEECE66DULL), ds_(ds), g_(&rng_, ds) {}
  GenQuery Next();

 private:
  Scope TableScope(const TableDef& t, const std::string& qualifier) const;
  // SELECT [DISTINCT] items FROM from [WHERE] ORDER BY all [LIMIT/OFFSET].
  std::string Rows(const Scope& s, const std::string& from);
  // SELECT keys, aggregates FROM from [WHERE] GROUP BY keys [HAVING] ORDER BY all [LIMIT].
  std::string Grouped(const Scope& s, const std::string& from, int min_keys, int max_keys);
  std::string OrderBy(int n_keys, int n_cols, const std::vector<std::string>& aliases);
  std::string Limit();
  std::string Join();
  std::string Subquery();
  std::string With();
  std::string Union();
  std::string Error();
  const TableDef& RandomFact();

  Rng rng_;
  const Dataset* ds_;
  ExprGen g_;
};

}  // namespace infermetry::sqldiff
