#include "alerting/rule_file.h"

#include <gtest/gtest.h>

namespace infermetry::alerting {
namespace {

TEST(RuleFileTest, PrometheusLayoutAndSqlRules) {
  auto groups = ParseRuleFile(R"(groups:
  - name: vllm
    interval: 30s
    limit: 10
    rules:
      - alert: KvHigh
        expr: avg by (instance) (vllm:kv_cache_usage_perc) > 0.9
        for: 5m
        keep_firing_for: 1m
        labels:
          severity: warning
          team: "{{ $labels.instance }}"
        annotations:
          summary: 'KV at {{ $value | humanizePercentage }}'
      - record: instance:vllm_tokens:rate5m
        expr: sum by (instance) (rate(vllm:generation_tokens_total[5m]))
        labels: {source: rules}
  - name: guide
    rules:
      - alert: HighQueueDepth
        sql: |
          SELECT avg(value) FROM vLLMmetrics WHERE name = 'vllm_num_requests_waiting'
            AND p_timestamp >= now() - interval '5 minutes' HAVING avg(value) > 50
)",
                              "rules.yml");
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 2u);
  const GroupSpec& g = (*groups)[0];
  EXPECT_EQ(g.name, "vllm");
  EXPECT_EQ(g.file, "rules.yml");
  EXPECT_EQ(g.interval_ms, 30000);
  EXPECT_EQ(g.limit, 10);
  ASSERT_EQ(g.rules.size(), 2u);
  const RuleSpec& a = g.rules[0];
  EXPECT_TRUE(a.is_alert());
  EXPECT_EQ(a.name(), "KvHigh");
  EXPECT_EQ(a.lang, QueryLanguage::kPromQL);
  EXPECT_EQ(a.for_ms, 300000);
  EXPECT_EQ(a.keep_firing_for_ms, 60000);
  ASSERT_EQ(a.labels.size(), 2u);
  EXPECT_EQ(a.labels[1].value, "{{ $labels.instance }}");  // not an environment variable
  ASSERT_EQ(a.annotations.size(), 1u);
  EXPECT_EQ(a.annotations[0].value, "KV at {{ $value | humanizePercentage }}");
  EXPECT_EQ(a.line, 6);
  const RuleSpec& r = g.rules[1];
  EXPECT_FALSE(r.is_alert());
  EXPECT_EQ(r.name(), "instance:vllm_tokens:rate5m");
  EXPECT_EQ((*groups)[1].interval_ms, 0);
  const RuleSpec& s = (*groups)[1].rules[0];
  EXPECT_EQ(s.lang, QueryLanguage::kSql);
  EXPECT_NE(s.expr.find("HAVING avg(value) > 50"), std::string::npos);
}

TEST(RuleFileTest, EmptyFilesHaveNoGroups) {
  for (const char* text : {"", "groups:\n", "groups: []\n"}) {
    auto g = ParseRuleFile(text, "r.yml");
    ASSERT_TRUE(g.ok()) << text << ": " << g.status().ToString();
    EXPECT_TRUE(g->empty());
  }
}

TEST(RuleFileTest, ErrorsNameFileLineAndWhat) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        fro: 5m\n",
       "r.yml:6:9: groups[0].rules[0]: unknown field \"fro\""},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        record: b\n        expr: up\n",
       "r.yml:4:9: groups[0].rules[0]: only one of alert and record"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n",
       "groups[0].rules[0]: one of expr or sql is required"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(up[5m]\n",
       "r.yml:5:15: groups[0].rules[0].expr: 1:12: parse error"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        sql: SELEC 1\n",
       "r.yml:5:14: groups[0].rules[0].sql: syntax error at or near \"SELEC\""},
      {"groups:\n  - name: g\n    rules:\n      - record: 'a-b'\n        expr: up\n",
       "groups[0].rules[0].record: invalid metric name \"a-b\""},
      {"groups:\n  - name: g\n    rules:\n      - record: ab\n        expr: up\n        for: 1m\n",
       "r.yml:6:14: groups[0].rules[0].for: only for alerting rules"},
      {"groups:\n  - name: g\n    rules: []\n  - name: g\n",
       "r.yml:4:11: groups[1].name: \"g\" is repeated in the same file"},
      {"groups:\n  - name: g\n    interval: 5 minutes\n", "r.yml:3:15: groups[0].interval:"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n"
       "          s: '{{ humanise $value }}'\n",
       "groups[0].rules[0].annotations.s: template: 1:3: function \"humanise\" not defined"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels:\n"
       "          'bad-name': x\n",
       "groups[0].rules[0].labels: invalid label name \"bad-name\""},
      {"groupz: []\n", "r.yml:1:1: rule file: unknown field \"groupz\""},
  };
  for (const Case& c : cases) {
    auto g = ParseRuleFile(c.yaml, "r.yml");
    ASSERT_FALSE(g.ok()) << c.yaml;
    EXPECT_EQ(g.status().code(), Code::kInvalidArgument);
    EXPECT_NE(g.status().message().find(c.want), std::string::npos)
        << "want: " << c.want << "\ngot:  " << g.status().message();
  }
}

TEST(RuleFileTest, LoadFileNamesMissingFile) {
  auto g = LoadRuleFile("/nonexistent/rules.yml");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("/nonexistent/rules.yml"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::alerting
