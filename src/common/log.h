#pragma once
// Structured logging to stderr, one record per line, in logfmt:
//   ts=2026-11-24T05:40:00.123Z level=warn msg="scrape failed" target=http://a:8000/metrics err="..."
// or, with SetLogFormat(kJson), one JSON object per line.
// Thread-safe: a record is formatted off-lock and written with a single write(2).

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace infermetry::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kLogfmt, kJson };

// A key and its already-rendered value.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Field(std::string_view k, T v) : key(k), value(std::to_string(v)) {}

  std::string_view key;
  std::string value;
};

void SetLevel(Level level);
Level GetLevel();
void SetFormat(Format format);
// Parses "debug", "info", "warn", "error"; false if unknown.
bool ParseLevel(std::string_view s, Level* out);

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields);

inline void Debug(std::string_view msg, std::initializer_list<Field> f = {}) {
  if (GetLevel() <= Level::kDebug) Write(Level::kDebug, msg, f);
}
inline void Info(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, msg, f);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, msg, f);
}
inline void Error(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kError, msg, f);
}

}  // namespace infermetry::log
