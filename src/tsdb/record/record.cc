#include "tsdb/record/record.h"

#include <bit>
#include <cstring>

namespace infermetry::tsdb::record {
namespace {

Status Corrupt(std::string_view what) {
  return Status(Code::kCorruption, "WAL record: " + std::string(what));
}

void PutHeader(std::string* out, Type t) {
  out->push_back(static_cast<char>(t));
  out->push_back(static_cast<char>(kVersion));
}

void PutString(std::string* out, std::string_view s) {
  PutUvarint(out, s.size());
  out->append(s);
}

bool GetString(const char** p, const char* end, std::string* s) {
  uint64_t n;
  if (!GetUvarint(p, end, &n) || n > static_cast<uint64_t>(end - *p)) return false;
  s->assign(*p, n);
  *p += n;
  return true;
}

void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));  // little-endian
  out->append(buf, 8);
}

bool GetFixed64(const char** p, const char* end, uint64_t* v) {
  if (end - *p < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r |= uint64_t{static_cast<uint8_t>((*p)[i])} << (8 * i);
  *p += 8;
  *v = r;
  return true;
}

Status Body(std::string_view rec, Type want, const char** p, const char** end) {
  Type t;
  INFERMETRY_RETURN_IF_ERROR(PeekType(rec, &t));
  if (t != want) return Corrupt("unexpected record type " + std::to_string(int(t)));
  *p = rec.data() + 2;
  *end = rec.data() + rec.size();
  return Status::Ok();
}

}  // namespace

void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutVarint(std::string* out, int64_t v) {
  PutUvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

bool GetUvarint(const char** p, const char* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    uint64_t b = static_cast<uint8_t>(**p);
    ++*p;
    if (shift == 63 && b > 1) return false;
    r |= (b & 0x7f) << shift;
    if (b < 0x80) {
      *v = r;
      return true;
    }
  }
  return false;
}

bool GetVarint(const char** p, const char* end, int64_t* v) {
  uint64_t u;
  if (!GetUvarint(p, end, &u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

Status PeekType(std::string_view rec, Type* type) {
  if (rec.size() < 2) return Corrupt("shorter than its 2-byte header");
  uint8_t t = static_cast<uint8_t>(rec[0]);
  uint8_t version = static_cast<uint8_t>(rec[1]);
  if (t < 1 || t > 3) return Corrupt("unknown record type " + std::to_string(t));
  if (version != kVersion) {
    return Corrupt("record format version " + std::to_string(version) +
                   ", this build reads version " + std::to_string(kVersion));
  }
  *type = static_cast<Type>(t);
  return Status::Ok();
}

void EncodeSeries(std::span<const SeriesView> series, std::string* out) {
  PutHeader(out, Type::kSeries);
  for (const SeriesView& s : series) {
    PutUvarint(out, s.ref);
    PutUvarint(out, s.names.size());
    for (size_t i = 0; i < s.names.size(); ++i) {
      PutString(out, s.names[i]);
      PutString(out, s.values[i]);
    }
  }
}

void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  PutHeader(out, Type::kSamples);
  if (samples.empty()) return;
  // First ref and time in full; then refs as deltas to the previous sample's ref (a scrape's
  // series were created together: small) and times as deltas to the first time (a scrape's
  // samples share it: one byte).
  PutUvarint(out, samples[0].ref);
  PutVarint(out, samples[0].t);
  uint64_t prev_ref = samples[0].ref;
  for (const RefSample& s : samples) {
    PutVarint(out, static_cast<int64_t>(s.ref - prev_ref));
    PutVarint(out, static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                        static_cast<uint64_t>(samples[0].t)));
    PutFixed64(out, std::bit_cast<uint64_t>(s.v));
    prev_ref = s.ref;
  }
}

void EncodeMetadata(std::span<const RefMetadata> metas, std::string* out) {
  PutHeader(out, Type::kMetadata);
  for (const RefMetadata& m : metas) {
    PutString(out, m.family);
    out->push_back(static_cast<char>(m.md.type));
    PutString(out, m.md.help);
    PutString(out, m.md.unit);
  }
}

Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out) {
  const char *p, *end;
  INFERMETRY_RETURN_IF_ERROR(Body(rec, Type::kSeries, &p, &end));
  std::vector<model::Label> labels;
  while (p < end) {
    uint64_t ref, n;
    if (!GetUvarint(&p, end, &ref) || !GetUvarint(&p, end, &n)) return Corrupt("truncated series");
    if (n > static_cast<uint64_t>(end - p) / 2) return Corrupt("label count past the record");
    labels.clear();
    labels.resize(n);
    for (uint64_t i = 0; i < n; ++i) {
      if (!GetString(&p, end, &labels[i].name) || !GetString(&p, end, &labels[i].value)) {
        return Corrupt("truncated label");
      }
    }
    out->push_back({ref, model::Labels::FromUnsorted(std::move(labels))});
    labels = {};
  }
  return Status::Ok();
}

Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out) {
  const char *p, *end;
  INFERMETRY_RETURN_IF_ERROR(Body(rec, Type::kSamples, &p, &end));
  if (p == end) return Status::Ok();
  uint64_t base_ref;
  int64_t base_t;
  if (!GetUvarint(&p, end, &base_ref) || !GetVarint(&p, end, &base_t)) {
    return Corrupt("truncated samples header");
  }
  uint64_t ref = base_ref;
  while (p < end) {
    int64_t dref, dt;
    uint64_t bits;
    if (!GetVarint(&p, end, &dref) || !GetVarint(&p, end, &dt) || !GetFixed64(&p, end, &bits)) {
      return Corrupt("truncated sample");
    }
    ref += static_cast<uint64_t>(dref);
    int64_t t = static_cast<int64_t>(static_cast<uint64_t>(base_t) + static_cast<uint64_t>(dt));
    out->push_back({ref, t, std::bit_cast<double>(bits)});
  }
  return Status::Ok();
}

Status DecodeMetadata(std::string_view rec, std::vector<RefMetadata>* out) {
  const char *p, *end;
  INFERMETRY_RETURN_IF_ERROR(Body(rec, Type::kMetadata, &p, &end));
  while (p < end) {
    RefMetadata m;
    if (!GetString(&p, end, &m.family) || p >= end) return Corrupt("truncated metadata");
    uint8_t type = static_cast<uint8_t>(*p++);
    if (type > static_cast<uint8_t>(model::MetricType::kStateset)) {
      return Corrupt("unknown metric type " + std::to_string(type));
    }
    m.md.type = static_cast<model::MetricType>(type);
    if (!GetString(&p, end, &m.md.help) || !GetString(&p, end, &m.md.unit)) {
      return Corrupt("truncated metadata");
    }
    m.md.family = m.family;
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

}  // namespace infermetry::tsdb::record
