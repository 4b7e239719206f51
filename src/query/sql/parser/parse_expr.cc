// Expressions, by PostgreSQL's precedence (lowest first):
//   OR < AND < NOT < IS < comparison (= <> < <= > >=) < LIKE ILIKE BETWEEN IN < || <
//   + - < * / % < ^ < AT TIME ZONE < unary + - < :: < primary
// Comparisons do not chain (a < b < c is an error, as in PostgreSQL).
#include <cstdlib>
#include <limits>

#include "query/sql/parser/parser_internal.h"

namespace infermetry::sql::internal {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

namespace {

ExprPtr Binary(std::string op, ExprPtr l, ExprPtr r) {
  auto e = MakeExpr(ExprKind::kBinary, l->pos);
  e->op = std::move(op);
  e->args.push_back(std::move(l));
  e->args.push_back(std::move(r));
  return e;
}

bool IsComparison(const Token& t) {
  if (t.kind != TokenKind::kOp) return false;
  return t.text == "=" || t.text == "<>" || t.text == "<" || t.text == "<=" || t.text == ">" ||
         t.text == ">=";
}

// NOT x; NOT EXISTS (...) is an EXISTS node with `negated` set.
ExprPtr MakeNot(int pos, ExprPtr operand) {
  if (operand->kind == ExprKind::kExists && !operand->negated && operand->pos > pos) {
    operand->negated = true;
    operand->pos = pos;
    return operand;
  }
  auto e = MakeExpr(ExprKind::kUnary, pos);
  e->op = "NOT";
  e->args.push_back(std::move(operand));
  return e;
}

}  // namespace

Result<ExprPtr> Parser::ParseExpr() {
  INFERMETRY_SQL_ENTER(this);
  return ParseOr();
}

Result<ExprPtr> Parser::ParseOr() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (AcceptKw("or")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    left = Binary("OR", std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseAnd() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (AcceptKw("and")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    left = Binary("AND", std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseNot() {
  if (!AtKw("not")) return ParseIs();
  int pos = Next().pos;
  INFERMETRY_SQL_ENTER(this);
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
  return MakeNot(pos, std::move(operand));
}

Result<ExprPtr> Parser::ParseIs() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParseComparison());
  for (;;) {
    if (AtKw("isnull") || AtKw("notnull")) {
      INFERMETRY_RETURN_IF_ERROR(Link());
      auto e = MakeExpr(ExprKind::kIsNull, left->pos);
      e->negated = Next().text == "notnull";
      e->args.push_back(std::move(left));
      left = std::move(e);
      continue;
    }
    if (!AtKw("is")) return left;
    Next();
    INFERMETRY_RETURN_IF_ERROR(Link());
    bool negated = AcceptKw("not");
    ExprPtr e;
    if (AcceptKw("null") || AcceptKw("unknown")) {
      e = MakeExpr(ExprKind::kIsNull, left->pos);
    } else if (AtKw("true") || AtKw("false")) {
      e = MakeExpr(ExprKind::kIsBool, left->pos);
      e->literal = Value::Bool(Next().text == "true");
    } else if (AcceptKw("distinct")) {
      INFERMETRY_RETURN_IF_ERROR(ExpectKw("from", "FROM after IS [NOT] DISTINCT"));
      e = MakeExpr(ExprKind::kIsDistinct, left->pos);
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParseComparison());
      e->args.push_back(std::move(left));
      e->args.push_back(std::move(right));
      e->negated = negated;
      left = std::move(e);
      continue;
    } else {
      return Fail("NULL, TRUE, FALSE or DISTINCT FROM after IS [NOT]");
    }
    e->negated = negated;
    e->args.push_back(std::move(left));
    left = std::move(e);
  }
}

Result<ExprPtr> Parser::ParseComparison() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParsePredicate());
  if (!IsComparison(Peek())) return left;
  std::string op = Next().text;
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParsePredicate());
  if (IsComparison(Peek())) {
    return Error(Peek().pos, "syntax error at or near \"" + Raw(Peek()) + "\"",
                 "Comparison operators do not chain; write a < b AND b < c.");
  }
  return Binary(std::move(op), std::move(left), std::move(right));
}

