// Syntax errors: PostgreSQL's messages with the position, and hints (a misspelled keyword,
// a missing comma, an unclosed or unmatched parenthesis, what was expected); the nesting
// limits.
#include <algorithm>
#include <string>
#include <vector>

#include "query/sql/error.h"
#include "query/sql/parser/parser.h"
#include "query/sql/parser/parser_internal.h"

namespace infermetry::sql::internal {
namespace {

// Keywords a misspelled word is compared with for "Did you mean ...?".
constexpr std::string_view kClauseKeywords[] = {
    "select", "from",      "where",  "group",    "order",   "having", "limit",  "offset",
    "join",   "inner",     "left",   "right",    "full",    "outer",  "cross",  "using",
    "union",  "intersect", "except", "distinct", "between", "like",   "ilike",  "case",
    "when",   "then",      "else",   "end",      "with",    "within", "filter", "interval",
    "cast",   "extract",   "exists", "explain",  "analyze", "nulls",  "first",  "last",
    "desc",   "asc",       "and",    "not",      "null",    "true",   "false",  "as",
    "by",     "on",        "is",     "in",       "or"};

// Optimal string alignment distance (edits and adjacent transpositions), capped at 3.
int EditDistance(std::string_view a, std::string_view b) {
  if (a.size() > b.size() + 3 || b.size() > a.size() + 3) return 3;
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return std::min(d[a.size()][b.size()], 3);
}

bool IsKnownKeyword(std::string_view w) {
  for (std::string_view k : kClauseKeywords) {
    if (k == w) return true;
  }
  return IsReservedWord(w);
}

// The keyword `word` looks like a misspelling of, or "" when none. `clauses_only` limits the
// candidates to words that start a clause (for a word swallowed as an alias).
std::string_view Misspelled(const Token& t, bool clauses_only) {
  if (t.kind != TokenKind::kIdent || t.quoted || t.text.size() < 3 || IsKnownKeyword(t.text)) {
    return {};
  }
  static constexpr std::string_view kClauses[] = {"from",  "where",  "group", "order", "having",
                                                  "limit", "offset", "join",  "union", "using"};
  int max = t.text.size() >= 6 ? 2 : 1;
  std::string_view best;
  int best_d = max + 1;
  auto consider = [&](std::string_view k) {
    if (k.size() < 2) return;
    int d = EditDistance(t.text, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  };
  if (clauses_only) {
    for (std::string_view k : kClauses) consider(k);
  } else {
    for (std::string_view k : kClauseKeywords) consider(k);
  }
  return best;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool EndsOperand(const Token& t) {
  if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kString) return true;
  if (t.kind == TokenKind::kOp) return t.text == ")" || t.text == "*";
  return t.kind == TokenKind::kIdent && (t.quoted || !IsReservedWord(t.text) || t.text == "end" ||
                                         t.text == "null" || t.text == "true" || t.text == "false");
}

bool StartsOperand(const Token& t) {
  if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kString) return true;
  if (t.kind == TokenKind::kOp) return t.text == "(";
  return t.kind == TokenKind::kIdent && (t.quoted || !IsReservedWord(t.text));
}

}  // namespace

Result<std::string> Parser::ExpectName(std::string_view expected, bool any_keyword) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kIdent && (any_keyword || AtName())) return Next().text;
  if (t.kind == TokenKind::kIdent && !t.quoted) {
    Status st = Fail(expected);
    if (Misspelled(t, false).empty()) {
      return Error(t.pos, "syntax error at or near \"" + Raw(t) + "\"",
                   "\"" + t.text + "\" is a reserved word; write it in double quotes (\"" + t.text +
                       "\") to use it as a name.");
    }
    return st;
  }
  return Fail(expected);
}

std::string Parser::Raw(const Token& t) const {
  return std::string(sql_.substr(static_cast<size_t>(t.pos), static_cast<size_t>(t.end - t.pos)));
}

Status Parser::Error(int pos, std::string_view message, std::string_view hint) const {
  return SqlError(Code::kParseError, sql_, pos, message, hint);
}

Status Parser::Unsupported(const Token& at, std::string_view what, std::string_view hint) const {
  return Error(at.pos, std::string(what) + " is not supported", hint);
}

Status Parser::Fail(std::string_view expected) {
  const Token& t = Peek();
  const Token* prev = i_ > 0 ? &toks_[i_ - 1] : nullptr;
  std::string exp = "Expected " + std::string(expected) + ".";
  // A clause keyword misspelled right before this token was taken as an alias.
  if (prev != nullptr) {
    std::string_view kw = Misspelled(*prev, true);
    if (!kw.empty()) {
      return Error(prev->pos, "syntax error at or near \"" + Raw(*prev) + "\"",
                   "Did you mean " + Upper(kw) + "?");
    }
  }
  if (t.kind == TokenKind::kEnd) {
    std::string hint = exp;
    if (!open_parens_.empty()) {
      auto [line, col] = LineColumn(sql_, open_parens_.back());
      hint = "The parenthesis opened at line " + std::to_string(line) + ", column " +
             std::to_string(col) + " is not closed. " + hint;
    }
    return Error(t.pos, "syntax error at end of input", hint);
  }
  std::string message = "syntax error at or near \"" + Raw(t) + "\"";
  if (std::string_view kw = Misspelled(t, false); !kw.empty()) {
    return Error(t.pos, message, "Did you mean " + Upper(kw) + "?");
  }
  if (t.kind == TokenKind::kOp && t.text == ")" && open_parens_.empty()) {
    return Error(t.pos, message, "This closing parenthesis has no matching opening one.");
  }
  // Between two operands in a list (the select list, FROM, function arguments, IN lists), the
  // likely mistake is a missing comma.
  bool list_context = expected.starts_with(")") || expected.starts_with("the end of the query");
  if (list_context && prev != nullptr && EndsOperand(*prev) && StartsOperand(t)) {
    std::string hint = "Perhaps a comma is missing before \"" + Raw(t) + "\". " + exp;
    if (!open_parens_.empty() && expected.substr(0, 1) == ")") {
      auto [line, col] = LineColumn(sql_, open_parens_.back());
      hint = "Perhaps a comma or the closing parenthesis for the one at line " +
             std::to_string(line) + ", column " + std::to_string(col) + " is missing. " + exp;
    }
    return Error(t.pos, message, hint);
  }
  if (!open_parens_.empty() && expected.substr(0, 1) == ")") {
    auto [line, col] = LineColumn(sql_, open_parens_.back());
    return Error(t.pos, message,
                 "Perhaps the closing parenthesis for the one at line " + std::to_string(line) +
                     ", column " + std::to_string(col) + " is missing. " + exp);
  }
  return Error(t.pos, message, exp);
}

Status Parser::Enter() {
  if (++depth_ > kMaxSqlDepth) {
    return Error(
        Peek().pos,
        "statement is nested too deeply (more than " + std::to_string(kMaxSqlDepth) + " levels)",
        "Simplify the query: fewer nested parentheses, subqueries or unary operators.");
  }
  return Status::Ok();
}

Status Parser::Link() {
  if (++links_ > kMaxOperatorLinks) {
    return Error(Peek().pos,
                 "statement is too complex (more than " + std::to_string(kMaxOperatorLinks) +
                     " chained operators)",
                 "Use IN (...) instead of long OR chains, or split the query.");
  }
  return Status::Ok();
}

}  // namespace infermetry::sql::internal
