// Copyright ptser authors.
#include "jit/module.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "tensor/cast.h"
#include "tensor/views.h"

namespace ptser {
namespace {

// Python's repr of a str (single-quoted), as in a list repr.
std::string PyRepr(const std::string& s) { return Value::Str(s).Repr(); }

// "torch.Size([3, 4])".
std::string TorchSize(const Tensor& t) {
  return absl::StrCat("torch.Size(", ShapeToString(t.sizes()), ")");
}

// Python's `type(v)` as str() prints it: "<class 'int'>".
std::string PyClass(const Value& v) {
  std::string name;
  switch (v.kind()) {
    case Value::Kind::kTensor:
      name = v.tensor().is_parameter() ? "torch.nn.parameter.Parameter" : "torch.Tensor";
      break;
    case Value::Kind::kDict:
      name = v.dict().is_ordered_dict() ? "collections.OrderedDict" : v.TypeName();
      break;
    case Value::Kind::kObject:
      name = v.object().callee().FullName();
      break;
    default:
      name = v.TypeName();
  }
  return absl::StrCat("<class '", name, "'>");
}

// param.detach(): the same storage and layout, not a Parameter, no grad.
Tensor Detached(const Tensor& t) {
  Tensor out = t;
  out.set_is_parameter(false);
  out.set_requires_grad(false);
  return out;
}

bool IsFloatingOrComplex(ScalarType t) { return IsFloatingPoint(t) || IsComplex(t); }

}  // namespace

std::string IncompatibleKeys::ToString() const {
  if (all_matched()) return "<All keys matched successfully>";
  auto list = [](const std::vector<std::string>& keys) {
    std::vector<std::string> reprs;
    reprs.reserve(keys.size());
    for (const std::string& k : keys) reprs.push_back(PyRepr(k));
    return absl::StrCat("[", absl::StrJoin(reprs, ", "), "]");
  };
  return absl::StrCat("_IncompatibleKeys(missing_keys=", list(missing_keys),
                      ", unexpected_keys=", list(unexpected_keys), ")");
}

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}
Module::~Module() = default;

// ---------------------------------------------------------------------------
// Registration and lookups.

absl::Status Module::CheckNewName(const std::string& name) const {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name_, ": a parameter, buffer or module name can't be empty"));
  }
  if (absl::StrContains(name, '.')) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name_, ": a name can't contain \".\", got ", PyRepr(name)));
  }
  if (FindSlot(name) != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat(type_name_, ": attribute ", PyRepr(name), " already exists"));
  }
  return absl::OkStatus();
}

const Module::Slot* Module::FindSlot(absl::string_view name) const {
  auto it = slot_index_.find(name);
  return it == slot_index_.end() ? nullptr : &slots_[it->second];
}

absl::Status Module::SetTensorSlot(absl::string_view name, std::optional<Tensor> value) {
  auto it = slot_index_.find(name);
  if (it == slot_index_.end() || slots_[it->second].kind == SlotKind::kModule) {
    return absl::NotFoundError(
        absl::StrCat(type_name_, " has no parameter or buffer named '", name, "'"));
  }
  Slot& slot = slots_[it->second];
  if (value.has_value() && slot.kind == SlotKind::kParameter) {
    const bool requires_grad = slot.tensor.has_value() ? slot.tensor->requires_grad() : true;
    value->set_is_parameter(true);
    value->set_requires_grad(requires_grad);
  }
  slot.tensor = std::move(value);
  return absl::OkStatus();
}

absl::Status Module::RegisterParameter(const std::string& name, Tensor value, bool requires_grad) {
  PTSER_RETURN_IF_ERROR(CheckNewName(name));
  value.set_is_parameter(true);
  value.set_requires_grad(requires_grad);
  slots_.push_back(Slot{name, SlotKind::kParameter, std::move(value), true, nullptr});
  slot_index_.emplace(name, slots_.size() - 1);
  return absl::OkStatus();
}

absl::Status Module::RegisterParameter(const std::string& name, std::nullopt_t) {
  PTSER_RETURN_IF_ERROR(CheckNewName(name));
  slots_.push_back(Slot{name, SlotKind::kParameter, std::nullopt, true, nullptr});
  slot_index_.emplace(name, slots_.size() - 1);
  return absl::OkStatus();
}

absl::Status Module::RegisterBuffer(const std::string& name, Tensor value, bool persistent) {
  PTSER_RETURN_IF_ERROR(CheckNewName(name));
  slots_.push_back(Slot{name, SlotKind::kBuffer, std::move(value), persistent, nullptr});
  slot_index_.emplace(name, slots_.size() - 1);
  return absl::OkStatus();
}

