#include "export/segment_log.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <thread>

#include "export/export_test_util.h"

namespace infermetry::exporter {
namespace {

using process::Signal;
using testing::TempDir;

std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<SegmentLog> OpenLog(const std::string& dir,
                                    std::vector<SegmentLog::RecordRef>* pending,
                                    uint64_t segment_bytes = 8 << 20, Env* env = nullptr) {
  SegmentLog::Options o;
  o.dir = dir;
  o.segment_bytes = segment_bytes;
  o.env = env;
  auto log = SegmentLog::Open(o, pending);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

TEST(SegmentLogTest, AppendReadAck) {
  TempDir tmp;
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  EXPECT_TRUE(pending.empty());
  auto a = log->Append(Signal::kTraces, 3, "first");
  auto b = log->Append(Signal::kLogs, 1, "second");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(a->seq, b->seq);
  EXPECT_EQ(*log->Read(*a), "first");
  EXPECT_EQ(*log->Read(*b), "second");
  EXPECT_EQ(b->signal, Signal::kLogs);
  EXPECT_EQ(a->items, 3u);
}

TEST(SegmentLogTest, ReplaysUnacknowledgedAfterCrash) {
  TempDir tmp;
  uint64_t acked_seq;
  {
    std::vector<SegmentLog::RecordRef> pending;
    auto log = OpenLog(tmp.path(), &pending);
    auto a = log->Append(Signal::kTraces, 1, "a");
    auto b = log->Append(Signal::kMetrics, 2, "b");
    auto c = log->Append(Signal::kLogs, 3, "c");
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    log->Ack(b->seq);
    acked_seq = b->seq;
    // Destroyed without any shutdown step: what a crash leaves behind.
  }
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(*log->Read(pending[0]), "a");
  EXPECT_EQ(*log->Read(pending[1]), "c");
  EXPECT_EQ(pending[1].signal, Signal::kLogs);
  EXPECT_EQ(pending[1].items, 3u);
  // New records continue after the old sequence numbers.
  auto d = log->Append(Signal::kTraces, 1, "d");
  ASSERT_TRUE(d.ok());
  EXPECT_GT(d->seq, acked_seq);
}

TEST(SegmentLogTest, TornTailIsCutAndLogged) {
  TempDir tmp;
  {
    std::vector<SegmentLog::RecordRef> pending;
    auto log = OpenLog(tmp.path(), &pending);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(log->Append(Signal::kTraces, 1, "record" + std::to_string(i)).ok());
  }
  auto files = SegmentFiles(tmp.path());
  ASSERT_EQ(files.size(), 1u);
  uint64_t full = std::filesystem::file_size(files[0]);
  // A torn write: the last record lost its final 3 bytes, and garbage follows a valid prefix.
  std::filesystem::resize_file(files[0], full - 3);
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(*log->Read(pending[1]), "record1");
  uint64_t cut = std::filesystem::file_size(files[0]);
  EXPECT_LT(cut, full - 3);
  // Appending after the cut works and survives another reopen.
  ASSERT_TRUE(log->Append(Signal::kTraces, 1, "after").ok());
  log.reset();
  pending.clear();
  log = OpenLog(tmp.path(), &pending);
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(*log->Read(pending[2]), "after");
}

TEST(SegmentLogTest, CorruptRecordIsCutByCrc) {
  TempDir tmp;
  {
    std::vector<SegmentLog::RecordRef> pending;
    auto log = OpenLog(tmp.path(), &pending);
    ASSERT_TRUE(log->Append(Signal::kTraces, 1, "good").ok());
    ASSERT_TRUE(log->Append(Signal::kTraces, 1, "flipped").ok());
  }
  auto files = SegmentFiles(tmp.path());
  uint64_t size = std::filesystem::file_size(files[0]);
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 2));
    f.put('X');
  }
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(*log->Read(pending[0]), "good");
}

TEST(SegmentLogTest, GarbageAppendedIsCut) {
  TempDir tmp;
  {
    std::vector<SegmentLog::RecordRef> pending;
    auto log = OpenLog(tmp.path(), &pending);
    ASSERT_TRUE(log->Append(Signal::kMetrics, 5, "payload").ok());
  }
  auto files = SegmentFiles(tmp.path());
  {
    std::ofstream f(files[0], std::ios::app | std::ios::binary);
    f << std::string(100, '\xff');
  }
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].items, 5u);
}

TEST(SegmentLogTest, VersionMismatchIsAClearError) {
  TempDir tmp;
  {
    std::vector<SegmentLog::RecordRef> pending;
    auto log = OpenLog(tmp.path(), &pending);
    ASSERT_TRUE(log->Append(Signal::kTraces, 1, "x").ok());
  }
  auto files = SegmentFiles(tmp.path());
  {
    // Version 2 with a header CRC that matches: a well-formed segment of another format.
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    char h[32];
    f.read(h, 32);
    h[8] = 2;
    uint32_t crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(h), 24));
    for (int i = 0; i < 4; ++i) h[24 + i] = static_cast<char>(crc >> (8 * i));
    f.seekp(0);
    f.write(h, 32);
  }
  SegmentLog::Options o;
  o.dir = tmp.path();
  std::vector<SegmentLog::RecordRef> pending;
  auto log = SegmentLog::Open(o, &pending);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), Code::kInvalidArgument);
  EXPECT_NE(log.status().message().find("format version 2"), std::string::npos)
      << log.status().ToString();
  EXPECT_NE(log.status().message().find("reads version 1"), std::string::npos);
}

