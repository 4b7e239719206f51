#pragma once
// The `file_storage` extension: names a directory where exporters with
// `sending_queue: {storage: file_storage}` keep their persistent queues (as the Collector's
// file_storage extension does). Settings: `directory` (default kDefaultFileStorageDirectory),
// `create_directory` (default true: created, with parents, at start). The exporters read the
// directory from the config themselves; this extension makes sure it exists and is writable.

#include "process/factory.h"

namespace infermetry::process {

inline constexpr char kDefaultFileStorageDirectory[] = "/var/lib/infermetry/file_storage";

Result<std::unique_ptr<Extension>> CreateFileStorage(const ComponentConfig& cfg);

}  // namespace infermetry::process