absl::Status Module::RegisterBuffer(const std::string& name, std::nullopt_t, bool persistent) {
  PTSER_RETURN_IF_ERROR(CheckNewName(name));
  slots_.push_back(Slot{name, SlotKind::kBuffer, std::nullopt, persistent, nullptr});
  slot_index_.emplace(name, slots_.size() - 1);
  return absl::OkStatus();
}

absl::Status Module::RegisterModule(const std::string& name, std::shared_ptr<Module> child) {
  PTSER_RETURN_IF_ERROR(CheckNewName(name));
  if (child == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name_, ": module ", PyRepr(name), " is null"));
  }
  slots_.push_back(Slot{name, SlotKind::kModule, std::nullopt, true, std::move(child)});
  slot_index_.emplace(name, slots_.size() - 1);
  return absl::OkStatus();
}

const Tensor* Module::FindParameter(absl::string_view name) const {
  const Slot* s = FindSlot(name);
  return s != nullptr && s->kind == SlotKind::kParameter && s->tensor ? &*s->tensor : nullptr;
}

const Tensor* Module::FindBuffer(absl::string_view name) const {
  const Slot* s = FindSlot(name);
  return s != nullptr && s->kind == SlotKind::kBuffer && s->tensor ? &*s->tensor : nullptr;
}

absl::StatusOr<Tensor> Module::Parameter(absl::string_view name) const {
  const Slot* s = FindSlot(name);
  if (s == nullptr || s->kind != SlotKind::kParameter) {
    return absl::NotFoundError(
        absl::StrCat("'", type_name_, "' object has no parameter ", PyRepr(std::string(name))));
  }
  if (!s->tensor) {
    return absl::FailedPreconditionError(absl::StrCat(
        "parameter ", PyRepr(std::string(name)), " of '", type_name_, "' is None"));
  }
  return *s->tensor;
}

absl::StatusOr<Tensor> Module::Buffer(absl::string_view name) const {
  const Slot* s = FindSlot(name);
  if (s == nullptr || s->kind != SlotKind::kBuffer) {
    return absl::NotFoundError(
        absl::StrCat("'", type_name_, "' object has no buffer ", PyRepr(std::string(name))));
  }
  if (!s->tensor) {
    return absl::FailedPreconditionError(absl::StrCat(
        "buffer ", PyRepr(std::string(name)), " of '", type_name_, "' is None"));
  }
  return *s->tensor;
}

std::shared_ptr<Module> Module::Child(absl::string_view name) const {
  const Slot* s = FindSlot(name);
  return s != nullptr && s->kind == SlotKind::kModule ? s->module : nullptr;
}

void Module::CollectTensors(const std::string& prefix, SlotKind kind, bool recurse,
                            std::vector<std::pair<std::string, Tensor>>* out,
                            Seen* seen) const {
  for (const Slot& s : slots_) {
    if (s.kind != kind || !s.tensor) continue;
    // A tensor registered twice (tied weights) is listed once, as PyTorch's
    // remove_duplicate: the same storage, offset and layout is the same object.
    std::vector<size_t>& same_place =
        seen->tensors[{s.tensor->storage().id(), s.tensor->storage_offset()}];
    bool duplicate = false;
    for (size_t i : same_place) {
      const Tensor& t = (*out)[i].second;
      if (t.IsSameAs(*s.tensor) && t.dtype() == s.tensor->dtype()) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) {
      same_place.push_back(out->size());
      out->emplace_back(prefix + s.name, *s.tensor);
    }
  }
  if (!recurse) return;
  for (const Slot& s : slots_) {
    if (s.kind != SlotKind::kModule) continue;
    if (!seen->modules.insert(s.module.get()).second) continue;
    s.module->CollectTensors(prefix + s.name + ".", kind, true, out, seen);
  }
}

std::vector<std::pair<std::string, Tensor>> Module::NamedParameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  Seen seen;
  seen.modules.insert(this);
  CollectTensors("", SlotKind::kParameter, recurse, &out, &seen);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::NamedBuffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  Seen seen;
  seen.modules.insert(this);
  CollectTensors("", SlotKind::kBuffer, recurse, &out, &seen);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::NamedChildren() const {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  absl::flat_hash_set<const void*> seen;
  for (const Slot& s : slots_) {
    if (s.kind != SlotKind::kModule) continue;
    if (seen.insert(s.module.get()).second) out.emplace_back(s.name, s.module);
  }
  return out;
}

void Module::CollectModules(const std::string& prefix,
                            std::vector<std::pair<std::string, const Module*>>* out,
                            absl::flat_hash_set<const void*>* seen) const {
  if (!seen->insert(this).second) return;
  out->emplace_back(prefix, this);
  for (const Slot& s : slots_) {
    if (s.kind != SlotKind::kModule) continue;
    s.module->CollectModules(prefix.empty() ? s.name : prefix + "." + s.name, out, seen);
  }
}

