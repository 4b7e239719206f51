#include "emulator/api/emulated_server.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "emulator/api/request_span.h"
#include "emulator/api/runner.h"
#include "server/http/server.h"

namespace infermetry::emulator {
namespace {

// One "process": what a restart replaces. Destroyed in member order reversed, so the listener
// goes first (its handlers use the API, which uses the runner and the metrics).
struct Instance {
  std::unique_ptr<VllmMetrics> metrics;
  std::unique_ptr<Runner> runner;
  std::unique_ptr<OpenAiApi> api;
  std::unique_ptr<http::Server> server;

  void Stop(std::chrono::milliseconds drain) {
    if (server != nullptr) server->Shutdown(drain);
    server.reset();
    if (runner != nullptr) runner->Shutdown();
    api.reset();
    runner.reset();
    metrics.reset();
  }
};

// `listen` with its port replaced by `port` (for coming back on the port first bound).
std::string WithPort(const std::string& listen, uint16_t port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return listen;
  return listen.substr(0, colon + 1) + std::to_string(port);
}

}  // namespace

struct EmulatedServer::Impl {
  EmulatedServerOptions options;
  ApiOptions api_options;
  std::unique_ptr<telemetry::Tracer> tracer;

  mutable std::mutex mu;  // guards everything below
  Instance instance;
  bool down = false;
  bool stopping = false;
  std::string listen;  // the address to (re)bind
  uint16_t port = 0;
  std::string address;

  std::condition_variable cv;
  std::thread supervisor;
  std::once_flag shutdown_once;

  Status Boot();  // REQUIRES: mu held, instance empty
  void RunSchedule(std::chrono::steady_clock::time_point started);
};

Status EmulatedServer::Impl::Boot() {
  const double now = Runner::WallNow();
  VllmMetricsOptions mo;
  mo.engines.assign(static_cast<size_t>(options.data_parallel_size), options.engine);
  mo.layout = options.metrics_layout;
  mo.created_series = options.created_series;
  mo.start_time = now;
  mo.content_type_v1 = options.content_type_v1;
  Instance inst;
  inst.metrics = std::make_unique<VllmMetrics>(std::move(mo));

  RunnerOptions ro;
  ro.engines.assign(static_cast<size_t>(options.data_parallel_size), options.engine);
  ro.metrics = inst.metrics.get();
  ro.idle_refresh = options.idle_refresh;
  Result<std::unique_ptr<Runner>> runner = Runner::Start(std::move(ro));
  if (!runner.ok()) return runner.status();
  inst.runner = std::move(*runner);

  inst.api = std::make_unique<OpenAiApi>(
      api_options, ApiBackends{inst.runner.get(), inst.metrics.get(), tracer.get()});
  auto router = std::make_shared<http::Router>();
  inst.api->Register(router.get());

  http::ServerOptions so;
  so.listen = listen;
  so.threads = options.http_threads;
  if (so.threads <= 0) {
    so.threads = std::min(2048, 64 + 2 * options.engine.max_num_seqs * options.data_parallel_size);
  }
  so.gzip = false;                                    // vLLM does not compress its API responses
  so.idle_timeout = std::chrono::milliseconds(5000);  // uvicorn's keep-alive timeout
  Result<std::unique_ptr<http::Server>> server = http::Server::Start(so, std::move(router));
  if (!server.ok()) {
    inst.Stop(std::chrono::milliseconds(0));
    return server.status();
  }
  inst.server = std::move(*server);
  port = inst.server->port();
  address = inst.server->address();
  listen = WithPort(options.listen, port);
  instance = std::move(inst);
  return Status::Ok();
}

Result<std::unique_ptr<EmulatedServer>> EmulatedServer::Start(EmulatedServerOptions options) {
  if (options.data_parallel_size < 1) {
    return InvalidArgument("emulated server: data_parallel_size must be at least 1");
  }
  INFERMETRY_RETURN_IF_ERROR(Validate(options.engine));
  for (const DownWindow& w : options.down_windows) {
    if (w.start < 0 || w.end <= w.start) {
      return InvalidArgument("emulated server: a down window needs 0 <= start < end");
    }
  }
  auto impl = std::make_unique<Impl>();
  ApiOptions& a = impl->api_options;
  a.served_model_name = options.engine.model;
  a.model_path = options.model_path;
  a.max_model_len = options.engine.max_model_len;
  a.api_key = options.api_key;
  a.enable_request_id_headers = options.enable_request_id_headers;
  a.enable_prompt_tokens_details = options.enable_prompt_tokens_details;
  a.enable_force_include_usage = options.enable_force_include_usage;
  a.enable_server_load_tracking = options.enable_server_load_tracking;
  a.vllm_version = options.vllm_version;
  if (!options.system_fingerprint.has_value()) {
    a.system_fingerprint =
        DefaultFingerprint(options.vllm_version, options.engine.model, options.seed);
  } else if (!options.system_fingerprint->empty()) {
    a.system_fingerprint = options.system_fingerprint;
  }
  a.text.seed = options.seed;
  a.text.min_output_tokens = options.min_output_tokens;
  a.text.mean_output_tokens = options.mean_output_tokens;
  a.id_seed = options.seed;

  telemetry::TracerOptions to;
  if (options.tracer.has_value()) {
    to = *options.tracer;
  } else {
    Result<telemetry::TracerOptions> t =
        VllmTracerOptions(options.otlp_traces_endpoint, options.process_id);
    if (!t.ok()) return t.status();
    to = std::move(*t);
  }
  if (!to.endpoint.empty()) {
    Result<std::unique_ptr<telemetry::Tracer>> tracer = telemetry::Tracer::Create(std::move(to));
    if (!tracer.ok()) return tracer.status().WithContext("tracing");
    impl->tracer = std::move(*tracer);
  }

  impl->listen = options.listen;
  impl->options = std::move(options);
  {
    std::lock_guard<std::mutex> l(impl->mu);
    INFERMETRY_RETURN_IF_ERROR(impl->Boot());
  }
  Impl* raw = impl.get();
  if (!raw->options.down_windows.empty()) {
    const auto started = std::chrono::steady_clock::now();
    raw->supervisor = std::thread([raw, started] { raw->RunSchedule(started); });
  }
  return std::unique_ptr<EmulatedServer>(new EmulatedServer(std::move(impl)));
}

EmulatedServer::EmulatedServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EmulatedServer::~EmulatedServer() { Shutdown(); }

void EmulatedServer::Impl::RunSchedule(std::chrono::steady_clock::time_point started) {
  std::vector<DownWindow> windows = options.down_windows;
  std::sort(windows.begin(), windows.end(),
            [](const DownWindow& a, const DownWindow& b) { return a.start < b.start; });
  auto at = [started](double seconds) {
    return started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(seconds));
  };
  for (const DownWindow& w : windows) {
    {
      std::unique_lock<std::mutex> l(mu);
      if (cv.wait_until(l, at(w.start), [this] { return stopping; })) return;
    }
    log::Info("emulated vLLM going down", {{"address", address}});
    {
      std::lock_guard<std::mutex> l(mu);
      if (stopping) return;
      if (!down) {
        down = true;
        if (options.down_behavior == DownBehavior::kEngineDead) {
          instance.api->SetHealthy(false);
        } else {
          instance.Stop(std::chrono::milliseconds(0));
        }
      }
    }
    {
      std::unique_lock<std::mutex> l(mu);
      if (cv.wait_until(l, at(w.end), [this] { return stopping; })) {
        return;
      }
      if (!down) continue;
      down = false;
      if (options.down_behavior == DownBehavior::kEngineDead) {
        instance.api->SetHealthy(true);
        continue;
      }
      Status s = Boot();
      if (!s.ok()) {
        log::Error("emulated vLLM could not come back", {{"err", s.ToString()}});
        down = true;
      } else {
        log::Info("emulated vLLM back up", {{"address", address}});
      }
    }
  }
}

