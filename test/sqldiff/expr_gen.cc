#include "expr_gen.h"

#include <algorithm>

namespace infermetry::sqldiff {
namespace {

const std::vector<std::string> kCompare = {"=", "<>", "<", "<=", ">", ">=", "!="};
const std::vector<std::string> kFractions = {"0", "0.1", "0.25", "0.5", "0.75", "0.9", "0.95", "0.99", "1"};
// Exact in binary and in decimal, so numeric and double precision agree on them.
const std::vector<std::string> kDoubles = {"0.5", "1.5", "2.25", "0.125", "10.5", "3.75", "(-1.5)"};

Kind Merge(const Expr& a, const Expr& b) {
  return a.kind == Kind::kInt && b.kind == Kind::kInt ? Kind::kInt : Kind::kDbl;
}

}  // namespace

std::vector<Expr> ExprGen::Columns(const Scope& s, Kind k) const {
  std::vector<Expr> out;
  for (const Expr& e : s) {
    if (e.kind == k) out.push_back(e);
  }
  return out;
}

std::vector<Expr> ExprGen::NumColumns(const Scope& s) const {
  std::vector<Expr> out;
  for (const Expr& e : s) {
    if (e.kind == Kind::kInt || e.kind == Kind::kDbl) out.push_back(e);
  }
  return out;
}

std::string ExprGen::IntLiteral(int lo, int hi) {
  const int64_t v = rng_->Int(lo, hi);
  return v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v);
}

std::string ExprGen::TimestampLiteral() {
  const int64_t minutes = (ds_->end_us - ds_->start_us) / 60'000'000;
  int64_t t = ds_->start_us + rng_->Int(0, minutes) * 60'000'000;
  if (rng_->Chance(0.2)) t += rng_->Int(0, 59) * 1'000'000;
  return "timestamp '" + FormatTimestamp(t) + "'";
}

std::string ExprGen::Literal(Kind k) {
  switch (k) {
    case Kind::kInt: return IntLiteral(-5, 120);
    case Kind::kDbl: return rng_->Chance(0.5) ? rng_->Pick(kDoubles) : IntLiteral(-5, 120);
    case Kind::kText:
      return SqlLiteral(sql::Value::Text(rng_->Chance(0.85) ? rng_->Pick(ds_->texts) : std::string("zz")));
    case Kind::kTs: return TimestampLiteral();
  }
  return "NULL";
}

std::string ExprGen::LikePattern() {
  static const std::vector<std::string> patterns = {"a%",  "%1", "_3",  "b_",   "%-%", "c%",     "%u%", "A%",
                                                    "%",   "",   "d%%", "%\\_%", "%\\%%", "%e%", "_", "gpu %"};
  return SqlLiteral(sql::Value::Text(rng_->Pick(patterns)));
}

std::string ExprGen::Divisor(const Scope& s, int depth, bool* is_int) {
  const int r = static_cast<int>(rng_->Int(0, 3));
  if (r <= 1) {
    *is_int = true;
    int64_t v = rng_->Int(1, 9) * (rng_->Chance(0.2) ? -1 : 1);
    return v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v);
  }
  if (r == 2) {
    *is_int = false;
    return rng_->Pick(std::vector<std::string>{"0.5", "2.5", "4.0", "0.25"});
  }
  Expr d = Num(s, depth - 1);
  *is_int = d.kind == Kind::kInt;
  return "NULLIF(" + d.sql + ", 0)";
}

