// Operators, modifiers and type checks of the PromQL parser (see parser_internal.h).

#include <cmath>

#include "common/strconv.h"
#include "query/promql/functions.h"
#include "query/promql/parser.h"
#include "query/promql/parser_internal.h"

namespace infermetry::promql {
namespace {

// Binary operator precedence, lowest first (as Prometheus's grammar orders them).
constexpr int kPrecOr = 1, kPrecAnd = 2, kPrecCmp = 3, kPrecAdd = 4, kPrecMul = 5, kPrecPow = 6;

bool BinaryOpOf(const Token& t, BinOp* op, int* prec) {
  switch (t.kind) {
    case Tok::kAdd: *op = BinOp::kAdd; *prec = kPrecAdd; return true;
    case Tok::kSub: *op = BinOp::kSub; *prec = kPrecAdd; return true;
    case Tok::kMul: *op = BinOp::kMul; *prec = kPrecMul; return true;
    case Tok::kDiv: *op = BinOp::kDiv; *prec = kPrecMul; return true;
    case Tok::kMod: *op = BinOp::kMod; *prec = kPrecMul; return true;
    case Tok::kPow: *op = BinOp::kPow; *prec = kPrecPow; return true;
    case Tok::kEql: *op = BinOp::kEq; *prec = kPrecCmp; return true;
    case Tok::kNeq: *op = BinOp::kNe; *prec = kPrecCmp; return true;
    case Tok::kGtr: *op = BinOp::kGt; *prec = kPrecCmp; return true;
    case Tok::kLss: *op = BinOp::kLt; *prec = kPrecCmp; return true;
    case Tok::kGte: *op = BinOp::kGe; *prec = kPrecCmp; return true;
    case Tok::kLte: *op = BinOp::kLe; *prec = kPrecCmp; return true;
    case Tok::kIdentifier:
      if (t.text == "and") { *op = BinOp::kAnd; *prec = kPrecAnd; return true; }
      if (t.text == "unless") { *op = BinOp::kUnless; *prec = kPrecAnd; return true; }
      if (t.text == "or") { *op = BinOp::kOr; *prec = kPrecOr; return true; }
      if (t.text == "atan2") { *op = BinOp::kAtan2; *prec = kPrecMul; return true; }
      return false;
    default: return false;
  }
}

}  // namespace

Result<NodePtr> Parser::ParseQuery() {
  if (Peek().kind == Tok::kEOF) return Error(0, "no expression found in input");
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr n, ParseExpr(0));
  if (Peek().kind != Tok::kEOF) return Unexpected("");
  return n;
}

Result<NodePtr> Parser::ParseExpr(int min_prec) {
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr lhs, ParseUnary());
  while (true) {
    BinOp op;
    int prec;
    if (!BinaryOpOf(Peek(), &op, &prec) || prec < min_prec) return lhs;
    const size_t pos = Next().pos;
    auto b = std::make_unique<BinaryNode>();
    b->op = op;
    INFERMETRY_RETURN_IF_ERROR(ParseBinaryModifiers(b.get()));
    // ^ is right-associative; the others are left-associative.
    INFERMETRY_ASSIGN_OR_RETURN(b->rhs, ParseExpr(op == BinOp::kPow ? prec : prec + 1));
    b->lhs = std::move(lhs);
    INFERMETRY_RETURN_IF_ERROR(CheckBinary(b.get(), pos));
    lhs = std::move(b);
  }
}

Result<NodePtr> Parser::ParseUnary() {
  const Token& t = Peek();
  if (t.kind == Tok::kSub || t.kind == Tok::kAdd) {
    const bool neg = t.kind == Tok::kSub;
    const size_t pos = Next().pos;
    // Unary operators bind like multiplication: only ^ binds tighter.
    INFERMETRY_ASSIGN_OR_RETURN(NodePtr e, ParseExpr(kPrecPow));
    if (e->kind == NodeKind::kNumber) {
      if (neg) static_cast<NumberNode*>(e.get())->value *= -1;
      return e;
    }
    ValueType ty = TypeOf(*e);
    if (ty != ValueType::kScalar && ty != ValueType::kVector) {
      return Error(pos, "unary expression only allowed on expressions of type scalar or instant vector, got \"" +
                            std::string(DocumentedType(ty)) + "\"");
    }
    auto u = std::make_unique<UnaryNode>();
    u->negate = neg;
    u->expr = std::move(e);
    return NodePtr(std::move(u));
  }
  const size_t start = t.pos;
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr p, ParsePrimary());
  return ParsePostfix(std::move(p), start);
}

