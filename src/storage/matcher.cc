#include <re2/re2.h>

#include "storage/querier.h"

namespace infermetry::storage {

Result<Matcher> Matcher::Make(Op op, std::string name, std::string value) {
  Matcher m;
  m.op_ = op;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (op == Op::kRe || op == Op::kNre) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Prometheus compiles matchers with (?s)
    auto re = std::make_shared<RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return InvalidArgument("invalid regular expression in matcher " + m.ToString() + ": " +
                             re->error());
    }
    m.re_ = std::move(re);
  }
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (op_) {
    case Op::kEq: return v == value_;
    case Op::kNeq: return v != value_;
    case Op::kRe: return RE2::FullMatch(v, *re_);
    case Op::kNre: return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string Matcher::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "=~", "!~"};
  std::string out = name_ + kOps[static_cast<int>(op_)] + "\"";
  model::AppendEscapedLabelValue(&out, value_);
  out += '"';
  return out;
}

}  // namespace infermetry::storage
