#include "common/fault_env.h"

#include <utility>

namespace infermetry {

class FaultEnv::FaultFile : public File {
 public:
  FaultFile(FaultEnv* env, std::string path, std::unique_ptr<File> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    env_->OnAppend();
    uint64_t k = 0;
    if (env_->TakeShortWrite(path_, &k)) {
      if (k < data.size()) data = data.substr(0, k);
      INFERMETRY_RETURN_IF_ERROR(base_->Append(data));
      return IoError("write " + path_ + ": injected short write of " + std::to_string(data.size()) +
                     " bytes");
    }
    return base_->Append(data);
  }

  Status Sync() override {
    if (env_->TakeSyncFault(path_)) return IoError("fdatasync " + path_ + ": injected failure");
    // The size before the sync: bytes appended concurrently may not be covered by it.
    uint64_t size = base_->Size();
    INFERMETRY_RETURN_IF_ERROR(base_->Sync());
    env_->OnSynced(path_, size);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    INFERMETRY_RETURN_IF_ERROR(base_->Truncate(size));
    env_->OnTruncated(path_, size);
    return Status::Ok();
  }

  Status ReadAt(uint64_t offset, size_t n, char* out) const override {
    return base_->ReadAt(offset, n, out);
  }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<File> base_;
};

Result<std::unique_ptr<File>> FaultEnv::Open(const std::string& path, bool create) {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, base_->Open(path, create));
  {
    // Whatever the file held before this env first saw it counts as durable.
    std::lock_guard<std::mutex> l(mu_);
    synced_size_.try_emplace(path, f->Size());
  }
  return std::unique_ptr<File>(new FaultFile(this, path, std::move(f)));
}

Status FaultEnv::Remove(const std::string& path) {
  INFERMETRY_RETURN_IF_ERROR(base_->Remove(path));
  std::lock_guard<std::mutex> l(mu_);
  synced_size_.erase(path);
  return Status::Ok();
}

Status FaultEnv::RemoveAll(const std::string& path) {
  INFERMETRY_RETURN_IF_ERROR(base_->RemoveAll(path));
  std::lock_guard<std::mutex> l(mu_);
  const std::string prefix = path + "/";
  for (auto it = synced_size_.begin(); it != synced_size_.end();) {
    if (it->first == path || it->first.compare(0, prefix.size(), prefix) == 0) {
      it = synced_size_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  INFERMETRY_RETURN_IF_ERROR(base_->Rename(from, to));
  std::lock_guard<std::mutex> l(mu_);
  auto it = synced_size_.find(from);
  if (it == synced_size_.end()) {
    synced_size_.erase(to);
  } else {
    synced_size_[to] = it->second;
    synced_size_.erase(it);
  }
  return Status::Ok();
}

void FaultEnv::FailSyncs(uint64_t n, std::string path_substr) {
  std::lock_guard<std::mutex> l(mu_);
  sync_failures_left_ = n;
  fail_all_syncs_ = false;
  sync_substr_ = std::move(path_substr);
}

void FaultEnv::FailAllSyncs(std::string path_substr) {
  std::lock_guard<std::mutex> l(mu_);
  fail_all_syncs_ = true;
  sync_substr_ = std::move(path_substr);
}

void FaultEnv::ShortWrite(uint64_t k, std::string path_substr) {
  std::lock_guard<std::mutex> l(mu_);
  short_write_armed_ = true;
  short_write_bytes_ = k;
  short_write_substr_ = std::move(path_substr);
}

void FaultEnv::ClearFaults() {
  std::lock_guard<std::mutex> l(mu_);
  sync_failures_left_ = 0;
  fail_all_syncs_ = false;
  short_write_armed_ = false;
}

Status FaultEnv::DropUnsyncedData() {
  std::map<std::string, uint64_t> sizes;
  {
    std::lock_guard<std::mutex> l(mu_);
    sizes = synced_size_;
  }
  Status first;
  for (const auto& [path, synced] : sizes) {
    auto f = base_->Open(path, /*create=*/false);
    if (!f.ok()) {
      if (f.status().code() != Code::kNotFound && first.ok()) first = f.status();
      continue;
    }
    uint64_t size = (*f)->Size();
    if (size <= synced) continue;
    Status st = (*f)->Truncate(synced);
    if (!st.ok()) {
      if (first.ok()) first = st;
      continue;
    }
    std::lock_guard<std::mutex> l(mu_);
    dropped_bytes_ += size - synced;
  }
  return first;
}

bool FaultEnv::TakeSyncFault(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  bool fail = false;
  if (Matches(path, sync_substr_)) {
    if (fail_all_syncs_) {
      fail = true;
    } else if (sync_failures_left_ > 0) {
      --sync_failures_left_;
      fail = true;
    }
  }
  if (fail) ++failed_syncs_;
  return fail;
}

bool FaultEnv::TakeShortWrite(const std::string& path, uint64_t* k) {
  std::lock_guard<std::mutex> l(mu_);
  if (!short_write_armed_ || !Matches(path, short_write_substr_)) return false;
  short_write_armed_ = false;
  ++short_writes_;
  *k = short_write_bytes_;
  return true;
}

void FaultEnv::OnAppend() {
  std::lock_guard<std::mutex> l(mu_);
  ++appends_;
}

void FaultEnv::OnSynced(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> l(mu_);
  ++syncs_;
  ++syncs_by_path_[path];
  synced_size_[path] = size;
}

void FaultEnv::OnTruncated(const std::string& path, uint64_t size) {
  // A truncation is not durable before the next sync either, but a power loss can only bring
  // back bytes that were synced; what was cut is assumed gone.
  std::lock_guard<std::mutex> l(mu_);
  auto it = synced_size_.find(path);
  if (it != synced_size_.end() && it->second > size) it->second = size;
}

uint64_t FaultEnv::syncs() const {
  std::lock_guard<std::mutex> l(mu_);
  return syncs_;
}
uint64_t FaultEnv::failed_syncs() const {
  std::lock_guard<std::mutex> l(mu_);
  return failed_syncs_;
}
uint64_t FaultEnv::appends() const {
  std::lock_guard<std::mutex> l(mu_);
  return appends_;
}
uint64_t FaultEnv::short_writes() const {
  std::lock_guard<std::mutex> l(mu_);
  return short_writes_;
}
uint64_t FaultEnv::dropped_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return dropped_bytes_;
}
uint64_t FaultEnv::syncs_of(const std::string& path_substr) const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t n = 0;
  for (const auto& [path, count] : syncs_by_path_) {
    if (Matches(path, path_substr)) n += count;
  }
  return n;
}

Status CorruptByte(Env* env, const std::string& path, uint64_t offset, uint8_t xor_mask) {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, env->Open(path, /*create=*/false));
  uint64_t size = f->Size();
  if (offset >= size) {
    return Status(Code::kOutOfRange, "corrupt " + path + ": offset " + std::to_string(offset) +
                                         " is past the end (" + std::to_string(size) + " bytes)");
  }
  // File only appends, so the tail from `offset` is read, cut and written back modified.
  std::string tail(size - offset, '\0');
  INFERMETRY_RETURN_IF_ERROR(f->ReadAt(offset, tail.size(), tail.data()));
  tail[0] = static_cast<char>(static_cast<uint8_t>(tail[0]) ^ xor_mask);
  INFERMETRY_RETURN_IF_ERROR(f->Truncate(offset));
  INFERMETRY_RETURN_IF_ERROR(f->Append(tail));
  return f->Sync();
}

}  // namespace infermetry
