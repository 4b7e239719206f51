#include "common/log.h"

#include "common/strconv.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace infermetry::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kLogfmt)};

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

void AppendTimestamp(std::string* out) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  out->append(buf, n);
  char frac[8];
  std::snprintf(frac, sizeof(frac), ".%03dZ", static_cast<int>(ms % 1000));
  out->append(frac);
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) {
      return true;
    }
  }
  return false;
}

void AppendLogfmt(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(' ');
  out->append(key);
  out->push_back('=');
  if (NeedsQuotes(value)) {
    AppendJsonString(out, value);
  } else {
    out->append(value);
  }
}

void AppendJson(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
Level GetLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
void SetFormat(Format format) { g_format.store(static_cast<int>(format)); }

bool ParseLevel(std::string_view s, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (s == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (level < GetLevel()) return;
  std::string line;
  line.reserve(128);
  std::string ts;
  AppendTimestamp(&ts);
  if (static_cast<Format>(g_format.load()) == Format::kJson) {
    line.append("{\"ts\":\"").append(ts).append("\"");
    AppendJson(&line, "level", LevelName(level));
    AppendJson(&line, "msg", msg);
    for (const Field& f : fields) AppendJson(&line, f.key, f.value);
    line.append("}\n");
  } else {
    line.append("ts=").append(ts);
    AppendLogfmt(&line, "level", LevelName(level));
    AppendLogfmt(&line, "msg", msg);
    for (const Field& f : fields) AppendLogfmt(&line, f.key, f.value);
    line.push_back('\n');
  }
  // One write(2) per record keeps concurrent records from interleaving.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace infermetry::log
