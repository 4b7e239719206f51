// The functions alert templates can call: one row each in kFuncs below. Prometheus's
// humanize* and string helpers, regular expressions (RE2, whose syntax is Go's), and Go's
// builtins (index, len, not, and, or, comparisons). printf's formatting is in
// template_printf.cc.

#include <re2/re2.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/template_internal.h"
#include "common/strconv.h"

namespace infermetry::alerting::tmpl {
namespace {

Status WrongType(const Value& v, const char* want) {
  return InvalidArgument("wrong type for value; expected " + std::string(want) + "; got " +
                         v.TypeName());
}

Result<std::string> ArgString(const Value& v) {
  if (v.kind != Value::kString) return WrongType(v, "string");
  return v.s;
}

// Prometheus's convertToFloat: numbers and numeric strings.
Result<double> ToFloat(const Value& v) {
  switch (v.kind) {
    case Value::kFloat:
      return v.f;
    case Value::kInt:
      return static_cast<double>(v.i);
    case Value::kString: {
      double d = 0;
      if (!ParseGoFloat(v.s, &d)) {
        return InvalidArgument("strconv.ParseFloat: parsing \"" + v.s + "\": invalid syntax");
      }
      return d;
    }
    default:
      return InvalidArgument("can't convert " + v.TypeName() + " to float");
  }
}

// ---- humanize* (Prometheus's template functions) ----

// Multiplies *v (0 < |v| < 1) by 1000 until |v| >= 1; returns the SI prefix that undoes it.
const char* ScaleUpSmall(double* v) {
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(*v) >= 1) break;
    prefix = p;
    *v *= 1000;
  }
  return prefix;
}

Result<Value> Humanize(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(double v, ToFloat(a[0]));
  if (v == 0 || std::isnan(v) || std::isinf(v)) return Value::Str(GoG(v, 4));
  const char* prefix = "";
  if (std::fabs(v) >= 1) {
    for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    prefix = ScaleUpSmall(&v);
  }
  return Value::Str(GoG(v, 4) + prefix);
}

Result<Value> Humanize1024(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(double v, ToFloat(a[0]));
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return Value::Str(GoG(v, 4));
  const char* prefix = "";
  for (const char* p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return Value::Str(GoG(v, 4) + prefix);
}

Result<Value> HumanizeDuration(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(double v, ToFloat(a[0]));
  if (std::isnan(v) || std::isinf(v)) return Value::Str(GoG(v, 4));
  if (v == 0) return Value::Str(GoG(v, 4) + "s");
  if (std::fabs(v) >= 1) {
    std::string sign = v < 0 ? "-" : "";
    v = std::fabs(v);
    int64_t d = v >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(v);
    int64_t secs = d % 60, mins = d / 60 % 60, hours = d / 3600 % 24, days = d / 86400;
    auto n = [](int64_t x) { return std::to_string(x); };
    if (days != 0) {
      return Value::Str(sign + n(days) + "d " + n(hours) + "h " + n(mins) + "m " + n(secs) + "s");
    }
    if (hours != 0) return Value::Str(sign + n(hours) + "h " + n(mins) + "m " + n(secs) + "s");
    if (mins != 0) return Value::Str(sign + n(mins) + "m " + n(secs) + "s");
    return Value::Str(sign + GoG(v, 4) + "s");
  }
  const char* prefix = ScaleUpSmall(&v);
  return Value::Str(GoG(v, 4) + prefix + "s");
}

Result<Value> HumanizePercentage(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(double v, ToFloat(a[0]));
  return Value::Str(GoG(v * 100, 4) + "%");
}

// Go's Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
std::string FormatUtc(int64_t sec, int64_t nsec) {
  // Civil date from days since the epoch (proleptic Gregorian).
  int64_t days = sec / 86400, rem = sec % 86400;
  if (rem < 0) rem += 86400, --days;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  std::string s = buf;
  if (nsec != 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(nsec));
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();
    s += frac;
  }
  return s + " +0000 UTC";
}

