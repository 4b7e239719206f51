#include "config/scrape_yaml.h"

#include <gtest/gtest.h>

namespace infermetry::config {
namespace {

Result<scrape::ScrapeFileConfig> Decode(const std::string& text) {
  INFERMETRY_ASSIGN_OR_RETURN(Document doc, Document::LoadString(text, "prom.yml"));
  MapReader r(doc, doc.root(), "config");
  scrape::ScrapeFileConfig cfg;
  INFERMETRY_RETURN_IF_ERROR(DecodeScrapeFile(&r, &cfg));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  return cfg;
}

TEST(ScrapeYamlTest, FullJob) {
  auto cfg = Decode(R"(
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: vllm
    scrape_interval: 5s
    metrics_path: /metrics
    params: {format: [prometheus]}
    honor_labels: true
    authorization: {credentials: secret}
    tls_config: {insecure_skip_verify: true}
    static_configs:
      - targets: ['127.0.0.1:8000', '127.0.0.1:8001']
        labels: {cluster: a}
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'python_.*'
        action: drop
      - regex: 'engine'
        action: labeldrop
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->scrape_configs.size(), 1u);
  const auto& sc = cfg->scrape_configs[0];
  EXPECT_EQ(sc.job_name, "vllm");
  EXPECT_EQ(sc.scrape_interval.count(), 5000);
  EXPECT_EQ(sc.scrape_timeout.count(), 5000);  // global 10s capped by the interval
  EXPECT_TRUE(sc.honor_labels);
  EXPECT_EQ(sc.authorization_credentials, "secret");
  EXPECT_TRUE(sc.tls.insecure_skip_verify);
  EXPECT_EQ(sc.static_configs[0].targets.size(), 2u);
  EXPECT_EQ(sc.static_configs[0].labels.at("cluster"), "a");
  EXPECT_EQ(sc.params.at("format")[0], "prometheus");
  ASSERT_EQ(sc.metric_relabel_configs.size(), 2u);
  EXPECT_EQ(sc.metric_relabel_configs[0].action, scrape::RelabelAction::kDrop);
}

TEST(ScrapeYamlTest, ErrorsPointAtTheField) {
  auto bad_action = Decode("scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: explode\n");
  ASSERT_FALSE(bad_action.ok());
  EXPECT_EQ(bad_action.status().message(),
            "prom.yml:4:17: scrape_configs[0].metric_relabel_configs[0]: unknown relabel action \"explode\"");
  auto unknown = Decode("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "prom.yml:3:5: unknown field \"scrape_intervall\" in scrape_configs[0]");
  auto timeout = Decode("scrape_configs:\n  - job_name: a\n    scrape_interval: 1s\n    scrape_timeout: 2s\n");
  ASSERT_FALSE(timeout.ok());
  EXPECT_NE(timeout.status().message().find("prom.yml:4:21"), std::string::npos) << timeout.status().message();
  auto dup = Decode("scrape_configs:\n  - job_name: a\n  - job_name: a\n");
  EXPECT_FALSE(dup.ok());
  auto regex = Decode("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: '('\n        target_label: x\n");
  ASSERT_FALSE(regex.ok());
  EXPECT_NE(regex.status().message().find("invalid regex"), std::string::npos);
  auto url = Decode("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['http://x:1/metrics']}]\n");
  EXPECT_FALSE(url.ok());
}

}  // namespace
}  // namespace infermetry::config
