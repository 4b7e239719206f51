#include "tsdb/index/symbols.h"

#include <cstdlib>
#include <cstring>

namespace infermetry::tsdb::index {
namespace {
constexpr size_t kArenaBytes = 64 * 1024;
}

SymbolTable::SymbolTable() : pages_(new std::atomic<const std::string_view*>[kMaxPages]) {
  for (uint32_t i = 0; i < kMaxPages; ++i) pages_[i].store(nullptr, std::memory_order_relaxed);
}

SymbolTable::~SymbolTable() = default;

std::string_view SymbolTable::Store(std::string_view s) {
  if (s.size() > kArenaBytes / 4) {
    arenas_.emplace_back(new char[s.size()]);
    std::memcpy(arenas_.back().get(), s.data(), s.size());
    string_bytes_ += s.size();
    return {arenas_.back().get(), s.size()};
  }
  if (arena_left_ < s.size()) {
    arenas_.emplace_back(new char[kArenaBytes]);
    arena_ptr_ = arenas_.back().get();
    arena_left_ = kArenaBytes;
    string_bytes_ += kArenaBytes;
  }
  char* p = arena_ptr_;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  arena_ptr_ += s.size();
  arena_left_ -= s.size();
  return {p, s.size()};
}

uint32_t SymbolTable::Intern(std::string_view s) {
  {
    std::shared_lock l(mu_);
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
  }
  std::unique_lock l(mu_);
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  uint32_t id = next_;
  uint32_t page = id >> kPageBits;
  if (page >= kMaxPages) std::abort();  // 64 Mi distinct strings in one head
  if ((id & (kPageSize - 1)) == 0) {
    owned_pages_.emplace_back(new std::string_view[kPageSize]);
    pages_[page].store(owned_pages_.back().get(), std::memory_order_release);
  }
  std::string_view stored = Store(s);
  // Publish the string before the id can be seen by readers of Get (they get ids through
  // structures published under other locks, which order this store before their loads).
  const_cast<std::string_view*>(pages_[page].load(std::memory_order_relaxed))[id & (kPageSize - 1)] =
      stored;
  ids_.emplace(stored, id);
  ++next_;
  return id;
}

uint32_t SymbolTable::Find(std::string_view s) const {
  std::shared_lock l(mu_);
  auto it = ids_.find(s);
  return it == ids_.end() ? kNoSymbol : it->second;
}

size_t SymbolTable::size() const {
  std::shared_lock l(mu_);
  return next_;
}

size_t SymbolTable::MemoryBytes() const {
  std::shared_lock l(mu_);
  // Map nodes (~48 bytes with malloc overhead) and one bucket pointer per element.
  return string_bytes_ + owned_pages_.size() * kPageSize * sizeof(std::string_view) +
         kMaxPages * sizeof(void*) + ids_.size() * 56 + ids_.bucket_count() * sizeof(void*);
}

}  // namespace infermetry::tsdb::index
