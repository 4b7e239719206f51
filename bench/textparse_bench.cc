// Throughput of the exposition-format parser and writer on a realistic vLLM /metrics payload:
// 8 engines (data-parallel ranks) of one model, the baseline V1 engine families with their
// HELP strings, labels and bucket boundaries, and the per-child `_created` series that
// prometheus_client adds, with values spelled as prometheus_client spells them.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/strconv.h"
#include "ingest/textparse/parser.h"
#include "ingest/textparse/writer.h"

namespace infermetry::textparse {
namespace {

constexpr int kEngines = 8;
constexpr std::string_view kModel = "meta-llama/Llama-3.1-8B-Instruct";

const std::vector<double> kTtft = {0.001, 0.005, 0.01, 0.02,  0.04,  0.06,  0.08, 0.1,
                                   0.25,  0.5,   0.75, 1.0,   2.5,   5.0,   7.5,  10.0,
                                   20.0,  40.0,  80.0, 160.0, 640.0, 2560.0};
const std::vector<double> kItl = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,  0.3,  0.4, 0.5,
                                  0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 40.0, 80.0};
const std::vector<double> kReq = {0.3,  0.5,   0.8,   1.0,   1.5,   2.0,    2.5,
                                  5.0,  10.0,  15.0,  20.0,  30.0,  40.0,   50.0,
                                  60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
const std::vector<double> kIter = {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
// build_1_2_5_buckets(131072).
const std::vector<double> kTokens = {1,   2,    5,    10,   20,    50,    100,   200,
                                     500, 1000, 2000, 5000, 10000, 20000, 50000, 100000};

// Python's repr(float) as prometheus_client's floatToGoString renders it.
void AppendPy(std::string* out, double v) {
  if (std::isfinite(v) && std::fabs(v) < 1e6 && v == std::floor(v)) {
    char buf[32];
    int n = std::snprintf(buf, sizeof(buf), "%.1f", v);
    out->append(buf, static_cast<size_t>(n));
    return;
  }
  AppendGoFloat(out, v);
}

class PayloadBuilder {
 public:
  explicit PayloadBuilder(Format f) : f_(f) {}

  // A gauge family.
  void Gauge(std::string_view name, std::string_view help, double scale) {
    Meta(name, help, "gauge");
    for (int e = 0; e < kEngines; ++e) {
      double v = Rand() * scale;
      Line(name, e, {}, {}, scale > 1 ? std::floor(v) : v);  // counts, or a 0..1 fraction
    }
  }

  // A counter registered as `base`; samples `base_total` (+ `base_created`).
  void Counter(std::string_view base, std::string_view help,
               const std::vector<std::string_view>& reasons = {}) {
    std::string total = std::string(base) + "_total";
    std::string created = std::string(base) + "_created";
    const bool om = f_ == Format::kOpenMetrics;
    Meta(om ? std::string(base) : total, help, "counter");
    auto each = [&](const std::string& name, bool is_created) {
      for (int e = 0; e < kEngines; ++e) {
        if (reasons.empty()) {
          Line(name, e, {}, {}, is_created ? Created() : std::floor(Rand() * 1e5));
        }
        for (std::string_view r : reasons) {
          Line(name, e, "finished_reason", r, is_created ? Created() : std::floor(Rand() * 1e4));
        }
      }
    };
    each(total, false);
    if (!om) Meta(created, help, "gauge");
    each(created, true);
  }

  void Histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                 double scale) {
    Meta(name, help, "histogram");
    const std::string n(name);
    std::vector<double> created(kEngines);
    for (int e = 0; e < kEngines; ++e) {
      double count = 0;
      std::string le;
      for (size_t i = 0; i <= bounds.size(); ++i) {
        count += std::floor(Rand() * 40);
        le.clear();
        if (i < bounds.size()) {
          AppendPy(&le, bounds[i]);
        } else {
          le = "+Inf";
        }
        Line(n + "_bucket", e, "le", le, count);
      }
      Line(n + "_count", e, {}, {}, count);
      Line(n + "_sum", e, {}, {}, count * Rand() * scale + 0.123456789);
      created[e] = Created();
    }
    if (f_ == Format::kPrometheusText) Meta(n + "_created", help, "gauge");
    for (int e = 0; e < kEngines; ++e) Line(n + "_created", e, {}, {}, created[e]);
  }

  std::string Finish() {
    if (f_ == Format::kOpenMetrics) out_ += "# EOF\n";
    return std::move(out_);
  }

 private:
  void Meta(std::string_view name, std::string_view help, std::string_view type) {
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }

  // Labels sorted by name as prometheus_client writes them: engine, [extra], model_name.
  void Line(std::string_view name, int engine, std::string_view extra_name,
            std::string_view extra_value, double v) {
    out_.append(name).append("{engine=\"").append(std::to_string(engine)).append("\"");
    if (!extra_name.empty()) {
      out_.append(",").append(extra_name).append("=\"").append(extra_value).append("\"");
    }
    out_.append(",model_name=\"").append(kModel).append("\"} ");
    AppendPy(&out_, v);
    out_.push_back('\n');
  }

  double Rand() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0;
  }
  double Created() { return 1795458783.0 + Rand(); }

  Format f_;
  std::string out_;
  uint64_t state_ = 42;
};

std::string BuildVllmPayload(Format f) {
  PayloadBuilder b(f);
  b.Gauge("vllm:num_requests_running", "Number of requests in model execution batches.", 64);
  b.Gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", 16);
  b.Gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", 1);
  b.Counter("vllm:prefix_cache_queries",
            "Prefix cache queries, in terms of number of queried tokens.");
  b.Counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.");
  b.Counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.");
  b.Counter("vllm:prompt_tokens", "Number of prefill tokens processed.");
  b.Counter("vllm:generation_tokens", "Number of generation tokens processed.");
  b.Counter("vllm:request_success", "Count of successfully processed requests.",
            {"stop", "length", "abort", "error", "repetition"});
  b.Histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", kTokens, 2000);
  b.Histogram("vllm:request_generation_tokens", "Number of generation tokens processed.", kTokens,
              500);
  b.Histogram("vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.",
              kIter, 300);
  b.Histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
              kTtft, 0.4);
  b.Histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
              kItl, 0.03);
  b.Histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
              kReq, 8);
  b.Histogram("vllm:request_queue_time_seconds",
              "Histogram of time spent in WAITING phase for request.", kReq, 0.5);
  b.Histogram("vllm:request_inference_time_seconds",
              "Histogram of time spent in RUNNING phase for request.", kReq, 7);
  b.Histogram("vllm:request_prefill_time_seconds",
              "Histogram of time spent in PREFILL phase for request.", kReq, 0.3);
  b.Histogram("vllm:request_decode_time_seconds",
              "Histogram of time spent in DECODE phase for request.", kReq, 6.5);
  return b.Finish();
}

