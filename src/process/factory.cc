#include "process/factory.h"

namespace infermetry::process {

std::string_view ComponentType(std::string_view id) { return id.substr(0, id.find('/')); }

}  // namespace infermetry::process
