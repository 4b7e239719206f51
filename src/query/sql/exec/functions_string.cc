// Text functions. Positions and lengths count characters (UTF-8 code points), as PostgreSQL
// does with a UTF-8 database.
#include <algorithm>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/functions_impl.h"

namespace infermetry::sql::exec {

namespace {

// Byte offsets of each character start, plus the end.
std::vector<size_t> CharStarts(const std::string& s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

int64_t CharCount(const std::string& s) { return static_cast<int64_t>(CharStarts(s).size()) - 1; }

// Characters [from, from + count) (0-based, clamped).
std::string CharSlice(const std::string& s, int64_t from, int64_t count) {
  std::vector<size_t> st = CharStarts(s);
  int64_t n = static_cast<int64_t>(st.size()) - 1;
  int64_t b = std::clamp<int64_t>(from, 0, n);
  int64_t e = std::clamp<int64_t>(count < 0 ? n : from + count, b, n);
  return s.substr(st[b], st[e] - st[b]);
}

std::string Trim(const std::string& s, const std::string& chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left) while (b < e && chars.find(s[b]) != std::string::npos) ++b;
  if (right) while (e > b && chars.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

}  // namespace

Result<Value> FnLower(const Value* a, size_t, Type, ExecContext*) {
  std::string s = a[0].s;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Value::Text(std::move(s));
}
Result<Value> FnUpper(const Value* a, size_t, Type, ExecContext*) {
  std::string s = a[0].s;
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Value::Text(std::move(s));
}
Result<Value> FnLength(const Value* a, size_t, Type, ExecContext*) { return Value::Int(CharCount(a[0].s)); }

Result<Value> FnSubstr(const Value* a, size_t n, Type, ExecContext*) {
  int64_t start = a[1].i;  // 1-based, may be <= 0
  if (n < 3) return Value::Text(CharSlice(a[0].s, std::max<int64_t>(start, 1) - 1, -1));
  if (a[2].i < 0) return InvalidArgument("negative substring length not allowed");
  int64_t end = start + a[2].i;  // exclusive, 1-based
  int64_t b = std::max<int64_t>(start, 1);
  if (end <= b) return Value::Text("");
  return Value::Text(CharSlice(a[0].s, b - 1, end - b));
}

Result<Value> FnConcat(const Value* a, size_t n, Type, ExecContext*) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (!a[i].null) out += ValueToText(a[i]);
  }
  return Value::Text(std::move(out));
}
Result<Value> FnConcatWs(const Value* a, size_t n, Type, ExecContext*) {
  if (a[0].null) return Value::Null(Type::kText);
  std::string out;
  bool first = true;
  for (size_t i = 1; i < n; ++i) {
    if (a[i].null) continue;
    if (!first) out += a[0].s;
    out += ValueToText(a[i]);
    first = false;
  }
  return Value::Text(std::move(out));
}
Result<Value> FnTextCat(const Value* a, size_t, Type, ExecContext*) {
  return Value::Text(ValueToText(a[0]) + ValueToText(a[1]));
}
Result<Value> FnReplace(const Value* a, size_t, Type, ExecContext*) {
  const std::string& s = a[0].s;
  const std::string& from = a[1].s;
  if (from.empty()) return a[0];
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t f = s.find(from, pos);
    if (f == std::string::npos) break;
    out.append(s, pos, f - pos);
    out += a[2].s;
    pos = f + from.size();
  }
  out.append(s, pos, std::string::npos);
  return Value::Text(std::move(out));
}
Result<Value> FnBtrim(const Value* a, size_t n, Type, ExecContext*) {
  return Value::Text(Trim(a[0].s, n > 1 ? a[1].s : " ", true, true));
}
Result<Value> FnLtrim(const Value* a, size_t n, Type, ExecContext*) {
  return Value::Text(Trim(a[0].s, n > 1 ? a[1].s : " ", true, false));
}
Result<Value> FnRtrim(const Value* a, size_t n, Type, ExecContext*) {
  return Value::Text(Trim(a[0].s, n > 1 ? a[1].s : " ", false, true));
}
Result<Value> FnStrpos(const Value* a, size_t, Type, ExecContext*) {
  size_t f = a[0].s.find(a[1].s);
  if (f == std::string::npos) return Value::Int(0);
  return Value::Int(CharCount(a[0].s.substr(0, f)) + 1);
}
// position(substring IN string): the parser passes (substring, string).
Result<Value> FnPosition(const Value* a, size_t n, Type ret, ExecContext* ctx) {
  Value swapped[2] = {a[1], a[0]};
  return FnStrpos(swapped, n, ret, ctx);
}
Result<Value> FnLeft(const Value* a, size_t, Type, ExecContext*) {
  int64_t len = CharCount(a[0].s);
  int64_t k = a[1].i >= 0 ? a[1].i : std::max<int64_t>(0, len + a[1].i);
  return Value::Text(CharSlice(a[0].s, 0, k));
}
Result<Value> FnRight(const Value* a, size_t, Type, ExecContext*) {
  int64_t len = CharCount(a[0].s);
  int64_t k = a[1].i >= 0 ? std::min(a[1].i, len) : std::max<int64_t>(0, len + a[1].i);
  return Value::Text(CharSlice(a[0].s, len - k, k));
}
Result<Value> FnSplitPart(const Value* a, size_t, Type, ExecContext*) {
  int64_t field = 0;
  Result<Value> f = CastValue(a[2], Type::kInt64);
  if (!f.ok()) return f.status();
  field = f->i;
  if (field == 0) return InvalidArgument("field position must not be zero");
  const std::string& s = a[0].s;
  const std::string& d = a[1].s;
  std::vector<std::string> parts;
  if (d.empty()) {
    parts.push_back(s);
  } else {
    size_t pos = 0;
    while (true) {
      size_t x = s.find(d, pos);
      if (x == std::string::npos) { parts.push_back(s.substr(pos)); break; }
      parts.push_back(s.substr(pos, x - pos));
      pos = x + d.size();
    }
  }
  int64_t idx = field > 0 ? field - 1 : static_cast<int64_t>(parts.size()) + field;
  if (idx < 0 || idx >= static_cast<int64_t>(parts.size())) return Value::Text("");
  return Value::Text(parts[idx]);
}
Result<Value> FnStartsWith(const Value* a, size_t, Type, ExecContext*) {
  return Value::Bool(a[0].s.compare(0, a[1].s.size(), a[1].s) == 0);
}
Result<Value> FnReverse(const Value* a, size_t, Type, ExecContext*) {
  std::vector<size_t> st = CharStarts(a[0].s);
  std::string out;
  for (size_t i = st.size() - 1; i > 0; --i) out += a[0].s.substr(st[i - 1], st[i] - st[i - 1]);
  return Value::Text(std::move(out));
}
Result<Value> FnRepeat(const Value* a, size_t, Type, ExecContext*) {
  if (a[1].i > 0 && a[0].s.size() * static_cast<size_t>(a[1].i) > (size_t{1} << 28)) {
    return Status(Code::kResourceExhausted, "requested length too large");
  }
  std::string out;
  for (int64_t i = 0; i < a[1].i; ++i) out += a[0].s;
  return Value::Text(std::move(out));
}
static Result<Value> Pad(const Value* a, size_t n, bool left) {
  int64_t len = std::min<int64_t>(a[1].i, 1 << 20);
  std::string fill = n > 2 ? a[2].s : " ";
  int64_t have = CharCount(a[0].s);
  if (len <= have) return Value::Text(CharSlice(a[0].s, 0, std::max<int64_t>(len, 0)));
  if (fill.empty()) return a[0];
  std::string pad;
  std::vector<size_t> fs = CharStarts(fill);
  int64_t fl = static_cast<int64_t>(fs.size()) - 1;
  for (int64_t i = 0; i < len - have; ++i) {
    int64_t k = i % fl;
    pad += fill.substr(fs[k], fs[k + 1] - fs[k]);
  }
  return Value::Text(left ? pad + a[0].s : a[0].s + pad);
}
Result<Value> FnLpad(const Value* a, size_t n, Type, ExecContext*) { return Pad(a, n, true); }
Result<Value> FnRpad(const Value* a, size_t n, Type, ExecContext*) { return Pad(a, n, false); }

}  // namespace infermetry::sql::exec
