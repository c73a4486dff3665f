// Copyright ptser authors.
#include "jit/script_module.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"

namespace ptser {
namespace jit {
namespace {

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Reads a quoted Python string literal at the start of `*s` ("x" or 'x', with
// backslash escapes of the quote and the backslash), consuming it.
absl::StatusOr<std::string> ConsumeStringLiteral(absl::string_view* s) {
  if (s->empty() || ((*s)[0] != '"' && (*s)[0] != '\'')) {
    return absl::InvalidArgumentError("expected a string literal");
  }
  const char quote = (*s)[0];
  std::string out;
  for (size_t i = 1; i < s->size(); ++i) {
    const char c = (*s)[i];
    if (c == '\\' && i + 1 < s->size()) {
      out.push_back((*s)[++i]);
    } else if (c == quote) {
      s->remove_prefix(i + 1);
      return out;
    } else {
      out.push_back(c);
    }
  }
  return absl::InvalidArgumentError("unterminated string literal");
}

// `["weight", "bias", ]` -> {"weight", "bias"}.
absl::StatusOr<std::vector<std::string>> ParseStringList(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  if (!absl::ConsumePrefix(&s, "[") || !absl::ConsumeSuffix(&s, "]")) {
    return absl::InvalidArgumentError("expected a list of strings in [ ]");
  }
  std::vector<std::string> out;
  while (true) {
    s = absl::StripLeadingAsciiWhitespace(s);
    if (s.empty()) break;
    PTSER_ASSIGN_OR_RETURN(std::string item, ConsumeStringLiteral(&s));
    out.push_back(std::move(item));
    s = absl::StripLeadingAsciiWhitespace(s);
    if (s.empty()) break;
    if (!absl::ConsumePrefix(&s, ",")) {
      return absl::InvalidArgumentError("expected ',' between list items");
    }
  }
  return out;
}

size_t Indent(absl::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

}  // namespace

void TypeTags::Set(const Value& container, std::string type) {
  const void* id = container.identity();
  if (id == nullptr) return;
  if (tags_.insert_or_assign(id, std::move(type)).second) held_.push_back(container);
}

const std::string* TypeTags::Find(const Value& container) const {
  const void* id = container.identity();
  if (id == nullptr) return nullptr;
  auto it = tags_.find(id);
  return it == tags_.end() ? nullptr : &it->second;
}

bool ScriptClass::IsParameter(absl::string_view attr) const {
  return std::find(parameters.begin(), parameters.end(), attr) != parameters.end();
}

bool ScriptClass::IsBuffer(absl::string_view attr) const {
  return std::find(buffers.begin(), buffers.end(), attr) != buffers.end();
}

absl::StatusOr<std::string> CodeRecordQualifier(absl::string_view record) {
  absl::string_view path = record;
  if (!absl::ConsumePrefix(&path, "code/") || !absl::ConsumeSuffix(&path, ".py") ||
      !(path == "__torch__" || absl::StartsWith(path, "__torch__/"))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "code record '", record, "' is not a .py file under code/__torch__"));
  }
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (!IsIdentifier(part)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "code record '", record, "': '", part, "' is not a Python identifier"));
    }
  }
  return absl::StrReplaceAll(path, {{"/", "."}});
}

