#include "query/sql/exec/limits.h"

namespace infermetry::sql::exec {

namespace {

std::string FormatDuration(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + "s";
  return std::to_string(ms.count()) + "ms";
}

std::string FormatBytes(size_t b) {
  if (b % (size_t{1} << 30) == 0) return std::to_string(b >> 30) + " GiB";
  if (b % (size_t{1} << 20) == 0) return std::to_string(b >> 20) + " MiB";
  if (b % (size_t{1} << 10) == 0) return std::to_string(b >> 10) + " KiB";
  return std::to_string(b) + " bytes";
}

}  // namespace

ExecContext::ExecContext(std::string_view sql, const QueryOptions& opts)
    : sql_(sql), opts_(opts), deadline_(std::chrono::steady_clock::now() + opts.timeout) {
  now_us_ = opts.now_us;
  if (now_us_ == 0) {
    now_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  }
}

Status ExecContext::Check() const {
  if (opts_.cancel != nullptr && opts_.cancel->load(std::memory_order_relaxed)) {
    return Status(Code::kCancelled, "query cancelled");
  }
  if (std::chrono::steady_clock::now() > deadline_) {
    return DeadlineExceeded("query exceeded its timeout of " + FormatDuration(opts_.timeout) +
                            "\nHINT: Narrow the time range (WHERE p_timestamp >= ...) or raise "
                            "the query timeout.");
  }
  return Status::Ok();
}

Status ExecContext::Reserve(size_t bytes, std::string_view op) {
  if (used_ + bytes > opts_.memory_limit_bytes) {
    return ResourceExhausted(std::string(op) + " needs more memory than the query's limit of " +
                             FormatBytes(opts_.memory_limit_bytes) +
                             "\nHINT: Narrow the time range, aggregate into fewer groups, add a "
                             "LIMIT, or raise the query memory limit.");
  }
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
  return Status::Ok();
}

}  // namespace infermetry::sql::exec
