#pragma once
// The syntax tree of filter conditions (filter_expr.h) and what evaluating it needs: shared by
// the parser (filter_expr.cc) and the evaluator (filter_eval.cc); not meant for other users.

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "process/filter_expr.h"

namespace infermetry::process {
namespace filter_internal {

// A value during evaluation. Strings are views into the item or into the tree's literals.
struct Value {
  enum class Type { kNil, kString, kInt, kDouble, kBool, kOther };
  Type type = Type::kNil;
  std::string_view s;
  int64_t i = 0;
  double d = 0;
  bool b = false;

  static Value Str(std::string_view v) {
    Value x;
    x.type = Type::kString;
    x.s = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.type = Type::kInt;
    x.i = v;
    return x;
  }
  static Value Dbl(double v) {
    Value x;
    x.type = Type::kDouble;
    x.d = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.type = Type::kBool;
    x.b = v;
    return x;
  }
  static Value Other() {
    Value x;
    x.type = Type::kOther;
    return x;
  }
};

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

enum class Field {
  kResourceAttr,
  kScopeName,
  kScopeVersion,
  kScopeAttr,
  kAttr,
  kName,
  kKind,
  kStatusCode,
  kStatusMessage,
  kStartTime,
  kEndTime,
  kDescription,
  kUnit,
  kType,
  kTemporality,
  kMonotonic,
  kMetricName,
  kMetricUnit,
  kMetricType,
  kValueDouble,
  kValueInt,
  kCount,
  kSum,
  kFlags,
  kTime,
  kBody,
  kSeverityNumber,
  kSeverityText,
  kEventName,
  kObservedTime,
};

struct PathSpec {
  std::string_view name;
  Field field;
  bool indexed;  // needs ["key"]
  unsigned contexts;
};

// The path called `name` that `ctx` offers, or nullptr.
const PathSpec* FindPath(std::string_view name, FilterContext ctx);
// "span", "metric", "datapoint", "log_record".
std::string_view ContextName(FilterContext c);
// OTTL's enum constants (SPAN_KIND_SERVER, ...); false if `name` is none of them.
bool EnumConstant(std::string_view name, int64_t* out);
// OTTL comparison semantics (see filter_expr.h).
bool Compare(const Value& a, Op op, const Value& b);
// The value of a path for `item`; nil when absent.
Value Get(Field f, std::string_view key, const FilterItem& item);

struct Operand {
  bool is_path = false;
  Field field = Field::kName;
  std::string key;  // attribute key of an indexed path
  Value literal;    // for literals; a string literal's view points into `text`
  std::string text;

  Value Eval(const FilterItem& item) const { return is_path ? Get(field, key, item) : literal; }
};

}  // namespace filter_internal

struct FilterCondition::Node {
  enum class Kind { kOr, kAnd, kNot, kCompare, kMatch, kConst };
  Kind kind = Kind::kConst;
  std::vector<std::unique_ptr<Node>> children;
  // Heap-allocated, so that views into a literal's text stay valid when the node moves.
  std::unique_ptr<filter_internal::Operand> lhs;
  std::unique_ptr<filter_internal::Operand> rhs;
  filter_internal::Op op = filter_internal::Op::kEq;
  std::unique_ptr<RE2> re;
  bool value = false;

  bool Eval(const FilterItem& item) const;  // filter_eval.cc
};

}  // namespace infermetry::process