Result<ExprPtr> Parser::ParsePredicate() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  bool negated = false;
  if (AtKw("not") && (AtKw("like", 1) || AtKw("ilike", 1) || AtKw("in", 1) || AtKw("between", 1) ||
                      AtKw("similar", 1))) {
    Next();
    negated = true;
  }
  if (AtKw("like") || AtKw("ilike")) {
    auto e = MakeExpr(ExprKind::kLike, left->pos);
    e->case_insensitive = Next().text == "ilike";
    e->negated = negated;
    e->args.push_back(std::move(left));
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr pattern, ParseConcat());
    e->args.push_back(std::move(pattern));
    if (AcceptKw("escape")) {
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr esc, ParseConcat());
      e->args.push_back(std::move(esc));
    }
    return e;
  }
  if (AtKw("similar")) {
    return Unsupported(Peek(), "SIMILAR TO", "Use LIKE, ILIKE or a regular expression function.");
  }
  if (AcceptKw("in")) {
    int paren = Peek().pos;
    bool subquery = AtOp("(") && ParenHoldsQuery(i_);
    INFERMETRY_RETURN_IF_ERROR(OpenParen("( after IN, with a list of values or a subquery"));
    if (subquery) {
      auto e = MakeExpr(ExprKind::kInSubquery, left->pos);
      e->negated = negated;
      e->args.push_back(std::move(left));
      INFERMETRY_SQL_ENTER(this);
      INFERMETRY_ASSIGN_OR_RETURN(e->subquery, ParseQuery());
      INFERMETRY_RETURN_IF_ERROR(CloseParen("the IN subquery"));
      return e;
    }
    if (AtOp(")")) {
      return Error(paren, "syntax error at or near \")\"", "An IN list needs at least one value.");
    }
    auto e = MakeExpr(ExprKind::kInList, left->pos);
    e->negated = negated;
    e->args.push_back(std::move(left));
    do {
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
      e->args.push_back(std::move(item));
    } while (AcceptOp(","));
    INFERMETRY_RETURN_IF_ERROR(CloseParen("the IN list"));
    return e;
  }
  if (AcceptKw("between")) {
    if (AtKw("symmetric")) return Unsupported(Peek(), "BETWEEN SYMMETRIC");
    AcceptKw("asymmetric");
    auto e = MakeExpr(ExprKind::kBetween, left->pos);
    e->negated = negated;
    e->args.push_back(std::move(left));
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr lo, ParseConcat());
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("and", "AND between the two bounds of BETWEEN"));
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr hi, ParseConcat());
    e->args.push_back(std::move(lo));
    e->args.push_back(std::move(hi));
    return e;
  }
  return left;
}

