#pragma once
// Streaming parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0.
//
//   Parser p(body, FormatFromContentType(content_type));
//   for (Entry e; (e = p.Next()) != Entry::kEof;) {
//     switch (e) {
//       case Entry::kSeries: Use(p.MetricName(), p.Labels(), p.Value()); break;
//       case Entry::kType:   Note(p.FamilyName(), p.Type()); break;
//       case Entry::kInvalid: Log(p.error().ToString()); break;  // or stop: caller's choice
//       default: break;
//     }
//   }
//
// Ownership and lifetimes:
//   * The parser borrows `input`; it must outlive the parser and stay unmodified. The input
//     need not be NUL-terminated; the parser never reads outside it.
//   * Every string_view, LabelView and ExemplarView returned by an accessor points into the
//     input or into the parser's own scratch buffer and stays valid until the next call to
//     Next() (or the parser's destruction). Copy what you need to keep.
//   * Accessors describe the entry last returned by Next(); calling one that does not apply to
//     that entry kind returns an unspecified (but safe) value.
//
// Errors: a malformed line yields Entry::kInvalid and error() says where and why. The next
// call to Next() resumes at the following line, so the rest of the payload stays usable; a
// caller that wants all-or-nothing stops at the first kInvalid.
//
// Performance: a single pass over bytes with table lookups; no allocation per sample in the
// steady state (the label vectors and the scratch buffer for unescaped values are reused).
//
// Thread-safety: a Parser is a single-threaded cursor; distinct parsers are independent.
//
// Format rules (beyond the obvious grammar):
//   Text 0.0.4: blank lines and lines of blanks are skipped; spaces and tabs may surround
//     every token (leading blanks, between name/labels/value/timestamp, inside the label set,
//     trailing); a trailing ',' in a label set is accepted; a line starting with '#' that is
//     not "# HELP <name> ..." or "# TYPE <name> ..." is a comment (so "# UNIT" and "# EOF"
//     are comments); timestamps are integer milliseconds (sign allowed); the last line may
//     lack its '\n'; TYPE accepts counter, gauge, histogram, summary, untyped.
//   OpenMetrics 1.0: single spaces between tokens, no blank lines or leading/trailing
//     blanks, no comments other than HELP/TYPE/UNIT, "# EOF" is required as the last line
//     (one optional '\n' may follow it); timestamps are float seconds, converted to
//     milliseconds (rounded to nearest); exemplars are accepted after any sample, at most 128
//     code points of exemplar label names and values; UNIT must be a suffix of the family
//     name. Like Prometheus, a trailing ',' in a label set is accepted.
//   Both: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; label
//     values and HELP text must be valid UTF-8; label value escapes \\ \" \n are decoded and
//     any other backslash pair is kept verbatim (as Prometheus does); HELP escapes are \\ and
//     \n (text) or \\ \n \" (OpenMetrics); duplicate label names and a "__name__" label are
//     rejected; values are floats in every spelling Go's ParseFloat accepts (no hex, no '_'),
//     including NaN, +Inf, -Inf; a '\r' before the '\n' of a non-comment line is an error;
//     a raw newline always ends the line, also inside a quoted label value (which is then
//     unterminated).
//   Not checked here (left to the caller): semantic rules such as bucket order, le/quantile
//     values, counter monotonicity, info values of 1, stateset values of 0/1, and the
//     ordering/uniqueness of families.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/textparse/format.h"
#include "model/metric_type.h"

namespace infermetry::textparse {

class Parser {
 public:
  Parser(std::string_view input, Format format);
  // A NUL-terminated string (the terminator is not part of the input).
  Parser(const char* input, Format format) : Parser(std::string_view(input), format) {}
  // The parser only borrows its input; refuse temporaries that would dangle.
  Parser(std::string&& input, Format format) = delete;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Advances to the next entry. Returns kEof at the end of input and on every later call.
  Entry Next();

  Format format() const { return format_; }
  // 1-based number of the line of the entry last returned (0 before the first call).
  int line() const { return line_; }
  // Details of the last kInvalid.
  const ParseError& error() const { return error_; }

