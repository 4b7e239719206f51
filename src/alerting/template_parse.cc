// Lexer and parser of alert templates (see template.h for the language): the text becomes
// the nodes of template_internal.h, with every error that does not depend on the data.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/template_internal.h"
#include "common/strconv.h"

namespace infermetry::alerting::tmpl {

std::string Where(std::string_view text, size_t pos) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "template: " + std::to_string(line) + ":" + std::to_string(pos - line_start) + ": ";
}

namespace {

// ---- Lexing ------------------------------------------------------------------------------

enum class Tok {
  kIdent,
  kVar,
  kField,
  kDot,
  kString,
  kNumber,
  kPipe,
  kLParen,
  kRParen,
  kDeclare,
  kAssign
};

struct Token {
  Tok kind;
  size_t pos;
  std::string text;  // identifier, "$name", field name without the dot, decoded string, number
  bool space_before = false;
};

// One `{{ ... }}` action, lexed; or a run of text.
struct Item {
  bool is_text = false;
  size_t pos = 0;    // of the text, or of the action's first byte after `{{`
  std::string text;  // is_text
  std::vector<Token> tokens;
  size_t end_pos = 0;  // of the closing `}}`
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Err(std::string_view text, size_t pos, const std::string& msg) {
  return InvalidArgument(Where(text, pos) + msg);
}

// Decodes a Go double-quoted string starting at text[*i] == '"'.
Status LexString(std::string_view text, size_t* i, std::string* out) {
  size_t start = *i;
  size_t p = start + 1;
  while (true) {
    if (p >= text.size() || text[p] == '\n') return Err(text, start, "unterminated quoted string");
    char c = text[p];
    if (c == '"') break;
    if (c != '\\') {
      out->push_back(c);
      ++p;
      continue;
    }
    if (p + 1 >= text.size()) return Err(text, start, "unterminated quoted string");
    char e = text[p + 1];
    p += 2;
    switch (e) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (size_t k = 0; k < n; ++k, ++p) {
          int d = p < text.size() ? HexDigitValue(text[p]) : -1;
          if (d < 0) return Err(text, start, "invalid escape in quoted string");
          cp = cp * 16 + d;
        }
        if (e == 'x') {
          out->push_back(static_cast<char>(cp));
        } else {
          if (cp > 0x10FFFF) return Err(text, start, "invalid escape in quoted string");
          AppendUtf8(out, cp);
        }
        break;
      }
      default:
        return Err(text, p - 2, std::string("invalid escape \\") + e + " in quoted string");
    }
  }
  *i = p + 1;
  return Status::Ok();
}