Expr ExprGen::Num(const Scope& s, int depth) {
  std::vector<Expr> cols = NumColumns(s);
  if (depth <= 0 || rng_->Chance(0.35)) {
    if (!cols.empty() && rng_->Chance(0.85)) return rng_->Pick(cols);
    if (rng_->Chance(0.7)) return {IntLiteral(-5, 100), Kind::kInt};
    return {rng_->Pick(kDoubles), Kind::kDbl, true};
  }
  switch (rng_->Int(0, 14)) {
    case 0:
    case 1: {
      Expr a = Num(s, depth - 1), b = Num(s, depth - 1);
      static const std::vector<std::string> ops = {"+", "-", "*"};
      return {"(" + a.sql + " " + rng_->Pick(ops) + " " + b.sql + ")", Merge(a, b), a.numeric || b.numeric};
    }
    case 2: {
      Expr a = Num(s, depth - 1);
      if (!cols.empty() && rng_->Chance(0.3)) {
        // Division guarded by CASE: only the rows with a non-zero divisor may evaluate it.
        const Expr& c = rng_->Pick(cols);
        return {"CASE WHEN " + c.sql + " <> 0 THEN (" + a.sql + " / " + c.sql + ") END", Merge(a, c),
                a.numeric || c.numeric};
      }
      bool int_div = false;
      std::string d = Divisor(s, depth, &int_div);
      const bool ints = a.kind == Kind::kInt && int_div;
      return {"(" + a.sql + " / " + d + ")", ints ? Kind::kInt : Kind::kDbl, !ints && a.kind == Kind::kInt};
    }
    case 3: {
      std::vector<Expr> ints = Columns(s, Kind::kInt);
      Expr a = ints.empty() ? Expr{IntLiteral(-50, 50), Kind::kInt} : rng_->Pick(ints);
      return {"(" + a.sql + " % " + IntLiteral(1, 7) + ")", Kind::kInt};
    }
    case 4: {
      Expr a = Num(s, depth - 1);
      return {"abs(" + a.sql + ")", a.kind, a.numeric};
    }
    case 5: {
      Expr a = Num(s, depth - 1);
      const int r = static_cast<int>(rng_->Int(0, 2));
      if (r == 0 && !a.numeric) return {"round(" + a.sql + ")", a.kind};
      if (r == 1) return {"sqrt(abs(" + a.sql + "))", Kind::kDbl, a.numeric};
      return {"ln((abs(" + a.sql + ") + 1))", Kind::kDbl, a.numeric};
    }
    case 6: {
      Expr a = Num(s, depth - 1), b = Num(s, depth - 1);
      return {std::string(rng_->Chance(0.5) ? "greatest(" : "least(") + a.sql + ", " + b.sql + ")", Merge(a, b),
              a.numeric || b.numeric};
    }
    case 7: {
      Expr a = Num(s, depth - 1);
      Expr lit{Literal(a.kind), a.kind};
      if (lit.sql.find('.') != std::string::npos) lit.kind = Kind::kDbl;
      if (rng_->Chance(0.5)) return {"COALESCE(" + a.sql + ", " + lit.sql + ")", Merge(a, lit), a.numeric};
      return {"NULLIF(" + a.sql + ", " + lit.sql + ")", a.kind, a.numeric};
    }
    case 8: {
      Expr a = Num(s, depth - 1), b = Num(s, depth - 1);
      std::string p = Pred(s, depth - 1);
      if (rng_->Chance(0.3)) return {"CASE WHEN " + p + " THEN " + a.sql + " END", a.kind, a.numeric};
      return {"CASE WHEN " + p + " THEN " + a.sql + " ELSE " + b.sql + " END", Merge(a, b), a.numeric || b.numeric};
    }
    case 9: {
      Expr a = Num(s, depth - 1);
      return {"(-(" + a.sql + "))", a.kind, a.numeric};
    }
    case 10: {
      Expr a = Num(s, depth - 1);
      if (a.kind == Kind::kDbl && !a.numeric) return {"CAST(" + a.sql + " AS bigint)", Kind::kInt};
      return {"CAST(" + a.sql + " AS double precision)", Kind::kDbl};
    }
    case 11: return {"length(" + Text(s, depth - 1).sql + ")", Kind::kInt};
    case 12: {
      static const std::vector<std::string> fields = {"hour", "minute", "day", "dow", "month", "epoch"};
      return {"extract(" + rng_->Pick(fields) + " FROM " + Ts(s, depth - 1).sql + ")", Kind::kDbl, true};
    }
    case 13: {
      std::vector<Expr> dbls = Columns(s, Kind::kDbl);
      if (dbls.empty()) break;
      // Sixteenths are exact in binary, so rounding them in numeric and in double agrees.
      return {"round(CAST(" + rng_->Pick(dbls).sql + " AS numeric), " + IntLiteral(0, 3) + ")", Kind::kDbl, true};
    }
    default: break;
  }
  if (!cols.empty()) return rng_->Pick(cols);
  return {IntLiteral(0, 50), Kind::kInt};
}