Result<ExprPtr> Parser::ParseConcat() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
  while (AcceptOp("||")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
    left = Binary("||", std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseAdditive() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParseMultiplicative());
  while (AtOp("+") || AtOp("-")) {
    std::string op = Next().text;
    INFERMETRY_RETURN_IF_ERROR(Link());
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParseMultiplicative());
    left = Binary(std::move(op), std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseMultiplicative() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, ParsePower());
  while (AtOp("*") || AtOp("/") || AtOp("%")) {
    std::string op = Next().text;
    INFERMETRY_RETURN_IF_ERROR(Link());
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, ParsePower());
    left = Binary(std::move(op), std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParsePower() {
  // Operands are unary expressions, each optionally followed by AT TIME ZONE zone, which
  // becomes timezone(zone, x) as in PostgreSQL.
  auto operand = [this]() -> Result<ExprPtr> {
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr x, ParseUnary());
    while (AtKw("at") && AtKw("time", 1) && AtKw("zone", 2)) {
      Next();
      Next();
      Next();
      INFERMETRY_RETURN_IF_ERROR(Link());
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr zone, ParseUnary());
      auto f = MakeExpr(ExprKind::kFunction, x->pos);
      f->name = "timezone";
      f->args.push_back(std::move(zone));
      f->args.push_back(std::move(x));
      x = std::move(f);
    }
    return x;
  };
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr left, operand());
  while (AcceptOp("^")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr right, operand());
    left = Binary("^", std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseUnary() {
  if (!AtOp("-") && !AtOp("+")) return ParsePostfix();
  Token sign = Next();
  INFERMETRY_SQL_ENTER(this);
  // A minus sign before a bare number makes a negative constant (so that -9223372036854775808
  // is a bigint), unless a :: cast binds the number first.
  if (sign.text == "-" && Peek().kind == TokenKind::kNumber && !AtOp("::", 1)) {
    Token num = Next();
    return ParseNumber(num, true, sign.pos);
  }
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
  auto e = MakeExpr(ExprKind::kUnary, sign.pos);
  e->op = sign.text;
  e->args.push_back(std::move(operand));
  return e;
}

Result<ExprPtr> Parser::ParsePostfix() {
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
  while (AcceptOp("::")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    auto c = MakeExpr(ExprKind::kCast, e->pos);
    INFERMETRY_ASSIGN_OR_RETURN(c->cast_type, ParseTypeName());
    c->args.push_back(std::move(e));
    e = std::move(c);
  }
  return e;
}

Result<ExprPtr> Parser::ParseNumber(const Token& t, bool negative, int pos) {
  bool integral = t.text.find_first_of(".eE") == std::string::npos;
  if (integral) {
    // Accumulate as a negative number so that the most negative int64 fits.
    int64_t v = 0;
    bool fits = true;
    for (char c : t.text) {
      int d = c - '0';
      if (v < (std::numeric_limits<int64_t>::min() + d) / 10) {
        fits = false;
        break;
      }
      v = v * 10 - d;
    }
    if (fits && (negative || v != std::numeric_limits<int64_t>::min())) {
      return MakeLiteral(Value::Int(negative ? v : -v), pos);
    }
  }
  double d = std::strtod(t.text.c_str(), nullptr);
  return MakeLiteral(Value::Float(negative ? -d : d), pos);
}

Result<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Peek();
  switch (t.kind) {
    case TokenKind::kNumber: {
      Token num = Next();
      return ParseNumber(num, false, num.pos);
    }
    case TokenKind::kString: {
      auto e = MakeLiteral(Value::Text(t.text), t.pos);
      e->literal_unknown = true;
      Next();
      return e;
    }
    case TokenKind::kIdent:
      return ParseIdentifierExpr();
    case TokenKind::kOp:
      if (AtOp("(")) return ParseParenthesized();
      return Fail("an expression");
    case TokenKind::kEnd:
      break;
  }
  return Fail("an expression");
}

Result<ExprPtr> Parser::ParseParenthesized() {
  int pos = Peek().pos;
  INFERMETRY_SQL_ENTER(this);
  if (ParenHoldsQuery(i_)) {
    INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
    auto e = MakeExpr(ExprKind::kSubquery, pos);
    INFERMETRY_ASSIGN_OR_RETURN(e->subquery, ParseQuery());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("the subquery"));
    return e;
  }
  INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
  INFERMETRY_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
  if (AtOp(",")) {
    return Unsupported(Peek(), "a row value (a, b, ...)",
                       "Compare the fields one by one, or use IN (a, b, ...) for a list.");
  }
  INFERMETRY_RETURN_IF_ERROR(CloseParen("the parenthesis"));
  return e;
}

