#include "process/memory_limiter.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/self_metrics.h"
#include "process/process_test_util.h"

namespace infermetry::process {
namespace {

using namespace std::chrono_literals;
using testing::RecordingConsumer;
using testing::YamlConfig;

constexpr uint64_t kMiB = 1024 * 1024;

Result<MemoryLimiterOptions> Decode(const std::string& yaml, uint64_t total = 8000 * kMiB) {
  YamlConfig y(yaml, "memory_limiter");
  return DecodeMemoryLimiterOptions(y.cfg, total);
}

TEST(MemoryLimiterOptionsTest, Decodes) {
  auto o = Decode("check_interval: 1s\nlimit_mib: 4000\nspike_limit_mib: 800\n");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->check_interval, 1s);
  EXPECT_EQ(o->limit_bytes, 4000 * kMiB);
  EXPECT_EQ(o->spike_bytes, 800 * kMiB);

  auto d = Decode("check_interval: 5s\nlimit_mib: 1000\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->spike_bytes, 200 * kMiB);  // 20% by default

  auto p =
      Decode("check_interval: 1s\nlimit_percentage: 50\nspike_limit_percentage: 10\n", 1000 * kMiB);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->limit_bytes, 500 * kMiB);
  EXPECT_EQ(p->spike_bytes, 100 * kMiB);
}

TEST(MemoryLimiterOptionsTest, Errors) {
  EXPECT_EQ(Decode("limit_mib: 100\n").status().message(),
            "test.yaml:1:1: processors.memory_limiter: check_interval must be greater than zero");
  EXPECT_EQ(Decode("check_interval: 1s\n").status().message(),
            "test.yaml:1:1: processors.memory_limiter: limit_mib or limit_percentage must be "
            "greater than zero");
  EXPECT_EQ(Decode("check_interval: 1s\nlimit_mib: 100\nspike_limit_mib: 100\n").status().message(),
            "test.yaml:3:18: processors.memory_limiter: spike_limit_mib (100) must be smaller than "
            "limit_mib (100)");
  EXPECT_EQ(Decode("check_interval: 1s\nlimit_percentage: 120\n").status().message(),
            "test.yaml:2:19: processors.memory_limiter: limit_percentage must be at most 100");
  EXPECT_EQ(Decode("check_interval: 1s\nlimit_mib: 10\nlimit_percentage: 20\n").status().message(),
            "test.yaml:3:19: processors.memory_limiter: set either limit_mib or limit_percentage, "
            "not both");
}

TEST(MemoryLimiterTest, RefusesAboveTheSoftLimit) {
  std::atomic<uint64_t> usage{100 * kMiB};
  RecordingConsumer next;
  MemoryLimiterOptions o{
      .check_interval = 1h, .limit_bytes = 1000 * kMiB, .spike_bytes = 200 * kMiB};
  MemoryLimiter ml("memory_limiter/t", o, &next, [&] { return usage.load(); });
  ASSERT_TRUE(ml.Start().ok());
  EXPECT_FALSE(ml.refusing());
  EXPECT_TRUE(ml.ConsumeTraces(testing::MakeTraces(1, 1, 3)).ok());
  EXPECT_EQ(next.traces.size(), 1u);

  auto& refused = selfmon::Default()
                      .AddCounter("infermetry_processor_refused_spans_total", "")
                      .With({"memory_limiter/t"});
  const double before = refused.Value();
  usage = 850 * kMiB;  // soft limit is 800 MiB
  ml.CheckNow();
  EXPECT_TRUE(ml.refusing());
  Status st = ml.ConsumeTraces(testing::MakeTraces(1, 1, 3));
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_EQ(st.message(),
            "memory usage 850 MiB is above the soft limit 800 MiB (processor memory_limiter/t); "
            "retry later");
  EXPECT_EQ(refused.Value() - before, 3);
  EXPECT_EQ(ml.ConsumeMetrics(testing::MakeSums({"m"}, 2)).code(), Code::kResourceExhausted);
  EXPECT_EQ(ml.ConsumeLogs(testing::MakeLogs(2)).code(), Code::kResourceExhausted);
  EXPECT_EQ(next.Batches(), 1u);

  usage = 1200 * kMiB;  // above the hard limit: still refused
  ml.CheckNow();
  EXPECT_TRUE(ml.refusing());

  usage = 799 * kMiB;
  ml.CheckNow();
  EXPECT_FALSE(ml.refusing());
  EXPECT_TRUE(ml.ConsumeLogs(testing::MakeLogs(2)).ok());
  ASSERT_TRUE(ml.Shutdown(1s).ok());
}

TEST(MemoryLimiterTest, ChecksEveryInterval) {
  std::atomic<uint64_t> usage{0};
  std::atomic<int> reads{0};
  RecordingConsumer next;
  MemoryLimiterOptions o{.check_interval = 10ms, .limit_bytes = 100, .spike_bytes = 20};
  MemoryLimiter ml("memory_limiter/i", o, &next, [&] {
    ++reads;
    return usage.load();
  });
  ASSERT_TRUE(ml.Start().ok());
  usage = 90;
  for (int i = 0; i < 500 && !ml.refusing(); ++i) std::this_thread::sleep_for(2ms);
  EXPECT_TRUE(ml.refusing());
  EXPECT_GE(reads.load(), 2);
  ASSERT_TRUE(ml.Shutdown(1s).ok());
}

TEST(MemoryLimiterTest, ReadsProcessMemory) {
  EXPECT_GT(ProcessRssBytes(), 0u);
  EXPECT_GT(TotalMemoryBytes(), ProcessRssBytes());
}

}  // namespace
}  // namespace infermetry::process
