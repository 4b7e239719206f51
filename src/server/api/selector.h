#pragma once
// PromQL series selectors as the HTTP API's match[] parameters take them:
//   vllm:num_requests_running
//   vllm:num_requests_running{model_name="m",engine=~"0|1"}
//   {__name__=~"vllm:.*", job!="test"}
// Label values are double- or single-quoted strings with Go escapes (\", \\, \n, \t, \xNN,
// \uNNNN). Errors say what was expected and at which byte offset.

#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/querier.h"

namespace infermetry::api {

Result<std::vector<storage::Matcher>> ParseSeriesSelector(std::string_view text);

}  // namespace infermetry::api
