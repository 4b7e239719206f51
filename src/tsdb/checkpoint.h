#pragma once
// The WAL checkpoint file "checkpoint.NNNNNNNN": what is needed, besides WAL segments >= N,
// to rebuild the head: series and metadata records, the next series ref, and the head's
// minimum valid time. Byte layout in docs/format/tsdb-wal-records.md ("Checkpoint").
// Written with WriteFileAtomic, so a crash leaves the old file or the new one, never a mix.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace infermetry::tsdb {

inline constexpr uint8_t kCheckpointVersion = 1;

struct CheckpointState {
  uint64_t next_ref = 1;
  int64_t min_valid_time = 0;
};

// "checkpoint.00000042"
std::string CheckpointName(uint64_t segment);
// True for names made by CheckpointName (not for their ".tmp" files).
bool ParseCheckpointName(std::string_view name, uint64_t* segment);

std::string EncodeCheckpoint(const CheckpointState& state, const std::vector<std::string>& records);
// Checks magic, version and CRC, then calls `fn` for each record in order. kCorruption names
// what failed.
Status ReadCheckpoint(std::string_view data, CheckpointState* state,
                      const std::function<Status(std::string_view record)>& fn);

}  // namespace infermetry::tsdb
