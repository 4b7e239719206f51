#pragma once
// One target's scrape state: turns each scraped body into appends, with Prometheus's rules
// for timestamps, duplicate series, staleness markers and the per-target report series
// (up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling,
// scrape_series_added).
//
// Not thread-safe: one loop is driven by one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "ingest/scrape/target.h"
#include "storage/appender.h"

namespace infermetry::scrape {

struct ScrapeReport {
  bool up = false;
  double duration_seconds = 0;
  uint64_t samples_scraped = 0;          // sample lines that parsed
  uint64_t samples_post_relabeling = 0;  // after metric_relabel_configs
  uint64_t series_added = 0;             // series not seen in the previous scrape
  uint64_t parse_errors = 0;
  uint64_t duplicates = 0;               // same series twice in one body (later ones dropped)
  uint64_t append_errors = 0;            // rejected by the appender (counted by code)
  Status error;                          // why up is 0
};

class ScrapeLoop {
 public:
  // `app` must outlive the loop.
  ScrapeLoop(Target target, storage::Appendable* app);

  const Target& target() const { return target_; }

  // Appends one scrape taken at `t_ms`. `fetch_error` not OK means the fetch failed: no
  // samples, up=0, and every series of the previous scrape gets a staleness marker.
  // Parse errors skip the bad line only; the rest of the body is kept (and counted).
  ScrapeReport Append(std::string_view body, std::string_view content_type, int64_t t_ms,
                      double duration_seconds, const Status& fetch_error);

  // The target went away: staleness markers for every series, report series included.
  void Stop(int64_t t_ms);

 private:
  struct CacheEntry {
    model::Labels labels;  // final labels; empty when dropped by relabeling
    uint64_t seen = 0;     // iteration that last saw it (0: never)
    uint64_t prev_seen = 0;  // the one before, to undo a refused scrape
    bool explicit_ts = false;
  };

  void AppendReport(storage::Appender* app, const ScrapeReport& r, int64_t t_ms);
  void AppendStaleMarkers(storage::Appender* app, int64_t t_ms);

  Target target_;
  storage::Appendable* appendable_;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Key: the raw series text of the exposition line.
  std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>> cache_;
  uint64_t iter_ = 1;  // the first scrape is iteration 2, so "seen == iter_ - 1" never holds for new series
};

}  // namespace infermetry::scrape
