#pragma once
// The function registry: ONE explicit table (functions.cc) of every scalar and aggregate
// function, with its arity, how it resolves argument types, and its implementation.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/sql/column.h"
#include "query/sql/value.h"

namespace infermetry::sql::exec {

class ExecContext;

enum class FnKind { kScalar, kAggregate };

// Argument resolution: given the argument types (kNull for an untyped NULL or string literal),
// fills the types the arguments are cast to and the result type; false when there is no such
// signature ("function foo(bigint) does not exist").
using ResolveFn = bool (*)(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret);

// A scalar implementation over one row's argument values. Strict functions never see NULLs
// (the evaluator returns NULL for them).
using ScalarFn = Result<Value> (*)(const Value* args, size_t n, Type ret, ExecContext* ctx);

// An aggregate's state for one group.
class Accumulator {
 public:
  virtual ~Accumulator() = default;
  // Adds row `row` of `arg` (the aggregated argument; ignored by count(*)).
  virtual void Add(const Column& arg, size_t row) = 0;
  virtual Result<Value> Finish() = 0;
  // Bytes held beyond the object (value lists, distinct sets).
  virtual size_t MemoryBytes() const { return 0; }
};

struct AggOptions {
  Type arg_type = Type::kNull;
  Type ret = Type::kNull;
  double fraction = 0;      // percentile_cont/percentile_disc
  bool desc = false;        // WITHIN GROUP (ORDER BY x DESC)
  std::string separator;    // string_agg
};
using AggFactory = std::unique_ptr<Accumulator> (*)(const AggOptions& opts);

struct FunctionDef {
  std::string_view name;
  FnKind kind;
  int min_args;
  int max_args;  // -1: any number
  ResolveFn resolve;
  ScalarFn scalar = nullptr;
  AggFactory aggregate = nullptr;
  bool strict = true;  // NULL in any argument gives NULL without calling `scalar`
};

// The function called `name` (lower case), or null.
const FunctionDef* FindFunction(std::string_view name);
// Every function, for hints.
const std::vector<FunctionDef>& AllFunctions();

// Helpers shared by the function files.
bool IsNumeric(Type t);

}  // namespace infermetry::sql::exec
