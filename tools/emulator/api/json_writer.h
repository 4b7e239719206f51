#pragma once
// A small streaming JSON writer that emits keys in exactly the order they are written, the way
// the emulated server must reproduce vLLM's response bodies field by field.
//
//   JsonWriter w;
//   w.BeginObject().Key("id").String("cmpl-1").Key("usage").Null().EndObject();
//   std::string body = w.Take();     // {"id":"cmpl-1","usage":null}
//
// Styles: kCompact writes no whitespace (pydantic's model_dump_json, Starlette's JSONResponse);
// kPython writes ", " and ": " between items (Python's json.dumps defaults).
// Strings are escaped as JSON requires; bytes >= 0x80 pass through (UTF-8 is not \u-escaped, as
// with ensure_ascii=False). Not thread-safe; misuse (a value without a key inside an object,
// unbalanced End calls) is a programming error checked by assert.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermetry::emulator {

class JsonWriter {
 public:
  enum class Style { kCompact, kPython };
  explicit JsonWriter(Style style = Style::kCompact) : style_(style) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  // Python's float repr: "1.0", "0.25", "1e-05", "1e+16".
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Appends already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  Style style_;
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

// Python's repr of a float, as JsonWriter::Double writes it.
std::string PythonFloat(double v);

}  // namespace infermetry::emulator
