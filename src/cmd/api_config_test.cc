// The serve config's `auth:`, `query:`, `storage:`, `alerting:` and `ui:` sections (cmd/serve_config.h).

#include <gtest/gtest.h>

#include <utility>

#include "cmd/alerting_config.h"
#include "cmd/serve_config.h"
#include "config/collector_yaml.h"

namespace infermetry::cmd {
namespace {

// Reads `yaml` as a serve config (named `file` in messages) and decodes one of its sections with
// `decode(doc, sections)`.
template <typename Decode>
auto DecodeSection(std::string_view yaml, Decode decode, std::string_view file = "serve.yaml")
    -> decltype(decode(std::declval<const config::Document&>(), std::declval<const config::CollectorConfig&>())) {
  auto doc = config::Document::LoadString(yaml, std::string(file));
  if (!doc.ok()) return doc.status();
  auto cfg = config::DecodeCollectorConfig(*doc);
  if (!cfg.ok()) return cfg.status();
  return decode(*doc, *cfg);
}

Result<ApiOptions> Decode(std::string_view yaml) {
  return DecodeSection(yaml, [](const config::Document& doc, const config::CollectorConfig& cfg) {
    return DecodeApiOptions(doc, cfg.auth ? &*cfg.auth : nullptr, cfg.query ? &*cfg.query : nullptr);
  });
}

constexpr std::string_view kPipelines = R"(
receivers:
  otlp:
exporters:
  store:
service:
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [store]
)";

TEST(ApiConfig, DefaultsWithoutSections) {
  auto o = Decode(kPipelines);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->users.size(), 1u);
  EXPECT_EQ(o->users[0].username, "admin");
  EXPECT_EQ(o->users[0].password, "admin");
  EXPECT_EQ(o->query_timeout, std::chrono::seconds(30));
  EXPECT_EQ(o->query_memory_limit, uint64_t{1} << 30);
}

TEST(ApiConfig, UsersAndLimits) {
  auto o = Decode(std::string(kPipelines) + R"(
auth:
  users:
    - username: alice
      password: one
    - username: bob
      password: two
query:
  timeout: 5s
  memory_limit: 256MiB
)");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->users.size(), 2u);
  EXPECT_EQ(o->users[1].username, "bob");
  EXPECT_EQ(o->users[1].password, "two");
  EXPECT_EQ(o->query_timeout, std::chrono::seconds(5));
  EXPECT_EQ(o->query_memory_limit, uint64_t{256} << 20);
}

TEST(ApiConfig, ErrorsNameFileAndLine) {
  struct Case {
    std::string yaml;
    std::string want;
  } cases[] = {
      {"auth:\n  users: []\n", "serve.yaml:12:10: auth.users: want a list"},
      {"auth:\n  users:\n    - username: a\n", "serve.yaml:13:7: auth.users[0].password: must not be empty"},
      {"auth:\n  users:\n    - username: a:b\n      password: x\n", "auth.users[0].username: want a non-empty name without ':'"},
      {"auth:\n  users:\n    - {username: a, password: x}\n    - {username: a, password: y}\n",
       "serve.yaml:14:7: auth.users[1].username: \"a\" is listed twice"},
      {"auth:\n  users:\n    - {username: a, password: x, role: admin}\n", "role"},
      {"auth:\n  user: []\n", "user"},
      {"query:\n  timeout: soon\n", "serve.yaml:12:12: query.timeout"},
      {"query:\n  memory_limit: lots\n", "query.memory_limit: \"lots\" is not a size"},
  };
  for (const Case& c : cases) {
    auto o = Decode(std::string(kPipelines) + c.yaml);
    ASSERT_FALSE(o.ok()) << c.yaml;
    EXPECT_NE(o.status().message().find(c.want), std::string::npos) << c.yaml << " -> " << o.status().message();
  }
}

Result<StorageOptions> DecodeStorage(std::string_view yaml) {
  return DecodeSection(
      yaml, [](const config::Document& doc, const config::CollectorConfig& cfg) { return DecodeStorageOptions(doc, cfg.storage ? &*cfg.storage : nullptr); });
}

TEST(StorageConfig, SizesAndTheirErrors) {
  auto d = DecodeStorage(kPipelines);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->block_cache_size, uint64_t{256} << 20);
  EXPECT_EQ(d->retention_size, 0u);
  auto o = DecodeStorage(std::string(kPipelines) + R"(
storage:
  path: /tmp/x
  retention_size: 50GB
  block_cache_size: 64MB
)");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->retention_size, uint64_t{50} << 30);
  EXPECT_EQ(o->block_cache_size, uint64_t{64} << 20);
  auto bad = DecodeStorage(std::string(kPipelines) + R"(
storage:
  block_cache_size: lots
)");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("serve.yaml:13:21"), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("storage.block_cache_size"), std::string::npos);
}