std::vector<std::pair<std::string, const Module*>> Module::NamedModules() const {
  std::vector<std::pair<std::string, const Module*>> out;
  absl::flat_hash_set<const void*> seen;
  CollectModules("", &out, &seen);
  return out;
}

// ---------------------------------------------------------------------------
// Modes and dtypes.

void Module::Train(bool mode) {
  training_ = mode;
  for (Slot& s : slots_) {
    if (s.kind == SlotKind::kModule) s.module->Train(mode);
  }
}

absl::Status Module::To(ScalarType dtype) {
  if (!IsFloatingOrComplex(dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=",
        DtypeRepr(dtype)));
  }
  // Convert everything first, then swap: a failed cast leaves the module as it was.
  std::vector<std::pair<Slot*, Tensor>> converted;
  std::vector<Module*> stack{this};
  std::vector<const Module*> visited;
  while (!stack.empty()) {
    Module* m = stack.back();
    stack.pop_back();
    if (std::find(visited.begin(), visited.end(), m) != visited.end()) continue;
    visited.push_back(m);
    for (Slot& s : m->slots_) {
      if (s.kind == SlotKind::kModule) {
        stack.push_back(s.module.get());
        continue;
      }
      if (!s.tensor || !IsFloatingOrComplex(s.tensor->dtype()) || s.tensor->dtype() == dtype) {
        continue;
      }
      PTSER_ASSIGN_OR_RETURN(Tensor t, Cast(*s.tensor, dtype));
      t.set_is_parameter(s.tensor->is_parameter());
      t.set_requires_grad(s.tensor->requires_grad());
      converted.emplace_back(&s, std::move(t));
    }
  }
  for (auto& [slot, t] : converted) slot->tensor = std::move(t);
  return absl::OkStatus();
}

absl::StatusOr<Tensor> Module::Forward(const Tensor&) {
  return absl::UnimplementedError(
      absl::StrCat("Module [", type_name_, "] is missing the required \"forward\" function"));
}

// ---------------------------------------------------------------------------
// state_dict.

void Module::SaveTo(const std::string& prefix, const Value& version_key, Value::Dict* out,
                    Value::Dict* metadata) const {
  Value local = Value::NewDict();
  (void)local.dict().SetItem(version_key, Value::Int(Version()));
  (void)metadata->SetItem(Value::Str(prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1)),
                          std::move(local));
  for (SlotKind kind : {SlotKind::kParameter, SlotKind::kBuffer}) {
    for (const Slot& s : slots_) {
      if (s.kind != kind || !s.tensor || !s.persistent) continue;
      (void)out->SetItem(Value::Str(prefix + s.name), Value::FromTensor(Detached(*s.tensor)));
    }
  }
  for (const Slot& s : slots_) {
    if (s.kind == SlotKind::kModule) {
      s.module->SaveTo(prefix + s.name + ".", version_key, out, metadata);
    }
  }
}

Value Module::StateDict() const {
  Value sd = Value::NewOrderedDict();
  Value metadata = Value::NewOrderedDict();
  SaveTo("", Value::Str("version"), &sd.dict(), &metadata.dict());
  Value state = Value::NewDict();
  (void)state.dict().SetItem(Value::Str("_metadata"), std::move(metadata));
  sd.dict().set_state(std::move(state));
  return sd;
}

// ---------------------------------------------------------------------------
// load_state_dict.

absl::Status Module::UpgradeStateDict(const std::string&, const Value&, std::vector<Entry>*) {
  return absl::OkStatus();
}

