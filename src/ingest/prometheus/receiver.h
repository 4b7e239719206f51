#pragma once
// The `prometheus` receiver: the Collector's receiver of that name, on infermetry's scraper.
//
//   receivers:
//     prometheus:
//       config:            # a Prometheus config: global + scrape_configs
//         scrape_configs:
//           - job_name: vllm
//             scrape_interval: 2s
//             static_configs: [{targets: ["127.0.0.1:8000"]}]
//
// Each scrape of each target becomes one OTLP metrics batch (see otlp_appendable.h) handed to
// the metrics pipelines that list the receiver.

#include "process/factory.h"

namespace infermetry::prometheus {

Result<std::unique_ptr<process::Receiver>> CreateReceiver(const process::ComponentConfig& cfg,
                                                          const process::ReceiverOutputs& out);

}  // namespace infermetry::prometheus
