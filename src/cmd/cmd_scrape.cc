// `infermetry scrape`: what would be stored, printed. Each scrape's samples are printed as
//   name{labels} value timestamp_ms
// (staleness markers print as "StaleNaN"), in text or as JSON lines with --format json.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <thread>

#include "cmd/command.h"
#include "common/log.h"
#include "common/strconv.h"
#include "config/scrape_yaml.h"
#include "ingest/scrape/scraper.h"
#include "model/sample.h"
#include "storage/memory_appendable.h"

namespace infermetry::cmd {
namespace {

void Print(std::vector<storage::StoredSample> samples, bool json) {
  std::string out;
  for (const auto& s : samples) {
    std::string value = model::IsStaleNaN(s.v) ? "StaleNaN" : FormatGoFloat(s.v);
    if (json) {
      out.append("{\"labels\":{");
      bool first = true;
      for (const auto& l : s.labels) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(&out, l.name);
        out.push_back(':');
        AppendJsonString(&out, l.value);
      }
      out.append("},\"value\":");
      AppendJsonString(&out, value);
      out.append(",\"timestamp_ms\":").append(std::to_string(s.t_ms)).append("}\n");
    } else {
      out.append(s.labels.ToString()).push_back(' ');
      out.append(value).push_back(' ');
      out.append(std::to_string(s.t_ms)).push_back('\n');
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int RunScrape(int argc, char** argv) {
  CLI::App app{"Scrape the targets of a Prometheus-style config and print every sample that would be stored.",
               argv[0]};
  std::string path, format = "text";
  bool once = false;
  app.add_option("--config", path, "config file with global and scrape_configs")->required();
  bool print = true;
  app.add_flag("--print", print, "print samples to stdout (the default, and the only sink for now)");
  app.add_flag("--once", once, "scrape every target once, print, and exit");
  app.add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  CLI11_PARSE(app, argc, argv);
  bool json = format == "json";

  auto cfg = config::LoadScrapeFile(path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
    return 1;
  }
  storage::MemoryAppendable sink;
  scrape::Scraper scraper(std::move(*cfg), &sink);
  if (scraper.num_targets() == 0) {
    std::fprintf(stderr, "%s: no targets\n", path.c_str());
    return 1;
  }
  if (once) {
    auto reports = scraper.ScrapeOnce();
    Print(sink.Take(), json);
    bool all_up = true;
    for (const auto& r : reports) all_up = all_up && r.up;
    return all_up ? 0 : 3;
  }
  BlockTerminationSignals();
  Status st = scraper.Start();
  if (!st.ok()) {
    log::Error("cannot start scraping", {{"err", st.ToString()}});
    return 1;
  }
  log::Info("scraping", {{"targets", scraper.num_targets()}, {"config", path}});
  std::atomic<bool> done{false};
  std::thread printer([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      Print(sink.Take(), json);
    }
  });
  WaitForTerminationSignal();
  scraper.Stop();
  done.store(true);
  printer.join();
  Print(sink.Take(), json);
  return 0;
}

}  // namespace infermetry::cmd
