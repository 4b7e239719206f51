#pragma once
// Fixtures shared by the WAL tests: a temporary directory, a FaultEnv over the real file system,
// and helpers that open a WAL and collect what it replays.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/fault_env.h"
#include "common/self_metrics.h"
#include "tsdb/wal/wal.h"
#include "tsdb/wal/wal_format.h"

namespace infermetry::wal {

struct Replayed {
  std::vector<std::pair<uint64_t, std::string>> records;  // (segment, record)
  ReplayStats stats;
  std::vector<std::string> Strings() const {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.second);
    return out;
  }
};

// A deterministic record whose length varies with i.
inline std::string Rec(int i) {
  std::string s = "record-" + std::to_string(i) + ":";
  s.append(static_cast<size_t>(i * 7 % 53), static_cast<char>('a' + i % 26));
  return s;
}

inline double WalCounter(const std::string& metric, const std::string& wal) {
  return selfmon::Default().AddCounter(metric, "", {"wal"}).With({wal}).Value();
}

class WalTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/wal_test_XXXXXX";
    root_ = ::mkdtemp(tmpl.data());
    dir_ = root_ + "/wal";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  Options Opts(SyncPolicy sync = SyncPolicy::kAlways) {
    Options o;
    o.dir = dir_;
    o.env = &env_;
    o.sync = sync;
    // Unique per fixture instance, so that self-metrics start at zero even with --gtest_repeat.
    static int instance = 0;
    if (name_.empty()) {
      name_ = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
              std::to_string(++instance);
    }
    o.name = name_;
    return o;
  }

  // Opens `o`, collecting the replay into *out; fails the test if Open fails.
  std::unique_ptr<Wal> OpenOk(const Options& o, Replayed* out = nullptr) {
    Replayed local;
    if (out == nullptr) out = &local;
    out->records.clear();
    auto w = Wal::Open(
        o,
        [out](uint64_t seg, std::string_view rec) {
          out->records.emplace_back(seg, std::string(rec));
          return Status::Ok();
        },
        &out->stats);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }

  Replayed Reopen(const Options& o) {
    Replayed r;
    auto w = OpenOk(o, &r);
    if (w != nullptr) {
      EXPECT_TRUE(w->Close().ok());
    }
    return r;
  }

  std::vector<std::string> SegmentFiles() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      uint64_t n;
      if (format::ParseSegmentName(e.path().filename().string(), &n)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static uint64_t FileSize(const std::string& path) { return std::filesystem::file_size(path); }
  static void TruncateFile(const std::string& path, uint64_t size) {
    std::filesystem::resize_file(path, size);
  }
  // Offset of frame `i` in a segment holding `records` from its start.
  static uint64_t FrameOffset(const std::vector<std::string>& records, size_t i) {
    uint64_t off = format::kHeaderBytes;
    for (size_t k = 0; k < i; ++k) off += format::kFrameHeaderBytes + records[k].size();
    return off;
  }

  std::string root_;
  std::string dir_;
  std::string name_;
  FaultEnv env_{DefaultEnv()};
};

}  // namespace infermetry::wal
