#include "query/sql/parser/lexer.h"

#include "common/strconv.h"
#include "query/sql/error.h"

namespace infermetry::sql {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    for (;;) {
      INFERMETRY_RETURN_IF_ERROR(SkipSpaceAndComments());
      Token t;
      t.pos = static_cast<int>(i_);
      if (i_ >= sql_.size()) {
        t.kind = TokenKind::kEnd;
        t.end = t.pos;
        out.push_back(std::move(t));
        return out;
      }
      char c = sql_[i_];
      bool escape = (c == 'e' || c == 'E') && i_ + 1 < sql_.size() && sql_[i_ + 1] == '\'';
      if (escape || c == '\'') {
        INFERMETRY_RETURN_IF_ERROR(String(&t, escape));
      } else if (c == '"') {
        INFERMETRY_RETURN_IF_ERROR(QuotedIdent(&t));
      } else if (IsIdentStart(static_cast<unsigned char>(c))) {
        t.kind = TokenKind::kIdent;
        while (i_ < sql_.size() && IsIdentChar(static_cast<unsigned char>(sql_[i_]))) {
          char ch = sql_[i_++];
          t.text += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
        }
      } else if (IsDigit(c) || (c == '.' && i_ + 1 < sql_.size() && IsDigit(sql_[i_ + 1]))) {
        INFERMETRY_RETURN_IF_ERROR(Number(&t));
      } else {
        INFERMETRY_RETURN_IF_ERROR(Operator(&t));
      }
      t.end = static_cast<int>(i_);
      out.push_back(std::move(t));
    }
  }

 private:
  Status Error(size_t pos, std::string_view message, std::string_view hint = {}) {
    return SqlError(Code::kParseError, sql_, static_cast<int>(pos), message, hint);
  }

  Status SkipSpaceAndComments() {
    while (i_ < sql_.size()) {
      if (IsSpace(sql_[i_])) {
        ++i_;
      } else if (sql_.substr(i_, 2) == "--") {
        while (i_ < sql_.size() && sql_[i_] != '\n') ++i_;
      } else if (sql_.substr(i_, 2) == "/*") {
        size_t start = i_;
        int depth = 0;
        while (i_ < sql_.size()) {
          if (sql_.substr(i_, 2) == "/*") {
            ++depth;
            i_ += 2;
          } else if (sql_.substr(i_, 2) == "*/") {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            ++i_;
          }
        }
        if (depth != 0) {
          return Error(start, "unterminated /* comment", "Close the comment with */.");
        }
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  // '...' with '' for a quote; E'...' also with backslash escapes. Literals separated only by
  // white space that contains a newline are one literal, as in PostgreSQL.
  Status String(Token* t, bool escape) {
    t->kind = TokenKind::kString;
    for (;;) {
      size_t start = i_;
      if (escape) ++i_;
      ++i_;  // the opening quote
      for (;;) {
        if (i_ >= sql_.size()) {
          return Error(start, "unterminated quoted string",
                       "Close the string with a single quote ('); write '' for a quote inside.");
        }
        char c = sql_[i_];
        if (c == '\'') {
          if (i_ + 1 < sql_.size() && sql_[i_ + 1] == '\'') {
            t->text += '\'';
            i_ += 2;
            continue;
          }
          ++i_;
          break;
        }
        if (escape && c == '\\' && i_ + 1 < sql_.size()) {
          INFERMETRY_RETURN_IF_ERROR(Escape(&t->text));
          continue;
        }
        t->text += c;
        ++i_;
      }
      // Continuation: whitespace with a newline, then another quote.
      size_t j = i_;
      bool newline = false;
      while (j < sql_.size() && IsSpace(sql_[j])) newline |= sql_[j++] == '\n';
      if (!newline || j >= sql_.size() || sql_[j] != '\'') return Status::Ok();
      i_ = j;
      escape = false;
    }
  }

  // At a backslash inside E'...'.
  Status Escape(std::string* out) {
    size_t start = i_;
    char c = sql_[i_ + 1];
    i_ += 2;
    switch (c) {
      case 'b':
        *out += '\b';
        return Status::Ok();
      case 'f':
        *out += '\f';
        return Status::Ok();
      case 'n':
        *out += '\n';
        return Status::Ok();
      case 'r':
        *out += '\r';
        return Status::Ok();
      case 't':
        *out += '\t';
        return Status::Ok();
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i_ < sql_.size() && HexValue(sql_[i_]) >= 0)
          v = v * 16 + HexValue(sql_[i_++]), ++n;
        if (n == 0) {
          *out += 'x';
        } else {
          *out += static_cast<char>(v);
        }
        return Status::Ok();
      }
      case 'u':
      case 'U': {
        int digits = c == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
          if (i_ >= sql_.size() || HexValue(sql_[i_]) < 0) {
            return Error(start, "invalid Unicode escape",
                         "Unicode escapes must be \\XXXX or \\+XXXXXX.");
          }
          v = v * 16 + static_cast<uint32_t>(HexValue(sql_[i_++]));
        }
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
          return Error(start, "invalid Unicode escape value");
        }
        AppendUtf8(out, v);
        return Status::Ok();
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0', n = 1;
          while (n < 3 && i_ < sql_.size() && sql_[i_] >= '0' && sql_[i_] <= '7') {
            v = v * 8 + (sql_[i_++] - '0');
            ++n;
          }
          *out += static_cast<char>(v & 0xFF);
          return Status::Ok();
        }
        *out += c;  // \\ \' and any other character stand for themselves
        return Status::Ok();
    }
  }

  Status QuotedIdent(Token* t) {
    size_t start = i_++;
    t->kind = TokenKind::kIdent;
    t->quoted = true;
    for (;;) {
      if (i_ >= sql_.size()) {
        return Error(
            start, "unterminated quoted identifier",
            "Close the identifier with a double quote (\"); write \"\" for a quote inside.");
      }
      if (sql_[i_] == '"') {
        if (i_ + 1 < sql_.size() && sql_[i_ + 1] == '"') {
          t->text += '"';
          i_ += 2;
          continue;
        }
        ++i_;
        break;
      }
      t->text += sql_[i_++];
    }
    if (t->text.empty()) {
      return Error(start, "zero-length delimited identifier at or near \"\"\"\"",
                   "A quoted identifier needs at least one character.");
    }
    return Status::Ok();
  }

  Status Number(Token* t) {
    size_t start = i_;
    t->kind = TokenKind::kNumber;
    while (i_ < sql_.size() && IsDigit(sql_[i_])) ++i_;
    if (i_ < sql_.size() && sql_[i_] == '.' && sql_.substr(i_, 2) != "..") {
      ++i_;
      while (i_ < sql_.size() && IsDigit(sql_[i_])) ++i_;
    }
    if (i_ < sql_.size() && (sql_[i_] == 'e' || sql_[i_] == 'E')) {
      size_t j = i_ + 1;
      if (j < sql_.size() && (sql_[j] == '+' || sql_[j] == '-')) ++j;
      if (j < sql_.size() && IsDigit(sql_[j])) {
        i_ = j;
        while (i_ < sql_.size() && IsDigit(sql_[i_])) ++i_;
      }
    }
    if (i_ < sql_.size() && IsIdentChar(static_cast<unsigned char>(sql_[i_]))) {
      size_t j = i_;
      while (j < sql_.size() && IsIdentChar(static_cast<unsigned char>(sql_[j]))) ++j;
      return Error(start,
                   "trailing junk after numeric literal at or near \"" +
                       std::string(sql_.substr(start, j - start)) + "\"",
                   "Separate the number from the word after it with a space.");
    }
    t->text = std::string(sql_.substr(start, i_ - start));
    return Status::Ok();
  }

  Status Operator(Token* t) {
    t->kind = TokenKind::kOp;
    static constexpr std::string_view kTwo[] = {"::", "||", "<>", "!=", "<=", ">="};
    std::string_view two = sql_.substr(i_, 2);
    for (std::string_view op : kTwo) {
      if (two == op) {
        t->text = op == "!=" ? "<>" : std::string(op);
        i_ += 2;
        return Status::Ok();
      }
    }
    char c = sql_[i_];
    static constexpr std::string_view kOne = "+-*/%^=<>(),.;";
    if (kOne.find(c) != std::string_view::npos) {
      t->text = std::string(1, c);
      ++i_;
      return Status::Ok();
    }
    // Report the whole UTF-8 character.
    size_t len = 1;
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0xF0)
      len = 4;
    else if (u >= 0xE0)
      len = 3;
    else if (u >= 0xC0)
      len = 2;
    std::string shown(sql_.substr(i_, len));
    std::string hint = "This character is not part of the SQL infermetry accepts.";
    if (c == '[' || c == ']') hint = "Arrays are not supported.";
    if (c == '$')
      hint = "Parameters ($1) and dollar-quoted strings are not supported; use '...' strings.";
    if (c == '`') hint = "Quote identifiers with double quotes (\"name\"), not backticks.";
    if (c == '"') hint = "Close the identifier with a double quote.";
    return Error(i_, "syntax error at or near \"" + shown + "\"", hint);
  }

  std::string_view sql_;
  size_t i_ = 0;
};

}  // namespace

Result<std::vector<Token>> Lex(std::string_view sql) { return Lexer(sql).Run(); }

}  // namespace infermetry::sql