void EmulatedServer::Shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    {
      std::lock_guard<std::mutex> l(impl_->mu);
      impl_->stopping = true;
      impl_->cv.notify_all();
    }
    if (impl_->supervisor.joinable()) impl_->supervisor.join();
    {
      std::lock_guard<std::mutex> l(impl_->mu);
      impl_->instance.Stop(std::chrono::milliseconds(2000));
    }
    if (impl_->tracer != nullptr) {
      Status s = impl_->tracer->Flush(std::chrono::milliseconds(5000));
      if (!s.ok()) log::Warn("emulated vLLM: spans not exported", {{"err", s.ToString()}});
    }
  });
}

uint16_t EmulatedServer::port() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->port;
}

std::string EmulatedServer::address() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->address;
}

void EmulatedServer::Crash() {
  std::lock_guard<std::mutex> l(impl_->mu);
  if (impl_->down || impl_->stopping) return;
  impl_->down = true;
  if (impl_->options.down_behavior == DownBehavior::kEngineDead) {
    impl_->instance.api->SetHealthy(false);
    return;
  }
  impl_->instance.Stop(std::chrono::milliseconds(0));
}

Status EmulatedServer::Recover() {
  std::lock_guard<std::mutex> l(impl_->mu);
  if (!impl_->down || impl_->stopping) return Status::Ok();
  if (impl_->options.down_behavior == DownBehavior::kEngineDead) {
    impl_->down = false;
    impl_->instance.api->SetHealthy(true);
    return Status::Ok();
  }
  INFERMETRY_RETURN_IF_ERROR(impl_->Boot());
  impl_->down = false;
  return Status::Ok();
}

bool EmulatedServer::down() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->down;
}

VllmMetrics* EmulatedServer::metrics() {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->instance.metrics.get();
}

telemetry::Tracer* EmulatedServer::tracer() { return impl_->tracer.get(); }

}  // namespace infermetry::emulator
