#pragma once
// Internal to src/alerting: nothing outside template*.cc includes this header. It holds the
// parsed form of a Template (template.h) and what its parts share:
//   template_parse.cc   lexer and parser: text -> nodes, with parse-time errors
//   template_exec.cc    expansion of the nodes; truth and printing of values (Go's %v)
//   template_funcs.cc   the function table and the functions templates can call
//   template_printf.cc  Go's fmt verbs, for printf
//   template.cc         the public Template methods and ExpandOrError

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/template.h"
#include "common/result.h"
#include "model/labels.h"

namespace infermetry::alerting::tmpl {

// A value during expansion: the kinds of Go values an alert template can meet.
struct Value {
  enum Kind { kNil, kBool, kInt, kFloat, kString, kMap, kData };
  Kind kind = kNil;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  const model::Labels* map = nullptr;  // kMap; null is an empty map
  const TemplateData* data = nullptr;  // kData

  static Value Str(std::string v) {
    Value x;
    x.kind = kString;
    x.s = std::move(v);
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = kFloat;
    x.f = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = kBool;
    x.b = v;
    return x;
  }
  static Value Map(const model::Labels* m) {
    Value x;
    x.kind = kMap;
    x.map = m;
    return x;
  }
  static Value Data(const TemplateData* d) {
    Value x;
    x.kind = kData;
    x.data = d;
    return x;
  }

  size_t MapSize() const { return map == nullptr ? 0 : map->size(); }
  // A key of a kMap value; missingkey=zero, as Prometheus: a missing label is "".
  std::string MapGet(std::string_view key) const {
    return map == nullptr ? "" : std::string(map->Get(key));
  }

  // Go's truth: false, 0, "", empty maps and nil are false.
  bool Truth() const;
  // Go's name of the type, for messages: "float64", "string", "map[string]string", ...
  std::string TypeName() const;
  // Go's fmt %v.
  void AppendTo(std::string* out) const;
};

struct Context {
  const TemplateData* data;
};

struct FuncDef {
  const char* name;
  int min_args;
  int max_args;  // -1: variadic
  Result<Value> (*fn)(const Context& ctx, std::vector<Value>& args);
};

// The function named `name`, or null (template_funcs.cc).
const FuncDef* FindFunc(std::string_view name);
// A Prometheus or Go template function this implementation rejects (template_funcs.cc).
bool IsUnsupportedFunc(std::string_view name);

// Go's "%.<prec>g" (prec >= 0) or shortest "%g" (prec < 0), with +Inf / -Inf / NaN
// (template_exec.cc).
std::string GoG(double v, int prec);
// Go's fmt.Sprintf of format `f` with args[argi...] (template_printf.cc). Errors only for
// verbs and forms this implementation lacks; misuse prints as Go does ("%!d(string=x)").
Result<std::string> GoSprintf(std::string_view f, const std::vector<Value>& args, size_t argi);

// ---- The parsed program ----

enum class ArgKind { kDot, kField, kVar, kString, kInt, kFloat, kBool, kNil, kFunc, kPipe };

struct Pipeline;

struct Arg {
  ArgKind kind = ArgKind::kNil;
  size_t pos = 0, end = 0;  // source range, for messages
  std::string str;          // string literal, "$var", function name
  int64_t i = 0;
  double f = 0;
  bool b = false;
  const FuncDef* fn = nullptr;
  std::shared_ptr<Pipeline> pipe;   // kPipe
  std::vector<std::string> fields;  // chain applied after the term
};

struct Command {
  size_t pos = 0, end = 0;
  std::vector<Arg> args;
};

struct Pipeline {
  size_t pos = 0;
  std::string decl;  // "$x" of `$x := ...` / `$x = ...`
  bool declare = false;
  std::vector<Command> cmds;
};

enum class NodeKind { kText, kAction, kIf, kWith };

struct Node {
  NodeKind kind = NodeKind::kText;
  size_t pos = 0;
  std::string text;
  Pipeline pipe;
  std::vector<Node> then, els;  // an `else if` is a single kIf node in els
};

// "template: <line>:<col>: " for byte offset `pos` of `text` (template_parse.cc).
std::string Where(std::string_view text, size_t pos);

// Lexes and parses `text` into nodes (template_parse.cc). The nodes keep byte offsets into
// `text`, which must be passed again to ExecProgram.
Status ParseProgram(std::string_view text, std::vector<Node>* nodes);

// Expands `nodes` parsed from `text` with `data` (template_exec.cc).
Result<std::string> ExecProgram(std::string_view text, const std::vector<Node>& nodes,
                                const TemplateData& data);

}  // namespace infermetry::alerting::tmpl
