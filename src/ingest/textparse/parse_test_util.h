#pragma once
// Test helpers: run a Parser to the end and render each entry as one compact line, so tests
// compare readable strings.
//
//   HELP <family> "<help>" | TYPE <family> <type> | UNIT <family> "<unit>" | COMMENT "<text>"
//   <name>{a="1",...} <value>[ @<ts_ms>][ # {labels} <value>[ @<ts_ms>]]
//   ERROR <line>:<column> <message> | EOF
// Label values and texts are shown with \\, \" and \n escaped.

#include <cstdlib>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/strconv.h"
#include "ingest/textparse/format.h"
#include "ingest/textparse/parser.h"
#include "ingest/textparse/writer.h"
#include "model/labels.h"
#include "model/metric_type.h"

namespace infermetry::textparse::testing {

inline std::string Escaped(std::string_view s) {
  std::string out;
  model::AppendEscapedLabelValue(&out, s);
  return out;
}

inline std::string RenderLabels(std::span<const LabelView> labels) {
  std::string s = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) s += ",";
    s += std::string(labels[i].name) + "=\"" + Escaped(labels[i].value) + "\"";
  }
  return s + "}";
}

// Renders the entry `e` the parser just returned.
inline std::string Render(const Parser& p, Entry e) {
  switch (e) {
    case Entry::kHelp:
      return "HELP " + std::string(p.FamilyName()) + " \"" + Escaped(p.Help()) + "\"";
    case Entry::kType:
      return "TYPE " + std::string(p.FamilyName()) + " " +
             std::string(model::MetricTypeName(p.Type()));
    case Entry::kUnit:
      return "UNIT " + std::string(p.FamilyName()) + " \"" + Escaped(p.Unit()) + "\"";
    case Entry::kComment:
      return "COMMENT \"" + Escaped(p.Comment()) + "\"";
    case Entry::kEof:
      return "EOF";
    case Entry::kInvalid:
      return "ERROR " + std::to_string(p.error().line) + ":" + std::to_string(p.error().column) +
             " " + p.error().message;
    case Entry::kSeries: {
      std::string s(p.MetricName());
      s += RenderLabels(p.Labels()) + " " + FormatGoFloat(p.Value());
      if (p.HasTimestamp()) s += " @" + std::to_string(p.TimestampMs());
      ExemplarView ex;
      if (p.Exemplar(&ex)) {
        s += " # " + RenderLabels(ex.labels) + " " + FormatGoFloat(ex.value);
        if (ex.has_timestamp) s += " @" + std::to_string(ex.timestamp_ms);
      }
      return s;
    }
  }
  return "?";
}

// Every entry up to and including the first EOF (bounded, in case of a bug).
inline std::vector<std::string> ParseAll(std::string_view input, Format format) {
  Parser p(input, format);
  std::vector<std::string> out;
  for (int i = 0; i < 100000; ++i) {
    Entry e = p.Next();
    out.push_back(Render(p, e));
    if (e == Entry::kEof) break;
  }
  return out;
}

// The first error's "line:column message", or "" if the input parses cleanly.
inline std::string FirstError(std::string_view input, Format format) {
  Parser p(input, format);
  for (Entry e; (e = p.Next()) != Entry::kEof;) {
    if (e == Entry::kInvalid) {
      return std::to_string(p.error().line) + ":" + std::to_string(p.error().column) + " " +
             p.error().message;
    }
  }
  return "";
}

// Parses `input`, writes every valid entry back with a Writer of the same format, and returns
// the rendered entries of the first parse (errors left out) and of re-parsing the output.
struct RoundTripResult {
  std::vector<std::string> first;
  std::vector<std::string> second;
  std::string written;
};

inline RoundTripResult RoundTrip(std::string_view input, Format format) {
  RoundTripResult r;
  Writer w(format, &r.written);
  Parser p(input, format);
  for (int i = 0; i < 1000000; ++i) {
    Entry e = p.Next();
    if (e == Entry::kEof) break;
    if (e == Entry::kInvalid) continue;
    r.first.push_back(Render(p, e));
    switch (e) {
      case Entry::kHelp:
        w.Help(p.FamilyName(), p.Help());
        break;
      case Entry::kType:
        w.Type(p.FamilyName(), p.Type());
        break;
      case Entry::kUnit:
        w.Unit(p.FamilyName(), p.Unit());
        break;
      case Entry::kComment:
        w.Comment(p.Comment());
        break;
      case Entry::kSeries: {
        ExemplarView ex;
        bool has_ex = p.Exemplar(&ex);
        std::optional<int64_t> ts;
        if (p.HasTimestamp()) ts = p.TimestampMs();
        w.Sample(p.MetricName(), p.Labels(), p.Value(), ts, has_ex ? &ex : nullptr);
        break;
      }
      default:
        break;
    }
  }
  w.Eof();
  Parser p2(r.written, format);
  for (int i = 0; i < 1000000; ++i) {
    Entry e = p2.Next();
    if (e == Entry::kEof) break;
    r.second.push_back(Render(p2, e));
  }
  return r;
}

// Reads $INFERMETRY_TESTDATA/<relative>; "" if missing.
inline std::string ReadTestData(const std::string& relative) {
  const char* dir = std::getenv("INFERMETRY_TESTDATA");
  std::string path = std::string(dir != nullptr ? dir : "test/data") + "/" + relative;
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace infermetry::textparse::testing
