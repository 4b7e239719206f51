#include "emulator/api/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

#include "common/strconv.h"

namespace infermetry::emulator {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += style_ == Style::kPython ? ", " : ",";
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  assert(!first_.empty() && !after_key_);
  first_.pop_back();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  assert(!first_.empty() && !after_key_);
  first_.pop_back();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  assert(!first_.empty() && !after_key_);
  if (!first_.back()) out_ += style_ == Style::kPython ? ", " : ",";
  first_.back() = false;
  AppendJsonString(&out_, key);
  out_ += style_ == Style::kPython ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(&out_, s);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  BeforeValue();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::Double(double v) {
  BeforeValue();
  out_ += PythonFloat(v);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
  return *this;
}

std::string PythonFloat(double v) {
  // json.dumps writes the non-finite values as bare words (JSON itself has none).
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  // Python's repr: the shortest round-trip digits, positional for 1e-4 <= |v| < 1e16,
  // otherwise scientific with at least two exponent digits.
  const double mag = std::fabs(v);
  const bool scientific = mag != 0 && (mag < 1e-4 || mag >= 1e16);
  auto res = std::to_chars(buf, buf + sizeof(buf), v,
                           scientific ? std::chars_format::scientific : std::chars_format::fixed);
  std::string s(buf, res.ptr);
  if (scientific) {
    // to_chars writes "1e-05" / "1.5e+16" already in Python's form.
    return s;
  }
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

}  // namespace infermetry::emulator