// Lexes the inside of an action starting at `p` (just after `{{` and any trim marker) up to
// and including its closing delimiter.
Status LexAction(std::string_view text, size_t p, Item* item, bool* trim_right, size_t* next) {
  bool space = true;
  while (true) {
    size_t ws = p;
    while (p < text.size() && IsSpace(text[p])) ++p;
    bool had_space = p > ws;
    if (p >= text.size()) return Err(text, item->pos, "unclosed action");
    if (had_space && text.compare(p, 3, "-}}") == 0) {
      item->end_pos = p;
      *trim_right = true;
      *next = p + 3;
      return Status::Ok();
    }
    if (text.compare(p, 2, "}}") == 0) {
      item->end_pos = p;
      *trim_right = false;
      *next = p + 2;
      return Status::Ok();
    }
    space = space || had_space;
    Token t{Tok::kIdent, p, "", space};
    space = false;
    char c = text[p];
    if (c == '|') {
      t.kind = Tok::kPipe, ++p;
      space = true;  // `a|b` needs no spaces
    } else if (c == '(') {
      t.kind = Tok::kLParen, ++p;
      space = true;
    } else if (c == ')') {
      t.kind = Tok::kRParen, ++p;
    } else if (c == ':' && p + 1 < text.size() && text[p + 1] == '=') {
      t.kind = Tok::kDeclare, p += 2;
    } else if (c == '=') {
      t.kind = Tok::kAssign, ++p;
    } else if (c == '"') {
      t.kind = Tok::kString;
      INFERMETRY_RETURN_IF_ERROR(LexString(text, &p, &t.text));
    } else if (c == '`') {
      size_t close = text.find('`', p + 1);
      if (close == std::string_view::npos) return Err(text, p, "unterminated raw quoted string");
      t.kind = Tok::kString;
      t.text = std::string(text.substr(p + 1, close - p - 1));
      p = close + 1;
    } else if (c == '\'') {
      return Err(text, p, "character constants are not supported");
    } else if (IsDigit(c) ||
               ((c == '-' || c == '+') && p + 1 < text.size() &&
                (IsDigit(text[p + 1]) || text[p + 1] == '.')) ||
               (c == '.' && p + 1 < text.size() && IsDigit(text[p + 1]))) {
      size_t s = p;
      while (p < text.size() &&
             (IsAlnum(text[p]) || text[p] == '.' || text[p] == '+' || text[p] == '-')) {
        if ((text[p] == '+' || text[p] == '-') && p > s && text[p - 1] != 'e' &&
            text[p - 1] != 'E') {
          break;
        }
        ++p;
      }
      t.kind = Tok::kNumber;
      t.text = std::string(text.substr(s, p - s));
    } else if (c == '$') {
      size_t s = p++;
      while (p < text.size() && IsAlnum(text[p])) ++p;
      t.kind = Tok::kVar;
      t.text = std::string(text.substr(s, p - s));
    } else if (c == '.') {
      size_t s = ++p;
      while (p < text.size() && IsAlnum(text[p])) ++p;
      t.kind = p == s ? Tok::kDot : Tok::kField;
      t.text = std::string(text.substr(s, p - s));
    } else if (IsAlnum(c)) {
      size_t s = p;
      while (p < text.size() && IsAlnum(text[p])) ++p;
      t.text = std::string(text.substr(s, p - s));
    } else {
      return Err(text, p, std::string("unexpected \"") + c + "\" in command");
    }
    item->tokens.push_back(std::move(t));
  }
}

Status Lex(std::string_view text, std::vector<Item>* items) {
  size_t p = 0;
  bool trim_next_text = false;
  while (p <= text.size()) {
    size_t open = text.find("{{", p);
    size_t text_end = open == std::string_view::npos ? text.size() : open;
    Item t;
    t.is_text = true;
    t.pos = p;
    size_t a = p, b = text_end;
    if (trim_next_text) {
      while (a < b && IsSpace(text[a])) ++a;
    }
    // `{{- ` (the dash followed by a space) trims; `{{-3}}` is the number -3.
    bool trim_left = open != std::string_view::npos && open + 3 < text.size() &&
                     text[open + 2] == '-' && IsSpace(text[open + 3]);
    if (trim_left) {
      while (b > a && IsSpace(text[b - 1])) --b;
    }
    if (b > a) {
      t.pos = a;
      t.text = std::string(text.substr(a, b - a));
      items->push_back(std::move(t));
    }
    if (open == std::string_view::npos) break;
    size_t q = open + 2 + (trim_left ? 2 : 0);
    Item act;
    act.pos = q;
    bool trim_right = false;
    size_t next = 0;
    size_t c = q;
    while (c < text.size() && IsSpace(text[c]) && trim_left) ++c;
    if (text.compare(c, 2, "/*") == 0) {
      size_t close = text.find("*/", c + 2);
      if (close == std::string_view::npos) return Err(text, c, "unclosed comment");
      size_t after = close + 2;
      if (text.compare(after, 4, " -}}") == 0) {
        trim_right = true;
        next = after + 4;
      } else if (text.compare(after, 2, "}}") == 0) {
        next = after + 2;
      } else {
        return Err(text, c, "comment ends before closing delimiter");
      }
    } else {
      INFERMETRY_RETURN_IF_ERROR(LexAction(text, q, &act, &trim_right, &next));
      if (act.tokens.empty()) return Err(text, q, "missing value for command");
      items->push_back(std::move(act));
    }
    trim_next_text = trim_right;
    p = next;
  }
  return Status::Ok();
}

// ---- Parsing -----------------------------------------------------------------------------