Result<Value> HumanizeTimestamp(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(double v, ToFloat(a[0]));
  if (std::isnan(v) || std::isinf(v)) return Value::Str(GoG(v, 4));
  double ts = v * 1e9;
  if (ts >= 9223372036854775807.0 || ts < -9223372036854775808.0) {
    return InvalidArgument(FormatGoFloat(v) +
                           " cannot be represented as a nanoseconds timestamp since it overflows "
                           "int64");
  }
  int64_t sec = static_cast<int64_t>(ts / 1e9);
  int64_t nsec = static_cast<int64_t>(ts - static_cast<double>(sec * 1000000000));
  sec += nsec / 1000000000;
  nsec %= 1000000000;
  if (nsec < 0) nsec += 1000000000, --sec;
  return Value::Str(FormatUtc(sec, nsec));
}

// ---- strings ----

Result<Value> Printf(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string f, ArgString(a[0]));
  INFERMETRY_ASSIGN_OR_RETURN(std::string s, GoSprintf(f, a, 1));
  return Value::Str(std::move(s));
}

Result<Value> Print(const Context&, std::vector<Value>& a) {
  std::string s;
  for (size_t k = 0; k < a.size(); ++k) {
    // Go's Sprint: a space between operands when neither is a string.
    if (k > 0 && a[k].kind != Value::kString && a[k - 1].kind != Value::kString) s += ' ';
    a[k].AppendTo(&s);
  }
  return Value::Str(std::move(s));
}

Result<Value> Println(const Context&, std::vector<Value>& a) {
  std::string s;
  for (size_t k = 0; k < a.size(); ++k) {
    if (k > 0) s += ' ';
    a[k].AppendTo(&s);
  }
  return Value::Str(s + "\n");
}

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Result<Value> Title(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string s, ArgString(a[0]));
  // strings.Title: the first letter of every word; ASCII punctuation and spaces separate words.
  bool prev_sep = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (prev_sep && u >= 'a' && u <= 'z') c = static_cast<char>(u - 'a' + 'A');
    prev_sep = u < 0x80 && !IsAsciiAlnum(u);
  }
  return Value::Str(std::move(s));
}

Result<Value> ToUpper(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string s, ArgString(a[0]));
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return Value::Str(std::move(s));
}

Result<Value> ToLower(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string s, ArgString(a[0]));
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return Value::Str(std::move(s));
}

// Go's regexp syntax is RE2's.
Result<std::unique_ptr<re2::RE2>> CompileRegex(const std::string& pattern) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(pattern, opts);
  if (!re->ok()) {
    return InvalidArgument("error parsing regexp: " + re->error());
  }
  return re;
}

// Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$; unknown groups expand to "".
void ExpandReplacement(const re2::RE2& re, std::string_view repl,
                       const std::vector<re2::StringPiece>& groups, std::string* out) {
  for (size_t p = 0; p < repl.size();) {
    if (repl[p] != '$' || p + 1 >= repl.size()) {
      out->push_back(repl[p++]);
      continue;
    }
    if (repl[p + 1] == '$') {
      out->push_back('$');
      p += 2;
      continue;
    }
    std::string_view name;
    size_t next = 0;
    if (repl[p + 1] == '{') {
      size_t close = repl.find('}', p + 2);
      name = close == std::string_view::npos ? "" : repl.substr(p + 2, close - p - 2);
      next = close + 1;
    } else {
      size_t e = p + 1;
      while (e < repl.size() && IsAsciiAlnum(static_cast<unsigned char>(repl[e]))) ++e;
      name = repl.substr(p + 1, e - p - 1);
      next = e;
    }
    bool valid = !name.empty();
    for (char c : name) valid = valid && IsAsciiAlnum(static_cast<unsigned char>(c));
    if (!valid) {  // malformed: the $ is text
      out->push_back(repl[p++]);
      continue;
    }
    int64_t group = -1;
    if (!ParseInt64(name, &group)) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      group = it == named.end() ? -1 : it->second;
    }
    if (group >= 0 && static_cast<size_t>(group) < groups.size() &&
        groups[group].data() != nullptr) {
      out->append(groups[group].data(), groups[group].size());
    }
    p = next;
  }
}

