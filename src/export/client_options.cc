#include "export/client_options.h"

#include <fstream>
#include <sstream>

namespace infermetry::exporter {
namespace {

Status ReadPem(config::MapReader* r, std::string_view key, const std::string& path,
               std::string* out) {
  if (path.empty()) return Status::Ok();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return r->doc().ErrorAt(r->Child(key),
                            r->where() + "." + std::string(key) + ": cannot read \"" + path + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status::Ok();
}

Status DecodeTls(config::MapReader* parent, ClientTls* out) {
  YAML::Node n = parent->Child("tls");
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  config::MapReader r(parent->doc(), n, parent->where() + ".tls");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Bool("insecure", &out->insecure));
  INFERMETRY_RETURN_IF_ERROR(r.Bool("insecure_skip_verify", &out->insecure_skip_verify));
  INFERMETRY_RETURN_IF_ERROR(r.String("ca_file", &out->ca_file));
  INFERMETRY_RETURN_IF_ERROR(r.String("cert_file", &out->cert_file));
  INFERMETRY_RETURN_IF_ERROR(r.String("key_file", &out->key_file));
  INFERMETRY_RETURN_IF_ERROR(r.String("server_name_override", &out->server_name_override));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (out->cert_file.empty() != out->key_file.empty()) {
    return parent->doc().ErrorAt(n, r.where() + ": cert_file and key_file go together");
  }
  INFERMETRY_RETURN_IF_ERROR(ReadPem(&r, "ca_file", out->ca_file, &out->ca_pem));
  INFERMETRY_RETURN_IF_ERROR(ReadPem(&r, "cert_file", out->cert_file, &out->cert_pem));
  return ReadPem(&r, "key_file", out->key_file, &out->key_pem);
}

}  // namespace

Status DecodeClientOptions(config::MapReader* r, ClientOptions* out) {
  INFERMETRY_RETURN_IF_ERROR(r->StringMap("headers", &out->headers));
  std::string compression = "gzip";
  INFERMETRY_RETURN_IF_ERROR(r->String("compression", &compression));
  if (compression == "gzip") {
    out->gzip = true;
  } else if (compression == "none" || compression.empty()) {
    out->gzip = false;
  } else {
    return r->doc().ErrorAt(r->Child("compression"), r->where() + ": unsupported compression \"" +
                                                         compression + "\" (want gzip or none)");
  }
  return DecodeTls(r, &out->tls);
}

}  // namespace infermetry::exporter
