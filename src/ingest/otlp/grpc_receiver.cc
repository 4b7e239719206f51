#include "ingest/otlp/grpc_receiver.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/log.h"
#include "model/otlp/otlp_json.h"

namespace infermetry::otlp {
namespace {

constexpr std::string_view kTracesMethod =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr std::string_view kMetricsMethod =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
constexpr std::string_view kLogsMethod =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

// ":4317" (all interfaces, as Go and the Collector spell it) in gRPC's syntax.
std::string GrpcAddress(const std::string& endpoint) {
  if (!endpoint.empty() && endpoint[0] == ':') return "[::]" + endpoint;
  return endpoint;
}

void SetPartialSuccess(ExportTraceServiceResponse* r, const ExportOutcome& out) {
  r->mutable_partial_success()->set_rejected_spans(out.rejected);
  r->mutable_partial_success()->set_error_message(out.message);
}
void SetPartialSuccess(ExportMetricsServiceResponse* r, const ExportOutcome& out) {
  r->mutable_partial_success()->set_rejected_data_points(out.rejected);
  r->mutable_partial_success()->set_error_message(out.message);
}
void SetPartialSuccess(ExportLogsServiceResponse* r, const ExportOutcome& out) {
  r->mutable_partial_success()->set_rejected_log_records(out.rejected);
  r->mutable_partial_success()->set_error_message(out.message);
}

}  // namespace

struct GrpcReceiver::Impl {
  class Call;

  GrpcReceiverOptions options;
  std::shared_ptr<ExportHandler> handler;
  grpc::AsyncGenericService service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<grpc::ServerCompletionQueue> cq;
  std::vector<std::thread> threads;
  int port = 0;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // no new calls are requested once set
  int live_calls = 0;     // Call objects not yet deleted
  bool stopped = false;

  // Requests one more incoming call, unless stopping.
  void RequestCall();
  // Deletes a finished call.
  void Done(Call* call);
  void Poll();
};

// One RPC, from waiting for it to the completion of its Finish.
class GrpcReceiver::Impl::Call {
 public:
  explicit Call(GrpcReceiver::Impl* impl) : impl_(impl), stream_(&ctx_) {}

  void Request() {
    impl_->service.RequestCall(&ctx_, &stream_, impl_->cq.get(), impl_->cq.get(), this);
  }

  // Advances the call when the operation it last started completes.
  void Proceed(bool ok) {
    switch (state_) {
      case State::kWaiting:
        if (!ok) {  // the server is shutting down
          impl_->Done(this);
          return;
        }
        impl_->RequestCall();
        state_ = State::kReading;
        stream_.Read(&request_, this);
        return;
      case State::kReading:
        state_ = State::kFinishing;
        if (!ok) {
          stream_.Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"),
                         this);
          return;
        }
        Handle();
        return;
      case State::kFinishing:
        impl_->Done(this);
        return;
    }
  }

 private:
  enum class State { kWaiting, kReading, kFinishing };

  void Handle() {
    const std::string& method = ctx_.method();
    if (method == kTracesMethod) {
      Export<process::Traces, ExportTraceServiceResponse>(process::Signal::kTraces);
    } else if (method == kMetricsMethod) {
      Export<process::Metrics, ExportMetricsServiceResponse>(process::Signal::kMetrics);
    } else if (method == kLogsMethod) {
      Export<process::Logs, ExportLogsServiceResponse>(process::Signal::kLogs);
    } else {
      Fail(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + method));
    }
  }

  template <typename Request, typename Response>
  void Export(process::Signal signal) {
    ExportHandler& handler = *impl_->handler;
    if (!handler.Accepts(signal)) {
      std::string_view service = ctx_.method();
      service = service.substr(1, service.rfind('/') - 1);
      Fail(
          grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown service " + std::string(service)));
      return;
    }
    Request msg;
    grpc::ProtoBufferReader reader(&request_);
    if (!msg.ParseFromZeroCopyStream(&reader)) {
      Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "cannot decode the request as a protobuf " + msg.GetTypeName()));
      return;
    }
    request_.Clear();
    process::ClientInfo client = ClientInfoOf();
    ExportOutcome out = handler.Export(std::move(msg), &client);
    if (!out.status.ok()) {
      google::rpc::Status st = RpcStatusFor(out.status, impl_->options.retry_after);
      Fail(grpc::Status(static_cast<grpc::StatusCode>(st.code()), st.message(),
                        st.SerializeAsString()));
      return;
    }
    Response response;
    if (out.rejected > 0) SetPartialSuccess(&response, out);
    std::string bytes = response.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    stream_.WriteAndFinish(buffer, grpc::WriteOptions(), grpc::Status::OK, this);
  }

  void Fail(const grpc::Status& status) { stream_.Finish(status, this); }

  // The peer as "ip:port" (gRPC spells it "ipv4:1.2.3.4:5" or "ipv6:[::1]:5"), and the
  // metadata when the receiver includes it.
  process::ClientInfo ClientInfoOf() const {
    process::ClientInfo client;
    std::string peer = ctx_.peer();
    for (std::string_view scheme : {"ipv4:", "ipv6:"}) {
      if (peer.rfind(scheme, 0) == 0) {
        peer.erase(0, scheme.size());
        break;
      }
    }
    client.address = std::move(peer);
    if (impl_->options.include_metadata) {
      for (const auto& [key, value] : ctx_.client_metadata()) {
        client.AddMetadata(std::string_view(key.data(), key.size()),
                           std::string_view(value.data(), value.size()));
      }
    }
    return client;
  }

  GrpcReceiver::Impl* impl_;
  State state_ = State::kWaiting;
  grpc::GenericServerContext ctx_;
  grpc::GenericServerAsyncReaderWriter stream_;
  grpc::ByteBuffer request_;
};

