#include "vllm_workload.h"

#include <charconv>
#include <cmath>
#include <random>

namespace infermetry::bench {
namespace {

using model::MetricType;

// Histogram bucket bounds of vLLM (reference: its metrics loggers) and of the HTTP instrumentator.
const std::vector<double> kTtft = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.25, 0.5,  0.75,
                                   1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
const std::vector<double> kItl = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,  0.3,  0.4, 0.5,
                                  0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 40.0, 80.0};
const std::vector<double> kReq = {0.3,  0.5,  0.8,  1.0,  1.5,  2.0,   2.5,   5.0,   10.0,   15.0,  20.0,
                                  30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
const std::vector<double> kIter = {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
const std::vector<double> kN = {1, 2, 5, 10, 20};
// build_1_2_5_buckets(max_model_len = 40960)
const std::vector<double> k125 = {1,   2,   5,    10,   20,   50,    100,
                                  200, 500, 1000, 2000, 5000, 10000, 20000};
const std::vector<double> kHttpHighr = {0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2,
                                        2.5,  3,     3.5,  4,     4.5, 5,    7.5, 10,   30, 60};
const std::vector<double> kHttpFew = {0.1, 0.5, 1};

const char* const kModels[] = {"meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-0.6B",
                               "mistralai/Mistral-7B-Instruct-v0.3"};
const char* const kReasons[] = {"stop", "length", "abort", "error", "repetition"};

// Bucket bounds as prometheus_client renders them: Python float repr ("0.001", "1.0").
std::string Le(double b) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), b);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

struct Hist {  // slots of one histogram or summary in the per-engine value vector
  const std::vector<double>* bounds = nullptr;  // nullptr for a summary
  uint32_t first = 0;                            // first bucket; then count, sum
};

struct Slot {
  uint32_t family;
  std::string name;
  std::vector<model::Label> extra;
};

// The exposition of one target, in order, shared by every engine.
struct Template {
  std::vector<VllmWorkload::Family> families;
  std::vector<Slot> slots;
  std::vector<double> initial;  // constant values (created times, info gauges); 0 otherwise
  uint32_t running, waiting, waiting_capacity, waiting_deferred, sleep_awake, kv_usage;
  uint32_t queries, hits, ext_queries, ext_hits, mm_queries, mm_hits, preemptions, prompt;
  uint32_t by_source_compute, by_source_cache, cached, generation;
  uint32_t success[5];
  Hist h_prompt, h_gen, h_iter, h_max_gen, h_n, h_max_tokens, h_ttft, h_itl, h_tpot, h_e2e,
      h_queue, h_inference, h_prefill, h_decode, h_kv_computed;
  uint32_t http_chat_2xx, http_chat_4xx, http_models_2xx;
  Hist http_req_size, http_resp_size, http_highr, http_dur_chat;
  uint32_t gc_collected[3], gc_collections[3], vmem, rss, cpu, fds;
  uint32_t up, scrape_duration, scrape_samples, scrape_post, scrape_added;

