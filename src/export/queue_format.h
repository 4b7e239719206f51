#pragma once
// The byte layout of the persistent sending queue's files (docs/format/sending_queue.md):
// little-endian integers, CRC-32 (zlib's) checksums, segment and ack-file headers, record
// headers. Pure functions on buffers; no I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "process/telemetry.h"

namespace infermetry::exporter::queue_format {

inline constexpr uint32_t kVersion = 1;
inline constexpr char kSegmentMagic[8] = {'I', 'N', 'F', 'M', 'Q', 'S', 'E', 'G'};
inline constexpr char kAckMagic[8] = {'I', 'N', 'F', 'M', 'Q', 'A', 'C', 'K'};
inline constexpr size_t kSegmentHeaderBytes = 32;
inline constexpr size_t kRecordHeaderBytes = 24;
inline constexpr size_t kAckHeaderBytes = 16;
inline constexpr size_t kAckRecordBytes = 16;
inline constexpr uint32_t kMaxPayloadBytes = uint32_t{1} << 30;
inline constexpr char kSegmentSuffix[] = ".seg";

void Put32(char* p, uint32_t v);
void Put64(char* p, uint64_t v);
uint32_t Get32(const char* p);
uint64_t Get64(const char* p);

// CRC-32 of p[0..n) continuing from `crc` (0 to start).
uint32_t Crc(uint32_t crc, const char* p, size_t n);
// A record's CRC: its length field, then bytes 8..23 of its header, then the payload.
uint32_t RecordCrc(const char* header, std::string_view payload);

// Fills the kRecordHeaderBytes at `h`, CRC included.
void EncodeRecordHeader(uint64_t seq, process::Signal signal, uint32_t items,
                        std::string_view payload, char* h);
std::string SegmentHeader(uint64_t first_seq);
std::string AckHeader();
// Fills the kAckRecordBytes at `p`.
void EncodeAck(uint64_t seq, char* p);

// "000000000000002a.seg" -> 42; false for other names.
bool ParseSegmentName(const std::string& name, uint64_t* first_seq);
// "0000000000000001.seg".
std::string SegmentName(uint64_t first_seq);

// The error for a file of another format version.
Status VersionError(const std::string& path, uint32_t version);

}  // namespace infermetry::exporter::queue_format
