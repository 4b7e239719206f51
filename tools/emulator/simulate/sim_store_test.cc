// A simulated run stored through the scrape path must agree with the requests it served: the
// counters and histograms a scrape stores against the finished requests and their spans.

#include "emulator/simulate/sim_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "emulator/engine/engine_config.h"
#include "storage/memory_appendable.h"

namespace infermetry::emulator {
namespace {

class SpanCapture : public storage::SpanAppender {
 public:
  Status AppendSpans(std::vector<model::Span> spans) override {
    for (auto& s : spans) spans_.push_back(std::move(s));
    return Status::Ok();
  }
  std::vector<model::Span> spans_;
};

// The newest value of every series, by its label string.
struct Latest {
  std::map<std::string, storage::StoredSample> series;

  explicit Latest(std::vector<storage::StoredSample> samples) {
    for (auto& s : samples) {
      auto& slot = series[s.labels.ToString()];
      if (slot.labels.size() == 0 || s.t_ms >= slot.t_ms) slot = std::move(s);
    }
  }
  // Sum over every series called `name` whose labels include `label`=`value` (if given).
  double Sum(std::string_view name, std::string_view label = "", std::string_view value = "") const {
    double sum = 0;
    for (const auto& [key, s] : series) {
      if (s.labels.MetricName() != name) continue;
      if (!label.empty() && s.labels.Get(label) != value) continue;
      sum += s.v;
    }
    return sum;
  }
};

double Num(const model::Span& s, std::string_view key) {
  const model::AttrValue* v = model::FindAttr(s.attributes, key);
  return v ? v->AsNumber().value_or(-1) : -1;
}

TEST(SimStoreTest, TenMinuteRunAgreesWithRequestsServed) {
  SimulateOptions o;
  o.scenario = "healthy";
  o.engine = *Preset("llama-3-8b-a100");
  o.data_parallel_size = 2;
  o.start_time = 1'790'000'000;
  o.duration = 600;
  o.scrape_interval = 5;
  o.drain = true;
  o.seed = 7;
  storage::MemoryAppendable mem;
  SpanCapture spans;
  Result<SimulateReport> r = SimulateInto(o, &mem, &spans);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SimulateReport& rep = *r;
  ASSERT_GT(rep.summary.finished, 100);
  EXPECT_EQ(rep.summary.dropped, 0);
  EXPECT_EQ(rep.spans, rep.summary.finished);
  ASSERT_EQ(static_cast<int64_t>(spans.spans_.size()), rep.summary.finished);
  EXPECT_GE(rep.scrapes, 120);

  Latest latest(mem.Take());
  const double finished = static_cast<double>(rep.summary.finished);
  // Counters against the finished requests (both engines summed).
  EXPECT_EQ(latest.Sum("vllm:generation_tokens_total"), static_cast<double>(rep.completion_tokens));
  EXPECT_EQ(latest.Sum("vllm:prompt_tokens_total"), static_cast<double>(rep.prompt_tokens));
  EXPECT_EQ(latest.Sum("vllm:request_success_total"), finished);
  EXPECT_EQ(latest.Sum("vllm:e2e_request_latency_seconds_count"), finished);
  EXPECT_EQ(latest.Sum("vllm:time_to_first_token_seconds_count"), finished);
  EXPECT_EQ(latest.Sum("vllm:request_generation_tokens_sum"), static_cast<double>(rep.completion_tokens));
  EXPECT_EQ(latest.Sum("vllm:num_preemptions_total"), 0);
  EXPECT_EQ(latest.Sum("vllm:num_requests_running"), 0);
  EXPECT_EQ(latest.Sum("vllm:num_requests_waiting"), 0);
  EXPECT_EQ(latest.Sum("up"), 1);

  // Spans carry the same totals.
  double span_completion = 0, span_prompt = 0;
  for (const model::Span& s : spans.spans_) {
    EXPECT_EQ(s.name, "llm_request");
    span_completion += Num(s, "gen_ai.usage.completion_tokens");
    span_prompt += Num(s, "gen_ai.usage.prompt_tokens");
  }
  EXPECT_EQ(span_completion, static_cast<double>(rep.completion_tokens));
  EXPECT_EQ(span_prompt, static_cast<double>(rep.prompt_tokens));

  // Every bucket of the e2e and TTFT histograms holds exactly the requests whose span latency
  // is within its bound.
  for (const auto& [family, attr] :
       {std::pair<std::string, std::string>{"vllm:e2e_request_latency_seconds", "gen_ai.latency.e2e"},
        {"vllm:time_to_first_token_seconds", "gen_ai.latency.time_to_first_token"}}) {
    int buckets = 0;
    std::map<std::string, double> by_le;
    for (const auto& [key, s] : latest.series) {
      if (s.labels.MetricName() != family + "_bucket") continue;
      by_le[std::string(s.labels.Get("le"))] += s.v;
    }
    for (const auto& [le, count] : by_le) {
      const double bound = le == "+Inf" ? INFINITY : std::stod(le);
      double expect = 0;
      for (const model::Span& s : spans.spans_) expect += Num(s, attr) <= bound ? 1 : 0;
      EXPECT_EQ(count, expect) << family << " le=" << le;
      ++buckets;
    }
    EXPECT_GT(buckets, 10) << family;
    EXPECT_EQ(by_le["+Inf"], finished) << family;
  }
}

TEST(SimStoreTest, InstanceDownStoresUpZeroAndFreshCounters) {
  SimulateOptions o;
  o.scenario = "instance-down";
  o.engine = *Preset("opt-125m-t4");
  o.start_time = 1'790'000'000;
  o.duration = 300;
  o.scrape_interval = 5;
  storage::MemoryAppendable mem;
  Result<SimulateReport> r = SimulateInto(o, &mem, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->scrapes_down, 0);
  int down = 0, restarts_seen = 0;
  double prev_created = 0;
  for (const auto& s : mem.Take()) {
    if (s.labels.MetricName() == "up" && s.v == 0) ++down;
    if (s.labels.MetricName() == "process_start_time_seconds") {
      if (prev_created != 0 && s.v != prev_created) ++restarts_seen;
      prev_created = s.v;
    }
  }
  EXPECT_EQ(down, r->scrapes_down);
  EXPECT_GE(restarts_seen, 1);  // the server came back as a new process
}

TEST(SimStoreTest, TargetLabelsOnEverySample) {
  SimulateOptions o;
  o.engine = *Preset("opt-125m-t4");
  o.start_time = 1'790'000'000;
  o.duration = 60;
  o.target_labels = {{"p_stream", "vLLMmetrics"}};
  storage::MemoryAppendable mem;
  Result<SimulateReport> r = SimulateInto(o, &mem, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<storage::StoredSample> samples = mem.Take();
  ASSERT_GT(samples.size(), 100u);
  for (const auto& s : samples) {
    ASSERT_EQ(s.labels.Get("p_stream"), "vLLMmetrics") << s.labels.ToString();
    ASSERT_EQ(s.labels.Get("job"), "vllm") << s.labels.ToString();
  }

  o.target_labels = {{"__p", "x"}};
  r = SimulateInto(o, &mem, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("__p"), std::string::npos);
  o.target_labels = {{"a-b", "x"}};
  EXPECT_FALSE(SimulateInto(o, &mem, nullptr).ok());
}

TEST(SimStoreTest, UnknownScenarioIsNamed) {
  SimulateOptions o;
  o.scenario = "no-such";
  o.engine = *Preset("opt-125m-t4");
  storage::MemoryAppendable mem;
  Result<SimulateReport> r = SimulateInto(o, &mem, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no-such"), std::string::npos);
  EXPECT_NE(r.status().message().find("healthy"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::emulator