  uint32_t Family(std::string name, MetricType type, std::string help) {
    families.push_back({std::move(name), type, std::move(help)});
    return static_cast<uint32_t>(families.size() - 1);
  }
  uint32_t Add(uint32_t family, std::string name, std::vector<model::Label> extra = {},
               double init = 0) {
    slots.push_back({family, std::move(name), std::move(extra)});
    initial.push_back(init);
    return static_cast<uint32_t>(slots.size() - 1);
  }
  uint32_t Gauge(const std::string& name, const std::string& help,
                 std::vector<model::Label> extra = {}, double init = 0) {
    return Add(Family(name, MetricType::kGauge, help), name, std::move(extra), init);
  }
  // A counter and its _created gauge (single-process exposition).
  uint32_t Counter(const std::string& name, const std::string& help,
                   std::vector<std::vector<model::Label>> label_sets = {{}}) {
    uint32_t f = Family(name, MetricType::kCounter, help);
    uint32_t first = static_cast<uint32_t>(slots.size());
    for (auto& ls : label_sets) Add(f, name + "_total", ls);
    uint32_t fc = Family(name + "_created", MetricType::kGauge, help);
    for (size_t i = 0; i < label_sets.size(); ++i) {
      Add(fc, name + "_created", label_sets[i], 1767225000.123456 + 0.0000347 * static_cast<double>(slots.size()));
    }
    return first;
  }
  Hist Histogram(const std::string& name, const std::string& help, const std::vector<double>* bounds,
                 std::vector<model::Label> extra = {}) {
    Hist h;
    h.bounds = bounds;
    uint32_t f = Family(name, bounds ? MetricType::kHistogram : MetricType::kSummary, help);
    h.first = static_cast<uint32_t>(slots.size());
    if (bounds != nullptr) {
      for (double b : *bounds) {
        auto ls = extra;
        ls.push_back({"le", Le(b)});
        Add(f, name + "_bucket", ls);
      }
      auto ls = extra;
      ls.push_back({"le", "+Inf"});
      Add(f, name + "_bucket", ls);
    }
    Add(f, name + "_count", extra);
    Add(f, name + "_sum", extra);
    Add(Family(name + "_created", MetricType::kGauge, help), name + "_created", extra,
        1767225000.987654 + 0.0000411 * static_cast<double>(slots.size()));
    return h;
  }
};

const Template& GetTemplate() {
  static const Template* t = [] {
    auto* t = new Template();
    for (const char* name : {"python_gc_objects_collected", "python_gc_objects_uncollectable",
                             "python_gc_collections"}) {
      uint32_t f = t->Family(std::string(name) + "_total", MetricType::kCounter, "Python GC");
      for (int g = 0; g < 3; ++g) {
        uint32_t s = t->Add(f, std::string(name) + "_total", {{"generation", std::to_string(g)}});
        if (name == std::string("python_gc_objects_collected")) t->gc_collected[g] = s;
        if (name == std::string("python_gc_collections")) t->gc_collections[g] = s;
      }
    }
    t->Gauge("python_info", "Python platform information",
             {{"implementation", "CPython"}, {"major", "3"}, {"minor", "12"}, {"patchlevel", "3"},
              {"version", "3.12.3"}}, 1);
    t->vmem = t->Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
    t->rss = t->Gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
    t->Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {},
             1767224991.37);
    t->cpu = t->Add(t->Family("process_cpu_seconds_total", MetricType::kCounter,
                              "Total user and system CPU time spent in seconds."),
                    "process_cpu_seconds_total");
    t->fds = t->Gauge("process_open_fds", "Number of open file descriptors.");
    t->Gauge("process_max_fds", "Maximum number of open file descriptors.", {}, 1048576);

    t->running = t->Gauge("vllm:num_requests_running", "Number of requests in model execution batches.");
    t->waiting = t->Gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.");
    uint32_t f = t->Family("vllm:num_requests_waiting_by_reason", MetricType::kGauge,
                           "Number of waiting requests by reason.");
    t->waiting_capacity = t->Add(f, "vllm:num_requests_waiting_by_reason", {{"reason", "capacity"}});
    t->waiting_deferred = t->Add(f, "vllm:num_requests_waiting_by_reason", {{"reason", "deferred"}});
    f = t->Family("vllm:engine_sleep_state", MetricType::kGauge, "Engine sleep state.");
    t->sleep_awake = t->Add(f, "vllm:engine_sleep_state", {{"sleep_state", "awake"}}, 1);
    t->Add(f, "vllm:engine_sleep_state", {{"sleep_state", "weights_offloaded"}});
    t->Add(f, "vllm:engine_sleep_state", {{"sleep_state", "discard_all"}});
    t->kv_usage = t->Gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.");
    t->queries = t->Counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.");
    t->hits = t->Counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.");
    t->ext_queries = t->Counter("vllm:external_prefix_cache_queries", "External prefix cache queries.");
    t->ext_hits = t->Counter("vllm:external_prefix_cache_hits", "External prefix cache hits.");
    t->mm_queries = t->Counter("vllm:mm_cache_queries", "Multi-modal cache queries.");
    t->mm_hits = t->Counter("vllm:mm_cache_hits", "Multi-modal cache hits.");
    t->preemptions = t->Counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.");
    t->prompt = t->Counter("vllm:prompt_tokens", "Number of prefill tokens processed.");
    t->by_source_compute = t->Counter("vllm:prompt_tokens_by_source", "Number of prompt tokens by source.",
                                      {{{"source", "local_compute"}}, {{"source", "local_cache_hit"}},
                                       {{"source", "external_kv_transfer"}}});
    t->by_source_cache = t->by_source_compute + 1;
    t->cached = t->Counter("vllm:prompt_tokens_cached", "Number of cached prompt tokens (local + external).");
    t->generation = t->Counter("vllm:generation_tokens", "Number of generation tokens processed.");
    std::vector<std::vector<model::Label>> reasons;
    for (const char* r : kReasons) reasons.push_back({{"finished_reason", r}});
    uint32_t s0 = t->Counter("vllm:request_success", "Count of successfully processed requests.", reasons);
    for (int i = 0; i < 5; ++i) t->success[i] = s0 + i;
    t->h_prompt = t->Histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", &k125);
    t->h_gen = t->Histogram("vllm:request_generation_tokens", "Number of generation tokens processed.", &k125);
    t->h_iter = t->Histogram("vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", &kIter);
    t->h_max_gen = t->Histogram("vllm:request_max_num_generation_tokens",
                                "Histogram of maximum number of requested generation tokens.", &k125);
    t->h_n = t->Histogram("vllm:request_params_n", "Histogram of the n request parameter.", &kN);
    t->h_max_tokens = t->Histogram("vllm:request_params_max_tokens",
                                   "Histogram of the max_tokens request parameter.", &k125);
    t->h_ttft = t->Histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", &kTtft);
    t->h_itl = t->Histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", &kItl);
    t->h_tpot = t->Histogram("vllm:request_time_per_output_token_seconds",
                             "Histogram of time_per_output_token_seconds per request.", &kItl);
    t->h_e2e = t->Histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", &kReq);
    t->h_queue = t->Histogram("vllm:request_queue_time_seconds",
                              "Histogram of time spent in WAITING phase for request.", &kReq);
    t->h_inference = t->Histogram("vllm:request_inference_time_seconds",
                                  "Histogram of time spent in RUNNING phase for request.", &kReq);
    t->h_prefill = t->Histogram("vllm:request_prefill_time_seconds",
                                "Histogram of time spent in PREFILL phase for request.", &kReq);
    t->h_decode = t->Histogram("vllm:request_decode_time_seconds",
                               "Histogram of time spent in DECODE phase for request.", &kReq);
    t->h_kv_computed = t->Histogram("vllm:request_prefill_kv_computed_tokens",
                                    "Histogram of new KV tokens computed during prefill (excluding cached tokens).", &k125);
    t->Counter("vllm:estimated_flops_per_gpu", "Estimated number of floating point operations per GPU.");
    t->Counter("vllm:estimated_read_bytes_per_gpu", "Estimated number of bytes read from memory per GPU.");
    t->Counter("vllm:estimated_write_bytes_per_gpu", "Estimated number of bytes written to memory per GPU.");
    t->Gauge("vllm:cache_config_info", "Information of the LLMEngine CacheConfig",
             {{"block_size", "16"}, {"cache_dtype", "auto"}, {"enable_prefix_caching", "True"},
              {"gpu_memory_utilization", "0.9"}, {"num_cpu_blocks", "None"}, {"num_gpu_blocks", "27150"}}, 1);

    uint32_t hs = t->Counter("http_requests", "Total number of requests by method, status and handler.",
                             {{{"handler", "/v1/chat/completions"}, {"method", "POST"}, {"status", "2xx"}},
                              {{"handler", "/v1/chat/completions"}, {"method", "POST"}, {"status", "4xx"}},
                              {{"handler", "/v1/models"}, {"method", "GET"}, {"status", "2xx"}}});
    t->http_chat_2xx = hs;
    t->http_chat_4xx = hs + 1;
    t->http_models_2xx = hs + 2;
    t->http_req_size = t->Histogram("http_request_size_bytes", "Content length of incoming requests by handler. ",
                                    nullptr, {{"handler", "/v1/chat/completions"}});
    t->http_resp_size = t->Histogram("http_response_size_bytes", "Content length of outgoing responses by handler. ",
                                     nullptr, {{"handler", "/v1/chat/completions"}});
    t->http_highr = t->Histogram("http_request_duration_highr_seconds",
                                 "Latency with many buckets but no API specific labels. ", &kHttpHighr);
    t->http_dur_chat = t->Histogram("http_request_duration_seconds", "Latency with only few buckets by handler. ",
                                    &kHttpFew, {{"handler", "/v1/chat/completions"}, {"method", "POST"}});

    // Added by the scraper for every target.
    t->up = t->Gauge("up", "1 if the target is up.");
    t->scrape_duration = t->Gauge("scrape_duration_seconds", "Duration of the scrape.");
    t->scrape_samples = t->Gauge("scrape_samples_scraped", "Samples the target exposed.");
    t->scrape_post = t->Gauge("scrape_samples_post_metric_relabeling", "Samples after relabeling.");
    t->scrape_added = t->Gauge("scrape_series_added", "Series new in this scrape.");
    return t;
  }();
  return *t;
}

}  // namespace