const std::string& Payload(Format f) {
  static const std::string text = BuildVllmPayload(Format::kPrometheusText);
  static const std::string om = BuildVllmPayload(Format::kOpenMetrics);
  return f == Format::kOpenMetrics ? om : text;
}

void BM_Parse(benchmark::State& state, Format format) {
  const std::string& payload = Payload(format);
  int64_t samples = 0;
  size_t checksum = 0;
  for (auto _ : state) {
    Parser p(payload, format);
    for (Entry e; (e = p.Next()) != Entry::kEof;) {
      if (e == Entry::kInvalid) {
        state.SkipWithError(p.error().ToString().c_str());
        return;
      }
      if (e != Entry::kSeries) continue;
      ++samples;
      checksum += p.MetricName().size();
      for (const LabelView& l : p.Labels()) checksum += l.name.size() + l.value.size();
      benchmark::DoNotOptimize(p.Value());
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
  state.counters["payload_bytes"] = static_cast<double>(payload.size());
}

// Owned copies of the parsed entries, so the writer benchmark measures only the writer.
struct OwnedSeries {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value;
};
struct OwnedFamily {
  std::string name, help;
  model::MetricType type;
  std::vector<OwnedSeries> series;
};

std::vector<OwnedFamily> Snapshot(Format format) {
  std::vector<OwnedFamily> fams;
  Parser p(Payload(format), format);
  for (Entry e; (e = p.Next()) != Entry::kEof;) {
    if (e == Entry::kHelp) {
      fams.push_back(
          {std::string(p.FamilyName()), std::string(p.Help()), model::MetricType::kUnknown, {}});
    }
    if (e == Entry::kType) fams.back().type = p.Type();
    if (e != Entry::kSeries) continue;
    OwnedSeries s{std::string(p.MetricName()), {}, p.Value()};
    for (const LabelView& l : p.Labels()) s.labels.emplace_back(l.name, l.value);
    fams.back().series.push_back(std::move(s));
  }
  return fams;
}

void BM_Write(benchmark::State& state, Format format) {
  const std::vector<OwnedFamily> fams = Snapshot(format);
  std::string out;
  std::vector<LabelView> labels;
  int64_t samples = 0;
  for (auto _ : state) {
    out.clear();
    Writer w(format, &out);
    for (const OwnedFamily& f : fams) {
      w.Help(f.name, f.help);
      w.Type(f.name, f.type);
      for (const OwnedSeries& s : f.series) {
        labels.clear();
        for (const auto& [n, v] : s.labels) labels.push_back({n, v});
        w.Sample(s.name, labels, s.value);
        ++samples;
      }
    }
    w.Eof();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Parse, text, Format::kPrometheusText);
BENCHMARK_CAPTURE(BM_Parse, openmetrics, Format::kOpenMetrics);
BENCHMARK_CAPTURE(BM_Write, text, Format::kPrometheusText);
BENCHMARK_CAPTURE(BM_Write, openmetrics, Format::kOpenMetrics);

}  // namespace
}  // namespace infermetry::textparse

BENCHMARK_MAIN();
