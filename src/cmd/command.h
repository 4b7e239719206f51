#pragma once
// Subcommands of the `infermetry` binary. Each entry parses its own flags (CLI11, so `--help`
// works on every one) and returns the process exit code.

#include <string_view>

namespace infermetry::cmd {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);  // argv[0] is "infermetry <name>"
};

int RunCollect(int argc, char** argv);
int RunDemo(int argc, char** argv);
int RunEmulate(int argc, char** argv);
int RunLoadgen(int argc, char** argv);
int RunProxy(int argc, char** argv);
int RunRules(int argc, char** argv);
int RunScrape(int argc, char** argv);
int RunServe(int argc, char** argv);
int RunValidate(int argc, char** argv);
int RunVersion(int argc, char** argv);

// Blocks until SIGINT or SIGTERM arrives. Call BlockTerminationSignals() first, before any
// thread starts, so that the signal is delivered here and not to a worker thread.
void BlockTerminationSignals();
int WaitForTerminationSignal();

}  // namespace infermetry::cmd
