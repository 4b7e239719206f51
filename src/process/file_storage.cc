#include "process/file_storage.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace infermetry::process {
namespace {

class FileStorage : public Extension {
 public:
  FileStorage(std::string directory, bool create) : directory_(std::move(directory)), create_(create) {}

  Status Start() override {
    std::error_code ec;
    if (create_) std::filesystem::create_directories(directory_, ec);
    if (ec) return IoError("file_storage: cannot create " + directory_ + ": " + ec.message());
    if (!std::filesystem::is_directory(directory_, ec)) {
      return IoError("file_storage: " + directory_ + " is not a directory");
    }
    if (::access(directory_.c_str(), W_OK) != 0) {
      return IoError("file_storage: " + directory_ + " is not writable");
    }
    return Status::Ok();
  }

 private:
  std::string directory_;
  bool create_;
};

}  // namespace

Result<std::unique_ptr<Extension>> CreateFileStorage(const ComponentConfig& cfg) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string directory = kDefaultFileStorageDirectory;
  bool create = true;
  INFERMETRY_RETURN_IF_ERROR(r.String("directory", &directory));
  INFERMETRY_RETURN_IF_ERROR(r.Bool("create_directory", &create));
  (void)r.Child("timeout");  // the Collector's bbolt lock timeout: nothing to wait for here
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  return std::unique_ptr<Extension>(std::make_unique<FileStorage>(std::move(directory), create));
}

}  // namespace infermetry::process
