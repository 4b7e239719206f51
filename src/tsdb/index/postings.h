#pragma once
// Postings: sorted lists of series refs, one per label pair, and the set operations that turn
// PromQL matchers into a list of series.
//
// Thread-safety: MemPostings is safe for concurrent use (readers copy what they need under a
// shared lock). The free functions are pure.

#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "storage/querier.h"
#include "tsdb/index/symbols.h"

namespace infermetry::tsdb::index {

// Sorted, distinct series refs.
using Postings = std::vector<uint32_t>;

Postings Intersect(const Postings& a, const Postings& b);
Postings Union(std::span<const Postings> lists);
// Refs in `a` that are not in `b`.
Postings Difference(const Postings& a, const Postings& b);

// A label pair as interned symbols.
struct SymPair {
  uint32_t name;
  uint32_t value;
};

class MemPostings {
 public:
  // Adds `ref` to the list of every pair. Refs usually arrive in increasing order (appended in
  // O(1)); others are inserted in place.
  void Add(uint32_t ref, std::span<const SymPair> pairs);
  // Removes `refs` (sorted) from the lists of `pairs` (the union of their pairs).
  void Delete(const Postings& refs, std::span<const SymPair> pairs);

  // A copy of the list for name=value (empty when unknown).
  Postings Get(uint32_t name, uint32_t value) const;
  // Calls fn(value, list) for each value of `name`, under a shared lock: fn must not call back.
  void ForEachValue(uint32_t name,
                    const std::function<void(uint32_t value, const Postings&)>& fn) const;
  // Every label name with at least one series.
  std::vector<uint32_t> Names() const;
  size_t MemoryBytes() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, Postings>> m_;
};

// The series matching every matcher, with Prometheus semantics: a matcher that matches "" also
// selects series without the label. kInvalidArgument when every matcher matches "" (the
// result would be every series).
Result<Postings> PostingsForMatchers(const SymbolTable& symbols, const MemPostings& postings,
                                     std::span<const storage::Matcher> matchers);

}  // namespace infermetry::tsdb::index
