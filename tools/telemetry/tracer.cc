// The Tracer: span ids, a bounded queue, and a background thread that hands batches of spans
// to an `otlp` or `otlphttp` exporter built from the exporter registry.

#include "telemetry/tracer.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "common/log.h"
#include "config/yaml.h"
#include "process/factory.h"
#include "telemetry/span_encoder.h"

namespace infermetry::telemetry {
namespace {

using std::chrono::milliseconds;

// Config values go through `${env:...}` expansion; a literal '$' is spelt "$$".
std::string EscapeDollars(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '$') out.push_back('$');
    out.push_back(c);
  }
  return out;
}

// The exporter's YAML section, as a Collector config would spell it. The exporter sends on
// the caller's thread (our export thread), so its own sending queue is off.
std::string ExporterYaml(const TracerOptions& o, const std::string& id, bool http) {
  YAML::Emitter e;
  e << YAML::BeginMap << YAML::Key << "exporters" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << id << YAML::Value << YAML::BeginMap;
  if (http) {
    e << YAML::Key << "traces_endpoint" << YAML::Value << EscapeDollars(o.endpoint);
    e << YAML::Key << "encoding" << YAML::Value << (o.protocol == "http/json" ? "json" : "proto");
  } else {
    std::string endpoint = o.endpoint;
    // grpc://host:port says nothing about TLS; `insecure` decides, as for a bare host:port.
    if (endpoint.starts_with("grpc://")) endpoint.erase(0, 7);
    e << YAML::Key << "endpoint" << YAML::Value << EscapeDollars(endpoint);
  }
  if (!o.headers.empty()) {
    e << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : o.headers) {
      e << YAML::Key << k << YAML::Value << EscapeDollars(v);
    }
    e << YAML::EndMap;
  }
  e << YAML::Key << "compression" << YAML::Value << o.compression;
  e << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "insecure" << YAML::Value << o.insecure;
  if (!o.ca_file.empty()) e << YAML::Key << "ca_file" << YAML::Value << EscapeDollars(o.ca_file);
  if (!o.client_cert_file.empty()) {
    e << YAML::Key << "cert_file" << YAML::Value << EscapeDollars(o.client_cert_file);
  }
  if (!o.client_key_file.empty()) {
    e << YAML::Key << "key_file" << YAML::Value << EscapeDollars(o.client_key_file);
  }
  e << YAML::EndMap;
  e << YAML::Key << "timeout" << YAML::Value
    << (std::to_string(std::max<int64_t>(1, o.export_timeout.count())) + "ms");
  e << YAML::Key << "retry_on_failure" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "initial_interval" << YAML::Value << "500ms";
  e << YAML::Key << "max_interval" << YAML::Value << "5s";
  e << YAML::Key << "max_elapsed_time" << YAML::Value << "30s";
  e << YAML::EndMap;
  e << YAML::Key << "sending_queue" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "enabled" << YAML::Value << false << YAML::EndMap;
  e << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return e.c_str();
}

}  // namespace

struct Tracer::Impl {
  TracerOptions options;
  ResourceInfo resource;
  std::unique_ptr<config::Document> doc;        // the exporter's config, kept for its lifetime
  std::unique_ptr<process::Exporter> exporter;  // null when disabled

  std::mutex rng_mu;
  std::mt19937_64 rng;

  std::mutex mu;
  std::condition_variable work_cv;  // the export thread waits here
  std::condition_variable done_cv;  // Flush waits here
  std::deque<model::Span> queue;
  uint64_t enqueued = 0;      // spans ever queued
  uint64_t finished = 0;      // spans ever taken and handed to the exporter (either outcome)
  uint64_t flush_target = 0;  // the largest `enqueued` a Flush waits for
  uint64_t failures = 0;      // failed exports so far
  Status last_error;
  bool stop = false;
  std::thread worker;

  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> exported{0};
  std::atomic<uint64_t> failed{0};

  template <size_t N>
  void RandomId(std::array<uint8_t, N>* id) {
    std::lock_guard<std::mutex> l(rng_mu);
    do {
      for (size_t i = 0; i < N; i += 8) {
        uint64_t r = rng();
        for (size_t j = 0; j < 8 && i + j < N; ++j) {
          (*id)[i + j] = static_cast<uint8_t>(r >> (8 * j));
        }
      }
    } while (std::all_of(id->begin(), id->end(), [](uint8_t b) { return b == 0; }));
  }

  void Run() {
    std::unique_lock<std::mutex> l(mu);
    while (!stop) {
      work_cv.wait_for(l, options.export_interval, [&] {
        return stop || queue.size() >= options.max_export_batch ||
               (flush_target > finished && !queue.empty());
      });
      if (stop) break;
      if (queue.empty()) continue;
      std::vector<model::Span> batch;
      const size_t n = std::min(queue.size(), options.max_export_batch);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      l.unlock();
      Status st = exporter->ConsumeTraces(EncodeSpans(resource, batch));
      l.lock();
      finished += n;
      if (st.ok()) {
        exported.fetch_add(n);
      } else {
        failed.fetch_add(n);
        ++failures;
        last_error = st;
        log::Warn("span export failed", {{"spans", n}, {"err", st.ToString()}});
      }
      done_cv.notify_all();
    }
  }
};

