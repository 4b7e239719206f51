#include "tsdb/block/block.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "common/self_metrics.h"
#include "tsdb/block/block_cache.h"
#include "tsdb/block/block_test_util.h"

namespace infermetry::tsdb {
namespace {

using storage::Matcher;
using testing::Eq;
using testing::M;
using testing::ReadAll;
using testing::TestSeries;

constexpr int64_t kT0 = 1767225600000;

// Two scrape targets x (a 6-bucket histogram, a counter, a fractional gauge, a series that
// goes stale), scraped every 5 s with a few ms of jitter and a shared timestamp per scrape.
std::vector<TestSeries> VllmShaped(int steps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<TestSeries> out;
  const char* les[] = {"0.1", "0.5", "1.0", "2.5", "10.0", "+Inf"};
  for (int target = 0; target < 2; ++target) {
    std::string inst = "vllm-" + std::to_string(target) + ":8000";
    std::vector<int64_t> ts;
    for (int i = 0; i < steps; ++i) ts.push_back(kT0 + i * 5000 + target * 1234 + static_cast<int64_t>(rng() % 4));
    std::vector<TestSeries> buckets;
    for (const char* le : les) {
      buckets.push_back({model::Labels{{"__name__", "vllm:e2e_request_latency_seconds_bucket"},
                                       {"instance", inst}, {"le", le}, {"model_name", "m"}}, {}});
    }
    TestSeries count{model::Labels{{"__name__", "vllm:e2e_request_latency_seconds_count"},
                                   {"instance", inst}, {"model_name", "m"}}, {}};
    TestSeries tokens{model::Labels{{"__name__", "vllm:prompt_tokens_total"}, {"instance", inst},
                                    {"model_name", "m"}}, {}};
    TestSeries kv{model::Labels{{"__name__", "vllm:kv_cache_usage_perc"}, {"instance", inst},
                                {"model_name", "m"}}, {}};
    TestSeries gone{model::Labels{{"__name__", "vllm:num_requests_running"}, {"instance", inst},
                                  {"model_name", "m"}}, {}};
    std::vector<double> cum(6, 0);
    double tok = 0;
    for (int i = 0; i < steps; ++i) {
      double acc = 0;
      for (int b = 0; b < 6; ++b) {
        acc += static_cast<double>(rng() % 20);
        cum[b] += acc;
        buckets[b].samples.push_back({ts[i], cum[b]});
      }
      count.samples.push_back({ts[i], cum[5]});
      tok += static_cast<double>(rng() % 100000);
      tokens.samples.push_back({ts[i], tok});
      kv.samples.push_back({ts[i], static_cast<double>(rng() % 27150) / 27150.0});
      if (i < steps / 2) gone.samples.push_back({ts[i], static_cast<double>(rng() % 50)});
      if (i == steps / 2) gone.samples.push_back({ts[i], model::StaleNaN()});
    }
    for (auto& b : buckets) out.push_back(std::move(b));
    out.push_back(std::move(count));
    out.push_back(std::move(tokens));
    out.push_back(std::move(kv));
    out.push_back(std::move(gone));
  }
  return testing::Sorted(std::move(out));
}

std::vector<TestSeries> RandomSeries(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<TestSeries> out;
  for (int s = 0; s < n; ++s) {
    TestSeries ts{model::Labels{{"__name__", "m" + std::to_string(s % 7)},
                                {"a", std::to_string(s)},
                                {"b", s % 3 == 0 ? "" : "x" + std::to_string(s % 4)}},
                  {}};
    int64_t t = kT0 + static_cast<int64_t>(rng() % 100000);
    int count = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < count; ++i) {
      double v;
      switch (rng() % 6) {
        case 0: v = std::bit_cast<double>(rng()); break;
        case 1: v = model::StaleNaN(); break;
        case 2: v = std::numeric_limits<double>::infinity(); break;
        case 3: v = static_cast<double>(rng() % 1000); break;
        case 4: v = -0.0; break;
        default: v = static_cast<double>(rng() % 100000) / 1000; break;
      }
      ts.samples.push_back({t, v});
      t += 1 + static_cast<int64_t>(rng() % 30000);
    }
    out.push_back(std::move(ts));
  }
  return testing::Sorted(std::move(out));
}

int64_t MaxT(const std::vector<TestSeries>& s) {
  int64_t m = INT64_MIN;
  for (const auto& x : s) m = std::max(m, x.samples.back().t_ms);
  return m;
}

class BlockTest : public ::testing::Test {
 protected:
  std::unique_ptr<Block> WriteAndOpen(const std::vector<TestSeries>& series,
                                      std::vector<storage::MetadataEntry> md = {},
                                      std::shared_ptr<BlockCache> cache = nullptr) {
    auto meta = testing::WriteTestBlock(DefaultEnv(), dir_.path(), series, kT0, MaxT(series), md);
    EXPECT_TRUE(meta.ok()) << meta.status().ToString();
    if (!meta.ok()) return nullptr;
    EXPECT_EQ(meta->num_series, series.size());
    auto b = Block::Open(DefaultEnv(), dir_.path() + "/" + meta->id, std::move(cache));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(*b) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(BlockTest, RandomDataRoundTripsBitExactly) {
  auto series = RandomSeries(300, 11);
  auto b = WriteAndOpen(series);
  ASSERT_NE(b, nullptr);
  uint64_t samples = 0;
  for (const auto& s : series) samples += s.samples.size();
  EXPECT_EQ(b->meta().num_samples, samples);
  auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
  auto got = ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", ".+")});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(testing::SameSeries(*got, series));
}

TEST_F(BlockTest, QueriersShareTheBlockCache) {
  auto series = VllmShaped(720, 5);
  selfmon::Registry r;
  // Small enough that pages are evicted while a querier walks the series.
  auto cache = std::make_shared<BlockCache>(16 * 128 * 1024, &r);
  auto b = WriteAndOpen(series, {}, cache);
  ASSERT_NE(b, nullptr);
  for (int round = 0; round < 3; ++round) {
    auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
    auto got = ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", ".+")});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(testing::SameSeries(*got, series)) << round;
    // One series by its own matcher, read through pages the full walk left in the cache.
    const model::Labels& want = series[7].labels;
    std::vector<TestSeries> expected;
    for (const auto& s : series) {
      if (s.labels.MetricName() == want.MetricName() &&
          s.labels.Get("instance") == want.Get("instance")) {
        expected.push_back(s);
      }
    }
    auto one = ReadAll(q.get(), {Eq("__name__", std::string(want.MetricName())),
                                 Eq("instance", std::string(want.Get("instance")))});
    ASSERT_TRUE(one.ok());
    EXPECT_TRUE(testing::SameSeries(*one, expected)) << round;
  }
  EXPECT_LE(cache->bytes(), cache->capacity_bytes());
  std::string m;
  r.WriteText(&m);
  EXPECT_EQ(m.find("infermetry_tsdb_block_cache_requests_total{kind=\"page\",result=\"hit\"} 0"),
            std::string::npos) << m;
}

TEST_F(BlockTest, VllmShapedRoundTripAndCompresses) {
  auto series = VllmShaped(720, 5);
  auto b = WriteAndOpen(series);
  ASSERT_NE(b, nullptr);
  auto q = b->NewQuerier(kT0, MaxT(series));
  auto got = ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", "vllm:.*")});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(testing::SameSeries(*got, series));
  // The staleness marker comes back as the marker.
  auto gone = ReadAll(q.get(), {Eq("__name__", "vllm:num_requests_running"), Eq("instance", "vllm-0:8000")});
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->size(), 1u);
  EXPECT_TRUE(model::IsStaleNaN((*gone)[0].samples.back().v));
  // Far below 16 bytes per raw sample even at this small size (two fractional gauges cost ~8 B).
  EXPECT_LT(static_cast<double>(b->meta().size_bytes) / static_cast<double>(b->meta().num_samples), 2.0);
}

TEST_F(BlockTest, TimeRangeClipsSamplesAndDropsSeriesWithout) {
  auto series = VllmShaped(100, 9);
  auto b = WriteAndOpen(series);
  ASSERT_NE(b, nullptr);
  const int64_t lo = kT0 + 20 * 5000, hi = kT0 + 30 * 5000;
  auto q = b->NewQuerier(lo, hi);
  auto got = ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", ".+")});
  ASSERT_TRUE(got.ok());
  std::vector<TestSeries> want;
  for (const auto& s : series) {
    TestSeries w{s.labels, {}};
    for (const auto& x : s.samples) {
      if (x.t_ms >= lo && x.t_ms <= hi) w.samples.push_back(x);
    }
    if (!w.samples.empty()) want.push_back(w);
  }
  EXPECT_TRUE(testing::SameSeries(*got, want));
  // The series that went stale at step 50 has nothing in [60, 70].
  auto q2 = b->NewQuerier(kT0 + 60 * 5000, kT0 + 70 * 5000);
  auto none = ReadAll(q2.get(), {Eq("__name__", "vllm:num_requests_running")});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // Select hints narrow the querier's range further.
  auto narrow = ReadAll(q.get(), {Eq("__name__", "vllm:kv_cache_usage_perc")}, lo, lo + 10000);
  ASSERT_TRUE(narrow.ok());
  ASSERT_EQ(narrow->size(), 2u);
  EXPECT_LE((*narrow)[0].samples.size(), 3u);
}

TEST_F(BlockTest, Matchers) {
  auto series = RandomSeries(60, 3);
  auto b = WriteAndOpen(series);
  ASSERT_NE(b, nullptr);
  auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
  auto expect_match = [&](std::vector<Matcher> ms) -> size_t {
    std::vector<TestSeries> want;
    for (const auto& s : series) {
      bool ok = true;
      for (const auto& m : ms) ok &= m.Matches(s.labels.Get(m.name()));
      if (ok) want.push_back(s);
    }
    auto got = ReadAll(q.get(), ms);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return SIZE_MAX;
    EXPECT_TRUE(testing::SameSeries(*got, want)) << ms[0].ToString() << " got " << got->size()
                                                 << " want " << want.size();
    return want.size();
  };
  EXPECT_EQ(expect_match({Eq("__name__", "m1")}), 9u);
  EXPECT_GT(expect_match({Eq("__name__", "m1"), M(Matcher::Op::kNeq, "b", "x1")}), 0u);
  EXPECT_GT(expect_match({M(Matcher::Op::kRe, "a", "1.*"), M(Matcher::Op::kNre, "__name__", "m[23]")}), 0u);
  EXPECT_GT(expect_match({M(Matcher::Op::kRe, "__name__", "m.*"), Eq("b", "")}), 0u);  // absent b
  EXPECT_GT(expect_match({M(Matcher::Op::kRe, "__name__", "m.*"), M(Matcher::Op::kNeq, "b", "")}), 0u);
  EXPECT_GT(expect_match({M(Matcher::Op::kRe, "__name__", "m.*"), M(Matcher::Op::kRe, "b", "x2|")}), 0u);
  EXPECT_EQ(expect_match({Eq("__name__", "nope")}), 0u);
  EXPECT_EQ(expect_match({Eq("nolabel", "x")}), 0u);
  // Only matchers that match the empty string: rejected.
  auto set = q->Select({INT64_MIN, INT64_MAX}, std::vector<Matcher>{Eq("b", "")});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status().code(), Code::kInvalidArgument);
}

TEST_F(BlockTest, LabelValuesNamesAndMetadata) {
  auto series = VllmShaped(40, 2);
  storage::Metadata md;
  md.family = "vllm:e2e_request_latency_seconds";
  md.type = model::MetricType::kHistogram;
  md.help = "Histogram of e2e request latency in seconds.";
  storage::Metadata md2{"vllm:kv_cache_usage_perc", model::MetricType::kGauge, "KV-cache usage.", ""};
  auto b = WriteAndOpen(series, {{md.family, md}, {md2.family, md2}});
  ASSERT_NE(b, nullptr);
  auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
  auto insts = q->LabelValues("instance", {});
  ASSERT_TRUE(insts.ok());
  EXPECT_EQ(*insts, (std::vector<std::string>{"vllm-0:8000", "vllm-1:8000"}));
  std::vector<Matcher> ms = {Eq("__name__", "vllm:e2e_request_latency_seconds_bucket")};
  auto les = q->LabelValues("le", ms);
  ASSERT_TRUE(les.ok());
  EXPECT_EQ(*les, (std::vector<std::string>{"+Inf", "0.1", "0.5", "1.0", "10.0", "2.5"}));
  auto none = q->LabelValues("le", std::vector<Matcher>{Eq("__name__", "vllm:prompt_tokens_total")});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto names = q->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "instance", "le", "model_name"}));
  auto names2 = q->LabelNames(std::vector<Matcher>{Eq("__name__", "vllm:prompt_tokens_total")});
  ASSERT_TRUE(names2.ok());
  EXPECT_EQ(*names2, (std::vector<std::string>{"__name__", "instance", "model_name"}));
  auto all = q->Metadata("");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].metric, "vllm:e2e_request_latency_seconds");
  EXPECT_EQ(all[0].metadata.type, model::MetricType::kHistogram);
  EXPECT_EQ(all[0].metadata.help, md.help);
  auto one = q->Metadata("vllm:kv_cache_usage_perc");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].metadata.type, model::MetricType::kGauge);
  // A querier over a range with no samples sees no values.
  auto q2 = b->NewQuerier(0, 1000);
  auto empty = q2->LabelValues("instance", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(BlockTest, SeekMovesForwardOnly) {
  std::vector<TestSeries> series = {{model::Labels{{"__name__", "x"}}, {}}};
  for (int i = 0; i < 100; ++i) series[0].samples.push_back({kT0 + i * 10, static_cast<double>(i)});
  auto b = WriteAndOpen(series);
  ASSERT_NE(b, nullptr);
  auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select({INT64_MIN, INT64_MAX}, std::vector<Matcher>{Eq("__name__", "x")});
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  ASSERT_TRUE(it->Seek(kT0 + 255));
  EXPECT_EQ(it->t(), kT0 + 260);
  ASSERT_TRUE(it->Seek(kT0 + 100));  // backwards: stays
  EXPECT_EQ(it->t(), kT0 + 260);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->v(), 27);
  EXPECT_FALSE(it->Seek(kT0 + 10000));
  EXPECT_FALSE(it->Next());
}

