// NewEngineBackend (prom_api.h): the query routes on promql::Engine. Kept apart from
// prom_api.cc so the HTTP side builds and tests without the engine.
#include "server/api/prom_api.h"

namespace infermetry::api {
namespace {

class EngineBackend : public PromQueryBackend {
 public:
  EngineBackend(storage::Queryable* db, promql::EngineOptions opts) : db_(db), opts_(opts), engine_(opts) {}

  Result<promql::QueryResult> Instant(std::string_view expr, int64_t t_ms,
                                      std::optional<std::chrono::milliseconds> timeout) const override {
    if (!Shorter(timeout)) return engine_.Instant(db_, expr, t_ms);
    return promql::Engine(WithTimeout(*timeout)).Instant(db_, expr, t_ms);
  }

  Result<promql::QueryResult> Range(std::string_view expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                    std::optional<std::chrono::milliseconds> timeout) const override {
    if (!Shorter(timeout)) return engine_.Range(db_, expr, start_ms, end_ms, step_ms);
    return promql::Engine(WithTimeout(*timeout)).Range(db_, expr, start_ms, end_ms, step_ms);
  }

 private:
  bool Shorter(std::optional<std::chrono::milliseconds> timeout) const {
    return timeout.has_value() && *timeout < opts_.timeout;
  }
  promql::EngineOptions WithTimeout(std::chrono::milliseconds timeout) const {
    promql::EngineOptions o = opts_;
    o.timeout = timeout;
    return o;
  }

  storage::Queryable* db_;
  promql::EngineOptions opts_;
  promql::Engine engine_;
};

}  // namespace

std::unique_ptr<PromQueryBackend> NewEngineBackend(storage::Queryable* db, promql::EngineOptions opts) {
  return std::make_unique<EngineBackend>(db, opts);
}

}  // namespace infermetry::api
