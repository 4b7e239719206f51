#include "export/helper_options.h"

namespace infermetry::exporter {
namespace {

Status DecodeRetry(config::MapReader* parent, RetryOptions* out) {
  YAML::Node n = parent->Child("retry_on_failure");
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  config::MapReader r(parent->doc(), n, parent->where() + ".retry_on_failure");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Bool("enabled", &out->enabled));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("initial_interval", &out->initial_interval));
  INFERMETRY_RETURN_IF_ERROR(r.Double("randomization_factor", &out->randomization_factor));
  INFERMETRY_RETURN_IF_ERROR(r.Double("multiplier", &out->multiplier));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("max_interval", &out->max_interval));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("max_elapsed_time", &out->max_elapsed_time));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  const config::Document& doc = parent->doc();
  if (out->randomization_factor < 0 || out->randomization_factor > 1) {
    return doc.ErrorAt(r.Child("randomization_factor"),
                       r.where() + ": randomization_factor must be in [0, 1]");
  }
  if (out->multiplier < 1)
    return doc.ErrorAt(r.Child("multiplier"), r.where() + ": multiplier must be >= 1");
  if (out->enabled && out->initial_interval.count() <= 0) {
    return doc.ErrorAt(r.Child("initial_interval"), r.where() + ": initial_interval must be > 0");
  }
  if (out->max_interval < out->initial_interval) {
    return doc.ErrorAt(r.Child("max_interval"),
                       r.where() + ": max_interval must be >= initial_interval");
  }
  return Status::Ok();
}

// The directory of the file_storage extension `ext_id`, from the document's extensions section.
Status StorageDirectory(const config::Document& doc, const YAML::Node& at, const std::string& where,
                        const std::string& ext_id, std::string* dir) {
  if (ext_id.substr(0, ext_id.find('/')) != "file_storage") {
    return doc.ErrorAt(at, where + ": storage \"" + ext_id + "\" is not a file_storage extension");
  }
  const YAML::Node exts = doc.root()["extensions"];
  if (!exts.IsDefined() || !exts.IsMap() || !exts[ext_id].IsDefined()) {
    return doc.ErrorAt(at, where + ": storage \"" + ext_id +
                               "\" names an extension that is not configured under extensions");
  }
  const YAML::Node ext = exts[ext_id];
  *dir = kDefaultFileStorageDirectory;
  if (ext.IsMap() && ext["directory"].IsDefined()) {
    INFERMETRY_ASSIGN_OR_RETURN(
        *dir, config::ScalarOf(doc, ext["directory"], "extensions." + ext_id + ".directory"));
  }
  return Status::Ok();
}

Status DecodeQueue(const process::ComponentConfig& cfg, config::MapReader* parent,
                   QueueSettings* out) {
  YAML::Node n = parent->Child("sending_queue");
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  config::MapReader r(parent->doc(), n, parent->where() + ".sending_queue");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string storage, directory;
  INFERMETRY_RETURN_IF_ERROR(r.Bool("enabled", &out->enabled));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("num_consumers", &out->num_consumers));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("queue_size", &out->queue_size));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("max_size_bytes", &out->max_size_bytes));
  INFERMETRY_RETURN_IF_ERROR(r.String("storage", &storage));
  INFERMETRY_RETURN_IF_ERROR(r.String("directory", &directory));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  const config::Document& doc = parent->doc();
  if (!out->enabled) return Status::Ok();
  if (out->num_consumers == 0 || out->num_consumers > 1000) {
    return doc.ErrorAt(r.Child("num_consumers"),
                       r.where() + ": num_consumers must be in [1, 1000]");
  }
  if (out->queue_size == 0)
    return doc.ErrorAt(r.Child("queue_size"), r.where() + ": queue_size must be > 0");
  if (!storage.empty() && !directory.empty()) {
    return doc.ErrorAt(r.Child("directory"), r.where() + ": set storage or directory, not both");
  }
  if (!storage.empty()) {
    INFERMETRY_RETURN_IF_ERROR(
        StorageDirectory(doc, r.Child("storage"), r.where(), storage, &directory));
  }
  if (!directory.empty()) {
    while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
    out->directory = directory + "/" + QueueDirName(cfg.id);
  }
  return Status::Ok();
}

}  // namespace

std::string QueueDirName(std::string_view exporter_id) {
  std::string name = "exporter_";
  for (char c : exporter_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    name.push_back(ok ? c : '_');
  }
  return name;
}

Status DecodeHelperOptions(const process::ComponentConfig& cfg, config::MapReader* r,
                           HelperOptions* out) {
  INFERMETRY_RETURN_IF_ERROR(r->Duration("timeout", &out->timeout));
  if (out->timeout.count() <= 0)
    return r->doc().ErrorAt(r->Child("timeout"), r->where() + ": timeout must be > 0");
  INFERMETRY_RETURN_IF_ERROR(DecodeRetry(r, &out->retry));
  return DecodeQueue(cfg, r, &out->queue);
}

}  // namespace infermetry::exporter
