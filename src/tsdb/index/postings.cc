#include "tsdb/index/postings.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <queue>

namespace infermetry::tsdb::index {

Postings Intersect(const Postings& a, const Postings& b) {
  Postings out;
  out.reserve(std::min(a.size(), b.size()));
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings Difference(const Postings& a, const Postings& b) {
  Postings out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings Union(std::span<const Postings> lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return lists[0];
  // k-way merge with a heap of (ref, list index, position).
  struct Cur {
    uint32_t ref;
    size_t list;
    size_t pos;
    bool operator>(const Cur& o) const { return ref > o.ref; }
  };
  std::priority_queue<Cur, std::vector<Cur>, std::greater<>> heap;
  size_t total = 0;
  for (size_t i = 0; i < lists.size(); ++i) {
    total += lists[i].size();
    if (!lists[i].empty()) heap.push({lists[i][0], i, 0});
  }
  Postings out;
  out.reserve(total);
  while (!heap.empty()) {
    Cur c = heap.top();
    heap.pop();
    if (out.empty() || out.back() != c.ref) out.push_back(c.ref);
    if (c.pos + 1 < lists[c.list].size()) heap.push({lists[c.list][c.pos + 1], c.list, c.pos + 1});
  }
  return out;
}

void MemPostings::Add(uint32_t ref, std::span<const SymPair> pairs) {
  std::unique_lock l(mu_);
  for (const SymPair& p : pairs) {
    Postings& list = m_[p.name][p.value];
    if (list.empty() || list.back() < ref) {
      list.push_back(ref);
    } else {
      auto it = std::lower_bound(list.begin(), list.end(), ref);
      if (it == list.end() || *it != ref) list.insert(it, ref);
    }
  }
}

void MemPostings::Delete(const Postings& refs, std::span<const SymPair> pairs) {
  if (refs.empty()) return;
  std::unique_lock l(mu_);
  for (const SymPair& p : pairs) {
    auto n = m_.find(p.name);
    if (n == m_.end()) continue;
    auto v = n->second.find(p.value);
    if (v == n->second.end()) continue;
    Postings& list = v->second;
    std::erase_if(list, [&](uint32_t r) { return std::binary_search(refs.begin(), refs.end(), r); });
    if (list.empty()) {
      n->second.erase(v);
    } else if (list.capacity() > 2 * list.size() + 8) {
      list.shrink_to_fit();
    }
    if (n->second.empty()) m_.erase(n);
  }
}

Postings MemPostings::Get(uint32_t name, uint32_t value) const {
  std::shared_lock l(mu_);
  auto n = m_.find(name);
  if (n == m_.end()) return {};
  auto v = n->second.find(value);
  if (v == n->second.end()) return {};
  return v->second;
}

void MemPostings::ForEachValue(
    uint32_t name, const std::function<void(uint32_t, const Postings&)>& fn) const {
  std::shared_lock l(mu_);
  auto n = m_.find(name);
  if (n == m_.end()) return;
  for (const auto& [value, list] : n->second) fn(value, list);
}

std::vector<uint32_t> MemPostings::Names() const {
  std::shared_lock l(mu_);
  std::vector<uint32_t> out;
  out.reserve(m_.size());
  for (const auto& [name, values] : m_) out.push_back(name);
  return out;
}

size_t MemPostings::MemoryBytes() const {
  std::shared_lock l(mu_);
  size_t total = m_.bucket_count() * sizeof(void*);
  for (const auto& [name, values] : m_) {
    total += 64 + values.bucket_count() * sizeof(void*);
    for (const auto& [value, list] : values) {
      // Node: next pointer, key, vector header, malloc overhead; then the array.
      total += 48 + list.capacity() * sizeof(uint32_t) + 16;
    }
  }
  return total;
}

namespace {

// Series that have label `name` with a value for which `want(value)` holds.
Postings Select(const SymbolTable& symbols, const MemPostings& postings, uint32_t name,
                const storage::Matcher& m, bool want) {
  std::vector<Postings> lists;
  postings.ForEachValue(name, [&](uint32_t value, const Postings& list) {
    if (m.Matches(symbols.Get(value)) == want) lists.push_back(list);
  });
  return Union(lists);
}

}  // namespace

Result<Postings> PostingsForMatchers(const SymbolTable& symbols, const MemPostings& postings,
                                     std::span<const storage::Matcher> matchers) {
  // Matchers that do not match "" select by inclusion (intersect, most selective first);
  // the others exclude series whose value they reject.
  std::vector<const storage::Matcher*> include, exclude;
  for (const auto& m : matchers) (m.MatchesEmpty() ? exclude : include).push_back(&m);
  if (include.empty()) {
    return InvalidArgument("a selector needs at least one matcher that does not match the empty "
                           "string");
  }
  std::vector<Postings> sets;
  sets.reserve(include.size());
  for (const storage::Matcher* m : include) {
    uint32_t name = symbols.Find(m->name());
    if (name == kNoSymbol) return Postings{};
    if (m->op() == storage::Matcher::Op::kEq) {
      uint32_t value = symbols.Find(m->value());
      if (value == kNoSymbol) return Postings{};
      sets.push_back(postings.Get(name, value));
    } else {
      sets.push_back(Select(symbols, postings, name, *m, true));
    }
    if (sets.back().empty()) return Postings{};
  }
  std::sort(sets.begin(), sets.end(),
            [](const Postings& a, const Postings& b) { return a.size() < b.size(); });
  Postings out = std::move(sets[0]);
  for (size_t i = 1; i < sets.size() && !out.empty(); ++i) out = Intersect(out, sets[i]);
  for (const storage::Matcher* m : exclude) {
    if (out.empty()) break;
    uint32_t name = symbols.Find(m->name());
    if (name == kNoSymbol) continue;  // no series has the label: all match ""
    if (m->op() == storage::Matcher::Op::kNeq) {
      uint32_t value = symbols.Find(m->value());
      if (value == kNoSymbol) continue;
      out = Difference(out, postings.Get(name, value));
    } else {
      out = Difference(out, Select(symbols, postings, name, *m, false));
    }
  }
  return out;
}

}  // namespace infermetry::tsdb::index
