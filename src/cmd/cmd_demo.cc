// `infermetry demo`: the guides' whole stack on one machine without a GPU, in one process:
// two emulated vLLM servers, the RAG app calling one of them with trace propagation, steady
// traffic into both, and `infermetry serve`'s pipelines (Prometheus scrapes of vLLM and the RAG
// app every 5 s, OTLP for the spans) writing into the embedded store behind its API.

#include <CLI/CLI.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>
#include <tuple>

#include "cmd/command.h"
#include "cmd/emulate_config.h"
#include "cmd/serve_runtime.h"
#include "cmd/simulate_store.h"
#include "common/duration.h"
#include "common/log.h"
#include "emulator/api/emulated_server.h"
#include "emulator/api/request_span.h"
#include "loadgen/loadgen.h"
#include "rag/rag_app.h"
#include "telemetry/tracer.h"

namespace infermetry::cmd {
namespace {

struct DemoFlags {
  std::string listen = "127.0.0.1:9400";
  std::string vllm = "127.0.0.1:8000";
  std::string vllm2 = "127.0.0.1:8010";
  std::string rag = "127.0.0.1:8001";
  std::string otlp_grpc = "127.0.0.1:4317";
  std::string otlp_http = "127.0.0.1:4318";
  std::string data_dir;
  std::string scenario = "healthy";
  double rate = 1.5;
  double rag_rate = 0.5;
  std::string history = "1h";
};

std::string DemoConfig(const DemoFlags& f) {
  return "receivers:\n"
         "  otlp:\n"
         "    protocols:\n"
         "      grpc:\n"
         "        endpoint: " + f.otlp_grpc + "\n"
         "      http:\n"
         "        endpoint: " + f.otlp_http + "\n"
         "  prometheus:\n"
         "    config:\n"
         "      global:\n"
         "        scrape_interval: 5s\n"
         "      scrape_configs:\n"
         "        - job_name: vllm\n"
         "          static_configs:\n"
         "            - targets: [\"" + f.vllm + "\", \"" + f.vllm2 + "\"]\n"
         "        - job_name: rag-app\n"
         "          static_configs:\n"
         "            - targets: [\"" + f.rag + "\"]\n"
         "processors:\n"
         "  batch:\n"
         "    timeout: 1s\n"
         "exporters:\n"
         "  store:\n"
         "service:\n"
         "  pipelines:\n"
         "    traces:\n"
         "      receivers: [otlp]\n"
         "      processors: [batch]\n"
         "      exporters: [store]\n"
         "    metrics:\n"
         "      receivers: [otlp, prometheus]\n"
         "      processors: [batch]\n"
         "      exporters: [store]\n"
         "    logs:\n"
         "      receivers: [otlp]\n"
         "      exporters: [store]\n";
}

Result<std::unique_ptr<emulator::EmulatedServer>> StartVllm(const std::string& listen, const std::string& preset,
                                                            int engines, const std::string& scenario,
                                                            const std::string& otlp_grpc, uint64_t seed) {
  EmulatedServerSpec spec;
  spec.listen = listen;
  spec.preset = preset;
  spec.data_parallel_size = engines;
  spec.scenario = scenario;
  spec.seed = seed;
  spec.otlp_traces_endpoint = "grpc://" + otlp_grpc;
  INFERMETRY_ASSIGN_OR_RETURN(emulator::EmulatedServerOptions o, ResolveServer(spec));
  INFERMETRY_ASSIGN_OR_RETURN(telemetry::TracerOptions t, emulator::VllmTracerOptions(o.otlp_traces_endpoint));
  if (std::getenv("OTEL_SERVICE_NAME") == nullptr) t.service_name = "vllm-server";
  o.tracer = t;
  return emulator::EmulatedServer::Start(std::move(o));
}

loadgen::LoadgenOptions Traffic(const std::string& address, double rate, uint64_t seed,
                                const std::atomic<bool>* stop) {
  loadgen::LoadgenOptions o;
  o.url = "http://" + address;
  o.rate = rate;
  o.requests = 0;
  o.duration = std::chrono::hours(24 * 365);
  o.prompt_len = *loadgen::LengthDistribution::Parse("uniform:40:600");
  o.output_len = *loadgen::LengthDistribution::Parse("uniform:16:256");
  o.shared_prefix = 0.3;
  o.max_concurrency = 64;
  o.seed = seed;
  o.progress = loadgen::ProgressMode::kOff;
  o.stop = stop;
  return o;
}

constexpr const char* kQuestions[] = {
    "How does continuous batching raise GPU utilization?",
    "What does a high KV cache usage mean for latency?",
    "Why do preemptions show up as slow requests?",
    "How is time to first token measured?",
    "What is prefix caching good for in RAG pipelines?",
    "When should I add another vLLM replica?",
};

// The two vLLM servers' past traffic, simulated up to now, so that the live scrapes continue
// their series. A store that already holds metrics is left as it is.
Status WriteHistory(const DemoFlags& f) {
  if (f.history == "0") return Status::Ok();
  INFERMETRY_ASSIGN_OR_RETURN(std::chrono::milliseconds duration, ParseDuration(f.history));
  if (duration.count() <= 0) return Status::Ok();
  if (std::filesystem::exists(f.data_dir + "/metrics")) {
    log::Info("the store already holds metrics: no history simulated", {{"data", f.data_dir}});
    return Status::Ok();
  }
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = now - std::chrono::duration<double>(duration).count();
  std::vector<SimulateRequest> servers;
  for (const auto& [listen, preset, engines, scenario, seed] :
       {std::tuple{f.vllm, "opt-125m-t4", 1, f.scenario, 1}, std::tuple{f.vllm2, "llama-3-8b-a100", 2, std::string("healthy"), 2}}) {
    SimulateRequest& r = servers.emplace_back();
    r.spec.listen = listen;
    r.spec.preset = preset;
    r.spec.data_parallel_size = engines;
    r.spec.scenario = scenario;
    r.spec.seed = seed;
    r.data_dir = f.data_dir;
    r.duration = duration;
    r.start = start;
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<emulator::SimulateReport> reports, SimulateIntoDataDir(servers));
  for (size_t i = 0; i < servers.size(); ++i) log::Info(DescribeSimulation(servers[i], reports[i]));
  return Status::Ok();
}

}  // namespace

int RunDemo(int argc, char** argv) {
  CLI::App app{"Run the whole stack without a GPU: emulated vLLM servers, a RAG app, traffic, the "
               "pipelines and the store, in one process.",
               argv[0]};
  DemoFlags f;
  double seconds = 0;
  app.add_option("--listen", f.listen, "store API address")->capture_default_str();
  app.add_option("--vllm", f.vllm, "emulated vLLM serving facebook/opt-125m (1 engine, T4)")->capture_default_str();
  app.add_option("--vllm2", f.vllm2, "emulated vLLM serving Llama-3-8B (2 engines, A100)")->capture_default_str();
  app.add_option("--rag", f.rag, "the RAG app")->capture_default_str();
  app.add_option("--otlp-grpc", f.otlp_grpc, "OTLP/gRPC receiver")->capture_default_str();
  app.add_option("--otlp-http", f.otlp_http, "OTLP/HTTP receiver")->capture_default_str();
  app.add_option("--data-dir", f.data_dir, "store directory (default: a new temporary directory)");
  app.add_option("--scenario", f.scenario, "scenario of the opt-125m server (infermetry emulate --list)")
      ->capture_default_str();
  app.add_option("--rate", f.rate, "requests/s sent to each vLLM server")->capture_default_str();
  app.add_option("--rag-rate", f.rag_rate, "RAG questions/s")->capture_default_str();
  app.add_option("--duration", seconds, "stop after this many seconds (default: at Ctrl-C)");
  app.add_option("--history", f.history,
                 "simulate this much past traffic of both vLLM servers into a new store before starting, so "
                 "the dashboards have data at once (0: none)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto fail = [](const Status& st) {
    std::fprintf(stderr, "infermetry demo: %s\n", st.message().c_str());
    return 1;
  };
  if (f.data_dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "infermetry-demo-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return fail(Internal("cannot create a temporary data directory"));
    f.data_dir = tmpl;
  }
  if (Status st = WriteHistory(f); !st.ok()) return fail(st.WithContext("--history"));
  BlockTerminationSignals();

  StorageOptions storage;
  storage.path = f.data_dir;
  storage.wal_sync = wal::SyncPolicy::kBatch;
  auto doc = config::Document::LoadString(DemoConfig(f), "<demo config>");
  if (!doc.ok()) return fail(doc.status());
  auto rt = ServeRuntime::Start(std::make_unique<config::Document>(std::move(*doc)), storage, f.listen);
  if (!rt.ok()) return fail(rt.status());

  auto vllm = StartVllm(f.vllm, "opt-125m-t4", 1, f.scenario, f.otlp_grpc, 1);
  if (!vllm.ok()) return fail(vllm.status());
  auto vllm2 = StartVllm(f.vllm2, "llama-3-8b-a100", 2, "healthy", f.otlp_grpc, 2);
  if (!vllm2.ok()) return fail(vllm2.status());

  telemetry::TracerOptions to;
  to.service_name = "rag-app";
  to.scope_name = "rag-app";
  to.endpoint = "grpc://" + f.otlp_grpc;
  auto rag_tracer = telemetry::Tracer::Create(to);
  if (!rag_tracer.ok()) return fail(rag_tracer.status());
  rag::RagOptions ro;
  ro.listen = f.rag;
  ro.vllm_url = "http://" + (*vllm)->address();
  ro.model = "facebook/opt-125m";
  ro.tracer = rag_tracer->get();
  auto rag_app = rag::RagApp::Start(ro);
  if (!rag_app.ok()) return fail(rag_app.status());

  std::atomic<bool> stop{false};
  std::vector<std::thread> traffic;
  for (auto* server : {vllm->get(), vllm2->get()}) {
    loadgen::LoadgenOptions lo = Traffic(server->address(), f.rate, traffic.size() + 1, &stop);
    traffic.emplace_back([lo] {
      auto r = loadgen::Run(lo);
      if (!r.ok()) log::Warn("demo traffic stopped", {{"url", lo.url}, {"err", r.status().ToString()}});
    });
  }
  traffic.emplace_back([&] {
    std::mt19937_64 rng(3);
    std::exponential_distribution<double> gap(f.rag_rate > 0 ? f.rag_rate : 1);
    for (size_t i = 0; !stop && f.rag_rate > 0; ++i) {
      auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(gap(rng));
      while (!stop && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (stop) break;
      rag::QueryRequest q;
      q.question = kQuestions[i % std::size(kQuestions)];
      auto a = (*rag_app)->Query(q, nullptr);
      if (!a.ok()) log::Debug("demo RAG query failed", {{"err", a.status().ToString()}});
    }
  });

  std::printf(
      "infermetry demo is running (data in %s)\n"
      "  store API                 http://%s   e.g. /api/v1/series?match[]=vllm:num_requests_running,\n"
      "                            /api/v1/services, /api/v1/spans?service=rag-app\n"
      "  vLLM facebook/opt-125m    http://%s   (/v1/models, /v1/completions, /metrics)\n"
      "  vLLM Llama-3-8B, 2 engines http://%s\n"
      "  RAG app                   http://%s/query?q=What+is+prefix+caching   (/metrics)\n"
      "  OTLP                      grpc %s, http %s\n"
      "Traffic: %.1f requests/s per vLLM server, %.1f RAG questions/s. Ctrl-C stops.\n",
      f.data_dir.c_str(), (*rt)->address().c_str(), (*vllm)->address().c_str(), (*vllm2)->address().c_str(),
      (*rag_app)->address().c_str(), f.otlp_grpc.c_str(), f.otlp_http.c_str(), f.rate, f.rag_rate);
  std::fflush(stdout);

  if (seconds > 0) {
    std::thread timer([seconds] {
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      kill(getpid(), SIGTERM);  // to the process, where the main thread waits for it
    });
    timer.detach();
  }
  int sig = WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", sig}});
  stop = true;
  for (auto& t : traffic) t.join();
  (*rag_app)->Shutdown(std::chrono::seconds(2));
  (*vllm)->Shutdown();
  (*vllm2)->Shutdown();
  (void)(*rag_tracer)->Flush(std::chrono::seconds(2));
  return (*rt)->Stop().ok() ? 0 : 1;
}

}  // namespace infermetry::cmd
