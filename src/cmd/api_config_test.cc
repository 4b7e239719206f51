// The serve config's `auth:` and `query:` sections (cmd/serve_config.h).

#include <gtest/gtest.h>

#include "cmd/serve_config.h"
#include "config/collector_yaml.h"

namespace infermetry::cmd {
namespace {

Result<ApiOptions> Decode(std::string_view yaml) {
  auto doc = config::Document::LoadString(yaml, "serve.yaml");
  if (!doc.ok()) return doc.status();
  auto cfg = config::DecodeCollectorConfig(*doc);
  if (!cfg.ok()) return cfg.status();
  return DecodeApiOptions(*doc, cfg->auth ? &*cfg->auth : nullptr, cfg->query ? &*cfg->query : nullptr);
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
  auto doc = config::Document::LoadString(yaml, "serve.yaml");
  if (!doc.ok()) return doc.status();
  auto cfg = config::DecodeCollectorConfig(*doc);
  if (!cfg.ok()) return cfg.status();
  return DecodeStorageOptions(*doc, cfg->storage ? &*cfg->storage : nullptr);
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

}  // namespace
}  // namespace infermetry::cmd
