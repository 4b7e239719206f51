// Function calls (aggregates with DISTINCT, FILTER and WITHIN GROUP; the calls PostgreSQL
// writes with special syntax: CAST, EXTRACT, EXISTS, position, substring, trim,
// current_timestamp and friends), type names, and typed literals (interval '1 hour').
#include <cstdlib>
#include <utility>

#include "query/sql/parser/interval_text.h"
#include "query/sql/parser/parser_internal.h"
#include "query/sql/parser/timestamp_text.h"

namespace infermetry::sql::internal {

using ast::ExprKind;
using ast::ExprPtr;

namespace {

// Type names that may precede a string to make a typed literal (type 'text').
constexpr std::string_view kLiteralTypes[] = {
    "interval", "timestamp", "timestamptz", "date",    "time",  "timetz",  "text",
    "bigint",   "int",       "int2",        "int4",    "int8",  "integer", "smallint",
    "boolean",  "bool",      "numeric",     "decimal", "real",  "float4",  "float8",
    "varchar",  "char",      "character",   "json",    "jsonb", "uuid",    "bytea"};

}  // namespace

bool Parser::AtTypedLiteral() const {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdent || t.quoted) return false;
  if (t.text == "double") return AtKw("precision", 1) && Peek(2).kind == TokenKind::kString;
  if ((t.text == "timestamp" || t.text == "time") && (AtKw("with", 1) || AtKw("without", 1))) {
    return AtKw("time", 2) && AtKw("zone", 3) && Peek(4).kind == TokenKind::kString;
  }
  if (Peek(1).kind != TokenKind::kString) return false;
  for (std::string_view n : kLiteralTypes) {
    if (n == t.text) return true;
  }
  return false;
}

Result<ExprPtr> Parser::ParseTypedLiteral() {
  int pos = Peek().pos;
  INFERMETRY_ASSIGN_OR_RETURN(std::string type, ParseTypeName());
  Token str = Next();  // AtTypedLiteral checked that it is a string
  if (type == "interval") {
    // An optional field qualifier, as in interval '1' hour or interval '1 day 2 hours' day:
    // a bare number is in the qualifier's last unit, and smaller fields are dropped.
    static constexpr std::string_view kUnits[] = {"year", "month",  "day",
                                                  "hour", "minute", "second"};
    auto unit_index = [&](int k) {
      for (int u = 0; u < 6; ++u) {
        if (AtKw(kUnits[u], k)) return u;
      }
      return -1;
    };
    int unit = unit_index(0);
    if (unit >= 0) {
      Next();
      if (AtKw("to") && unit_index(1) > unit) {
        Next();
        unit = unit_index(0);
        Next();
      }
    }
    std::string text = str.text;
    bool bare_number =
        !text.empty() && text.find_first_not_of("+-.0123456789 ") == std::string::npos;
    if (unit >= 0 && bare_number) {
      text += ' ';
      text += kUnits[unit];
    }
    auto iv = ParseIntervalText(text);
    if (!iv.ok()) {
      return Error(str.pos, "invalid input syntax for type interval: \"" + str.text + "\"",
                   "Write an interval such as '5 minutes', '1 hour', '24 hours', "
                   "'1 day 02:00:00' or '90 seconds'.");
    }
    Interval v = *iv;
    constexpr int64_t kMinute = 60'000'000, kHour = 60 * kMinute;
    switch (unit) {
      case 0:
        v.months -= v.months % 12;
        [[fallthrough]];
      case 1:
        v.days = 0;
        [[fallthrough]];
      case 2:
        v.micros = 0;
        break;
      case 3:
        v.micros -= v.micros % kHour;
        break;
      case 4:
        v.micros -= v.micros % kMinute;
        break;
      default:
        break;
    }
    return MakeLiteral(Value::Interv(v), pos);
  }
  if (type == "timestamp" || type == "timestamptz" || type == "date") {
    auto ts = ParseTimestampText(str.text);
    if (!ts.ok()) {
      std::string message = ts.status().message();
      if (type != "timestamp") {
        size_t at = message.find("type timestamp");
        if (at != std::string::npos) message.replace(at, 14, "type " + type);
      }
      return Error(str.pos, message,
                   type == "date" ? "Write a date as 'YYYY-MM-DD'."
                                  : "Write a timestamp as 'YYYY-MM-DD HH:MM:SS[.ffffff]', "
                                    "optionally with a zone such as 'Z' or '+02:00'.");
    }
    int64_t us = *ts;
    if (type == "date") {
      constexpr int64_t kDay = 86'400'000'000;
      us = (us >= 0 ? us / kDay : (us - kDay + 1) / kDay) * kDay;
    }
    return MakeLiteral(Value::Timestamp(us), pos);
  }
  auto lit = MakeLiteral(Value::Text(str.text), str.pos);
  lit->literal_unknown = true;
  auto c = MakeExpr(ExprKind::kCast, pos);
  c->cast_type = std::move(type);
  c->args.push_back(std::move(lit));
  return c;
}

