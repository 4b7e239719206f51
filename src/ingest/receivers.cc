// The receiver registry: one entry per `type` a receivers: section may name.

#include <array>
#include <span>

#include "ingest/otlp/otlp_receiver.h"
#include "ingest/prometheus/receiver.h"
#include "process/factory.h"

namespace infermetry::process {

std::span<const ReceiverFactory> Receivers() {
  static constexpr std::array kReceivers = {
      ReceiverFactory{"otlp", &otlp::CreateOtlpReceiver},
      ReceiverFactory{"prometheus", &prometheus::CreateReceiver, SignalBit(Signal::kMetrics)},
  };
  return kReceivers;
}

}  // namespace infermetry::process
