#include "loadgen/sse.h"

namespace infermetry::loadgen {

void SseParser::Feed(std::string_view bytes, const Callback& on_event) {
  if (!started_) {
    // The byte order mark may itself arrive split; wait until three bytes are in.
    line_.append(bytes);
    if (line_.size() < 3 && std::string_view("\xEF\xBB\xBF").starts_with(line_)) return;
    started_ = true;
    std::string held = std::move(line_);
    line_.clear();
    std::string_view rest = held;
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
    Feed(rest, on_event);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_ && i == start && line_.empty()) {
      // The '\n' of a "\r\n" whose '\r' ended the previous line.
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(bytes.substr(start, i - start));
    Line(line_, on_event);
    line_.clear();
    after_cr_ = c == '\r';
    start = i + 1;
  }
  line_.append(bytes.substr(start));
}

bool SseParser::Pending() const { return !line_.empty() || has_data_; }

void SseParser::Line(std::string_view line, const Callback& on_event) {
  if (line.empty()) {
    if (has_data_) {
      ++events_;
      on_event(current_);
    }
    current_ = SseEvent();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment
  std::string_view field = line;
  std::string_view value;
  if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) current_.id = std::string(value);
  }
}

}  // namespace infermetry::loadgen
