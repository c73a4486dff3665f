// Copyright ptser authors.
#include "tools/cli/script_demo.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "jit/load.h"
#include "jit/nn/linear.h"
#include "jit/script_archive.h"
#include "jit/script_module.h"
#include "tensor/factories.h"
#include "tensor/generator.h"
#include "tensor/print/repr.h"
#include "tools/cli/value_repr.h"

namespace ptser {
namespace cli {
namespace {

// The code records torch.jit.script and torch.jit.trace print for the note's
// modules in PyTorch 1.13 (docs/formats/torchscript.md, "The language of
// code records").  ptser writes them into archives of its own here; real
// PyTorch's archives of the same modules are in tests/interop.
constexpr char kLinearScripted[] = R"(class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  out_features : Final[int] = 2
  in_features : Final[int] = 4
  def forward(self: __torch__.torch.nn.modules.linear.Linear,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    return torch.linear(input, weight, bias)
)";

constexpr char kLinear0Scripted[] = R"(class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  out_features : Final[int] = 1
  in_features : Final[int] = 2
  def forward(self: __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    return torch.linear(input, weight, bias)
)";

constexpr char kFunctional[] = R"(def relu(input: Tensor,
    inplace: bool=False) -> Tensor:
  if inplace:
    result = torch.relu_(input)
  else:
    result = torch.relu(input)
  return result
)";

constexpr char kMyModuleScripted[] = R"(class MyModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.MyModule,
    input: Tensor) -> Tensor:
    l0 = self.l0
    out0 = (l0).forward(input, )
    out0_relu = __torch__.torch.nn.functional.relu(out0, False, )
    l1 = self.l1
    return (l1).forward(out0_relu, )
)";

constexpr char kControlFlowScripted[] = R"(class ControlFlowModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.ControlFlowModule,
    input: Tensor) -> Tensor:
    if torch.gt(torch.dim(input), 1):
      _0 = torch.tensor(0)
    else:
      l0 = self.l0
      out0 = (l0).forward(input, )
      out0_relu = __torch__.torch.nn.functional.relu(out0, False, )
      l1 = self.l1
      _0 = (l1).forward(out0_relu, )
    return _0
)";

// Traced with torch.randn(4): the `if` is gone.
constexpr char kControlFlowTraced[] = R"(class ControlFlowModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.ControlFlowModule,
    input: Tensor) -> Tensor:
    l1 = self.l1
    l0 = self.l0
    input0 = torch.relu((l0).forward(input, ))
    return (l1).forward(input0, )
)";

constexpr char kDivFull[] = R"(class DivFull(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.DivFull,
    a: Tensor,
    b: Tensor) -> Tuple[Tensor, Tensor]:
    x = torch.div(a, b)
    y = torch.full([3], 1)
    return (x, y)
)";

// An archive ptser builds itself: code records, then the module tree.
class ArchiveBuilder {
 public:
  explicit ArchiveBuilder(std::string prefix) {
    archive_.prefix = std::move(prefix);
    archive_.version = 3;
    archive_.version_record = "version";
    archive_.constants = Value::NewTuple();
  }

  absl::Status AddCode(const std::string& record, const std::string& text) {
    PTSER_ASSIGN_OR_RETURN(std::vector<jit::ScriptClass> classes,
                           jit::ParseCodeRecord(record, text));
    for (jit::ScriptClass& c : classes) {
      archive_.classes.push_back(std::make_shared<const jit::ScriptClass>(std::move(c)));
    }
    archive_.code_records.push_back({record, text});
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<jit::ScriptModule>> NewModule(const std::string& cls) {
    const jit::ScriptClass* c = archive_.FindClass(cls);
    if (c == nullptr) return absl::InternalError("demo: no class " + cls);
    for (const auto& p : archive_.classes) {
      if (p.get() == c) return std::make_shared<jit::ScriptModule>(p);
    }
    return absl::InternalError("demo: no class " + cls);
  }

  // A Linear of `cls` with the weights of nn::Linear (PyTorch's init).
  absl::StatusOr<std::shared_ptr<jit::ScriptModule>> Linear(const std::string& cls, int64_t in,
                                                           int64_t out) {
    PTSER_ASSIGN_OR_RETURN(auto m, NewModule(cls));
    PTSER_ASSIGN_OR_RETURN(auto lin, nn::Linear::Make(in, out));
    PTSER_RETURN_IF_ERROR(m->AddParameter("weight", Value::FromTensor(*lin->FindParameter("weight"))));
    PTSER_RETURN_IF_ERROR(m->AddParameter("bias", Value::FromTensor(*lin->FindParameter("bias"))));
    m->AddTraining(true);
    m->AddAttribute("_is_full_backward_hook", Value());
    return m;
  }

  jit::ScriptArchive& archive() { return archive_; }

 private:
  jit::ScriptArchive archive_;
};

// MyModule or ControlFlowModule (`code` its class) over the two Linears,
// with the weights of torch.manual_seed(0).
absl::StatusOr<jit::ScriptArchive> TwoLinearArchive(const std::string& prefix,
                                                    const std::string& name,
                                                    const char* code) {
  ArchiveBuilder b(prefix);
  PTSER_RETURN_IF_ERROR(b.AddCode("code/__torch__.py", code));
  PTSER_RETURN_IF_ERROR(b.AddCode("code/__torch__/torch/nn/modules/linear.py", kLinearScripted));
  PTSER_RETURN_IF_ERROR(b.AddCode("code/__torch__/torch/nn/modules/linear/___torch_mangle_0.py",
                                  kLinear0Scripted));
  PTSER_RETURN_IF_ERROR(b.AddCode("code/__torch__/torch/nn/functional.py", kFunctional));
  ManualSeed(0);
  PTSER_ASSIGN_OR_RETURN(auto root, b.NewModule("__torch__." + name));
  PTSER_ASSIGN_OR_RETURN(auto l0, b.Linear("__torch__.torch.nn.modules.linear.Linear", 4, 2));
  PTSER_ASSIGN_OR_RETURN(
      auto l1, b.Linear("__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear", 2, 1));
  root->AddTraining(true);
  root->AddAttribute("_is_full_backward_hook", Value());
  PTSER_RETURN_IF_ERROR(root->AddChild("l0", l0));
  PTSER_RETURN_IF_ERROR(root->AddChild("l1", l1));
  b.archive().module = root;
  return std::move(b.archive());
}

absl::StatusOr<Value> RunForward(const std::string& path, std::vector<Value> args) {
  PTSER_ASSIGN_OR_RETURN(std::shared_ptr<jit::ScriptModule> m, jit::Load(path));
  return m->Forward(std::move(args));
}

}  // namespace

