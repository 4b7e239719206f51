#pragma once
// Symbols: interning of label names and values. Each distinct string is stored once and named by
// a dense 32-bit id; series keep ids instead of strings (8 bytes per label pair).
//
// Thread-safety: Intern and Find may run concurrently. Get is lock-free: ids handed out earlier
// stay valid, and their strings never move, for the table's lifetime.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace infermetry::tsdb::index {

inline constexpr uint32_t kNoSymbol = 0xffffffffu;

class SymbolTable {
 public:
  SymbolTable();
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // The id of `s`, adding it when new.
  uint32_t Intern(std::string_view s);
  // The id of `s`, or kNoSymbol.
  uint32_t Find(std::string_view s) const;
  // REQUIRES: `id` was returned by Intern.
  std::string_view Get(uint32_t id) const {
    const std::string_view* page = pages_[id >> kPageBits].load(std::memory_order_acquire);
    return page[id & (kPageSize - 1)];
  }
  size_t size() const;
  // Bytes held: strings, pages and the lookup map (an estimate for the map).
  size_t MemoryBytes() const;

 private:
  static constexpr uint32_t kPageBits = 12;
  static constexpr uint32_t kPageSize = 1u << kPageBits;
  static constexpr uint32_t kMaxPages = 1u << 14;  // 64 Mi symbols
  struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::string_view Store(std::string_view s);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string_view, uint32_t, StrHash, std::equal_to<>> ids_;
  std::unique_ptr<std::atomic<const std::string_view*>[]> pages_;
  std::vector<std::unique_ptr<std::string_view[]>> owned_pages_;
  std::vector<std::unique_ptr<char[]>> arenas_;
  char* arena_ptr_ = nullptr;
  size_t arena_left_ = 0;
  size_t string_bytes_ = 0;
  uint32_t next_ = 0;
};

}  // namespace infermetry::tsdb::index
