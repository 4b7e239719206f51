// The PromQL parser (see parser.h): a precedence-climbing parser over lexer tokens. Operand
// and selector parsing is here; type checks shared with them live in parser_check.cc.

#include "query/promql/parser.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/strconv.h"
#include "query/promql/functions.h"
#include "query/promql/parser_internal.h"

namespace infermetry::promql {

std::string_view DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
  }
  return "?";
}

namespace {

bool IsKeyword(std::string_view s) {
  static constexpr std::string_view kKeywords[] = {
      "and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left",
      "group_right", "bool", "offset"};
  for (auto k : kKeywords) {
    if (s == k) return true;
  }
  return false;
}

bool AggOpFromName(std::string_view s, AggOp* op) {
  static constexpr std::pair<std::string_view, AggOp> kAggs[] = {
      {"sum", AggOp::kSum},         {"avg", AggOp::kAvg},       {"min", AggOp::kMin},
      {"max", AggOp::kMax},         {"count", AggOp::kCount},   {"group", AggOp::kGroup},
      {"stddev", AggOp::kStddev},   {"stdvar", AggOp::kStdvar}, {"topk", AggOp::kTopk},
      {"bottomk", AggOp::kBottomk}, {"quantile", AggOp::kQuantile},
      {"count_values", AggOp::kCountValues}};
  for (const auto& [n, o] : kAggs) {
    if (s == n) {
      *op = o;
      return true;
    }
  }
  return false;
}

bool EqualsFold(std::string_view a, std::string_view b) { return EqualsIgnoreCase(a, b); }

}  // namespace

std::string Parser::Describe(const Token& t) const {
  switch (t.kind) {
    case Tok::kEOF: return "end of input";
    case Tok::kIdentifier:
      if (IsKeyword(t.text)) return "<" + t.text + ">";
      return "identifier \"" + t.text + "\"";
    case Tok::kNumber: return "number \"" + t.text + "\"";
    case Tok::kDuration: return "duration \"" + t.text + "\"";
    case Tok::kString: return "string";
    default: return "\"" + std::string(input_.substr(t.pos, t.text.size())) + "\"";
  }
}

Status Parser::Error(size_t pos, const std::string& msg) const {
  return Status(Code::kParseError, PositionString(input_, pos) + ": parse error: " + msg);
}

Status Parser::Unexpected(const std::string& context) const {
  const Token& t = Peek();
  if (t.kind == Tok::kError) return Error(t.pos, t.text);
  std::string m = "unexpected " + Describe(t);
  if (!context.empty()) m += " in " + context;
  return Error(t.pos, m);
}

bool Parser::IsIdent(std::string_view text) const {
  return Peek().kind == Tok::kIdentifier && Peek().text == text;
}

Result<NodePtr> Parser::ParseNumberToken() {
  Token t = Next();
  double v;
  if (t.text.size() > 2 && t.text[0] == '0' && (t.text[1] == 'x' || t.text[1] == 'X')) {
    v = static_cast<double>(std::strtoull(t.text.c_str() + 2, nullptr, 16));
  } else if (!ParseGoFloat(t.text, &v)) {
    return Error(t.pos, "bad number or duration syntax: \"" + t.text + "\"");
  }
  auto n = std::make_unique<NumberNode>();
  n->value = v;
  return NodePtr(std::move(n));
}

Result<NodePtr> Parser::ParsePrimary() {
  const Token& t = Peek();
  switch (t.kind) {
    case Tok::kNumber: return ParseNumberToken();
    case Tok::kString: {
      auto n = std::make_unique<StringNode>();
      n->value = Next().text;
      return NodePtr(std::move(n));
    }
    case Tok::kLParen: {
      Next();
      auto n = std::make_unique<ParenNode>();
      INFERMETRY_ASSIGN_OR_RETURN(n->expr, ParseExpr(0));
      if (Peek().kind != Tok::kRParen) return Unexpected("paren expression");
      Next();
      return NodePtr(std::move(n));
    }
    case Tok::kLBrace: return ParseSelector("");
    case Tok::kIdentifier: break;
    default: return Unexpected("");
  }
  const std::string name = t.text;
  const size_t pos = t.pos;
  if (EqualsFold(name, "inf") || EqualsFold(name, "nan")) {
    Next();
    auto n = std::make_unique<NumberNode>();
    n->value = EqualsFold(name, "nan") ? std::nan("") : HUGE_VAL;
    return NodePtr(std::move(n));
  }
  AggOp op;
  if (AggOpFromName(name, &op)) {
    Next();
    return ParseAggregate(op, pos);
  }
  if (IsKeyword(name)) return Unexpected("");
  if (Peek(1).kind == Tok::kLParen) {
    Next();
    return ParseCall(name, pos);
  }
  Next();
  return ParseSelector(name);
}

Result<std::vector<std::string>> Parser::ParseLabelList(const std::string& context) {
  std::vector<std::string> out;
  if (Peek().kind != Tok::kLParen) return Unexpected(context + ", expected \"(\"");
  Next();
  while (Peek().kind != Tok::kRParen) {
    const Token& t = Peek();
    if (t.kind != Tok::kIdentifier || !model::IsValidLabelName(t.text)) {
      return Unexpected(context + ", expected label");
    }
    out.push_back(Next().text);
    if (Peek().kind == Tok::kComma) {
      Next();
    } else if (Peek().kind != Tok::kRParen) {
      return Unexpected(context + ", expected \",\" or \")\"");
    }
  }
  Next();
  return out;
}

