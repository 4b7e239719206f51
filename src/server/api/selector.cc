#include "server/api/selector.h"

#include <string>

#include "common/strconv.h"
#include "model/labels.h"

namespace infermetry::api {
namespace {

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : s_(text) {}

  Result<std::vector<storage::Matcher>> Parse() {
    std::vector<storage::Matcher> out;
    Skip();
    if (pos_ < s_.size() && s_[pos_] != '{') {
      std::string name = Name(/*metric=*/true);
      if (name.empty()) return Error("a metric name or '{'");
      INFERMETRY_ASSIGN_OR_RETURN(storage::Matcher m,
                                  storage::Matcher::Make(storage::Matcher::Op::kEq,
                                                         std::string(model::kMetricName), name));
      out.push_back(std::move(m));
      Skip();
    }
    if (pos_ < s_.size() && s_[pos_] == '{') {
      ++pos_;
      for (;;) {
        Skip();
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          break;
        }
        std::string name = Name(/*metric=*/false);
        if (name.empty()) return Error("a label name or '}'");
        Skip();
        storage::Matcher::Op op;
        if (Eat("=~")) {
          op = storage::Matcher::Op::kRe;
        } else if (Eat("!~")) {
          op = storage::Matcher::Op::kNre;
        } else if (Eat("!=")) {
          op = storage::Matcher::Op::kNeq;
        } else if (Eat("=")) {
          op = storage::Matcher::Op::kEq;
        } else {
          return Error("one of =, !=, =~, !~");
        }
        Skip();
        std::string value;
        INFERMETRY_RETURN_IF_ERROR(Quoted(&value));
        INFERMETRY_ASSIGN_OR_RETURN(storage::Matcher m,
                                    storage::Matcher::Make(op, std::move(name), std::move(value)));
        out.push_back(std::move(m));
        Skip();
        if (Eat(",")) continue;
        if (pos_ < s_.size() && s_[pos_] == '}') continue;
        return Error("',' or '}'");
      }
    }
    Skip();
    if (pos_ != s_.size()) return Error("the end of the selector");
    if (out.empty()) return InvalidArgument("empty series selector");
    bool selective = false;
    for (const storage::Matcher& m : out) selective |= !m.MatchesEmpty();
    if (!selective) {
      return InvalidArgument("series selector " + std::string(s_) +
                             ": needs at least one matcher that does not match the empty string");
    }
    return out;
  }

 private:
  Status Error(std::string_view expected) const {
    return InvalidArgument("series selector " + std::string(s_) + ": expected " +
                           std::string(expected) + " at offset " + std::to_string(pos_));
  }

  void Skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n')) ++pos_;
  }

  bool Eat(std::string_view tok) {
    if (s_.substr(pos_, tok.size()) != tok) return false;
    pos_ += tok.size();
    return true;
  }

  std::string Name(bool metric) {
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                (metric && c == ':') || (pos_ > start && c >= '0' && c <= '9');
      if (!ok) break;
      ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  Status Quoted(std::string* out) {
    if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return Error("a quoted string");
    char quote = s_[pos_++];
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case '\\': case '"': case '\'': out->push_back(e); break;
        case 'x': case 'u': {
          size_t digits = e == 'x' ? 2 : 4;
          uint32_t cp = 0;
          for (size_t i = 0; i < digits; ++i) {
            int h = pos_ < s_.size() ? HexDigitValue(s_[pos_]) : -1;
            if (h < 0) return Error("a hex digit");
            cp = cp * 16 + static_cast<uint32_t>(h);
            ++pos_;
          }
          if (e == 'x') {
            out->push_back(static_cast<char>(cp));
          } else {
            AppendUtf8(out, cp);
          }
          break;
        }
        default: return Error("a valid escape sequence");
      }
    }
    if (pos_ >= s_.size()) return Error("a closing quote");
    ++pos_;
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<storage::Matcher>> ParseSeriesSelector(std::string_view text) {
  return SelectorParser(text).Parse();
}

}  // namespace infermetry::api
