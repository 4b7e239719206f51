#include "process/factory.h"
#include "process/file_storage.h"
#include "process/health_check.h"

namespace infermetry::process {
namespace {

const ExtensionFactory kExtensions[] = {
    {"file_storage", &CreateFileStorage},
    {"health_check", &CreateHealthCheck},
};

}  // namespace

std::span<const ExtensionFactory> Extensions() { return kExtensions; }

}  // namespace infermetry::process
