// Parser driver: line splitting, error recovery, "# ..." lines. Sample lines are in
// parser_series.cc.

#include "ingest/textparse/parser.h"

#include <cstring>

#include "ingest/textparse/lexer.h"

namespace infermetry::textparse {

using internal::DescribeByte;
using internal::Is;
using internal::kBlank;
using internal::kMetricNameChar;
using internal::kMetricNameStart;
using internal::QuoteForMessage;
using internal::SkipClass;

namespace {

bool StartsWith(const char* p, const char* end, std::string_view prefix) {
  return static_cast<size_t>(end - p) >= prefix.size() &&
         std::memcmp(p, prefix.data(), prefix.size()) == 0;
}

std::string_view KeywordOf(Entry kind) {
  switch (kind) {
    case Entry::kHelp:
      return "HELP";
    case Entry::kType:
      return "TYPE";
    default:
      return "UNIT";
  }
}

}  // namespace

Parser::Parser(std::string_view input, Format format) : input_(input), format_(format) {}

Entry Parser::Fail(const char* at, ParseErrorReason reason, std::string message) {
  error_.reason = reason;
  error_.line = line_;
  error_.column = static_cast<int>(at - line_begin_) + 1;
  error_.message = std::move(message);
  return Entry::kInvalid;
}

char* Parser::Scratch(size_t n) {
  if (!scratch_sized_) {
    // Unescaping never lengthens text, so the line's length bounds this line's total use.
    size_t line_len = static_cast<size_t>(line_end_ - line_begin_);
    if (scratch_.size() < line_len) scratch_.resize(line_len);
    scratch_sized_ = true;
  }
  char* out = scratch_.data() + scratch_used_;
  scratch_used_ += n;
  return out;
}

Entry Parser::Finish() {
  if (format_ == Format::kOpenMetrics && !eof_line_seen_ && !finished_) {
    finished_ = true;
    // Point just past the last byte of the input.
    if (input_.empty() || input_.back() == '\n') {
      error_.line = line_ + 1;
      error_.column = 1;
    } else {
      error_.line = line_;
      error_.column = static_cast<int>(line_end_ - line_begin_) + 1;
    }
    error_.reason = ParseErrorReason::kFormat;
    error_.message = "expected \"# EOF\" as the last line, found end of input";
    return Entry::kInvalid;
  }
  finished_ = true;
  return Entry::kEof;
}

Entry Parser::Next() {
  const bool om = format_ == Format::kOpenMetrics;
  for (;;) {
    if (pos_ >= input_.size()) return Finish();
    const char* begin = input_.data() + pos_;
    const size_t rest = input_.size() - pos_;
    const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', rest));
    const char* end = nl != nullptr ? nl : begin + rest;
    pos_ = static_cast<size_t>((nl != nullptr ? nl + 1 : end) - input_.data());
    ++line_;
    line_begin_ = begin;
    line_end_ = end;
    scratch_used_ = 0;
    scratch_sized_ = false;

    const char* p = begin;
    if (om) {
      if (p == end)
        return Fail(p, ParseErrorReason::kFormat,
                    "unexpected empty line (not allowed in OpenMetrics)");
      if (Is(*p, kBlank)) {
        return Fail(p, ParseErrorReason::kFormat,
                    "unexpected whitespace at start of line (not allowed in OpenMetrics)");
      }
    } else {
      p = SkipClass(p, end, kBlank);
      if (p == end) continue;  // blank line
    }
    if (*p == '#') {
      Entry e = ParseHashLine(p, end);
      if (e != Entry::kEof) return e;
      // "# EOF": the input must end here.
      pos_ = input_.size();
      finished_ = true;
      if (nl != nullptr && nl + 1 < input_.data() + input_.size()) {
        ++line_;
        line_begin_ = line_end_ = nl + 1;
        return Fail(line_begin_, ParseErrorReason::kFormat, "unexpected data after \"# EOF\"");
      }
      return Entry::kEof;
    }
    return ParseSeries(p, end);
  }
}

Entry Parser::ParseHashLine(const char* p, const char* end) {
  const char* q = p + 1;  // after '#'
  const bool crlf = end[-1] == '\r';
  if (format_ == Format::kPrometheusText) {
    // '#' blanks ("HELP" | "TYPE") blanks: metadata; anything else is a comment.
    const char* k = SkipClass(q, end, kBlank);
    Entry kind = Entry::kComment;
    if (k > q && end - k > 4 && Is(k[4], kBlank)) {
      if (StartsWith(k, end, "HELP")) kind = Entry::kHelp;
      if (StartsWith(k, end, "TYPE")) kind = Entry::kType;
    }
    if (kind == Entry::kComment) {
      text_ = std::string_view(q, static_cast<size_t>(end - q));
      return Entry::kComment;
    }
    if (crlf)
      return Fail(end - 1, ParseErrorReason::kFormat,
                  std::string(internal::kCarriageReturnMessage));
    return ParseMetadata(kind, SkipClass(k + 5, end, kBlank), end);
  }

  if (crlf)
    return Fail(end - 1, ParseErrorReason::kFormat, std::string(internal::kCarriageReturnMessage));
  if (end - p == 5 && StartsWith(p, end, "# EOF")) {
    eof_line_seen_ = true;
    return Entry::kEof;
  }
  if (StartsWith(p, end, "# HELP ")) return ParseMetadata(Entry::kHelp, p + 7, end);
  if (StartsWith(p, end, "# TYPE ")) return ParseMetadata(Entry::kType, p + 7, end);
  if (StartsWith(p, end, "# UNIT ")) return ParseMetadata(Entry::kUnit, p + 7, end);
  if (StartsWith(p, end, "# EOF")) {
    return Fail(p + 5, ParseErrorReason::kFormat,
                "expected end of line after \"# EOF\", found " + DescribeByte(p + 5, end));
  }
  return Fail(p, ParseErrorReason::kFormat,
              "expected \"# HELP \", \"# TYPE \", \"# UNIT \" or \"# EOF\" (OpenMetrics has "
              "no other comment lines)");
}

Entry Parser::ParseMetadata(Entry kind, const char* p, const char* end) {
  const bool om = format_ == Format::kOpenMetrics;
  const std::string_view keyword = KeywordOf(kind);
  if (p == end || !Is(*p, kMetricNameStart)) {
    return Fail(
        p, ParseErrorReason::kMetadata,
        "expected metric name after " + std::string(keyword) + ", found " + DescribeByte(p, end));
  }
  const char* name_end = SkipClass(p + 1, end, kMetricNameChar);
  const std::string_view name(p, static_cast<size_t>(name_end - p));
  const char* t = name_end;
  if (t < end) {
    if (om ? *t != ' ' : !Is(*t, kBlank)) {
      return Fail(t, ParseErrorReason::kMetadata,
                  std::string(om ? "expected ' '" : "expected whitespace") +
                      " after metric name, found " + DescribeByte(t, end));
    }
    t = om ? t + 1 : SkipClass(t, end, kBlank);
  }
  std::string_view text(t, static_cast<size_t>(end - t));

  if (name != meta_family_) {
    meta_family_ = name;
    meta_type_ = model::MetricType::kUnknown;
  }
  family_ = name;

  switch (kind) {
    case Entry::kHelp: {
      if (!internal::ValidUtf8(text))
        return Fail(t, ParseErrorReason::kMetadata, "invalid UTF-8 in HELP text");
      if (std::memchr(text.data(), '\\', text.size()) != nullptr) {
        char* out = Scratch(text.size());
        size_t n =
            om ? internal::UnescapeLabelValue(text, out) : internal::UnescapeTextHelp(text, out);
        scratch_used_ -= text.size() - n;
        text = std::string_view(out, n);
      }
      break;
    }
    case Entry::kType: {
      if (!om) {
        while (!text.empty() && Is(text.back(), kBlank)) text.remove_suffix(1);
      }
      if (text.empty())
        return Fail(t, ParseErrorReason::kMetadata,
                    "expected metric type after metric name, found end of line");
      model::MetricType type;
      if (!internal::ParseTypeForFormat(text, format_, &type)) {
        return Fail(t, ParseErrorReason::kMetadata,
                    "invalid metric type " + QuoteForMessage(text) +
                        (om ? " (expected counter, gauge, histogram, gaugehistogram, summary, "
                              "info, stateset or unknown)"
                            : " (expected counter, gauge, histogram, summary or untyped)"));
      }
      meta_type_ = type;
      break;
    }
    default: {  // kUnit, OpenMetrics only
      const char* bad = SkipClass(t, end, kMetricNameChar);
      if (bad != end)
        return Fail(bad, ParseErrorReason::kMetadata,
                    "invalid character in unit, found " + DescribeByte(bad, end));
      if (!text.empty() && !name.ends_with(text)) {
        return Fail(t, ParseErrorReason::kMetadata,
                    "unit " + QuoteForMessage(text) + " is not a suffix of metric name " +
                        QuoteForMessage(name));
      }
      break;
    }
  }
  type_ = meta_type_;
  text_ = text;
  return kind;
}

void Parser::SetFamilyForSeries() {
  if (internal::SampleBelongsToFamily(name_, meta_family_, meta_type_, format_)) {
    family_ = meta_family_;
    type_ = meta_type_;
  } else {
    family_ = name_;
    type_ = model::MetricType::kUnknown;
  }
}

bool Parser::Exemplar(ExemplarView* out) const {
  if (!has_exemplar_) return false;
  out->labels = exemplar_labels_;
  out->value = exemplar_value_;
  out->has_timestamp = exemplar_has_timestamp_;
  out->timestamp_ms = exemplar_timestamp_ms_;
  return true;
}

}  // namespace infermetry::textparse
