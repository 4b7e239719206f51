#pragma once
// FaultEnv: an Env for fault-injection tests. It forwards to a base Env and can
//   - fail File::Sync (the next N calls, or every call from now on), optionally only for paths
//     containing a substring;
//   - make the next File::Append to a matching path a short write: only its first k bytes reach
//     the file, then kIoError is returned;
//   - simulate a power loss: DropUnsyncedData() cuts every file written through it back to the
//     size it had at its last successful Sync (or at open, for data that was there before).
// It counts what it did, so that tests can assert both the fault and the code's reaction.
//
//   FaultEnv env(DefaultEnv());
//   options.env = &env;
//   env.FailSyncs(1, ".wal");                 // the next sync of a matching file fails
//   ...
//   env.DropUnsyncedData();                   // then reopen: only synced bytes remain
//
// Thread-safety: every method may be called concurrently, including from the Files it opened.
// REQUIRES: Files opened through it are destroyed before it is, and before DropUnsyncedData()
// (which truncates through new handles, so an old handle's cached size would be stale).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/env.h"

namespace infermetry {

class FaultEnv : public ForwardingEnv {
 public:
  explicit FaultEnv(Env* base) : ForwardingEnv(base) {}

  Result<std::unique_ptr<File>> Open(const std::string& path, bool create) override;
  Status Remove(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;

  // The next `n` File::Sync calls on files whose path contains `path_substr` (every file when
  // empty) fail with kIoError and make nothing durable.
  void FailSyncs(uint64_t n, std::string path_substr = "");
  // Every File::Sync on a matching file fails until ClearFaults().
  void FailAllSyncs(std::string path_substr = "");
  // The next File::Append to a matching file writes only its first `k` bytes (all of them when
  // the data is shorter), then returns kIoError.
  void ShortWrite(uint64_t k, std::string path_substr = "");
  // Disarms every pending fault.
  void ClearFaults();

  // Truncates every file written through this env to its last synced size; files created
  // through it and never synced become empty. Returns the first error.
  Status DropUnsyncedData();

  // Counters. syncs: successful File::Sync calls; appends: File::Append calls (all of them).
  uint64_t syncs() const;
  uint64_t failed_syncs() const;
  uint64_t appends() const;
  uint64_t short_writes() const;
  uint64_t dropped_bytes() const;  // cut by DropUnsyncedData
  // Successful syncs of files whose path contains `path_substr`.
  uint64_t syncs_of(const std::string& path_substr) const;

 private:
  class FaultFile;
  friend class FaultFile;

  // Called by FaultFile; decide and count faults.
  bool TakeSyncFault(const std::string& path);  // true: fail this sync
  bool TakeShortWrite(const std::string& path, uint64_t* k);
  void OnAppend();
  void OnSynced(const std::string& path, uint64_t size);
  void OnTruncated(const std::string& path, uint64_t size);

  static bool Matches(const std::string& path, const std::string& substr) {
    return substr.empty() || path.find(substr) != std::string::npos;
  }

  mutable std::mutex mu_;
  // Last synced size of every file opened through this env, by path.
  std::map<std::string, uint64_t> synced_size_;
  std::map<std::string, uint64_t> syncs_by_path_;

  uint64_t sync_failures_left_ = 0;
  bool fail_all_syncs_ = false;
  std::string sync_substr_;
  bool short_write_armed_ = false;
  uint64_t short_write_bytes_ = 0;
  std::string short_write_substr_;

  uint64_t syncs_ = 0;
  uint64_t failed_syncs_ = 0;
  uint64_t appends_ = 0;
  uint64_t short_writes_ = 0;
  uint64_t dropped_bytes_ = 0;
};

// XORs the byte at `offset` of `path` with `xor_mask` (kOutOfRange past the end of the file).
// The file is rewritten from `offset` on and synced.
Status CorruptByte(Env* env, const std::string& path, uint64_t offset, uint8_t xor_mask);

}  // namespace infermetry
