#include "emulator/metrics/vllm_metrics.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "emulator/metrics/exposition.h"
#include "emulator/metrics/process_collectors.h"
#include "emulator/metrics/vllm_metrics_impl.h"

namespace infermetry::emulator {
namespace {

constexpr std::string_view kSleepStates[] = {"awake", "weights_offloaded", "discard_all"};
constexpr std::string_view kWaitingReasons[] = {"capacity", "deferred"};
constexpr std::string_view kPromptSources[] = {"local_compute", "local_cache_hit",
                                               "external_kv_transfer"};
// vLLM's Instrumentator(excluded_handlers=[...]); each is a regex matched with re.search.
constexpr std::string_view kExcludedHandlers[] = {"/metrics", "/health",  "/load",
                                                  "/ping",    "/version", "/server_info"};

uint8_t LayoutBit(MetricsLayout layout) {
  switch (layout) {
    case MetricsLayout::kCurrent:
      return kInCurrent;
    case MetricsLayout::kLegacyV1Names:
      return kInLegacy;
    case MetricsLayout::kV0Multiprocess:
      return kInV0;
  }
  return kInCurrent;
}

bool Registered(const FamilySpec& spec, const VllmMetricsOptions& o) {
  switch (spec.condition) {
    case Condition::kAlways:
    case Condition::kNever:
      return true;
    case Condition::kSpecDecode:
      return o.num_speculative_tokens > 0;
    case Condition::kNansInLogits:
      return o.compute_nans_in_logits;
    case Condition::kKvCacheMetrics:
      return o.kv_cache_metrics;
    case Condition::kLora:
      return o.max_loras > 0;
  }
  return false;
}

// The extra label's values of a V1 per-engine family, in vLLM's creation order.
std::vector<std::string> ExtraValues(const FamilySpec& spec, int num_speculative_tokens) {
  auto strs = [](const auto& list) {
    return std::vector<std::string>(std::begin(list), std::end(list));
  };
  switch (spec.id) {
    case FamilyId::kNumRequestsWaitingByReason:
      return strs(kWaitingReasons);
    case FamilyId::kEngineSleepState:
      return strs(kSleepStates);
    case FamilyId::kPromptTokensBySource:
      return strs(kPromptSources);
    case FamilyId::kRequestSuccess:
      return strs(kFinishReasons);
    case FamilyId::kSpecAcceptedPerPos: {
      std::vector<std::string> out;
      for (int p = 0; p < num_speculative_tokens; ++p) out.push_back(std::to_string(p));
      return out;
    }
    default:
      return {""};
  }
}

double WallClockNow() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Multiprocess output groups families by the client's per-type files.
int FileRank(FamilyType t) {
  switch (t) {
    case FamilyType::kCounter:
      return 0;
    case FamilyType::kHistogram:
      return 1;
    case FamilyType::kSummary:
      return 2;
    case FamilyType::kGauge:
      return 3;
  }
  return 4;
}

}  // namespace

VllmMetrics::Impl::Impl(VllmMetricsOptions o) : options(std::move(o)) {
  v0 = options.layout == MetricsLayout::kV0Multiprocess;
  legacy = options.layout == MetricsLayout::kLegacyV1Names;
  multiprocess = v0 || options.multiprocess;
  if (options.engines.empty()) options.engines.emplace_back();
  num_engines = static_cast<int>(options.engines.size());
  model = options.engines[0].model;
  start_time = options.start_time > 0 ? options.start_time : WallClockNow();
  clock = start_time;
  index.fill(-1);

  const uint8_t bit = LayoutBit(options.layout);
  const int max_model_len = options.engines[0].max_model_len;
  for (const FamilySpec& spec : AllFamilies()) {
    if (!(spec.layouts & bit) || spec.source == FamilySource::kCollector) continue;
    if (!Registered(spec, options)) continue;
    index[static_cast<size_t>(spec.id)] = static_cast<int>(families.size());
    families.emplace_back(spec, BucketBounds(spec.buckets, max_model_len));
  }

  // The series that exist from startup, in creation order.
  for (MetricFamily& f : families) {
    const FamilySpec& spec = f.spec();
    if (spec.id == FamilyId::kHttpDurationHighr) {  // unlabeled: its series is the metric
      AddChild(f, "", {});
      continue;
    }
    if (spec.id == FamilyId::kCacheConfigInfo) {
      for (int e = 0; e < (v0 ? 1 : num_engines); ++e) {
        int c = AddChild(f, "", CacheConfigLabels(options.engines[e], e, v0));
        f.Set(c, 1.0);
      }
      continue;
    }
    if (v0 || spec.scheme != LabelScheme::kEngine) continue;  // created on first update
    std::vector<std::string> values = ExtraValues(spec, options.num_speculative_tokens);
    const int nv = static_cast<int>(values.size());
    // Create in slot order so that Slot() is the child index.
    for (int slot = 0; slot < nv * num_engines; ++slot) {
      bool engine_major = spec.id == FamilyId::kSpecAcceptedPerPos;
      int e = engine_major ? slot / nv : slot % num_engines;
      int v = engine_major ? slot % nv : slot / num_engines;
      LabelPairs labels = {{"model_name", model}, {"engine", std::to_string(e)}};
      if (!spec.labels[0].empty()) labels.emplace_back(spec.labels[0], values[v]);
      AddChild(f, "", std::move(labels));
    }
    if (spec.id == FamilyId::kEngineSleepState) {
      for (int e = 0; e < num_engines; ++e) f.Set(Slot(f, e, 0), 1.0);  // awake
    }
  }
  constructing = false;
}

int VllmMetrics::Impl::AddChild(MetricFamily& f, std::string key, LabelPairs labels) {
  uint64_t seq = next_seq++;
  // Successive time.time() calls at startup differ by about a microsecond.
  double created = constructing ? start_time + 1e-6 * static_cast<double>(seq) : clock;
  return f.AddChild(std::move(key), std::move(labels), created, seq);
}

int VllmMetrics::Impl::V0Child(MetricFamily& f, std::string_view value) {
  int c = f.Find(value);
  if (c >= 0) return c;
  LabelPairs labels = {{"model_name", model}};
  if (!f.spec().labels[0].empty()) labels.emplace_back(f.spec().labels[0], std::string(value));
  return AddChild(f, std::string(value), std::move(labels));
}

VllmMetrics::VllmMetrics(VllmMetricsOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

VllmMetrics::~VllmMetrics() = default;

void VllmMetrics::Record(int engine, const SchedulerStats& scheduler,
                         const IterationStats* iteration) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (engine < 0 || engine >= impl_->num_engines) return;
  ++impl_->activity;
  if (iteration != nullptr) impl_->clock = std::max(impl_->clock, iteration->iteration_timestamp);
  if (impl_->v0) {
    impl_->RecordV0(scheduler, iteration);
  } else {
    impl_->RecordV1(engine, scheduler, iteration);
  }
}

void VllmMetrics::RecordHttp(std::string_view handler, std::string_view method, int status,
                             int64_t request_bytes, int64_t response_bytes, double seconds) {
  for (std::string_view pattern : kExcludedHandlers) {
    if (handler.find(pattern) != std::string_view::npos) return;
  }
  std::string status_group = std::to_string(status).substr(0, 1) + "xx";
  std::string h(handler), m(method);
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& d = *impl_;
  ++d.activity;
  // The instrumentator's default metrics run in this order for each response.
  if (MetricFamily* f = d.F(FamilyId::kHttpRequests)) {
    std::string key = m + "\x1f" + status_group + "\x1f" + h;
    int c = f->Find(key);
    if (c < 0) {
      c = d.AddChild(*f, key, {{"method", m}, {"status", status_group}, {"handler", h}});
    }
    f->Inc(c, 1);
  }
  for (auto [id, bytes] : {std::pair{FamilyId::kHttpRequestSize, request_bytes},
                           std::pair{FamilyId::kHttpResponseSize, response_bytes}}) {
    if (MetricFamily* f = d.F(id)) {
      int c = f->Find(h);
      if (c < 0) c = d.AddChild(*f, h, {{"handler", h}});
      f->Observe(c, static_cast<double>(bytes));
    }
  }
  if (MetricFamily* f = d.F(FamilyId::kHttpDurationHighr)) f->Observe(0, seconds);
  if (MetricFamily* f = d.F(FamilyId::kHttpDuration)) {
    std::string key = m + "\x1f" + h;
    int c = f->Find(key);
    if (c < 0) c = d.AddChild(*f, key, {{"method", m}, {"handler", h}});
    f->Observe(c, seconds);
  }
}

std::string VllmMetrics::Render(double now) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const Impl& d = *impl_;
  d.clock = std::max(d.clock, now);
  std::string out;
  out.reserve(d.last_render_size + 1024);
  if (!d.multiprocess) {
    ProcessSnapshot process = d.options.read_proc_self ? ReadProcessSnapshot()
                                                       : ModelledProcessSnapshot(d.start_time, now);
    AppendCollectorFamilies(&out, ModelledPythonGc(d.activity), process);
    for (const MetricFamily& f : d.families) f.AppendText(&out, d.options.created_series);
  } else {
    std::vector<const MetricFamily*> order;
    for (const MetricFamily& f : d.families) {
      if (f.num_children() > 0) order.push_back(&f);
    }
    std::stable_sort(order.begin(), order.end(), [](const MetricFamily* a, const MetricFamily* b) {
      int ra = FileRank(a->type()), rb = FileRank(b->type());
      if (ra != rb) return ra < rb;
      return a->first_seq() < b->first_seq();
    });
    for (const MetricFamily* f : order) f->AppendMultiprocessText(&out);
  }
  d.last_render_size = out.size();
  return out;
}

std::string_view VllmMetrics::content_type() const {
  return ExpositionContentType(impl_->options.content_type_v1);
}

std::string GoFloat(double v) {
  std::string s;
  AppendFloatToGoString(&s, v);
  return s;
}

}  // namespace infermetry::emulator
