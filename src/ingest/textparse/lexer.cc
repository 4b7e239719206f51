#include "ingest/textparse/lexer.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "common/strconv.h"

namespace infermetry::textparse::internal {

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong 2-byte lead (C0/C1) or > U+10FFFF lead
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string DescribeByte(const char* p, const char* line_end) {
  if (p >= line_end) return "end of line";
  auto c = static_cast<unsigned char>(*p);
  switch (c) {
    case '\r':
      return "'\\r'";
    case '\t':
      return "'\\t'";
    case '\'':
      return "'\\''";
    case '\\':
      return "'\\\\'";
    default:
      break;
  }
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "'\\x";
  s.push_back(kHex[c >> 4]);
  s.push_back(kHex[c & 15]);
  s.push_back('\'');
  return s;
}

std::string QuoteForMessage(std::string_view s) {
  static constexpr size_t kMax = 64;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string q = "\"";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      q.push_back('\\');
      q.push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7F) {
      q.push_back(static_cast<char>(c));
    } else {
      q += "\\x";
      q.push_back(kHex[c >> 4]);
      q.push_back(kHex[c & 15]);
    }
  }
  if (s.size() > kMax) q += "...";
  q.push_back('"');
  return q;
}

size_t UnescapeLabelValue(std::string_view raw, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char e = raw[i + 1];
      if (e == '\\' || e == '"') {
        out[n++] = e;
        ++i;
        continue;
      }
      if (e == 'n') {
        out[n++] = '\n';
        ++i;
        continue;
      }
      out[n++] = c;
      out[n++] = e;
      ++i;
      continue;
    }
    out[n++] = c;
  }
  return n;
}

size_t UnescapeTextHelp(std::string_view raw, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '\\' || raw[i + 1] == 'n')) {
      out[n++] = raw[i + 1] == 'n' ? '\n' : '\\';
      ++i;
      continue;
    }
    out[n++] = c;
  }
  return n;
}

void AppendEscaped(std::string* out, std::string_view s, bool quote) {
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    const char* rep = nullptr;
    if (c == '\\') {
      rep = "\\\\";
    } else if (c == '\n') {
      rep = "\\n";
    } else if (c == '"' && quote) {
      rep = "\\\"";
    } else {
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(rep, 2);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exact conversion of [+-]digits[.digits] (at least one digit overall). Returns false when `s`
// has another shape (for the double fallback) and sets *overflow when it has this shape but
// does not fit.
bool ParseDecimalSecondsToMs(std::string_view s, int64_t* ms, bool* overflow) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  uint64_t secs = 0;
  size_t int_digits = 0;
  bool big = false;
  for (; i < s.size() && IsDigit(s[i]); ++i, ++int_digits) {
    if (secs > (std::numeric_limits<uint64_t>::max() - 9) / 10) {
      big = true;
    } else {
      secs = secs * 10 + static_cast<uint64_t>(s[i] - '0');
    }
  }
  uint64_t frac = 0;  // milliseconds
  size_t frac_digits = 0;
  bool round_up = false;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && IsDigit(s[i]); ++i, ++frac_digits) {
      if (frac_digits < 3) {
        frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
      } else if (frac_digits == 3) {
        round_up = s[i] >= '5';
      }
    }
  }
  if (i != s.size() || int_digits + frac_digits == 0) return false;
  for (size_t k = frac_digits; k < 3; ++k) frac *= 10;
  // |result| may be at most 2^63 - 1 (positive) or 2^63 (negative).
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0);
  if (big || secs > limit / 1000) {
    *overflow = true;
    return true;
  }
  uint64_t total = secs * 1000 + frac + (round_up ? 1 : 0);
  if (total > limit) {
    *overflow = true;
    return true;
  }
  *ms = neg ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
  return true;
}

}  // namespace

bool ParseSecondsToMs(std::string_view s, int64_t* ms) {
  bool overflow = false;
  if (ParseDecimalSecondsToMs(s, ms, &overflow)) return !overflow;
  double d;
  if (!ParseGoFloat(s, &d) || !std::isfinite(d)) return false;
  double v = std::round(d * 1000.0);
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return false;
  *ms = static_cast<int64_t>(v);
  return true;
}

void AppendMsAsSeconds(std::string* out, int64_t ms) {
  uint64_t mag = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out->push_back('-');
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), mag / 1000);
  out->append(buf, res.ptr);
  unsigned frac = static_cast<unsigned>(mag % 1000);
  if (frac == 0) return;
  char f[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
               static_cast<char>('0' + frac % 10)};
  size_t n = 4;
  while (f[n - 1] == '0') --n;
  out->append(f, n);
}

bool ParseTypeForFormat(std::string_view s, Format format, model::MetricType* out) {
  using model::MetricType;
  if (format == Format::kPrometheusText) {
    static constexpr struct {
      std::string_view name;
      MetricType type;
    } kText[] = {{"counter", MetricType::kCounter},
                 {"gauge", MetricType::kGauge},
                 {"histogram", MetricType::kHistogram},
                 {"summary", MetricType::kSummary},
                 {"untyped", MetricType::kUnknown}};
    for (const auto& t : kText) {
      if (t.name == s) {
        *out = t.type;
        return true;
      }
    }
    return false;
  }
  if (s == "untyped") return false;
  return model::ParseMetricType(s, out);
}

std::string_view TypeNameForFormat(model::MetricType t, Format format) {
  using model::MetricType;
  if (format == Format::kOpenMetrics) return model::MetricTypeName(t);
  switch (t) {
    case MetricType::kCounter:
    case MetricType::kGauge:
    case MetricType::kHistogram:
    case MetricType::kSummary:
      return model::MetricTypeName(t);
    default:
      return "untyped";
  }
}

bool SampleBelongsToFamily(std::string_view name, std::string_view family, model::MetricType type,
                           Format format) {
  using model::MetricType;
  if (family.empty() || name.size() < family.size() ||
      name.compare(0, family.size(), family) != 0) {
    return false;
  }
  std::string_view suffix = name.substr(family.size());
  const bool om = format == Format::kOpenMetrics;
  switch (type) {
    case MetricType::kUnknown:
    case MetricType::kGauge:
    case MetricType::kStateset:
      return suffix.empty();
    case MetricType::kCounter:
      return om ? (suffix == "_total" || suffix == "_created") : suffix.empty();
    case MetricType::kInfo:
      return suffix == "_info";
    case MetricType::kSummary:
      return suffix.empty() || suffix == "_sum" || suffix == "_count" ||
             (om && suffix == "_created");
    case MetricType::kHistogram:
      return suffix == "_bucket" || suffix == "_sum" || suffix == "_count" ||
             (om && suffix == "_created");
    case MetricType::kGaugeHistogram:
      return suffix == "_bucket" || suffix == "_gsum" || suffix == "_gcount";
  }
  return false;
}

}  // namespace infermetry::textparse::internal
