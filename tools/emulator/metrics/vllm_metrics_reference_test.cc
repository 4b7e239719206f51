// Family-level comparison of the emulated /metrics with the reference table
// test/data/vllm/metrics-reference.tsv (facts from the vLLM reference notes) and with the
// reference example expositions: names, types, HELP texts, label names and bucket bounds,
// both ways (nothing missing, nothing extra).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "emulator/metrics/vllm_metrics.h"
#include "emulator/metrics/vllm_metrics_test_util.h"

namespace infermetry::emulator {
namespace {

using testing::FamilyView;
using testing::ParsedExposition;
using testing::ReferenceRow;

struct Case {
  const char* tag;  // the table's layout token
  MetricsLayout layout;
  bool multiprocess;
  bool optional_families;  // enable spec decode, NaN check, kv-block metrics and LoRA
};

// The families the table promises for `c` at `max_model_len`, by name.
std::map<std::string, FamilyView> Expected(const std::vector<ReferenceRow>& rows, const Case& c,
                                           int max_model_len) {
  std::map<std::string, FamilyView> out;
  const bool single_process = !c.multiprocess;
  for (const ReferenceRow& r : rows) {
    if (!r.InLayout(c.tag)) continue;
    if (r.max_model_len != "*" && r.max_model_len != std::to_string(max_model_len)) continue;
    if (r.condition == "never") continue;
    if (r.condition != "always" && !c.optional_families) continue;
    FamilyView f;
    f.name = r.name;
    f.type = r.type;
    f.help = r.help;
    std::stringstream labels(r.labels), buckets(r.buckets);
    for (std::string t; std::getline(labels, t, ',');) f.labels.push_back(t);
    for (std::string t; std::getline(buckets, t, ',');) f.buckets.push_back(t);
    out[f.name] = f;
    const bool collector = r.name.rfind("python_", 0) == 0 || r.name.rfind("process_", 0) == 0;
    if (single_process && !collector && r.type != "gauge") {
      FamilyView created;
      std::string base = r.name;
      if (r.type == "counter") base = base.substr(0, base.size() - 6);  // _total
      created.name = base + "_created";
      created.type = "gauge";
      created.help = r.help;
      for (const std::string& l : f.labels) {
        if (l != "le") created.labels.push_back(l);
      }
      out[created.name] = created;
    }
  }
  return out;
}

void ExpectSameFamily(const FamilyView& want, const FamilyView& got, bool check_labels = true) {
  SCOPED_TRACE(want.name);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.help, want.help);
  if (check_labels && !(want.labels.size() == 1 && want.labels[0] == "*")) {
    EXPECT_EQ(testing::Join(got.labels), testing::Join(want.labels));
  }
  EXPECT_EQ(testing::Join(got.buckets), testing::Join(want.buckets));
}

class ReferenceTableTest : public ::testing::TestWithParam<int> {};

TEST_P(ReferenceTableTest, EveryLayoutMatchesTheTableBothWays) {
  std::optional<std::string> dir = testing::TestDataDir();
  ASSERT_TRUE(dir.has_value()) << "INFERMETRY_TESTDATA is not set";
  std::vector<ReferenceRow> rows = testing::LoadReference(*dir + "/vllm/metrics-reference.tsv");
  ASSERT_GT(rows.size(), 90u);
  const int max_model_len = GetParam();
  const Case cases[] = {
      {"current", MetricsLayout::kCurrent, false, false},
      {"current", MetricsLayout::kCurrent, false, true},
      {"legacy", MetricsLayout::kLegacyV1Names, false, false},
      {"legacy", MetricsLayout::kLegacyV1Names, false, true},
      {"current-mp", MetricsLayout::kCurrent, true, false},
      {"current-mp", MetricsLayout::kCurrent, true, true},
      {"v0", MetricsLayout::kV0Multiprocess, true, false},
      {"v0", MetricsLayout::kV0Multiprocess, true, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.tag) + (c.optional_families ? " +optional" : ""));
    VllmMetricsOptions o = testing::Options(c.layout, 2, max_model_len);
    o.multiprocess = c.multiprocess;
    if (c.optional_families) {
      o.num_speculative_tokens = 3;
      o.compute_nans_in_logits = true;
      o.kv_cache_metrics = true;
      o.max_loras = 2;
    }
    VllmMetrics m(o);
    testing::FeedTraffic(&m, 2);
    ParsedExposition got = testing::ParseExposition(m.Render(1795458900.0));
    EXPECT_TRUE(got.errors.empty()) << testing::Join(got.errors);

    std::map<std::string, FamilyView> want = Expected(rows, c, max_model_len);
    for (const auto& [name, w] : want) {
      const FamilyView* g = got.Find(name);
      if (g == nullptr) {
        ADD_FAILURE() << "missing family " << name;
        continue;
      }
      ExpectSameFamily(w, *g);
    }
    for (const FamilyView& g : got.families) {
      EXPECT_TRUE(want.count(g.name)) << "family not in the table: " << g.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MaxModelLen, ReferenceTableTest, ::testing::Values(40960, 2048));

// The reference examples live beside the vLLM notes: $INFERMETRY_SHARED/reference, or
// ../shared/reference next to the source tree.
std::optional<std::string> ExampleFile(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* shared = std::getenv("INFERMETRY_SHARED")) {
    dirs.push_back(std::string(shared) + "/reference");
  }
  if (std::optional<std::string> data = testing::TestDataDir()) {
    dirs.push_back(*data + "/../../../shared/reference");  // <src>/test/data -> <src>/..
  }
  for (const std::string& d : dirs) {
    std::string path = d + "/" + name;
    if (std::filesystem::exists(path)) return path;
  }
  return std::nullopt;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReferenceExampleTest, SingleProcessFamiliesMatchTheExampleInOrder) {
  std::optional<std::string> path = ExampleFile("vllm-metrics-example.txt");
  if (!path) GTEST_SKIP() << "vllm-metrics-example.txt not found";
  ParsedExposition want = testing::ParseExposition(ReadFile(*path));
  ASSERT_TRUE(want.errors.empty()) << testing::Join(want.errors);
  ASSERT_GT(want.families.size(), 50u);

  VllmMetrics m(testing::Options(MetricsLayout::kCurrent, 1, 40960));
  testing::FeedTraffic(&m, 1);
  ParsedExposition got = testing::ParseExposition(m.Render(1795458900.0));
  ASSERT_TRUE(got.errors.empty()) << testing::Join(got.errors);

  std::vector<std::string> want_order, got_order;
  for (const FamilyView& f : want.families) want_order.push_back(f.name);
  for (const FamilyView& f : got.families) got_order.push_back(f.name);
  EXPECT_EQ(testing::Join(got_order), testing::Join(want_order));

  for (const FamilyView& w : want.families) {
    const FamilyView* g = got.Find(w.name);
    if (g == nullptr) continue;  // reported by the order comparison
    FamilyView expected = w;
    // The example was generated with prometheus_client 0.16, whose GC collector says
    // "object"; the releases vLLM pins (0.22, 0.24) say "objects".
    if (w.name == "python_gc_objects_uncollectable_total") {
      EXPECT_EQ(w.help, "Uncollectable object found during GC");
      expected.help = "Uncollectable objects found during GC";
    }
    // The example abbreviates CacheConfig's attributes.
    ExpectSameFamily(expected, *g, /*check_labels=*/w.name != "vllm:cache_config_info");
  }
}

TEST(ReferenceExampleTest, MultiprocessFamiliesMatchTheExample) {
  std::optional<std::string> path = ExampleFile("vllm-metrics-example-multiprocess.txt");
  if (!path) GTEST_SKIP() << "vllm-metrics-example-multiprocess.txt not found";
  std::string text = ReadFile(*path);
  ParsedExposition want = testing::ParseExposition(text);
  ASSERT_TRUE(want.errors.empty()) << testing::Join(want.errors);
  ASSERT_GE(want.families.size(), 4u);

  VllmMetricsOptions o = testing::Options(MetricsLayout::kCurrent, 2, 40960);
  o.multiprocess = true;
  VllmMetrics m(o);
  testing::FeedTraffic(&m, 2);
  std::string body = m.Render(1795458900.0);
  ParsedExposition got = testing::ParseExposition(body);
  ASSERT_TRUE(got.errors.empty()) << testing::Join(got.errors);

  // The example is a subset: every family it has, with the same metadata and in the same
  // relative order.
  size_t last = 0;
  for (const FamilyView& w : want.families) {
    size_t at = got.families.size();
    for (size_t i = 0; i < got.families.size(); ++i) {
      if (got.families[i].name == w.name) at = i;
    }
    ASSERT_LT(at, got.families.size()) << "missing family " << w.name;
    EXPECT_GE(at, last) << w.name << " out of order";
    last = at;
    ExpectSameFamily(w, got.families[at]);
  }
  // Histogram layout as in the example: every series' _sum before any bucket.
  size_t sum1 = body.find("vllm:e2e_request_latency_seconds_sum{engine=\"1\"");
  size_t bucket0 = body.find("vllm:e2e_request_latency_seconds_bucket{engine=\"0\"");
  ASSERT_NE(sum1, std::string::npos);
  ASSERT_NE(bucket0, std::string::npos);
  EXPECT_LT(sum1, bucket0);
  EXPECT_EQ(text.find("_created"), std::string::npos);
  EXPECT_EQ(body.find("_created"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::emulator
