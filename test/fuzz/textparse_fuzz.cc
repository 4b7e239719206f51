// Fuzz target for the exposition-format parser and writer.
//
// For each input and both formats: runs the parser to the end, calling every accessor after
// every entry and checking that views stay inside the input (or the parser's own buffers)
// and that errors carry sane positions; then writes every valid entry back with the Writer
// and checks that re-parsing the output gives exactly the same entries.
//
//   textparse_fuzz -max_total_time=60 test/fuzz/corpus/textparse

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "ingest/textparse/format.h"
#include "ingest/textparse/parse_test_util.h"
#include "ingest/textparse/parser.h"

namespace {

using infermetry::textparse::Entry;
using infermetry::textparse::ExemplarView;
using infermetry::textparse::Format;
using infermetry::textparse::LabelView;
using infermetry::textparse::Parser;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "textparse_fuzz: check failed: %s\n", what);
    std::abort();
  }
}

bool Within(std::string_view inner, std::string_view outer) {
  return inner.empty() || (inner.data() >= outer.data() &&
                           inner.data() + inner.size() <= outer.data() + outer.size());
}

// Touches every byte of a view so that ASan sees any out-of-bounds or stale view.
size_t Touch(std::string_view s) {
  size_t h = s.size();
  for (char c : s) h = h * 31 + static_cast<unsigned char>(c);
  return h;
}

void RunParser(std::string_view in, Format format) {
  Parser p(in, format);
  size_t lines = 1;
  for (char c : in) lines += c == '\n';
  size_t calls = 0;
  volatile size_t sink = 0;
  for (;;) {
    Entry e = p.Next();
    Check(++calls <= lines + 2, "Next() made progress on every call");
    Check(p.line() >= 0 && static_cast<size_t>(p.line()) <= lines, "line() in range");
    if (e == Entry::kEof) break;
    switch (e) {
      case Entry::kInvalid:
        Check(p.error().line >= 1 && p.error().column >= 1, "error position is 1-based");
        Check(!p.error().message.empty(), "error message present");
        sink = sink + p.error().ToString().size();
        break;
      case Entry::kHelp:
      case Entry::kType:
      case Entry::kUnit:
      case Entry::kComment:
        Check(Within(p.FamilyName(), in), "family name inside input");
        sink = sink + Touch(p.FamilyName()) + Touch(p.Help()) + Touch(p.Unit()) +
               Touch(p.Comment()) + static_cast<size_t>(p.Type());
        break;
      case Entry::kSeries: {
        Check(Within(p.Series(), in) && Within(p.MetricName(), in), "series inside input");
        Check(!p.MetricName().empty(), "metric name present");
        sink = sink + Touch(p.Series()) + Touch(p.MetricName()) + Touch(p.FamilyName());
        for (const LabelView& l : p.Labels()) {
          Check(Within(l.name, in), "label name inside input");
          sink = sink + Touch(l.name) + Touch(l.value);
        }
        double v = p.Value();
        sink = sink + (v == v ? 1 : 0);
        sink = sink + (p.HasTimestamp() ? static_cast<size_t>(p.TimestampMs()) : 0);
        ExemplarView ex;
        if (p.Exemplar(&ex)) {
          Check(format == Format::kOpenMetrics, "exemplars only in OpenMetrics");
          for (const LabelView& l : ex.labels) sink = sink + Touch(l.name) + Touch(l.value);
          sink = sink + (ex.has_timestamp ? static_cast<size_t>(ex.timestamp_ms) : 0);
        }
        break;
      }
      default:
        break;
    }
  }
  Check(p.Next() == Entry::kEof, "kEof is sticky");
}

void RoundTrip(std::string_view in, Format format) {
  auto r = infermetry::textparse::testing::RoundTrip(in, format);
  if (r.first != r.second) {
    std::fprintf(stderr, "round trip mismatch (%s)\n--- written:\n%s\n",
                 std::string(infermetry::textparse::FormatName(format)).c_str(), r.written.c_str());
    size_t n = r.first.size() < r.second.size() ? r.first.size() : r.second.size();
    for (size_t i = 0; i < n; ++i) {
      if (r.first[i] != r.second[i]) {
        std::fprintf(stderr, "first:  %s\nsecond: %s\n", r.first[i].c_str(), r.second[i].c_str());
        break;
      }
    }
    std::fprintf(stderr, "entries: %zu vs %zu\n", r.first.size(), r.second.size());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Heap copy of exactly `size` bytes (no terminator), so ASan catches any read past the end.
  char* buf = static_cast<char*>(std::malloc(size == 0 ? 1 : size));
  if (size > 0) std::memcpy(buf, data, size);
  std::string_view in(buf, size);
  for (Format f : {Format::kPrometheusText, Format::kOpenMetrics}) {
    RunParser(in, f);
    RoundTrip(in, f);
  }
  volatile auto f = infermetry::textparse::FormatFromContentType(in.substr(0, 64));
  (void)f;
  std::free(buf);
  return 0;
}