TEST(SegmentLogTest, FullyAcknowledgedSegmentsAreRemoved) {
  TempDir tmp;
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending, /*segment_bytes=*/100);
  std::vector<SegmentLog::RecordRef> refs;
  for (int i = 0; i < 6; ++i) {
    auto r = log->Append(Signal::kTraces, 1, std::string(60, 'a' + i));
    ASSERT_TRUE(r.ok());
    refs.push_back(*r);
  }
  EXPECT_GE(SegmentFiles(tmp.path()).size(), 3u);
  for (const auto& r : refs) log->Ack(r.seq);
  // Only the segment being appended to remains.
  EXPECT_EQ(SegmentFiles(tmp.path()).size(), 1u);
  log.reset();
  pending.clear();
  log = OpenLog(tmp.path(), &pending, 100);
  EXPECT_TRUE(pending.empty());
}

TEST(SegmentLogTest, SecondOpenOfTheSameDirectoryFails) {
  TempDir tmp;
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  SegmentLog::Options o;
  o.dir = tmp.path();
  auto again = SegmentLog::Open(o, &pending);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kResourceExhausted);
}

TEST(SegmentLogTest, ConcurrentAppendsShareSyncs) {
  TempDir tmp;
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending);
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i)
        ASSERT_TRUE(log->Append(Signal::kTraces, 1, std::string(500, 'x')).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LT(log->SyncCount(), static_cast<uint64_t>(kThreads * kPerThread));
  log.reset();
  pending.clear();
  log = OpenLog(tmp.path(), &pending);
  EXPECT_EQ(pending.size(), static_cast<size_t>(kThreads * kPerThread));
}

// A Env that records Append and Sync calls on segment files and can hold Sync until released.
class GatedEnv : public ForwardingEnv {
 public:
  GatedEnv() : ForwardingEnv(DefaultEnv()) {}
  class GatedFile : public File {
   public:
    GatedFile(GatedEnv* env, std::unique_ptr<File> f, bool segment)
        : env_(env), f_(std::move(f)), segment_(segment) {}
    Status Append(std::string_view d) override {
      if (segment_) env_->Record("append");
      return f_->Append(d);
    }
    Status Sync() override {
      if (segment_) env_->WaitGate();
      Status s = f_->Sync();
      if (segment_) env_->Record("sync");
      return s;
    }
    Status Truncate(uint64_t n) override { return f_->Truncate(n); }
    Status ReadAt(uint64_t o, size_t n, char* out) const override { return f_->ReadAt(o, n, out); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    GatedEnv* env_;
    std::unique_ptr<File> f_;
    bool segment_;
  };

  Result<std::unique_ptr<File>> Open(const std::string& path, bool create) override {
    auto f = base_->Open(path, create);
    if (!f.ok()) return f;
    return std::unique_ptr<File>(new GatedFile(this, std::move(*f), path.ends_with(".seg")));
  }

  void Record(const std::string& e) {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(e);
  }
  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  void Hold() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = false;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> l(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void WaitGate() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  std::vector<std::string> events_;
};

TEST(SegmentLogTest, AppendReturnsOnlyAfterSync) {
  TempDir tmp;
  GatedEnv env;
  std::vector<SegmentLog::RecordRef> pending;
  auto log = OpenLog(tmp.path(), &pending, 8 << 20, &env);
  ASSERT_TRUE(log->Append(Signal::kTraces, 1, "first").ok());  // creates the segment
  env.Hold();
  std::atomic<bool> returned{false};
  std::thread writer([&] {
    EXPECT_TRUE(log->Append(Signal::kTraces, 1, "second").ok());
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(returned.load()) << "Append returned before its record was synced";
  std::vector<std::string> before = env.Events();
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before.back(), "append");
  env.Release();
  writer.join();
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(env.Events().back(), "sync");
}

}  // namespace
}  // namespace infermetry::exporter

namespace infermetry::exporter::queue_format {
namespace {

TEST(QueueFormatTest, CrcAndHeaderBytes) {
  EXPECT_EQ(Crc(0, "123456789", 9), 0xCBF43926u);
  std::string h = SegmentHeader(42);
  ASSERT_EQ(h.size(), kSegmentHeaderBytes);
  EXPECT_EQ(h.substr(0, 8), "INFMQSEG");
  EXPECT_EQ(Get32(h.data() + 8), 1u);
  EXPECT_EQ(Get64(h.data() + 16), 42u);
  EXPECT_EQ(Get32(h.data() + 24), Crc(0, h.data(), 24));
  EXPECT_EQ(SegmentName(42), "000000000000002a.seg");
  uint64_t first = 0;
  EXPECT_TRUE(ParseSegmentName("000000000000002a.seg", &first));
  EXPECT_EQ(first, 42u);
  EXPECT_FALSE(ParseSegmentName("00000000000000zz.seg", &first));
  char rec[kRecordHeaderBytes];
  EncodeRecordHeader(7, process::Signal::kLogs, 3, "abc", rec);
  EXPECT_EQ(Get32(rec), 3u);
  EXPECT_EQ(Get64(rec + 8), 7u);
  EXPECT_EQ(rec[16], 2);
  EXPECT_EQ(Get32(rec + 20), 3u);
  std::string whole = std::string(rec, 4) + std::string(rec + 8, 16) + "abc";
  EXPECT_EQ(Get32(rec + 4), Crc(0, whole.data(), whole.size()));
}

}  // namespace
}  // namespace infermetry::exporter::queue_format
