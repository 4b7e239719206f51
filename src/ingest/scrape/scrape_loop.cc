#include "ingest/scrape/scrape_loop.h"

#include "common/log.h"
#include "common/self_metrics.h"
#include "ingest/textparse/parser.h"
#include "model/sample.h"

namespace infermetry::scrape {
namespace {

selfmon::Family<selfmon::Counter>& ParseErrorsMetric() {
  static auto& f = selfmon::Default().AddCounter(
      "infermetry_scrape_parse_errors_total",
      "Lines of scraped bodies that failed to parse, by job and reason; the rest of the body is kept.",
      {"job", "reason"});
  return f;
}

selfmon::Family<selfmon::Counter>& DroppedSamplesMetric() {
  static auto& f = selfmon::Default().AddCounter(
      "infermetry_scrape_samples_dropped_total",
      "Scraped samples not stored, by job and reason (duplicate, sample_limit, or the store's error code).",
      {"job", "reason"});
  return f;
}

const std::string_view kReportNames[] = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                                         "scrape_samples_post_metric_relabeling",
                                         "scrape_series_added"};

}  // namespace

ScrapeLoop::ScrapeLoop(Target target, storage::Appendable* app)
    : target_(std::move(target)), appendable_(app) {}

ScrapeReport ScrapeLoop::Append(std::string_view body, std::string_view content_type,
                                int64_t t_ms, double duration_seconds, const Status& fetch_error) {
  ++iter_;
  ScrapeReport r;
  r.duration_seconds = duration_seconds;
  r.error = fetch_error;
  const ScrapeConfig& cfg = *target_.config;
  const std::string& job = cfg.job_name;
  auto app = appendable_->NewAppender();

  if (fetch_error.ok()) {
    textparse::Parser p(body, textparse::FormatFromContentType(content_type));
    model::LabelsBuilder b;
    storage::Metadata md;  // of the family being read
    auto enter_family = [&md](std::string_view family) {
      if (md.family == family) return;
      md = storage::Metadata();
      md.family = family;
    };
    for (;;) {
      textparse::Entry e = p.Next();
      if (e == textparse::Entry::kEof) break;
      if (e == textparse::Entry::kInvalid) {
        if (r.parse_errors++ == 0) {
          log::Warn("scraped body has a malformed line; skipping it",
                    {{"job", job}, {"target", target_.url}, {"err", p.error().ToString()}});
        }
        ParseErrorsMetric().With({job, textparse::ParseErrorReasonName(p.error().reason)}).Inc();
        continue;
      }
      if (e == textparse::Entry::kHelp || e == textparse::Entry::kUnit) {
        // HELP and UNIT precede their family's samples; remember them for new series.
        enter_family(p.FamilyName());
        if (e == textparse::Entry::kHelp) {
          md.help = p.Help();
        } else {
          md.unit = p.Unit();
        }
        continue;
      }
      if (e != textparse::Entry::kSeries) continue;
      ++r.samples_scraped;
      std::string_view raw = p.Series();
      auto it = cache_.find(raw);  // no allocation: transparent lookup
      if (it == cache_.end()) {
        CacheEntry entry;
        b.Reset(model::Labels());
        b.Set(model::kMetricName, p.MetricName());
        for (const auto& l : p.Labels()) b.Set(l.name, l.value);
        if (MutateSampleLabels(target_, &b)) {
          entry.labels = b.Build();
          enter_family(p.FamilyName());
          md.type = p.Type();
          (void)app->UpdateMetadata(entry.labels, md);
        }
        it = cache_.emplace(std::string(raw), std::move(entry)).first;
      }
      CacheEntry& entry = it->second;
      if (entry.labels.empty()) {  // dropped by metric_relabel_configs
        entry.seen = iter_;
        continue;
      }
      if (entry.seen == iter_) {
        ++r.duplicates;
        DroppedSamplesMetric().With({job, "duplicate"}).Inc();
        continue;
      }
      if (entry.seen != iter_ - 1) ++r.series_added;
      entry.prev_seen = entry.seen;
      entry.seen = iter_;
      ++r.samples_post_relabeling;
      if (cfg.sample_limit > 0 && r.samples_post_relabeling > cfg.sample_limit) continue;
      entry.explicit_ts = cfg.honor_timestamps && p.HasTimestamp();
      int64_t ts = entry.explicit_ts ? p.TimestampMs() : t_ms;
      Status st = app->Append(entry.labels, ts, p.Value());
      if (!st.ok()) {
        ++r.append_errors;
        DroppedSamplesMetric().With({job, std::string(CodeName(st.code()))}).Inc();
      }
    }
    if (cfg.sample_limit > 0 && r.samples_post_relabeling > cfg.sample_limit) {
      // As in Prometheus: the whole scrape is refused, the target reports up=0.
      app->Rollback();
      app = appendable_->NewAppender();
      DroppedSamplesMetric().With({job, "sample_limit"}).Inc(static_cast<double>(r.samples_post_relabeling));
      r.error = ResourceExhausted("sample_limit " + std::to_string(cfg.sample_limit) + " exceeded: " +
                                  std::to_string(r.samples_post_relabeling) + " samples");
      // Nothing was stored: the series of the previous scrape end here, as if absent.
      for (auto& [raw, entry] : cache_) {
        if (entry.seen == iter_) entry.seen = entry.prev_seen;
      }
      r.samples_post_relabeling = r.series_added = 0;
    }
  }
  r.up = r.error.ok();
  AppendStaleMarkers(app.get(), t_ms);
  AppendReport(app.get(), r, t_ms);
  Status st = app->Commit();
  if (!st.ok()) {
    log::Error("committing scraped samples failed", {{"job", job}, {"err", st.ToString()}});
    if (r.error.ok()) r.error = st;
  }
  return r;
}

void ScrapeLoop::AppendStaleMarkers(storage::Appender* app, int64_t t_ms) {
  const double stale = model::StaleNaN();
  for (auto it = cache_.begin(); it != cache_.end();) {
    CacheEntry& e = it->second;
    if (e.seen == iter_) {
      ++it;
      continue;
    }
    if (e.seen == iter_ - 1 && !e.labels.empty() && !e.explicit_ts) {
      (void)app->Append(e.labels, t_ms, stale);
    }
    it = cache_.erase(it);
  }
}

void ScrapeLoop::AppendReport(storage::Appender* app, const ScrapeReport& r, int64_t t_ms) {
  const double values[] = {r.up ? 1.0 : 0.0, r.duration_seconds, static_cast<double>(r.samples_scraped),
                           static_cast<double>(r.samples_post_relabeling),
                           static_cast<double>(r.series_added)};
  model::LabelsBuilder b(target_.labels);
  for (size_t i = 0; i < std::size(kReportNames); ++i) {
    b.Set(model::kMetricName, kReportNames[i]);
    (void)app->Append(b.Build(), t_ms, values[i]);
  }
}

void ScrapeLoop::Stop(int64_t t_ms) {
  ++iter_;
  auto app = appendable_->NewAppender();
  AppendStaleMarkers(app.get(), t_ms);
  model::LabelsBuilder b(target_.labels);
  for (std::string_view name : kReportNames) {
    b.Set(model::kMetricName, name);
    (void)app->Append(b.Build(), t_ms, model::StaleNaN());
  }
  (void)app->Commit();
}

}  // namespace infermetry::scrape
