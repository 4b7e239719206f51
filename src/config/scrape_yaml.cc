#include "config/scrape_yaml.h"

#include <fstream>
#include <set>
#include <sstream>

#include "model/labels.h"

namespace infermetry::config {
namespace {

Status ReadSecretFile(const MapReader& r, const YAML::Node& at, const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return r.doc().ErrorAt(at, "cannot read file \"" + path + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r' || out->back() == ' ')) out->pop_back();
  return Status::Ok();
}

Status DecodeRelabel(const Document& doc, const YAML::Node& n, const std::string& where,
                     std::vector<scrape::RelabelConfig>* out) {
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  if (!n.IsSequence()) return doc.ErrorAt(n, where + ": expected a list");
  for (size_t i = 0; i < n.size(); ++i) {
    std::string w = where + "[" + std::to_string(i) + "]";
    MapReader r(doc, n[i], w);
    INFERMETRY_RETURN_IF_ERROR(r.status());
    scrape::RelabelConfig rc;
    std::string regex = "(.*)", action = "replace";
    INFERMETRY_RETURN_IF_ERROR(r.StringList("source_labels", &rc.source_labels));
    INFERMETRY_RETURN_IF_ERROR(r.String("separator", &rc.separator));
    INFERMETRY_RETURN_IF_ERROR(r.String("regex", &regex));
    INFERMETRY_RETURN_IF_ERROR(r.String("target_label", &rc.target_label));
    INFERMETRY_RETURN_IF_ERROR(r.String("replacement", &rc.replacement));
    INFERMETRY_RETURN_IF_ERROR(r.String("action", &action));
    INFERMETRY_RETURN_IF_ERROR(r.Finish());
    auto a = scrape::ParseRelabelAction(action);
    if (!a.ok()) return doc.ErrorAt(r.Child("action"), w + ": " + a.status().message());
    rc.action = *a;
    Status st = rc.Init(regex);
    if (!st.ok()) return doc.ErrorAt(n[i], w + ": " + st.message());
    out->push_back(std::move(rc));
  }
  return Status::Ok();
}

Status DecodeHttpClient(MapReader* r, scrape::ScrapeConfig* sc) {
  const Document& doc = r->doc();
  const std::string& w = r->where();
  if (YAML::Node ba = r->Child("basic_auth"); ba.IsDefined() && !ba.IsNull()) {
    MapReader br(doc, ba, w + ".basic_auth");
    INFERMETRY_RETURN_IF_ERROR(br.status());
    std::string password_file;
    INFERMETRY_RETURN_IF_ERROR(br.String("username", &sc->basic_auth_username));
    INFERMETRY_RETURN_IF_ERROR(br.String("password", &sc->basic_auth_password));
    INFERMETRY_RETURN_IF_ERROR(br.String("password_file", &password_file));
    INFERMETRY_RETURN_IF_ERROR(br.Finish());
    if (!password_file.empty()) {
      INFERMETRY_RETURN_IF_ERROR(ReadSecretFile(br, ba, password_file, &sc->basic_auth_password));
    }
  }
  std::string bearer, bearer_file;
  INFERMETRY_RETURN_IF_ERROR(r->String("bearer_token", &bearer));
  INFERMETRY_RETURN_IF_ERROR(r->String("bearer_token_file", &bearer_file));
  if (!bearer_file.empty()) INFERMETRY_RETURN_IF_ERROR(ReadSecretFile(*r, r->Child("bearer_token_file"), bearer_file, &bearer));
  sc->authorization_credentials = bearer;
  if (YAML::Node az = r->Child("authorization"); az.IsDefined() && !az.IsNull()) {
    MapReader ar(doc, az, w + ".authorization");
    INFERMETRY_RETURN_IF_ERROR(ar.status());
    std::string cred_file;
    INFERMETRY_RETURN_IF_ERROR(ar.String("type", &sc->authorization_type));
    INFERMETRY_RETURN_IF_ERROR(ar.String("credentials", &sc->authorization_credentials));
    INFERMETRY_RETURN_IF_ERROR(ar.String("credentials_file", &cred_file));
    INFERMETRY_RETURN_IF_ERROR(ar.Finish());
    if (!cred_file.empty()) {
      INFERMETRY_RETURN_IF_ERROR(ReadSecretFile(ar, az, cred_file, &sc->authorization_credentials));
    }
  }
  if (!sc->basic_auth_username.empty() && !sc->authorization_credentials.empty()) {
    return doc.ErrorAt(r->Child("basic_auth"), w + ": at most one of basic_auth and authorization/bearer_token may be set");
  }
  if (YAML::Node tn = r->Child("tls_config"); tn.IsDefined() && !tn.IsNull()) {
    MapReader tr(doc, tn, w + ".tls_config");
    INFERMETRY_RETURN_IF_ERROR(tr.status());
    INFERMETRY_RETURN_IF_ERROR(tr.String("ca_file", &sc->tls.ca_file));
    INFERMETRY_RETURN_IF_ERROR(tr.String("cert_file", &sc->tls.cert_file));
    INFERMETRY_RETURN_IF_ERROR(tr.String("key_file", &sc->tls.key_file));
    INFERMETRY_RETURN_IF_ERROR(tr.String("server_name", &sc->tls.server_name));
    INFERMETRY_RETURN_IF_ERROR(tr.Bool("insecure_skip_verify", &sc->tls.insecure_skip_verify));
    INFERMETRY_RETURN_IF_ERROR(tr.Finish());
  }
  return Status::Ok();
}

Status DecodeScrapeConfig(MapReader* r, const scrape::GlobalConfig& g, scrape::ScrapeConfig* sc) {
  const Document& doc = r->doc();
  const std::string& w = r->where();
  sc->scrape_interval = g.scrape_interval;
  sc->scrape_timeout = g.scrape_timeout;
  INFERMETRY_RETURN_IF_ERROR(r->String("job_name", &sc->job_name));
  if (sc->job_name.empty()) return doc.ErrorAt(r->Child("job_name"), w + ": job_name is required");
  INFERMETRY_RETURN_IF_ERROR(r->Duration("scrape_interval", &sc->scrape_interval));
  bool explicit_timeout = r->Has("scrape_timeout");
  INFERMETRY_RETURN_IF_ERROR(r->Duration("scrape_timeout", &sc->scrape_timeout));
  // As in Prometheus: a timeout inherited from global is capped by the job's interval.
  if (!explicit_timeout && sc->scrape_timeout > sc->scrape_interval) sc->scrape_timeout = sc->scrape_interval;
  if (sc->scrape_interval.count() <= 0) return doc.ErrorAt(r->Child("scrape_interval"), w + ": scrape_interval must be > 0");
  if (sc->scrape_timeout > sc->scrape_interval) {
    return doc.ErrorAt(r->Child("scrape_timeout"), w + ": scrape_timeout is greater than scrape_interval");
  }
  INFERMETRY_RETURN_IF_ERROR(r->String("metrics_path", &sc->metrics_path));
  INFERMETRY_RETURN_IF_ERROR(r->String("scheme", &sc->scheme));
  if (sc->scheme != "http" && sc->scheme != "https") {
    return doc.ErrorAt(r->Child("scheme"), w + ": scheme must be http or https, got \"" + sc->scheme + "\"");
  }
  INFERMETRY_RETURN_IF_ERROR(r->Bool("honor_labels", &sc->honor_labels));
  INFERMETRY_RETURN_IF_ERROR(r->Bool("honor_timestamps", &sc->honor_timestamps));
  INFERMETRY_RETURN_IF_ERROR(r->Uint("sample_limit", &sc->sample_limit));
  INFERMETRY_RETURN_IF_ERROR(r->Uint("body_size_limit", &sc->body_size_limit));
  if (YAML::Node pn = r->Child("params"); pn.IsDefined() && !pn.IsNull()) {
    if (!pn.IsMap()) return doc.ErrorAt(pn, w + ".params: expected a mapping of name to list of values");
    for (auto it = pn.begin(); it != pn.end(); ++it) {
      MapReader pr(doc, pn, w + ".params");
      std::vector<std::string> vals;
      INFERMETRY_RETURN_IF_ERROR(pr.StringList(it->first.Scalar(), &vals));
      sc->params[it->first.Scalar()] = std::move(vals);
    }
  }
  INFERMETRY_RETURN_IF_ERROR(DecodeHttpClient(r, sc));
  if (YAML::Node sn = r->Child("static_configs"); sn.IsDefined() && !sn.IsNull()) {
    if (!sn.IsSequence()) return doc.ErrorAt(sn, w + ".static_configs: expected a list");
    for (size_t i = 0; i < sn.size(); ++i) {
      MapReader gr(doc, sn[i], w + ".static_configs[" + std::to_string(i) + "]");
      INFERMETRY_RETURN_IF_ERROR(gr.status());
      scrape::StaticConfig group;
      INFERMETRY_RETURN_IF_ERROR(gr.StringList("targets", &group.targets));
      INFERMETRY_RETURN_IF_ERROR(gr.StringMap("labels", &group.labels));
      INFERMETRY_RETURN_IF_ERROR(gr.Finish());
      for (const auto& [k, v] : group.labels) {
        if (!model::IsValidLabelName(k)) {
          return doc.ErrorAt(sn[i]["labels"], gr.where() + ".labels: invalid label name \"" + k + "\"");
        }
      }
      for (const std::string& t : group.targets) {
        if (t.empty() || t.find('/') != std::string::npos) {
          return doc.ErrorAt(sn[i]["targets"], gr.where() + ".targets: \"" + t +
                                                   "\" is not host:port (scheme and path are set by scheme and metrics_path)");
        }
      }
      sc->static_configs.push_back(std::move(group));
    }
  }
  INFERMETRY_RETURN_IF_ERROR(DecodeRelabel(doc, r->Child("relabel_configs"), w + ".relabel_configs", &sc->relabel_configs));
  INFERMETRY_RETURN_IF_ERROR(DecodeRelabel(doc, r->Child("metric_relabel_configs"), w + ".metric_relabel_configs",
                                           &sc->metric_relabel_configs));
  return r->Finish();
}

}  // namespace

Status DecodeScrapeFile(MapReader* reader, scrape::ScrapeFileConfig* out) {
  const Document& doc = reader->doc();
  if (YAML::Node gn = reader->Child("global"); gn.IsDefined()) {
    MapReader gr(doc, gn, "global");
    INFERMETRY_RETURN_IF_ERROR(gr.status());
    INFERMETRY_RETURN_IF_ERROR(gr.Duration("scrape_interval", &out->global.scrape_interval));
    INFERMETRY_RETURN_IF_ERROR(gr.Duration("scrape_timeout", &out->global.scrape_timeout));
    INFERMETRY_RETURN_IF_ERROR(gr.StringMap("external_labels", &out->global.external_labels));
    (void)gr.Child("evaluation_interval");  // read by the rule engine, accepted here
    INFERMETRY_RETURN_IF_ERROR(gr.Finish());
  }
  YAML::Node list = reader->Child("scrape_configs");
  if (!list.IsDefined() || list.IsNull()) return Status::Ok();
  if (!list.IsSequence()) return doc.ErrorAt(list, "scrape_configs: expected a list");
  std::set<std::string> jobs;
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader r(doc, list[i], "scrape_configs[" + std::to_string(i) + "]");
    INFERMETRY_RETURN_IF_ERROR(r.status());
    scrape::ScrapeConfig sc;
    INFERMETRY_RETURN_IF_ERROR(DecodeScrapeConfig(&r, out->global, &sc));
    if (!jobs.insert(sc.job_name).second) {
      return doc.ErrorAt(list[i]["job_name"], "found multiple scrape configs with job name \"" + sc.job_name + "\"");
    }
    out->scrape_configs.push_back(std::move(sc));
  }
  return Status::Ok();
}

Result<scrape::ScrapeFileConfig> LoadScrapeFile(const std::string& path) {
  INFERMETRY_ASSIGN_OR_RETURN(Document doc, Document::LoadFile(path));
  MapReader r(doc, doc.root(), "config");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  scrape::ScrapeFileConfig cfg;
  INFERMETRY_RETURN_IF_ERROR(DecodeScrapeFile(&r, &cfg));
  // Sections that other parts of a Prometheus config carry are accepted, not read here.
  for (const char* k : {"rule_files", "alerting", "remote_write", "remote_read", "storage"}) (void)r.Child(k);
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  return cfg;
}

}  // namespace infermetry::config