struct VllmWorkload::Engine {
  std::mt19937_64 rng;
  double base_rate;   // requests/s
  double nominal_rate;  // the workload's mean rate, at which `load` is 1 on average
  double phase;
  double ttft_scale;
  int64_t offset_ms;  // of its scrapes within the interval
  std::vector<double> v;  // current value per slot

  double Uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
  double Normal() { return std::normal_distribution<double>(0, 1)(rng); }
  int64_t Poisson(double mean) {
    return mean <= 0 ? 0 : std::poisson_distribution<int64_t>(mean)(rng);
  }
  int64_t Binomial(int64_t n, double p) {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    return std::binomial_distribution<int64_t>(n, p)(rng);
  }

  // `n` observations of a log-normal quantity (median, sigma) into histogram `h`: bucket counts
  // drawn as a multinomial over the bins, the sum as a normal approximation of n draws.
  // Returns the amount added to the sum.
  double Observe(const Hist& h, int64_t n, double median, double sigma, bool integer) {
    if (n <= 0) return 0;
    const double mu = std::log(median);
    if (h.bounds != nullptr) {
      int64_t remaining = n;
      double prev_cdf = 0, rest = 1;
      int64_t cum = 0;
      for (size_t i = 0; i < h.bounds->size(); ++i) {
        double cdf = 0.5 * std::erfc(-(std::log((*h.bounds)[i]) - mu) / (sigma * std::sqrt(2.0)));
        double p = cdf - prev_cdf;
        int64_t c = rest > 0 ? Binomial(remaining, std::min(1.0, p / rest)) : 0;
        remaining -= c;
        rest -= p;
        prev_cdf = cdf;
        cum += c;
        v[h.first + i] += static_cast<double>(cum);
      }
      v[h.first + h.bounds->size()] += static_cast<double>(n);  // +Inf
    }
    size_t count = h.first + (h.bounds ? h.bounds->size() + 1 : 0);
    v[count] += static_cast<double>(n);
    double mean = std::exp(mu + sigma * sigma / 2);
    double var = (std::exp(sigma * sigma) - 1) * mean * mean;
    double s = std::max(0.0, static_cast<double>(n) * mean + Normal() * std::sqrt(n * var));
    if (integer) s = std::round(s);
    v[count + 1] += s;
    return s;
  }

