#include "alerting/template.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace infermetry::alerting {
namespace {

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() {
    labels_ = model::Labels{{"__name__", "vllm:gpu_cache_usage_perc"},
                            {"instance", "vllm-0:8000"},
                            {"job", "vllm"},
                            {"model_name", "llama-3-8b"}};
    ext_ = model::Labels{{"cluster", "eu-1"}};
    data_.labels = &labels_;
    data_.external_labels = &ext_;
    data_.external_url = "http://infermetry.example:9090/infer";
    data_.value = 0.95;
  }

  // The expansion, or "ERROR: <message>".
  std::string X(std::string_view text) { return X(text, data_.value); }
  std::string X(std::string_view text, double value) {
    TemplateData d = data_;
    d.value = value;
    Result<Template> t = Template::Parse(text);
    if (!t.ok()) return "ERROR: " + t.status().message();
    Result<std::string> r = t->Expand(d);
    if (!r.ok()) return "ERROR: " + r.status().message();
    return *r;
  }

  model::Labels labels_, ext_;
  TemplateData data_;
};

TEST_F(TemplateTest, PlainTextAndEmpty) {
  EXPECT_EQ(X(""), "");
  EXPECT_EQ(X("no actions here { } }}"), "no actions here { } }}");
  Template empty;
  EXPECT_EQ(*empty.Expand(data_), "");
}

TEST_F(TemplateTest, Variables) {
  EXPECT_EQ(X("{{ $value }}"), "0.95");
  EXPECT_EQ(X("{{ .Value }}"), "0.95");
  EXPECT_EQ(X("{{ $value }}", 1000000), "1e+06");
  EXPECT_EQ(X("{{ $value }}", 123456), "123456");
  EXPECT_EQ(X("{{ $value }}", std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(X("{{ $value }}", std::nan("")), "NaN");
  EXPECT_EQ(X("{{ $labels.instance }}"), "vllm-0:8000");
  EXPECT_EQ(X("{{ .Labels.model_name }}"), "llama-3-8b");
  EXPECT_EQ(X("{{ $externalLabels.cluster }}"), "eu-1");
  EXPECT_EQ(X("{{ .ExternalLabels.cluster }}"), "eu-1");
  EXPECT_EQ(X("{{ $externalURL }}"), "http://infermetry.example:9090/infer");
  EXPECT_EQ(X("{{ .ExternalURL }}"), "http://infermetry.example:9090/infer");
  EXPECT_EQ(X("{{ $.Labels.job }}"), "vllm");
  EXPECT_EQ(X("{{ $externalLabels }}"), "map[cluster:eu-1]");
  // missingkey=zero, as Prometheus: a missing label is empty, never "<no value>".
  EXPECT_EQ(X("[{{ $labels.missing }}]"), "[]");
  EXPECT_EQ(X("[{{ .Labels.missing }}]"), "[]");
  TemplateData nulls;  // null label maps are empty maps
  EXPECT_EQ(*Template::Parse("[{{ $labels.x }}{{ len .ExternalLabels }}]")->Expand(nulls), "[0]");
}

TEST_F(TemplateTest, Literals) {
  EXPECT_EQ(X("{{ 3 }} {{ -2 }} {{ 1.5 }} {{ 1e3 }} {{ true }} {{ false }}"),
            "3 -2 1.5 1000 true false");
  EXPECT_EQ(X("{{ \"a\\tb\\\"c\\u00e9\" }}"), "a\tb\"c\xc3\xa9");
  EXPECT_EQ(X("{{ `raw \\n }}` }}"), "raw \\n }}");
}

TEST_F(TemplateTest, Humanize) {
  EXPECT_EQ(X("{{ humanize $value }}", 1234567), "1.235M");
  EXPECT_EQ(X("{{ humanize $value }}", 0.0012), "1.2m");
  EXPECT_EQ(X("{{ humanize $value }}", 0), "0");
  EXPECT_EQ(X("{{ humanize $value }}", 999), "999");
  EXPECT_EQ(X("{{ humanize $value }}", 1000), "1k");
  EXPECT_EQ(X("{{ humanize $value }}", -1500), "-1.5k");
  EXPECT_EQ(X("{{ humanize $value }}", 1e-9), "1n");
  EXPECT_EQ(X("{{ humanize $value }}", 2.5e21), "2.5Z");
  EXPECT_EQ(X("{{ humanize $value }}", std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(X("{{ humanize \"1234567\" }}"), "1.235M");  // numeric strings, as Prometheus
  EXPECT_EQ(X("{{ humanize 2048 }}"), "2.048k");
  EXPECT_EQ(X("{{ humanize1024 $value }}", 1048576), "1Mi");
  EXPECT_EQ(X("{{ humanize1024 $value }}", 1536), "1.5ki");
  EXPECT_EQ(X("{{ humanize1024 $value }}", 1), "1");
  EXPECT_EQ(X("{{ humanize1024 $value }}", 0.5), "0.5");
  EXPECT_EQ(X("{{ humanizePercentage $value }}", 0.9123), "91.23%");
  EXPECT_EQ(X("{{ humanizePercentage $value }}", 0.1234567), "12.35%");
  EXPECT_EQ(X("{{ humanizePercentage $value }}", 1), "100%");
}

TEST_F(TemplateTest, HumanizeDuration) {
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 90), "1m 30s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 0.5), "500ms");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 0), "0s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 1.5), "1.5s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 3600), "1h 0m 0s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 90061), "1d 1h 1m 1s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 899.99), "14m 59s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", -90), "-1m 30s");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", 0.000001), "1us");
  EXPECT_EQ(X("{{ humanizeDuration $value }}", std::nan("")), "NaN");
}

