#include "tsdb/checkpoint.h"

#include <cstdio>
#include <cstring>

#include "common/crc32c.h"
#include "tsdb/record/record.h"

namespace infermetry::tsdb {
namespace {
constexpr std::string_view kMagic = "IMCKPT";  // 6 bytes
constexpr std::string_view kPrefix = "checkpoint.";

Status Corrupt(std::string msg) { return Status(Code::kCorruption, "checkpoint: " + msg); }
}  // namespace

std::string CheckpointName(uint64_t segment) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "checkpoint.%08llu", static_cast<unsigned long long>(segment));
  return buf;
}

bool ParseCheckpointName(std::string_view name, uint64_t* segment) {
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view digits = name.substr(kPrefix.size());
  if (digits.size() < 8 || digits.size() > 20) return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *segment = v;
  return true;
}

std::string EncodeCheckpoint(const CheckpointState& state,
                             const std::vector<std::string>& records) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kCheckpointVersion));
  record::PutUvarint(&out, state.next_ref);
  record::PutVarint(&out, state.min_valid_time);
  record::PutUvarint(&out, records.size());
  for (const auto& r : records) {
    record::PutUvarint(&out, r.size());
    out += r;
  }
  uint32_t crc = crc32c::Value(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(crc >> (8 * i)));
  return out;
}

Status ReadCheckpoint(std::string_view data, CheckpointState* state,
                      const std::function<Status(std::string_view)>& fn) {
  if (data.size() < kMagic.size() + 1 + 4 || data.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("bad magic or too short");
  }
  uint8_t version = static_cast<uint8_t>(data[kMagic.size()]);
  if (version != kCheckpointVersion) {
    return Corrupt("format version " + std::to_string(version) + ", this build reads version " +
                   std::to_string(kCheckpointVersion));
  }
  std::string_view body = data.substr(0, data.size() - 4);
  uint32_t want = 0;
  for (int i = 0; i < 4; ++i) {
    want |= uint32_t{static_cast<uint8_t>(data[data.size() - 4 + i])} << (8 * i);
  }
  if (crc32c::Value(body) != want) return Corrupt("CRC mismatch");
  const char* p = body.data() + kMagic.size() + 1;
  const char* end = body.data() + body.size();
  uint64_t n;
  if (!record::GetUvarint(&p, end, &state->next_ref) ||
      !record::GetVarint(&p, end, &state->min_valid_time) || !record::GetUvarint(&p, end, &n)) {
    return Corrupt("truncated header");
  }
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len;
    if (!record::GetUvarint(&p, end, &len) || len > static_cast<uint64_t>(end - p)) {
      return Corrupt("truncated record " + std::to_string(i));
    }
    INFERMETRY_RETURN_IF_ERROR(fn(std::string_view(p, len)));
    p += len;
  }
  if (p != end) return Corrupt("trailing bytes");
  return Status::Ok();
}

}  // namespace infermetry::tsdb