  // Bucket counters are cumulative per bin already folded in Observe; keep them monotone.
  void Advance(const Template& t, double dt, double time_s) {
    double rate = base_rate * (1 + 0.35 * std::sin(2 * M_PI * time_s / 3600 + phase));
    int64_t k = Poisson(rate * dt);
    double load = rate / nominal_rate;
    // Finish reasons.
    int64_t left = k;
    const double pr[5] = {0.84, 0.12, 0.03, 0.01, 0};
    double rest = 1;
    for (int i = 0; i < 5; ++i) {
      int64_t c = i == 4 ? left : Binomial(left, rest > 0 ? pr[i] / rest : 0);
      if (i == 4) c = 0;
      rest -= pr[i];
      left -= c;
      v[t.success[i]] += static_cast<double>(c);
    }
    double prompt = Observe(t.h_prompt, k, 600, 1.0, true);
    double gen = Observe(t.h_gen, k, 180, 0.8, true);
    Observe(t.h_max_gen, k, 180, 0.8, true);
    double cached = std::round(prompt * Uniform(0.2, 0.45));
    Observe(t.h_kv_computed, k, 400, 1.1, true);
    v[t.prompt] += prompt;
    v[t.queries] += prompt;
    v[t.hits] += cached;
    v[t.cached] += cached;
    v[t.by_source_compute] += prompt - cached;
    v[t.by_source_cache] += cached;
    v[t.generation] += gen;
    v[t.preemptions] += static_cast<double>(Poisson(0.002 * k));
    // n: 1, 2 or 5; max_tokens from a few common settings.
    int64_t n2 = Binomial(k, 0.04), n5 = Binomial(k - n2, 0.01), n1 = k - n2 - n5;
    const Hist& hn = t.h_n;
    v[hn.first + 0] += static_cast<double>(n1);
    v[hn.first + 1] += static_cast<double>(n1 + n2);
    for (int i = 2; i <= 5; ++i) v[hn.first + i] += static_cast<double>(k);
    v[hn.first + 6] += static_cast<double>(k);
    v[hn.first + 7] += static_cast<double>(n1 + 2 * n2 + 5 * n5);
    Observe(t.h_max_tokens, k, 1024, 0.7, true);
    Observe(t.h_ttft, k, 0.09 * load * ttft_scale, 0.9, false);
    Observe(t.h_itl, static_cast<int64_t>(gen), 0.022 * (0.8 + 0.2 * load), 0.35, false);
    Observe(t.h_tpot, k, 0.022 * (0.8 + 0.2 * load), 0.25, false);
    Observe(t.h_e2e, k, 4.5 * load, 0.8, false);
    Observe(t.h_queue, k, 0.03 * load * load, 1.6, false);
    Observe(t.h_inference, k, 4.3 * load, 0.8, false);
    Observe(t.h_prefill, k, 0.07 * load, 0.8, false);
    Observe(t.h_decode, k, 4.2 * load, 0.8, false);
    Observe(t.h_iter, static_cast<int64_t>(dt / 0.022), 64 * load, 1.2, true);
    // Gauges.
    int64_t running = std::min<int64_t>(256, Poisson(rate * 4.5));
    int64_t waiting = running >= 256 ? Poisson(6) : (Uniform(0, 1) < 0.1 ? Poisson(1.5) : 0);
    v[t.running] = static_cast<double>(running);
    v[t.waiting] = static_cast<double>(waiting);
    v[t.waiting_capacity] = static_cast<double>(waiting);
    int64_t blocks = std::min<int64_t>(27150, static_cast<int64_t>(running * Uniform(40, 60)));
    v[t.kv_usage] = static_cast<double>(blocks) / 27150.0;
    // HTTP layer.
    int64_t bad = Poisson(0.001 * k);
    v[t.http_chat_2xx] += static_cast<double>(k);
    v[t.http_chat_4xx] += static_cast<double>(bad);
    v[t.http_models_2xx] += static_cast<double>(Poisson(0.01 * dt));
    Observe(t.http_req_size, k, 2400, 0.9, true);
    v[t.http_resp_size.first] += static_cast<double>(k);  // SSE: Content-Length 0
    Observe(t.http_highr, k, 4.5 * load, 0.8, false);
    Observe(t.http_dur_chat, k, 4.5 * load, 0.8, false);
    // Process and Python runtime.
    v[t.cpu] = std::round((v[t.cpu] + dt * Uniform(1.0, 1.4)) * 100) / 100;
    v[t.rss] += 4096.0 * static_cast<double>(Poisson(3) - Poisson(3));
    v[t.fds] = static_cast<double>(48 + Poisson(2));
    const double gc_rate[3] = {300, 40, 2};
    for (int g = 0; g < 3; ++g) {
      v[t.gc_collected[g]] += static_cast<double>(Poisson(gc_rate[g] * dt));
      v[t.gc_collections[g]] += static_cast<double>(Poisson(gc_rate[g] * dt / 100));
    }
    v[t.scrape_duration] = std::exp(std::log(0.012) + 0.3 * Normal());
    v[t.scrape_added] = 0;
  }
};

