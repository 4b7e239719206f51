// ParseSql, the statement level, the reserved words and the token helpers.
#include "query/sql/parser/parser.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "query/sql/error.h"
#include "query/sql/parser/parser_internal.h"

namespace infermetry::sql {
namespace internal {
namespace {

// PostgreSQL's reserved keywords and its type/function-name keywords.
// clang-format off
constexpr std::string_view kReserved[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "binary", "both", "case", "cast", "check", "collate", "collation", "column",
    "concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
    "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
    "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in",
    "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
    "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null",
    "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary",
    "references", "returning", "right", "select", "session_user", "similar", "some", "symmetric",
    "table", "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
    "variadic", "verbose", "when", "where", "window", "with"};
// clang-format on

}  // namespace

bool IsReservedWord(std::string_view word) {
  return std::find(std::begin(kReserved), std::end(kReserved), word) != std::end(kReserved);
}

ast::ExprPtr MakeExpr(ast::ExprKind kind, int pos) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

ast::ExprPtr MakeLiteral(Value v, int pos) {
  auto e = MakeExpr(ast::ExprKind::kLiteral, pos);
  e->literal = std::move(v);
  return e;
}

Parser::Parser(std::string_view sql, std::vector<Token> tokens)
    : sql_(sql), toks_(std::move(tokens)), match_(toks_.size(), -1) {
  std::vector<int> stack;
  for (size_t k = 0; k < toks_.size(); ++k) {
    if (toks_[k].kind != TokenKind::kOp) continue;
    if (toks_[k].text == "(") {
      stack.push_back(static_cast<int>(k));
    } else if (toks_[k].text == ")" && !stack.empty()) {
      match_[k] = stack.back();
      match_[static_cast<size_t>(stack.back())] = static_cast<int>(k);
      stack.pop_back();
    }
  }
}

bool Parser::ParenHoldsQuery(size_t j) const {
  // Walk down the run of "(" (bounded: deeper nesting fails the depth limit anyway).
  std::vector<size_t> chain{j};
  while (chain.size() <= static_cast<size_t>(kMaxSqlDepth) && chain.back() + 1 < toks_.size() &&
         toks_[chain.back() + 1].kind == TokenKind::kOp && toks_[chain.back() + 1].text == "(") {
    chain.push_back(chain.back() + 1);
  }
  auto is_kw = [this](size_t k, std::string_view kw) {
    return k < toks_.size() && toks_[k].kind == TokenKind::kIdent && !toks_[k].quoted &&
           toks_[k].text == kw;
  };
  size_t inner = chain.back();
  if (!is_kw(inner + 1, "select") && !is_kw(inner + 1, "with")) {
    return false;
  }
  // Each enclosing "(" holds a query when what follows its inner parenthesized query continues
  // a query (a set operation or a tail clause) or closes it.
  for (size_t c = chain.size() - 1; c-- > 0;) {
    int m = match_[chain[c + 1]];
    if (m < 0) return false;
    size_t after = static_cast<size_t>(m) + 1;
    if (after >= toks_.size()) return false;
    const Token& t = toks_[after];
    bool closes =
        t.kind == TokenKind::kOp && t.text == ")" && match_[after] == static_cast<int>(chain[c]);
    bool continues = is_kw(after, "union") || is_kw(after, "intersect") || is_kw(after, "except") ||
                     is_kw(after, "order") || is_kw(after, "limit") || is_kw(after, "offset") ||
                     is_kw(after, "fetch");
    if (!closes && !continues) return false;
  }
  return true;
}

const Token& Parser::Peek(int k) const {
  size_t j = std::min(i_ + static_cast<size_t>(k), toks_.size() - 1);
  return toks_[j];
}

const Token& Parser::Next() {
  const Token& t = toks_[i_];
  if (i_ + 1 < toks_.size()) ++i_;
  return t;
}

bool Parser::AtKw(std::string_view kw, int k) const {
  const Token& t = Peek(k);
  return t.kind == TokenKind::kIdent && !t.quoted && t.text == kw;
}

bool Parser::AtOp(std::string_view op, int k) const {
  const Token& t = Peek(k);
  return t.kind == TokenKind::kOp && t.text == op;
}

bool Parser::AcceptKw(std::string_view kw) {
  if (!AtKw(kw)) return false;
  Next();
  return true;
}

bool Parser::AcceptOp(std::string_view op) {
  if (!AtOp(op)) return false;
  Next();
  return true;
}

Status Parser::ExpectKw(std::string_view kw, std::string_view expected) {
  if (AcceptKw(kw)) return Status::Ok();
  return Fail(expected);
}

Status Parser::OpenParen(std::string_view expected) {
  if (!AtOp("(")) return Fail(expected);
  open_parens_.push_back(Next().pos);
  return Status::Ok();
}

bool Parser::AcceptOpenParen() {
  if (!AtOp("(")) return false;
  open_parens_.push_back(Next().pos);
  return true;
}

Status Parser::CloseParen(std::string_view what) {
  if (AtOp(")")) {
    Next();
    if (!open_parens_.empty()) open_parens_.pop_back();
    return Status::Ok();
  }
  return Fail(std::string(") to close ") + std::string(what));
}

bool Parser::AtName(int k) const {
  const Token& t = Peek(k);
  return t.kind == TokenKind::kIdent && (t.quoted || !IsReservedWord(t.text));
}

Result<ast::Statement> Parser::ParseStatement() {
  ast::Statement st;
  if (Peek().kind == TokenKind::kEnd || (AtOp(";") && Peek(1).kind == TokenKind::kEnd)) {
    return Error(Peek().pos, "empty query", "Write a SELECT statement.");
  }
  if (AcceptKw("explain")) {
    st.explain = true;
    if (AcceptKw("analyze") || AcceptKw("analyse")) st.analyze = true;
    AcceptKw("verbose");
    if (AtOp("(") && !AtKw("select", 1) && !AtKw("with", 1) && !AtOp("(", 1)) {
      INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
      for (;;) {
        const Token& opt = Peek();
        if (opt.kind != TokenKind::kIdent) return Fail("an EXPLAIN option");
        std::string name = Next().text;
        bool value = true;
        if (AcceptKw("false") || AcceptKw("off")) {
          value = false;
        } else if (AcceptKw("true") || AcceptKw("on")) {
        } else if (Peek().kind == TokenKind::kIdent && name == "format") {
          Next();
        } else if (Peek().kind == TokenKind::kNumber) {
          value = Next().text != "0";
        }
        static constexpr std::string_view kKnown[] = {"analyze", "analyse", "verbose", "costs",
                                                      "buffers", "timing",  "summary", "settings",
                                                      "wal",     "format"};
        if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
          return Error(opt.pos, "unrecognized EXPLAIN option \"" + name + "\"",
                       "EXPLAIN takes ANALYZE, VERBOSE, COSTS, BUFFERS, TIMING, SUMMARY, "
                       "SETTINGS, WAL and FORMAT.");
        }
        if (name == "analyze" || name == "analyse") st.analyze = value;
        if (!AcceptOp(",")) break;
      }
      INFERMETRY_RETURN_IF_ERROR(CloseParen("the EXPLAIN options"));
    }
  }
  if (Peek().kind == TokenKind::kIdent && !Peek().quoted) {
    static constexpr std::string_view kOther[] = {
        "insert",   "update", "delete",   "create", "drop",   "alter",
        "truncate", "copy",   "grant",    "revoke", "set",    "show",
        "begin",    "commit", "rollback", "table",  "vacuum", "merge"};
    if (std::find(std::begin(kOther), std::end(kOther), Peek().text) != std::end(kOther)) {
      return Error(Peek().pos, "syntax error at or near \"" + Raw(Peek()) + "\"",
                   "Only queries are accepted: SELECT, WITH ... SELECT, set operations of them, "
                   "and EXPLAIN [ANALYZE] of those.");
    }
  }
  INFERMETRY_ASSIGN_OR_RETURN(st.query, ParseQuery());
  if (AcceptOp(";")) {
    while (AcceptOp(";")) {
    }
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek().pos, "only one statement is allowed per query",
                   "Send each statement in its own request.");
    }
  }
  if (Peek().kind != TokenKind::kEnd) {
    return Fail(
        "the end of the query, or a clause such as FROM, WHERE, GROUP BY, ORDER BY or "
        "LIMIT");
  }
  return st;
}

}  // namespace internal

Result<ast::Statement> ParseSql(std::string_view sql) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max() / 2)) {
    return ParseError("statement is too long");
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(sql));
  internal::Parser p(sql, std::move(tokens));
  return p.ParseStatement();
}

}  // namespace infermetry::sql