Expr ExprGen::Text(const Scope& s, int depth) {
  std::vector<Expr> cols = Columns(s, Kind::kText);
  auto leaf = [&]() -> Expr {
    if (!cols.empty() && rng_->Chance(0.9)) return rng_->Pick(cols);
    return {Literal(Kind::kText), Kind::kText};
  };
  if (depth <= 0 || rng_->Chance(0.4)) return leaf();
  Expr a = leaf();
  switch (rng_->Int(0, 10)) {
    case 0: return {"lower(" + a.sql + ")", Kind::kText};
    case 1: return {"upper(" + a.sql + ")", Kind::kText};
    case 2: return {"(" + a.sql + " || " + Literal(Kind::kText) + ")", Kind::kText};
    case 3: return {"(" + a.sql + " || " + Text(s, depth - 1).sql + ")", Kind::kText};
    case 4: return {"COALESCE(" + a.sql + ", 'none')", Kind::kText};
    case 5: return {"NULLIF(" + a.sql + ", " + Literal(Kind::kText) + ")", Kind::kText};
    case 6:
      return {"CASE WHEN " + Pred(s, depth - 1) + " THEN " + Literal(Kind::kText) + " ELSE " + a.sql + " END",
              Kind::kText};
    case 7: return {"substr(" + a.sql + ", " + IntLiteral(1, 3) + ", " + IntLiteral(0, 3) + ")", Kind::kText};
    case 8: return {"replace(" + a.sql + ", 'a', 'A')", Kind::kText};
    case 9: return {"concat(" + a.sql + ", '/', " + Text(s, depth - 1).sql + ")", Kind::kText};
    default: {
      std::vector<Expr> ints = Columns(s, Kind::kInt);
      if (ints.empty()) return a;
      return {"CAST(" + rng_->Pick(ints).sql + " AS text)", Kind::kText};
    }
  }
}

Expr ExprGen::Ts(const Scope& s, int depth) {
  std::vector<Expr> cols = Columns(s, Kind::kTs);
  auto leaf = [&]() -> Expr {
    if (!cols.empty() && rng_->Chance(0.9)) return rng_->Pick(cols);
    return {TimestampLiteral(), Kind::kTs};
  };
  if (depth <= 0 || rng_->Chance(0.4)) return leaf();
  Expr a = leaf();
  static const std::vector<std::string> units = {"second", "minute", "hour", "day"};
  switch (rng_->Int(0, 3)) {
    case 0: return {"date_trunc('" + rng_->Pick(units) + "', " + a.sql + ")", Kind::kTs};
    case 1: return {"(" + a.sql + " + interval '" + IntLiteral(1, 90) + " minutes')", Kind::kTs};
    case 2: return {"(" + a.sql + " - interval '" + IntLiteral(1, 3) + " hours')", Kind::kTs};
    default: return {"COALESCE(" + a.sql + ", " + TimestampLiteral() + ")", Kind::kTs};
  }
}

Expr ExprGen::OfKind(Kind k, const Scope& s, int depth) {
  switch (k) {
    case Kind::kInt:
    case Kind::kDbl: return Num(s, depth);
    case Kind::kText: return Text(s, depth);
    case Kind::kTs: return Ts(s, depth);
  }
  return Num(s, depth);
}

Expr ExprGen::Any(const Scope& s, int depth) {
  if (!s.empty() && rng_->Chance(0.35)) return rng_->Pick(s);
  const int r = static_cast<int>(rng_->Int(0, 9));
  if (r < 5) return Num(s, depth);
  if (r < 8) return Text(s, depth);
  return Ts(s, depth);
}

