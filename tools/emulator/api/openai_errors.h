#pragma once
// The error bodies of vLLM's OpenAI-compatible server (vllm.md §4.6, §4.1, §4.3):
//
//   {"error":{"message":"The model `foo` does not
//   exist.","type":"NotFoundError","param":"model","code":404}}
//
// ErrorInfo fields in order message, type, param, code; the HTTP status equals code. vLLM's own
// validation errors use type "BadRequestError"; FastAPI request validation errors (bad JSON,
// wrong field types, wrong content type) use the HTTP phrase "Bad Request". Errors inside an
// SSE stream are written with Python's json.dumps spacing. Authentication failures are not in
// this shape at all: 401 {"error":"Unauthorized"}. Unknown routes get Starlette's
// {"detail":"Not Found"} (405: {"detail":"Method Not Allowed"}).

#include <optional>
#include <string>
#include <string_view>

namespace infermetry::emulator {

struct ApiError {
  int code = 500;
  std::string type;
  std::string message;
  std::optional<std::string> param;
};

// vLLM's own validation error (ValueError, VLLMValidationError): 400 BadRequestError.
ApiError BadRequest(std::string message, std::optional<std::string> param = std::nullopt);
// FastAPI's RequestValidationError with one error: 400 with type "Bad Request" and the message
// vLLM builds from it, "1 validation error:\n  <str(error)>\n [<repr(error)>]". For a dict
// error (pydantic's) str and repr are the same text; for a plain string error they differ.
ApiError ValidationError(std::string_view error_str, std::string_view error_repr);
// 404 NotFoundError for a model name that is not served.
ApiError ModelNotFound(std::string_view model);
// 500 InternalServerError.
ApiError InternalError(std::string message);

// {"error":{...}} compact, for a JSON response body.
std::string ErrorJson(const ApiError& e);
// {"error": {...}} with json.dumps spacing, for an in-stream error event.
std::string StreamErrorJson(const ApiError& e);

inline constexpr std::string_view kUnauthorizedBody = R"({"error":"Unauthorized"})";
inline constexpr std::string_view kNotFoundBody = R"({"detail":"Not Found"})";
inline constexpr std::string_view kMethodNotAllowedBody = R"({"detail":"Method Not Allowed"})";

// The Python repr of a string (single quotes unless the text contains one and no double quote,
// as Python chooses), for building validation messages.
std::string PythonRepr(std::string_view s);

}  // namespace infermetry::emulator
