// Expansion of a parsed alert template: walks the nodes with the data, evaluating pipelines
// and variables; and Go's truth and %v printing of the values.

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/template_internal.h"
#include "common/strconv.h"

namespace infermetry::alerting::tmpl {
namespace {

class Exec {
 public:
  Exec(std::string_view text, const TemplateData& d) : text_(text), ctx_{&d} {
    vars_.emplace_back("$", Value::Data(&d));
    vars_.emplace_back("$labels", Value::Map(d.labels));
    vars_.emplace_back("$externalLabels", Value::Map(d.external_labels));
    vars_.emplace_back("$externalURL", Value::Str(d.external_url));
    vars_.emplace_back("$value", Value::Float(d.value));
  }

  Status Walk(const std::vector<Node>& nodes, const Value& dot) {
    for (const Node& n : nodes) {
      switch (n.kind) {
        case NodeKind::kText:
          out_ += n.text;
          break;
        case NodeKind::kAction: {
          INFERMETRY_ASSIGN_OR_RETURN(Value v, EvalPipeline(n.pipe, dot));
          if (n.pipe.decl.empty()) v.AppendTo(&out_);
          break;
        }
        case NodeKind::kIf:
        case NodeKind::kWith: {
          size_t scope = vars_.size();
          INFERMETRY_ASSIGN_OR_RETURN(Value v, EvalPipeline(n.pipe, dot));
          if (v.Truth()) {
            INFERMETRY_RETURN_IF_ERROR(Walk(n.then, n.kind == NodeKind::kWith ? v : dot));
          } else {
            INFERMETRY_RETURN_IF_ERROR(Walk(n.els, dot));
          }
          vars_.resize(scope);
          break;
        }
      }
    }
    return Status::Ok();
  }

  std::string& out() { return out_; }

 private:
  Result<Value> EvalPipeline(const Pipeline& p, const Value& dot) {
    Value v;
    bool have = false;
    for (const Command& c : p.cmds) {
      INFERMETRY_ASSIGN_OR_RETURN(v, EvalCommand(c, dot, have ? &v : nullptr));
      have = true;
    }
    if (!p.decl.empty()) {
      if (p.declare) {
        vars_.emplace_back(p.decl, v);
      } else if (Value* var = FindVar(p.decl)) {
        *var = v;
      }
    }
    return v;
  }

  Result<Value> EvalCommand(const Command& c, const Value& dot, const Value* piped) {
    const Arg& head = c.args[0];
    if (head.kind != ArgKind::kFunc) return EvalArg(head, dot);
    std::string_view name = head.fn->name;
    if (name == "and" || name == "or") {
      // Short-circuit as Go does: arguments after the deciding one are not evaluated.
      bool is_and = name == "and";
      size_t n = c.args.size() - 1 + (piped != nullptr ? 1 : 0);
      Value v;
      for (size_t i = 1; i <= n; ++i) {
        if (i < c.args.size()) {
          INFERMETRY_ASSIGN_OR_RETURN(v, EvalArg(c.args[i], dot));
        } else {
          v = *piped;
        }
        if (v.Truth() != is_and) break;
      }
      return v;
    }
    std::vector<Value> args;
    for (size_t i = 1; i < c.args.size(); ++i) {
      INFERMETRY_ASSIGN_OR_RETURN(Value a, EvalArg(c.args[i], dot));
      args.push_back(std::move(a));
    }
    if (piped != nullptr) args.push_back(*piped);
    return Call(head, c.pos, c.end, args);
  }

  Result<Value> Call(const Arg& f, size_t pos, size_t end, std::vector<Value>& args) {
    Result<Value> r = f.fn->fn(ctx_, args);
    if (!r.ok()) {
      return ExecError(pos, end,
                       "error calling " + std::string(f.fn->name) + ": " + r.status().message());
    }
    return r;
  }

