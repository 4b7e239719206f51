#include "ingest/textparse/writer.h"

#include <charconv>

#include "common/strconv.h"
#include "ingest/textparse/lexer.h"

namespace infermetry::textparse {

void Writer::Help(std::string_view family, std::string_view text) {
  out_->append("# HELP ");
  out_->append(family);
  out_->push_back(' ');
  internal::AppendEscaped(out_, text, format_ == Format::kOpenMetrics);
  out_->push_back('\n');
}

void Writer::Type(std::string_view family, model::MetricType type) {
  out_->append("# TYPE ");
  out_->append(family);
  out_->push_back(' ');
  out_->append(internal::TypeNameForFormat(type, format_));
  out_->push_back('\n');
}

void Writer::Unit(std::string_view family, std::string_view unit) {
  if (format_ != Format::kOpenMetrics) return;
  out_->append("# UNIT ");
  out_->append(family);
  out_->push_back(' ');
  out_->append(unit);
  out_->push_back('\n');
}

void Writer::Comment(std::string_view text) {
  if (format_ != Format::kPrometheusText) return;
  out_->push_back('#');
  out_->append(text);
  out_->push_back('\n');
}

void Writer::AppendLabels(std::span<const LabelView> labels) {
  out_->push_back('{');
  bool first = true;
  for (const LabelView& l : labels) {
    if (!first) out_->push_back(',');
    first = false;
    out_->append(l.name);
    out_->append("=\"");
    internal::AppendEscaped(out_, l.value, /*quote=*/true);
    out_->push_back('"');
  }
  out_->push_back('}');
}

void Writer::AppendTimestamp(int64_t ms) {
  out_->push_back(' ');
  if (format_ == Format::kOpenMetrics) {
    internal::AppendMsAsSeconds(out_, ms);
    return;
  }
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), ms);
  out_->append(buf, res.ptr);
}

void Writer::Sample(std::string_view name, std::span<const LabelView> labels, double value,
                    std::optional<int64_t> timestamp_ms, const ExemplarView* exemplar) {
  out_->append(name);
  if (!labels.empty()) AppendLabels(labels);
  out_->push_back(' ');
  AppendGoFloat(out_, value);
  if (timestamp_ms.has_value()) AppendTimestamp(*timestamp_ms);
  if (exemplar != nullptr && format_ == Format::kOpenMetrics) {
    out_->append(" # ");
    AppendLabels(exemplar->labels);
    out_->push_back(' ');
    AppendGoFloat(out_, exemplar->value);
    if (exemplar->has_timestamp) AppendTimestamp(exemplar->timestamp_ms);
  }
  out_->push_back('\n');
}

void Writer::Eof() {
  if (format_ == Format::kOpenMetrics) out_->append("# EOF\n");
}

}  // namespace infermetry::textparse
