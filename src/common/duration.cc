#include "common/duration.h"

#include <charconv>

namespace infermetry {
namespace {

struct Unit {
  std::string_view name;
  double ms;
};

// Longest names first so "ms" is not read as "m".
constexpr Unit kUnits[] = {
    {"ms", 1.0},          {"us", 1e-3},       {"\xC2\xB5s", 1e-3}, {"ns", 1e-6},
    {"y", 365 * 86400e3}, {"w", 7 * 86400e3}, {"d", 86400e3},      {"h", 3600e3},
    {"m", 60e3},          {"s", 1e3},
};

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid duration \"" + std::string(s) + "\": " + std::string(why));
  };
  if (s.empty()) return bad("empty");
  if (s == "0") return std::chrono::milliseconds(0);
  double total = 0;
  std::string_view rest = s;
  while (!rest.empty()) {
    size_t i = 0;
    while (i < rest.size() && ((rest[i] >= '0' && rest[i] <= '9') || rest[i] == '.')) ++i;
    if (i == 0) return bad("expected a number");
    double n;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + i, n);
    if (ec != std::errc() || ptr != rest.data() + i) return bad("bad number");
    rest.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (rest.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return bad("expected a unit (y, w, d, h, m, s, ms, us, ns)");
    rest.remove_prefix(unit->name.size());
    total += n * unit->ms;
  }
  if (total > 9.2e15) return bad("too long");
  return std::chrono::milliseconds(static_cast<int64_t>(total + 0.5));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out.push_back('-');
    ms = -ms;
  }
  static constexpr struct { const char* name; int64_t ms; } kParts[] = {
      {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  for (const auto& p : kParts) {
    if (ms >= p.ms) {
      out += std::to_string(ms / p.ms) + p.name;
      ms %= p.ms;
    }
  }
  return out;
}

}  // namespace infermetry