  Result<Value> EvalArg(const Arg& a, const Value& dot) {
    Value v;
    switch (a.kind) {
      case ArgKind::kDot:
      case ArgKind::kField:
        v = dot;
        break;
      case ArgKind::kVar:
        if (const Value* var = FindVar(a.str)) v = *var;
        break;
      case ArgKind::kString:
        return Value::Str(a.str);
      case ArgKind::kInt:
        return Value::Int(a.i);
      case ArgKind::kFloat:
        return Value::Float(a.f);
      case ArgKind::kBool:
        return Value::Bool(a.b);
      case ArgKind::kNil:
        return Value();
      case ArgKind::kFunc: {
        std::vector<Value> none;
        return Call(a, a.pos, a.end, none);
      }
      case ArgKind::kPipe: {
        INFERMETRY_ASSIGN_OR_RETURN(v, EvalPipeline(*a.pipe, dot));
        break;
      }
    }
    for (const std::string& f : a.fields) {
      Result<Value> r = Field(v, f);
      if (!r.ok()) return ExecError(a.pos, a.end, r.status().message());
      v = std::move(*r);
    }
    return v;
  }

  Result<Value> Field(const Value& v, const std::string& name) {
    switch (v.kind) {
      case Value::kData: {
        const TemplateData& d = *ctx_.data;
        if (name == "Labels") return Value::Map(d.labels);
        if (name == "ExternalLabels") return Value::Map(d.external_labels);
        if (name == "ExternalURL") return Value::Str(d.external_url);
        if (name == "Value") return Value::Float(d.value);
        return InvalidArgument("can't evaluate field " + name +
                               " (the data has Labels, ExternalLabels, ExternalURL, Value)");
      }
      case Value::kMap:
        return Value::Str(v.MapGet(name));
      case Value::kNil:
        return InvalidArgument("nil pointer evaluating " + name);
      default:
        return InvalidArgument("can't evaluate field " + name + " in type " + v.TypeName());
    }
  }

  // The innermost variable named `name`; null if none (the parser rejects undefined ones).
  Value* FindVar(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return &vars_[i].second;
    }
    return nullptr;
  }

  // An error while executing the source range [pos, end).
  Status ExecError(size_t pos, size_t end, const std::string& msg) const {
    return InvalidArgument(Where(text_, pos) + "executing at <" +
                           std::string(text_.substr(pos, end - pos)) + ">: " + msg);
  }

  std::string_view text_;
  Context ctx_;
  std::vector<std::pair<std::string, Value>> vars_;
  std::string out_;
};

void AppendMap(std::string* out, const model::Labels* m) {
  *out += "map[";
  if (m != nullptr) {
    bool first = true;
    for (const auto& l : *m) {
      if (!first) out->push_back(' ');
      first = false;
      *out += l.name;
      out->push_back(':');
      *out += l.value;
    }
  }
  out->push_back(']');
}

}  // namespace

Result<std::string> ExecProgram(std::string_view text, const std::vector<Node>& nodes,
                                const TemplateData& data) {
  Exec ex(text, data);
  INFERMETRY_RETURN_IF_ERROR(ex.Walk(nodes, Value::Data(&data)));
  return std::move(ex.out());
}

// Go's "%.<prec>g" (prec >= 0) or shortest "%g" (prec < 0), with Go's +Inf / -Inf / NaN.
std::string GoG(double v, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (prec < 0) return FormatGoFloat(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", prec, v);
  return buf;
}

bool Value::Truth() const {
  switch (kind) {
    case kNil:
      return false;
    case kBool:
      return b;
    case kInt:
      return i != 0;
    case kFloat:
      return f != 0;
    case kString:
      return !s.empty();
    case kMap:
      return MapSize() > 0;
    case kData:
      return true;
  }
  return false;
}

std::string Value::TypeName() const {
  switch (kind) {
    case kNil:
      return "<nil>";
    case kBool:
      return "bool";
    case kInt:
      return "int";
    case kFloat:
      return "float64";
    case kString:
      return "string";
    case kMap:
      return "map[string]string";
    case kData:
      return "struct";
  }
  return "";
}

void Value::AppendTo(std::string* out) const {
  switch (kind) {
    case kNil:
      *out += "<no value>";
      break;
    case kBool:
      *out += b ? "true" : "false";
      break;
    case kInt:
      *out += std::to_string(i);
      break;
    case kFloat:
      *out += GoG(f, -1);
      break;
    case kString:
      *out += s;
      break;
    case kMap:
      AppendMap(out, map);
      break;
    case kData:  // as Go prints Prometheus's template data struct
      *out += "{";
      AppendMap(out, data->labels);
      *out += " ";
      AppendMap(out, data->external_labels);
      *out += " " + data->external_url + " " + GoG(data->value, -1) + "}";
      break;
  }
}

}  // namespace infermetry::alerting::tmpl
