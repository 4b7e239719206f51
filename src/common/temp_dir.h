#pragma once
// A fresh directory under the system's temp dir, removed with everything in it on
// destruction. For tests and benchmarks.

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace infermetry {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "infermetry") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Empty when the directory could not be created.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace infermetry
