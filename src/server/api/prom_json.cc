#include "server/api/prom_json.h"

#include <charconv>
#include <cmath>

#include "common/strconv.h"

namespace infermetry::api {

void AppendPromValue(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  const double a = std::fabs(v);
  const auto fmt = (a != 0 && (a < 1e-6 || a >= 1e21)) ? std::chars_format::scientific
                                                       : std::chars_format::fixed;
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, fmt);
  out->append(buf, res.ptr);
}

std::string FormatPromValue(double v) {
  std::string s;
  AppendPromValue(&s, v);
  return s;
}

void AppendPromTimestamp(std::string* out, int64_t t_ms) {
  uint64_t abs = static_cast<uint64_t>(t_ms);
  if (t_ms < 0) {
    out->push_back('-');
    abs = 0 - abs;
  }
  out->append(std::to_string(abs / 1000));
  const unsigned frac = static_cast<unsigned>(abs % 1000);
  if (frac == 0) return;
  const char digits[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                          static_cast<char>('0' + frac % 10)};
  out->append(digits, 4);
}

void AppendPromLabels(std::string* out, const model::Labels& labels) { model::AppendLabelsJson(out, labels); }

std::string_view PromResultTypeName(promql::ValueType t) {
  switch (t) {
    case promql::ValueType::kScalar: return "scalar";
    case promql::ValueType::kVector: return "vector";
    case promql::ValueType::kMatrix: return "matrix";
    case promql::ValueType::kString: return "string";
  }
  return "vector";
}

namespace {

void AppendPoint(std::string* out, const promql::Point& p) {
  out->push_back('[');
  AppendPromTimestamp(out, p.t_ms);
  out->append(",\"");
  AppendPromValue(out, p.v);
  out->append("\"]");
}

}  // namespace

void AppendPromQueryData(std::string* out, const promql::QueryResult& r) {
  out->append("{\"resultType\":\"");
  out->append(PromResultTypeName(r.type));
  out->append("\",\"result\":");
  switch (r.type) {
    case promql::ValueType::kScalar:
      AppendPoint(out, r.scalar);
      break;
    case promql::ValueType::kString:
      out->push_back('[');
      AppendPromTimestamp(out, r.string_t_ms);
      out->push_back(',');
      AppendJsonString(out, r.string);
      out->push_back(']');
      break;
    case promql::ValueType::kVector:
    case promql::ValueType::kMatrix: {
      const bool matrix = r.type == promql::ValueType::kMatrix;
      out->push_back('[');
      bool first = true;
      for (const promql::Series& s : r.series) {
        if (!matrix && s.points.empty()) continue;
        if (!first) out->push_back(',');
        first = false;
        out->append("{\"metric\":");
        AppendPromLabels(out, s.labels);
        if (matrix) {
          out->append(",\"values\":[");
          for (size_t i = 0; i < s.points.size(); ++i) {
            if (i > 0) out->push_back(',');
            AppendPoint(out, s.points[i]);
          }
          out->append("]}");
        } else {
          out->append(",\"value\":");
          AppendPoint(out, s.points.back());
          out->push_back('}');
        }
      }
      out->push_back(']');
      break;
    }
  }
  out->push_back('}');
}

std::string PromSuccessBody(std::string_view data, const std::vector<std::string>& warnings) {
  std::string body = "{\"status\":\"success\",\"data\":";
  body.append(data);
  if (!warnings.empty()) {
    body.append(",\"warnings\":[");
    for (size_t i = 0; i < warnings.size(); ++i) {
      if (i > 0) body.push_back(',');
      AppendJsonString(&body, warnings[i]);
    }
    body.push_back(']');
  }
  body.push_back('}');
  return body;
}

std::string PromErrorBody(std::string_view error_type, std::string_view message) {
  std::string body = "{\"status\":\"error\",\"errorType\":";
  AppendJsonString(&body, error_type);
  body.append(",\"error\":");
  AppendJsonString(&body, message);
  body.push_back('}');
  return body;
}

int PromErrorHttpStatus(std::string_view error_type) {
  if (error_type == "bad_data") return 400;
  if (error_type == "execution") return 422;
  if (error_type == "canceled" || error_type == "timeout" || error_type == "unavailable") return 503;
  if (error_type == "not_found") return 404;
  return 500;
}

}  // namespace infermetry::api
