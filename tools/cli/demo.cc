// Copyright ptser authors.
#include "tools/cli/demo.h"

#include <sys/stat.h>

#include <string>

#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "jit/module.h"
#include "jit/nn/batchnorm.h"
#include "jit/nn/linear.h"
#include "tensor/generator.h"
#include "tensor/ops/activation.h"
#include "tensor/factories.h"
#include "tensor/ops/arithmetic.h"
#include "tensor/print/repr.h"
#include "tensor/views.h"
#include "tools/cli/script_demo.h"
#include "tools/cli/value_repr.h"

namespace ptser {
namespace cli {
namespace {

class Session {
 public:
  Session(const std::string& dir, std::ostream& out) : dir_(dir), out_(out) {}

  void Say(const std::string& python) { out_ << ">>> " << python << "\n"; }
  void Show(const std::string& text) { out_ << text << "\n"; }
  void Comment(const std::string& text) { out_ << "\n# " << text << "\n"; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  absl::StatusOr<uint64_t> FileSize(const std::string& name) const {
    struct stat st;
    if (stat(Path(name).c_str(), &st) != 0) {
      return absl::NotFoundError("cannot stat " + Path(name));
    }
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string dir_;
  std::ostream& out_;
};

// The note's module with two linear layers.
class MyModule : public Module {
 public:
  MyModule() : Module("MyModule") {}
  static absl::StatusOr<std::shared_ptr<MyModule>> Make() {
    auto m = std::make_shared<MyModule>();
    PTSER_ASSIGN_OR_RETURN(m->l0_, nn::Linear::Make(4, 2));
    PTSER_ASSIGN_OR_RETURN(m->l1_, nn::Linear::Make(2, 1));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("l0", m->l0_));
    PTSER_RETURN_IF_ERROR(m->RegisterModule("l1", m->l1_));
    return m;
  }
  absl::StatusOr<Tensor> Forward(const Tensor& input) override {
    PTSER_ASSIGN_OR_RETURN(Tensor out0, l0_->Forward(input));
    PTSER_ASSIGN_OR_RETURN(Tensor out0_relu, Relu(out0));
    return l1_->Forward(out0_relu);
  }

 private:
  std::shared_ptr<nn::Linear> l0_, l1_;
};

std::string NamedTensors(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::string out = "[";
  for (size_t i = 0; i < named.size(); ++i) {
    out += (i ? ", ('" : "('") + named[i].first + "', " + Repr(named[i].second) + ")";
  }
  return out + "]";
}

// The note's module section: state dicts saved, loaded, and loaded into a
// fresh module.
absl::Status ModulesDemo(Session& s) {
  s.Comment("Saving and loading torch.nn.Modules (jit/module.h, jit/nn/)");
  s.Say("bn = torch.nn.BatchNorm1d(3, track_running_stats=True)");
  PTSER_ASSIGN_OR_RETURN(auto bn, nn::BatchNorm::Make1d(3));
  s.Say("list(bn.named_parameters())");
  s.Show(NamedTensors(bn->NamedParameters()));
  s.Say("list(bn.named_buffers())");
  s.Show(NamedTensors(bn->NamedBuffers()));
  s.Say("bn.state_dict()");
  s.Show(bn->StateDict().Repr());
  s.Say("torch.save(bn.state_dict(), 'bn.pt')");
  PTSER_RETURN_IF_ERROR(Save(bn->StateDict(), s.Path("bn.pt")));
  s.Say("bn_state_dict = torch.load('bn.pt')");
  PTSER_ASSIGN_OR_RETURN(Value bn_state_dict, Load(s.Path("bn.pt")));
  s.Say("new_bn = torch.nn.BatchNorm1d(3, track_running_stats=True)");
  PTSER_ASSIGN_OR_RETURN(auto new_bn, nn::BatchNorm::Make1d(3));
  s.Say("new_bn.load_state_dict(bn_state_dict)");
  PTSER_ASSIGN_OR_RETURN(IncompatibleKeys bn_keys, new_bn->LoadStateDict(bn_state_dict));
  s.Show(bn_keys.ToString());

  s.Comment("A module with two linear layers (weights as Python's after the same seed)");
  s.Say("torch.manual_seed(0)");
  ManualSeed(0);
  s.Say("m = MyModule()");
  PTSER_ASSIGN_OR_RETURN(auto m, MyModule::Make());
  s.Say("m.state_dict()");
  s.Show(m->StateDict().Repr());
  s.Say("torch.save(m.state_dict(), 'mymodule.pt')");
  PTSER_RETURN_IF_ERROR(Save(m->StateDict(), s.Path("mymodule.pt")));
  s.Say("m_state_dict = torch.load('mymodule.pt')");
  PTSER_ASSIGN_OR_RETURN(Value m_state_dict, Load(s.Path("mymodule.pt")));
  s.Say("new_m = MyModule()");
  PTSER_ASSIGN_OR_RETURN(auto new_m, MyModule::Make());
  s.Say("new_m.load_state_dict(m_state_dict)");
  PTSER_ASSIGN_OR_RETURN(IncompatibleKeys m_keys, new_m->LoadStateDict(m_state_dict));
  s.Show(m_keys.ToString());
  s.Say("new_m(torch.ones(4))");
  PTSER_ASSIGN_OR_RETURN(Tensor ones, Ones({4}));
  PTSER_ASSIGN_OR_RETURN(Tensor y, new_m->Forward(ones));
  s.Show(Repr(y));
  return absl::OkStatus();
}

int64_t StorageSize(const Tensor& t) {
  return static_cast<int64_t>(t.storage().nbytes() / t.itemsize());
}

}  // namespace

absl::Status RunDemo(const std::string& out_dir, std::ostream& out) {
  Session s(out_dir, out);
  s.Comment("Saving and loading tensors (ptser::Save / ptser::Load; files in " + out_dir + ")");
  PTSER_ASSIGN_OR_RETURN(Tensor t, MakeTensor<float>({1.f, 2.f}));
  s.Say("t = torch.tensor([1., 2.])");
  s.Say("torch.save(t, 'tensor.pt')");
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(t), s.Path("tensor.pt")));
  s.Say("torch.load('tensor.pt')");
  PTSER_ASSIGN_OR_RETURN(Value loaded_t, Load(s.Path("tensor.pt")));
  s.Show(ReprWithTensors(loaded_t));

