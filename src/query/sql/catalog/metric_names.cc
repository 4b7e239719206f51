#include "query/sql/catalog/metric_names.h"

#include <set>

namespace infermetry::sql::catalog {

namespace {

constexpr std::string_view kAliasSuffixes[] = {"",     "_total", "_bucket",
                                               "_sum", "_count", "_created"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// `name` (canonical spelling) as a regex accepting ':' or '_' at each underscore.
void AppendSpelling(std::string* out, std::string_view name) {
  for (char c : name) {
    if (c == '_') {
      *out += "[_:]";
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      *out += c;
    } else {
      *out += '\\';  // names hold no other characters; escape anything else to stay literal
      *out += c;
    }
  }
}

}  // namespace

const std::vector<MetricAlias>& MetricAliases() {
  // vLLM renames (reference: vLLM's metrics changelog). Only names whose meaning and unit
  // stayed the same are aliases; gauges replaced by rates of counters are not.
  static const std::vector<MetricAlias> kAliases = {
      {"vllm_gpu_cache_usage_perc", "vllm_kv_cache_usage_perc"},
      {"vllm_gpu_prefix_cache_queries", "vllm_prefix_cache_queries"},
      {"vllm_gpu_prefix_cache_hits", "vllm_prefix_cache_hits"},
      {"vllm_time_per_output_token_seconds", "vllm_inter_token_latency_seconds"},
      {"vllm_time_in_queue_requests", "vllm_request_queue_time_seconds"},
  };
  return kAliases;
}

std::string CanonicalMetricName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == ':') c = '_';
  }
  for (const MetricAlias& a : MetricAliases()) {
    if (out.size() < a.old_name.size() ||
        std::string_view(out).substr(0, a.old_name.size()) != a.old_name) {
      continue;
    }
    std::string_view rest = std::string_view(out).substr(a.old_name.size());
    for (std::string_view suffix : kAliasSuffixes) {
      if (rest == suffix) return std::string(a.current_name) + std::string(suffix);
    }
  }
  return out;
}

std::string SpellingsRegex(const std::vector<std::string>& canonical_names,
                           bool with_histogram_parts) {
  std::set<std::string> spellings;
  for (const std::string& n : canonical_names) {
    spellings.insert(n);
    for (const MetricAlias& a : MetricAliases()) {
      for (std::string_view suffix : kAliasSuffixes) {
        if (n.size() == a.current_name.size() + suffix.size() &&
            std::string_view(n).substr(0, a.current_name.size()) == a.current_name &&
            EndsWith(n, suffix)) {
          spellings.insert(std::string(a.old_name) + std::string(suffix));
        }
      }
    }
  }
  std::string re = "(";
  bool first = true;
  for (const std::string& s : spellings) {
    if (!first) re += '|';
    first = false;
    AppendSpelling(&re, s);
  }
  re += ")";
  if (with_histogram_parts) re += "([_:]bucket|[_:]sum|[_:]count)?";
  return re;
}

Result<storage::Matcher> NameMatcher(const std::vector<std::string>& canonical_names,
                                     bool with_histogram_parts) {
  return storage::Matcher::Make(storage::Matcher::Op::kRe, std::string(model::kMetricName),
                                SpellingsRegex(canonical_names, with_histogram_parts));
}

}  // namespace infermetry::sql::catalog