class Parser {
 public:
  Parser(std::string_view text, std::vector<Item> items) : text_(text), items_(std::move(items)) {
    for (const char* v : {"$", "$labels", "$externalLabels", "$externalURL", "$value"}) {
      vars_.push_back(v);
    }
  }

  Status ParseAll(std::vector<Node>* out) {
    std::string stop;
    size_t stop_pos = 0;
    INFERMETRY_RETURN_IF_ERROR(ParseList(out, &stop, &stop_pos));
    if (!stop.empty()) return Err(text_, stop_pos, "unexpected {{" + stop + "}}");
    return Status::Ok();
  }

 private:
  // Parses nodes until EOF or an `end` / `else` action, whose keyword lands in *stop (with
  // the else's remaining tokens left at items_[i_ - 1] from index stop_tok_).
  Status ParseList(std::vector<Node>* out, std::string* stop, size_t* stop_pos) {
    while (i_ < items_.size()) {
      Item& it = items_[i_++];
      if (it.is_text) {
        Node n;
        n.kind = NodeKind::kText;
        n.pos = it.pos;
        n.text = std::move(it.text);
        out->push_back(std::move(n));
        continue;
      }
      const Token& first = it.tokens[0];
      if (first.kind == Tok::kIdent) {
        const std::string& kw = first.text;
        if (kw == "end" || kw == "else") {
          if (kw == "end" && it.tokens.size() > 1) {
            return Err(text_, it.tokens[1].pos, "unexpected token in {{end}}");
          }
          *stop = kw;
          *stop_pos = first.pos;
          return Status::Ok();
        }
        if (kw == "if" || kw == "with") {
          Node n;
          INFERMETRY_RETURN_IF_ERROR(ParseBlock(kw, it, 1, &n));
          out->push_back(std::move(n));
          continue;
        }
        if (kw == "range" || kw == "define" || kw == "template" || kw == "block" || kw == "break" ||
            kw == "continue") {
          return Err(text_, first.pos, kw + " is not supported");
        }
      }
      Node n;
      n.kind = NodeKind::kAction;
      n.pos = first.pos;
      size_t k = 0;
      INFERMETRY_RETURN_IF_ERROR(ParsePipeline(it, &k, false, &n.pipe));
      if (!n.pipe.decl.empty() && n.pipe.declare) vars_.push_back(n.pipe.decl);
      out->push_back(std::move(n));
    }
    return Status::Ok();
  }

  // `if`/`with` whose pipeline starts at it.tokens[k].
  Status ParseBlock(const std::string& kw, Item& it, size_t k, Node* n) {
    n->kind = kw == "if" ? NodeKind::kIf : NodeKind::kWith;
    n->pos = it.tokens[k - 1].pos;
    auto unclosed = [&] {
      return Err(text_, n->pos, "unexpected EOF: {{" + kw + "}} has no matching {{end}}");
    };
    if (k >= it.tokens.size()) return Err(text_, it.end_pos, "missing value for " + kw);
    // A variable declared in the pipeline is visible in both branches, up to {{end}}.
    size_t scope = vars_.size();
    INFERMETRY_RETURN_IF_ERROR(ParsePipeline(it, &k, false, &n->pipe));
    if (!n->pipe.decl.empty() && n->pipe.declare) vars_.push_back(n->pipe.decl);
    size_t branch_scope = vars_.size();
    std::string stop;
    size_t stop_pos = 0;
    INFERMETRY_RETURN_IF_ERROR(ParseList(&n->then, &stop, &stop_pos));
    vars_.resize(branch_scope);
    if (stop.empty()) return unclosed();
    if (stop == "end") return Status::Ok();
    // else, else if, else with
    Item& els = items_[i_ - 1];
    if (els.tokens.size() > 1) {
      const Token& t = els.tokens[1];
      if (t.kind != Tok::kIdent || (t.text != "if" && t.text != "with")) {
        return Err(text_, t.pos, "unexpected token in {{else}}");
      }
      Node inner;
      INFERMETRY_RETURN_IF_ERROR(ParseBlock(t.text, els, 2, &inner));
      n->els.push_back(std::move(inner));
      vars_.resize(scope);
      return Status::Ok();  // the chained block consumed the shared {{end}}
    }
    INFERMETRY_RETURN_IF_ERROR(ParseList(&n->els, &stop, &stop_pos));
    vars_.resize(scope);
    if (stop.empty()) return unclosed();
    if (stop != "end") return Err(text_, stop_pos, "unexpected {{else}} after {{else}}");
    return Status::Ok();
  }

