#pragma once
// The recursive-descent parser behind ParseSql, shared by parser.cc (statements, tokens,
// errors), parse_query.cc (queries, FROM, joins), parse_expr.cc (operators, primaries, CASE)
// and parse_function.cc (function calls, types, typed literals).
// Internal to the parser library.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/sql/ast.h"
#include "query/sql/parser/lexer.h"

namespace infermetry::sql::internal {

// Bounds on the tree, so that no recursive walk over it (the destructors included) can run
// out of stack: nesting (expressions inside parentheses, function arguments, subqueries,
// unary operators) is limited to kMaxSqlDepth levels, and the links of all operator chains
// (a OR b OR c, x::a::b, UNION, JOIN, FROM lists) together to kMaxOperatorLinks.
inline constexpr int kMaxOperatorLinks = 10000;

// PostgreSQL's reserved keywords and its type/function-name keywords: these cannot be
// column names, table names or aliases without AS unless double-quoted.
bool IsReservedWord(std::string_view word);

class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens);

  Result<ast::Statement> ParseStatement();

  // parse_query.cc
  Result<std::unique_ptr<ast::Query>> ParseQuery();
  Result<std::unique_ptr<ast::Query>> ParseSetExpr();
  Result<std::unique_ptr<ast::Query>> ParseSetTerm();
  Result<std::unique_ptr<ast::Query>> ParseSetPrimary();
  Result<std::unique_ptr<ast::Select>> ParseSelect();
  Status ParseSelectItems(ast::Select* s);
  Result<std::unique_ptr<ast::TableRef>> ParseFromList();
  Result<std::unique_ptr<ast::TableRef>> ParseFromItem();
  Result<std::unique_ptr<ast::TableRef>> ParseTablePrimary();
  Status ParseTableAlias(ast::TableRef* ref);
  Status ParseNameList(std::vector<std::string>* out, std::string_view what);
  Status ParseQueryTail(ast::Query* q);
  Status ParseOrderBy(std::vector<ast::OrderItem>* out);

  // parse_expr.cc and parse_function.cc
  Result<ast::ExprPtr> ParseExpr();
  Result<ast::ExprPtr> ParseOr();
  Result<ast::ExprPtr> ParseAnd();
  Result<ast::ExprPtr> ParseNot();
  Result<ast::ExprPtr> ParseIs();
  Result<ast::ExprPtr> ParseComparison();
  Result<ast::ExprPtr> ParsePredicate();
  Result<ast::ExprPtr> ParseConcat();
  Result<ast::ExprPtr> ParseAdditive();
  Result<ast::ExprPtr> ParseMultiplicative();
  Result<ast::ExprPtr> ParsePower();
  Result<ast::ExprPtr> ParseUnary();
  Result<ast::ExprPtr> ParsePostfix();
  Result<ast::ExprPtr> ParsePrimary();
  Result<ast::ExprPtr> ParseParenthesized();
  Result<ast::ExprPtr> ParseIdentifierExpr();
  Result<ast::ExprPtr> ParseFunctionCall(std::string name, int pos);
  Result<ast::ExprPtr> ParseSpecialFunction(const Token& name);
  Result<ast::ExprPtr> ParseCase();
  Result<ast::ExprPtr> ParseTypedLiteral();
  Result<ast::ExprPtr> ParseNumber(const Token& t, bool negative, int pos);
  Result<std::string> ParseTypeName();
  bool AtTypedLiteral() const;

  // Tokens (parser.cc).
  const Token& Peek(int k = 0) const;
  const Token& Next();
  bool AtKw(std::string_view kw, int k = 0) const;
  bool AtOp(std::string_view op, int k = 0) const;
  bool AcceptKw(std::string_view kw);
  bool AcceptOp(std::string_view op);
  Status ExpectKw(std::string_view kw, std::string_view expected);
  // "(" and ")": tracked so that errors can name the parenthesis left open.
  Status OpenParen(std::string_view expected);
  Status CloseParen(std::string_view what);
  bool AcceptOpenParen();
  // Whether the "(" at token index `j` holds a query, as in PostgreSQL's select_with_parens:
  // ( SELECT ... ), ( WITH ... ), or ( (query) UNION/ORDER BY/LIMIT ... ), nested.
  bool ParenHoldsQuery(size_t j) const;
  // An identifier usable as a name here: quoted, or unquoted and not reserved.
  bool AtName(int k = 0) const;
  // Consumes a name (see AtName); `any_keyword` also takes reserved words (after AS, after ".").
  Result<std::string> ExpectName(std::string_view expected, bool any_keyword = false);

  // Errors (parser.cc).
  Status Fail(std::string_view expected);  // syntax error at the current token
  Status Error(int pos, std::string_view message, std::string_view hint = {}) const;
  Status Unsupported(const Token& at, std::string_view what, std::string_view hint = {}) const;
  std::string Raw(const Token& t) const;

  // Nesting: Enter() before recursing, Leave() after. Link() for each node a loop stacks on
  // the previous one.
  Status Enter();
  void Leave() { --depth_; }
  Status Link();

  std::string_view sql_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
  int links_ = 0;
  std::vector<int> open_parens_;  // positions of "(" not yet closed
  std::vector<int> match_;        // token index of the matching parenthesis, or -1
};

// Runs `parser->Leave()` at scope exit.
class DepthScope {
 public:
  explicit DepthScope(Parser* p) : p_(p) {}
  ~DepthScope() { p_->Leave(); }
  DepthScope(const DepthScope&) = delete;
  DepthScope& operator=(const DepthScope&) = delete;

 private:
  Parser* p_;
};

#define INFERMETRY_SQL_ENTER(parser)             \
  INFERMETRY_RETURN_IF_ERROR((parser)->Enter()); \
  ::infermetry::sql::internal::DepthScope INFERMETRY_CONCAT(_depth_, __LINE__)(parser)

ast::ExprPtr MakeExpr(ast::ExprKind kind, int pos);
ast::ExprPtr MakeLiteral(Value v, int pos);

}  // namespace infermetry::sql::internal