TEST_F(BlockTest, WriterRejectsDisorderAndWritesNothingWhenEmpty) {
  auto w = BlockWriter::Create(DefaultEnv(), dir_.path(), {0, 1000});
  ASSERT_TRUE(w.ok());
  std::vector<model::Sample> s = {{1, 1}, {2, 2}};
  ASSERT_TRUE((*w)->AddSeries(model::Labels{{"__name__", "b"}}, s).ok());
  EXPECT_EQ((*w)->AddSeries(model::Labels{{"__name__", "a"}}, s).code(), Code::kInvalidArgument);
  std::vector<model::Sample> bad = {{2, 1}, {2, 2}};
  EXPECT_EQ((*w)->AddSeries(model::Labels{{"__name__", "c"}}, bad).code(), Code::kInvalidArgument);
  std::vector<model::Sample> outside = {{5000, 1}};
  EXPECT_EQ((*w)->AddSeries(model::Labels{{"__name__", "d"}}, outside).code(), Code::kInvalidArgument);
  // Until Finish, only the temporary directory exists.
  auto dirs = DefaultEnv()->ListDirs(dir_.path());
  ASSERT_TRUE(dirs.ok());
  ASSERT_EQ(dirs->size(), 1u);
  EXPECT_NE((*dirs)[0].find(".tmp"), std::string::npos);

  auto w2 = BlockWriter::Create(DefaultEnv(), dir_.path(), {0, 1000});
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE((*w2)->AddSeries(model::Labels{{"__name__", "a"}}, {}).ok());
  auto meta = (*w2)->Finish();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->num_series, 0u);
  EXPECT_TRUE(meta->id.empty());
}

