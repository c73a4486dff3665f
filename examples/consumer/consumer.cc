// A program outside ptser's workspace, built against @ptser//:ptser, doing
// the everyday task of the README: load a training checkpoint, read a scalar
// and a nested value, walk the state dict's tensors, halve one in place,
// save, and load the result again with mmap and with a map_location.
//
//   bazel run //:consumer -- DIR
//
// reads DIR/checkpoint.pt (writing a small one first when there is none: CI
// writes it with real PyTorch instead) and writes DIR/halved.pt.
#include <cstdlib>
#include <iostream>
#include <string>

#include "ptser.h"

// ---- The README example, as it stands there. -------------------------------
absl::Status HalveFcWeight(const std::string& in, const std::string& out) {
  PTSER_ASSIGN_OR_RETURN(ptser::Value ckpt, ptser::Load(in));
  PTSER_ASSIGN_OR_RETURN(int64_t epoch, ckpt.Get<int64_t>("epoch"));
  PTSER_ASSIGN_OR_RETURN(std::string arch, ckpt.Get<std::string>("args", "arch"));
  std::cout << "epoch " << epoch << ", arch " << arch << "\n";

  PTSER_ASSIGN_OR_RETURN(ptser::Value model, ckpt.At("model"));
  PTSER_ASSIGN_OR_RETURN(ptser::Value::Dict * state_dict, model.ToDict());
  for (const auto& [key, value] : state_dict->items()) {
    PTSER_ASSIGN_OR_RETURN(ptser::Tensor t, value.ToTensor());
    std::cout << key.as_string() << ": " << t.dtype() << " " << ptser::ShapeToString(t.sizes())
              << "\n";
  }
  PTSER_ASSIGN_OR_RETURN(ptser::Tensor w, ckpt.Get<ptser::Tensor>("model", "fc.weight"));
  PTSER_RETURN_IF_ERROR(ptser::MulInplace(w, 0.5));  // in place: `model` sees it

  ptser::Value saved = ptser::Value::NewDict();
  PTSER_RETURN_IF_ERROR(saved.dict().SetItem(ptser::Value::Str("model"), model));
  PTSER_RETURN_IF_ERROR(ptser::Save(saved, out));

  ptser::LoadOptions mapped;
  mapped.mmap = true;
  PTSER_ASSIGN_OR_RETURN(ptser::Value again, ptser::Load(out, mapped));
  ptser::LoadOptions on_cpu;
  on_cpu.map_location = ptser::MapLocation::To("cpu");
  PTSER_ASSIGN_OR_RETURN(ptser::Value cpu, ptser::Load(out, on_cpu));
  PTSER_ASSIGN_OR_RETURN(ptser::Tensor w2, again.Get<ptser::Tensor>("model", "fc.weight"));
  std::cout << "fc.weight after: " << w2 << "\n";
  return absl::OkStatus();
}
// ------------------------------------------------------------------------------

// A small checkpoint of the usual shape, for a machine without PyTorch.
absl::Status WriteCheckpoint(const std::string& path) {
  using ptser::Value;
  PTSER_ASSIGN_OR_RETURN(ptser::Tensor weight, ptser::Ones({2, 4}, ptser::ScalarType::kFloat));
  PTSER_ASSIGN_OR_RETURN(ptser::Tensor bias, ptser::Zeros({2}, ptser::ScalarType::kFloat));
  Value model = Value::NewOrderedDict();
  PTSER_RETURN_IF_ERROR(model.dict().SetItem(Value::Str("fc.weight"), Value::FromTensor(weight)));
  PTSER_RETURN_IF_ERROR(model.dict().SetItem(Value::Str("fc.bias"), Value::FromTensor(bias)));
  Value args = Value::NewDict();
  PTSER_RETURN_IF_ERROR(args.dict().SetItem(Value::Str("arch"), Value::Str("tiny")));
  Value ckpt = Value::NewDict();
  PTSER_RETURN_IF_ERROR(ckpt.dict().SetItem(Value::Str("epoch"), Value::Int(1)));
  PTSER_RETURN_IF_ERROR(ckpt.dict().SetItem(Value::Str("args"), args));
  PTSER_RETURN_IF_ERROR(ckpt.dict().SetItem(Value::Str("model"), model));
  return ptser::Save(ckpt, path);
}

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "";
  if (dir.empty()) {
    const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");  // set by `bazel run`
    dir = cwd != nullptr ? cwd : ".";
  }
  const std::string in = dir + "/checkpoint.pt";
  if (!ptser::Load(in).ok()) {
    std::cout << "no readable " << in << ": writing a small one\n";
    if (absl::Status s = WriteCheckpoint(in); !s.ok()) {
      std::cerr << s << "\n";
      return 1;
    }
  }
  if (absl::Status s = HalveFcWeight(in, dir + "/halved.pt"); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  return 0;
}
