#pragma once
// Per-query limits and context: the deadline, the memory budget, the cancel flag and the
// query-wide constants (now(), the SQL text for error positions).
//
// Operators call Check() between batches and every few thousand iterations of long loops, and
// Reserve()/Release() around the memory they hold (hash tables, sort buffers, materialized
// results, aggregates' value lists). Not thread-safe: one ExecContext per query.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/sql/engine.h"

namespace infermetry::sql::exec {

class ExecContext {
 public:
  ExecContext(std::string_view sql, const QueryOptions& opts);

  std::string_view sql() const { return sql_; }
  const QueryOptions& options() const { return opts_; }
  int64_t now_us() const { return now_us_; }

  // kDeadlineExceeded after the timeout, kCancelled when the cancel flag is set.
  Status Check() const;
  // Cheap variant for tight loops: checks every 4096th call.
  Status CheckEvery(size_t i) const { return (i & 4095) == 0 ? Check() : Status::Ok(); }

  // Accounts `bytes` to `op`; kResourceExhausted naming the operator and the limit when the
  // query would exceed QueryOptions::memory_limit_bytes.
  Status Reserve(size_t bytes, std::string_view op);
  void Release(size_t bytes) { used_ -= bytes < used_ ? bytes : used_; }
  size_t used_bytes() const { return used_; }
  size_t peak_bytes() const { return peak_; }

  size_t rows_scanned = 0;

 private:
  std::string sql_;
  QueryOptions opts_;
  std::chrono::steady_clock::time_point deadline_;
  int64_t now_us_ = 0;
  size_t used_ = 0;
  size_t peak_ = 0;
};

// Holds a reservation and gives it back when destroyed; Grow() adds to it.
class MemoryReservation {
 public:
  MemoryReservation(ExecContext* ctx, std::string_view op) : ctx_(ctx), op_(op) {}
  ~MemoryReservation() { ctx_->Release(bytes_); }
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  Status Grow(size_t bytes) {
    INFERMETRY_RETURN_IF_ERROR(ctx_->Reserve(bytes, op_));
    bytes_ += bytes;
    return Status::Ok();
  }
  // Sets the reservation to `bytes` (growing or shrinking).
  Status Set(size_t bytes) {
    if (bytes > bytes_) return Grow(bytes - bytes_);
    ctx_->Release(bytes_ - bytes);
    bytes_ = bytes;
    return Status::Ok();
  }

 private:
  ExecContext* ctx_;
  std::string op_;
  size_t bytes_ = 0;
};

}  // namespace infermetry::sql::exec
