// The PromQL lexer (see lexer.h).

#include "query/promql/lexer.h"

#include <cctype>

#include "common/strconv.h"

namespace infermetry::promql {
namespace {

bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsDurationUnit(char c) {
  return c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w' || c == 'y';
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Scans a quoted string starting at in[i] (the quote). On success sets *out and *end.
bool ScanString(std::string_view in, size_t i, std::string* out, size_t* end, std::string* err) {
  const char q = in[i];
  size_t p = i + 1;
  while (p < in.size()) {
    char c = in[p];
    if (c == q) {
      *end = p + 1;
      return true;
    }
    if (q != '`' && c == '\n') break;
    if (q != '`' && c == '\\') {
      if (p + 1 >= in.size()) break;
      char e = in[p + 1];
      p += 2;
      switch (e) {
        case 'a': out->push_back('\a'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'v': out->push_back('\v'); break;
        case '\\': out->push_back('\\'); break;
        case '"': out->push_back('"'); break;
        case '\'': out->push_back('\''); break;
        case 'x': case 'u': case 'U': {
          int n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
          uint32_t cp = 0;
          for (int k = 0; k < n; ++k, ++p) {
            if (p >= in.size() || HexVal(in[p]) < 0) {
              *err = "invalid escape sequence in string";
              return false;
            }
            cp = cp * 16 + static_cast<uint32_t>(HexVal(in[p]));
          }
          if (e == 'x') out->push_back(static_cast<char>(cp));
          else AppendUtf8(out, cp);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t cp = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2; ++k, ++p) {
              if (p >= in.size() || in[p] < '0' || in[p] > '7') {
                *err = "invalid escape sequence in string";
                return false;
              }
              cp = cp * 8 + static_cast<uint32_t>(in[p] - '0');
            }
            out->push_back(static_cast<char>(cp));
            break;
          }
          *err = std::string("unknown escape sequence '\\") + e + "'";
          return false;
      }
      continue;
    }
    out->push_back(c);
    ++p;
  }
  *err = "unterminated quoted string";
  return false;
}

// Keywords and aggregation operators are case-insensitive; spell them in lower case.
void NormalizeKeyword(std::string* s) {
  static constexpr std::string_view kWords[] = {
      "and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left",
      "group_right", "bool", "offset", "sum", "avg", "min", "max", "count", "group", "stddev",
      "stdvar", "topk", "bottomk", "quantile", "count_values"};
  if (s->size() > 12) return;
  std::string lower = *s;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto w : kWords) {
    if (lower == w) {
      *s = std::move(lower);
      return;
    }
  }
}

}  // namespace

std::string PositionString(std::string_view input, size_t pos) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < pos && i < input.size(); ++i) {
    if (input[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(pos - line_start + 1);
}

bool ParsePromDuration(std::string_view s, int64_t* ms) {
  if (s.empty()) return false;
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!IsDigit(s[i])) return false;
    int64_t n = 0;
    while (i < s.size() && IsDigit(s[i])) {
      n = n * 10 + (s[i] - '0');
      if (n > (int64_t{1} << 50)) return false;
      ++i;
    }
    if (i >= s.size()) return false;
    int64_t unit;
    if (s.substr(i, 2) == "ms") {
      unit = 1;
      i += 2;
    } else {
      switch (s[i]) {
        case 's': unit = 1000; break;
        case 'm': unit = 60'000; break;
        case 'h': unit = 3'600'000; break;
        case 'd': unit = 86'400'000; break;
        case 'w': unit = 7 * 86'400'000LL; break;
        case 'y': unit = 365 * 86'400'000LL; break;
        default: return false;
      }
      ++i;
    }
    total += n * unit;
  }
  *ms = total;
  return true;
}