Result<ExprPtr> Parser::ParseIdentifierExpr() {
  const Token t = Peek();
  if (!t.quoted) {
    const std::string& w = t.text;
    if (w == "true" || w == "false") {
      Next();
      return MakeLiteral(Value::Bool(w == "true"), t.pos);
    }
    if (w == "null") {
      Next();
      return MakeLiteral(Value::Null(), t.pos);
    }
    if (w == "case") return ParseCase();
    if (w == "not") {  // as in `x = NOT y`
      Next();
      INFERMETRY_SQL_ENTER(this);
      INFERMETRY_ASSIGN_OR_RETURN(ExprPtr operand, ParseIs());
      return MakeNot(t.pos, std::move(operand));
    }
    if (AtTypedLiteral()) return ParseTypedLiteral();
    if (w == "cast" || w == "current_timestamp" || w == "current_date" || w == "localtimestamp" ||
        w == "current_time" || w == "localtime" ||
        (AtOp("(", 1) &&
         (w == "extract" || w == "exists" || w == "position" || w == "substring" || w == "trim"))) {
      return ParseSpecialFunction(t);
    }
    bool function_name_ok = AtOp("(", 1) && (w == "left" || w == "right");
    if (IsReservedWord(w) && !function_name_ok) {
      return Fail("an expression");
    }
  }
  Next();
  if (AtOp("(")) return ParseFunctionCall(t.text, t.pos);
  if (!AcceptOp(".")) {
    auto e = MakeExpr(ExprKind::kColumn, t.pos);
    e->name = t.text;
    return e;
  }
  if (AcceptOp("*")) {
    auto e = MakeExpr(ExprKind::kStar, t.pos);
    e->table = t.text;
    return e;
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::string second, ExpectName("a column name after \".\"", true));
  if (AtOp("(")) return ParseFunctionCall(second, t.pos);  // schema.function(...)
  if (AcceptOp(".")) {                                     // schema.table.column
    if (AcceptOp("*")) {
      auto e = MakeExpr(ExprKind::kStar, t.pos);
      e->table = second;
      return e;
    }
    INFERMETRY_ASSIGN_OR_RETURN(std::string third, ExpectName("a column name after \".\"", true));
    auto e = MakeExpr(ExprKind::kColumn, t.pos);
    e->table = std::move(second);
    e->name = std::move(third);
    return e;
  }
  auto e = MakeExpr(ExprKind::kColumn, t.pos);
  e->table = t.text;
  e->name = std::move(second);
  return e;
}

Result<ExprPtr> Parser::ParseCase() {
  int pos = Next().pos;
  auto e = MakeExpr(ExprKind::kCase, pos);
  if (!AtKw("when")) {
    INFERMETRY_ASSIGN_OR_RETURN(e->case_operand, ParseExpr());
  }
  if (!AtKw("when")) return Fail("WHEN after CASE");
  while (AcceptKw("when")) {
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr cond, ParseExpr());
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("then", "THEN after the WHEN condition"));
    INFERMETRY_ASSIGN_OR_RETURN(ExprPtr result, ParseExpr());
    e->whens.emplace_back(std::move(cond), std::move(result));
  }
  if (AcceptKw("else")) {
    INFERMETRY_ASSIGN_OR_RETURN(e->else_expr, ParseExpr());
  }
  INFERMETRY_RETURN_IF_ERROR(ExpectKw("end", "WHEN, ELSE or END to finish the CASE expression"));
  return e;
}

Status Parser::ParseOrderBy(std::vector<ast::OrderItem>* out) {
  do {
    ast::OrderItem item;
    INFERMETRY_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (AcceptKw("desc")) {
      item.desc = true;
    } else {
      AcceptKw("asc");
    }
    if (AtKw("using")) return Unsupported(Peek(), "ORDER BY ... USING", "Use ASC or DESC.");
    if (AcceptKw("nulls")) {
      if (AcceptKw("first")) {
        item.nulls_first = true;
      } else if (AcceptKw("last")) {
        item.nulls_first = false;
      } else {
        return Fail("FIRST or LAST after NULLS");
      }
    }
    out->push_back(std::move(item));
  } while (AcceptOp(","));
  return Status::Ok();
}

}  // namespace infermetry::sql::internal
