#pragma once
// The PromQL syntax tree (Prometheus 2.42's grammar). Parse() in parser.h builds it; the
// evaluator (eval.h) walks it. Nodes own their children; a tree is immutable once parsed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/promql/engine.h"
#include "storage/querier.h"

namespace infermetry::promql {

struct FunctionDef;

enum class NodeKind {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kParen,
  kUnary,
  kBinary,
  kAggregate,
  kCall,
};

enum class BinOp {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,
  kEq, kNe, kGt, kLt, kGe, kLe,
  kAnd, kOr, kUnless,
};
bool IsComparison(BinOp op);
bool IsSetOp(BinOp op);
std::string_view BinOpName(BinOp op);

enum class AggOp {
  kSum, kAvg, kMin, kMax, kCount, kGroup, kStddev, kStdvar, kTopk, kBottomk, kQuantile,
  kCountValues,
};
std::string_view AggOpName(AggOp op);

// Which evaluation time an `@` modifier names.
enum class AtKind { kNone, kTimestamp, kStart, kEnd };

struct Node {
  NodeKind kind;
  explicit Node(NodeKind k) : kind(k) {}
  virtual ~Node() = default;
};
using NodePtr = std::unique_ptr<Node>;

struct NumberNode : Node {
  double value = 0;
  NumberNode() : Node(NodeKind::kNumber) {}
};

struct StringNode : Node {
  std::string value;
  StringNode() : Node(NodeKind::kString) {}
};

// Modifiers shared by selectors and subqueries.
struct TimeModifiers {
  int64_t offset_ms = 0;
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;  // kTimestamp
  bool has_offset = false;
};

struct VectorSelectorNode : Node {
  std::string name;  // may be empty when only matchers are given
  std::vector<storage::Matcher> matchers;  // includes __name__="name" when `name` is set
  TimeModifiers mods;
  int id = -1;  // index of the selector's preloaded data (assigned by the evaluator)
  VectorSelectorNode() : Node(NodeKind::kVectorSelector) {}
};

struct MatrixSelectorNode : Node {
  std::unique_ptr<VectorSelectorNode> vs;  // carries offset/@
  int64_t range_ms = 0;
  MatrixSelectorNode() : Node(NodeKind::kMatrixSelector) {}
};

struct SubqueryNode : Node {
  NodePtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the query's default (1 minute)
  TimeModifiers mods;
  int id = -1;  // memo slot (assigned by the evaluator)
  SubqueryNode() : Node(NodeKind::kSubquery) {}
};

struct ParenNode : Node {
  NodePtr expr;
  ParenNode() : Node(NodeKind::kParen) {}
};

struct UnaryNode : Node {
  bool negate = false;
  NodePtr expr;
  UnaryNode() : Node(NodeKind::kUnary) {}
};

enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Card card = Card::kOneToOne;
  bool on = false;                  // on(...) given (else ignoring(...) or nothing)
  std::vector<std::string> labels;  // on/ignoring labels
  std::vector<std::string> include; // group_left/group_right labels
};

struct BinaryNode : Node {
  BinOp op = BinOp::kAdd;
  bool return_bool = false;
  bool has_matching = false;  // both sides are vectors
  VectorMatching matching;
  NodePtr lhs, rhs;
  BinaryNode() : Node(NodeKind::kBinary) {}
};

struct AggregateNode : Node {
  AggOp op = AggOp::kSum;
  bool without = false;
  std::vector<std::string> grouping;  // sorted
  NodePtr param;  // topk/bottomk/quantile/count_values
  NodePtr expr;
  AggregateNode() : Node(NodeKind::kAggregate) {}
};

struct CallNode : Node {
  const FunctionDef* func = nullptr;
  std::vector<NodePtr> args;
  CallNode() : Node(NodeKind::kCall) {}
};

// The type an expression evaluates to (kMatrix for range vectors).
ValueType TypeOf(const Node& n);

// Strips parentheses.
const Node* Unparen(const Node* n);

}  // namespace infermetry::promql
