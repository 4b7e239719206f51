#pragma once
// Request parameters as the Prometheus HTTP API reads them: from the URL's query string and,
// for a POST with Content-Type application/x-www-form-urlencoded, from the body (body values
// first, as Go's Request.FormValue does); times and durations in Prometheus's spellings.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "server/http/message.h"

namespace infermetry::api {

class FormParams {
 public:
  explicit FormParams(const http::Request& req);
  // The first value of `name`, or "" when absent.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Every value of `name` (e.g. the repeated match[]), body values first.
  std::vector<std::string> GetAll(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// True for a POST whose body is a form (Content-Type application/x-www-form-urlencoded).
bool IsFormPost(const http::Request& req);

// A time: Unix seconds with an optional fraction (rounded to milliseconds), or RFC 3339 with
// optional fractional seconds and "Z" or a +hh:mm / -hh:mm offset. The message of an error is
// Prometheus's: cannot parse "<s>" to a valid timestamp.
Result<int64_t> ParsePromTime(std::string_view s);

// A duration in milliseconds: float seconds ("15", "0.5") or a Prometheus duration ("1m30s",
// "500ms"). Message on error: cannot parse "<s>" to a valid duration.
Result<int64_t> ParsePromDuration(std::string_view s);

// The earliest and latest times Prometheus's API accepts (and writes for "no bound").
inline constexpr int64_t kPromMinTimeMs = (INT64_MIN / 1000 + 62135596801) * 1000;
inline constexpr int64_t kPromMaxTimeMs = (INT64_MAX / 1000 - 62135596801) * 1000 + 999;

}  // namespace infermetry::api
