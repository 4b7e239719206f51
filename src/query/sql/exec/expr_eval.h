#pragma once
// Column-at-a-time evaluation of bound expressions over a Batch, and the row movers the
// operators share (gather by selection vector, keeping histogram annexes).

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "query/sql/column.h"
#include "query/sql/exec/bound.h"

namespace infermetry::sql::exec {

class ExecContext;

// Evaluates `e` over every row of `in` into `out` (a column of e.type and in.num_rows rows).
Status Eval(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out);
// Like Eval, but a bare column reference is returned in place (no copy); else `scratch` holds
// the result. The pointer is valid while `in` and `scratch` are.
Result<const Column*> EvalRef(const BExpr& e, const Batch& in, ExecContext* ctx, Column* scratch);
// Evaluates an expression that reads no column.
Result<Value> EvalConstant(const BExpr& e, ExecContext* ctx);

// Rows `sel` of `src` (annex kept). A column with no rows while the batch has some (a column
// the query does not read) stays empty.
Column Gather(const Column& src, const std::vector<uint32_t>& sel);
Batch GatherBatch(const Batch& in, const std::vector<uint32_t>& sel);
// Appends the rows of `src` to `dst` (same column types).
void AppendBatch(Batch* dst, const Batch& src);
// Row `row` of a column as a Value.
inline Value CellValue(const Column& c, size_t row) { return c.Get(row); }
// A column of `n` copies of `v`, typed `t`.
Column ConstantColumn(const Value& v, Type t, size_t n);
size_t BatchBytes(const Batch& b);

// expr_ops.cc: the operator kernels.
Status EvalArith(const BExpr& e, const Column& a, const Column& b, size_t n, Column* out);
Status EvalNeg(const Column& a, size_t n, Column* out);
Status EvalCompare(const std::string& op, const Column& a, const Column& b, size_t n, Column* out);
// a op k for a non-NULL constant k of type t, without a column of n copies of k.
Status EvalCompareConstant(const std::string& op, const Column& a, const Value& k, Type t, size_t n,
                           Column* out);
Status EvalInList(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out);
Status EvalLike(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out);
// LIKE matching of `s` against `pattern` (% and _; `escape` 0 for none).
bool LikeMatch(std::string_view s, std::string_view pattern, char escape);

}  // namespace infermetry::sql::exec
