#pragma once
// The JSON spellings of the Prometheus HTTP API (as Prometheus 2.42 writes them):
//
//   {"status":"success","data":<data>[,"warnings":["..."]]}
//   {"status":"error","errorType":"bad_data","error":"<message>"}
//   data of /api/v1/query(_range): {"resultType":"vector","result":[
//       {"metric":{"__name__":"up","job":"x"},"value":[1700000000.5,"1"]}]}
//     matrix: {"metric":{..},"values":[[t,"v"],...]}; scalar and string: [t,"v"].
//
// Times are Unix seconds with the milliseconds as a three-digit fraction when not zero
// (1700000000, 1700000000.500, 1700000000.025). Sample values are strings: "+Inf", "-Inf",
// "NaN", otherwise the shortest decimal that reads back to the same double, in fixed notation
// ("0.1", "123456789", "1e-07" and "1e+21" only below 1e-6 or from 1e21 on in magnitude).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "query/promql/engine.h"

namespace infermetry::api {

// The sample-value spelling above, without quotes.
void AppendPromValue(std::string* out, double v);
std::string FormatPromValue(double v);

// The timestamp spelling above (a JSON number).
void AppendPromTimestamp(std::string* out, int64_t t_ms);

// {"name":"value",...} in label order.
void AppendPromLabels(std::string* out, const model::Labels& labels);

// "scalar", "vector", "matrix", "string".
std::string_view PromResultTypeName(promql::ValueType t);

// {"resultType":"...","result":...} for an engine result. Range query results are matrices;
// instant queries give whatever the expression's type is.
void AppendPromQueryData(std::string* out, const promql::QueryResult& r);

// The envelopes. Warnings are left out when there are none.
std::string PromSuccessBody(std::string_view data, const std::vector<std::string>& warnings = {});
std::string PromErrorBody(std::string_view error_type, std::string_view message);

// The HTTP status Prometheus answers an errorType with: bad_data 400, execution 422,
// canceled and timeout 503, not_found 404, unavailable 503, internal (and anything else) 500.
int PromErrorHttpStatus(std::string_view error_type);

}  // namespace infermetry::api