Result<ExprPtr> Parser::ParseFunctionCall(std::string name, int pos) {
  auto e = MakeExpr(ExprKind::kFunction, pos);
  e->name = std::move(name);
  std::string what = "the arguments of " + e->name + "(";
  INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
  if (AtOp("*")) {
    Next();
    e->star = true;
  } else if (!AtOp(")")) {
    if (AcceptKw("distinct")) {
      e->distinct = true;
    } else {
      AcceptKw("all");
    }
    do {
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr());
      e->args.push_back(std::move(arg));
    } while (AcceptOp(","));
    if (AtKw("order")) {
      return Unsupported(Peek(), "ORDER BY inside an aggregate's arguments",
                         "Ordered-set aggregates such as percentile_cont take WITHIN GROUP "
                         "(ORDER BY ...) after the argument list.");
    }
  }
  INFERMETRY_RETURN_IF_ERROR(CloseParen(what));
  if (AtKw("within") && AtKw("group", 1)) {
    Next();
    Next();
    const char* kWithinHint =
        "WITHIN GROUP takes (ORDER BY <expression>), as in percentile_cont(0.95) WITHIN GROUP "
        "(ORDER BY value).";
    if (!AtOp("(")) {
      return Error(Peek().pos,
                   Peek().kind == TokenKind::kEnd
                       ? "syntax error at end of input"
                       : "syntax error at or near \"" + Raw(Peek()) + "\"",
                   kWithinHint);
    }
    INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
    if (!AtKw("order") || !AtKw("by", 1)) {
      return Error(Peek().pos,
                   Peek().kind == TokenKind::kEnd
                       ? "syntax error at end of input"
                       : "syntax error at or near \"" + Raw(Peek()) + "\"",
                   kWithinHint);
    }
    Next();
    Next();
    INFERMETRY_RETURN_IF_ERROR(ParseOrderBy(&e->within_group));
    INFERMETRY_RETURN_IF_ERROR(CloseParen("WITHIN GROUP ("));
  }
  if (AtKw("filter") && AtOp("(", 1)) {
    Next();
    INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("where", "WHERE inside FILTER (WHERE <condition>)"));
    INFERMETRY_ASSIGN_OR_RETURN(e->filter, ParseExpr());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("FILTER ("));
  }
  if (AtKw("over") && (AtOp("(", 1) || AtName(1))) {
    return Unsupported(Peek(), "OVER (a window function)",
                       "Aggregate with GROUP BY instead, or join with an aggregated subquery.");
  }
  return e;
}