std::string ExprGen::Pred(const Scope& s, int depth) {
  if (depth > 0 && rng_->Chance(0.3)) {
    switch (rng_->Int(0, 2)) {
      case 0: return "(" + Pred(s, depth - 1) + " AND " + Pred(s, depth - 1) + ")";
      case 1: return "(" + Pred(s, depth - 1) + " OR " + Pred(s, depth - 1) + ")";
      default: return "(NOT " + Pred(s, depth - 1) + ")";
    }
  }
  const std::string neg = rng_->Chance(0.25) ? "NOT " : "";
  // The compared side is mostly a bare column, so that predicates select some rows, not none.
  auto side = [&](Kind k) -> Expr {
    std::vector<Expr> cols = k == Kind::kText ? Columns(s, k) : k == Kind::kTs ? Columns(s, k) : NumColumns(s);
    if (!cols.empty() && rng_->Chance(0.7)) return rng_->Pick(cols);
    return OfKind(k, s, depth - 1);
  };
  switch (rng_->Int(0, 8)) {
    case 0:
    case 1: {
      Expr a = side(Kind::kDbl);
      std::string b = rng_->Chance(0.8) ? Literal(a.kind) : Num(s, depth - 1).sql;
      return "(" + a.sql + " " + rng_->Pick(kCompare) + " " + b + ")";
    }
    case 2: return "(" + side(Kind::kText).sql + " " + rng_->Pick(kCompare) + " " + Literal(Kind::kText) + ")";
    case 3: return "(" + side(Kind::kTs).sql + " " + rng_->Pick(kCompare) + " " + TimestampLiteral() + ")";
    case 4: {
      std::string list;
      const bool text = rng_->Chance(0.5) || NumColumns(s).empty();
      Expr x = side(text ? Kind::kText : Kind::kInt);
      const int n = static_cast<int>(rng_->Int(1, 4));
      for (int i = 0; i < n; ++i) list += (i ? ", " : "") + (text ? Literal(Kind::kText) : IntLiteral(-5, 40));
      if (rng_->Chance(0.15)) list += ", NULL";
      return "(" + x.sql + " " + neg + "IN (" + list + "))";
    }
    case 5: {
      if (rng_->Chance(0.5)) {
        std::string lo = TimestampLiteral(), hi = TimestampLiteral();
        if (lo > hi) std::swap(lo, hi);
        return "(" + side(Kind::kTs).sql + " " + neg + "BETWEEN " + lo + " AND " + hi + ")";
      }
      int64_t lo = rng_->Int(-10, 100), hi = lo + rng_->Int(0, 100);
      return "(" + side(Kind::kDbl).sql + " " + neg + "BETWEEN " + std::to_string(lo) + " AND " +
             std::to_string(hi) + ")";
    }
    case 6: {
      const std::string op = rng_->Chance(0.5) ? "LIKE" : "ILIKE";
      return "(" + side(Kind::kText).sql + " " + neg + op + " " + LikePattern() + ")";
    }
    case 7: {
      Expr a = s.empty() ? Num(s, 0) : rng_->Pick(s);
      return "(" + a.sql + (rng_->Chance(0.5) ? " IS NULL)" : " IS NOT NULL)");
    }
    default: {
      std::vector<Expr> nums = NumColumns(s);
      if (nums.size() < 2) return "(" + Num(s, depth - 1).sql + " > " + IntLiteral(0, 50) + ")";
      const size_t i = static_cast<size_t>(rng_->Int(0, static_cast<int64_t>(nums.size()) - 1));
      size_t j = static_cast<size_t>(rng_->Int(0, static_cast<int64_t>(nums.size()) - 2));
      if (j >= i) ++j;
      return "(" + nums[i].sql + " " + rng_->Pick(kCompare) + " " + nums[j].sql + ")";
    }
  }
}

Expr ExprGen::Agg(const Scope& s) {
  std::vector<Expr> nums = NumColumns(s);
  auto num_arg = [&]() -> Expr {
    if (!nums.empty() && rng_->Chance(0.6)) return rng_->Pick(nums);
    return Num(s, 1);
  };
  auto any_col = [&]() -> Expr { return s.empty() ? Num(s, 0) : rng_->Pick(s); };
  const std::string desc = rng_->Chance(0.25) ? " DESC" : "";
  switch (rng_->Int(0, 14)) {
    case 0: return {"count(*)", Kind::kInt};
    case 1: return {"count(" + any_col().sql + ")", Kind::kInt};
    case 2: return {"count(DISTINCT " + (rng_->Chance(0.7) ? any_col() : Any(s, 1)).sql + ")", Kind::kInt};
    case 3: {
      Expr a = num_arg();
      return {"sum(" + a.sql + ")", a.kind, a.numeric || a.kind == Kind::kInt};
    }
    case 4: {
      Expr a = num_arg();
      return {"avg(" + a.sql + ")", Kind::kDbl, a.numeric || a.kind == Kind::kInt};
    }
    case 5: {
      Expr a = rng_->Chance(0.7) ? any_col() : Any(s, 1);
      return {"min(" + a.sql + ")", a.kind, a.numeric};
    }
    case 6: {
      Expr a = rng_->Chance(0.7) ? any_col() : Any(s, 1);
      return {"max(" + a.sql + ")", a.kind, a.numeric};
    }
    case 7: {
      Expr a = num_arg();
      return {"stddev(" + a.sql + ")", Kind::kDbl, a.numeric || a.kind == Kind::kInt};
    }
    case 8:
      return {"percentile_cont(" + rng_->Pick(kFractions) + ") WITHIN GROUP (ORDER BY " + num_arg().sql + desc + ")",
              Kind::kDbl};
    case 9: {
      Expr a = any_col();
      return {"percentile_disc(" + rng_->Pick(kFractions) + ") WITHIN GROUP (ORDER BY " + a.sql + desc + ")",
              a.kind, a.numeric};
    }
    case 10: {
      Expr a = num_arg();
      return {"sum(CASE WHEN " + Pred(s, 1) + " THEN " + a.sql + " ELSE 0 END)", a.kind,
              a.numeric || a.kind == Kind::kInt};
    }
    case 11: {
      if (rng_->Chance(0.5)) return {"count(*) FILTER (WHERE " + Pred(s, 1) + ")", Kind::kInt};
      Expr a = num_arg();
      return {"sum(" + a.sql + ") FILTER (WHERE " + Pred(s, 1) + ")", a.kind, a.numeric || a.kind == Kind::kInt};
    }
    case 12: {
      Expr a = num_arg();
      if (rng_->Chance(0.4)) return {"(sum(" + a.sql + ") / NULLIF(count(*), 0))", Kind::kDbl, true};
      if (rng_->Chance(0.5)) return {"(2.21 / NULLIF(sum(" + a.sql + "), 0))", Kind::kDbl, true};
      if (a.kind == Kind::kDbl && !a.numeric) return {"round(avg(" + a.sql + "))", Kind::kDbl};
      return {"round(CAST(avg(" + a.sql + ") AS numeric), 2)", Kind::kDbl, true};
    }
    case 13: {
      Expr a = num_arg();
      return {"(max(" + a.sql + ") - min(" + a.sql + "))", a.kind, a.numeric};
    }
    default: {
      Expr a = num_arg();
      return {"COALESCE(sum(" + a.sql + "), 0)", a.kind, a.numeric || a.kind == Kind::kInt};
    }
  }
}

