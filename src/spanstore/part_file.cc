#include "spanstore/part_file.h"

#include <algorithm>
#include <cstring>

#include "spanstore/coding.h"

namespace infermetry::spanstore {

namespace {

constexpr char kMagic[8] = {'I', 'M', 'S', 'P', 'P', 'A', 'R', 'T'};
constexpr size_t kHeaderSize = 16;
constexpr size_t kTrailerSize = 24;
constexpr uint32_t kBloomHashes = 8;

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

void BloomHashes(const model::TraceId& id, uint64_t* h1, uint64_t* h2) {
  // Both hashes depend on all 16 bytes: ids that share a half must not share probe patterns.
  uint64_t a = LoadFixed64(reinterpret_cast<const char*>(id.data()));
  uint64_t b = LoadFixed64(reinterpret_cast<const char*>(id.data()) + 8);
  *h1 = Mix(a ^ Mix(b + 0x9e3779b97f4a7c15ULL));
  *h2 = Mix(b ^ Mix(a + 0xc2b2ae3d27d4eb4fULL)) | 1;
}

// Appends to a file through a buffer, tracking the offset.
class BufferedWriter {
 public:
  explicit BufferedWriter(File* f) : f_(f) {}
  Status Write(std::string_view data) {
    buf_.append(data);
    offset_ += data.size();
    if (buf_.size() >= (1u << 20)) return Drain();
    return Status::Ok();
  }
  Status Drain() {
    Status st = f_->Append(buf_);
    buf_.clear();
    return st;
  }
  uint64_t offset() const { return offset_; }

 private:
  File* f_;
  std::string buf_;
  uint64_t offset_ = 0;
};

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

Result<uint64_t> WritePart(Env* env, const std::string& path, const PartBuild& build,
                           const PartInfo& info) {
  const std::string tmp = path + ".tmp";
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, env->Open(tmp, true));
  INFERMETRY_RETURN_IF_ERROR(f->Truncate(0));
  BufferedWriter w(f.get());
  std::string header(kMagic, 8);
  PutFixed32(&header, kPartVersion);
  PutFixed32(&header, static_cast<uint32_t>(build.kind));
  INFERMETRY_RETURN_IF_ERROR(w.Write(header));

  std::string footer;
  PutVarint(&footer, info.seq);
  PutVarint(&footer, info.wal_cut);
  PutVarint(&footer, info.merged_from.size());
  for (uint64_t s : info.merged_from) PutVarint(&footer, s);
  PutVarint(&footer, build.trace_ids.size());
  PutSigned(&footer, build.min_time);
  PutSigned(&footer, build.max_time);
  PutVarint(&footer, build.dicts.size());
  for (const auto& dict : build.dicts) {
    PutVarint(&footer, dict.size());
    for (const auto& s : dict) PutString(&footer, s);
  }
  PutVarint(&footer, build.granules.size());
  size_t first_row = 0;
  for (const GranuleBuild& g : build.granules) {
    PutVarint(&footer, g.rows);
    PutVarint(&footer, g.stats.size());
    for (auto [lo, hi] : g.stats) {
      PutSigned(&footer, lo);
      PutSigned(&footer, hi);
    }
    std::vector<const std::pair<uint32_t, std::string>*> cols;
    for (const auto& c : g.columns) cols.push_back(&c);
    std::sort(cols.begin(), cols.end(), [](auto* a, auto* b) { return a->first < b->first; });
    PutVarint(&footer, cols.size());
    for (const auto* c : cols) {
      std::string frame = ZstdCompress(c->second);
      PutVarint(&footer, c->first);
      PutVarint(&footer, w.offset());
      PutVarint(&footer, frame.size());
      PutVarint(&footer, c->second.size());
      PutFixed32(&footer, Crc32(frame));
      INFERMETRY_RETURN_IF_ERROR(w.Write(frame));
    }
    uint64_t bits = std::max<uint64_t>(64, uint64_t{kBloomBitsPerRow} * g.rows);
    std::vector<uint64_t> words((bits + 63) / 64, 0);
    bits = words.size() * 64;
    for (size_t r = first_row; r < first_row + g.rows && r < build.trace_ids.size(); ++r) {
      uint64_t h1, h2;
      BloomHashes(build.trace_ids[r], &h1, &h2);
      for (uint32_t k = 0; k < kBloomHashes; ++k) {
        uint64_t b = (h1 + k * h2) % bits;
        words[b / 64] |= uint64_t{1} << (b % 64);
      }
    }
    first_row += g.rows;
    PutVarint(&footer, kBloomHashes);
    PutVarint(&footer, words.size());
    for (uint64_t word : words) PutFixed64(&footer, word);
  }

