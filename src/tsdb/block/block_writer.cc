// BlockWriter: streams sample pages to "<id>.tmp/data" as series arrive, keeps only the index
// entries (labels, time column ids) in memory, and writes index and meta at Finish.

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>

#include "tsdb/block/block.h"
#include "tsdb/block/format.h"
#include "tsdb/block/index_codec.h"
#include "tsdb/block/series_codec.h"

namespace infermetry::tsdb {
namespace {

using namespace blockfmt;  // NOLINT: this file implements the format

// Raw bytes per page before compression: large enough for zstd to find the repetition between
// series of one family, small enough that a one-series query decompresses little.
constexpr size_t kPageRawTarget = 256 * 1024;
constexpr int kPageZstdLevel = 3;

// A block id: 48 bits of milliseconds and 80 random bits in Crockford base32 (26 characters),
// so that ids sort by creation time and do not collide between processes.
std::string NewBlockId() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  static uint64_t last_ms = 0, last_hi = 0, last_lo = 0;
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::lock_guard<std::mutex> lock(mu);
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  uint64_t hi, lo;  // 16 + 64 random bits
  if (ms <= last_ms) {
    ms = last_ms;  // same millisecond (or clock step back): increment to stay ordered
    hi = last_hi;
    lo = last_lo + 1;
    if (lo == 0) hi = (hi + 1) & 0xffff;
  } else {
    hi = rng() & 0xffff;
    lo = rng();
  }
  last_ms = ms;
  last_hi = hi;
  last_lo = lo;
  std::string id(26, '0');
  // 128 bits: ms (48) | hi (16) | lo (64); 26 base32 digits hold 130 bits.
  unsigned __int128 v = (static_cast<unsigned __int128>(ms) << 80) |
                        (static_cast<unsigned __int128>(hi) << 64) | lo;
  for (int i = 25; i >= 0; --i) {
    id[i] = kAlphabet[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return id;
}

struct ColumnKey {
  uint64_t h1, h2;
  size_t n;
  bool operator==(const ColumnKey&) const = default;
};
struct ColumnKeyHash {
  size_t operator()(const ColumnKey& k) const { return k.h1; }
};

// Two independent 64-bit hashes of a timestamp column: equal keys are treated as equal columns
// (a collision needs 2^-128 luck).
ColumnKey HashColumn(std::span<const int64_t> ts) {
  uint64_t h1 = 0x9e3779b97f4a7c15ull, h2 = 0xc2b2ae3d27d4eb4full;
  for (int64_t t : ts) {
    uint64_t x = static_cast<uint64_t>(t);
    h1 = (h1 ^ x) * 0xff51afd7ed558ccdull;
    h1 ^= h1 >> 32;
    h2 = (h2 + x) * 0xc4ceb9fe1a85ec53ull;
    h2 ^= h2 >> 29;
  }
  return {h1, h2, ts.size()};
}

class BlockWriterImpl : public BlockWriter {
 public:
  BlockWriterImpl(Env* env, std::string parent, Range range, std::string id)
      : env_(env), parent_(std::move(parent)), range_(range), id_(std::move(id)) {
    tmp_dir_ = parent_ + "/" + id_ + kTmpSuffix;
  }
  ~BlockWriterImpl() override {
    if (!finished_) (void)env_->RemoveAll(tmp_dir_);
  }

  Status Init() {
    INFERMETRY_RETURN_IF_ERROR(env_->CreateDirs(tmp_dir_));
    INFERMETRY_ASSIGN_OR_RETURN(data_, env_->Open(tmp_dir_ + "/" + kDataFile, true));
    INFERMETRY_RETURN_IF_ERROR(data_->Truncate(0));
    std::string header;
    AppendFileHeader(&header, kDataMagic);
    return data_->Append(header);
  }

  Status AddSeries(const model::Labels& labels, std::span<const model::Sample> samples) override {
    if (!status_.ok()) return status_;
    if (samples.empty()) return Status::Ok();
    if (labels.empty()) return InvalidArgument("block: series without labels");
    if (have_last_ && !(last_labels_ < labels)) {
      return InvalidArgument("block: series " + labels.ToString() + " not after " +
                             last_labels_.ToString());
    }
    ts_.resize(samples.size());
    values_.resize(samples.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      ts_[i] = samples[i].t_ms;
      values_[i] = samples[i].v;
      if (ts_[i] < range_.mint || ts_[i] > range_.maxt || (i > 0 && ts_[i] <= ts_[i - 1])) {
        return InvalidArgument("block: samples of " + labels.ToString() +
                               " out of order or outside the block's range");
      }
    }
    last_labels_ = labels;
    have_last_ = true;
    uint32_t tcol = ColumnFor();
    uint32_t begin = static_cast<uint32_t>(series_labels_.size());
    for (const model::Label& l : labels) series_labels_.push_back(l);
    series_.push_back({begin, static_cast<uint32_t>(labels.size()), tcol});
    num_samples_ += samples.size();
    page_.Add(tcol, values_);
    if (page_.raw_size() >= kPageRawTarget) status_ = FlushSamplePage();
    if (times_raw_.size() >= kPageRawTarget) status_ = FlushTimePage();
    return status_;
  }

  Status AddMetadata(const std::string& family, const storage::Metadata& md) override {
    metadata_[family] = md;
    return Status::Ok();
  }

  void SetLineage(uint32_t level, std::vector<std::string> sources) override {
    level_ = level;
    sources_ = std::move(sources);
  }

  Result<BlockMeta> Finish() override;

 private:
  uint32_t ColumnFor() {
    ColumnKey key = HashColumn(ts_);
    auto [it, inserted] = columns_.try_emplace(key, static_cast<uint32_t>(tcols_.size()));
    if (inserted) {
      TimeColumn c;
      c.page = UINT32_MAX;  // set when its page is flushed
      c.offset = static_cast<uint32_t>(times_raw_.size());
      c.n = static_cast<uint32_t>(ts_.size());
      c.mint = ts_.front();
      c.maxt = ts_.back();
      tcols_.push_back(c);
      EncodeTimestamps(ts_, &times_raw_);
    }
    return it->second;
  }

  Status AppendPage(PageKind kind, std::string_view raw, uint32_t num_series) {
    std::string section;
    AppendSection(&section, raw, true, kPageZstdLevel);
    PageRef p;
    p.kind = kind;
    p.offset = data_->Size();
    p.length = static_cast<uint32_t>(section.size());
    p.num_series = num_series;
    pages_.push_back(p);
    return data_->Append(section);
  }

  Status FlushSamplePage() {
    if (page_.num_series() == 0) return Status::Ok();
    uint32_t n = static_cast<uint32_t>(page_.num_series());
    return AppendPage(PageKind::kSamples, page_.Finish(), n);
  }

  Status FlushTimePage() {
    if (times_raw_.empty()) return Status::Ok();
    for (size_t i = first_unpaged_tcol_; i < tcols_.size(); ++i) {
      tcols_[i].page = static_cast<uint32_t>(pages_.size());
    }
    first_unpaged_tcol_ = tcols_.size();
    std::string raw;
    raw.swap(times_raw_);  // column offsets were taken relative to this page's start
    return AppendPage(PageKind::kTimes, raw, 0);
  }

  struct PendingSeries {
    uint32_t labels_begin;
    uint32_t num_labels;
    uint32_t tcol;
  };

  IndexContents BuildIndex() const;

  Env* env_;
  std::string parent_;
  Range range_;
  std::string id_;
  std::string tmp_dir_;
  std::unique_ptr<File> data_;
  Status status_;
  bool finished_ = false;

  model::Labels last_labels_;
  bool have_last_ = false;
  std::vector<int64_t> ts_;
  std::vector<double> values_;
  std::vector<model::Label> series_labels_;
  std::vector<PendingSeries> series_;
  uint64_t num_samples_ = 0;

  PageEncoder page_;
  std::unordered_map<ColumnKey, uint32_t, ColumnKeyHash> columns_;
  std::vector<TimeColumn> tcols_;
  size_t first_unpaged_tcol_ = 0;
  std::string times_raw_;
  std::vector<PageRef> pages_;

  std::map<std::string, storage::Metadata> metadata_;
  uint32_t level_ = 1;
  std::vector<std::string> sources_;
};

IndexContents BlockWriterImpl::BuildIndex() const {
  IndexContents x;
  std::vector<std::string_view> syms;
  syms.reserve(series_labels_.size() * 2);
  for (const model::Label& l : series_labels_) {
    syms.push_back(l.name);
    syms.push_back(l.value);
  }
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  x.symbols.assign(syms.begin(), syms.end());
  auto ref = [&](std::string_view s) {
    return static_cast<uint32_t>(std::lower_bound(syms.begin(), syms.end(), s) - syms.begin());
  };
  x.label_refs.reserve(series_labels_.size() * 2);
  std::map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>> postings;
  for (size_t id = 0; id < series_.size(); ++id) {
    const PendingSeries& s = series_[id];
    SeriesEntry e;
    e.labels_begin = static_cast<uint32_t>(x.label_refs.size());
    e.num_labels = s.num_labels;
    e.tcol = s.tcol;
    for (uint32_t i = 0; i < s.num_labels; ++i) {
      const model::Label& l = series_labels_[s.labels_begin + i];
      uint32_t n = ref(l.name), v = ref(l.value);
      x.label_refs.push_back(n);
      x.label_refs.push_back(v);
      postings[{n, v}].push_back(static_cast<uint32_t>(id));
    }
    x.series.push_back(e);
  }
  for (auto& [key, ids] : postings) x.postings.push_back({key.first, key.second, std::move(ids)});
  x.tcols = tcols_;
  x.pages = pages_;
  for (const auto& [family, md] : metadata_) x.metadata.push_back({family, md});
  return x;
}

Result<BlockMeta> BlockWriterImpl::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return Status(Code::kInvalidArgument, "block: Finish called twice");
  BlockMeta meta;
  if (series_.empty()) {
    finished_ = true;
    INFERMETRY_RETURN_IF_ERROR(env_->RemoveAll(tmp_dir_));
    return meta;
  }
  INFERMETRY_RETURN_IF_ERROR(FlushSamplePage());
  INFERMETRY_RETURN_IF_ERROR(FlushTimePage());
  INFERMETRY_RETURN_IF_ERROR(data_->Sync());

  std::string index = EncodeIndex(BuildIndex());
  INFERMETRY_ASSIGN_OR_RETURN(auto index_file, env_->Open(tmp_dir_ + "/" + kIndexFile, true));
  INFERMETRY_RETURN_IF_ERROR(index_file->Truncate(0));
  INFERMETRY_RETURN_IF_ERROR(index_file->Append(index));
  INFERMETRY_RETURN_IF_ERROR(index_file->Sync());

  MetaContents mc;
  mc.meta.id = id_;
  mc.meta.mint = range_.mint;
  mc.meta.maxt = range_.maxt;
  mc.meta.num_series = series_.size();
  mc.meta.num_samples = num_samples_;
  mc.meta.level = level_;
  mc.meta.sources = sources_;
  mc.index_size = index.size();
  mc.data_size = data_->Size();
  // The meta's own size is part of size_bytes; its encoding has a fixed-width size field.
  mc.meta.size_bytes = mc.index_size + mc.data_size + EncodeMeta(mc).size();
  std::string meta_bytes = EncodeMeta(mc);
  INFERMETRY_ASSIGN_OR_RETURN(auto meta_file, env_->Open(tmp_dir_ + "/" + kMetaFile, true));
  INFERMETRY_RETURN_IF_ERROR(meta_file->Truncate(0));
  INFERMETRY_RETURN_IF_ERROR(meta_file->Append(meta_bytes));
  INFERMETRY_RETURN_IF_ERROR(meta_file->Sync());
  data_.reset();

  INFERMETRY_RETURN_IF_ERROR(env_->SyncDir(tmp_dir_));
  const std::string final_dir = parent_ + "/" + id_;
  INFERMETRY_RETURN_IF_ERROR(env_->Rename(tmp_dir_, final_dir));
  INFERMETRY_RETURN_IF_ERROR(env_->SyncDir(parent_));
  finished_ = true;
  return mc.meta;
}

}  // namespace

Result<std::unique_ptr<BlockWriter>> BlockWriter::Create(Env* env, const std::string& parent_dir,
                                                         Range range) {
  if (range.mint > range.maxt) return InvalidArgument("block: mint after maxt");
  INFERMETRY_RETURN_IF_ERROR(env->CreateDirs(parent_dir));
  auto w = std::make_unique<BlockWriterImpl>(env, parent_dir, range, NewBlockId());
  INFERMETRY_RETURN_IF_ERROR(w->Init());
  return std::unique_ptr<BlockWriter>(std::move(w));
}

}  // namespace infermetry::tsdb
