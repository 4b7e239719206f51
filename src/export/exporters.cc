// The exporter registry table (see process/factory.h).

#include "export/debug_exporter.h"
#include "export/otlp_grpc_exporter.h"
#include "export/otlp_http_exporter.h"
#include "export/store_exporter.h"
#include "process/factory.h"

namespace infermetry::process {

std::span<const ExporterFactory> Exporters() {
  static constexpr ExporterFactory kExporters[] = {
      {"otlp", &exporter::CreateOtlpGrpcExporter},
      {"otlphttp", &exporter::CreateOtlpHttpExporter},
      {"debug", &exporter::CreateDebugExporter},
      {"store", &exporter::CreateStoreExporter},
  };
  return kExporters;
}

}  // namespace infermetry::process
