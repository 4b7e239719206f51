// The public face of alert templates (template.h). The parts are in template_parse.cc,
// template_exec.cc, template_funcs.cc and template_printf.cc (see template_internal.h).

#include "alerting/template.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/template_internal.h"

namespace infermetry::alerting {

struct Template::Program {
  std::string text;
  std::vector<tmpl::Node> nodes;
};

Template::Template() : program_(std::make_shared<Program>()) {}
Template::Template(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

Result<Template> Template::Parse(std::string_view text) {
  auto prog = std::make_shared<Program>();
  prog->text = std::string(text);
  INFERMETRY_RETURN_IF_ERROR(tmpl::ParseProgram(prog->text, &prog->nodes));
  return Template(std::move(prog));
}

Result<std::string> Template::Expand(const TemplateData& data) const {
  return tmpl::ExecProgram(program_->text, program_->nodes, data);
}

const std::string& Template::text() const { return program_->text; }

std::string ExpandOrError(std::string_view text, const TemplateData& data) {
  Result<Template> t = Template::Parse(text);
  Result<std::string> r = t.ok() ? t->Expand(data) : Result<std::string>(t.status());
  if (!r.ok()) return "<error expanding template: " + r.status().message() + ">";
  return std::move(*r);
}

}  // namespace infermetry::alerting
