// infermetry: one binary, subcommands dispatched from one table.

#include <cstdio>
#include <cstring>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "cmd/command.h"
#include "common/log.h"

namespace infermetry::cmd {

int RunQuery(int argc, char** argv);  // cmd_query.cc

namespace {

constexpr Command kCommands[] = {
    {"collect", "run an OpenTelemetry Collector configuration (receivers, processors, exporters)", RunCollect},
    {"demo", "run emulated vLLM servers, a RAG app, traffic, the pipelines and the store in one process", RunDemo},
    {"emulate", "emulated vLLM servers (OpenAI API, /metrics, traces), or a scenario on a simulated clock", RunEmulate},
    {"loadgen", "load an OpenAI-compatible server and report client-side TTFT/ITL/e2e percentiles", RunLoadgen},
    {"proxy", "re-expose an upstream /metrics with normalized metric names", RunProxy},
    {"query", "run an SQL query against a running server or a data directory", RunQuery},
    {"rules", "check rule files, print the built-in vLLM rules, or evaluate rules over stored history", RunRules},
    {"scrape", "scrape Prometheus targets from a config and print the samples", RunScrape},
    {"serve", "run the pipelines with the embedded store and its read API", RunServe},
    {"validate", "check a configuration file and report errors with file:line", RunValidate},
    {"version", "print the version", RunVersion},
};

void Usage(FILE* out) {
  std::fprintf(out, "infermetry %s: observability for LLM inference servers\n\n", INFERMETRY_VERSION);
  std::fprintf(out, "Usage: infermetry <command> [flags]   (infermetry <command> --help for flags)\n\nCommands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(out, "  %-10s %.*s\n", std::string(c.name).c_str(), static_cast<int>(c.summary.size()),
                 c.summary.data());
  }
}

}  // namespace
}  // namespace infermetry::cmd

int main(int argc, char** argv) {
  using infermetry::cmd::kCommands;
  // Protobuf logs every string it refuses (e.g. invalid UTF-8 from a client) to stderr; route
  // that to debug logs so that a misbehaving client cannot flood them. Bad data is answered and
  // counted by the receivers anyway.
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char* file, int line, const std::string& msg) {
    infermetry::log::Debug("protobuf", {{"file", file}, {"line", line}, {"msg", msg}});
  });
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    infermetry::cmd::Usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) return infermetry::cmd::RunVersion(argc - 1, argv + 1);
  for (const auto& c : kCommands) {
    if (c.name == argv[1]) {
      std::string name = std::string("infermetry ") + argv[1];
      argv[1] = name.data();
      return c.run(argc - 1, argv + 1);
    }
  }
  std::fprintf(stderr, "infermetry: unknown command \"%s\"\n\n", argv[1]);
  infermetry::cmd::Usage(stderr);
  return 2;
}