  // After kHelp, kType, kUnit: the family named by the line. After kSeries: the family the
  // sample belongs to, i.e. the family of the preceding HELP/TYPE/UNIT lines when the sample
  // name is that family's name plus a suffix allowed for its type (e.g. "_bucket" for a
  // histogram, "_total" for an OpenMetrics counter), else the sample's own metric name.
  std::string_view FamilyName() const { return family_; }
  // The family's type: after kType the parsed type; after kHelp/kUnit/kSeries the type
  // declared so far for FamilyName(), kUnknown if none.
  model::MetricType Type() const { return type_; }
  // After kHelp: the help text, unescaped.
  std::string_view Help() const { return text_; }
  // After kUnit: the unit ("" when the line names none).
  std::string_view Unit() const { return text_; }
  // After kComment: the bytes after the '#', without the line break.
  std::string_view Comment() const { return text_; }

  // After kSeries: the raw bytes of `name{labels}` as they appear in the line (labels still
  // escaped), usable as a cache key for the series.
  std::string_view Series() const { return series_; }
  std::string_view MetricName() const { return name_; }
  // The labels in input order, values unescaped; the metric name is not among them.
  const std::vector<LabelView>& Labels() const { return labels_; }
  double Value() const { return value_; }
  bool HasTimestamp() const { return has_timestamp_; }
  // Milliseconds since the Unix epoch; 0 when !HasTimestamp().
  int64_t TimestampMs() const { return timestamp_ms_; }
  // Fills *out and returns true if the sample carries an exemplar (OpenMetrics only).
  bool Exemplar(ExemplarView* out) const;

 private:
  Entry ParseHashLine(const char* p, const char* end);
  Entry ParseMetadata(Entry kind, const char* p, const char* end);
  Entry ParseSeries(const char* p, const char* end);
  // Parses `{...}` starting at the '{' at `p`; returns the position after the '}', or nullptr
  // after setting the error.
  const char* ParseLabelSet(const char* p, const char* end, std::vector<LabelView>* out);
  // Parses the OpenMetrics exemplar starting at the '#' at `p`.
  Entry ParseExemplar(const char* p, const char* end);
  // Reports missing "# EOF" once in OpenMetrics, then kEof.
  Entry Finish();
  // Records an error at `at` (a position in the current line) and returns kInvalid.
  Entry Fail(const char* at, ParseErrorReason reason, std::string message);
  // Space in the scratch buffer for `n` unescaped bytes of the current line.
  char* Scratch(size_t n);
  void SetFamilyForSeries();

  std::string_view input_;
  Format format_;
  size_t pos_ = 0;  // start of the next line
  int line_ = 0;
  const char* line_begin_ = nullptr;
  const char* line_end_ = nullptr;
  bool eof_line_seen_ = false;  // OpenMetrics "# EOF"
  bool finished_ = false;       // kEof returned or due

  // Metadata context: the family of the latest HELP/TYPE/UNIT line and its declared type.
  std::string_view meta_family_;
  model::MetricType meta_type_ = model::MetricType::kUnknown;

  // Current entry.
  std::string_view family_;
  model::MetricType type_ = model::MetricType::kUnknown;
  std::string_view text_;
  std::string_view series_;
  std::string_view name_;
  std::vector<LabelView> labels_;
  double value_ = 0;
  bool has_timestamp_ = false;
  int64_t timestamp_ms_ = 0;
  bool has_exemplar_ = false;
  std::vector<LabelView> exemplar_labels_;
  double exemplar_value_ = 0;
  bool exemplar_has_timestamp_ = false;
  int64_t exemplar_timestamp_ms_ = 0;

  // Unescaped label values and HELP text of the current line. Sized to the line's length on
  // first use in a line, so views handed out earlier in the line never move.
  std::string scratch_;
  size_t scratch_used_ = 0;
  bool scratch_sized_ = false;

  ParseError error_;
};

}  // namespace infermetry::textparse