Result<Value> ReReplaceAll(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string pattern, ArgString(a[0]));
  INFERMETRY_ASSIGN_OR_RETURN(std::string repl, ArgString(a[1]));
  INFERMETRY_ASSIGN_OR_RETURN(std::string text, ArgString(a[2]));
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<re2::RE2> re, CompileRegex(pattern));
  std::vector<re2::StringPiece> groups(re->NumberOfCapturingGroups() + 1);
  re2::StringPiece input(text.data(), text.size());
  std::string out;
  size_t last_end = 0, search = 0;
  // As Go's ReplaceAllString: an empty match right after the previous match is skipped, and
  // the search always advances by at least one character.
  while (search <= text.size()) {
    if (!re->Match(input, search, text.size(), re2::RE2::UNANCHORED, groups.data(),
                   static_cast<int>(groups.size()))) {
      break;
    }
    size_t start = groups[0].data() - text.data(), end = start + groups[0].size();
    out.append(text, last_end, start - last_end);
    if (end > last_end || start == 0) ExpandReplacement(*re, repl, groups, &out);
    last_end = end;
    size_t width = 1;
    if (search < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[search]);
      width = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    search = search + width > end ? search + width : end;
  }
  if (last_end < text.size()) out.append(text, last_end, std::string::npos);
  return Value::Str(std::move(out));
}

Result<Value> Match(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string pattern, ArgString(a[0]));
  INFERMETRY_ASSIGN_OR_RETURN(std::string text, ArgString(a[1]));
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<re2::RE2> re, CompileRegex(pattern));
  return Value::Bool(re2::RE2::PartialMatch(text, *re));
}

// net.SplitHostPort's host, or the input when it has no port.
Result<Value> StripPort(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string s, ArgString(a[0]));
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close != std::string::npos && close + 1 < s.size() && s[close + 1] == ':' &&
        s.find(':', close + 2) == std::string::npos) {
      return Value::Str(s.substr(1, close - 1));
    }
    return Value::Str(s);
  }
  size_t colon = s.find(':');
  if (colon == std::string::npos || s.find(':', colon + 1) != std::string::npos) {
    return Value::Str(s);
  }
  return Value::Str(s.substr(0, colon));
}

Result<Value> ExternalUrl(const Context& ctx, std::vector<Value>&) {
  return Value::Str(ctx.data->external_url);
}

Result<Value> PathPrefix(const Context& ctx, std::vector<Value>&) {
  const std::string& u = ctx.data->external_url;
  size_t scheme = u.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = u.find('/', host);
  if (path == std::string::npos) return Value::Str("");
  size_t end = u.find_first_of("?#", path);
  return Value::Str(u.substr(path, end == std::string::npos ? std::string::npos : end - path));
}

// ---- Go's builtins ----

Result<Value> Index(const Context&, std::vector<Value>& a) {
  Value v = a[0];
  for (size_t k = 1; k < a.size(); ++k) {
    const Value& ix = a[k];
    if (v.kind == Value::kMap) {
      if (ix.kind != Value::kString) {
        return InvalidArgument("value has type " + ix.TypeName() + "; should be string");
      }
      v = Value::Str(v.MapGet(ix.s));
    } else if (v.kind == Value::kString) {
      if (ix.kind != Value::kInt)
        return InvalidArgument("cannot index slice/array with type " + ix.TypeName());
      if (ix.i < 0 || static_cast<size_t>(ix.i) >= v.s.size()) {
        return InvalidArgument("index out of range: " + std::to_string(ix.i));
      }
      v = Value::Int(static_cast<unsigned char>(v.s[ix.i]));
    } else {
      return InvalidArgument("can't index item of type " + v.TypeName());
    }
  }
  return v;
}

Result<Value> Len(const Context&, std::vector<Value>& a) {
  if (a[0].kind == Value::kString) return Value::Int(static_cast<int64_t>(a[0].s.size()));
  if (a[0].kind == Value::kMap) return Value::Int(static_cast<int64_t>(a[0].MapSize()));
  return InvalidArgument("len of type " + a[0].TypeName());
}

Result<Value> Not(const Context&, std::vector<Value>& a) { return Value::Bool(!a[0].Truth()); }

Result<Value> And(const Context&, std::vector<Value>& a) {
  for (const Value& v : a) {
    if (!v.Truth()) return v;
  }
  return a.back();
}