Result<AlertingOptions> DecodeAlerting(std::string_view yaml) {
  return DecodeSection(
      yaml, [](const config::Document& doc, const config::CollectorConfig& cfg) { return DecodeAlertingOptions(doc, cfg.alerting ? &*cfg.alerting : nullptr); }, "/etc/infermetry/serve.yaml");
}

TEST(AlertingConfig, DefaultsThresholdsAndErrors) {
  auto d = DecodeAlerting(kPipelines);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->vllm_rules);
  EXPECT_EQ(d->evaluation_interval, std::chrono::seconds(15));
  EXPECT_EQ(d->resend_delay, std::chrono::minutes(1));
  auto groups = LoadAlertingGroups(*d);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].name, "vllm");

  auto o = DecodeAlerting(std::string(kPipelines) + R"(
alerting:
  evaluation_interval: 30s
  resend_delay: 2m
  vllm_rules: {kv_cache_usage: 0.8, saturation_for: 10m}
  rule_files: [rules/team.yml, /abs/other.yml]
  alertmanagers: [http://127.0.0.1:9093]
  webhooks: [http://127.0.0.1:8080/hook]
  external_url: http://im:9400
  external_labels: {cluster: prod}
)");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(o->vllm_rules);
  EXPECT_EQ(o->vllm.kv_cache_usage, 0.8);
  EXPECT_EQ(o->vllm.saturation_for, "10m");
  EXPECT_EQ(o->vllm.queue_waiting, 50);
  EXPECT_EQ(o->rule_files, (std::vector<std::string>{"/etc/infermetry/rules/team.yml", "/abs/other.yml"}));
  EXPECT_EQ(o->alertmanagers.size(), 1u);
  EXPECT_EQ(o->external_labels.at("cluster"), "prod");
  auto missing = LoadAlertingGroups(*o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/etc/infermetry/rules/team.yml"), std::string::npos);

  auto off = DecodeAlerting(std::string(kPipelines) + "alerting:\n  vllm_rules: false\n");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->vllm_rules);
  EXPECT_TRUE(LoadAlertingGroups(*off)->empty());

  struct Case {
    const char* yaml;
    const char* want;
  } bad[] = {
      {"alerting:\n  vllm_rules: maybe\n", "alerting.vllm_rules: want true, false or a mapping"},
      {"alerting:\n  vllm_rules: {saturation_for: soon}\n", "alerting.vllm_rules.saturation_for:"},
      {"alerting:\n  vllm_rules: {kv_cache: 0.8}\n", "kv_cache"},
      {"alerting:\n  evaluation_interval: 0s\n", "alerting.evaluation_interval: must be positive"},
      {"alerting:\n  alertmanager: [x]\n", "alertmanager"},
  };
  for (const Case& c : bad) {
    auto r = DecodeAlerting(std::string(kPipelines) + c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("/etc/infermetry/serve.yaml:1"), std::string::npos) << r.status().message();
  }
}

Result<web::WebUiOptions> DecodeUi(std::string_view yaml) {
  return DecodeSection(
      yaml, [](const config::Document& doc, const config::CollectorConfig& cfg) { return DecodeUiOptions(doc, cfg.ui ? &*cfg.ui : nullptr); });
}

TEST(UiConfig, GpuRatesAndTheirErrors) {
  auto d = DecodeUi(kPipelines);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->gpu_hourly_cost, 2.21);
  EXPECT_TRUE(d->gpu_hourly_cost_by_model.empty());

  auto o = DecodeUi(std::string(kPipelines) + R"(
ui:
  gpu_hourly_cost: 1.5
  gpu_hourly_cost_by_model:
    meta-llama/Meta-Llama-3-8B-Instruct: 4.1
    facebook/opt-125m: 0.35
)");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->gpu_hourly_cost, 1.5);
  EXPECT_EQ(o->gpu_hourly_cost_by_model.at("meta-llama/Meta-Llama-3-8B-Instruct"), 4.1);
  EXPECT_EQ(o->gpu_hourly_cost_by_model.at("facebook/opt-125m"), 0.35);

  auto negative = DecodeUi(std::string(kPipelines) + "ui:\n  gpu_hourly_cost: -1\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("serve.yaml:12:20: ui.gpu_hourly_cost"), std::string::npos)
      << negative.status().ToString();
  auto word = DecodeUi(std::string(kPipelines) + "ui:\n  gpu_hourly_cost_by_model:\n    m: cheap\n");
  ASSERT_FALSE(word.ok());
  EXPECT_NE(word.status().message().find("ui.gpu_hourly_cost_by_model[m]"), std::string::npos)
      << word.status().ToString();
  auto unknown = DecodeUi(std::string(kPipelines) + "ui:\n  theme: dark\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("theme"), std::string::npos) << unknown.status().ToString();
}

}  // namespace
}  // namespace infermetry::cmd