std::string ExprGen::AggPred(const Scope& s) {
  std::vector<Expr> nums = NumColumns(s);
  std::vector<Expr> texts = Columns(s, Kind::kText);
  auto one = [&]() -> std::string {
    switch (rng_->Int(0, 4)) {
      case 0: return "(count(*) " + rng_->Pick(kCompare) + " " + IntLiteral(0, 12) + ")";
      case 1:
        if (nums.empty()) break;
        return "(sum(" + rng_->Pick(nums).sql + ") > " + IntLiteral(-50, 500) + ")";
      case 2:
        if (nums.empty()) break;
        return "(max(" + rng_->Pick(nums).sql + ") IS NOT NULL)";
      case 3: {
        if (nums.empty()) break;
        const int64_t lo = rng_->Int(-10, 60);
        return "(avg(" + rng_->Pick(nums).sql + ") BETWEEN " + std::to_string(lo) + " AND " +
               std::to_string(lo + rng_->Int(5, 150)) + ")";
      }
      default:
        if (texts.empty()) break;
        return "(min(" + rng_->Pick(texts).sql + ") <> " + Literal(Kind::kText) + ")";
    }
    return "(count(*) > " + IntLiteral(0, 5) + ")";
  };
  if (rng_->Chance(0.25)) return "(" + one() + (rng_->Chance(0.5) ? " AND " : " OR ") + one() + ")";
  return one();
}

Expr ExprGen::GroupKey(const Scope& s) {
  std::vector<Expr> texts = Columns(s, Kind::kText), tss = Columns(s, Kind::kTs), ints = Columns(s, Kind::kInt),
                    dbls = Columns(s, Kind::kDbl), nums = NumColumns(s);
  for (int attempt = 0; attempt < 8; ++attempt) {
    switch (rng_->Int(0, 9)) {
      case 0:
      case 1:
        if (!texts.empty()) return rng_->Pick(texts);
        break;
      case 2:
        if (!texts.empty()) return {"COALESCE(" + rng_->Pick(texts).sql + ", 'none')", Kind::kText};
        break;
      case 3:
        if (!texts.empty()) return {"lower(" + rng_->Pick(texts).sql + ")", Kind::kText};
        break;
      case 4:
        if (!tss.empty()) {
          static const std::vector<std::string> units = {"hour", "minute", "hour", "day"};
          return {"date_trunc('" + rng_->Pick(units) + "', " + rng_->Pick(tss).sql + ")", Kind::kTs};
        }
        break;
      case 5:
        if (!ints.empty()) return {"(" + rng_->Pick(ints).sql + " % " + IntLiteral(2, 5) + ")", Kind::kInt};
        break;
      case 6:
        if (!nums.empty()) {
          const Expr& c = rng_->Pick(nums);
          return {"CASE WHEN " + c.sql + " > " + IntLiteral(0, 80) + " THEN 'hi' WHEN " + c.sql +
                      " IS NULL THEN 'none' ELSE 'lo' END",
                  Kind::kText};
        }
        break;
      case 7:
        if (!tss.empty()) return {"extract(hour FROM " + rng_->Pick(tss).sql + ")", Kind::kDbl, true};
        break;
      case 8:
        if (!nums.empty()) return rng_->Pick(nums);
        break;
      default:
        if (!dbls.empty()) {
          const Expr& d = rng_->Pick(dbls);
          if (!d.numeric) return {"round(" + d.sql + " / 16)", Kind::kDbl};
        }
        break;
    }
  }
  return s.empty() ? Expr{"1", Kind::kInt} : s.front();
}

}  // namespace infermetry::sqldiff
