#include "server/api/parseable_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/strconv.h"

namespace infermetry::api {
namespace {

constexpr int kMaxDepth = 512;

class Reader {
 public:
  explicit Reader(std::string_view text) : t_(text) {}

  Result<JsonValue> Document() {
    JsonValue v;
    SkipSpace();
    if (!Value(&v, 0)) return error_;
    SkipSpace();
    if (p_ != t_.size()) {
      Fail("unexpected text after the JSON value");
      return error_;
    }
    return v;
  }

 private:
  bool Fail(std::string_view what) {
    error_ = ParseError("invalid JSON at byte " + std::to_string(p_) + ": " + std::string(what));
    return false;
  }

  void SkipSpace() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }

  bool Literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) {
      Fail("invalid literal (want true, false or null)");
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool Value(JsonValue* v, int depth) {
    if (depth > kMaxDepth) {
      Fail("nested deeper than 512 levels");
      return false;
    }
    if (p_ >= t_.size()) {
      Fail("unexpected end of input, expected a value");
      return false;
    }
    v->begin = p_;
    bool ok;
    switch (t_[p_]) {
      case '{': ok = Object(v, depth); break;
      case '[': ok = Array(v, depth); break;
      case '"': v->kind = JsonValue::Kind::kString; ok = String(&v->s); break;
      case 't': v->kind = JsonValue::Kind::kBool; v->b = true; ok = Literal("true"); break;
      case 'f': v->kind = JsonValue::Kind::kBool; ok = Literal("false"); break;
      case 'n': v->kind = JsonValue::Kind::kNull; ok = Literal("null"); break;
      default:
        if (t_[p_] == '-' || (t_[p_] >= '0' && t_[p_] <= '9')) {
          ok = Number(v);
        } else {
          Fail("expected a value");
          ok = false;
        }
    }
    v->end = p_;
    return ok;
  }

  bool Object(JsonValue* v, int depth) {
    v->kind = JsonValue::Kind::kObject;
    ++p_;
    SkipSpace();
    if (p_ < t_.size() && t_[p_] == '}') {
      ++p_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (p_ >= t_.size() || t_[p_] != '"') {
        Fail("expected a string as an object key");
        return false;
      }
      std::string key;
      if (!String(&key)) return false;
      SkipSpace();
      if (p_ >= t_.size() || t_[p_] != ':') {
        Fail("expected ':' after an object key");
        return false;
      }
      ++p_;
      SkipSpace();
      JsonValue member;
      if (!Value(&member, depth + 1)) return false;
      v->members.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (p_ < t_.size() && t_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < t_.size() && t_[p_] == '}') {
        ++p_;
        return true;
      }
      Fail("expected ',' or '}' in an object");
      return false;
    }
  }

  bool Array(JsonValue* v, int depth) {
    v->kind = JsonValue::Kind::kArray;
    ++p_;
    SkipSpace();
    if (p_ < t_.size() && t_[p_] == ']') {
      ++p_;
      return true;
    }
    while (true) {
      SkipSpace();
      JsonValue item;
      if (!Value(&item, depth + 1)) return false;
      v->items.push_back(std::move(item));
      SkipSpace();
      if (p_ < t_.size() && t_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < t_.size() && t_[p_] == ']') {
        ++p_;
        return true;
      }
      Fail("expected ',' or ']' in an array");
      return false;
    }
  }

  bool Hex4(uint32_t* out) {
    if (p_ + 4 > t_.size()) {
      Fail("truncated \\u escape");
      return false;
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      int d = HexDigitValue(t_[p_ + k]);
      if (d < 0) {
        p_ += k;
        Fail("invalid hex digit in a \\u escape");
        return false;
      }
      v = v * 16 + static_cast<uint32_t>(d);
    }
    p_ += 4;
    *out = v;
    return true;
  }

  bool String(std::string* out) {
    ++p_;  // opening quote
    while (true) {
      size_t run = p_;
      while (run < t_.size() && t_[run] != '"' && t_[run] != '\\' && static_cast<unsigned char>(t_[run]) >= 0x20) {
        ++run;
      }
      out->append(t_.substr(p_, run - p_));
      p_ = run;
      if (p_ >= t_.size()) {
        Fail("unterminated string");
        return false;
      }
      char c = t_[p_];
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c != '\\') {
        Fail("control character in a string (escape it)");
        return false;
      }
      ++p_;
      if (p_ >= t_.size()) {
        Fail("unterminated string");
        return false;
      }
      char e = t_[p_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && t_.substr(p_, 2) == "\\u") {
            size_t save = p_;
            p_ += 2;
            uint32_t lo;
            if (!Hex4(&lo)) return false;
            if (lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              p_ = save;
              cp = 0xFFFD;
            }
          } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --p_;
          Fail("invalid escape in a string");
          return false;
      }
    }
  }

  bool Number(JsonValue* v) {
    size_t start = p_;
    bool integral = true;
    if (t_[p_] == '-') ++p_;
    if (p_ >= t_.size() || !(t_[p_] >= '0' && t_[p_] <= '9')) {
      Fail("expected a digit");
      return false;
    }
    if (t_[p_] == '0') {
      ++p_;
    } else {
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    if (p_ < t_.size() && t_[p_] == '.') {
      integral = false;
      ++p_;
      if (p_ >= t_.size() || !(t_[p_] >= '0' && t_[p_] <= '9')) {
        Fail("expected a digit after the decimal point");
        return false;
      }
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      integral = false;
      ++p_;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (p_ >= t_.size() || !(t_[p_] >= '0' && t_[p_] <= '9')) {
        Fail("expected a digit in the exponent");
        return false;
      }
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    std::string_view text = t_.substr(start, p_ - start);
    std::string copy(text);  // strtod needs a terminator
    v->d = std::strtod(copy.c_str(), nullptr);
    v->kind = JsonValue::Kind::kNumber;
    if (integral) {
      int64_t i;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && ptr == text.data() + text.size()) {
        v->kind = JsonValue::Kind::kInteger;
        v->i = i;
      }
    }
    if (!std::isfinite(v->d)) {
      p_ = start;
      Fail("number out of range");
      return false;
    }
    return true;
  }

  std::string_view t_;
  size_t p_ = 0;
  Status error_;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

Result<JsonValue> ParseJson(std::string_view text) { return Reader(text).Document(); }

}  // namespace infermetry::api
