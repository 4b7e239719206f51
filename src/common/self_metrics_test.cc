#include "common/self_metrics.h"

#include <gtest/gtest.h>

namespace infermetry::selfmon {
namespace {

TEST(SelfMetricsTest, WritesPrometheusText) {
  Registry r;
  auto& c = r.AddCounter("x_requests_total", "Requests by code.", {"route", "code"});
  c.With({"/metrics", "200"}).Inc();
  c.With({"/metrics", "200"}).Inc(2);
  r.AddGauge("x_up", "Up\\down\nstate.").With({}).Set(1);
  auto& h = r.AddHistogram("x_seconds", "Latency.", {}, {0.1, 1});
  h.With({}).Observe(0.05);
  h.With({}).Observe(0.5);
  h.With({}).Observe(5);
  std::string out;
  r.WriteText(&out);
  EXPECT_EQ(out,
            "# HELP x_requests_total Requests by code.\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{route=\"/metrics\",code=\"200\"} 3\n"
            "# HELP x_seconds Latency.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.1\"} 1\n"
            "x_seconds_bucket{le=\"1\"} 2\n"
            "x_seconds_bucket{le=\"+Inf\"} 3\n"
            "x_seconds_sum 5.55\n"
            "x_seconds_count 3\n"
            "# HELP x_up Up\\\\down\\nstate.\n"
            "# TYPE x_up gauge\n"
            "x_up 1\n");
}

TEST(SelfMetricsTest, SameNameReturnsSameFamily) {
  Registry r;
  auto& a = r.AddCounter("n_total", "h", {"k"});
  auto& b = r.AddCounter("n_total", "other", {"k"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.With({"v"}), &b.With({"v"}));
}

}  // namespace
}  // namespace infermetry::selfmon
