#pragma once
// The template language of alert labels and annotations: a subset of Go's text/template with
// the variables and functions Prometheus gives alerting rules.
//
//   KV cache at {{ $value | humanizePercentage }} on {{ $labels.instance }}
//   p99 {{ printf "%.2f" $value }}s
//   {{ if $labels.model_name }}model {{ .Labels.model_name }}{{ else }}all models{{ end }}
//
// Language: text with `{{ ... }}` actions; `{{-` / `-}}` (the dash followed / preceded by a
// space) trim the whitespace (space, tab, CR, LF) next to the action, and `{{/* ... */}}` is a
// comment. An action is a pipeline: commands separated by `|`, the value of each command
// passed as the last argument of the next; an optional leading `$x :=` declares (or `$x =`
// assigns) a variable instead of printing. Operands: `.`, `.Field.chain`, `$var.field`,
// "strings" with Go escapes, `raw strings`, numbers (with `.` or an exponent: float64, else
// int), true, false, `( pipeline )`, and function names. Blocks: if / else if / else / end,
// with / else with / else / end. `range`, `define`, `template`, `block`, `break` and `continue`
// are rejected with a clear error.
//
// Data, as Prometheus gives alert templates: `.Labels` / `$labels` and `.ExternalLabels` /
// `$externalLabels` (string maps), `.Value` / `$value` (float64), `.ExternalURL` /
// `$externalURL` (string), `$` the data itself. A missing map key yields "" (Prometheus runs
// text/template with missingkey=zero, so "<no value>" never appears for a missing label).
// Values print as Go's fmt %v: floats in shortest form (1e+06, 0.95, +Inf, NaN).
//
// Functions (one table in template_funcs.cc): humanize, humanize1024, humanizePercentage,
// humanizeDuration, humanizeTimestamp (numbers or numeric strings, as Prometheus 2.42),
// printf (verbs %v %s %d %f %F %e %E %g %G %t %q %x %X %% with flags, width and precision;
// a verb that does not fit its argument prints Go's "%!d(float64=0.5)"; verbs Go knows but
// this implementation does not are an expansion error), print, println, title, toUpper,
// toLower (ASCII letters only), reReplaceAll and match (RE2 syntax, which is Go's; the
// replacement expands $1, ${1}, $name and $$ as Go does), stripPort, externalURL, pathPrefix,
// index, len, not, and, or, eq, ne, lt, le, gt, ge (Go's rules: an int literal is not
// comparable with a float64, write `gt $value 1.0`). Prometheus's query functions (query,
// first, label, value, sortByLabel, ...) are rejected at parse time as unsupported.
//
// Errors: "template: <line>:<col>: <what>", line 1-based and col the 0-based byte offset in
// that line (as Go reports positions), e.g.
//   template: 1:12: function "humanise" not defined
//   template: 1:3: executing at <humanize $labels.x>: error calling humanize:
//     strconv.ParseFloat: parsing "abc": invalid syntax
// Parse errors come from Parse; type errors that depend on data come from Expand.
//
// Thread-safety: a Template is immutable after Parse; copies share the parsed program and
// may be expanded concurrently.

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/labels.h"

namespace infermetry::alerting {

// What an alert template sees. The pointers may be null (an empty map); they must outlive
// the Expand call.
struct TemplateData {
  const model::Labels* labels = nullptr;
  double value = 0;
  const model::Labels* external_labels = nullptr;
  std::string external_url;
};

class Template {
 public:
  Template();  // the empty template: expands to ""

  // Parses `text` once; expand the result any number of times.
  static Result<Template> Parse(std::string_view text);

  // Expands with `data`. Errors (InvalidArgument) carry the message described above.
  Result<std::string> Expand(const TemplateData& data) const;

  const std::string& text() const;

 private:
  struct Program;  // the parsed nodes and the source text, in template.cc
  explicit Template(std::shared_ptr<const Program> program);
  std::shared_ptr<const Program> program_;
};

// Parses and expands `text`; on any error returns what Prometheus puts in the annotation:
// "<error expanding template: " + message + ">".
std::string ExpandOrError(std::string_view text, const TemplateData& data);

}  // namespace infermetry::alerting