  uint64_t footer_offset = w.offset();
  std::string trailer;
  PutFixed64(&trailer, footer_offset);
  PutFixed32(&trailer, static_cast<uint32_t>(footer.size()));
  PutFixed32(&trailer, Crc32(footer));
  trailer.append(kMagic, 8);
  INFERMETRY_RETURN_IF_ERROR(w.Write(footer));
  INFERMETRY_RETURN_IF_ERROR(w.Write(trailer));
  INFERMETRY_RETURN_IF_ERROR(w.Drain());
  INFERMETRY_RETURN_IF_ERROR(f->Sync());
  uint64_t size = w.offset();
  f.reset();
  INFERMETRY_RETURN_IF_ERROR(env->Rename(tmp, path));
  INFERMETRY_RETURN_IF_ERROR(env->SyncDir(DirOf(path)));
  return size;
}

Status Part::Corrupt(const std::string& what) const {
  return Status(Code::kCorruption, "span store part " + path_ + ": " + what);
}

Result<std::shared_ptr<Part>> Part::Open(Env* env, const std::string& path, RowKind kind) {
  auto part = std::shared_ptr<Part>(new Part());
  part->path_ = path;
  INFERMETRY_ASSIGN_OR_RETURN(part->file_, env->Open(path, false));
  part->file_size_ = part->file_->Size();
  if (part->file_size_ < kHeaderSize + kTrailerSize) return part->Corrupt("file too short");
  char header[kHeaderSize];
  Status st = part->file_->ReadAt(0, kHeaderSize, header);
  if (!st.ok()) return st.code() == Code::kCorruption ? part->Corrupt(st.message()) : st;
  if (std::memcmp(header, kMagic, 8) != 0) return part->Corrupt("bad magic");
  uint32_t version = LoadFixed32(header + 8);
  if (version != kPartVersion) {
    return part->Corrupt("format version " + std::to_string(version) + ", this build reads " +
                         std::to_string(kPartVersion));
  }
  if (LoadFixed32(header + 12) != static_cast<uint32_t>(kind)) {
    return part->Corrupt("holds rows of kind " + std::to_string(LoadFixed32(header + 12)) +
                         ", expected " + std::to_string(static_cast<uint32_t>(kind)));
  }
  char trailer[kTrailerSize];
  st = part->file_->ReadAt(part->file_size_ - kTrailerSize, kTrailerSize, trailer);
  if (!st.ok()) return st.code() == Code::kCorruption ? part->Corrupt(st.message()) : st;
  if (std::memcmp(trailer + 16, kMagic, 8) != 0) return part->Corrupt("bad trailer magic");
  uint64_t footer_offset = LoadFixed64(trailer);
  uint32_t footer_len = LoadFixed32(trailer + 8);
  if (footer_offset < kHeaderSize ||
      footer_offset + footer_len + kTrailerSize != part->file_size_) {
    return part->Corrupt("footer position does not match the file size");
  }
  std::string footer(footer_len, '\0');
  st = part->file_->ReadAt(footer_offset, footer_len, footer.data());
  if (!st.ok()) return st.code() == Code::kCorruption ? part->Corrupt(st.message()) : st;
  if (Crc32(footer) != LoadFixed32(trailer + 12)) return part->Corrupt("footer checksum mismatch");
  INFERMETRY_RETURN_IF_ERROR(part->ParseFooter(footer));
  return part;
}

Status Part::ParseFooter(std::string_view footer) {
  Decoder d(footer);
  info_.seq = d.Varint();
  info_.wal_cut = d.Varint();
  info_.merged_from.resize(d.Count(1));
  for (auto& s : info_.merged_from) s = d.Varint();
  rows_ = d.Varint();
  min_time_ = d.Signed();
  max_time_ = d.Signed();
  dicts_.resize(d.Count(1));
  for (auto& dict : dicts_) {
    dict.resize(d.Count(1));
    for (auto& s : dict) s = d.String();
  }
  granules_.resize(d.Count(3));
  uint64_t row = 0;
  for (GranuleMeta& g : granules_) {
    g.first_row = static_cast<uint32_t>(row);
    g.rows = static_cast<uint32_t>(d.Varint());
    row += g.rows;
    g.stats.resize(d.Count(2));
    for (auto& [lo, hi] : g.stats) {
      lo = d.Signed();
      hi = d.Signed();
    }
    g.blocks.resize(d.Count(8));
    for (BlockRef& b : g.blocks) {
      b.column = static_cast<uint32_t>(d.Varint());
      b.offset = d.Varint();
      b.stored_len = static_cast<uint32_t>(d.Varint());
      b.raw_len = static_cast<uint32_t>(d.Varint());
      b.crc = d.Fixed32();
      if (b.offset + b.stored_len > file_size_) d.Fail();
    }
    g.bloom_k = static_cast<uint32_t>(d.Varint());
    g.bloom.resize(d.Count(8));
    for (auto& w : g.bloom) w = d.Fixed64();
    if (g.rows == 0 || g.rows > kGranuleRows || g.bloom.empty() || g.bloom_k == 0 ||
        g.bloom_k > 32) {
      d.Fail();
    }
  }
  if (!d.ok() || !d.done() || row != rows_) return Corrupt("malformed footer");
  return Status::Ok();
}

std::vector<size_t> Part::CandidateGranules(const model::TraceId& id) const {
  uint64_t h1, h2;
  BloomHashes(id, &h1, &h2);
  std::vector<size_t> out;
  for (size_t i = 0; i < granules_.size(); ++i) {
    const GranuleMeta& g = granules_[i];
    uint64_t bits = g.bloom.size() * 64;
    bool all = true;
    for (uint32_t k = 0; k < g.bloom_k && all; ++k) {
      uint64_t b = (h1 + k * h2) % bits;
      all = (g.bloom[b / 64] >> (b % 64) & 1) != 0;
    }
    if (all) out.push_back(i);
  }
  return out;
}

Result<std::optional<std::string>> Part::ReadColumn(size_t g, uint32_t column) const {
  const auto& blocks = granules_[g].blocks;
  auto it = std::lower_bound(blocks.begin(), blocks.end(), column,
                             [](const BlockRef& b, uint32_t c) { return b.column < c; });
  if (it == blocks.end() || it->column != column) return std::optional<std::string>();
  std::string frame(it->stored_len, '\0');
  Status st = file_->ReadAt(it->offset, frame.size(), frame.data());
  std::string where = "granule " + std::to_string(g) + " column " + std::to_string(column);
  if (!st.ok()) return st.code() == Code::kCorruption ? Corrupt(where + ": " + st.message()) : st;
  if (Crc32(frame) != it->crc) return Corrupt(where + ": checksum mismatch");
  Result<std::string> raw = ZstdDecompress(frame, it->raw_len);
  if (!raw.ok()) return Corrupt(where + ": " + raw.status().message());
  return std::optional<std::string>(std::move(*raw));
}

size_t Part::MemoryBytes() const {
  size_t n = sizeof(*this);
  for (const auto& g : granules_) {
    n += sizeof(g) + g.blocks.size() * sizeof(BlockRef) + g.stats.size() * 16 + g.bloom.size() * 8;
  }
  for (const auto& d : dicts_)
    for (const auto& s : d) n += sizeof(s) + s.size();
  return n;
}

}  // namespace infermetry::spanstore
