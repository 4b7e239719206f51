#include "process/filter_expr.h"

#include <cctype>
#include <utility>
#include <vector>

#include "common/strconv.h"
#include "process/filter_tree.h"

namespace infermetry::process {
namespace {

using filter_internal::ContextName;
using filter_internal::EnumConstant;
using filter_internal::FindPath;
using filter_internal::Op;
using filter_internal::Operand;
using filter_internal::PathSpec;
using filter_internal::Value;

// ---- tokens and parser ----------------------------------------------------------------------

struct Token {
  enum class Kind {
    kIdent,
    kString,
    kNumber,
    kOp,
    kLParen,
    kRParen,
    kLBracket,
    kRBracket,
    kComma,
    kEnd,
    kInvalid
  };
  Kind kind = Kind::kEnd;
  std::string_view text;  // as written
  size_t pos = 0;
  std::string str;  // a string literal's unescaped value
};

bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    Token t;
    t.pos = i;
    if (i >= s.size()) {
      out.push_back(t);
      return out;
    }
    char c = s[i];
    size_t start = i;
    if (c == '"') {
      t.kind = Token::Kind::kString;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          char e = s[i + 1];
          t.str.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          i += 2;
        } else if (s[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          t.str.push_back(s[i++]);
        }
      }
      if (!closed) t.kind = Token::Kind::kInvalid;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      t.kind = Token::Kind::kNumber;
      ++i;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
              ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
        ++i;
      }
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Kind::kIdent;
      while (i < s.size() && IdentChar(s[i])) ++i;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = Token::Kind::kOp;
      ++i;
      if (i < s.size() && s[i] == '=') ++i;
      std::string_view op = s.substr(start, i - start);
      if (op == "=" || op == "!") t.kind = Token::Kind::kInvalid;
    } else {
      ++i;
      switch (c) {
        case '(':
          t.kind = Token::Kind::kLParen;
          break;
        case ')':
          t.kind = Token::Kind::kRParen;
          break;
        case '[':
          t.kind = Token::Kind::kLBracket;
          break;
        case ']':
          t.kind = Token::Kind::kRBracket;
          break;
        case ',':
          t.kind = Token::Kind::kComma;
          break;
        default:
          t.kind = Token::Kind::kInvalid;
          while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      }
    }
    t.text = s.substr(start, i - start);
    out.push_back(std::move(t));
    if (out.back().kind == Token::Kind::kInvalid) {
      out.push_back(Token{Token::Kind::kEnd, {}, s.size(), {}});
      return out;
    }
  }
}

using NodePtr = std::unique_ptr<FilterCondition::Node>;
using Kind = FilterCondition::Node::Kind;

class Parser {
 public:
  Parser(std::string_view text, FilterContext ctx)
      : text_(text), ctx_(ctx), toks_(Tokenize(text)) {}

  Result<NodePtr> ParseAll() {
    INFERMETRY_ASSIGN_OR_RETURN(NodePtr n, ParseOr());
    if (Peek().kind != Token::Kind::kEnd) return Error(Peek(), "unexpected");
    return n;
  }

 private:
  const Token& Peek() const { return toks_[pos_]; }
  const Token& Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool IsKeyword(std::string_view kw) const {
    return Peek().kind == Token::Kind::kIdent && Peek().text == kw;
  }

  Status Error(const Token& t, std::string_view what) const {
    std::string text =
        t.kind == Token::Kind::kEnd ? "end of condition" : "\"" + std::string(t.text) + "\"";
    return InvalidArgument(std::string(what) + " " + text + " at column " +
                           std::to_string(t.pos + 1));
  }

  Result<NodePtr> ParseBinary(Kind kind, std::string_view keyword) {
    INFERMETRY_ASSIGN_OR_RETURN(NodePtr first,
                                kind == Kind::kOr ? ParseBinary(Kind::kAnd, "and") : ParseUnary());
    if (!IsKeyword(keyword)) return first;
    auto n = std::make_unique<FilterCondition::Node>();
    n->kind = kind;
    n->children.push_back(std::move(first));
    while (IsKeyword(keyword)) {
      Next();
      INFERMETRY_ASSIGN_OR_RETURN(
          NodePtr next, kind == Kind::kOr ? ParseBinary(Kind::kAnd, "and") : ParseUnary());
      n->children.push_back(std::move(next));
    }
    return n;
  }
  Result<NodePtr> ParseOr() { return ParseBinary(Kind::kOr, "or"); }

