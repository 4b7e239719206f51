#include "loadgen/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/strconv.h"

namespace infermetry::loadgen {
namespace {

void AppendDistributionJson(std::string* out, const char* name, const Distribution& d) {
  *out += fmt::format(
      "\"{}\":{{\"count\":{},\"mean\":{},\"p50\":{},\"p90\":{},\"p95\":{},"
      "\"p99\":{},\"max\":{}}}",
      name, d.count, d.mean, d.p50, d.p90, d.p95, d.p99, d.max);
}

// A figure, right-aligned with the others.
void Row(std::string* out, std::string_view label, const std::string& value) {
  *out += fmt::format("{:<40} {:>12}\n", std::string(label) + ":", value);
}

// A description of the run, left-aligned.
void TextRow(std::string* out, std::string_view label, const std::string& value) {
  *out += fmt::format("{:<40} {}\n", std::string(label) + ":", value);
}

}  // namespace

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = static_cast<size_t>(std::ceil(rank));
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Distribution Summarize(std::vector<double> values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(d.count);
  d.p50 = Percentile(values, 50);
  d.p90 = Percentile(values, 90);
  d.p95 = Percentile(values, 95);
  d.p99 = Percentile(values, 99);
  d.max = values.back();
  return d;
}

Report BuildReport(const std::vector<RequestResult>& results) {
  Report r;
  r.requests = results.size();
  std::vector<double> ttft, itl, tpot, e2e;
  double first = 0, last = 0;
  bool any = false;
  for (const RequestResult& q : results) {
    if (!any || q.start < first) first = q.start;
    if (!any || q.start + q.e2e > last) last = q.start + q.e2e;
    any = true;
    if (!q.ok) {
      ++r.failed;
      ++r.errors[q.error_kind.empty() ? "unknown" : q.error_kind];
      continue;
    }
    ++r.succeeded;
    r.prompt_tokens += q.prompt_tokens;
    r.completion_tokens += q.completion_tokens;
    if (!q.usage_reported) ++r.usage_missing;
    e2e.push_back(q.e2e);
    if (q.ttft >= 0) {
      ttft.push_back(q.ttft);
      itl.insert(itl.end(), q.itl.begin(), q.itl.end());
      if (q.completion_tokens > 1) {
        tpot.push_back((q.e2e - q.ttft) / static_cast<double>(q.completion_tokens - 1));
      }
    }
  }
  r.duration = last - first;
  if (r.duration > 0) {
    r.request_throughput = static_cast<double>(r.succeeded) / r.duration;
    r.output_throughput = static_cast<double>(r.completion_tokens) / r.duration;
    r.total_throughput = static_cast<double>(r.prompt_tokens + r.completion_tokens) / r.duration;
  }
  r.ttft = Summarize(std::move(ttft));
  r.itl = Summarize(std::move(itl));
  r.tpot = Summarize(std::move(tpot));
  r.e2e = Summarize(std::move(e2e));
  return r;
}

std::string FormatTable(const Report& r) {
  std::string out;
  out += fmt::format("{:=^53}\n", " Serving Benchmark Result ");
  TextRow(&out, "Target", r.url);
  TextRow(&out, "Model", r.model);
  TextRow(&out, "Endpoint", r.endpoint + (r.stream ? " (streaming)" : ""));
  if (r.rate > 0) {
    Row(&out, "Request rate (req/s, " + r.arrival + ")", fmt::format("{:.2f}", r.rate));
    Row(&out, "Max concurrency", std::to_string(r.concurrency));
  } else {
    Row(&out, "Concurrency (closed loop)", std::to_string(r.concurrency));
  }
  TextRow(&out, "Prompt / output length", r.prompt_len + " / " + r.output_len);
  Row(&out, "Successful requests", std::to_string(r.succeeded));
  Row(&out, "Failed requests", std::to_string(r.failed));
  for (const auto& [kind, n] : r.errors) Row(&out, "  " + kind, std::to_string(n));
  Row(&out, "Duration (s)", fmt::format("{:.2f}", r.duration));
  Row(&out, "Total input tokens", std::to_string(r.prompt_tokens));
  Row(&out, "Total generated tokens", std::to_string(r.completion_tokens));
  if (r.usage_missing > 0) {
    Row(&out, "  (estimated, no usage reported)", std::to_string(r.usage_missing) + " req");
  }
  Row(&out, "Request throughput (req/s)", fmt::format("{:.2f}", r.request_throughput));
  Row(&out, "Output token throughput (tok/s)", fmt::format("{:.2f}", r.output_throughput));
  Row(&out, "Total token throughput (tok/s)", fmt::format("{:.2f}", r.total_throughput));
  out += fmt::format("{:-^53}\n", "");
  out += fmt::format("{:<12}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>8}\n", "Latency (ms)", "mean", "p50",
                     "p90", "p95", "p99", "max", "n");
  auto line = [&](const char* name, const Distribution& d) {
    if (d.count == 0) {
      out += fmt::format("{:<12}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>8}\n", name, "-", "-", "-", "-",
                         "-", "-", 0);
      return;
    }
    out += fmt::format("{:<12}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}{:>8}\n", name,
                       d.mean * 1e3, d.p50 * 1e3, d.p90 * 1e3, d.p95 * 1e3, d.p99 * 1e3,
                       d.max * 1e3, d.count);
  };
  line("TTFT", r.ttft);
  line("ITL", r.itl);
  line("TPOT", r.tpot);
  line("E2E", r.e2e);
  out += fmt::format("{:=^53}\n", "");
  return out;
}

std::string ToJson(const Report& r) {
  std::string out = "{";
  auto str = [&](const char* key, const std::string& v) {
    out += fmt::format("\"{}\":", key);
    AppendJsonString(&out, v);
    out += ",";
  };
  str("url", r.url);
  str("model", r.model);
  str("endpoint", r.endpoint);
  str("arrival", r.arrival);
  str("prompt_len", r.prompt_len);
  str("output_len", r.output_len);
  out +=
      fmt::format("\"rate\":{},\"concurrency\":{},\"stream\":{},", r.rate, r.concurrency, r.stream);
  out += fmt::format("\"duration\":{},\"requests\":{},\"succeeded\":{},\"failed\":{},", r.duration,
                     r.requests, r.succeeded, r.failed);
  out += "\"errors\":{";
  bool first = true;
  for (const auto& [kind, n] : r.errors) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(&out, kind);
    out += ":" + std::to_string(n);
  }
  out += "},";
  out += fmt::format(
      "\"prompt_tokens\":{},\"completion_tokens\":{},\"usage_missing\":{},"
      "\"request_throughput\":{},\"output_throughput\":{},\"total_throughput\":{},",
      r.prompt_tokens, r.completion_tokens, r.usage_missing, r.request_throughput,
      r.output_throughput, r.total_throughput);
  AppendDistributionJson(&out, "ttft", r.ttft);
  out += ",";
  AppendDistributionJson(&out, "itl", r.itl);
  out += ",";
  AppendDistributionJson(&out, "tpot", r.tpot);
  out += ",";
  AppendDistributionJson(&out, "e2e", r.e2e);
  out += "}";
  return out;
}

}  // namespace infermetry::loadgen
