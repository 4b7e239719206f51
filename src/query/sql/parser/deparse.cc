#include "query/sql/parser/deparse.h"

#include <cstdio>
#include <cstdlib>

#include "query/sql/parser/interval_text.h"
#include "query/sql/parser/parser_internal.h"
#include "query/sql/parser/timestamp_text.h"

namespace infermetry::sql {
namespace {

using ast::ExprKind;

std::string QuoteString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string FormatDouble(double d) {
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof(buf), "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s(buf);
  // Keep it a float when read back: 2 -> 2.0; infinities as numbers too large for a double
  // (as 1e400 reads); NaN, which no literal reads as, as a cast.
  if (s == "inf") return "1e999";
  if (s == "-inf") return "-1e999";
  if (s == "nan" || s == "-nan") return "CAST('NaN' AS double precision)";
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string LiteralSql(const ast::Expr& e) {
  const Value& v = e.literal;
  if (v.null) return "NULL";
  switch (v.type) {
    case Type::kNull:
      return "NULL";
    case Type::kBool:
      return v.i ? "TRUE" : "FALSE";
    case Type::kInt64:
      return std::to_string(v.i);
    case Type::kFloat64:
      return FormatDouble(v.d);
    case Type::kText:
      return QuoteString(v.s);
    case Type::kTimestamp:
      return "timestamp " + QuoteString(FormatTimestamp(v.i));
    case Type::kInterval:
      return "interval " + QuoteString(FormatInterval(v.iv));
  }
  return "NULL";
}

void OrderList(const std::vector<ast::OrderItem>& items, std::string* out) {
  for (size_t k = 0; k < items.size(); ++k) {
    if (k > 0) *out += ", ";
    *out += ToSql(*items[k].expr);
    if (items[k].desc) *out += " DESC";
    if (items[k].nulls_first) *out += *items[k].nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t k = 0; k < names.size(); ++k) {
    if (k > 0) out += ", ";
    out += QuoteIdent(names[k]);
  }
  return out + ")";
}

// Function names that the grammar treats specially when written bare.
std::string FunctionName(const std::string& name) {
  static constexpr std::string_view kSpecial[] = {
      "exists",       "extract",           "position",  "trim",           "current_date",
      "current_time", "current_timestamp", "localtime", "localtimestamp", "cast"};
  for (std::string_view k : kSpecial) {
    if (k == name) return "\"" + name + "\"";
  }
  return QuoteIdent(name);
}

// Type names the parser produces that print bare (some are more than one word).
std::string TypeSql(const std::string& t) {
  static constexpr std::string_view kBare[] = {
      "bigint",  "integer", "smallint", "double precision", "real",
      "numeric", "text",    "boolean",  "timestamp",        "timestamptz",
      "time",    "timetz",  "date",     "interval"};
  for (std::string_view k : kBare) {
    if (k == t) return t;
  }
  // Quoted, so that it reads back as written (a bare int would become integer).
  std::string out = "\"";
  for (char c : t) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool IsNumericLiteral(const ast::Expr& e) {
  return e.kind == ExprKind::kLiteral && !e.literal.null &&
         (e.literal.type == Type::kInt64 || e.literal.type == Type::kFloat64);
}

}  // namespace

std::string QuoteIdent(const std::string& name) {
  bool plain = !name.empty() && !internal::IsReservedWord(name) &&
               ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) plain = false;
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ToSql(const ast::Expr& e) {
  std::string out;
  auto arg = [&](size_t k) { return ToSql(*e.args[k]); };
  std::string not_ = e.negated ? "NOT " : "";
  switch (e.kind) {
    case ExprKind::kLiteral:
      return LiteralSql(e);
    case ExprKind::kColumn:
      return e.table.empty() ? QuoteIdent(e.name) : QuoteIdent(e.table) + "." + QuoteIdent(e.name);
    case ExprKind::kStar:
      return e.table.empty() ? "*" : QuoteIdent(e.table) + ".*";
    case ExprKind::kUnary:
      // "-(1)" stays an operator applied to a constant; "- 1" would read back as -1.
      if (IsNumericLiteral(*e.args[0])) return "(" + e.op + " (" + arg(0) + "))";
      return "(" + e.op + " " + arg(0) + ")";
    case ExprKind::kBinary:
      return "(" + arg(0) + " " + e.op + " " + arg(1) + ")";
    case ExprKind::kFunction: {
      out = FunctionName(e.name) + "(";
      if (e.star) out += "*";
      if (e.distinct) out += "DISTINCT ";
      for (size_t k = 0; k < e.args.size(); ++k) out += (k > 0 ? ", " : "") + arg(k);
      out += ")";
      if (!e.within_group.empty()) {
        out += " WITHIN GROUP (ORDER BY ";
        OrderList(e.within_group, &out);
        out += ")";
      }
      if (e.filter) out += " FILTER (WHERE " + ToSql(*e.filter) + ")";
      return out;
    }
    case ExprKind::kCase:
      out = "CASE";
      if (e.case_operand) out += " " + ToSql(*e.case_operand);
      for (const auto& [w, t] : e.whens) out += " WHEN " + ToSql(*w) + " THEN " + ToSql(*t);
      if (e.else_expr) out += " ELSE " + ToSql(*e.else_expr);
      return out + " END";
    case ExprKind::kCast:
      return "CAST(" + arg(0) + " AS " + TypeSql(e.cast_type) + ")";
    case ExprKind::kIsNull:
      return "(" + arg(0) + " IS " + not_ + "NULL)";
    case ExprKind::kIsBool:
      return "(" + arg(0) + " IS " + not_ + (e.literal.i ? "TRUE)" : "FALSE)");
    case ExprKind::kIsDistinct:
      return "(" + arg(0) + " IS " + not_ + "DISTINCT FROM " + arg(1) + ")";
    case ExprKind::kInList:
      out = "(" + arg(0) + " " + not_ + "IN (";
      for (size_t k = 1; k < e.args.size(); ++k) out += (k > 1 ? ", " : "") + arg(k);
      return out + "))";
    case ExprKind::kInSubquery:
      return "(" + arg(0) + " " + not_ + "IN (" + ToSql(*e.subquery) + "))";
    case ExprKind::kBetween:
      return "(" + arg(0) + " " + not_ + "BETWEEN " + arg(1) + " AND " + arg(2) + ")";
    case ExprKind::kLike:
      out = "(" + arg(0) + " " + not_ + (e.case_insensitive ? "ILIKE " : "LIKE ") + arg(1);
      if (e.args.size() > 2) out += " ESCAPE " + arg(2);
      return out + ")";
    case ExprKind::kSubquery:
      return "(" + ToSql(*e.subquery) + ")";
    case ExprKind::kExists:
      return "(" + not_ + "EXISTS (" + ToSql(*e.subquery) + "))";
    case ExprKind::kExtract:
      return "EXTRACT(" + QuoteIdent(e.field) + " FROM " + arg(0) + ")";
  }
  return out;
}

std::string ToSql(const ast::TableRef& t) {
  std::string out;
  switch (t.kind) {
    case ast::TableRef::Kind::kTable:
      out = QuoteIdent(t.name);
      break;
    case ast::TableRef::Kind::kSubquery:
      out = "(";
      out += ToSql(*t.subquery);
      out += ")";
      break;
    case ast::TableRef::Kind::kJoin: {
      static constexpr const char* kJoin[] = {" JOIN ", " LEFT JOIN ", " RIGHT JOIN ",
                                              " FULL JOIN ", " CROSS JOIN "};
      out = "(";
      out += ToSql(*t.left);
      out += kJoin[static_cast<int>(t.join)];
      out += ToSql(*t.right);
      if (t.on) out += " ON " + ToSql(*t.on);
      if (!t.using_columns.empty()) out += " USING " + NameList(t.using_columns);
      return out + ")";
    }
  }
  if (!t.alias.empty()) out += " AS " + QuoteIdent(t.alias);
  if (!t.column_aliases.empty()) out += NameList(t.column_aliases);
  return out;
}

std::string ToSql(const ast::Query& q) {
  std::string out;
  if (!q.with.empty()) {
    out += "WITH ";
    for (size_t k = 0; k < q.with.size(); ++k) {
      const auto& ct = q.with[k];
      if (k > 0) out += ", ";
      out += QuoteIdent(ct.name);
      if (!ct.columns.empty()) out += NameList(ct.columns);
      out += " AS (" + ToSql(*ct.query) + ")";
    }
    out += " ";
  }
  if (q.select) {
    const ast::Select& s = *q.select;
    out += s.distinct ? "SELECT DISTINCT " : "SELECT ";
    for (size_t k = 0; k < s.items.size(); ++k) {
      if (k > 0) out += ", ";
      out += ToSql(*s.items[k].expr);
      if (!s.items[k].alias.empty()) out += " AS " + QuoteIdent(s.items[k].alias);
    }
    if (s.from) out += " FROM " + ToSql(*s.from);
    if (s.where) out += " WHERE " + ToSql(*s.where);
    for (size_t k = 0; k < s.group_by.size(); ++k) {
      out += (k == 0 ? " GROUP BY " : ", ") + ToSql(*s.group_by[k]);
    }
    if (s.having) out += " HAVING " + ToSql(*s.having);
  } else if (q.left && q.right) {
    static constexpr const char* kOp[] = {"", " UNION ALL ", " UNION ", " INTERSECT ", " EXCEPT "};
    out +=
        "(" + ToSql(*q.left) + ")" + kOp[static_cast<int>(q.set_op)] + "(" + ToSql(*q.right) + ")";
  }
  if (!q.order_by.empty()) {
    out += " ORDER BY ";
    OrderList(q.order_by, &out);
  }
  if (q.limit) out += " LIMIT " + ToSql(*q.limit);
  if (q.offset) out += " OFFSET " + ToSql(*q.offset);
  return out;
}

std::string ToSql(const ast::Statement& st) {
  std::string out;
  if (st.explain) out = st.analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ";
  if (st.query) out += ToSql(*st.query);
  return out;
}

}  // namespace infermetry::sql