  // Parses tokens from *k to the end of the action, or to a `)` when `nested`.
  Status ParsePipeline(const Item& it, size_t* k, bool nested, Pipeline* pipe) {
    const auto& toks = it.tokens;
    pipe->pos = *k < toks.size() ? toks[*k].pos : it.end_pos;
    if (*k + 1 < toks.size() && toks[*k].kind == Tok::kVar &&
        (toks[*k + 1].kind == Tok::kDeclare || toks[*k + 1].kind == Tok::kAssign)) {
      pipe->decl = toks[*k].text;
      pipe->declare = toks[*k + 1].kind == Tok::kDeclare;
      if (!pipe->declare && !Defined(pipe->decl)) {
        return Err(text_, toks[*k].pos, "undefined variable \"" + pipe->decl + "\"");
      }
      if (pipe->decl == "$") return Err(text_, toks[*k].pos, "cannot assign to $");
      *k += 2;
    }
    while (true) {
      Command cmd;
      cmd.pos = *k < toks.size() ? toks[*k].pos : it.end_pos;
      while (*k < toks.size() && toks[*k].kind != Tok::kPipe &&
             !(nested && toks[*k].kind == Tok::kRParen)) {
        if (!cmd.args.empty() && !toks[*k].space_before) {
          return Err(text_, toks[*k].pos, "missing space between operands");
        }
        Arg a;
        INFERMETRY_RETURN_IF_ERROR(ParseOperand(it, k, &a));
        cmd.args.push_back(std::move(a));
      }
      cmd.end = *k < toks.size() ? toks[*k].pos : it.end_pos;
      while (cmd.end > cmd.pos && IsSpace(text_[cmd.end - 1])) --cmd.end;
      if (cmd.args.empty()) return Err(text_, cmd.pos, "missing value for command");
      for (size_t j = 1; j < cmd.args.size(); ++j) {
        // A function name used as an argument is called with no arguments.
        if (cmd.args[j].kind == ArgKind::kFunc) {
          INFERMETRY_RETURN_IF_ERROR(CheckArity(cmd.args[j], 0));
        }
      }
      bool piped = !pipe->cmds.empty();
      const Arg& head = cmd.args[0];
      if (head.kind == ArgKind::kFunc) {
        int n = static_cast<int>(cmd.args.size()) - 1 + (piped ? 1 : 0);
        INFERMETRY_RETURN_IF_ERROR(CheckArity(head, n));
      } else if (cmd.args.size() > 1 || piped) {
        return Err(text_, head.pos,
                   "can't give argument to non-function " +
                       std::string(text_.substr(head.pos, head.end - head.pos)));
      } else if (head.kind == ArgKind::kNil) {
        return Err(text_, head.pos, "nil is not a command");
      }
      pipe->cmds.push_back(std::move(cmd));
      if (*k >= toks.size()) {
        if (nested) return Err(text_, it.end_pos, "unclosed left paren");
        return Status::Ok();
      }
      if (toks[*k].kind == Tok::kRParen) {
        ++*k;
        return Status::Ok();
      }
      ++*k;  // `|`
      if (*k >= toks.size() || toks[*k].kind == Tok::kPipe) {
        return Err(text_, *k < toks.size() ? toks[*k].pos : it.end_pos,
                   "missing value for command");
      }
    }
  }

  Status CheckArity(const Arg& f, int n) {
    const FuncDef& d = *f.fn;
    if (n < d.min_args || (d.max_args >= 0 && n > d.max_args)) {
      std::string want = std::to_string(d.min_args);
      if (d.max_args < 0) want = "at least " + want;
      return Err(text_, f.pos,
                 "wrong number of args for " + std::string(d.name) + ": want " + want + " got " +
                     std::to_string(n));
    }
    return Status::Ok();
  }

