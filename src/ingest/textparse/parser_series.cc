// Parser: sample lines, label sets, values, timestamps and exemplars. This is the hot path;
// it works on [p, end) of one line with table lookups and allocates nothing once the label
// vectors and the scratch buffer have grown to the largest line seen.

#include <cstring>

#include "common/strconv.h"
#include "ingest/textparse/lexer.h"
#include "ingest/textparse/parser.h"

namespace infermetry::textparse {

using internal::DescribeByte;
using internal::Is;
using internal::kBlank;
using internal::kLabelNameChar;
using internal::kLabelNameStart;
using internal::kLabelValueStop;
using internal::kMetricNameChar;
using internal::kMetricNameStart;
using internal::QuoteForMessage;
using internal::SkipClass;

namespace {

constexpr size_t kMaxExemplarRunes = 128;

std::string_view Span(const char* b, const char* e) {
  return std::string_view(b, static_cast<size_t>(e - b));
}

// End of the token starting at `p`: the first ' ' (OpenMetrics) or blank (text) or `end`.
const char* TokenEnd(const char* p, const char* end, bool om) {
  if (om) {
    while (p < end && *p != ' ') ++p;
  } else {
    while (p < end && !Is(*p, kBlank)) ++p;
  }
  return p;
}

}  // namespace

const char* Parser::ParseLabelSet(const char* p, const char* end, std::vector<LabelView>* out) {
  const bool om = format_ == Format::kOpenMetrics;
  auto skip = [om, end](const char* x) { return om ? x : SkipClass(x, end, kBlank); };
  bool after_comma = false;
  p = skip(p + 1);  // past '{'
  for (;;) {
    if (p < end && *p == '}') return p + 1;
    if (p == end || !Is(*p, kLabelNameStart)) {
      Fail(p, ParseErrorReason::kLabels,
           std::string(after_comma ? "expected label name after ','"
                                   : "expected label name or '}'") +
               ", found " + DescribeByte(p, end));
      return nullptr;
    }
    const char* name_begin = p;
    p = SkipClass(p + 1, end, kLabelNameChar);
    const std::string_view name = Span(name_begin, p);
    p = skip(p);
    if (p == end || *p != '=') {
      Fail(p, ParseErrorReason::kLabels,
           "expected '=' after label name, found " + DescribeByte(p, end));
      return nullptr;
    }
    p = skip(p + 1);
    if (p == end || *p != '"') {
      Fail(p, ParseErrorReason::kLabels,
           "expected '\"' to start label value, found " + DescribeByte(p, end));
      return nullptr;
    }
    const char* value_begin = ++p;
    bool escaped = false;
    bool high = false;
    for (;;) {
      while (p < end && !Is(*p, kLabelValueStop)) ++p;
      if (p == end) {
        Fail(p, ParseErrorReason::kLabels, "expected '\"' to close label value, found end of line");
        return nullptr;
      }
      const char c = *p;
      if (c == '"') break;
      if (c == '\\') {
        if (p + 1 == end) {
          Fail(p + 1, ParseErrorReason::kLabels,
               "expected '\"' to close label value, found end of line");
          return nullptr;
        }
        escaped = true;
        high |= static_cast<unsigned char>(p[1]) >= 0x80;
        p += 2;
      } else {
        high = true;
        ++p;
      }
    }
    std::string_view value = Span(value_begin, p);
    ++p;  // closing '"'
    if (high && !internal::ValidUtf8(value)) {
      Fail(value_begin, ParseErrorReason::kLabels, "invalid UTF-8 in label value");
      return nullptr;
    }
    if (escaped) {
      char* buf = Scratch(value.size());
      size_t n = internal::UnescapeLabelValue(value, buf);
      scratch_used_ -= value.size() - n;
      value = std::string_view(buf, n);
    }
    for (const LabelView& l : *out) {
      if (l.name == name) {
        Fail(name_begin, ParseErrorReason::kLabels,
             "duplicate label name " + QuoteForMessage(name));
        return nullptr;
      }
    }
    if (name == "__name__") {
      Fail(name_begin, ParseErrorReason::kLabels,
           "label name \"__name__\" is not allowed; the metric name precedes the "
           "label set");
      return nullptr;
    }
    out->push_back(LabelView{name, value});
    p = skip(p);
    if (p < end && *p == ',') {
      p = skip(p + 1);
      after_comma = true;
      continue;
    }
    if (p < end && *p == '}') return p + 1;
    Fail(p, ParseErrorReason::kLabels,
         "expected ',' or '}' after label value, found " + DescribeByte(p, end));
    return nullptr;
  }
}

Entry Parser::ParseSeries(const char* p, const char* end) {
  const bool om = format_ == Format::kOpenMetrics;
  if (end[-1] == '\r')
    return Fail(end - 1, ParseErrorReason::kFormat, std::string(internal::kCarriageReturnMessage));
  if (!Is(*p, kMetricNameStart)) {
    return Fail(p, ParseErrorReason::kMetricName,
                "expected metric name at start of line, found " + DescribeByte(p, end));
  }
  const char* const line_start = p;
  const char* q = SkipClass(p + 1, end, kMetricNameChar);
  name_ = Span(p, q);
  labels_.clear();
  has_timestamp_ = false;
  timestamp_ms_ = 0;
  has_exemplar_ = false;

  const char* series_end = q;
  const char* r = q;
  bool has_labels = false;
  if (om) {
    if (r < end && *r == '{') {
      r = ParseLabelSet(r, end, &labels_);
      if (r == nullptr) return Entry::kInvalid;
      series_end = r;
      has_labels = true;
    }
    if (r == end || *r != ' ') {
      return Fail(r, ParseErrorReason::kMetricName,
                  std::string(has_labels ? "expected ' ' after label set"
                                         : "expected '{' or ' ' after metric name") +
                      ", found " + DescribeByte(r, end));
    }
    ++r;
  } else {
    r = SkipClass(q, end, kBlank);
    const bool gap = r > q;
    if (r < end && *r == '{') {
      r = ParseLabelSet(r, end, &labels_);
      if (r == nullptr) return Entry::kInvalid;
      series_end = r;
      has_labels = true;
      r = SkipClass(r, end, kBlank);
    } else if (!gap && r < end) {
      return Fail(r, ParseErrorReason::kMetricName,
                  "expected '{' or whitespace after metric name, found " + DescribeByte(r, end));
    }
  }
  series_ = Span(line_start, series_end);
  if (r == end) {
    return Fail(r, ParseErrorReason::kMetricName,
                std::string("expected value after ") + (has_labels ? "label set" : "metric name") +
                    ", found end of line");
  }

  const char* value_end = TokenEnd(r, end, om);
  if (value_end == r)
    return Fail(r, ParseErrorReason::kValue, "expected value, found " + DescribeByte(r, end));
  if (!ParseGoFloat(Span(r, value_end), &value_)) {
    return Fail(r, ParseErrorReason::kValue,
                "invalid value " + QuoteForMessage(Span(r, value_end)) +
                    ": expected a float such as 1, -2.5, 1e+06, +Inf, -Inf or NaN");
  }
  r = value_end;

  if (!om) {
    r = SkipClass(r, end, kBlank);
    if (r < end) {
      if (*r == '#') {
        return Fail(r, ParseErrorReason::kExemplar,
                    "expected timestamp or end of line after value, found '#' (exemplars "
                    "are only valid in OpenMetrics)");
      }
      const char* ts_end = TokenEnd(r, end, false);
      if (!ParseInt64(Span(r, ts_end), &timestamp_ms_)) {
        return Fail(r, ParseErrorReason::kTimestamp,
                    "invalid timestamp " + QuoteForMessage(Span(r, ts_end)) +
                        ": expected integer milliseconds");
      }
      has_timestamp_ = true;
      r = SkipClass(ts_end, end, kBlank);
      if (r < end) {
        return Fail(r, ParseErrorReason::kTimestamp,
                    "expected end of line after timestamp, found " + DescribeByte(r, end));
      }
    }
    SetFamilyForSeries();
    return Entry::kSeries;
  }

  if (r < end) {  // *r == ' '
    ++r;
    if (r == end || *r == ' ') {
      return Fail(r, ParseErrorReason::kTimestamp,
                  "expected timestamp or exemplar after ' ', found " + DescribeByte(r, end));
    }
    if (*r != '#') {
      const char* ts_end = TokenEnd(r, end, true);
      if (!internal::ParseSecondsToMs(Span(r, ts_end), &timestamp_ms_)) {
        return Fail(r, ParseErrorReason::kTimestamp,
                    "invalid timestamp " + QuoteForMessage(Span(r, ts_end)) +
                        ": expected seconds since the epoch");
      }
      has_timestamp_ = true;
      r = ts_end;
      if (r < end) {
        ++r;
        if (r == end || *r != '#') {
          return Fail(
              r, ParseErrorReason::kTimestamp,
              "expected '#' starting an exemplar after timestamp, found " + DescribeByte(r, end));
        }
      }
    }
    if (r < end && ParseExemplar(r, end) == Entry::kInvalid) return Entry::kInvalid;
  }
  SetFamilyForSeries();
  return Entry::kSeries;
}

Entry Parser::ParseExemplar(const char* p, const char* end) {
  ++p;  // '#'
  if (p == end || *p != ' ') {
    return Fail(p, ParseErrorReason::kExemplar,
                "expected ' ' after '#' of exemplar, found " + DescribeByte(p, end));
  }
  ++p;
  if (p == end || *p != '{') {
    return Fail(p, ParseErrorReason::kExemplar,
                "expected '{' starting exemplar labels, found " + DescribeByte(p, end));
  }
  const char* labels_begin = p;
  exemplar_labels_.clear();
  p = ParseLabelSet(p, end, &exemplar_labels_);
  if (p == nullptr) return Entry::kInvalid;
  size_t runes = 0;
  for (const LabelView& l : exemplar_labels_) {
    runes += internal::CountCodePoints(l.name) + internal::CountCodePoints(l.value);
  }
  if (runes > kMaxExemplarRunes) {
    return Fail(labels_begin, ParseErrorReason::kExemplar,
                "exemplar labels have " + std::to_string(runes) +
                    " UTF-8 characters, more than the limit of 128");
  }
  if (p == end || *p != ' ') {
    return Fail(p, ParseErrorReason::kExemplar,
                "expected ' ' and a value after exemplar labels, found " + DescribeByte(p, end));
  }
  ++p;
  const char* value_end = TokenEnd(p, end, true);
  if (value_end == p)
    return Fail(p, ParseErrorReason::kExemplar,
                "expected exemplar value, found " + DescribeByte(p, end));
  if (!ParseGoFloat(Span(p, value_end), &exemplar_value_)) {
    return Fail(p, ParseErrorReason::kExemplar,
                "invalid exemplar value " + QuoteForMessage(Span(p, value_end)));
  }
  p = value_end;
  exemplar_has_timestamp_ = false;
  exemplar_timestamp_ms_ = 0;
  if (p < end) {
    ++p;
    const char* ts_end = TokenEnd(p, end, true);
    if (ts_end == p) {
      return Fail(p, ParseErrorReason::kExemplar,
                  "expected exemplar timestamp, found " + DescribeByte(p, end));
    }
    if (!internal::ParseSecondsToMs(Span(p, ts_end), &exemplar_timestamp_ms_)) {
      return Fail(p, ParseErrorReason::kExemplar,
                  "invalid exemplar timestamp " + QuoteForMessage(Span(p, ts_end)) +
                      ": expected seconds since the epoch");
    }
    exemplar_has_timestamp_ = true;
    if (ts_end < end) {
      return Fail(
          ts_end, ParseErrorReason::kExemplar,
          "expected end of line after exemplar timestamp, found " + DescribeByte(ts_end, end));
    }
  }
  has_exemplar_ = true;
  return Entry::kSeries;
}

}  // namespace infermetry::textparse