std::vector<Token> Lex(std::string_view in) {
  std::vector<Token> out;
  size_t i = 0;
  int brackets = 0;  // inside [...], ':' separates a subquery's range and step
  auto push = [&](Tok k, size_t start, size_t end) {
    out.push_back(Token{k, std::string(in.substr(start, end - start)), start});
  };
  while (true) {
    while (i < in.size() && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')) ++i;
    if (i < in.size() && in[i] == '#') {
      while (i < in.size() && in[i] != '\n') ++i;
      continue;
    }
    if (i >= in.size()) {
      out.push_back(Token{Tok::kEOF, "", in.size()});
      return out;
    }
    const size_t s = i;
    const char c = in[i];
    auto next = [&](size_t k) { return i + k < in.size() ? in[i + k] : '\0'; };
    if (IsDigit(c) || (c == '.' && IsDigit(next(1)))) {
      // A number, or a duration when digits are directly followed by a unit.
      size_t p = i;
      while (p < in.size() && IsDigit(in[p])) ++p;
      if (p < in.size() && IsDurationUnit(in[p]) && c != '.') {
        size_t q = i;
        while (q < in.size() && (IsDigit(in[q]) || IsDurationUnit(in[q]))) ++q;
        if (q < in.size() && IsAlnum(in[q])) {
          out.push_back(Token{Tok::kError, "bad duration syntax: \"" +
                                               std::string(in.substr(i, q + 1 - i)) + "\"", i});
          return out;
        }
        push(Tok::kDuration, i, q);
        i = q;
        continue;
      }
      if (c == '0' && (next(1) == 'x' || next(1) == 'X')) {
        p = i + 2;
        while (p < in.size() && HexVal(in[p]) >= 0) ++p;
      } else {
        p = i;
        while (p < in.size() && IsDigit(in[p])) ++p;
        if (p < in.size() && in[p] == '.') {
          ++p;
          while (p < in.size() && IsDigit(in[p])) ++p;
        }
        if (p < in.size() && (in[p] == 'e' || in[p] == 'E')) {
          size_t q = p + 1;
          if (q < in.size() && (in[q] == '+' || in[q] == '-')) ++q;
          if (q < in.size() && IsDigit(in[q])) {
            p = q;
            while (p < in.size() && IsDigit(in[p])) ++p;
          }
        }
      }
      if (p < in.size() && (IsAlpha(in[p]) || in[p] == '.')) {
        out.push_back(Token{Tok::kError, "bad number or duration syntax: \"" +
                                             std::string(in.substr(i, p + 1 - i)) + "\"", i});
        return out;
      }
      push(Tok::kNumber, i, p);
      i = p;
      continue;
    }
    if (IsAlpha(c) || (c == ':' && brackets == 0)) {
      size_t p = i;
      while (p < in.size() && (IsAlnum(in[p]) || in[p] == ':')) ++p;
      push(Tok::kIdentifier, i, p);
      NormalizeKeyword(&out.back().text);
      i = p;
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      std::string val, err;
      size_t end = 0;
      if (!ScanString(in, i, &val, &end, &err)) {
        out.push_back(Token{Tok::kError, err, i});
        return out;
      }
      out.push_back(Token{Tok::kString, std::move(val), s});
      i = end;
      continue;
    }
    Tok k;
    size_t len = 1;
    switch (c) {
      case '(': k = Tok::kLParen; break;
      case ')': k = Tok::kRParen; break;
      case '{': k = Tok::kLBrace; break;
      case '}': k = Tok::kRBrace; break;
      case '[': k = Tok::kLBracket; ++brackets; break;
      case ']': k = Tok::kRBracket; --brackets; break;
      case ',': k = Tok::kComma; break;
      case ':': k = Tok::kColon; break;
      case '@': k = Tok::kAt; break;
      case '+': k = Tok::kAdd; break;
      case '-': k = Tok::kSub; break;
      case '*': k = Tok::kMul; break;
      case '/': k = Tok::kDiv; break;
      case '%': k = Tok::kMod; break;
      case '^': k = Tok::kPow; break;
      case '=':
        if (next(1) == '=') { k = Tok::kEql; len = 2; }
        else if (next(1) == '~') { k = Tok::kEqlRegex; len = 2; }
        else k = Tok::kAssign;
        break;
      case '!':
        if (next(1) == '=') { k = Tok::kNeq; len = 2; }
        else if (next(1) == '~') { k = Tok::kNeqRegex; len = 2; }
        else {
          out.push_back(Token{Tok::kError, "unexpected character after '!': '" +
                                               std::string(1, next(1)) + "'", i});
          return out;
        }
        break;
      case '<':
        if (next(1) == '=') { k = Tok::kLte; len = 2; } else k = Tok::kLss;
        break;
      case '>':
        if (next(1) == '=') { k = Tok::kGte; len = 2; } else k = Tok::kGtr;
        break;
      default:
        out.push_back(Token{Tok::kError, "unexpected character: '" + std::string(1, c) + "'", i});
        return out;
    }
    push(k, i, i + len);
    i += len;
  }
}

}  // namespace infermetry::promql