absl::StatusOr<std::vector<ScriptClass>> ParseCodeRecord(absl::string_view record,
                                                         absl::string_view text) {
  PTSER_ASSIGN_OR_RETURN(std::string qualifier, CodeRecordQualifier(record));
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  std::vector<ScriptClass> out;
  ScriptClass* current = nullptr;
  size_t class_start = 0;  // byte offset of the current class's `class` line
  size_t class_end = 0;    // just past its last non-empty line
  size_t pos = 0;
  auto finish = [&]() {
    if (current != nullptr) {
      current->source = std::string(text.substr(class_start, class_end - class_start));
    }
    current = nullptr;
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    const absl::string_view raw = lines[n];
    const size_t line_start = pos;
    pos += raw.size() + 1;
    const absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("code record '", record, "' line ", n + 1, ": ", what, ": '",
                       absl::CHexEscape(line.substr(0, 200)), "'"));
    };
    if (line.empty()) continue;
    const size_t indent = Indent(line);
    if (indent == 0) {
      finish();
      absl::string_view rest = line;
      if (!absl::ConsumePrefix(&rest, "class ")) continue;  // functions, imports, ...
      if (!absl::ConsumeSuffix(&rest, ":")) return error("a class header without ':'");
      ScriptClass cls;
      const size_t paren = rest.find('(');
      if (paren != absl::string_view::npos) {
        if (!absl::EndsWith(rest, ")")) return error("a class header without ')'");
        cls.base = std::string(rest.substr(paren + 1, rest.size() - paren - 2));
        rest = rest.substr(0, paren);
      }
      if (!IsIdentifier(rest)) return error("a class name that is not an identifier");
      cls.name = std::string(rest);
      cls.qualified_name = absl::StrCat(qualifier, ".", rest);
      cls.code_record = std::string(record);
      out.push_back(std::move(cls));
      current = &out.back();
      class_start = line_start;
      class_end = line_start + line.size();
      continue;
    }
    if (current == nullptr) continue;  // the body of a top-level function
    class_end = line_start + line.size();
    absl::string_view body = line.substr(indent);
    if (indent != 2) continue;  // inside a method
    if (absl::ConsumePrefix(&body, "__parameters__ = ")) {
      absl::StatusOr<std::vector<std::string>> names = ParseStringList(body);
      if (!names.ok()) return error(names.status().message());
      current->parameters = std::move(*names);
    } else if (absl::ConsumePrefix(&body, "__buffers__ = ")) {
      absl::StatusOr<std::vector<std::string>> names = ParseStringList(body);
      if (!names.ok()) return error(names.status().message());
      current->buffers = std::move(*names);
    } else if (absl::ConsumePrefix(&body, "def ")) {
      const size_t paren = body.find('(');
      if (paren == absl::string_view::npos) return error("a method without '('");
      current->methods.emplace_back(body.substr(0, paren));
    } else if (absl::ConsumePrefix(&body, "__annotations__[")) {
      absl::StatusOr<std::string> name = ConsumeStringLiteral(&body);
      if (!name.ok() || !absl::ConsumePrefix(&body, "] = ")) {
        return error("a malformed __annotations__ line");
      }
      current->attributes.emplace_back(std::move(*name), std::string(body));
    } else {
      const size_t colon = body.find(" : ");
      if (colon == absl::string_view::npos) continue;  // forward hooks lists, enum values
      const absl::string_view name = body.substr(0, colon);
      const absl::string_view type = body.substr(colon + 3);
      if (!IsIdentifier(name)) continue;
      if (absl::StartsWith(type, "Final[")) {
        current->constants.emplace_back(body);
      } else {
        current->attributes.emplace_back(std::string(name), std::string(type));
      }
    }
  }
  finish();
  return out;
}

// ---------------------------------------------------------------------------

ScriptModule::ScriptModule(std::shared_ptr<const ScriptClass> cls)
    : Module(cls->name), class_(std::move(cls)) {}

const Value* ScriptModule::FindAttribute(absl::string_view name) const {
  auto it = slot_index_.find(name);
  if (it == slot_index_.end() || slots_[it->second].kind != SlotKind::kAttribute) return nullptr;
  return &slots_[it->second].value;
}

std::string ModuleValue::TypeName() const { return module_->qualified_name(); }
std::string ModuleValue::Repr() const { return module_->TreeRepr(); }

ScriptModule* ModuleOf(const Value& v) {
  if (!v.is_opaque()) return nullptr;
  auto* m = dynamic_cast<ModuleValue*>(&v.opaque());
  return m == nullptr ? nullptr : m->module().get();
}

Value ScriptModule::AsValue() {
  return Value::FromOpaque(std::make_shared<ModuleValue>(shared_from_this()));
}

absl::StatusOr<Value> ScriptModule::Forward(std::vector<Value> inputs) {
  return RunMethod("forward", std::move(inputs));
}

absl::StatusOr<Tensor> ScriptModule::Forward(const Tensor& x) {
  PTSER_ASSIGN_OR_RETURN(Value out, RunMethod("forward", {Value::FromTensor(x)}));
  if (!out.is_tensor()) {
    return absl::InvalidArgumentError(absl::StrCat(qualified_name(), ".forward returned a ",
                                                   out.TypeName(), ", not a Tensor"));
  }
  return out.tensor();
}

absl::StatusOr<Value> ScriptModule::RunMethod(absl::string_view name, std::vector<Value> args) {
  if (runner_ == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        qualified_name(), " was read as data (LoadScriptModule); load it with jit::Load "
        "(jit/load.h) to run its methods"));
  }
  return runner_->RunMethod(*this, name, std::move(args));
}

bool ScriptModule::HasMethod(absl::string_view name) const {
  return runner_ != nullptr && runner_->HasMethod(*this, name);
}

void ScriptModule::SetRunner(std::shared_ptr<MethodRunner> runner) {
  // Iterative: a hostile archive may nest modules deeply.
  std::vector<ScriptModule*> stack = {this};
  while (!stack.empty()) {
    ScriptModule* m = stack.back();
    stack.pop_back();
    m->runner_ = runner;
    for (const Slot& s : m->slots_) {
      if (s.kind == SlotKind::kModule) {
        stack.push_back(static_cast<ScriptModule*>(m->Child(s.name).get()));
      }
    }
  }
}

