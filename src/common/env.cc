#include "common/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace infermetry {
namespace {

Status ErrnoStatus(std::string_view op, const std::string& path, int err) {
  std::string msg = std::string(op) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  return IoError(std::move(msg));
}

class PosixFile : public File {
 public:
  PosixFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixFile() override { ::close(fd_); }

  Status Append(std::string_view data) override {
    uint64_t off = size_.load(std::memory_order_relaxed);
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(off));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      off += static_cast<uint64_t>(n);
    }
    size_.store(off, std::memory_order_release);
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      return ErrnoStatus("truncate", path_, errno);
    size_.store(size, std::memory_order_release);
    return Status::Ok();
  }

  Status ReadAt(uint64_t offset, size_t n, char* out) const override {
    while (n > 0) {
      ssize_t r = ::pread(fd_, out, n, static_cast<off_t>(offset));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      if (r == 0) return Status(Code::kCorruption, "read " + path_ + ": unexpected end of file");
      out += r;
      n -= static_cast<size_t>(r);
      offset += static_cast<uint64_t>(r);
    }
    return Status::Ok();
  }

  uint64_t Size() const override { return size_.load(std::memory_order_acquire); }

 private:
  std::string path_;
  int fd_;
  std::atomic<uint64_t> size_;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<File>> Open(const std::string& path, bool create) override {
    int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("stat", path, err);
    }
    return std::unique_ptr<File>(new PosixFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Status CreateDirs(const std::string& dir) override {
    for (size_t i = 1; i <= dir.size(); ++i) {
      if (i < dir.size() && dir[i] != '/') continue;
      std::string prefix = dir.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
        return ErrnoStatus("mkdir", prefix, errno);
    }
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus("stat", dir, errno);
    if (!S_ISDIR(st.st_mode)) return IoError(dir + " exists and is not a directory");
    return Status::Ok();
  }

  Result<std::vector<std::string>> List(const std::string& dir) override {
    return ListOfType(dir, /*dirs=*/false);
  }
  Result<std::vector<std::string>> ListDirs(const std::string& dir) override {
    return ListOfType(dir, /*dirs=*/true);
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }

  Status RemoveAll(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      return errno == ENOENT ? Status::Ok() : ErrnoStatus("stat", path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
      for (bool dirs : {false, true}) {
        auto names = ListOfType(path, dirs);
        if (!names.ok()) return names.status();
        for (const std::string& n : *names) INFERMETRY_RETURN_IF_ERROR(RemoveAll(path + "/" + n));
      }
      if (::rmdir(path.c_str()) != 0) return ErrnoStatus("rmdir", path, errno);
      return Status::Ok();
    }
    return Remove(path);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from + " to", errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync", dir, err);
    return Status::Ok();
  }

  Result<std::unique_ptr<File>> Lock(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return ResourceExhausted(path + " is in use by another process (or another exporter)");
      }
      return ErrnoStatus("flock", path, err);
    }
    // The lock lives as long as this descriptor, which the returned File owns.
    return std::unique_ptr<File>(new PosixFile(path, fd, 0));
  }

 private:
  static Result<std::vector<std::string>> ListOfType(const std::string& dir, bool dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      std::string path = dir + "/" + name;
      if (::lstat(path.c_str(), &st) != 0) continue;
      if (dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }
};

}  // namespace

Result<std::string> ReadFile(Env* env, const std::string& path) {
  auto f = env->Open(path, /*create=*/false);
  if (!f.ok()) return f.status();
  std::string data((*f)->Size(), '\0');
  if (!data.empty()) INFERMETRY_RETURN_IF_ERROR((*f)->ReadAt(0, data.size(), data.data()));
  return data;
}

Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  {
    auto f = env->Open(tmp, /*create=*/true);
    if (!f.ok()) return f.status();
    INFERMETRY_RETURN_IF_ERROR((*f)->Truncate(0));
    INFERMETRY_RETURN_IF_ERROR((*f)->Append(data));
    INFERMETRY_RETURN_IF_ERROR((*f)->Sync());
  }
  INFERMETRY_RETURN_IF_ERROR(env->Rename(tmp, path));
  size_t slash = path.rfind('/');
  return env->SyncDir(slash == std::string::npos ? "." : path.substr(0, slash));
}

Env* DefaultEnv() {
  static PosixEnv env;
  return &env;
}

}  // namespace infermetry
