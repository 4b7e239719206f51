#pragma once
// The pieces of prometheus_client's text exposition (generate_latest, format 0.0.4) that the
// vLLM emulator's /metrics is assembled from: number spelling, escaping, label sets in sorted
// order, HELP/TYPE headers and sample lines. Pure functions over std::string; no I/O.
//
// Byte rules reproduced (prometheus_client/exposition.py and utils.py):
//   # HELP <name> <doc with \ -> \\ and newline -> \n>
//   # TYPE <name> <type>
//   <name>{<k>="<v>",...} <value>          labels sorted by name; no braces when there are none
// Label values escape \ -> \\, " -> \", newline -> \n. Values are floatToGoString'ed.
//
// Thread-safety: stateless; safe from any thread.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infermetry::emulator {

// Appends Python's repr(v) (= str(v)): shortest round-trip digits, "123.0" for integral
// values, exponent form ("1e-05", "1e+16") below 1e-4 and from 1e16 on, "inf", "-inf", "nan".
void AppendPythonFloatRepr(std::string* out, double v);

// Appends prometheus_client's floatToGoString(v): "+Inf", "-Inf", "NaN"; otherwise Python's
// repr(float) (shortest round-trip digits, "123.0" for integral values, exponent form below
// 1e-4 and from 1e16 on), except that a positive value whose repr has 7 or more digits before
// the '.' is rewritten in exponent form ("8128902.0" -> "8.128902e+06"; the exponent is always
// written "e+0<n>", so 1e15 gives "1e+015" exactly as the client does).
void AppendFloatToGoString(std::string* out, double v);

// `help` with \ -> \\ and newline -> \n (the text format's HELP escaping).
void AppendEscapedHelp(std::string* out, std::string_view help);
// `value` with \ -> \\, " -> \" and newline -> \n (label value escaping).
void AppendEscapedLabelValue(std::string* out, std::string_view value);

// One child's label set, rendered once and reused by every scrape.
struct RenderedLabels {
  std::string all;        // k1="v1",k2="v2" in sorted name order, no braces; "" if no labels
  std::string before_le;  // the labels that sort before "le", each followed by ','
  std::string after_le;   // the labels that sort after "le", each preceded by ','
};

// Sorts `labels` by name (byte order, as Python's sorted() on str) and renders them.
// REQUIRES: names are valid label names, distinct, and none is "le".
RenderedLabels RenderLabels(std::vector<std::pair<std::string, std::string>> labels);

// "# HELP <name><suffix> <help>\n# TYPE <name><suffix> <type>\n".
void AppendHeader(std::string* out, std::string_view name, std::string_view suffix,
                  std::string_view help, std::string_view type);

// "<name><suffix>{<labels>} <value>\n" ("<name><suffix> <value>\n" when `labels` is empty);
// `labels` is RenderedLabels::all.
void AppendSample(std::string* out, std::string_view name, std::string_view suffix,
                  std::string_view labels, double value);

// "<name>_bucket{<before_le>le="<le>"<after_le>} <value>\n"; `le` is already spelled.
void AppendBucket(std::string* out, std::string_view name, const RenderedLabels& labels,
                  std::string_view le, double value);

// prometheus_client's CONTENT_TYPE_LATEST: "text/plain; version=0.0.4; charset=utf-8" up to
// 0.22, "text/plain; version=1.0.0; charset=utf-8" from 0.23 (`version_1_0_0`).
std::string_view ExpositionContentType(bool version_1_0_0);

}  // namespace infermetry::emulator
