// Go's fmt verbs for the template function printf: %v %s %d %f %F %e %E %g %G %t %q %x %X %%
// with flags, width and precision, and Go's "%!verb(type=value)" for a verb that does not fit.

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/template_internal.h"
#include "common/strconv.h"

namespace infermetry::alerting::tmpl {
namespace {

void Pad(std::string* out, std::string body, int width, bool minus, bool zero, bool numeric) {
  size_t runes = 0;
  for (unsigned char c : body) runes += (c & 0xC0) != 0x80;
  if (width < 0 || runes >= static_cast<size_t>(width)) {
    *out += body;
    return;
  }
  size_t fill = width - runes;
  if (minus) {
    *out += body;
    out->append(fill, ' ');
  } else if (zero && numeric && body.find_first_of("IN") == std::string::npos) {
    size_t sign = !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
    out->append(body, 0, sign);
    out->append(fill, '0');
    out->append(body, sign);
  } else {
    out->append(fill, ' ');
    *out += body;
  }
}

std::string GoQuote(std::string_view s) {
  std::string q = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\a':
        q += "\\a";
        break;
      case '\b':
        q += "\\b";
        break;
      case '\f':
        q += "\\f";
        break;
      case '\n':
        q += "\\n";
        break;
      case '\r':
        q += "\\r";
        break;
      case '\t':
        q += "\\t";
        break;
      case '\v':
        q += "\\v";
        break;
      case '\\':
        q += "\\\\";
        break;
      case '"':
        q += "\\\"";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          q += buf;
        } else {
          q.push_back(static_cast<char>(c));
        }
    }
  }
  q.push_back('"');
  return q;
}

struct Spec {
  bool plus = false, minus = false, sharp = false, zero = false, space = false;
  int width = -1, prec = -1;
  std::string verb;  // one rune
};

std::string CFlags(const Spec& sp) {
  std::string f = "%";
  if (sp.plus) f += '+';
  if (sp.space) f += ' ';
  if (sp.sharp) f += '#';
  return f;
}

std::string FormatFloat(const Spec& sp, char verb, double v) {
  std::string body;
  if (std::isnan(v) || std::isinf(v)) {
    body = std::isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v) && (sp.plus || sp.space)) body = (sp.plus ? "+" : " ") + body;
    return body;
  }
  if ((verb == 'g' || verb == 'G' || verb == 'v') && sp.prec < 0) {
    body = FormatGoFloat(v);
    if (verb == 'G') {
      for (char& c : body) c = c == 'e' ? 'E' : c;
    }
    if (v >= 0 && !std::signbit(v) && (sp.plus || sp.space)) body = (sp.plus ? "+" : " ") + body;
    return body;
  }
  std::string f =
      CFlags(sp) + "." + std::to_string(sp.prec < 0 ? 6 : sp.prec) + (verb == 'v' ? 'g' : verb);
  char buf[512];
  std::snprintf(buf, sizeof buf, f.c_str(), v);
  return buf;
}