absl::Status Module::LoadFrom(const std::string& prefix, const Value* metadata,
                              std::vector<Entry> entries, IncompatibleKeys* keys,
                              std::vector<std::string>* errors,
                              std::vector<PlannedCopy>* copies) {
  Value local_metadata;
  if (metadata != nullptr && metadata->is_dict()) {
    const std::string path = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    if (const Value* found = metadata->dict().Find(path)) local_metadata = *found;
  }
  PTSER_RETURN_IF_ERROR(UpgradeStateDict(prefix, local_metadata, &entries));

  auto find = [&entries](const std::string& key) -> const Value* {
    for (const Entry& e : entries) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  };
  // local_state: the non-None parameters, then the non-None persistent buffers.
  std::vector<const Slot*> local_state;
  for (SlotKind kind : {SlotKind::kParameter, SlotKind::kBuffer}) {
    for (const Slot& s : slots_) {
      if (s.kind == kind && s.tensor && s.persistent) local_state.push_back(&s);
    }
  }
  for (const Slot* s : local_state) {
    const std::string key = prefix + s->name;
    const Value* input = find(key);
    if (input == nullptr) {
      keys->missing_keys.push_back(key);
      continue;
    }
    if (!input->is_tensor()) {
      errors->push_back(absl::StrCat("While copying the parameter named \"", key,
                                     "\", expected torch.Tensor or Tensor-like object from "
                                     "checkpoint but received ",
                                     PyClass(*input)));
      continue;
    }
    const Tensor& param = *s->tensor;
    Tensor src = input->tensor();
    if (param.dim() == 0 && src.dim() == 1) {
      // Checkpoints from before PyTorch 0.4 stored scalars as 1-element vectors.
      absl::StatusOr<Tensor> first = Select(src, 0, 0);
      if (!first.ok()) {
        errors->push_back(absl::StrCat("While copying the parameter named \"", key, "\": ",
                                       first.status().message()));
        continue;
      }
      src = *first;
    }
    if (src.sizes() != param.sizes()) {
      errors->push_back(absl::StrCat("size mismatch for ", key,
                                     ": copying a param with shape ", TorchSize(src),
                                     " from checkpoint, the shape in current model is ",
                                     TorchSize(param), "."));
      continue;
    }
    if (src.dtype() != param.dtype()) {
      absl::StatusOr<Tensor> cast = Cast(src, param.dtype());
      if (!cast.ok()) {
        errors->push_back(absl::StrCat(
            "While copying the parameter named \"", key, "\", whose dimensions in the model are ",
            TorchSize(param), " and whose dimensions in the checkpoint are ", TorchSize(src),
            ", an exception occurred : ", cast.status().message(), "."));
        continue;
      }
      src = *cast;
    }
    copies->push_back(PlannedCopy{param, src});
  }
  // Keys under this prefix that name nothing here: unexpected.
  for (const Entry& e : entries) {
    if (!absl::StartsWith(e.key, prefix)) continue;
    absl::string_view rest = absl::string_view(e.key).substr(prefix.size());
    const std::string input_name(rest.substr(0, rest.find('.')));
    const Slot* s = FindSlot(input_name);
    const bool is_child = s != nullptr && s->kind == SlotKind::kModule;
    const bool is_local =
        std::find(local_state.begin(), local_state.end(), s) != local_state.end();
    if (!is_child && !is_local) keys->unexpected_keys.push_back(e.key);
  }
  for (const Slot& s : slots_) {
    if (s.kind != SlotKind::kModule) continue;
    const std::string child_prefix = prefix + s.name + ".";
    std::vector<Entry> child_entries;
    for (const Entry& e : entries) {
      if (absl::StartsWith(e.key, child_prefix)) child_entries.push_back(e);
    }
    PTSER_RETURN_IF_ERROR(s.module->LoadFrom(child_prefix, metadata, std::move(child_entries),
                                             keys, errors, copies));
  }
  return absl::OkStatus();
}

absl::StatusOr<IncompatibleKeys> Module::LoadStateDict(const Value& state_dict, bool strict) {
  if (!state_dict.is_dict()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Expected state_dict to be dict-like, got ", PyClass(state_dict), "."));
  }
  const Value::Dict& dict = state_dict.dict();
  std::vector<Entry> entries;
  entries.reserve(dict.size());
  for (const Value::Dict::Item& item : dict.items()) {
    if (!item.key.is_str()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a state_dict's keys are str; this one has the ", item.key.TypeName(), " key ",
          item.key.Repr(Value::kMessageReprChars)));
    }
    entries.push_back(Entry{item.key.as_string(), item.value});
  }
  const Value* metadata = dict.Attribute("_metadata");

  IncompatibleKeys keys;
  std::vector<std::string> errors;
  std::vector<PlannedCopy> copies;
  PTSER_RETURN_IF_ERROR(LoadFrom("", metadata, std::move(entries), &keys, &errors, &copies));
  if (strict) {
    auto quoted = [](const std::vector<std::string>& ks) {
      std::vector<std::string> q;
      for (const std::string& k : ks) q.push_back(absl::StrCat("\"", k, "\""));
      return absl::StrJoin(q, ", ");
    };
    if (!keys.unexpected_keys.empty()) {
      errors.insert(errors.begin(), absl::StrCat("Unexpected key(s) in state_dict: ",
                                                 quoted(keys.unexpected_keys), ". "));
    }
    if (!keys.missing_keys.empty()) {
      errors.insert(errors.begin(), absl::StrCat("Missing key(s) in state_dict: ",
                                                 quoted(keys.missing_keys), ". "));
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("Error(s) in loading state_dict for ",
                                                   type_name_, ":\n\t",
                                                   absl::StrJoin(errors, "\n\t")));
  }
  for (const PlannedCopy& c : copies) {
    absl::Status s = CopyInto(c.dst, c.src);
    if (!s.ok()) {
      // Only a read-only or device destination gets here; earlier copies stay.
      return absl::FailedPreconditionError(
          absl::StrCat("load_state_dict of ", type_name_, ": ", s.message()));
    }
  }
  return keys;
}

}  // namespace ptser
