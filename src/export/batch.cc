#include "export/batch.h"

#include <type_traits>
#include <utility>

#include "process/split.h"

namespace infermetry::exporter {

using process::Logs;
using process::Metrics;
using process::Signal;
using process::Traces;

Signal SignalOf(const Batch& b) {
  switch (b.index()) {
    case 0:
      return Signal::kTraces;
    case 1:
      return Signal::kMetrics;
    default:
      return Signal::kLogs;
  }
}

int64_t ItemsOf(const Batch& b) {
  return std::visit([](const auto& m) { return process::CountItems(m); }, b);
}

void MergeInto(Batch* dst, Batch&& src) {
  std::visit(
      [&src](auto& d) {
        process::AppendBatch(&d, std::move(std::get<std::decay_t<decltype(d)>>(src)));
      },
      *dst);
}

std::vector<Batch> Split(Batch&& b, int64_t max_items) {
  std::vector<Batch> out;
  std::visit(
      [&out, max_items](auto& m) {
        for (int64_t n = process::CountItems(m); n > max_items; n -= max_items) {
          out.emplace_back(process::TakeItems(&m, max_items));
        }
        out.emplace_back(std::move(m));
      },
      b);
  return out;
}

std::string Serialize(const Batch& b) {
  return std::visit([](const auto& m) { return m.SerializeAsString(); }, b);
}

Result<Batch> Parse(Signal signal, std::string_view bytes) {
  auto parse = [&](auto msg) -> Result<Batch> {
    if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status(Code::kCorruption, "not a valid " + std::string(process::SignalName(signal)) +
                                           " export request (" + std::to_string(bytes.size()) +
                                           " bytes)");
    }
    return Batch(std::move(msg));
  };
  switch (signal) {
    case Signal::kTraces:
      return parse(Traces());
    case Signal::kMetrics:
      return parse(Metrics());
    case Signal::kLogs:
      return parse(Logs());
  }
  return Internal("unknown signal");
}

}  // namespace infermetry::exporter