Result<NodePtr> Parser::ParseSelector(const std::string& name) {
  auto vs = std::make_unique<VectorSelectorNode>();
  vs->name = name;
  const size_t start = Peek().pos;
  bool name_matcher = false;
  if (Peek().kind == Tok::kLBrace) {
    Next();
    while (Peek().kind != Tok::kRBrace) {
      const Token& lt = Peek();
      if (lt.kind != Tok::kIdentifier || !model::IsValidLabelName(lt.text)) {
        return Unexpected("label matching, expected label");
      }
      std::string label = Next().text;
      storage::Matcher::Op mop;
      switch (Peek().kind) {
        case Tok::kAssign: mop = storage::Matcher::Op::kEq; break;
        case Tok::kNeq: mop = storage::Matcher::Op::kNeq; break;
        case Tok::kEqlRegex: mop = storage::Matcher::Op::kRe; break;
        case Tok::kNeqRegex: mop = storage::Matcher::Op::kNre; break;
        default: return Unexpected("label matching, expected one of \"=\", \"!=\", \"=~\" or \"!~\"");
      }
      Next();
      if (Peek().kind != Tok::kString) return Unexpected("label matching, expected string");
      const Token st = Next();
      auto m = storage::Matcher::Make(mop, label, st.text);
      if (!m.ok()) return Error(st.pos, m.status().message());
      if (label == model::kMetricName) name_matcher = true;
      vs->matchers.push_back(std::move(*m));
      if (Peek().kind == Tok::kComma) {
        Next();
      } else if (Peek().kind != Tok::kRBrace) {
        return Unexpected("label matching, expected \",\" or \"}\"");
      }
    }
    Next();
  }
  if (!name.empty()) {
    if (name_matcher) {
      return Error(start, "metric name must not be set twice: \"" + name + "\"");
    }
    auto m = storage::Matcher::Make(storage::Matcher::Op::kEq, std::string(model::kMetricName), name);
    vs->matchers.insert(vs->matchers.begin(), std::move(*m));
  }
  bool non_empty = false;
  for (const auto& m : vs->matchers) non_empty |= !m.MatchesEmpty();
  if (!non_empty) {
    return Error(start, "vector selector must contain at least one non-empty matcher");
  }
  return NodePtr(std::move(vs));
}

Result<NodePtr> Parser::ParseAggregate(AggOp op, size_t pos) {
  auto n = std::make_unique<AggregateNode>();
  n->op = op;
  bool grouped = false;
  auto parse_grouping = [&]() -> Status {
    n->without = IsIdent("without");
    Next();
    auto labels = ParseLabelList("grouping opts");
    if (!labels.ok()) return labels.status();
    n->grouping = std::move(*labels);
    grouped = true;
    return Status::Ok();
  };
  if (IsIdent("by") || IsIdent("without")) INFERMETRY_RETURN_IF_ERROR(parse_grouping());
  if (Peek().kind != Tok::kLParen) return Unexpected("aggregation");
  Next();
  const bool has_param = op == AggOp::kTopk || op == AggOp::kBottomk ||
                         op == AggOp::kQuantile || op == AggOp::kCountValues;
  std::vector<NodePtr> args;
  while (Peek().kind != Tok::kRParen) {
    INFERMETRY_ASSIGN_OR_RETURN(NodePtr a, ParseExpr(0));
    args.push_back(std::move(a));
    if (Peek().kind == Tok::kComma) {
      Next();
    } else if (Peek().kind != Tok::kRParen) {
      return Unexpected("aggregation");
    }
  }
  Next();
  if (!grouped && (IsIdent("by") || IsIdent("without"))) {
    INFERMETRY_RETURN_IF_ERROR(parse_grouping());
  }
  const size_t want = has_param ? 2 : 1;
  if (args.size() != want) {
    if (args.empty()) return Error(pos, "no arguments for aggregate expression provided");
    return Error(pos, "wrong number of arguments for aggregate expression provided, expected " +
                          std::to_string(want) + ", got " + std::to_string(args.size()));
  }
  if (has_param) n->param = std::move(args[0]);
  n->expr = std::move(args.back());
  std::sort(n->grouping.begin(), n->grouping.end());
  INFERMETRY_RETURN_IF_ERROR(CheckAggregate(*n, pos));
  return NodePtr(std::move(n));
}

Result<NodePtr> Parser::ParseCall(const std::string& name, size_t pos) {
  const FunctionDef* f = FindFunction(name);
  if (f == nullptr) return Error(pos, "unknown function with name \"" + name + "\"");
  auto n = std::make_unique<CallNode>();
  n->func = f;
  Next();  // (
  while (Peek().kind != Tok::kRParen) {
    INFERMETRY_ASSIGN_OR_RETURN(NodePtr a, ParseExpr(0));
    n->args.push_back(std::move(a));
    if (Peek().kind == Tok::kComma) {
      Next();
      if (Peek().kind == Tok::kRParen) return Unexpected("function call");
    } else if (Peek().kind != Tok::kRParen) {
      return Unexpected("function call");
    }
  }
  Next();
  INFERMETRY_RETURN_IF_ERROR(CheckCall(*n, pos));
  return NodePtr(std::move(n));
}

Result<NodePtr> Parse(std::string_view input) {
  Parser p(input);
  return p.ParseQuery();
}

}  // namespace infermetry::promql
