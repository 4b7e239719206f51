#pragma once
// Random SQL expressions over a scope of typed columns, written so that PostgreSQL and
// infermetry must agree on them: every binary operation parenthesized, negative numbers in
// parentheses, divisors that cannot be zero unless the query means to divide by zero, numeric
// literals exact in binary (0.5, 2.25, ...), round(x, n) only on exact binary fractions.
//
//   ExprGen g(&rng, &dataset);
//   Scope s = {{"m.d", Kind::kDbl}, {"m.host", Kind::kText}};
//   Expr e = g.Num(s, 2);          // e.g. "(m.d * 0.5)"
//   std::string p = g.Pred(s, 2);  // e.g. "(m.host ILIKE 'b%' OR m.d IS NULL)"

#include <string>
#include <vector>

#include "dataset.h"
#include "rng.h"

namespace infermetry::sqldiff {

struct Expr {
  std::string sql;
  Kind kind;
  // PostgreSQL computes it as numeric (e.g. avg of a bigint, a bigint times 2.5), infermetry as
  // double precision: equal within rounding, but round() and casts to bigint break ties
  // differently on the two, so those are applied to true doubles only.
  bool numeric = false;
};
using Scope = std::vector<Expr>;  // the columns an expression may use, as SQL text

class ExprGen {
 public:
  ExprGen(Rng* rng, const Dataset* ds) : rng_(rng), ds_(ds) {}

  Expr Num(const Scope& s, int depth);
  Expr Text(const Scope& s, int depth);
  Expr Ts(const Scope& s, int depth);
  Expr OfKind(Kind k, const Scope& s, int depth);
  Expr Any(const Scope& s, int depth);
  std::string Pred(const Scope& s, int depth);

  // An aggregate (possibly inside arithmetic) over the rows of a group.
  Expr Agg(const Scope& s);
  // A predicate on aggregates, for HAVING.
  std::string AggPred(const Scope& s);
  // An expression to group by.
  Expr GroupKey(const Scope& s);

  std::string Literal(Kind k);
  std::string TimestampLiteral();
  // The columns of `s` of kind `k` (kInt and kDbl both count as numbers when `numeric`).
  std::vector<Expr> Columns(const Scope& s, Kind k) const;
  std::vector<Expr> NumColumns(const Scope& s) const;

 private:
  std::string IntLiteral(int lo, int hi);
  std::string Divisor(const Scope& s, int depth, bool* is_int);
  std::string LikePattern();

  Rng* rng_;
  const Dataset* ds_;
};

}  // namespace infermetry::sqldiff
