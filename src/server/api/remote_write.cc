#include "server/api/remote_write.h"

#include <snappy.h>

#include <cstring>
#include <map>
#include <memory>

#include "common/self_metrics.h"

namespace infermetry::api {
namespace {

// Protobuf wire format: (field << 3 | wire type) tags, varints, fixed64 and length-delimited
// fields. Errors carry the absolute byte offset.
class WireReader {
 public:
  WireReader(std::string_view data, size_t base) : data_(data), base_(base) {}

  bool done() const { return pos_ >= data_.size(); }
  size_t offset() const { return base_ + pos_; }

  Status Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Error("truncated varint");
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = v;
        return Status::Ok();
      }
    }
    return Error("varint longer than 10 bytes");
  }

  Status Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t t = 0;
    INFERMETRY_RETURN_IF_ERROR(Varint(&t));
    *field = static_cast<uint32_t>(t >> 3);
    *wire_type = static_cast<uint32_t>(t & 7);
    if (*field == 0) return Error("field number 0");
    return Status::Ok();
  }

  Status Fixed64(uint64_t* out) {
    if (data_.size() - pos_ < 8) return Error("truncated fixed64");
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += 8;
    *out = v;
    return Status::Ok();
  }

  // A length-delimited field's bytes, and the absolute offset they start at.
  Status Bytes(std::string_view* out, size_t* start) {
    uint64_t n = 0;
    INFERMETRY_RETURN_IF_ERROR(Varint(&n));
    if (n > data_.size() - pos_) return Error("length " + std::to_string(n) + " runs past the end");
    *start = offset();
    *out = data_.substr(pos_, n);
    pos_ += n;
    return Status::Ok();
  }

  Status Skip(uint32_t wire_type) {
    uint64_t v = 0;
    std::string_view s;
    size_t start;
    switch (wire_type) {
      case 0: return Varint(&v);
      case 1: return Fixed64(&v);
      case 2: return Bytes(&s, &start);
      case 5:
        if (data_.size() - pos_ < 4) return Error("truncated fixed32");
        pos_ += 4;
        return Status::Ok();
      default: return Error("unsupported wire type " + std::to_string(wire_type));
    }
  }

  Status Error(std::string what) const {
    return ParseError("remote write: malformed protobuf at byte " + std::to_string(offset()) + ": " + what);
  }

 private:
  std::string_view data_;
  size_t base_;
  size_t pos_ = 0;
};

Status WrongType(const WireReader& r, std::string_view field, uint32_t wire_type) {
  return r.Error(std::string(field) + " has wire type " + std::to_string(wire_type));
}

