// Fuzz target for the OTLP/JSON codec.
//
// For each input and each message type (the three export requests, their responses and
// google.rpc.Status): DecodeJson; when it succeeds, EncodeJson must produce JSON that decodes
// again to the same message (compared by deterministic serialization, which sees -0.0, NaN and
// oneof presence) and encodes to the same text; and the message must survive a protobuf
// serialize/parse (the decoder's nesting limit matches protobuf's).
//
//   otlp_json_fuzz -max_total_time=60 -dict=test/fuzz/otlp_json.dict test/fuzz/corpus/otlp_json

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "model/otlp/otlp_json.h"

namespace {

using namespace infermetry::otlp;  // NOLINT: the codec's types and functions

void Check(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) {
    std::fprintf(stderr, "otlp_json_fuzz: check failed: %s\n%s\n", what, detail.c_str());
    std::abort();
  }
}

template <typename M>
std::string Deterministic(const M& msg) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream s(&out);
    google::protobuf::io::CodedOutputStream c(&s);
    c.SetSerializationDeterministic(true);
    msg.SerializeToCodedStream(&c);
  }
  return out;
}

template <typename M>
void RoundTrip(std::string_view in) {
  M msg;
  if (!DecodeJson(in, msg).ok()) return;
  std::string json = EncodeJson(msg);
  M again;
  infermetry::Status st = DecodeJson(json, again);
  Check(st.ok(), "encoded JSON decodes", st.ToString() + "\n" + json);
  std::string wire = Deterministic(msg);
  Check(wire == Deterministic(again), "JSON round trip keeps the message", json);
  Check(EncodeJson(again) == json, "encoding is a fixed point", json);
  M parsed;
  Check(parsed.ParseFromString(wire), "decoded message parses back from protobuf", json);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The protobuf parser logs every invalid UTF-8 string it refuses; that is expected here.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Heap copy of exactly `size` bytes, so that ASan catches any read past the end.
  char* buf = static_cast<char*>(std::malloc(size == 0 ? 1 : size));
  if (size > 0) std::memcpy(buf, data, size);
  std::string_view in(buf, size);
  RoundTrip<ExportTraceServiceRequest>(in);
  RoundTrip<ExportMetricsServiceRequest>(in);
  RoundTrip<ExportLogsServiceRequest>(in);
  RoundTrip<ExportTraceServiceResponse>(in);
  RoundTrip<ExportMetricsServiceResponse>(in);
  RoundTrip<ExportLogsServiceResponse>(in);
  RoundTrip<RpcStatus>(in);
  std::free(buf);
  return 0;
}