Result<Value> Or(const Context&, std::vector<Value>& a) {
  for (const Value& v : a) {
    if (v.Truth()) return v;
  }
  return a.back();
}

// -1, 0, 1; errors as Go's comparison builtins. `ordered`: lt/le/gt/ge.
Result<int> Compare(const Value& x, const Value& y, bool ordered) {
  auto basic = [](const Value& v) {
    return v.kind == Value::kBool || v.kind == Value::kInt || v.kind == Value::kFloat ||
           v.kind == Value::kString;
  };
  if (!basic(x) || !basic(y)) {
    return InvalidArgument(ordered ? "invalid type for comparison" : "non-comparable type");
  }
  if (x.kind != y.kind) return InvalidArgument("incompatible types for comparison");
  switch (x.kind) {
    case Value::kBool:
      if (ordered) return InvalidArgument("invalid type for comparison");
      return x.b == y.b ? 0 : 1;
    case Value::kInt:
      return x.i < y.i ? -1 : x.i > y.i ? 1 : 0;
    case Value::kFloat:
      return x.f < y.f ? -1 : x.f > y.f ? 1 : x.f == y.f ? 0 : 2;  // 2: NaN
    default:
      return x.s < y.s ? -1 : x.s > y.s ? 1 : 0;
  }
}

Result<Value> Eq(const Context&, std::vector<Value>& a) {
  for (size_t k = 1; k < a.size(); ++k) {
    INFERMETRY_ASSIGN_OR_RETURN(int c, Compare(a[0], a[k], false));
    if (c == 0) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Result<Value> Ne(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1], false));
  return Value::Bool(c != 0);
}

Result<Value> Lt(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1], true));
  return Value::Bool(c == -1);
}
Result<Value> Le(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1], true));
  return Value::Bool(c == -1 || c == 0);
}
Result<Value> Gt(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1], true));
  return Value::Bool(c == 1);
}
Result<Value> Ge(const Context&, std::vector<Value>& a) {
  INFERMETRY_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1], true));
  return Value::Bool(c == 1 || c == 0);
}

constexpr FuncDef kFuncs[] = {
    {"humanize", 1, 1, Humanize},
    {"humanize1024", 1, 1, Humanize1024},
    {"humanizeDuration", 1, 1, HumanizeDuration},
    {"humanizePercentage", 1, 1, HumanizePercentage},
    {"humanizeTimestamp", 1, 1, HumanizeTimestamp},
    {"printf", 1, -1, Printf},
    {"print", 0, -1, Print},
    {"println", 0, -1, Println},
    {"title", 1, 1, Title},
    {"toUpper", 1, 1, ToUpper},
    {"toLower", 1, 1, ToLower},
    {"reReplaceAll", 3, 3, ReReplaceAll},
    {"match", 2, 2, Match},
    {"stripPort", 1, 1, StripPort},
    {"externalURL", 0, 0, ExternalUrl},
    {"pathPrefix", 0, 0, PathPrefix},
    {"index", 1, -1, Index},
    {"len", 1, 1, Len},
    {"not", 1, 1, Not},
    {"and", 1, -1, And},
    {"or", 1, -1, Or},
    {"eq", 2, -1, Eq},
    {"ne", 2, 2, Ne},
    {"lt", 2, 2, Lt},
    {"le", 2, 2, Le},
    {"gt", 2, 2, Gt},
    {"ge", 2, 2, Ge},
};

// Functions of Prometheus or Go templates that need what alert templates here do not have
// (queries, HTML, reflection).
constexpr std::string_view kUnsupported[] = {
    "query",         "first",    "label",     "value",     "sortByLabel", "strvalue", "args",
    "tmpl",          "safeHtml", "graphLink", "tableLink", "stripDomain", "toTime",   "toDuration",
    "parseDuration", "html",     "js",        "urlquery",  "slice",       "call",
};

}  // namespace

const FuncDef* FindFunc(std::string_view name) {
  for (const FuncDef& f : kFuncs) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

bool IsUnsupportedFunc(std::string_view name) {
  for (std::string_view u : kUnsupported) {
    if (u == name) return true;
  }
  return false;
}

}  // namespace infermetry::alerting::tmpl