TEST_F(BlockTest, FinishRenamesIntoPlaceWithDistinctSortedIds) {
  std::vector<TestSeries> series = {{model::Labels{{"__name__", "x"}}, {{kT0, 1}}}};
  auto m1 = testing::WriteTestBlock(DefaultEnv(), dir_.path(), series, kT0, kT0);
  auto m2 = testing::WriteTestBlock(DefaultEnv(), dir_.path(), series, kT0, kT0);
  ASSERT_TRUE(m1.ok() && m2.ok());
  EXPECT_LT(m1->id, m2->id);
  EXPECT_EQ(m1->id.size(), 26u);
  auto dirs = DefaultEnv()->ListDirs(dir_.path());
  ASSERT_TRUE(dirs.ok());
  std::sort(dirs->begin(), dirs->end());
  EXPECT_EQ(*dirs, (std::vector<std::string>{m1->id, m2->id}));
  auto files = DefaultEnv()->List(dir_.path() + "/" + m1->id);
  ASSERT_TRUE(files.ok());
  std::sort(files->begin(), files->end());
  EXPECT_EQ(*files, (std::vector<std::string>{"data", "index", "meta"}));
  auto b = Block::Open(DefaultEnv(), dir_.path() + "/" + m1->id);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->meta().size_bytes, m1->size_bytes);
  EXPECT_EQ((*b)->meta().level, 1u);
}

}  // namespace
}  // namespace infermetry::tsdb
