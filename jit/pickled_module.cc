// Copyright ptser authors.
#include "jit/pickled_module.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace ptser {
namespace {

// PyTorch's `_version` of the torch.nn classes that change it (1 otherwise).
int ClassVersion(const GlobalRef& cls) {
  for (absl::string_view module :
       {"torch.nn.modules.batchnorm", "torch.nn.modules.instancenorm",
        "torch.nn.intrinsic.qat.modules.conv_fused", "torch.ao.nn.intrinsic.qat.modules.conv_fused"}) {
    if (cls.module == module) return 2;
  }
  return 1;
}

bool SavesItsOwnState(const GlobalRef& cls) {
  return absl::StartsWith(cls.module, "torch.nn.quantized") ||
         absl::StartsWith(cls.module, "torch.ao.nn.quantized") ||
         absl::StartsWith(cls.module, "torch.ao.nn.sparse") ||
         absl::StartsWith(cls.module, "torch.nn.quantizable") ||
         absl::StartsWith(cls.module, "torch.ao.nn.quantizable");
}

std::string Where(const std::string& prefix) {
  return prefix.empty() ? "the model" : absl::StrCat("module '", prefix.substr(0, prefix.size() - 1), "'");
}

class Walker {
 public:
  Walker(Value::Dict* out, Value::Dict* metadata, int max_depth)
      : out_(out), metadata_(metadata), max_depth_(max_depth), version_key_(Value::Str("version")) {}

  absl::Status Walk(const Value& module, const std::string& prefix, int depth) {
    if (depth > max_depth_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the module tree is deeper than ", max_depth_, " levels at ", Where(prefix)));
    }
    if (!module.is_object() || !module.object().has_state()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(prefix), " is not a pickled torch.nn.Module (a ", module.TypeName(), ")"));
    }
    const Value::Object& obj = module.object();
    for (const void* p : stack_) {
      if (p == module.identity()) {
        return absl::InvalidArgumentError(absl::StrCat(Where(prefix), " contains itself"));
      }
    }
    if (SavesItsOwnState(obj.callee())) {
      return absl::UnimplementedError(absl::StrCat(
          Where(prefix), " is a ", obj.callee().FullName(),
          ", whose state_dict() is computed by its own code (packed weights); ptser cannot "
          "rebuild it without running that code"));
    }
    const Value* params = obj.Attribute("_parameters");
    const Value* buffers = obj.Attribute("_buffers");
    const Value* modules = obj.Attribute("_modules");
    if (params == nullptr || !params->is_dict() || buffers == nullptr || !buffers->is_dict() ||
        modules == nullptr || !modules->is_dict()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(prefix), " (", obj.callee().FullName(),
          ") is not a pickled torch.nn.Module: its state has no _parameters, _buffers and "
          "_modules dicts"));
    }
    Value local = Value::NewDict();
    PTSER_RETURN_IF_ERROR(local.dict().SetItem(version_key_, Value::Int(ClassVersion(obj.callee()))));
    PTSER_RETURN_IF_ERROR(metadata_->SetItem(
        Value::Str(prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1)), local));
    PTSER_RETURN_IF_ERROR(AddTensors(params->dict(), nullptr, prefix));
    const Value* non_persistent = obj.Attribute("_non_persistent_buffers_set");
    PTSER_RETURN_IF_ERROR(AddTensors(buffers->dict(), non_persistent, prefix));
    stack_.push_back(module.identity());
    for (const Value::Dict::Item& item : modules->dict().items()) {
      if (!item.key.is_str()) {
        return absl::InvalidArgumentError(absl::StrCat(Where(prefix), " has a child named by a ",
                                                       item.key.TypeName()));
      }
      if (item.value.is_none()) continue;
      PTSER_RETURN_IF_ERROR(Walk(item.value, prefix + item.key.as_string() + ".", depth + 1));
    }
    stack_.pop_back();
    return absl::OkStatus();
  }

 private:
  absl::Status AddTensors(const Value::Dict& tensors, const Value* skip, const std::string& prefix) {
    for (const Value::Dict::Item& item : tensors.items()) {
      if (!item.key.is_str()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(prefix), " has a tensor named by a ", item.key.TypeName()));
      }
      if (item.value.is_none()) continue;
      if (skip != nullptr && (skip->is_set() || skip->is_frozenset()) && skip->set().Contains(item.key)) {
        continue;
      }
      if (!item.value.is_tensor()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", prefix, item.key.as_string(), "' is a ", item.value.TypeName(), ", not a tensor"));
      }
      // param.detach(): the same storage, not a Parameter, no grad.
      Tensor t = item.value.tensor();
      t.set_is_parameter(false);
      t.set_requires_grad(false);
      PTSER_RETURN_IF_ERROR(
          out_->SetItem(Value::Str(prefix + item.key.as_string()), Value::FromTensor(t)));
    }
    return absl::OkStatus();
  }

  Value::Dict* out_;
  Value::Dict* metadata_;
  int max_depth_;
  Value version_key_;  // one str object, as Python's interned 'version'
  std::vector<const void*> stack_;
};

}  // namespace

absl::StatusOr<Value> StateDictOfPickledModule(const Value& model, int max_depth) {
  Value sd = Value::NewOrderedDict();
  Value metadata = Value::NewOrderedDict();
  Walker walker(&sd.dict(), &metadata.dict(), max_depth);
  PTSER_RETURN_IF_ERROR(walker.Walk(model, "", 0));
  Value state = Value::NewDict();
  PTSER_RETURN_IF_ERROR(state.dict().SetItem(Value::Str("_metadata"), metadata));
  sd.dict().set_state(state);
  return sd;
}

}  // namespace ptser
