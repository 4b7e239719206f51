#pragma once
// Test helpers for the vLLM /metrics tests: a family-level view of an exposition (parsed with
// infermetry's own text parser), the reference table test/data/vllm/metrics-reference.tsv,
// and a fixed stream of engine stats to feed VllmMetrics.

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/metrics/vllm_metrics.h"
#include "ingest/textparse/parser.h"
#include "model/metric_type.h"

namespace infermetry::emulator::testing {

// What the tests compare per family.
struct FamilyView {
  std::string name;  // as on the TYPE line
  std::string type;
  std::string help;
  std::vector<std::string> labels;   // union of label names over the family's samples, sorted
  std::vector<std::string> buckets;  // le values of the first series, in order
  int samples = 0;
};

struct ParsedExposition {
  std::vector<FamilyView> families;  // in order of appearance
  std::vector<std::string> errors;   // parser errors and structural problems
  // Every sample as "name{labels as written}" -> value.
  std::map<std::string, double> series;

  const FamilyView* Find(std::string_view name) const {
    for (const FamilyView& f : families) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
};

inline ParsedExposition ParseExposition(std::string_view text) {
  ParsedExposition out;
  textparse::Parser p(text, textparse::Format::kPrometheusText);
  std::set<std::string> labels;
  std::set<std::string> seen_le;
  auto flush = [&] {
    if (out.families.empty()) return;
    out.families.back().labels.assign(labels.begin(), labels.end());
    labels.clear();
    seen_le.clear();
  };
  for (textparse::Entry e; (e = p.Next()) != textparse::Entry::kEof;) {
    switch (e) {
      case textparse::Entry::kHelp: {
        flush();
        FamilyView f;
        f.name = std::string(p.FamilyName());
        f.help = std::string(p.Help());
        out.families.push_back(std::move(f));
        break;
      }
      case textparse::Entry::kType:
        if (out.families.empty() || out.families.back().name != p.FamilyName()) {
          out.errors.push_back("TYPE without HELP: " + std::string(p.FamilyName()));
          break;
        }
        out.families.back().type = std::string(model::MetricTypeName(p.Type()));
        break;
      case textparse::Entry::kSeries: {
        if (out.families.empty() || p.FamilyName() != out.families.back().name) {
          out.errors.push_back("sample outside its family: " + std::string(p.Series()));
          break;
        }
        FamilyView& f = out.families.back();
        ++f.samples;
        std::string_view name = p.MetricName();
        std::string prev;
        for (const textparse::LabelView& l : p.Labels()) {
          labels.insert(std::string(l.name));
          if (!prev.empty() && !(prev < l.name)) {
            out.errors.push_back("labels not sorted: " + std::string(p.Series()));
          }
          prev = std::string(l.name);
          if (l.name == "le" && name.size() > 7 && name.substr(name.size() - 7) == "_bucket" &&
              seen_le.insert(std::string(l.value)).second) {
            f.buckets.push_back(std::string(l.value));
          }
        }
        out.series[std::string(p.Series())] = p.Value();
        break;
      }
      case textparse::Entry::kInvalid:
        out.errors.push_back(p.error().message);
        break;
      default:
        break;
    }
  }
  flush();
  return out;
}

// One row of test/data/vllm/metrics-reference.tsv (see the file's header).
struct ReferenceRow {
  std::string name, type, help, labels, buckets, layouts, condition, max_model_len;
  bool InLayout(std::string_view layout) const {
    std::stringstream ss(layouts);
    for (std::string t; std::getline(ss, t, ',');) {
      if (t == layout) return true;
    }
    return false;
  }
};

inline std::optional<std::string> TestDataDir() {
  const char* dir = std::getenv("INFERMETRY_TESTDATA");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  return std::string(dir);
}

inline std::vector<ReferenceRow> LoadReference(const std::string& path) {
  std::vector<ReferenceRow> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> c;
    size_t start = 0;
    for (;;) {
      size_t tab = line.find('\t', start);
      c.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (c.size() != 8) continue;
    rows.push_back({c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]});
  }
  return rows;
}

inline std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

inline VllmMetricsOptions Options(MetricsLayout layout, int engines, int max_model_len,
                                  std::string model = "Qwen/Qwen3-0.6B") {
  VllmMetricsOptions o;
  EngineConfig c;
  c.model = std::move(model);
  c.max_model_len = max_model_len;
  c.num_gpu_blocks = 27150;
  for (int i = 0; i < engines; ++i) o.engines.push_back(c);
  o.layout = layout;
  o.start_time = 1795458885.25;
  o.read_proc_self = false;
  return o;
}

inline FinishedRequestStats Finished(std::string reason, int prompt, int generated, double e2e) {
  FinishedRequestStats r;
  r.finish_reason = std::move(reason);
  r.num_prompt_tokens = prompt;
  r.num_generation_tokens = generated;
  r.e2e_latency = e2e;
  r.queued_time = e2e * 0.1;
  r.prefill_time = e2e * 0.2;
  r.inference_time = e2e * 0.9;
  r.decode_time = e2e * 0.7;
  r.mean_time_per_output_token = generated > 1 ? r.decode_time / (generated - 1) : 0;
  r.max_tokens_param = generated < 64 ? 64 : 0;
  r.num_cached_tokens = prompt / 4;
  return r;
}

// Two chat requests finish on every engine, with one HTTP request each.
inline void FeedTraffic(VllmMetrics* m, int engines) {
  for (int e = 0; e < engines; ++e) {
    SchedulerStats s;
    s.num_running_reqs = 2;
    s.kv_cache_usage = 0.01;
    s.prefix_cache_queries = 26;
    IterationStats it;
    it.iteration_timestamp = 1795458890.5;
    it.num_prompt_tokens = 26;
    it.prompt_tokens_local_compute = 26;
    it.num_generation_tokens = 2;
    it.time_to_first_tokens_iter = {0.02, 0.03};
    m->Record(e, s, &it);
    IterationStats it2;
    it2.iteration_timestamp = 1795458891.0;
    it2.num_generation_tokens = 2;
    it2.inter_token_latencies_iter = {0.015, 0.016};
    it2.finished_requests = {Finished("stop", 13, 7, 0.2), Finished("length", 13, 50, 0.9)};
    m->Record(e, SchedulerStats{}, &it2);
  }
  m->RecordHttp("/v1/chat/completions", "POST", 200, 98, 0, 0.093);
  m->RecordHttp("/v1/chat/completions", "POST", 200, 98, 0, 0.4);
}

}  // namespace infermetry::emulator::testing
