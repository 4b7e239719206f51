#pragma once
// The parser's state, shared by parser.cc (operands, selectors, calls) and parser_expr.cc
// (operators, modifiers, type checks). Internal to the PromQL engine.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/promql/ast.h"
#include "query/promql/lexer.h"

namespace infermetry::promql {

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), toks_(Lex(input)) {}
  Result<NodePtr> ParseQuery();

  Result<NodePtr> ParseExpr(int min_prec);

 private:
  friend Result<NodePtr> Parse(std::string_view input);
  const Token& Peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  Token Next() {
    Token t = Peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool IsIdent(std::string_view text) const;
  std::string Describe(const Token& t) const;
  Status Error(size_t pos, const std::string& msg) const;
  Status Unexpected(const std::string& context) const;

  Result<NodePtr> ParseUnary();
  Result<NodePtr> ParsePostfix(NodePtr n, size_t start);
  Result<NodePtr> ParsePrimary();
  Result<NodePtr> ParseNumberToken();
  Result<NodePtr> ParseSelector(const std::string& name);
  Result<NodePtr> ParseAggregate(AggOp op, size_t pos);
  Result<NodePtr> ParseCall(const std::string& name, size_t pos);
  Result<std::vector<std::string>> ParseLabelList(const std::string& context);
  Status ParseModifiers(TimeModifiers* mods, bool at, size_t start);
  Status ParseBinaryModifiers(BinaryNode* b);

  Status ExpectType(const Node& n, ValueType want, const std::string& context, size_t pos) const;
  Status CheckAggregate(const AggregateNode& n, size_t pos) const;
  Status CheckCall(const CallNode& n, size_t pos) const;
  Status CheckBinary(BinaryNode* n, size_t pos) const;

  std::string_view input_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
};

}  // namespace infermetry::promql
