// Value helpers (see value.h) and small AST helpers (see ast.h).

#include "query/promql/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_set>

#include "query/promql/ast.h"
#include "query/promql/functions.h"

namespace infermetry::promql {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "vector";
    case ValueType::kMatrix: return "matrix";
    case ValueType::kString: return "string";
  }
  return "?";
}

LabelsRef MakeLabels(model::Labels ls) {
  return std::make_shared<const model::Labels>(std::move(ls));
}

LabelsRef DropMetricName(const LabelsRef& ls) {
  if (!ls->Has(model::kMetricName)) return ls;
  std::vector<model::Label> out;
  out.reserve(ls->size());
  for (const auto& l : *ls) {
    if (l.name != model::kMetricName) out.push_back(l);
  }
  return MakeLabels(model::Labels::FromUnsorted(std::move(out)));
}

const LabelsRef& NameDropper::Drop(const LabelsRef& ls) {
  auto it = cache_.find(ls.get());
  if (it == cache_.end()) {
    if (cache_.size() > 1'000'000) cache_.clear();
    it = cache_.emplace(ls.get(), std::make_pair(ls, DropMetricName(ls))).first;
  }
  return it->second.second;
}

Status CheckUniqueLabels(const Vector& v) {
  if (v.size() < 2) return Status::Ok();
  std::unordered_set<uint64_t> seen;
  bool collision = false;
  for (const Sample& s : v) {
    if (!seen.insert(s.metric->Hash()).second) collision = true;
  }
  if (!collision) return Status::Ok();
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t j = i + 1; j < v.size(); ++j) {
      if (*v[i].metric == *v[j].metric) {
        return InvalidArgument("vector cannot contain metrics with the same labelset");
      }
    }
  }
  return Status::Ok();
}

Status CheckUniqueLabelsCached(const Vector& v, UniqueCache* c) {
  if (v.size() < 2) return Status::Ok();
  std::vector<const model::Labels*> ptrs;
  ptrs.reserve(v.size());
  bool known = true;
  for (const Sample& s : v) {
    ptrs.push_back(s.metric.get());
    known = known && c->ptrs.count(s.metric.get()) > 0;
  }
  if (known) {
    // Distinct objects from a set of distinct label sets are distinct.
    std::sort(ptrs.begin(), ptrs.end());
    if (std::adjacent_find(ptrs.begin(), ptrs.end()) == ptrs.end()) return Status::Ok();
  }
  INFERMETRY_RETURN_IF_ERROR(CheckUniqueLabels(v));
  if (c->ptrs.size() > 100'000) return Status::Ok();
  for (const Sample& s : v) {
    if (c->ptrs.count(s.metric.get()) > 0) continue;
    if (c->hashes.insert(s.metric->Hash()).second) {
      c->ptrs.insert(s.metric.get());
      c->keep.push_back(s.metric);
    }
  }
  return Status::Ok();
}

double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

std::string FormatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

bool IsComparison(BinOp op) { return op >= BinOp::kEq && op <= BinOp::kLe; }
bool IsSetOp(BinOp op) { return op >= BinOp::kAnd; }

std::string_view BinOpName(BinOp op) {
  static constexpr std::string_view kNames[] = {"+",  "-", "*",  "/",  "%",  "^",   "atan2", "==",
                                                "!=", ">", "<",  ">=", "<=", "and", "or",    "unless"};
  return kNames[static_cast<int>(op)];
}

std::string_view AggOpName(AggOp op) {
  static constexpr std::string_view kNames[] = {"sum",    "avg",    "min",  "max",
                                                "count",  "group",  "stddev", "stdvar",
                                                "topk",   "bottomk", "quantile", "count_values"};
  return kNames[static_cast<int>(op)];
}

const Node* Unparen(const Node* n) {
  while (n->kind == NodeKind::kParen) n = static_cast<const ParenNode*>(n)->expr.get();
  return n;
}

ValueType TypeOf(const Node& n) {
  switch (n.kind) {
    case NodeKind::kNumber: return ValueType::kScalar;
    case NodeKind::kString: return ValueType::kString;
    case NodeKind::kVectorSelector: return ValueType::kVector;
    case NodeKind::kMatrixSelector: return ValueType::kMatrix;
    case NodeKind::kSubquery: return ValueType::kMatrix;
    case NodeKind::kParen: return TypeOf(*static_cast<const ParenNode&>(n).expr);
    case NodeKind::kUnary: return TypeOf(*static_cast<const UnaryNode&>(n).expr);
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryNode&>(n);
      if (TypeOf(*b.lhs) == ValueType::kScalar && TypeOf(*b.rhs) == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case NodeKind::kAggregate: return ValueType::kVector;
    case NodeKind::kCall: return static_cast<const CallNode&>(n).func->ret;
  }
  return ValueType::kVector;
}

}  // namespace infermetry::promql
