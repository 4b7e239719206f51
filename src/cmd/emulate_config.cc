#include "cmd/emulate_config.h"

#include "emulator/engine/scenario.h"

namespace infermetry::cmd {

Result<emulator::MetricsLayout> ParseMetricsLayout(std::string_view s) {
  if (s == "current") return emulator::MetricsLayout::kCurrent;
  if (s == "legacy-names") return emulator::MetricsLayout::kLegacyV1Names;
  if (s == "v0") return emulator::MetricsLayout::kV0Multiprocess;
  return InvalidArgument("metrics layout \"" + std::string(s) + "\": want current, legacy-names or v0");
}

Status SetEngineField(emulator::EngineConfig* c, std::string_view f, double v) {
  const int i = static_cast<int>(v);
  if (f == "max_model_len") c->max_model_len = i;
  else if (f == "block_size") c->block_size = i;
  else if (f == "num_gpu_blocks") c->num_gpu_blocks = i;
  else if (f == "enable_prefix_caching") c->enable_prefix_caching = v != 0;
  else if (f == "gpu_memory_utilization") c->gpu_memory_utilization = v;
  else if (f == "max_num_seqs") c->max_num_seqs = i;
  else if (f == "max_num_batched_tokens") c->max_num_batched_tokens = i;
  else if (f == "enable_chunked_prefill") c->enable_chunked_prefill = v != 0;
  else if (f == "step_overhead") c->step_overhead = v;
  else if (f == "prefill_per_token") c->prefill_per_token = v;
  else if (f == "decode_per_seq") c->decode_per_seq = v;
  else if (f == "attention_per_kv_token") c->attention_per_kv_token = v;
  else if (f == "gpu_hourly_usd") c->gpu_hourly_usd = v;
  else return InvalidArgument("unknown engine field \"" + std::string(f) + "\"");
  return Status::Ok();
}

Result<std::vector<EmulatedServerSpec>> DecodeEmulatorConfig(const config::Document& doc) {
  config::MapReader top(doc, doc.root(), "emulator config");
  INFERMETRY_RETURN_IF_ERROR(top.status());
  YAML::Node servers = top.Child("servers");
  INFERMETRY_RETURN_IF_ERROR(top.Finish());
  if (!servers || !servers.IsSequence() || servers.size() == 0) {
    return doc.ErrorAt(servers ? servers : doc.root(), "`servers` must be a non-empty list");
  }
  std::vector<EmulatedServerSpec> out;
  for (size_t n = 0; n < servers.size(); ++n) {
    EmulatedServerSpec s;
    config::MapReader r(doc, servers[n], "servers[" + std::to_string(n) + "]");
    INFERMETRY_RETURN_IF_ERROR(r.status());
    uint64_t dp = 1;
    INFERMETRY_RETURN_IF_ERROR(r.String("listen", &s.listen));
    INFERMETRY_RETURN_IF_ERROR(r.String("preset", &s.preset));
    INFERMETRY_RETURN_IF_ERROR(r.String("served_model_name", &s.served_model_name));
    INFERMETRY_RETURN_IF_ERROR(r.Uint("data_parallel_size", &dp));
    INFERMETRY_RETURN_IF_ERROR(r.String("scenario", &s.scenario));
    INFERMETRY_RETURN_IF_ERROR(r.String("metrics_layout", &s.metrics_layout));
    INFERMETRY_RETURN_IF_ERROR(r.String("otlp_traces_endpoint", &s.otlp_traces_endpoint));
    INFERMETRY_RETURN_IF_ERROR(r.String("api_key", &s.api_key));
    INFERMETRY_RETURN_IF_ERROR(r.Uint("seed", &s.seed));
    s.data_parallel_size = static_cast<int>(dp);
    if (YAML::Node engine = r.Child("engine")) {
      config::MapReader e(doc, engine, r.where() + ".engine");
      INFERMETRY_RETURN_IF_ERROR(e.status());
      for (const auto& kv : engine) {
        const std::string key = kv.first.as<std::string>();
        double v = 0;
        INFERMETRY_RETURN_IF_ERROR(e.Double(key, &v));
        emulator::EngineConfig probe;
        Status st = SetEngineField(&probe, key, v);
        if (!st.ok()) return doc.ErrorAt(kv.first, e.where() + ": " + st.message());
        s.engine_overrides.emplace_back(key, v);
      }
    }
    INFERMETRY_RETURN_IF_ERROR(r.Finish());
    // Check what can be checked now, so the error carries the position.
    if (Result<emulator::EmulatedServerOptions> o = ResolveServer(s); !o.ok()) {
      return doc.ErrorAt(servers[n], r.where() + ": " + o.status().message());
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<emulator::EmulatedServerOptions> ResolveServer(const EmulatedServerSpec& s, double horizon) {
  INFERMETRY_ASSIGN_OR_RETURN(emulator::EngineConfig base, emulator::Preset(s.preset));
  for (const auto& [field, value] : s.engine_overrides) {
    INFERMETRY_RETURN_IF_ERROR(SetEngineField(&base, field, value));
  }
  if (!s.served_model_name.empty()) base.model = s.served_model_name;
  INFERMETRY_ASSIGN_OR_RETURN(emulator::Scenario scenario, emulator::FindScenario(s.scenario));
  emulator::EmulatedServerOptions o;
  INFERMETRY_ASSIGN_OR_RETURN(o.engine, emulator::ScenarioEngineConfig(scenario, base));
  INFERMETRY_ASSIGN_OR_RETURN(o.metrics_layout, ParseMetricsLayout(s.metrics_layout));
  if (s.data_parallel_size < 1) return InvalidArgument("data_parallel_size must be at least 1");
  o.listen = s.listen;
  o.data_parallel_size = s.data_parallel_size;
  o.otlp_traces_endpoint = s.otlp_traces_endpoint;
  o.api_key = s.api_key;
  o.seed = s.seed;
  o.down_windows = emulator::DownWindowsWithin(scenario, horizon);
  return o;
}

}  // namespace infermetry::cmd
