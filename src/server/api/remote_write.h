#pragma once
// The Prometheus remote-write 1.0 receiver: POST /api/v1/write.
//
//   POST /api/v1/write
//   Content-Type: application/x-protobuf
//   Content-Encoding: snappy
//   X-Prometheus-Remote-Write-Version: 0.1.0
//   <snappy block format>( prometheus.WriteRequest )
//
// WriteRequest as the remote-write specification defines it (prompb field numbers):
//   WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
//   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2;
//                    repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
//   Label          { string name = 1; string value = 2; }
//   Sample         { double value = 1; int64 timestamp = 2; }            (milliseconds)
//   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4;
//                    string unit = 5; }  (UNKNOWN 0, COUNTER 1, GAUGE 2, HISTOGRAM 3,
//                                          GAUGEHISTOGRAM 4, SUMMARY 5, INFO 6, STATESET 7)
// Exemplars and native histograms are skipped; metadata is stored (per family).
//
// Answers: 204 when every sample was appended (staleness markers are kept bit for bit);
// 400 text/plain with the reason for a body that is not snappy, not a WriteRequest, or has a
// series without __name__, with a bad label name or a repeated one (nothing is appended then);
// 400 also when samples were out of order, duplicates (same time, other value) or too old: as in
// Prometheus, so that the sender does not retry; unlike Prometheus 2.42, which drops the whole
// request then, the other samples are kept. Rejected samples are counted in
// infermetry_remote_write_samples_total{result=...}. 413 for a body (decoded) over the limit,
// 500 when the store fails, 503 without a store.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/labels.h"
#include "server/http/router.h"
#include "storage/appender.h"

namespace infermetry::api {

struct RemoteWriteSample {
  int64_t t_ms = 0;
  double v = 0;
};

struct RemoteWriteSeries {
  model::Labels labels;  // sorted; validated by DecodeWriteRequest
  std::vector<RemoteWriteSample> samples;
};

struct RemoteWriteRequest {
  std::vector<RemoteWriteSeries> series;
  std::vector<storage::Metadata> metadata;  // family, type, help, unit
};

// Decodes an uncompressed WriteRequest. kParseError saying what is wrong and at which byte
// offset; kInvalidArgument for a series without __name__, an invalid or repeated label name.
Result<RemoteWriteRequest> DecodeWriteRequest(std::string_view protobuf);

// Encodes a WriteRequest (uncompressed); DecodeWriteRequest reads it back.
std::string EncodeWriteRequest(const RemoteWriteRequest& req);

// Snappy block format. kParseError for corrupt input, kResourceExhausted when the stated
// decoded length is over `max_decoded`.
Result<std::string> SnappyUncompress(std::string_view compressed, size_t max_decoded);
std::string SnappyCompress(std::string_view raw);

struct RemoteWriteOptions {
  storage::Appendable* db = nullptr;  // not owned; null: 503
  size_t max_decoded_bytes = size_t{64} << 20;
};

// Appends the request's samples and metadata into `db`, one Commit for the whole request.
// Status: OK; kOutOfOrder/kDuplicate/kTooOld (the first rejection; the rest was committed);
// another code when appending or committing failed (nothing committed).
Status AppendWriteRequest(storage::Appendable* db, const RemoteWriteRequest& req);

void ServeRemoteWrite(const RemoteWriteOptions& opts, const http::Request& req, http::Response* resp);

// Registers POST /api/v1/write.
void RegisterRemoteWrite(http::Router* router, RemoteWriteOptions opts);

}  // namespace infermetry::api