Status Parser::ParseModifiers(TimeModifiers* mods, bool at, size_t start) {
  if (!at) {
    if (mods->has_offset) return Error(Peek().pos, "offset may not be set multiple times");
    Next();
    bool neg = false;
    if (Peek().kind == Tok::kSub) {
      Next();
      neg = true;
    }
    if (Peek().kind != Tok::kDuration) return Unexpected("offset, expected duration");
    int64_t ms;
    const Token d = Next();
    if (!ParsePromDuration(d.text, &ms)) return Error(d.pos, "bad duration \"" + d.text + "\"");
    mods->offset_ms = neg ? -ms : ms;
    mods->has_offset = true;
    return Status::Ok();
  }
  if (mods->at != AtKind::kNone) return Error(Peek().pos, "@ <timestamp> may not be set multiple times");
  Next();
  if (IsIdent("start") || IsIdent("end")) {
    mods->at = IsIdent("start") ? AtKind::kStart : AtKind::kEnd;
    Next();
    if (Peek().kind != Tok::kLParen || Peek(1).kind != Tok::kRParen) return Unexpected("@");
    Next();
    Next();
    return Status::Ok();
  }
  bool neg = false;
  if (Peek().kind == Tok::kSub || Peek().kind == Tok::kAdd) neg = Next().kind == Tok::kSub;
  if (Peek().kind != Tok::kNumber) return Unexpected("@, expected timestamp");
  const size_t pos = Peek().pos;
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr num, ParseNumberToken());
  double ts = static_cast<NumberNode*>(num.get())->value * (neg ? -1 : 1);
  if (!std::isfinite(ts) || ts >= 9.2e15 || ts <= -9.2e15) {
    return Error(pos, "timestamp out of bounds for @ modifier: " + FormatGoFloat(ts));
  }
  mods->at = AtKind::kTimestamp;
  mods->at_ms = static_cast<int64_t>(std::llround(ts * 1000));
  (void)start;
  return Status::Ok();
}

Result<NodePtr> Parser::ParsePostfix(NodePtr n, size_t start) {
  while (true) {
    const Token& t = Peek();
    if (t.kind == Tok::kLBracket) {
      const size_t pos = Next().pos;
      if (Peek().kind != Tok::kDuration) return Unexpected("subquery or range, expected duration");
      int64_t range;
      ParsePromDuration(Next().text, &range);
      if (Peek().kind == Tok::kRBracket) {
        Next();
        if (n->kind != NodeKind::kVectorSelector) {
          return Error(pos, "ranges only allowed for vector selectors");
        }
        auto* vs = static_cast<VectorSelectorNode*>(n.get());
        if (vs->mods.has_offset) return Error(pos, "no offset modifiers allowed before range");
        if (vs->mods.at != AtKind::kNone) return Error(pos, "no @ modifiers allowed before range");
        auto ms = std::make_unique<MatrixSelectorNode>();
        ms->range_ms = range;
        ms->vs.reset(static_cast<VectorSelectorNode*>(n.release()));
        n = std::move(ms);
        continue;
      }
      if (Peek().kind != Tok::kColon) return Unexpected("subquery or range");
      Next();
      int64_t step = 0;
      if (Peek().kind == Tok::kDuration) ParsePromDuration(Next().text, &step);
      if (Peek().kind != Tok::kRBracket) return Unexpected("subquery or range");
      Next();
      ValueType ty = TypeOf(*n);
      if (ty != ValueType::kVector) {
        return Error(start, "subquery is only allowed on instant vector, got " +
                                std::string(DocumentedType(ty)) + " instead");
      }
      auto sq = std::make_unique<SubqueryNode>();
      sq->range_ms = range;
      sq->step_ms = step;
      sq->expr = std::move(n);
      n = std::move(sq);
      continue;
    }
    const bool is_offset = IsIdent("offset");
    if (is_offset || t.kind == Tok::kAt) {
      TimeModifiers* mods = nullptr;
      if (n->kind == NodeKind::kVectorSelector) mods = &static_cast<VectorSelectorNode*>(n.get())->mods;
      if (n->kind == NodeKind::kMatrixSelector) mods = &static_cast<MatrixSelectorNode*>(n.get())->vs->mods;
      if (n->kind == NodeKind::kSubquery) mods = &static_cast<SubqueryNode*>(n.get())->mods;
      if (mods == nullptr) {
        return Error(t.pos, std::string(is_offset ? "offset" : "@") +
                                " modifier must be preceded by an instant vector selector or range vector selector or a subquery");
      }
      INFERMETRY_RETURN_IF_ERROR(ParseModifiers(mods, !is_offset, start));
      continue;
    }
    return n;
  }
}