  bool Defined(const std::string& v) const {
    for (const auto& d : vars_) {
      if (d == v) return true;
    }
    return false;
  }

  Status ParseOperand(const Item& it, size_t* k, Arg* a) {
    const auto& toks = it.tokens;
    const Token& t = toks[*k];
    a->pos = t.pos;
    ++*k;
    switch (t.kind) {
      case Tok::kIdent:
        if (t.text == "true" || t.text == "false") {
          a->kind = ArgKind::kBool;
          a->b = t.text == "true";
        } else if (t.text == "nil") {
          a->kind = ArgKind::kNil;
        } else if (t.text == "if" || t.text == "else" || t.text == "end" || t.text == "with" ||
                   t.text == "range") {
          return Err(text_, t.pos, "unexpected keyword " + t.text + " in command");
        } else {
          a->kind = ArgKind::kFunc;
          a->str = t.text;
          a->fn = FindFunc(t.text);
          if (a->fn == nullptr) {
            if (IsUnsupportedFunc(t.text)) {
              return Err(text_, t.pos, "function \"" + t.text + "\" is not supported");
            }
            return Err(text_, t.pos, "function \"" + t.text + "\" not defined");
          }
        }
        break;
      case Tok::kVar:
        if (!Defined(t.text)) return Err(text_, t.pos, "undefined variable \"" + t.text + "\"");
        a->kind = ArgKind::kVar;
        a->str = t.text;
        break;
      case Tok::kDot:
        a->kind = ArgKind::kDot;
        break;
      case Tok::kField:
        a->kind = ArgKind::kField;
        a->fields.push_back(t.text);
        break;
      case Tok::kString:
        a->kind = ArgKind::kString;
        a->str = t.text;
        break;
      case Tok::kNumber: {
        auto bad_number = [&] {
          return Err(text_, t.pos, "bad number syntax: \"" + t.text + "\"");
        };
        bool is_float = t.text.find_first_of(".eE") != std::string::npos;
        if (t.text.find_first_of("xX_") != std::string::npos) {
          return bad_number();
        }
        if (is_float) {
          a->kind = ArgKind::kFloat;
          if (!ParseGoFloat(t.text, &a->f)) {
            return bad_number();
          }
        } else {
          a->kind = ArgKind::kInt;
          std::string_view s = t.text;
          if (!s.empty() && s[0] == '+') s.remove_prefix(1);
          if (!ParseInt64(s, &a->i)) {
            return bad_number();
          }
        }
        break;
      }
      case Tok::kLParen: {
        a->kind = ArgKind::kPipe;
        a->pipe = std::make_shared<Pipeline>();
        INFERMETRY_RETURN_IF_ERROR(ParsePipeline(it, k, true, a->pipe.get()));
        if (!a->pipe->decl.empty()) {
          return Err(text_, t.pos, "variable declaration in parenthesized pipeline");
        }
        break;
      }
      default:
        return Err(text_, t.pos,
                   "unexpected \"" + std::string(text_.substr(t.pos, 1)) + "\" in operand");
    }
    // A field chain directly after the operand: $labels.instance, (...).x, .Labels.x
    while (*k < toks.size() && toks[*k].kind == Tok::kField && !toks[*k].space_before) {
      if (a->kind != ArgKind::kVar && a->kind != ArgKind::kField && a->kind != ArgKind::kPipe) {
        return Err(text_, toks[*k].pos, "unexpected . after term");
      }
      a->fields.push_back(toks[*k].text);
      ++*k;
    }
    a->end = *k < toks.size() ? toks[*k].pos : it.end_pos;
    while (a->end > a->pos && IsSpace(text_[a->end - 1])) --a->end;
    return Status::Ok();
  }

  std::string_view text_;
  std::vector<Item> items_;
  size_t i_ = 0;
  std::vector<std::string> vars_;  // in scope, for "undefined variable" at parse time
};

}  // namespace

Status ParseProgram(std::string_view text, std::vector<Node>* nodes) {
  std::vector<Item> items;
  INFERMETRY_RETURN_IF_ERROR(Lex(text, &items));
  Parser parser(text, std::move(items));
  return parser.ParseAll(nodes);
}

}  // namespace infermetry::alerting::tmpl