absl::Status ScriptDemo(const std::string& dir, std::ostream& out) {
  auto say = [&](const std::string& python) { out << ">>> " << python << "\n"; };
  auto comment = [&](const std::string& text) { out << "\n# " << text << "\n"; };
  auto path = [&](const std::string& name) { return dir + "/" + name; };

  comment("Saving and loading ScriptModules (jit/load.h: TorchScript run by ptser's interpreter)");
  say("torch.manual_seed(0)");
  say("scripted_module = torch.jit.script(MyModule())");
  PTSER_ASSIGN_OR_RETURN(jit::ScriptArchive my,
                         TwoLinearArchive("scripted_module", "MyModule", kMyModuleScripted));
  say("torch.jit.save(scripted_module, 'scripted_module.pt')");
  PTSER_RETURN_IF_ERROR(jit::SaveScriptModule(my, path("scripted_module.pt")));
  say("loaded = torch.jit.load('scripted_module.pt')");
  PTSER_ASSIGN_OR_RETURN(std::shared_ptr<jit::ScriptModule> loaded,
                         jit::Load(path("scripted_module.pt")));
  say("loaded");
  out << loaded->TreeRepr() << "\n";
  say("loaded(torch.ones(4))");
  PTSER_ASSIGN_OR_RETURN(Tensor ones4, Ones({4}));
  PTSER_ASSIGN_OR_RETURN(Value y, loaded->Forward({Value::FromTensor(ones4)}));
  out << ReprWithTensors(y) << "\n";

  comment("Control flow is kept only when scripted (a (2, 4) input)");
  PTSER_ASSIGN_OR_RETURN(Tensor ones24, Ones({2, 4}));
  say("traced = torch.jit.trace(ControlFlowModule(), torch.randn(4))");
  PTSER_ASSIGN_OR_RETURN(jit::ScriptArchive traced,
                         TwoLinearArchive("traced", "ControlFlowModule", kControlFlowTraced));
  PTSER_RETURN_IF_ERROR(jit::SaveScriptModule(traced, path("traced.pt")));
  say("torch.jit.load('traced.pt')(torch.ones(2, 4))");
  PTSER_ASSIGN_OR_RETURN(Value t_out, RunForward(path("traced.pt"), {Value::FromTensor(ones24)}));
  out << ReprWithTensors(t_out) << "\n";
  say("scripted = torch.jit.script(ControlFlowModule())");
  PTSER_ASSIGN_OR_RETURN(jit::ScriptArchive scripted,
                         TwoLinearArchive("scripted", "ControlFlowModule", kControlFlowScripted));
  PTSER_RETURN_IF_ERROR(jit::SaveScriptModule(scripted, path("scripted.pt")));
  say("torch.jit.load('scripted.pt')(torch.ones(2, 4))");
  PTSER_ASSIGN_OR_RETURN(Value s_out, RunForward(path("scripted.pt"), {Value::FromTensor(ones24)}));
  out << ReprWithTensors(s_out) << "\n";

  comment("Historic behaviour kept for old files: torch.div and torch.full by archive version");
  PTSER_ASSIGN_OR_RETURN(Tensor a, MakeTensor<int64_t>({-7, 7}));
  PTSER_ASSIGN_OR_RETURN(Tensor b2, MakeTensor<int64_t>({2, 2}));
  out << "# forward(a, b): return (torch.div(a, b), torch.full([3], 1)), a = tensor([-7, 7]), "
         "b = tensor([2, 2])\n";
  for (uint64_t version : {3, 4, 5}) {
    ArchiveBuilder b("divfull");
    PTSER_RETURN_IF_ERROR(b.AddCode("code/__torch__.py", kDivFull));
    PTSER_ASSIGN_OR_RETURN(auto m, b.NewModule("__torch__.DivFull"));
    m->AddTraining(true);
    m->AddAttribute("_is_full_backward_hook", Value());
    b.archive().module = m;
    b.archive().version = version;
    const std::string name = absl::StrCat("divfull_v", version, ".pt");
    PTSER_RETURN_IF_ERROR(jit::SaveScriptModule(b.archive(), path(name)));
    say(absl::StrCat("torch.jit.load('", name, "')(a, b)   # archive version ", version));
    PTSER_ASSIGN_OR_RETURN(Value r, RunForward(path(name), {Value::FromTensor(a),
                                                            Value::FromTensor(b2)}));
    out << ReprWithTensors(r) << "\n";
  }
  out << "# version 3: integer division truncates; version 4: true division; version 5: full of "
         "an int is int64\n";
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace ptser
