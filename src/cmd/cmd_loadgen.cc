// `infermetry loadgen`: load against any OpenAI-compatible server, with the client-side
// latencies (TTFT, inter-token, end to end) printed as percentiles.

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cmd/command.h"
#include "common/duration.h"
#include "loadgen/loadgen.h"

namespace infermetry::cmd {

int RunLoadgen(int argc, char** argv) {
  CLI::App app{"Send requests to an OpenAI-compatible server (vLLM, infermetry emulate) and report "
               "client-side TTFT, inter-token latency and end-to-end percentiles.",
               argv[0]};
  loadgen::LoadgenOptions o;
  std::string endpoint = "completions", arrival = "poisson", prompt_len = "128", output_len = "128";
  std::string duration, progress = "auto";
  double temperature = -1;
  app.add_option("--url", o.url, "server base URL")->capture_default_str();
  app.add_option("--model", o.model, "model name (default: the first of GET /v1/models)");
  app.add_option("--endpoint", endpoint, "completions | chat")->capture_default_str();
  app.add_option("--rate", o.rate, "requests per second (open loop); 0 = closed loop at --concurrency")
      ->capture_default_str();
  app.add_option("--arrival", arrival, "poisson | fixed (open loop)")->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "requests in flight (closed loop)")->capture_default_str();
  app.add_option("--max-concurrency", o.max_concurrency, "cap on requests in flight (open loop)")
      ->capture_default_str();
  app.add_option("--requests,-n", o.requests, "number of requests (0 = until --duration)")->capture_default_str();
  app.add_option("--duration", duration, "stop sending after this long, e.g. 60s or 5m");
  app.add_option("--prompt-len", prompt_len,
                 "prompt length in words: N, uniform:LO:HI or normal:MEAN:SD:LO:HI")
      ->capture_default_str();
  app.add_option("--output-len", output_len, "max_tokens per request, same forms")->capture_default_str();
  app.add_option("--shared-prefix", o.shared_prefix, "fraction of each prompt shared by all requests (0..1)")
      ->capture_default_str();
  app.add_flag("!--no-stream", o.stream, "non-streaming requests (no TTFT/ITL measurement)");
  app.add_flag("!--no-usage", o.include_usage, "streaming without stream_options.include_usage");
  app.add_flag("--ignore-eos", o.ignore_eos, "always generate max_tokens (vLLM's ignore_eos)");
  app.add_option("--temperature", temperature, "sampling temperature (default: not sent)");
  app.add_option("--seed", o.seed, "seed of prompts, lengths and arrival gaps")->capture_default_str();
  app.add_option("--api-key", o.api_key, "sent as Authorization: Bearer");
  app.add_option("--progress", progress, "auto | on | off (a one-line bar on stderr)")->capture_default_str();
  app.add_option("--json", o.json_path, "also write the report as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  auto fail = [](const Status& st) {
    std::fprintf(stderr, "infermetry loadgen: %s\n", st.message().c_str());
    return 2;
  };
  auto ep = loadgen::ParseEndpoint(endpoint);
  if (!ep.ok()) return fail(ep.status());
  o.endpoint = *ep;
  auto ap = loadgen::ParseArrivalProcess(arrival);
  if (!ap.ok()) return fail(ap.status());
  o.arrival = *ap;
  auto pl = loadgen::LengthDistribution::Parse(prompt_len);
  if (!pl.ok()) return fail(pl.status().WithContext("--prompt-len"));
  o.prompt_len = *pl;
  auto ol = loadgen::LengthDistribution::Parse(output_len);
  if (!ol.ok()) return fail(ol.status().WithContext("--output-len"));
  o.output_len = *ol;
  if (!duration.empty()) {
    auto d = ParseDuration(duration);
    if (!d.ok()) return fail(d.status().WithContext("--duration"));
    o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    if (!app.count("--requests")) o.requests = 0;
  }
  if (temperature >= 0) o.temperature = temperature;
  o.progress = progress == "on" ? loadgen::ProgressMode::kOn
               : progress == "off" ? loadgen::ProgressMode::kOff
                                   : loadgen::ProgressMode::kAuto;

  // Ctrl-C stops sending; what is in flight finishes and the report is printed.
  static std::atomic<bool> stop{false};
  o.stop = &stop;
  std::signal(SIGINT, [](int) { stop = true; });
  std::signal(SIGTERM, [](int) { stop = true; });
  auto report = loadgen::Run(o);
  if (!report.ok()) return fail(report.status());
  std::fputs(loadgen::FormatTable(*report).c_str(), stdout);
  return 0;
}

}  // namespace infermetry::cmd
