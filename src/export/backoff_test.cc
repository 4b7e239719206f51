#include "export/backoff.h"

#include <gtest/gtest.h>

namespace infermetry::exporter {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, JitteredExponentialCappedAtMaxInterval) {
  RetryOptions o;  // 5s initial, factor 0.5, multiplier 1.5, max 30s
  Backoff b(o, 42);
  double interval = 5000;
  for (int i = 0; i < 12; ++i) {
    auto w = b.Next().count();
    EXPECT_GE(w, static_cast<int64_t>(interval * 0.5) - 1) << i;
    EXPECT_LE(w, static_cast<int64_t>(interval * 1.5) + 1) << i;
    interval = std::min(interval * 1.5, 30000.0);
  }
  RetryOptions exact;
  exact.randomization_factor = 0;
  exact.initial_interval = 100ms;
  exact.multiplier = 2;
  exact.max_interval = 300ms;
  Backoff e(exact, 1);
  EXPECT_EQ(e.Next(), 100ms);
  EXPECT_EQ(e.Next(), 200ms);
  EXPECT_EQ(e.Next(), 300ms);
  EXPECT_EQ(e.Next(), 300ms);
}

TEST(BackoffTest, RetryAfter) {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), 120000ms);
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), 0ms);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000ms);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0ms);
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
}

}  // namespace
}  // namespace infermetry::exporter