Result<ExprPtr> Parser::ParseSpecialFunction(const Token& t) {
  const std::string& w = t.text;
  Next();
  auto fn = [&](std::string name) {
    auto e = MakeExpr(ExprKind::kFunction, t.pos);
    e->name = std::move(name);
    return e;
  };
  if (w == "current_timestamp" || w == "current_date" || w == "localtimestamp" ||
      w == "current_time" || w == "localtime") {
    if (w != "current_date" && AtOp("(")) {  // precision, ignored
      INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
      if (Peek().kind != TokenKind::kNumber) return Fail("a precision (an integer)");
      Next();
      INFERMETRY_RETURN_IF_ERROR(CloseParen("the precision"));
    }
    if (w == "current_date") return fn("current_date");
    if (w == "current_time" || w == "localtime") return fn("current_time");
    return fn("now");
  }
  if (w == "cast") {
    INFERMETRY_RETURN_IF_ERROR(OpenParen("( after CAST"));
    auto c = MakeExpr(ExprKind::kCast, t.pos);
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr x, ParseExpr());
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("as", "AS and a type name, as in CAST(x AS bigint)"));
    INFERMETRY_ASSIGN_OR_RETURN(c->cast_type, ParseTypeName());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("CAST("));
    c->args.push_back(std::move(x));
    return c;
  }
  if (w == "exists") {
    auto e = MakeExpr(ExprKind::kExists, t.pos);
    INFERMETRY_RETURN_IF_ERROR(OpenParen("( after EXISTS"));
    if (!AtKw("select") && !AtKw("with") && !AtOp("(")) return Fail("a subquery after EXISTS (");
    INFERMETRY_SQL_ENTER(this);
    INFERMETRY_ASSIGN_OR_RETURN(e->subquery, ParseQuery());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("EXISTS ("));
    return e;
  }
  INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
  if (w == "extract") {
    auto e = MakeExpr(ExprKind::kExtract, t.pos);
    const Token& f = Peek();
    if (f.kind != TokenKind::kIdent && f.kind != TokenKind::kString) {
      return Fail("a field name such as epoch, hour or day, as in EXTRACT(hour FROM ts)");
    }
    e->field = Next().text;
    for (char& c : e->field) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("from", "FROM, as in EXTRACT(hour FROM ts)"));
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr x, ParseExpr());
    e->args.push_back(std::move(x));
    INFERMETRY_RETURN_IF_ERROR(CloseParen("EXTRACT("));
    return e;
  }
  if (w == "position") {  // position(a IN b) is strpos(b, a)
    auto e = fn("strpos");
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr needle, ParseConcat());
    if (AcceptOp(",")) {
      return Error(Peek().pos, "syntax error at or near \",\"",
                   "position takes (substring IN string).");
    }
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("in", "IN, as in position('x' IN s)"));
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr hay, ParseConcat());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("position("));
    e->args.push_back(std::move(hay));
    e->args.push_back(std::move(needle));
    return e;
  }
  if (w == "substring") {  // substring(s FROM a FOR b), substring(s, a, b)
    auto e = fn("substring");
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr s, ParseExpr());
    e->args.push_back(std::move(s));
    if (AcceptOp(",")) {
      do {
        INFERMETRY_ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
        e->args.push_back(std::move(a));
      } while (AcceptOp(","));
    } else {
      ExprPtr from, len;
      for (int k = 0; k < 2; ++k) {
        if (!from && AcceptKw("from")) {
          INFERMETRY_ASSIGN_OR_RETURN(from, ParseExpr());
        } else if (!len && AcceptKw("for")) {
          INFERMETRY_ASSIGN_OR_RETURN(len, ParseExpr());
        }
      }
      if (!from && !len) return Fail("FROM or FOR, as in substring(s FROM 2 FOR 3)");
      e->args.push_back(from ? std::move(from) : MakeLiteral(Value::Int(1), e->pos));
      if (len) e->args.push_back(std::move(len));
    }
    INFERMETRY_RETURN_IF_ERROR(CloseParen("substring("));
    return e;
  }
  // trim([LEADING|TRAILING|BOTH] [chars] FROM s) and trim(s [, chars]).
  std::string name = "btrim";
  if (AcceptKw("leading")) {
    name = "ltrim";
  } else if (AcceptKw("trailing")) {
    name = "rtrim";
  } else {
    AcceptKw("both");
  }
  auto e = fn(name);
  ExprPtr chars;
  if (!AtKw("from")) {
    INFERMETRY_ASSIGN_OR_RETURN(chars, ParseExpr());
  }
  if (AcceptKw("from")) {
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr s, ParseExpr());
    e->args.push_back(std::move(s));
    if (chars) e->args.push_back(std::move(chars));
  } else {
    if (!chars) return Fail("an expression");
    e->args.push_back(std::move(chars));
    while (AcceptOp(",")) {
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
      e->args.push_back(std::move(a));
    }
  }
  INFERMETRY_RETURN_IF_ERROR(CloseParen("trim("));
  return e;
}