VllmWorkload::VllmWorkload(int engines, int64_t scrape_interval_ms, uint64_t seed, int64_t start_ms,
                           double requests_per_second)
    : interval_ms_(scrape_interval_ms), start_ms_(start_ms) {
  const Template& t = GetTemplate();
  std::mt19937_64 seeder(seed);
  for (int e = 0; e < engines; ++e) {
    auto eng = std::make_unique<Engine>();
    eng->rng.seed(seeder());
    eng->nominal_rate = requests_per_second;
    eng->base_rate = requests_per_second * eng->Uniform(0.5, 1.5);
    eng->phase = eng->Uniform(0, 2 * M_PI);
    eng->ttft_scale = eng->Uniform(0.7, 1.5);
    eng->offset_ms = static_cast<int64_t>(eng->rng() % static_cast<uint64_t>(scrape_interval_ms));
    eng->v = t.initial;
    eng->v[t.rss] = 4096.0 * (2'000'000 + static_cast<double>(eng->rng() % 500'000));
    eng->v[t.vmem] = 4096.0 * (9'000'000 + static_cast<double>(eng->rng() % 500'000));
    eng->v[t.up] = 1;
    eng->v[t.scrape_samples] = static_cast<double>(t.slots.size() - 5);
    eng->v[t.scrape_post] = static_cast<double>(t.slots.size() - 5);
    eng->v[t.scrape_added] = static_cast<double>(t.slots.size() - 5);
    const std::string model = kModels[e % 3];
    const std::string instance = "vllm-" + std::to_string(e) + ":8000";
    for (uint32_t s = 0; s < t.slots.size(); ++s) {
      const Slot& slot = t.slots[s];
      std::vector<model::Label> ls = slot.extra;
      ls.push_back({std::string(model::kMetricName), slot.name});
      ls.push_back({"instance", instance});
      ls.push_back({"job", "vllm"});
      const std::string& fam = t.families[slot.family].name;
      bool engine_labels = fam.rfind("vllm:", 0) == 0;
      if (engine_labels) ls.push_back({"engine", "0"});
      if (engine_labels && fam.rfind("vllm:cache_config_info", 0) != 0) ls.push_back({"model_name", model});
      labels_.push_back(model::Labels::FromUnsorted(std::move(ls)));
      family_of_.push_back(slot.family);
    }
    engines_.push_back(std::move(eng));
  }
}

VllmWorkload::~VllmWorkload() = default;

size_t VllmWorkload::series_per_engine() const { return GetTemplate().slots.size(); }

const std::vector<VllmWorkload::Family>& VllmWorkload::families() const {
  return GetTemplate().families;
}

const std::vector<VllmWorkload::Point>& VllmWorkload::Step() {
  const Template& t = GetTemplate();
  points_.clear();
  const double dt = static_cast<double>(interval_ms_) / 1000;
  uint32_t series = 0;
  for (auto& e : engines_) {
    int64_t ts = start_ms_ + step_ * interval_ms_ + e->offset_ms + static_cast<int64_t>(e->rng() % 4);
    if (step_ > 0) e->Advance(t, dt, static_cast<double>(ts) / 1000);
    for (double v : e->v) points_.push_back({series++, ts, v});
  }
  ++step_;
  return points_;
}

void VllmWorkload::WriteOpenMetrics(int engines, int64_t interval_ms, uint64_t seed, int steps,
                                    std::FILE* out, int64_t start_ms) {
  const Template& t = GetTemplate();
  static constexpr const char* kTypeNames[] = {"unknown", "counter", "gauge", "histogram",
                                               "gaugehistogram", "summary", "info", "stateset"};
  std::string line;
  for (uint32_t f = 0; f < t.families.size(); ++f) {
    const Family& fam = t.families[f];
    std::fprintf(out, "# TYPE %s %s\n", fam.name.c_str(), kTypeNames[static_cast<int>(fam.type)]);
    std::fprintf(out, "# HELP %s %s\n", fam.name.c_str(), fam.help.c_str());
    VllmWorkload w(engines, interval_ms, seed, start_ms);
    for (int s = 0; s < steps; ++s) {
      for (const Point& p : w.Step()) {
        if (w.family_of(p.series) != f) continue;
        const model::Labels& ls = w.labels(p.series);
        line.assign(ls.MetricName());
        char sep = '{';
        for (const auto& l : ls) {
          if (l.name == model::kMetricName) continue;
          line += sep;
          sep = ',';
          line += l.name;
          line += "=\"";
          model::AppendEscapedLabelValue(&line, l.value);
          line += '"';
        }
        if (sep == ',') line += '}';
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof(buf), p.v);
        line += ' ';
        line.append(buf, r.ptr);
        std::snprintf(buf, sizeof(buf), " %lld.%03lld\n", static_cast<long long>(p.t_ms / 1000),
                      static_cast<long long>(p.t_ms % 1000));
        line += buf;
        std::fwrite(line.data(), 1, line.size(), out);
      }
    }
  }
  std::fputs("# EOF\n", out);
}

}  // namespace infermetry::bench