  s.Say("d = {'a': torch.tensor([1., 2.]), 'b': torch.tensor([3., 4.])}");
  s.Say("torch.save(d, 'tensor_dict.pt')");
  PTSER_ASSIGN_OR_RETURN(Tensor b, MakeTensor<float>({3.f, 4.f}));
  Value d = Value::NewDict();
  PTSER_RETURN_IF_ERROR(d.dict().SetItem(Value::Str("a"), Value::FromTensor(t)));
  PTSER_RETURN_IF_ERROR(d.dict().SetItem(Value::Str("b"), Value::FromTensor(b)));
  PTSER_RETURN_IF_ERROR(Save(d, s.Path("tensor_dict.pt")));
  s.Say("torch.load('tensor_dict.pt')");
  PTSER_ASSIGN_OR_RETURN(Value loaded_d, Load(s.Path("tensor_dict.pt")));
  s.Show(ReprWithTensors(loaded_d));

  s.Comment("Saved tensors preserve their view relationships");
  s.Say("numbers = torch.arange(1, 10)");
  s.Say("evens = numbers[1::2]");
  s.Say("torch.save([numbers, evens], 'tensors.pt')");
  PTSER_ASSIGN_OR_RETURN(Tensor numbers, Arange(Scalar(int64_t{1}), Scalar(int64_t{10})));
  PTSER_ASSIGN_OR_RETURN(Tensor evens, Slice(numbers, 0, 1, 10, 2));
  PTSER_RETURN_IF_ERROR(Save(
      Value::NewList({Value::FromTensor(numbers), Value::FromTensor(evens)}), s.Path("tensors.pt")));
  s.Say("loaded_numbers, loaded_evens = torch.load('tensors.pt')");
  PTSER_ASSIGN_OR_RETURN(Value pair, Load(s.Path("tensors.pt")));
  if (!pair.is_list() || pair.list().size() != 2) {
    return absl::InternalError("tensors.pt did not load as a list of two tensors");
  }
  Tensor loaded_numbers = pair.list()[0].tensor();
  Tensor loaded_evens = pair.list()[1].tensor();
  s.Say("loaded_evens");
  s.Show(Repr(loaded_evens));
  s.Say("loaded_evens *= 2");
  PTSER_RETURN_IF_ERROR(MulInplace(loaded_evens, Scalar(int64_t{2})));
  s.Say("loaded_evens");
  s.Show(Repr(loaded_evens));
  s.Say("loaded_numbers");
  s.Show(Repr(loaded_numbers));
  s.Show(std::string("# one storage, shared again after loading: ") +
         (loaded_numbers.storage().IsSameAs(loaded_evens.storage()) ? "yes" : "NO"));