Result<std::string> Parser::ParseTypeName() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdent) return Fail("a type name");
  std::string w = Next().text;
  if (!t.quoted && w == "pg_catalog" && AtOp(".")) {
    Next();
    if (Peek().kind != TokenKind::kIdent) return Fail("a type name");
    w = Next().text;
  }
  // Type modifiers, as in varchar(10) or numeric(10, 2): accepted and dropped.
  auto modifiers = [this]() -> Result<std::vector<int64_t>> {
    std::vector<int64_t> mods;
    if (!AtOp("(")) return mods;
    INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
    do {
      if (Peek().kind != TokenKind::kNumber) return Fail("an integer type modifier");
      mods.push_back(std::atoll(Next().text.c_str()));
    } while (AcceptOp(","));
    INFERMETRY_RETURN_IF_ERROR(CloseParen("the type modifiers"));
    return mods;
  };
  auto zone = [this](std::string_view plain, std::string_view tz) -> Result<std::string> {
    if (AtKw("with") || AtKw("without")) {
      bool with = Next().text == "with";
      INFERMETRY_RETURN_IF_ERROR(ExpectKw("time", "TIME ZONE"));
      INFERMETRY_RETURN_IF_ERROR(ExpectKw("zone", "ZONE after TIME"));
      return std::string(with ? tz : plain);
    }
    return std::string(plain);
  };
  if (t.quoted) {
    INFERMETRY_RETURN_IF_ERROR(modifiers().status());
    // A quoted name is taken as written, with PostgreSQL's own spellings of the built-in
    // types mapped to the names above.
    static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
        {"int4", "integer"},
        {"int8", "bigint"},
        {"int2", "smallint"},
        {"float8", "double precision"},
        {"float4", "real"},
        {"bool", "boolean"},
        {"varchar", "text"},
        {"bpchar", "text"},
        {"character varying", "text"},
        {"timestamp without time zone", "timestamp"},
        {"timestamp with time zone", "timestamptz"},
        {"decimal", "numeric"}};
    for (const auto& [from, to] : kNames) {
      if (w == from) return std::string(to);
    }
    return w;
  }
  if (w == "double") {
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("precision", "PRECISION after DOUBLE"));
    return std::string("double precision");
  }
  if (w == "timestamp" || w == "time") {
    INFERMETRY_RETURN_IF_ERROR(modifiers().status());
    return zone(w, w == "timestamp" ? "timestamptz" : "timetz");
  }
  if (w == "character" || w == "char" || w == "varchar" || w == "text" || w == "bpchar") {
    if (w == "character" || w == "char") AcceptKw("varying");
    INFERMETRY_RETURN_IF_ERROR(modifiers().status());
    return std::string("text");
  }
  if (w == "numeric" || w == "decimal" || w == "dec") {
    INFERMETRY_RETURN_IF_ERROR(modifiers().status());
    return std::string("numeric");
  }
  if (w == "int" || w == "int4" || w == "integer") return std::string("integer");
  if (w == "int8" || w == "bigint") return std::string("bigint");
  if (w == "int2" || w == "smallint") return std::string("smallint");
  if (w == "float8") return std::string("double precision");
  if (w == "float4" || w == "real") return std::string("real");
  if (w == "float") {
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<int64_t> mods, modifiers());
    return std::string(!mods.empty() && mods[0] <= 24 ? "real" : "double precision");
  }
  if (w == "bool" || w == "boolean") return std::string("boolean");
  if (w == "interval") {
    INFERMETRY_RETURN_IF_ERROR(modifiers().status());
    return std::string("interval");
  }
  if (IsReservedWord(w)) {
    --i_;
    return Fail("a type name");
  }
  INFERMETRY_RETURN_IF_ERROR(modifiers().status());
  return w;
}

}  // namespace infermetry::sql::internal
