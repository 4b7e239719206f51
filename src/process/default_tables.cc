#include "process/graph.h"
#include "process/service.h"

namespace infermetry::process {

ComponentTables DefaultTables() {
  return ComponentTables{Receivers(), Processors(), Exporters(), Extensions(), Host{}};
}

Result<std::unique_ptr<Service>> Service::Build(const config::Document& doc) {
  return Build(doc, DefaultTables());
}

}  // namespace infermetry::process
