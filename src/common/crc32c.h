#pragma once
// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
// 0xFFFFFFFF; Value("123456789") == 0xE3069283. Used for on-disk frames (the WAL). Uses the
// SSE4.2 crc32 instruction when the CPU has it, else a slicing-by-8 table.
//
// Thread-safe; no allocation.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace infermetry::crc32c {

// The CRC of the concatenation of A (whose CRC is `crc`) and data[0..n).
// Extend(Value(a), b) == Value(a + b); Extend(0, p, n) == Value(p, n).
uint32_t Extend(uint32_t crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

}  // namespace infermetry::crc32c