void GrpcReceiver::Impl::RequestCall() {
  {
    std::lock_guard<std::mutex> l(mu);
    if (stopping) return;
    ++live_calls;
  }
  (new Call(this))->Request();
}

void GrpcReceiver::Impl::Done(Call* call) {
  delete call;
  std::lock_guard<std::mutex> l(mu);
  if (--live_calls == 0) cv.notify_all();
}

void GrpcReceiver::Impl::Poll() {
  void* tag;
  bool ok;
  while (cq->Next(&tag, &ok)) static_cast<Call*>(tag)->Proceed(ok);
}

Result<std::unique_ptr<GrpcReceiver>> GrpcReceiver::Start(const GrpcReceiverOptions& options,
                                                          std::shared_ptr<ExportHandler> handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!options.tls_cert_file.empty()) {
    Result<std::string> cert = ReadFile(DefaultEnv(), options.tls_cert_file);
    if (!cert.ok()) return cert.status().WithContext("otlp grpc: tls.cert_file");
    Result<std::string> key = ReadFile(DefaultEnv(), options.tls_key_file);
    if (!key.ok()) return key.status().WithContext("otlp grpc: tls.key_file");
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({std::move(*key), std::move(*cert)});
    creds = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  std::string address = GrpcAddress(options.endpoint);
  builder.AddListeningPort(address, creds, &impl->port);
  uint64_t max_bytes = std::max<uint64_t>(options.max_recv_msg_size_mib, 1) << 20;
  builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<uint64_t>(max_bytes, INT_MAX)));
  builder.RegisterAsyncGenericService(&impl->service);
  impl->cq = builder.AddCompletionQueue();
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    if (impl->server != nullptr) impl->server->Shutdown();
    impl->cq->Shutdown();
    void* tag;
    bool ok;
    while (impl->cq->Next(&tag, &ok)) {
    }
    return Unavailable("otlp grpc: cannot listen on " + options.endpoint);
  }
  int threads = std::max(options.threads, 1);
  for (int i = 0; i < 2 * threads; ++i) impl->RequestCall();
  for (int i = 0; i < threads; ++i) {
    Impl* p = impl.get();
    impl->threads.emplace_back([p] { p->Poll(); });
  }
  return std::unique_ptr<GrpcReceiver>(new GrpcReceiver(std::move(impl)));
}

GrpcReceiver::GrpcReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcReceiver::~GrpcReceiver() { Shutdown(std::chrono::milliseconds(5000)); }

uint16_t GrpcReceiver::port() const { return static_cast<uint16_t>(impl_->port); }

void GrpcReceiver::Shutdown(std::chrono::milliseconds deadline) {
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
    impl_->stopping = true;
  }
  impl_->server->Shutdown(std::chrono::system_clock::now() + deadline);
  {
    // Calls still waiting come back with ok=false; calls in progress finish or are cancelled.
    std::unique_lock<std::mutex> l(impl_->mu);
    impl_->cv.wait(l, [&] { return impl_->live_calls == 0; });
  }
  impl_->cq->Shutdown();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace infermetry::otlp
