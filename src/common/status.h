#pragma once
// Status: the error value used across every module boundary. Cheap to copy when OK
// (a single enum); an error carries a code and a message that says what, where and why.
// No exception crosses a module boundary; functions that can fail return Status or Result<T>.

#include <string>
#include <string_view>
#include <utility>

namespace infermetry {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // caller passed something malformed (bad config, bad query)
  kParseError,         // input data could not be decoded
  kNotFound,
  kAlreadyExists,
  kOutOfRange,
  kOutOfOrder,         // ingest: sample older than the newest one of its series
  kDuplicate,          // ingest: same timestamp, different value
  kTooOld,             // ingest: before the accepted window
  kResourceExhausted,  // limits: body too large, queue full, memory limit
  kUnavailable,        // peer down or refused the connection; retryable
  kDeadlineExceeded,   // timed out; retryable
  kPermissionDenied,
  kIoError,
  kCorruption,         // on-disk data failed a check
  kCancelled,
  kInternal,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "<code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with "<context>: ".
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
inline Status ParseError(std::string msg) { return Status(Code::kParseError, std::move(msg)); }
inline Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
inline Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
inline Status DeadlineExceeded(std::string msg) { return Status(Code::kDeadlineExceeded, std::move(msg)); }
inline Status ResourceExhausted(std::string msg) { return Status(Code::kResourceExhausted, std::move(msg)); }
inline Status IoError(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

}  // namespace infermetry

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define INFERMETRY_RETURN_IF_ERROR(expr)          \
  do {                                            \
    ::infermetry::Status _st = (expr);            \
    if (!_st.ok()) return _st;                    \
  } while (0)
