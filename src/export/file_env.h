#pragma once
// The file-system seam under the persistent sending queue: everything the segment log does to
// disk goes through a FileEnv, so that tests can observe the order of writes and syncs, or fail
// them. DefaultFileEnv() is POSIX (open/pwrite/fdatasync/ftruncate/rename/unlink).
//
// Errors are kIoError values naming the path and strerror(errno); kNotFound for a missing file
// or directory.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace infermetry::exporter {

// An open file that is appended to and read at offsets. Thread-safety: ReadAt may run
// concurrently with Append and Sync; Append, Truncate and Sync are serialized by the caller.
class File {
 public:
  virtual ~File() = default;
  // Writes all of `data` at the end of the file (short writes are retried).
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  // Cuts the file to `size` bytes; later appends continue from there.
  virtual Status Truncate(uint64_t size) = 0;
  // Reads exactly `n` bytes at `offset` into `out`; kCorruption when the file is shorter.
  virtual Status ReadAt(uint64_t offset, size_t n, char* out) const = 0;
  // Current size in bytes, including appends not yet synced.
  virtual uint64_t Size() const = 0;
};

class FileEnv {
 public:
  virtual ~FileEnv() = default;
  // Opens `path` for reading and appending, creating it (empty) when `create` is set.
  virtual Result<std::unique_ptr<File>> Open(const std::string& path, bool create) = 0;
  // Creates `dir` and its missing parents.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // The names (not paths) of the regular files in `dir`, in no particular order.
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries (created, renamed, removed files) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive advisory lock on `path` (created if missing), held until the returned
  // object is destroyed; kResourceExhausted ("in use") when another holder has it.
  virtual Result<std::unique_ptr<File>> Lock(const std::string& path) = 0;
};

// The process-wide POSIX environment.
FileEnv* DefaultFileEnv();

}  // namespace infermetry::exporter
