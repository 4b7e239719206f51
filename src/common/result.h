#pragma once
// Result<T>: a T or the Status saying why there is none.
//   Result<int> r = Parse(s);
//   if (!r.ok()) return r.status();
//   use(*r);
// Accessing the value of an error Result is a programming error (checked by assert).

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace infermetry {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {           // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace infermetry

// Assigns the value of `rexpr` (a Result) to `lhs`, or returns its Status.
#define INFERMETRY_CONCAT_INNER(a, b) a##b
#define INFERMETRY_CONCAT(a, b) INFERMETRY_CONCAT_INNER(a, b)
#define INFERMETRY_ASSIGN_OR_RETURN(lhs, rexpr) \
  INFERMETRY_ASSIGN_OR_RETURN_IMPL(INFERMETRY_CONCAT(_res_, __LINE__), lhs, rexpr)
#define INFERMETRY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                     \
  if (!tmp.ok()) return tmp.status();                     \
  lhs = std::move(tmp).value()