Tracer::Tracer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Tracer>> Tracer::Create(TracerOptions options) {
  auto impl = std::make_unique<Impl>();
  std::random_device rd;
  impl->rng.seed((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(NowUnixNano()));
  if (options.max_export_batch == 0) options.max_export_batch = 1;
  if (options.export_interval <= milliseconds(0)) options.export_interval = milliseconds(1);
  impl->resource = ResourceInfo{options.service_name, options.resource_attributes,
                                options.scope_name, options.scope_version};
  if (!options.endpoint.empty()) {
    const bool http = options.protocol == "http/protobuf" || options.protocol == "http/json";
    if (!http && options.protocol != "grpc") {
      return InvalidArgument("unsupported OTLP protocol \"" + options.protocol +
                             "\" (expected grpc, http/protobuf or http/json)");
    }
    const std::string type = http ? "otlphttp" : "otlp";
    const std::string id = type + "/tracer";
    const process::ExporterFactory* factory = nullptr;
    for (const process::ExporterFactory& f : process::Exporters()) {
      if (f.type == type) factory = &f;
    }
    if (factory == nullptr) return Internal("no \"" + type + "\" exporter is registered");
    INFERMETRY_ASSIGN_OR_RETURN(
        config::Document doc,
        config::Document::LoadString(ExporterYaml(options, id, http), "tracer options"));
    impl->doc = std::make_unique<config::Document>(std::move(doc));
    process::ComponentConfig cfg{impl->doc.get(), impl->doc->root()["exporters"][id], id,
                                 "tracer exporter"};
    auto exporter = factory->create(cfg);
    if (!exporter.ok()) {
      return InvalidArgument("tracing to \"" + options.endpoint + "\" over " + options.protocol +
                             ": " + exporter.status().message());
    }
    impl->exporter = std::move(*exporter);
    INFERMETRY_RETURN_IF_ERROR(impl->exporter->Start());
  }
  impl->options = std::move(options);
  Impl* raw = impl.get();
  if (raw->exporter != nullptr) raw->worker = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<Tracer>(new Tracer(std::move(impl)));
}

Tracer::~Tracer() {
  if (impl_->exporter == nullptr) return;
  Flush(impl_->options.shutdown_timeout).ok();
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->stop = true;
    impl_->dropped.fetch_add(impl_->queue.size());
    impl_->queue.clear();
  }
  impl_->work_cv.notify_all();
  // Ends retries of an export still in progress, so that join() returns.
  impl_->exporter->Shutdown(std::chrono::seconds(1)).ok();
  impl_->worker.join();
}

bool Tracer::enabled() const { return impl_->exporter != nullptr; }
const TracerOptions& Tracer::options() const { return impl_->options; }

model::Span Tracer::StartSpan(std::string name, const TraceContext* parent, int64_t start_unix_nano,
                              int32_t kind) {
  model::Span s;
  s.name = std::move(name);
  s.kind = kind;
  s.start_ns = start_unix_nano;
  s.service_name = impl_->options.service_name;
  s.scope_name = impl_->options.scope_name;
  s.scope_version = impl_->options.scope_version;
  if (parent != nullptr) {
    s.trace_id = parent->trace_id;
    s.parent_span_id = parent->span_id;
    s.trace_state = parent->tracestate;
    s.flags = parent->flags & 1u;  // the only flag version 00 defines
  } else {
    impl_->RandomId(&s.trace_id);
    s.flags = 1;
  }
  impl_->RandomId(&s.span_id);
  return s;
}

TraceContext Tracer::ContextOf(const model::Span& span) const {
  TraceContext ctx;
  ctx.trace_id = span.trace_id;
  ctx.span_id = span.span_id;
  ctx.flags = static_cast<uint8_t>(span.flags & 0xff);
  ctx.tracestate = span.trace_state;
  return ctx;
}

void Tracer::End(model::Span span, int64_t end_unix_nano) {
  if (impl_->exporter == nullptr || (span.flags & 1u) == 0) return;
  span.end_ns = end_unix_nano;
  bool wake = false;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    if (impl_->stop || impl_->queue.size() >= impl_->options.max_queue_spans) {
      impl_->dropped.fetch_add(1);
      return;
    }
    impl_->queue.push_back(std::move(span));
    ++impl_->enqueued;
    wake = impl_->queue.size() == impl_->options.max_export_batch;
  }
  if (wake) impl_->work_cv.notify_one();
}

Status Tracer::Flush(milliseconds deadline) {
  if (impl_->exporter == nullptr) return Status::Ok();
  std::unique_lock<std::mutex> l(impl_->mu);
  const uint64_t target = impl_->enqueued;
  const uint64_t failures_before = impl_->failures;
  impl_->flush_target = std::max(impl_->flush_target, target);
  impl_->work_cv.notify_one();
  if (!impl_->done_cv.wait_for(l, deadline, [&] { return impl_->finished >= target; })) {
    return DeadlineExceeded("flushing spans: " + std::to_string(target - impl_->finished) +
                            " not exported within " + std::to_string(deadline.count()) + " ms");
  }
  if (impl_->failures != failures_before) return impl_->last_error;
  return Status::Ok();
}

uint64_t Tracer::dropped_spans() const { return impl_->dropped.load(); }
uint64_t Tracer::exported_spans() const { return impl_->exported.load(); }
uint64_t Tracer::failed_spans() const { return impl_->failed.load(); }

}  // namespace infermetry::telemetry