Status Parser::ParseBinaryModifiers(BinaryNode* b) {
  if (IsIdent("bool")) {
    const size_t pos = Next().pos;
    if (!IsComparison(b->op)) return Error(pos, "bool modifier can only be used on comparison operators");
    b->return_bool = true;
  }
  if (IsIdent("on") || IsIdent("ignoring")) {
    b->matching.on = IsIdent("on");
    Next();
    INFERMETRY_ASSIGN_OR_RETURN(b->matching.labels, ParseLabelList("grouping opts"));
    b->has_matching = true;
    if (IsIdent("group_left") || IsIdent("group_right")) {
      b->matching.card = IsIdent("group_left") ? Card::kManyToOne : Card::kOneToMany;
      Next();
      if (Peek().kind == Tok::kLParen) {
        INFERMETRY_ASSIGN_OR_RETURN(b->matching.include, ParseLabelList("grouping opts"));
      }
    }
  }
  return Status::Ok();
}

Status Parser::ExpectType(const Node& n, ValueType want, const std::string& context, size_t pos) const {
  ValueType got = TypeOf(n);
  if (got == want) return Status::Ok();
  return Error(pos, "expected type " + std::string(DocumentedType(want)) + " in " + context +
                        ", got " + std::string(DocumentedType(got)));
}

Status Parser::CheckAggregate(const AggregateNode& n, size_t pos) const {
  INFERMETRY_RETURN_IF_ERROR(ExpectType(*n.expr, ValueType::kVector, "aggregation expression", pos));
  if (n.param != nullptr) {
    ValueType want = n.op == AggOp::kCountValues ? ValueType::kString : ValueType::kScalar;
    INFERMETRY_RETURN_IF_ERROR(ExpectType(*n.param, want, "aggregation parameter", pos));
  }
  return Status::Ok();
}

Status Parser::CheckCall(const CallNode& n, size_t pos) const {
  const FunctionDef& f = *n.func;
  const int got = static_cast<int>(n.args.size());
  const std::string name = "\"" + std::string(f.name) + "\"";
  if (f.variadic == 0) {
    if (got != f.nargs) {
      return Error(pos, "expected " + std::to_string(f.nargs) + " argument(s) in call to " + name +
                            ", got " + std::to_string(got));
    }
  } else {
    const int min = f.nargs - 1;
    if (got < min) {
      return Error(pos, "expected at least " + std::to_string(min) + " argument(s) in call to " +
                            name + ", got " + std::to_string(got));
    }
    if (f.variadic > 0 && got > min + f.variadic) {
      return Error(pos, "expected at most " + std::to_string(min + f.variadic) +
                            " argument(s) in call to " + name + ", got " + std::to_string(got));
    }
  }
  for (int i = 0; i < got; ++i) {
    const int ti = i < f.nargs ? i : f.nargs - 1;
    INFERMETRY_RETURN_IF_ERROR(
        ExpectType(*n.args[static_cast<size_t>(i)], f.args[ti], "call to function " + name, pos));
  }
  return Status::Ok();
}

Status Parser::CheckBinary(BinaryNode* n, size_t pos) const {
  const ValueType lt = TypeOf(*n->lhs), rt = TypeOf(*n->rhs);
  if (IsComparison(n->op) && !n->return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
    return Error(pos, "comparisons between scalars must use BOOL modifier");
  }
  if (IsSetOp(n->op) && n->matching.card == Card::kOneToOne) n->matching.card = Card::kManyToMany;
  if (n->matching.on) {
    for (const auto& l1 : n->matching.labels) {
      for (const auto& l2 : n->matching.include) {
        if (l1 == l2) return Error(pos, "label \"" + l1 + "\" must not occur in ON and GROUP clause at once");
      }
    }
  }
  if ((lt != ValueType::kScalar && lt != ValueType::kVector) ||
      (rt != ValueType::kScalar && rt != ValueType::kVector)) {
    return Error(pos, "binary expression must contain only scalar and instant vector types");
  }
  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    if (!n->matching.labels.empty() || n->matching.card == Card::kManyToOne ||
        n->matching.card == Card::kOneToMany) {
      return Error(pos, "vector matching only allowed between instant vectors");
    }
    n->has_matching = false;
  } else {
    n->has_matching = true;
    if (IsSetOp(n->op) && n->matching.card != Card::kManyToMany) {
      return Error(pos, "no grouping allowed for \"" + std::string(BinOpName(n->op)) + "\" operation");
    }
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOp(n->op)) {
    return Error(pos, "set operator \"" + std::string(BinOpName(n->op)) +
                          "\" not allowed in binary scalar expression");
  }
  return Status::Ok();
}

}  // namespace infermetry::promql
