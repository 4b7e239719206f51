#pragma once
// The binder and planner: resolves names and types in the syntax tree (ast.h), folds
// constants, pushes time ranges and metric names into table scans, and builds the operator
// tree (operator.h). Uncorrelated subqueries (IN, EXISTS, scalar) are run while planning and
// become constants.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/sql/ast.h"
#include "query/sql/exec/operator.h"
#include "query/sql/table.h"

namespace infermetry::sql::exec {

// One column of a relation in scope.
struct ScopeCol {
  std::string table;  // qualifier: alias or table name; "" for none
  std::string name;
  Type type = Type::kNull;
  ScanOp* scan = nullptr;  // set when the column is a scanned table's column
  size_t scan_col = 0;
  bool pushable = false;   // WHERE predicates on it may be pushed into the scan
  bool hidden = false;     // skipped by * and unqualified names (USING's second copy)
  bool metric_name = false;  // a metric table's `name` column
  bool numeric = false;      // see BExpr::numeric
};

struct Rel {
  OperatorPtr op;
  std::vector<ScopeCol> cols;
};

// Binding against an aggregate's output: group keys (columns 0..n-1) then aggregates.
struct AggCtx {
  const std::vector<ScopeCol>* input = nullptr;
  std::vector<BExprPtr> keys;
  std::vector<std::string> key_fps;
  std::vector<AggSpec> aggs;
  std::vector<std::string> agg_fps;
};

class Planner {
 public:
  Planner(std::string_view sql, Catalog* catalog, ExecContext* ctx)
      : sql_(sql), catalog_(catalog), ctx_(ctx) {}

  Result<Rel> PlanQuery(const ast::Query& q);

  // Binding context of one expression.
  struct BindCtx {
    const std::vector<ScopeCol>* cols = nullptr;
    AggCtx* agg = nullptr;       // set: bind against the aggregate's output
    const char* clause = "";     // for "aggregate functions are not allowed in WHERE"
  };
  Result<BExprPtr> Bind(const ast::Expr& e, BindCtx& bc);

 private:
  Result<Rel> PlanSelect(const ast::Select& s, const ast::Query& q, std::vector<SortKey>* sort,
                         size_t* visible);
  Result<Rel> PlanFrom(const ast::TableRef& t);
  Result<Rel> PlanJoin(const ast::TableRef& t);
  Result<Rel> PlanSetOp(const ast::Query& q);
  Result<Rel> PlanTable(const ast::TableRef& t);

  Result<BExprPtr> BindNode(const ast::Expr& e, BindCtx& bc);
  Result<BExprPtr> BindAggregate(const ast::Expr& e, BindCtx& bc);
  Result<BExprPtr> BindFunction(const ast::Expr& e, BindCtx& bc);
  Result<BExprPtr> BindBinary(const ast::Expr& e, BindCtx& bc);
  Result<BExprPtr> BindCompare(int pos, std::string op, BExprPtr l, BExprPtr r);
  // Text constants compared with a metric table's `name` column become canonical names.
  static void CanonicalizeNames(const BExpr& col, BExpr* constant);
  Result<BExprPtr> BindSubqueryExpr(const ast::Expr& e, BindCtx& bc);
  Result<BExprPtr> ResolveColumn(const ast::Expr& e, const std::vector<ScopeCol>& cols);
  // Casts `e` to `t` (unknown literals are parsed as `t`; bigint widens to double).
  Result<BExprPtr> Coerce(BExprPtr e, Type t, int pos);
  // Folds an expression that reads no column into a constant, when it evaluates cleanly.
  BExprPtr Fold(BExprPtr e);
  Result<std::vector<Batch>> Run(const ast::Query& q, std::vector<ScopeCol>* cols);
  Status Error(int pos, std::string msg, std::string hint = {}) const;

  // pushdown.cc
  void PushDown(const BExpr& pred, const std::vector<ScopeCol>& cols);
  // pushdown_case.cc: names read only inside aggregates' CASE WHEN name = ... arguments.
  void PushNamesFromAggregates(const std::vector<ScopeCol>& cols, const BExpr* where,
                               const AggCtx& agg);
  // pushdown_counts.cc: histogram observations read only by aggregates that weigh them.
  void PushObservationCounts(const std::vector<ScopeCol>& cols, const BExpr* where,
                             const AggCtx& agg);
  // pushdown_counts.cc: counted observations merged per bucket and group interval.
  void PushObservationMerge(const OperatorPtr& op, const std::vector<ScopeCol>& cols,
                            const AggCtx& agg);
  // pushdown_exact.cc: an aggregate query's name tests that the scan answers exactly.
  // `op` is the input of the aggregate (the WHERE filter over the scan).
  void DropAnsweredNameTests(OperatorPtr* op, const std::vector<ScopeCol>& cols,
                             const AggCtx& agg);

  std::string sql_;
  Catalog* catalog_;
  ExecContext* ctx_;
  std::vector<std::pair<std::string, const ast::CommonTable*>> ctes_;
  std::vector<const std::vector<ScopeCol>*> outer_;  // enclosing queries' scopes
  int depth_ = 0;
};

// Helpers shared by the planner files.
bool IsAggregateCall(const ast::Expr& e);
bool ContainsAggregate(const ast::Expr& e);
std::string OutputName(const ast::Expr& e);
size_t EditDistance(std::string_view a, std::string_view b);
// Runs an operator tree to its end.
Result<std::vector<Batch>> RunOperator(Operator* op, ExecContext* ctx);
// pushdown_case.cc: a WHERE clause that only bounds the time (comparisons of `time_col` with
// constants, ANDed), and the width in ms of the intervals that GROUP BY `keys` cannot tell
// apart (every key date_trunc('<unit>', time), units of a day or more as whole UTC days;
// INT64_MAX for no keys; 0 when some key is anything else).
bool OnlyTimeBounds(const BExpr& e, size_t time_col);
int64_t KeyGranularityMs(const std::vector<BExprPtr>& keys, size_t time_col);

}  // namespace infermetry::sql::exec
