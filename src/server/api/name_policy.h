#pragma once
// Metric-name policies for re-exposed metrics.
//
// vLLM names its metrics with colons ("vllm:num_requests_running"). Colons are legal in
// Prometheus metric names but reserved for recording rules by convention, and several
// backends (OpenTelemetry's Prometheus receiver in some versions, Parseable's metric streams)
// mangle or reject them. The policy is explicit:
//   keep         names pass through unchanged;
//   underscores  every byte outside [a-zA-Z0-9_] becomes '_' ("vllm:e2e" -> "vllm_e2e"),
//                in sample names and in HELP/TYPE/UNIT lines alike.

#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry::api {

enum class NamePolicy { kKeep, kUnderscores };

Result<NamePolicy> ParseNamePolicy(std::string_view s);  // "keep" | "underscores"
std::string_view NamePolicyName(NamePolicy p);

// Applies the policy to one metric name; `scratch` is reused to avoid allocation.
std::string_view NormalizeName(NamePolicy p, std::string_view name, std::string* scratch);

}  // namespace infermetry::api
