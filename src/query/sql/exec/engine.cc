// ExecuteSql: parse, plan, run within the query's limits; EXPLAIN [ANALYZE].
#include "query/sql/engine.h"

#include <chrono>

#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"
#include "query/sql/parser/parser.h"

namespace infermetry::sql {

size_t QueryResult::num_rows() const {
  size_t n = 0;
  for (const Batch& b : batches) n += b.num_rows;
  return n;
}

namespace {

QueryResult TextResult(const std::string& text) {
  QueryResult r;
  r.columns.push_back({"QUERY PLAN", Type::kText});
  Batch b;
  b.columns.emplace_back(Type::kText);
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    b.columns[0].Append(Value::Text(text.substr(start, nl - start)));
    ++b.num_rows;
    start = nl + 1;
  }
  r.batches.push_back(std::move(b));
  r.explain = text;
  return r;
}

}  // namespace

Result<QueryResult> ExecuteSql(std::string_view sql, Catalog* catalog, const QueryOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  INFERMETRY_ASSIGN_OR_RETURN(ast::Statement st, ParseSql(sql));
  if (!st.query) return InvalidArgument("empty query");
  exec::ExecContext ctx(sql, opts);
  exec::Planner planner(sql, catalog, &ctx);
  INFERMETRY_ASSIGN_OR_RETURN(exec::Rel rel, planner.PlanQuery(*st.query));
  QueryResult result;
  if (st.explain && !st.analyze) {
    result = TextResult(exec::ExplainTree(*rel.op, false));
  } else {
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<Batch> batches, exec::RunOperator(rel.op.get(), &ctx));
    if (st.explain) {
      result = TextResult(exec::ExplainTree(*rel.op, true));
    } else {
      for (const exec::ScopeCol& c : rel.cols) result.columns.push_back({c.name, c.type});
      result.batches = std::move(batches);
    }
  }
  result.stats.rows_scanned = ctx.rows_scanned;
  result.stats.peak_memory_bytes = ctx.peak_bytes();
  result.stats.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (st.explain && st.analyze) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "\nRows scanned: %zu  Peak memory: %zu bytes  Execution time: %.3f ms",
                  result.stats.rows_scanned, result.stats.peak_memory_bytes,
                  result.stats.elapsed_seconds * 1e3);
    result = [&] {
      QueryResult r = TextResult(result.explain + buf);
      r.stats = result.stats;
      return r;
    }();
  }
  return result;
}

}  // namespace infermetry::sql