TEST_F(TemplateTest, HumanizeTimestamp) {
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", 1795563000), "2026-11-24 23:30:00 +0000 UTC");
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", 0), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", -1), "1969-12-31 23:59:59 +0000 UTC");
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", 1435065584.128),
            "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", 1435065584.5), "2015-06-23 13:19:44.5 +0000 UTC");
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", 951782400), "2000-02-29 00:00:00 +0000 UTC");
  EXPECT_EQ(X("{{ humanizeTimestamp $value }}", std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_NE(X("{{ humanizeTimestamp $value }}", 1e19).find("overflows int64"), std::string::npos);
}

TEST_F(TemplateTest, Printf) {
  EXPECT_EQ(X("{{ printf \"%.2f\" $value }}", 2.345678), "2.35");
  EXPECT_EQ(X("{{ printf \"%d|%s|%v|%g|%%\" 3 \"x\" $value $value }}"), "3|x|0.95|0.95|%");
  EXPECT_EQ(X("{{ printf \"%v %g\" $value $value }}", 1e6), "1e+06 1e+06");
  EXPECT_EQ(X("{{ printf \"%f %.0f %e\" $value $value $value }}", 1234.5678),
            "1234.567800 1235 1.234568e+03");
  EXPECT_EQ(X("{{ printf \"%.3g\" $value }}", 1234.5678), "1.23e+03");
  EXPECT_EQ(X("[{{ printf \"%5.1f|%-4s|%04d|%+d|%3s\" 2.25 \"ab\" 7 5 \"abcd\" }}]"),
            "[  2.2|ab  |0007|+5|abcd]");
  EXPECT_EQ(X("{{ printf \"%.3s %q %x %X %t\" \"abcdef\" \"a\\\"b\" 255 \"hi\" true }}"),
            "abc \"a\\\"b\" ff 6869 true");
  EXPECT_EQ(X("{{ printf \"%f\" $value }}", std::numeric_limits<double>::infinity()), "+Inf");
  // Verbs that do not fit their argument print as Go prints them.
  EXPECT_EQ(X("{{ printf \"%d\" $value }}"), "%!d(float64=0.95)");
  EXPECT_EQ(X("{{ printf \"%s\" 3 }}"), "%!s(int=3)");
  EXPECT_EQ(X("{{ printf \"%z\" 1.0 }}"), "%!z(float64=1)");
  EXPECT_EQ(X("{{ printf \"%s %s\" \"a\" }}"), "a %!s(MISSING)");
  EXPECT_EQ(X("{{ printf \"%s\" \"a\" 1.5 }}"), "a%!(EXTRA float64=1.5)");
  EXPECT_EQ(X("{{ printf \"50%\" }}"), "50%!(NOVERB)");
  EXPECT_EQ(X("{{ printf \"%v\" $labels.job }}"), "vllm");
  // Verbs Go has but this implementation lacks are expansion errors.
  EXPECT_EQ(X("{{ printf \"%b\" 3 }}"),
            "ERROR: template: 1:3: executing at <printf \"%b\" 3>: error calling printf: printf: "
            "verb %b for int is not supported (supported: %v %s %d %f %e %g %t %q %x %%)");
  EXPECT_EQ(X("{{ printf 3 }}"),
            "ERROR: template: 1:3: executing at <printf 3>: error calling printf: wrong type for "
            "value; expected string; got int");
}

TEST_F(TemplateTest, PrintAndStrings) {
  EXPECT_EQ(X("{{ print 1 2 \"a\" 3 }}"), "1 2a3");
  EXPECT_EQ(X("{{ println 1 \"a\" }}"), "1 a\n");
  EXPECT_EQ(X("{{ title \"hello world-foo_bar\" }}"), "Hello World-Foo_bar");
  EXPECT_EQ(X("{{ toUpper $labels.job }} {{ \"MiXeD\" | toLower }}"), "VLLM mixed");
  EXPECT_EQ(X("{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}"), "vllm-0");
  EXPECT_EQ(X("{{ reReplaceAll \"-(\\\\d)\" \"_${1}x$$\" $labels.instance }}"), "vllm_0x$:8000");
  EXPECT_EQ(X("{{ reReplaceAll \"a*\" \"X\" \"baaac\" }}"), "XbXcX");
  EXPECT_EQ(X("{{ reReplaceAll \"(?i)LLAMA\" \"L\" $labels.model_name }}"), "L-3-8b");
  EXPECT_EQ(
      X("{{ reReplaceAll \"(?P<host>[^:]+):(\\\\d+)\" \"${2}@${host}$9$2x\" $labels.instance }}"),
      "8000@vllm-0");
  EXPECT_EQ(X("{{ reReplaceAll \"x\" \"$\" \"axb\" }} {{ reReplaceAll \"\" \"-\" \"ab\" }}"),
            "a$b -a-b-");
  EXPECT_EQ(X("{{ match \"^vllm-\\\\d\" $labels.instance }} {{ match \"^x\" \"y\" }}"),
            "true false");
  EXPECT_EQ(X("{{ match \"(\" \"y\" }}"),
            "ERROR: template: 1:3: executing at <match \"(\" \"y\">: error calling match: error "
            "parsing regexp: missing ): (");
  EXPECT_EQ(X("{{ $labels.instance | stripPort }} {{ stripPort \"[::1]:80\" }} "
              "{{ stripPort \"::1\" }} {{ stripPort \"host\" }}"),
            "vllm-0 ::1 ::1 host");
  EXPECT_EQ(X("{{ externalURL }} {{ pathPrefix }}"), "http://infermetry.example:9090/infer /infer");
}

TEST_F(TemplateTest, Builtins) {
  EXPECT_EQ(X("{{ index $labels \"model_name\" }}"), "llama-3-8b");
  EXPECT_EQ(X("[{{ index $labels \"nope\" }}]"), "[]");
  EXPECT_EQ(X("{{ index \"abc\" 1 }}"), "98");
  EXPECT_EQ(X("{{ len $labels }} {{ len \"abcd\" }}"), "4 4");
  EXPECT_EQ(X("{{ not true }} {{ not \"\" }} {{ and 1 0 2 }} {{ or 0 \"\" \"x\" }}"),
            "false true 0 x");
  EXPECT_EQ(X("{{ eq $labels.job \"vllm\" }} {{ eq 1 2 3 1 }} {{ ne \"a\" \"b\" }}"),
            "true true true");
  EXPECT_EQ(X("{{ lt 1 2 }} {{ le 2 2 }} {{ gt $value 0.9 }} {{ ge \"a\" \"b\" }}"),
            "true true true false");
  EXPECT_EQ(X("{{ and false (humanize \"x\") }} {{ or 1 (humanize \"x\") }}"), "false 1");
  EXPECT_EQ(X("{{ \"\" | and 1 }}|{{ \"y\" | or \"\" }}"), "|y");
  // As Go: an int literal is not comparable with a float64.
  EXPECT_EQ(X("{{ gt $value 1 }}"),
            "ERROR: template: 1:3: executing at <gt $value 1>: error calling gt: incompatible "
            "types for comparison");
  EXPECT_NE(X("{{ len $value }}").find("len of type float64"), std::string::npos);
}

TEST_F(TemplateTest, Pipelines) {
  EXPECT_EQ(X("{{ $value | humanize }}", 1234567), "1.235M");
  EXPECT_EQ(X("{{ $value | humanizePercentage | printf \"KV %s\" }}"), "KV 95%");
  EXPECT_EQ(X("{{ (humanize 2000) }} {{ printf \"%s!\" (humanize 2000) }}"), "2k 2k!");
  EXPECT_EQ(X("{{ (index $labels \"job\") | toUpper }}"), "VLLM");
  EXPECT_EQ(X("{{ printf \"%s\" externalURL }}"), "http://infermetry.example:9090/infer");
  EXPECT_EQ(X("{{$value|humanize}}", 1500), "1.5k");
}

TEST_F(TemplateTest, TrimMarkers) {
  EXPECT_EQ(X("a  \n {{- 1 -}} \n\t b"), "a1b");
  EXPECT_EQ(X("a {{- 1 }} b"), "a1 b");
  EXPECT_EQ(X("a {{ 1 -}} b"), "a 1b");
  EXPECT_EQ(X("a {{-3}} b"), "a -3 b");  // no space after the dash: a number
  EXPECT_EQ(X("a {{- /* comment */ -}} b"), "ab");
  EXPECT_EQ(X("a {{/* c }} */}} b"), "a  b");
  EXPECT_EQ(X("x\n{{- if true }}\n  y\n{{- end }}\n"), "x\n  y\n");
}

TEST_F(TemplateTest, IfElseWith) {
  EXPECT_EQ(X("{{ if $labels.model_name }}m={{ $labels.model_name }}{{ else }}none{{ end }}"),
            "m=llama-3-8b");
  EXPECT_EQ(X("{{ if $labels.nope }}m{{ else }}none{{ end }}"), "none");
  EXPECT_EQ(X("{{ if $value }}t{{ end }}|{{ if .Value }}t{{ else }}f{{ end }}", 0), "|f");
  EXPECT_EQ(X("{{ if \"\" }}t{{ else }}f{{ end }}{{ if 0 }}t{{ else }}f{{ end }}"), "ff");
  const char* chain =
      "{{ if gt $value 0.9 }}high{{ else if gt $value 0.5 }}mid{{ else }}low{{ end }}";
  EXPECT_EQ(X(chain, 0.95), "high");
  EXPECT_EQ(X(chain, 0.6), "mid");
  EXPECT_EQ(X(chain, 0.1), "low");
  EXPECT_EQ(X("{{ with $labels.instance }}on {{ . }}{{ end }}"), "on vllm-0:8000");
  EXPECT_EQ(X("{{ with $labels.nope }}on {{ . }}{{ else }}nowhere{{ end }}"), "nowhere");
  EXPECT_EQ(X("{{ with .Labels }}{{ .job }}{{ end }}"), "vllm");
  EXPECT_EQ(X("{{ if and $labels.job (not $labels.nope) }}{{ if eq $labels.job \"vllm\" }}"
              "both{{ end }}{{ end }}"),
            "both");
}

TEST_F(TemplateTest, DeclaredVariables) {
  EXPECT_EQ(X("{{ $p := humanizePercentage $value }}KV {{ $p }}"), "KV 95%");
  EXPECT_EQ(X("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}"), "2");
  EXPECT_EQ(X("{{ if $j := $labels.job }}{{ $j }}{{ else }}[{{ $j }}]{{ end }}"), "vllm");
  EXPECT_EQ(X("{{ with $m := $labels.nope }}x{{ else }}[{{ $m }}]{{ end }}"), "[]");
  EXPECT_EQ(X("{{ if false }}{{ $t := 1 }}{{ else }}{{ $t }}{{ end }}"),
            "ERROR: template: 1:40: undefined variable \"$t\"");
  EXPECT_EQ(X("{{ if true }}{{ $y := 1 }}{{ $y }}{{ end }}{{ $y }}"),
            "ERROR: template: 1:46: undefined variable \"$y\"");
}

TEST_F(TemplateTest, VllmRuleAnnotations) {
  data_.value = 0.9123;
  EXPECT_EQ(X("KV cache at {{ $value | humanizePercentage }} on {{ $labels.instance }}", 0.9123),
            "KV cache at 91.23% on vllm-0:8000");
  EXPECT_EQ(X("p99 {{ printf \"%.2f\" $value }}s", 2.345678), "p99 2.35s");
  EXPECT_EQ(X("{{ $labels.model_name }} queue: {{ $value }} waiting requests", 12),
            "llama-3-8b queue: 12 waiting requests");
  EXPECT_EQ(X("TTFT p95 {{ $value | humanizeDuration }} for {{ .Labels.model_name }}", 0.35),
            "TTFT p95 350ms for llama-3-8b");
}

TEST_F(TemplateTest, ParseErrorsNamePosition) {
  EXPECT_EQ(X("{{ $value | humanise }}"),
            "ERROR: template: 1:12: function \"humanise\" not defined");
  EXPECT_EQ(X("ok\nx {{ bad }}"), "ERROR: template: 2:5: function \"bad\" not defined");
  EXPECT_EQ(X("{{ range $labels }}{{ . }}{{ end }}"),
            "ERROR: template: 1:3: range is not supported");
  EXPECT_EQ(X("{{ query \"up\" }}"), "ERROR: template: 1:3: function \"query\" is not supported");
  EXPECT_EQ(X("a {{ if 1 }}x"),
            "ERROR: template: 1:5: unexpected EOF: {{if}} has no matching {{end}}");
  EXPECT_EQ(X("x {{ end }}"), "ERROR: template: 1:5: unexpected {{end}}");
  EXPECT_EQ(X("{{ else }}"), "ERROR: template: 1:3: unexpected {{else}}");
  EXPECT_EQ(X("ab {{ $value "), "ERROR: template: 1:5: unclosed action");
  EXPECT_EQ(X("{{ $foo }}"), "ERROR: template: 1:3: undefined variable \"$foo\"");
  EXPECT_EQ(X("{{ humanize 1 2 }}"),
            "ERROR: template: 1:3: wrong number of args for humanize: want 1 got 2");
  EXPECT_EQ(X("{{ 1 | 2 }}"), "ERROR: template: 1:7: can't give argument to non-function 2");
  EXPECT_EQ(X("{{ $value 1 }}"),
            "ERROR: template: 1:3: can't give argument to non-function $value");
  EXPECT_EQ(X("{{ }}"), "ERROR: template: 1:2: missing value for command");
  EXPECT_EQ(X("{{ $value | }}"), "ERROR: template: 1:12: missing value for command");
  EXPECT_EQ(X("{{ \"abc }}"), "ERROR: template: 1:3: unterminated quoted string");
  EXPECT_EQ(X("{{ (humanize 1 }}"), "ERROR: template: 1:15: unclosed left paren");
  EXPECT_EQ(X("{{ if 1 }}{{ else }}{{ else }}{{ end }}"),
            "ERROR: template: 1:23: unexpected {{else}} after {{else}}");
  EXPECT_EQ(X("{{/* x }}"), "ERROR: template: 1:2: unclosed comment");
}

TEST_F(TemplateTest, ExpansionErrors) {
  labels_ = model::Labels{{"instance", "abc"}};
  EXPECT_EQ(X("{{ humanize $labels.instance }}"),
            "ERROR: template: 1:3: executing at <humanize $labels.instance>: error calling "
            "humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax");
  EXPECT_EQ(X("{{ $labels.instance.foo }}"),
            "ERROR: template: 1:3: executing at <$labels.instance.foo>: can't evaluate field "
            "foo in type string");
  EXPECT_EQ(X("x{{ .Foo }}"),
            "ERROR: template: 1:4: executing at <.Foo>: can't evaluate field Foo (the data has "
            "Labels, ExternalLabels, ExternalURL, Value)");
  EXPECT_EQ(X("{{ humanize $labels }}"),
            "ERROR: template: 1:3: executing at <humanize $labels>: error calling humanize: "
            "can't convert map[string]string to float");
}

TEST_F(TemplateTest, ExpandOrErrorAsPrometheus) {
  EXPECT_EQ(ExpandOrError("v={{ $value }}", data_), "v=0.95");
  EXPECT_EQ(ExpandOrError("{{ $value | humanise }}", data_),
            "<error expanding template: template: 1:12: function \"humanise\" not defined>");
  EXPECT_EQ(ExpandOrError("{{ printf \"%b\" 3 }}", data_).rfind("<error expanding template: ", 0),
            0u);
}

TEST_F(TemplateTest, ParseOnceExpandManyAndCopy) {
  Result<Template> t = Template::Parse("{{ $labels.instance }}={{ $value | humanize }}");
  ASSERT_TRUE(t.ok());
  Template copy = *t;
  Template moved = std::move(*t);
  EXPECT_EQ(copy.text(), "{{ $labels.instance }}={{ $value | humanize }}");
  for (double v : {1.0, 1500.0, 2e6}) {
    data_.value = v;
    EXPECT_EQ(*copy.Expand(data_), *moved.Expand(data_));
  }
  data_.value = 2e6;
  EXPECT_EQ(*moved.Expand(data_), "vllm-0:8000=2M");
}

}  // namespace
}  // namespace infermetry::alerting
