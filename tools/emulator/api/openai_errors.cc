#include "emulator/api/openai_errors.h"

#include "emulator/api/json_writer.h"

namespace infermetry::emulator {
namespace {

void WriteErrorObject(JsonWriter* w, const ApiError& e) {
  w->BeginObject().Key("error").BeginObject();
  w->Key("message").String(e.message);
  w->Key("type").String(e.type);
  w->Key("param");
  if (e.param.has_value()) {
    w->String(*e.param);
  } else {
    w->Null();
  }
  w->Key("code").Int(e.code);
  w->EndObject().EndObject();
}

}  // namespace

ApiError BadRequest(std::string message, std::optional<std::string> param) {
  return ApiError{400, "BadRequestError", std::move(message), std::move(param)};
}

ApiError ValidationError(std::string_view error_str, std::string_view error_repr) {
  std::string message = "1 validation error:\n  ";
  message += error_str;
  message += "\n [";
  message += error_repr;
  message += "]";
  return ApiError{400, "Bad Request", std::move(message), std::nullopt};
}

ApiError ModelNotFound(std::string_view model) {
  return ApiError{404, "NotFoundError", "The model `" + std::string(model) + "` does not exist.",
                  "model"};
}

ApiError InternalError(std::string message) {
  return ApiError{500, "InternalServerError", std::move(message), std::nullopt};
}

std::string ErrorJson(const ApiError& e) {
  JsonWriter w;
  WriteErrorObject(&w, e);
  return w.Take();
}

std::string StreamErrorJson(const ApiError& e) {
  JsonWriter w(JsonWriter::Style::kPython);
  WriteErrorObject(&w, e);
  return w.Take();
}

std::string PythonRepr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == quote) out += '\\';
        out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace infermetry::emulator
