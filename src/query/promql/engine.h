#pragma once
// The PromQL engine: Prometheus 2.42's query language over storage::Queryable, with its
// semantics (5-minute lookback and staleness markers, extrapolated rate/increase, classic
// histogram_quantile, label handling of every operator and function).
//
//   Engine engine(EngineOptions{});
//   Result<QueryResult> r = engine.Range(queryable, "rate(vllm:generation_tokens_total[5m])",
//                                        start_ms, end_ms, step_ms);
//
// Errors are Status values whose code maps to the Prometheus HTTP API's errorType:
//   kParseError        -> bad_data   (message: "1:5: parse error: unexpected ...", as Prometheus)
//   kInvalidArgument   -> bad_data / execution errors ("expected type range vector ...")
//   kDeadlineExceeded  -> timeout    kCancelled -> canceled
//   kResourceExhausted -> execution  ("query processing would load too many samples ...")
// Thread-safe: one Engine serves concurrent queries.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/labels.h"
#include "storage/querier.h"

namespace infermetry::promql {

enum class ValueType { kScalar, kVector, kMatrix, kString };
std::string_view ValueTypeName(ValueType t);  // "scalar", "vector", "matrix", "string"

struct Point {
  int64_t t_ms = 0;
  double v = 0;
};

struct Series {
  model::Labels labels;
  std::vector<Point> points;  // increasing time; one point for an instant vector
};

struct QueryResult {
  ValueType type = ValueType::kVector;
  // kVector (instant query): one point per series at the evaluation time.
  // kMatrix: a range query's series (or an instant query of a range selector).
  std::vector<Series> series;
  Point scalar;        // kScalar
  std::string string;  // kString
  int64_t string_t_ms = 0;
  std::vector<std::string> warnings;
};

struct EngineOptions {
  std::chrono::milliseconds lookback_delta{5 * 60 * 1000};
  std::chrono::milliseconds timeout{2 * 60 * 1000};
  int64_t max_samples = 50'000'000;  // samples held in memory at once, as Prometheus counts
};

class Engine {
 public:
  explicit Engine(EngineOptions opts = {});

  // Evaluates `expr` at `t_ms`.
  Result<QueryResult> Instant(storage::Queryable* q, std::string_view expr, int64_t t_ms,
                              const std::atomic<bool>* cancel = nullptr) const;
  // Evaluates `expr` at start, start+step, ... <= end; the result is always kMatrix (a scalar
  // expression gives one series without labels), series sorted by labels.
  Result<QueryResult> Range(storage::Queryable* q, std::string_view expr, int64_t start_ms,
                            int64_t end_ms, int64_t step_ms,
                            const std::atomic<bool>* cancel = nullptr) const;

 private:
  EngineOptions opts_;
};

}  // namespace infermetry::promql