// One verb applied to one argument. Errors only for verbs this implementation lacks.
Result<std::string> FormatOne(const Spec& sp, const Value& a) {
  const std::string& verb = sp.verb;
  char vc = verb.size() == 1 ? verb[0] : '?';
  auto bad = [&]() {
    std::string s = "%!" + verb + "(";
    if (a.kind == Value::kNil) return s + "<nil>)";
    s += a.TypeName() + "=";
    a.AppendTo(&s);
    return s + ")";
  };
  auto unsupported = [&]() {
    return InvalidArgument("printf: verb %" + verb + " for " + a.TypeName() +
                           " is not supported (supported: %v %s %d %f %e %g %t %q %x %%)");
  };
  std::string body;
  bool numeric = false;
  switch (a.kind) {
    case Value::kString:
      if (vc == 's' || vc == 'v') {
        body = a.s;
        if (sp.prec >= 0) {  // at most prec runes
          size_t runes = 0, k = 0;
          for (; k < body.size(); ++k) {
            if ((static_cast<unsigned char>(body[k]) & 0xC0) != 0x80 &&
                runes++ == static_cast<size_t>(sp.prec))
              break;
          }
          body.resize(k);
        }
      } else if (vc == 'q') {
        body = GoQuote(a.s);
      } else if (vc == 'x' || vc == 'X') {
        for (unsigned char c : a.s) {
          char buf[4];
          std::snprintf(buf, sizeof buf, vc == 'x' ? "%02x" : "%02X", c);
          body += buf;
        }
      } else {
        return bad();
      }
      break;
    case Value::kInt: {
      numeric = true;
      if (vc == 'd' || vc == 'v' || vc == 'x' || vc == 'X' || vc == 'o') {
        std::string f = CFlags(sp);
        if (sp.prec >= 0) f += "." + std::to_string(sp.prec);
        f += "ll";
        f += vc == 'v' ? 'd' : vc;
        char buf[96];
        if (vc == 'd' || vc == 'v') {
          std::snprintf(buf, sizeof buf, f.c_str(), static_cast<long long>(a.i));
        } else {  // Go prints the sign of negative numbers in hex and octal
          unsigned long long u = a.i < 0 ? 0ULL - static_cast<unsigned long long>(a.i) : a.i;
          std::snprintf(buf, sizeof buf, f.c_str(), u);
          if (a.i < 0)
            body = "-";
          else if (sp.plus)
            body = "+";
        }
        body += buf;
      } else if (vc == 'b' || vc == 'c' || vc == 'q' || vc == 'U' || vc == 'O') {
        return unsupported();
      } else {
        return bad();
      }
      break;
    }
    case Value::kFloat:
      numeric = true;
      if (vc == 'v' || vc == 'g' || vc == 'G' || vc == 'e' || vc == 'E' || vc == 'f' || vc == 'F') {
        body = FormatFloat(sp, vc, a.f);
      } else if (vc == 'b' || vc == 'x' || vc == 'X') {
        return unsupported();
      } else {
        return bad();
      }
      break;
    case Value::kBool:
      if (vc != 't' && vc != 'v') return bad();
      body = a.b ? "true" : "false";
      break;
    case Value::kMap:
    case Value::kData:
      if (vc != 'v' && vc != 's') return unsupported();
      a.AppendTo(&body);
      break;
    case Value::kNil:
      if (vc != 'v') return bad();
      body = "<nil>";
      break;
  }
  std::string out;
  Pad(&out, std::move(body), sp.width, sp.minus, sp.zero, numeric);
  return out;
}
}  // namespace

Result<std::string> GoSprintf(std::string_view f, const std::vector<Value>& args, size_t argi) {
  std::string out;
  size_t p = 0;
  while (p < f.size()) {
    size_t pct = f.find('%', p);
    if (pct == std::string_view::npos) {
      out.append(f.substr(p));
      break;
    }
    out.append(f.substr(p, pct - p));
    p = pct + 1;
    Spec sp;
    for (; p < f.size(); ++p) {
      char c = f[p];
      if (c == '+')
        sp.plus = true;
      else if (c == '-')
        sp.minus = true;
      else if (c == '#')
        sp.sharp = true;
      else if (c == '0')
        sp.zero = true;
      else if (c == ' ')
        sp.space = true;
      else
        break;
    }
    auto digits = [&](int* n) {
      size_t s = p;
      int v = 0;
      while (p < f.size() && f[p] >= '0' && f[p] <= '9' && v < 100000) v = v * 10 + (f[p++] - '0');
      if (p > s) *n = v;
      return p > s;
    };
    if (p < f.size() && (f[p] == '*' || f[p] == '[')) {
      return InvalidArgument("printf: '*' widths and [n] argument indexes are not supported");
    }
    digits(&sp.width);
    if (p < f.size() && f[p] == '.') {
      ++p;
      sp.prec = 0;
      if (p < f.size() && (f[p] == '*' || f[p] == '[')) {
        return InvalidArgument("printf: '*' precisions and [n] argument indexes are not supported");
      }
      digits(&sp.prec);
    }
    if (p >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    size_t len = 1;
    while (p + len < f.size() && (static_cast<unsigned char>(f[p + len]) & 0xC0) == 0x80) ++len;
    sp.verb = std::string(f.substr(p, len));
    p += len;
    if (sp.verb == "%") {
      out.push_back('%');
      continue;
    }
    if (argi >= args.size()) {
      out += "%!" + sp.verb + "(MISSING)";
      continue;
    }
    INFERMETRY_ASSIGN_OR_RETURN(std::string one, FormatOne(sp, args[argi++]));
    out += one;
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      out += args[k].TypeName() + "=";
      args[k].AppendTo(&out);
    }
    out.push_back(')');
  }
  return out;
}

}  // namespace infermetry::alerting::tmpl