  Result<NodePtr> ParseUnary() {
    const Token& t = Peek();
    if (IsKeyword("not")) {
      Next();
      INFERMETRY_ASSIGN_OR_RETURN(NodePtr inner, ParseUnary());
      auto n = std::make_unique<FilterCondition::Node>();
      n->kind = Kind::kNot;
      n->children.push_back(std::move(inner));
      return n;
    }
    if (t.kind == Token::Kind::kLParen) {
      Next();
      INFERMETRY_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
      if (Peek().kind != Token::Kind::kRParen) return Error(Peek(), "expected \")\", got");
      Next();
      return inner;
    }
    if (t.kind == Token::Kind::kIdent && toks_[pos_ + 1].kind == Token::Kind::kLParen) {
      return ParseCall();
    }
    INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Operand> lhs, ParseOperand());
    if (Peek().kind != Token::Kind::kOp) {
      if (!lhs->is_path && lhs->literal.type == Value::Type::kBool) {
        auto n = std::make_unique<FilterCondition::Node>();
        n->kind = Kind::kConst;
        n->value = lhs->literal.b;
        return n;
      }
      return Error(Peek(), "expected a comparison operator (==, !=, <, <=, >, >=), got");
    }
    const Token& op = Next();
    auto n = std::make_unique<FilterCondition::Node>();
    n->kind = Kind::kCompare;
    n->op = op.text == "=="   ? Op::kEq
            : op.text == "!=" ? Op::kNe
            : op.text == "<"  ? Op::kLt
            : op.text == "<=" ? Op::kLe
            : op.text == ">"  ? Op::kGt
                              : Op::kGe;
    n->lhs = std::move(lhs);
    INFERMETRY_ASSIGN_OR_RETURN(n->rhs, ParseOperand());
    return n;
  }

  Result<NodePtr> ParseCall() {
    const Token& name = Next();
    if (name.text != "IsMatch") return Error(name, "unsupported function");
    Next();  // (
    INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Operand> target, ParseOperand());
    if (Peek().kind != Token::Kind::kComma) return Error(Peek(), "expected \",\", got");
    Next();
    const Token& pattern = Next();
    if (pattern.kind != Token::Kind::kString) {
      return Error(pattern, "IsMatch needs a string literal pattern, got");
    }
    auto re = std::make_unique<RE2>(pattern.str, RE2::Quiet);
    if (!re->ok()) return Error(pattern, "invalid regular expression (" + re->error() + ")");
    if (Peek().kind != Token::Kind::kRParen) return Error(Peek(), "expected \")\", got");
    Next();
    auto n = std::make_unique<FilterCondition::Node>();
    n->kind = Kind::kMatch;
    n->lhs = std::move(target);
    n->re = std::move(re);
    return n;
  }

  Result<std::unique_ptr<Operand>> ParseOperand() {
    const Token& t = Next();
    auto o = std::make_unique<Operand>();
    switch (t.kind) {
      case Token::Kind::kString:
        o->text = t.str;
        o->literal = Value::Str(o->text);
        return o;
      case Token::Kind::kNumber: {
        int64_t i;
        double d;
        if (ParseInt64(t.text, &i)) {
          o->literal = Value::Int(i);
        } else if (ParseGoFloat(t.text, &d)) {
          o->literal = Value::Dbl(d);
        } else {
          return Error(t, "invalid number");
        }
        return o;
      }
      case Token::Kind::kIdent:
        break;
      default:
        return Error(t, "expected a path or a value, got");
    }
    if (t.text == "true" || t.text == "false") {
      o->literal = Value::Bool(t.text == "true");
      return o;
    }
    if (t.text == "nil") return o;
    int64_t constant;
    if (EnumConstant(t.text, &constant)) {
      o->literal = Value::Int(constant);
      return o;
    }
    const PathSpec* spec = FindPath(t.text, ctx_);
    if (spec == nullptr) {
      return Error(t, "unknown path in " + std::string(ContextName(ctx_)) + " conditions:");
    }
    o->is_path = true;
    o->field = spec->field;
    if (!spec->indexed) {
      if (Peek().kind == Token::Kind::kLBracket) return Error(Peek(), "unexpected index");
      return o;
    }
    if (Peek().kind != Token::Kind::kLBracket) {
      return Error(Peek(), std::string(t.text) + " needs a key, as in " + std::string(t.text) +
                               "[\"key\"]; got");
    }
    Next();
    const Token& key = Next();
    if (key.kind != Token::Kind::kString) return Error(key, "expected a string key, got");
    o->key = key.str;
    if (Peek().kind != Token::Kind::kRBracket) return Error(Peek(), "expected \"]\", got");
    Next();
    if (Peek().kind == Token::Kind::kLBracket)
      return Error(Peek(), "nested indexes are not supported:");
    return o;
  }

  std::string_view text_;
  FilterContext ctx_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
};

}  // namespace

Result<FilterCondition> FilterCondition::Parse(std::string_view text, FilterContext context) {
  Parser p(text, context);
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr root, p.ParseAll());
  FilterCondition c;
  c.text_ = std::string(text);
  c.root_ = std::shared_ptr<const Node>(std::move(root));
  return c;
}

bool FilterCondition::Matches(const FilterItem& item) const { return root_->Eval(item); }

}  // namespace infermetry::process