Status DecodeLabel(std::string_view data, size_t base, model::Label* out) {
  WireReader r(data, base);
  while (!r.done()) {
    uint32_t f = 0, wt = 0;
    INFERMETRY_RETURN_IF_ERROR(r.Tag(&f, &wt));
    if (f == 1 || f == 2) {
      if (wt != 2) return WrongType(r, f == 1 ? "Label.name" : "Label.value", wt);
      std::string_view s;
      size_t start;
      INFERMETRY_RETURN_IF_ERROR(r.Bytes(&s, &start));
      (f == 1 ? out->name : out->value) = std::string(s);
    } else {
      INFERMETRY_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

Status DecodeSample(std::string_view data, size_t base, RemoteWriteSample* out) {
  WireReader r(data, base);
  while (!r.done()) {
    uint32_t f = 0, wt = 0;
    INFERMETRY_RETURN_IF_ERROR(r.Tag(&f, &wt));
    if (f == 1) {
      if (wt != 1) return WrongType(r, "Sample.value", wt);
      uint64_t bits = 0;
      INFERMETRY_RETURN_IF_ERROR(r.Fixed64(&bits));
      std::memcpy(&out->v, &bits, sizeof(bits));
    } else if (f == 2) {
      if (wt != 0) return WrongType(r, "Sample.timestamp", wt);
      uint64_t t = 0;
      INFERMETRY_RETURN_IF_ERROR(r.Varint(&t));
      out->t_ms = static_cast<int64_t>(t);
    } else {
      INFERMETRY_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

Status DecodeSeries(std::string_view data, size_t base, RemoteWriteSeries* out) {
  WireReader r(data, base);
  std::vector<model::Label> labels;
  while (!r.done()) {
    uint32_t f = 0, wt = 0;
    INFERMETRY_RETURN_IF_ERROR(r.Tag(&f, &wt));
    if (f == 1 || f == 2) {
      if (wt != 2) return WrongType(r, f == 1 ? "TimeSeries.labels" : "TimeSeries.samples", wt);
      std::string_view s;
      size_t start;
      INFERMETRY_RETURN_IF_ERROR(r.Bytes(&s, &start));
      if (f == 1) {
        INFERMETRY_RETURN_IF_ERROR(DecodeLabel(s, start, &labels.emplace_back()));
      } else {
        INFERMETRY_RETURN_IF_ERROR(DecodeSample(s, start, &out->samples.emplace_back()));
      }
    } else {
      INFERMETRY_RETURN_IF_ERROR(r.Skip(wt));  // exemplars, native histograms
    }
  }
  bool has_name = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const model::Label& l = labels[i];
    if (l.name == model::kMetricName) {
      has_name = !l.value.empty();
    } else if (!model::IsValidLabelName(l.name)) {
      return InvalidArgument("remote write: series at byte " + std::to_string(base) + ": invalid label name \"" +
                             l.name + "\"");
    }
    for (size_t j = 0; j < i; ++j) {
      if (labels[j].name == l.name) {
        return InvalidArgument("remote write: series at byte " + std::to_string(base) + ": label \"" + l.name +
                               "\" appears twice");
      }
    }
  }
  out->labels = model::Labels::FromUnsorted(std::move(labels));
  if (!has_name) {
    return InvalidArgument("remote write: series " + out->labels.ToString() + " at byte " + std::to_string(base) +
                           " has no __name__ label");
  }
  return Status::Ok();
}

Status DecodeMetadata(std::string_view data, size_t base, storage::Metadata* out) {
  WireReader r(data, base);
  while (!r.done()) {
    uint32_t f = 0, wt = 0;
    INFERMETRY_RETURN_IF_ERROR(r.Tag(&f, &wt));
    if (f == 1 && wt == 0) {
      uint64_t t = 0;
      INFERMETRY_RETURN_IF_ERROR(r.Varint(&t));
      out->type = t <= 7 ? static_cast<model::MetricType>(t) : model::MetricType::kUnknown;
    } else if ((f == 2 || f == 4 || f == 5) && wt == 2) {
      std::string_view s;
      size_t start;
      INFERMETRY_RETURN_IF_ERROR(r.Bytes(&s, &start));
      (f == 2 ? out->family : f == 4 ? out->help : out->unit) = std::string(s);
    } else if (f <= 5 && f != 3) {
      return WrongType(r, "MetricMetadata field " + std::to_string(f), wt);
    } else {
      INFERMETRY_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBytes(std::string* out, uint32_t field, std::string_view s) {
  PutVarint(out, field << 3 | 2);
  PutVarint(out, s.size());
  out->append(s);
}

selfmon::Family<selfmon::Counter>& SampleCounter() {
  static auto& family = selfmon::Default().AddCounter(
      "infermetry_remote_write_samples_total",
      "Samples received over Prometheus remote write, by result (appended, out_of_order, duplicate, too_old).",
      {"result"});
  return family;
}

selfmon::Family<selfmon::Counter>& RequestCounter() {
  static auto& family = selfmon::Default().AddCounter(
      "infermetry_remote_write_requests_total", "Prometheus remote-write requests, by HTTP status code.", {"code"});
  return family;
}

void Respond(http::Response* resp, int status, std::string text) {
  RequestCounter().With({std::to_string(status)}).Inc();
  if (status == 204) {
    resp->status = 204;
    resp->body.clear();
    return;
  }
  resp->SetText(status, std::move(text) + "\n");
}

}  // namespace

Result<RemoteWriteRequest> DecodeWriteRequest(std::string_view protobuf) {
  RemoteWriteRequest out;
  WireReader r(protobuf, 0);
  while (!r.done()) {
    uint32_t f = 0, wt = 0;
    INFERMETRY_RETURN_IF_ERROR(r.Tag(&f, &wt));
    if (f == 1 || f == 3) {
      if (wt != 2) return WrongType(r, f == 1 ? "WriteRequest.timeseries" : "WriteRequest.metadata", wt);
      std::string_view s;
      size_t start;
      INFERMETRY_RETURN_IF_ERROR(r.Bytes(&s, &start));
      if (f == 1) {
        INFERMETRY_RETURN_IF_ERROR(DecodeSeries(s, start, &out.series.emplace_back()));
      } else {
        INFERMETRY_RETURN_IF_ERROR(DecodeMetadata(s, start, &out.metadata.emplace_back()));
      }
    } else {
      INFERMETRY_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return out;
}

std::string EncodeWriteRequest(const RemoteWriteRequest& req) {
  std::string out, ts, item;
  for (const RemoteWriteSeries& s : req.series) {
    ts.clear();
    for (const model::Label& l : s.labels) {
      item.clear();
      PutBytes(&item, 1, l.name);
      PutBytes(&item, 2, l.value);
      PutBytes(&ts, 1, item);
    }
    for (const RemoteWriteSample& smp : s.samples) {
      item.clear();
      uint64_t bits;
      std::memcpy(&bits, &smp.v, sizeof(bits));
      PutVarint(&item, 1 << 3 | 1);
      for (int i = 0; i < 8; ++i) item.push_back(static_cast<char>(bits >> (8 * i)));
      PutVarint(&item, 2 << 3 | 0);
      PutVarint(&item, static_cast<uint64_t>(smp.t_ms));
      PutBytes(&ts, 2, item);
    }
    PutBytes(&out, 1, ts);
  }
  for (const storage::Metadata& md : req.metadata) {
    item.clear();
    PutVarint(&item, 1 << 3 | 0);
    PutVarint(&item, static_cast<uint64_t>(md.type));
    PutBytes(&item, 2, md.family);
    PutBytes(&item, 4, md.help);
    PutBytes(&item, 5, md.unit);
    PutBytes(&out, 3, item);
  }
  return out;
}

Result<std::string> SnappyUncompress(std::string_view compressed, size_t max_decoded) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &n)) {
    return ParseError("remote write: the body is not snappy block format (bad length preamble)");
  }
  if (n > max_decoded) {
    return ResourceExhausted("remote write: the decoded body would be " + std::to_string(n) + " bytes, over the " +
                             std::to_string(max_decoded) + "-byte limit");
  }
  std::string out;
  if (!snappy::Uncompress(compressed.data(), compressed.size(), &out)) {
    return ParseError("remote write: corrupt snappy block");
  }
  return out;
}

std::string SnappyCompress(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

Status AppendWriteRequest(storage::Appendable* db, const RemoteWriteRequest& req) {
  std::unique_ptr<storage::Appender> app = db->NewAppender();
  for (const storage::Metadata& md : req.metadata) {
    if (md.family.empty()) continue;
    model::Labels ls{{std::string(model::kMetricName), md.family}};
    Status st = app->UpdateMetadata(ls, md);
    if (!st.ok()) {
      app->Rollback();
      return st;
    }
  }
  Status first_rejected;
  uint64_t appended = 0, ooo = 0, dup = 0, too_old = 0;
  for (const RemoteWriteSeries& s : req.series) {
    for (const RemoteWriteSample& smp : s.samples) {
      Status st = app->Append(s.labels, smp.t_ms, smp.v);
      if (st.ok()) {
        ++appended;
        continue;
      }
      switch (st.code()) {
        case Code::kOutOfOrder: ++ooo; break;
        case Code::kDuplicate: ++dup; break;
        case Code::kTooOld: ++too_old; break;
        default:
          app->Rollback();
          return st.WithContext("remote write: appending to " + s.labels.ToString());
      }
      if (first_rejected.ok()) first_rejected = st.WithContext("series " + s.labels.ToString());
    }
  }
  Status st = app->Commit();
  if (!st.ok()) return st.WithContext("remote write: commit");
  auto& c = SampleCounter();
  if (appended > 0) c.With({"appended"}).Inc(static_cast<double>(appended));
  if (ooo > 0) c.With({"out_of_order"}).Inc(static_cast<double>(ooo));
  if (dup > 0) c.With({"duplicate"}).Inc(static_cast<double>(dup));
  if (too_old > 0) c.With({"too_old"}).Inc(static_cast<double>(too_old));
  if (!first_rejected.ok()) {
    const uint64_t rejected = ooo + dup + too_old;
    return Status(first_rejected.code(), std::to_string(rejected) + " sample(s) rejected (" + std::to_string(ooo) +
                                             " out of order, " + std::to_string(dup) + " duplicate, " +
                                             std::to_string(too_old) + " too old); the first: " +
                                             first_rejected.message());
  }
  return Status::Ok();
}

void ServeRemoteWrite(const RemoteWriteOptions& opts, const http::Request& req, http::Response* resp) {
  if (opts.db == nullptr) return Respond(resp, 503, "remote write: the metrics store is not enabled in this process");
  std::string_view enc = req.Header("Content-Encoding");
  if (!enc.empty() && !EqualsIgnoreCase(enc, "snappy")) {
    return Respond(resp, 415,
                   "remote write: Content-Encoding \"" + std::string(enc) + "\" is not supported; want snappy");
  }
  auto raw = SnappyUncompress(req.body, opts.max_decoded_bytes);
  if (!raw.ok()) return Respond(resp, raw.status().code() == Code::kResourceExhausted ? 413 : 400, raw.status().message());
  auto decoded = DecodeWriteRequest(*raw);
  if (!decoded.ok()) return Respond(resp, 400, decoded.status().message());
  Status st = AppendWriteRequest(opts.db, *decoded);
  if (st.ok()) return Respond(resp, 204, "");
  switch (st.code()) {
    case Code::kOutOfOrder:
    case Code::kDuplicate:
    case Code::kTooOld:
      return Respond(resp, 400, "remote write: " + st.message());
    default:
      return Respond(resp, 500, st.message());
  }
}

void RegisterRemoteWrite(http::Router* router, RemoteWriteOptions opts) {
  router->Handle("POST", "/api/v1/write", "remote_write",
                 [opts](const http::Request& req, http::Response* resp) { ServeRemoteWrite(opts, req, resp); });
}

}  // namespace infermetry::api