absl::StatusOr<Value> ScriptModule::Attr(absl::string_view name) const {
  auto it = slot_index_.find(name);
  if (it == slot_index_.end()) {
    return absl::NotFoundError(
        absl::StrCat("module '", qualified_name(), "' has no attribute '", name, "'"));
  }
  const Slot& s = slots_[it->second];
  switch (s.kind) {
    case SlotKind::kParameter: {
      const Tensor* t = FindParameter(name);
      return t == nullptr ? Value() : Value::FromTensor(*t);
    }
    case SlotKind::kBuffer: {
      const Tensor* t = FindBuffer(name);
      return t == nullptr ? Value() : Value::FromTensor(*t);
    }
    case SlotKind::kModule:
      return std::static_pointer_cast<ScriptModule>(Child(name))->AsValue();
    case SlotKind::kTraining:
      return Value::Bool(is_training());
    case SlotKind::kAttribute:
      return s.value;
  }
  return absl::InternalError("unknown slot kind");
}

absl::Status ScriptModule::SetAttr(absl::string_view name, Value value) {
  auto it = slot_index_.find(name);
  if (it == slot_index_.end()) {
    return absl::NotFoundError(absl::StrCat("module '", qualified_name(),
                                            "' has no attribute '", name, "' to set"));
  }
  Slot& s = slots_[it->second];
  switch (s.kind) {
    case SlotKind::kParameter:
    case SlotKind::kBuffer:
      if (value.is_none()) return SetTensorSlot(name, std::nullopt);
      if (!value.is_tensor()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot assign a ", value.TypeName(), " to the tensor attribute '", name, "' of ",
            qualified_name()));
      }
      return SetTensorSlot(name, value.tensor());
    case SlotKind::kModule:
      return absl::FailedPreconditionError(
          absl::StrCat("cannot replace the submodule '", name, "' of ", qualified_name()));
    case SlotKind::kTraining:
      if (!value.is_bool()) {
        return absl::InvalidArgumentError(
            absl::StrCat("'training' must be a bool, got ", value.TypeName()));
      }
      SetOwnTrainingFlag(value.as_bool());
      return absl::OkStatus();
    case SlotKind::kAttribute:
      s.value = std::move(value);
      return absl::OkStatus();
  }
  return absl::InternalError("unknown slot kind");
}

absl::Status ScriptModule::AddParameter(const std::string& name, const Value& v) {
  if (v.is_none()) {
    PTSER_RETURN_IF_ERROR(RegisterParameter(name, std::nullopt));
  } else {
    PTSER_ASSIGN_OR_RETURN(Tensor t, v.ToTensor());
    const bool requires_grad = t.requires_grad();
    PTSER_RETURN_IF_ERROR(RegisterParameter(name, std::move(t), requires_grad));
  }
  slot_index_.emplace(name, slots_.size());
  slots_.push_back(Slot{name, SlotKind::kParameter, Value()});
  return absl::OkStatus();
}

absl::Status ScriptModule::AddBuffer(const std::string& name, const Value& v) {
  if (v.is_none()) {
    PTSER_RETURN_IF_ERROR(RegisterBuffer(name, std::nullopt));
  } else {
    PTSER_ASSIGN_OR_RETURN(Tensor t, v.ToTensor());
    PTSER_RETURN_IF_ERROR(RegisterBuffer(name, std::move(t)));
  }
  slot_index_.emplace(name, slots_.size());
  slots_.push_back(Slot{name, SlotKind::kBuffer, Value()});
  return absl::OkStatus();
}

absl::Status ScriptModule::AddChild(const std::string& name, std::shared_ptr<ScriptModule> child) {
  PTSER_RETURN_IF_ERROR(RegisterModule(name, std::move(child)));
  slot_index_.emplace(name, slots_.size());
  slots_.push_back(Slot{name, SlotKind::kModule, Value()});
  return absl::OkStatus();
}

void ScriptModule::AddTraining(bool training) {
  SetOwnTrainingFlag(training);
  slot_index_.emplace("training", slots_.size());
  slots_.push_back(Slot{"training", SlotKind::kTraining, Value()});
}

void ScriptModule::AddAttribute(const std::string& name, Value value) {
  slot_index_.emplace(name, slots_.size());
  slots_.push_back(Slot{name, SlotKind::kAttribute, std::move(value)});
}

std::string ScriptModule::TreeRepr() const {
  // nn.Module.__repr__ with RecursiveScriptModule's extra_repr, children
  // indented by two spaces (_addindent).
  std::vector<std::string> child_lines;
  for (const Slot& s : slots_) {
    if (s.kind != SlotKind::kModule) continue;
    auto child = std::static_pointer_cast<ScriptModule>(Child(s.name));
    std::string text = child->TreeRepr();
    text = absl::StrReplaceAll(text, {{"\n", "\n  "}});
    child_lines.push_back(absl::StrCat("(", s.name, "): ", text));
  }
  std::string out = "RecursiveScriptModule(";
  const std::string extra = absl::StrCat("original_name=", class_->name);
  if (child_lines.empty()) return absl::StrCat(out, extra, ")");
  absl::StrAppend(&out, "\n  ", extra);
  for (const std::string& line : child_lines) absl::StrAppend(&out, "\n  ", line);
  absl::StrAppend(&out, "\n)");
  return out;
}

}  // namespace jit
}  // namespace ptser
