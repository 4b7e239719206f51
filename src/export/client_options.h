#pragma once
// Client settings shared by the OTLP exporters (the Collector's confighttp/configgrpc subset):
//
//   endpoint: collector:4317
//   headers: {Authorization: "Bearer ...", Dash0-Dataset: default}
//   compression: gzip            # gzip (default) or none
//   tls:
//     insecure: false            # gRPC only: true = plaintext
//     insecure_skip_verify: false
//     ca_file: /etc/ca.pem
//     cert_file: /etc/client.pem # client certificate for mutual TLS, with key_file
//     key_file: /etc/client.key
//     server_name_override: ""   # name to verify the server certificate against
//
// The PEM files named under tls are read when the config is decoded, so a missing file is a
// config error (file:line:col), not a failure at the first export.

#include <map>
#include <string>

#include "common/status.h"
#include "config/yaml.h"

namespace infermetry::exporter {

struct ClientTls {
  bool insecure = false;
  bool insecure_skip_verify = false;
  std::string ca_file, cert_file, key_file;
  std::string server_name_override;
  // Contents of the files above ("" when not set).
  std::string ca_pem, cert_pem, key_pem;
};

struct ClientOptions {
  std::string endpoint;
  std::map<std::string, std::string> headers;
  bool gzip = true;
  ClientTls tls;
};

// Reads headers, compression and tls from `r` (endpoint is left to the caller: its form differs
// per protocol).
Status DecodeClientOptions(config::MapReader* r, ClientOptions* out);

}  // namespace infermetry::exporter
