#pragma once
// The file-system seam under the persistent sending queue: everything the segment log does to
// disk goes through a Env, so that tests can observe the order of writes and syncs, or fail
// them. DefaultEnv() is POSIX (open/pwrite/fdatasync/ftruncate/rename/unlink).
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

namespace infermetry {

// An open file that is appended to and read at offsets. Thread-safety: ReadAt and Sync may run
// concurrently with Append (group commit syncs while later writers append; a Sync makes at
// least what was appended before it started durable); Appends are serialized by the caller,
// and Truncate runs alone.
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

class Env {
 public:
  virtual ~Env() = default;
  // Opens `path` for reading and appending, creating it (empty) when `create` is set.
  virtual Result<std::unique_ptr<File>> Open(const std::string& path, bool create) = 0;
  // Creates `dir` and its missing parents.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // The names (not paths) of the regular files in `dir`, in no particular order.
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  // The names of the subdirectories of `dir`, in no particular order.
  virtual Result<std::vector<std::string>> ListDirs(const std::string& dir) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Removes `path` and, if it is a directory, everything under it. OK when it does not exist.
  virtual Status RemoveAll(const std::string& path) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries (created, renamed, removed files) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive advisory lock on `path` (created if missing), held until the returned
  // object is destroyed; kResourceExhausted ("in use") when another holder has it.
  virtual Result<std::unique_ptr<File>> Lock(const std::string& path) = 0;
};

// Passes every call to `base`; test envs derive from it and override what they observe or break.
class ForwardingEnv : public Env {
 public:
  explicit ForwardingEnv(Env* base) : base_(base) {}
  Result<std::unique_ptr<File>> Open(const std::string& path, bool create) override {
    return base_->Open(path, create);
  }
  Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  Result<std::vector<std::string>> List(const std::string& d) override { return base_->List(d); }
  Result<std::vector<std::string>> ListDirs(const std::string& d) override {
    return base_->ListDirs(d);
  }
  Status Remove(const std::string& p) override { return base_->Remove(p); }
  Status RemoveAll(const std::string& p) override { return base_->RemoveAll(p); }
  Status Rename(const std::string& a, const std::string& b) override { return base_->Rename(a, b); }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Result<std::unique_ptr<File>> Lock(const std::string& p) override { return base_->Lock(p); }

 protected:
  Env* base_;
};

// The whole content of `path` (kNotFound when missing).
Result<std::string> ReadFile(Env* env, const std::string& path);
// Writes `data` to `path` so that a crash leaves either the old or the new content: writes
// `path`.tmp, syncs it, renames it over `path` and syncs the directory.
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data);

// The process-wide POSIX environment.
Env* DefaultEnv();

}  // namespace infermetry