  s.Comment("A view saves its whole storage");
  s.Say("large = torch.arange(1, 1000)");
  s.Say("small = large[0:5]");
  s.Say("torch.save(small, 'small.pt')");
  PTSER_ASSIGN_OR_RETURN(Tensor large, Arange(Scalar(int64_t{1}), Scalar(int64_t{1000})));
  PTSER_ASSIGN_OR_RETURN(Tensor small, Slice(large, 0, 0, 5, 1));
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(small), s.Path("small.pt")));
  s.Say("loaded_small = torch.load('small.pt')");
  PTSER_ASSIGN_OR_RETURN(Value loaded_small, Load(s.Path("small.pt")));
  s.Say("loaded_small.storage().size()");
  s.Show(std::to_string(StorageSize(loaded_small.tensor())));
  PTSER_ASSIGN_OR_RETURN(uint64_t small_bytes, s.FileSize("small.pt"));

  s.Comment("clone() saves only what the view shows");
  s.Say("torch.save(small.clone(), 'small_clone.pt')");
  PTSER_ASSIGN_OR_RETURN(Tensor cloned, Clone(small));
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(cloned), s.Path("small_clone.pt")));
  s.Say("loaded_small = torch.load('small_clone.pt')");
  PTSER_ASSIGN_OR_RETURN(Value loaded_clone, Load(s.Path("small_clone.pt")));
  s.Say("loaded_small.storage().size()");
  s.Show(std::to_string(StorageSize(loaded_clone.tensor())));
  PTSER_ASSIGN_OR_RETURN(uint64_t clone_bytes, s.FileSize("small_clone.pt"));

  s.Comment("ptser's SaveOptions::compact: small file AND the views keep sharing");
  PTSER_ASSIGN_OR_RETURN(Tensor middle, Slice(large, 0, 2, 7, 1));
  Value views = Value::NewList({Value::FromTensor(small), Value::FromTensor(middle)});
  SaveOptions compact;
  compact.compact = true;
  PTSER_RETURN_IF_ERROR(Save(views, s.Path("compact.pt"), compact));
  PTSER_ASSIGN_OR_RETURN(Value loaded_views, Load(s.Path("compact.pt")));
  const Tensor& a = loaded_views.list()[0].tensor();
  const Tensor& c = loaded_views.list()[1].tensor();
  PTSER_ASSIGN_OR_RETURN(uint64_t compact_bytes, s.FileSize("compact.pt"));
  s.Show("[large[0:5], large[2:7]] compacted: " + Repr(a) + ", " + Repr(c));
  s.Show("storage size " + std::to_string(StorageSize(a)) + ", shared: " +
         (a.storage().IsSameAs(c.storage()) ? "yes" : "NO"));
  s.Show("file sizes: view " + std::to_string(small_bytes) + " bytes, clone " +
         std::to_string(clone_bytes) + " bytes, compact pair " + std::to_string(compact_bytes) +
         " bytes");
  PTSER_RETURN_IF_ERROR(ModulesDemo(s));
  return ScriptDemo(out_dir, out);
}

}  // namespace cli
}  // namespace ptser
