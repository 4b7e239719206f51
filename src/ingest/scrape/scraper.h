#pragma once
// The scrape manager: fetches every target of a scrape configuration on its schedule with one
// libcurl multi handle (many targets concurrently on one thread) and hands each body to its
// ScrapeLoop. Each target's first scrape is offset within its interval by a hash of its
// labels, so targets of one job are spread over the interval instead of firing together.
//
// Thread-safety: Start/Stop/ScrapeOnce from one controlling thread.

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "ingest/scrape/scrape_config.h"
#include "ingest/scrape/scrape_loop.h"
#include "storage/appender.h"

namespace infermetry::scrape {

class Scraper {
 public:
  // `cfg` is copied; `app` must outlive the Scraper.
  Scraper(ScrapeFileConfig cfg, storage::Appendable* app);
  ~Scraper();

  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  size_t num_targets() const { return targets_.size(); }
  const Target& target(size_t i) const;

  // Scrapes every target once, concurrently, and returns their reports in target order.
  // REQUIRES: not started.
  std::vector<ScrapeReport> ScrapeOnce();

  // Scrapes on schedule on a background thread until Stop().
  Status Start();
  // Stops the thread; every target then gets staleness markers, as when it is removed.
  void Stop();


 private:
  struct TargetState;
  void Run();
  void Begin(TargetState* t);
  void Complete(TargetState* t, int curl_code);
  void Record(TargetState* t, ScrapeReport report);
  // Advances transfers, completes finished ones, then waits up to timeout_ms for activity.
  void Pump(int timeout_ms);

  ScrapeFileConfig cfg_;
  std::vector<std::unique_ptr<TargetState>> targets_;
  void* multi_ = nullptr;  // CURLM*
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace infermetry::scrape
