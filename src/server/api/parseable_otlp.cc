#include "server/api/parseable_otlp.h"

#include <string>

#include "common/log.h"
#include "config/yaml.h"
#include "export/store_exporter.h"
#include "ingest/otlp/http_receiver.h"
#include "process/client_info.h"
#include "server/http/router.h"

namespace infermetry::api {
namespace {

using KeyValues = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;

constexpr std::string_view kStreamKey = "p_stream";

void SetTag(KeyValues* attrs, const std::string& stream) {
  for (auto& kv : *attrs) {
    if (kv.key() == kStreamKey) {
      kv.mutable_value()->set_string_value(stream);
      return;
    }
  }
  auto* kv = attrs->Add();
  kv->set_key(std::string(kStreamKey));
  kv->mutable_value()->set_string_value(stream);
}

void TagPoints(opentelemetry::proto::metrics::v1::Metric* m, const std::string& stream) {
  using opentelemetry::proto::metrics::v1::Metric;
  switch (m->data_case()) {
    case Metric::kGauge:
      for (auto& p : *m->mutable_gauge()->mutable_data_points()) SetTag(p.mutable_attributes(), stream);
      break;
    case Metric::kSum:
      for (auto& p : *m->mutable_sum()->mutable_data_points()) SetTag(p.mutable_attributes(), stream);
      break;
    case Metric::kHistogram:
      for (auto& p : *m->mutable_histogram()->mutable_data_points()) SetTag(p.mutable_attributes(), stream);
      break;
    case Metric::kExponentialHistogram:
      for (auto& p : *m->mutable_exponential_histogram()->mutable_data_points()) {
        SetTag(p.mutable_attributes(), stream);
      }
      break;
    case Metric::kSummary:
      for (auto& p : *m->mutable_summary()->mutable_data_points()) SetTag(p.mutable_attributes(), stream);
      break;
    default:
      break;
  }
}

// Reads X-P-Stream from the request being served (the receiver shows the headers as client
// metadata) and registers the stream.
class StreamTagger : public process::Consumer {
 public:
  StreamTagger(sql::StreamRegistry* streams, process::Exporter* store) : streams_(streams), store_(store) {}

  Status ConsumeMetrics(process::Metrics&& batch) override {
    INFERMETRY_ASSIGN_OR_RETURN(std::string stream, Route(sql::StreamKind::kMetrics));
    if (!stream.empty()) {
      for (auto& rm : *batch.mutable_resource_metrics()) {
        for (auto& sm : *rm.mutable_scope_metrics()) {
          for (auto& m : *sm.mutable_metrics()) TagPoints(&m, stream);
        }
      }
    }
    return store_->ConsumeMetrics(std::move(batch));
  }

  Status ConsumeTraces(process::Traces&& batch) override {
    INFERMETRY_ASSIGN_OR_RETURN(std::string stream, Route(sql::StreamKind::kTraces));
    if (!stream.empty()) {
      for (auto& rs : *batch.mutable_resource_spans()) SetTag(rs.mutable_resource()->mutable_attributes(), stream);
    }
    return store_->ConsumeTraces(std::move(batch));
  }

  Status ConsumeLogs(process::Logs&& batch) override {
    INFERMETRY_ASSIGN_OR_RETURN(std::string stream, Route(sql::StreamKind::kLogs));
    if (!stream.empty()) {
      for (auto& rl : *batch.mutable_resource_logs()) SetTag(rl.mutable_resource()->mutable_attributes(), stream);
    }
    return store_->ConsumeLogs(std::move(batch));
  }

 private:
  // The stream named by X-P-Stream ("" when none), registered with `kind`.
  Result<std::string> Route(sql::StreamKind kind) {
    const process::ClientInfo* client = process::CurrentClientInfo();
    if (client == nullptr) return std::string();
    auto names = client->Get("x-p-stream");
    if (names.empty()) return std::string();
    std::string_view name = names.front();
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) return std::string();
    auto sources = client->Get("x-p-log-source");
    Status st = streams_->Ensure(name, kind, sources.empty() ? std::string_view() : sources.front());
    if (!st.ok()) {
      std::optional<sql::StreamInfo> existing = streams_->Find(name);
      if (!existing || existing->name != name || existing->kind == kind) return st;
      // The stream holds another signal: keep the data, tagged, in this signal's default stream.
      log::Debug("otlp: stream of another kind", {{"stream", std::string(name)},
                                                  {"kind", std::string(sql::StreamKindName(existing->kind))}});
    }
    return std::string(name);
  }

  sql::StreamRegistry* streams_;
  process::Exporter* store_;
};

}  // namespace

struct OtlpStreamRoutes::Impl {
  process::Host host;
  std::unique_ptr<config::Document> doc;
  std::unique_ptr<process::Exporter> store;
  std::unique_ptr<StreamTagger> tagger;
  std::shared_ptr<otlp::ExportHandler> handler;
  http::Router router;
};

OtlpStreamRoutes::OtlpStreamRoutes(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpStreamRoutes::~OtlpStreamRoutes() = default;

Result<std::shared_ptr<OtlpStreamRoutes>> OtlpStreamRoutes::Create(sql::StreamRegistry* streams,
                                                                   const process::Host& host) {
  auto impl = std::make_unique<Impl>();
  impl->host = host;
  INFERMETRY_ASSIGN_OR_RETURN(config::Document doc, config::Document::LoadString("", "<api otlp>"));
  impl->doc = std::make_unique<config::Document>(std::move(doc));
  if (host.metrics == nullptr && host.spans == nullptr && host.logs == nullptr) {
    // No store: no signal is routed, every path answers 404.
    return std::shared_ptr<OtlpStreamRoutes>(new OtlpStreamRoutes(std::move(impl)));
  }
  process::ComponentConfig cfg{impl->doc.get(), YAML::Node(), "store/api", "api", &impl->host};
  INFERMETRY_ASSIGN_OR_RETURN(impl->store, exporter::CreateStoreExporter(cfg));
  INFERMETRY_RETURN_IF_ERROR(impl->store->Start());
  impl->tagger = std::make_unique<StreamTagger>(streams, impl->store.get());
  process::ReceiverOutputs outputs;
  if (host.spans != nullptr) outputs.traces = impl->tagger.get();
  if (host.metrics != nullptr) outputs.metrics = impl->tagger.get();
  if (host.logs != nullptr) outputs.logs = impl->tagger.get();
  impl->handler = std::make_shared<otlp::ExportHandler>("api", "http", outputs);
  otlp::HttpRoutesOptions ro;
  ro.include_metadata = true;
  otlp::RegisterOtlpHttpRoutes(ro, impl->handler, &impl->router);
  return std::shared_ptr<OtlpStreamRoutes>(new OtlpStreamRoutes(std::move(impl)));
}

void OtlpStreamRoutes::Serve(const http::Request& req, http::Response* resp) const {
  impl_->router.Dispatch(req, resp);
}

}  // namespace infermetry::api
